// The weights of a compiled model as an ELF64 relocatable object: one read-only data symbol
// that the application links in with the generated code.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace halo {

// A blob assembled from pieces placed at given offsets; the gaps are zero.
struct Blob {
  struct Piece {
    size_t offset = 0;
    const uint8_t* data = nullptr;
    size_t size = 0;
  };
  std::vector<Piece> pieces;  // sorted by offset, not overlapping
  size_t size = 0;            // total size, at least the end of the last piece

  // Appends `size` bytes at the next multiple of `align`; returns their offset.
  size_t Append(const uint8_t* data, size_t size, size_t align);
  // Writes the bytes of the blob.
  void Write(std::ostream& os) const;
};

// The alignment of the data section and of every constant in it.
constexpr size_t kWeightsAlign = 64;

// Writes an ELF64 little-endian relocatable object for the host machine (x86-64 or
// AArch64) with the blob in .rodata (aligned to kWeightsAlign), a global object symbol
// `symbol` covering it, and an empty .note.GNU-stack (no executable stack). Throws Error
// on a host the writer does not know.
void WriteElfObject(std::ostream& os, const std::string& symbol, const Blob& blob);

}  // namespace halo
