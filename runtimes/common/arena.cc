#include "arena.h"

#include <cstring>
#include <new>

namespace odla_rt {

void Buffer::Assign(size_t bytes, bool zeroed) {
  size_t n = (bytes + 63) / 64 * 64;
  p_.reset(n ? static_cast<uint8_t*>(std::aligned_alloc(64, n)) : nullptr);
  if (n && !p_) throw std::bad_alloc();
  if (n && zeroed) std::memset(p_.get(), 0, n);
}

void ValueMemory::Allocate(const std::vector<odla_value>& results, size_t num_values,
                           uint64_t arena_bytes, size_t scratch_bytes) {
  // The arena needs no zeroing: every value in it is written before it is read.
  arena_.Assign(arena_bytes, false);
  scratch_.Assign(scratch_bytes);
  own_.clear();
  data_.assign(num_values, nullptr);
  for (odla_value v : results) {
    if (v->arena_offset >= 0 && !v->layout) {
      data_[v->index] = arena_.data() + v->arena_offset;
      continue;
    }
    // One byte more, so that an empty value has an address too.
    own_.emplace_back();
    own_.back().Assign((v->layout ? v->layout->Bytes() : ByteSize(v->type)) + 1);
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
