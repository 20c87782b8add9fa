// Kernels that generate data: ranges, diagonal and triangular masks, one-hot encodings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "host_device.h"

namespace odla_rt {

// Element i of a range, start + T(i) * delta: the host's and libodla_cuda's (compiled there
// without FMA contraction). Integers wrap: the sum is computed in uint64_t, whose low bits are
// those of the signed sum, without signed overflow.
template <typename T>
ODLA_HD inline T RangeAt(T start, T delta, int64_t i) {
  if constexpr (std::is_integral<T>::value) {
    return static_cast<T>(static_cast<uint64_t>(start) +
                          static_cast<uint64_t>(static_cast<T>(i)) * static_cast<uint64_t>(delta));
  } else {
    return static_cast<T>(start + static_cast<T>(i) * delta);
  }
}

// out[i] = start + i * delta.
template <typename T>
void RangeFill(T* out, int64_t n, T start, T delta) {
  for (int64_t i = 0; i < n; ++i) out[i] = RangeAt(start, delta, i);
}

// A rows x cols matrix of zeros with `one` on diagonal k (column - row == k).
template <typename T>
void EyeFill(T* out, int64_t rows, int64_t cols, int64_t k, T one) {
  for (int64_t i = 0; i < rows * cols; ++i) out[i] = T(0);
  for (int64_t r = 0; r < rows; ++r)
    if (r + k >= 0 && r + k < cols) out[r * cols + r + k] = one;
}

// Copies `matrices` rows x cols matrices keeping the upper (column - row >= k) or lower
// (column - row <= k) triangle and zeroing the rest.
void TriluCopy(void* dst, const void* src, size_t elem_size, int64_t matrices, int64_t rows,
               int64_t cols, int64_t k, bool upper);

// One-hot: out[o][d][i] = (idx[o * inner + i] == d) ? on : off for d < depth; negative
// indices count from depth, others out of range give an all-off line. `off` and `on` point
// to one element each.
void OneHotFill(void* dst, size_t elem_size, const std::vector<int64_t>& idx, int64_t outer,
                int64_t depth, int64_t inner, const void* off, const void* on);

}  // namespace odla_rt
