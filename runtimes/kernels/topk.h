// TopK along one axis of x viewed as [outer, len, inner].
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "../common/runtime.h"

namespace odla_rt {

// Values and int64 indices of the k largest (or smallest) elements, in order; equal values
// keep the lower index first, NaN counts as larger than any number.
template <typename T>
void TopK(int64_t outer, int64_t len, int64_t inner, int64_t k, bool largest, const T* x, T* values,
          int64_t* indices) {
  auto before = [largest](const std::pair<T, int64_t>& a, const std::pair<T, int64_t>& b) {
    if constexpr (std::is_floating_point_v<T>) {
      bool na = std::isnan(a.first), nb = std::isnan(b.first);
      if (na || nb) return na != nb ? (largest ? na : nb) : a.second < b.second;
    }
    if (a.first != b.first) return largest ? a.first > b.first : a.first < b.first;
    return a.second < b.second;
  };
  ParallelFor(outer * inner, std::max<int64_t>(1, 4096 / std::max<int64_t>(len, 1)),
              [&](int64_t s, int64_t e) {
                std::vector<std::pair<T, int64_t>> row(len);
                for (int64_t r = s; r < e; ++r) {
                  int64_t o = r / inner, i = r % inner;
                  const T* xp = x + o * len * inner + i;
                  for (int64_t j = 0; j < len; ++j) row[j] = {xp[j * inner], j};
                  std::partial_sort(row.begin(), row.begin() + k, row.end(), before);
                  for (int64_t j = 0; j < k; ++j) {
                    values[(o * k + j) * inner + i] = row[j].first;
                    indices[(o * k + j) * inner + i] = row[j].second;
                  }
                }
              });
}

}  // namespace odla_rt
