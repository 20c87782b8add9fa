// The memory of a context's intermediate values: one arena for the plain values the compiler
// placed (odla_SetValueArenaOffset), a buffer of its own for every other op result (and for
// a placed value that its runtime keeps in another layout), and the kernels' scratch memory.
// Allocated at a context's first execution and reused by the next ones; when the context is
// destroyed, its computation keeps it for a later context (code that makes a context per
// call then allocates once, not per call).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime.h"

namespace odla_rt {

// A byte buffer, 64-byte aligned (vector instructions, cache lines), zeroed or not.
class Buffer {
 public:
  void Assign(size_t bytes, bool zeroed = true);
  uint8_t* data() const { return p_.get(); }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> p_;
};

class ValueMemory {
 public:
  bool allocated() const { return !data_.empty(); }
  // Whether it is allocated for a computation of `num_values` values.
  bool AllocatedFor(size_t num_values) const {
    return !data_.empty() && data_.size() == num_values;
  }
  // Allocates for the op results `results` of a computation of `num_values` values (their
  // `index` ranges over [0, num_values)) with an arena of `arena_bytes`, and `scratch_bytes`
  // of scratch memory.
  void Allocate(const std::vector<odla_value>& results, size_t num_values, uint64_t arena_bytes,
                size_t scratch_bytes);
  // The memory of op result `v`.
  void* Data(odla_value v) const { return data_[v->index]; }
  void* scratch() const { return scratch_.data(); }

 private:
  Buffer arena_, scratch_;
  std::vector<Buffer> own_;
  std::vector<void*> data_;  // per value index
};

// The memory of a computation's destroyed contexts, for its next contexts. Shared by the
// computation and its contexts, so that either may go first. Thread-safe.
class MemoryCache {
 public:
  // Kept memory, or an unallocated one.
  ValueMemory Take();
  // Keeps `m` (at most kMaxKept of them).
  void Keep(ValueMemory m);
  // Drops the kept memory (the layout changed).
  void Clear();

 private:
  static constexpr size_t kMaxKept = 8;
  std::mutex mutex_;
  std::vector<ValueMemory> kept_;
};

}  // namespace odla_rt
