#include "arena.h"

#include <cstring>
#include <new>

namespace odla_rt {

void Buffer::Assign(size_t bytes, bool zeroed) {
  size_t n = (bytes + 63) / 64 * 64;
  p_ = std::unique_ptr<uint8_t, Free>(
      n ? static_cast<uint8_t*>(std::aligned_alloc(64, n)) : nullptr, Free{nullptr});
  if (n && !p_) throw std::bad_alloc();
  if (n && zeroed) std::memset(p_.get(), 0, n);
}

void Buffer::AssignDevice(Device& device, size_t bytes) {
  p_ = std::unique_ptr<uint8_t, Free>(static_cast<uint8_t*>(bytes ? device.Alloc(bytes) : nullptr),
                                      Free{&device});
}

void ValueMemory::Allocate(const std::vector<odla_value>& results, size_t num_values,
                           uint64_t arena_bytes, size_t scratch_bytes, Device* device,
                           size_t device_scratch_bytes) {
  // The arenas need no zeroing: every value in them is written before it is read. The host
  // arena is allocated unless only device results use the arena, and the other way round.
  // The old stream first (DestroyStream waits for its work), then the graphs that hold the
  // old buffers' addresses.
  stream_.reset();
  graphs_.clear();
  bool host_arena = !device, device_arena = false;
  for (odla_value v : results)
    if (v->arena_offset >= 0 && !v->layout) (v->on_device ? device_arena : host_arena) = true;
  arena_.Assign(host_arena ? arena_bytes : 0, false);
  scratch_.Assign(scratch_bytes);
  own_.clear();
  data_.assign(num_values, nullptr);
  if (device) {
    device_arena_.AssignDevice(*device, device_arena ? arena_bytes : 0);
    device_scratch_.AssignDevice(*device, device_scratch_bytes);
    stream_ =
        std::shared_ptr<void>(device->NewStream(), [device](void* s) { device->DestroyStream(s); });
  }
  for (odla_value v : results) {
    if (v->arena_offset >= 0 && !v->layout) {
      data_[v->index] = (v->on_device ? device_arena_ : arena_).data() + v->arena_offset;
      continue;
    }
    // One byte more, so that an empty value has an address too.
    own_.emplace_back();
    size_t bytes = (v->layout ? v->layout->Bytes() : ByteSize(v->type)) + 1;
    if (v->on_device)
      own_.back().AssignDevice(*device, bytes);
    else
      own_.back().Assign(bytes);
    data_[v->index] = own_.back().data();
  }
}

ValueMemory MemoryCache::Take() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (kept_.empty()) return {};
  ValueMemory m = std::move(kept_.back());
  kept_.pop_back();
  return m;
}

void MemoryCache::Keep(ValueMemory m) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (kept_.size() < kMaxKept) kept_.push_back(std::move(m));
}

void MemoryCache::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  kept_.clear();
}

}  // namespace odla_rt
