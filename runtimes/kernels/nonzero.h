// NonZero: the coordinates of the non-zero elements of a tensor.
#pragma once

#include <cstdint>

#include "copy.h"

namespace odla_rt {

// Writes the coordinates of the elements v of x (shape `dims`, row-major) for which
// nonzero(v) holds, in row-major order, as y[d * count + j] (dimension d of the j-th), and
// returns count. y must hold dims.size() * NumElements(dims) entries.
template <typename T, typename Pred>
int64_t NonZero(const T* x, const Extents& dims, Pred nonzero, int64_t* y) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += nonzero(x[i]) ? 1 : 0;
  for (int64_t i = 0, j = 0; i < n; ++i) {
    if (!nonzero(x[i])) continue;
    for (int64_t d = static_cast<int64_t>(dims.size()) - 1, r = i; d >= 0; --d) {
      y[d * count + j] = r % dims[d];
      r /= dims[d];
    }
    ++j;
  }
  return count;
}

}  // namespace odla_rt
