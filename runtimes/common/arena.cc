#include "arena.h"

#include <new>

namespace odla_rt {

void ValueMemory::Allocate(const std::vector<odla_value>& results, size_t num_values,
                           uint64_t arena_bytes) {
  constexpr uint64_t kAlign = 64;
  arena_.reset();
  own_.clear();
  data_.assign(num_values, nullptr);
  if (arena_bytes) {
    void* p = std::aligned_alloc(kAlign, (arena_bytes + kAlign - 1) / kAlign * kAlign);
    if (!p) throw std::bad_alloc();
    arena_.reset(static_cast<uint8_t*>(p));
  }
  for (odla_value v : results) {
    if (v->arena_offset >= 0) {
      data_[v->index] = arena_.get() + v->arena_offset;
      continue;
    }
    // One byte more, so that an empty value has an address too.
    own_.push_back(std::make_unique<uint8_t[]>(ByteSize(v->type) + 1));
    data_[v->index] = own_.back().get();
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
