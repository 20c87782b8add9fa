// The memory of a context's intermediate values: one arena for the plain values the compiler
// placed (odla_SetValueArenaOffset), a buffer of its own for every other op result (and for
// a placed value that its runtime keeps in another layout), and the kernels' scratch memory.
// With a device (device.h), the same in device memory for the device ops' results, and the
// context's device stream.
// Allocated at a context's first execution and reused by the next ones; when the context is
// destroyed, its computation keeps it for a later context (code that makes a context per
// call then allocates once, not per call).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "device.h"
#include "runtime.h"

namespace odla_rt {

// A byte buffer: host memory 64-byte aligned (vector instructions, cache lines), zeroed or
// not; or device memory (not zeroed).
class Buffer {
 public:
  void Assign(size_t bytes, bool zeroed = true);
  void AssignDevice(Device& device, size_t bytes);
  uint8_t* data() const { return p_.get(); }

 private:
  struct Free {
    Device* device;  // NULL: host memory
    void operator()(uint8_t* p) const { device ? device->Free(p) : std::free(p); }
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
  // of scratch memory; with a device, `device_scratch_bytes` of device scratch memory, the
  // device results (OnDevice) in device memory, and a stream.
  void Allocate(const std::vector<odla_value>& results, size_t num_values, uint64_t arena_bytes,
                size_t scratch_bytes, Device* device = nullptr, size_t device_scratch_bytes = 0);
  // The memory of op result `v`.
  void* Data(odla_value v) const { return data_[v->index]; }
  void* scratch() const { return scratch_.data(); }
  void* device_scratch() const { return device_scratch_.data(); }
  void* stream() const { return stream_.get(); }
  // The graphs of the segments of device ops (graphs.h), per node index of a segment's first
  // op: they use this memory's buffers and stream, so they live and die with them.
  struct GraphSlot {
    std::shared_ptr<void> graph;  // Device::DestroyGraph frees it
    size_t end = 0;               // the segment [index, end) that `graph` or `warm` is of
    bool warm = false;            // the segment has run op by op once
    bool eager = false;           // this node's own capture failed: it runs on its own
  };
  std::vector<GraphSlot>& graphs() { return graphs_; }
  const std::vector<GraphSlot>& graphs() const { return graphs_; }

 private:
  Buffer arena_, scratch_, device_arena_, device_scratch_;
  std::vector<Buffer> own_;
  std::vector<void*> data_;  // per value index
  // Destroyed in reverse order: the stream first (DestroyStream waits for its work), then
  // the graphs, then the buffers.
  std::vector<GraphSlot> graphs_;
  std::shared_ptr<void> stream_;  // the device stream (Device::DestroyStream frees it)
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
