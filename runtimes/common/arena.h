// The memory of a context's intermediate values: one arena for the values the compiler
// placed (odla_SetValueArenaOffset) and a buffer of its own for every other op result.
// Allocated once per context, at its first execution, and reused by the next ones.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "runtime.h"

namespace odla_rt {

class ValueMemory {
 public:
  bool allocated() const { return !data_.empty(); }
  // Allocates for the op results `results` of a computation of `num_values` values (their
  // `index` ranges over [0, num_values)) with an arena of `arena_bytes`.
  void Allocate(const std::vector<odla_value>& results, size_t num_values, uint64_t arena_bytes);
  // The memory of op result `v`.
  void* Data(odla_value v) const { return data_[v->index]; }

 private:
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> arena_;
  std::vector<std::unique_ptr<uint8_t[]>> own_;
  std::vector<void*> data_;  // per value index
};

}  // namespace odla_rt
