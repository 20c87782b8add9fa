// Content hashes for the conformance runner's cache keys.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace halo::conformance {

// 128 bits of FNV-1a (two 64-bit lanes with different offsets), as hex. Each Add also
// hashes the length, so ("ab", "c") and ("a", "bc") differ.
class Hasher {
 public:
  void Add(const std::string& bytes) { Add(bytes.data(), bytes.size()); }
  void Add(const void* data, size_t size) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) Byte(p[i]);
    for (uint64_t v = size, i = 0; i < 8; ++i, v >>= 8) Byte(v & 0xff);
  }
  std::string Hex() const {
    char buf[33];
    snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(a_),
             static_cast<unsigned long long>(b_));
    return buf;
  }

 private:
  void Byte(uint64_t c) {
    a_ = (a_ ^ c) * 0x100000001b3ull;
    b_ = (b_ ^ c) * 0x100000001b3ull;
  }
  uint64_t a_ = 0xcbf29ce484222325ull;
  uint64_t b_ = 0x84222325cbf29ce4ull;
};

}  // namespace halo::conformance
