// Unique: the distinct slices of a tensor along an axis.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <type_traits>
#include <vector>

namespace odla_rt {

// Finds the distinct slices of x viewed as [outer, len, inner]: slice j is x[o][j][i] for all
// o, i, compared lexicographically in that order (NaN above every number and equal to NaN).
// With sorted, they go in ascending order, else in order of first occurrence. Writes
// y [outer, count, inner] (the slices), first[count] (the index of each one's first
// occurrence), inverse[len] (the position in y of each slice of x) and counts[count] (how
// often each occurs); first, inverse and counts may be null. Returns count.
template <typename T>
int64_t Unique(const T* x, int64_t outer, int64_t len, int64_t inner, bool sorted, T* y,
               int64_t* first, int64_t* inverse, int64_t* counts) {
  auto less = [](T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a)) return false;
      if (std::isnan(b)) return true;
    }
    return a < b;
  };
  auto compare = [&](int64_t a, int64_t b) {  // <0, 0, >0 as slice a is below, equal, above b
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        T va = x[(o * len + a) * inner + i], vb = x[(o * len + b) * inner + i];
        if (less(va, vb)) return -1;
        if (less(vb, va)) return 1;
      }
    return 0;
  };
  std::vector<int64_t> order(len);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return compare(a, b) < 0; });
  // Groups of equal slices in ascending order; each group's first entry is its lowest index.
  std::vector<int64_t> group_first, group_size, group_of(len);
  for (int64_t k = 0; k < len; ++k) {
    if (k == 0 || compare(order[k - 1], order[k]) != 0) {
      group_first.push_back(order[k]);
      group_size.push_back(0);
    }
    group_of[order[k]] = static_cast<int64_t>(group_first.size()) - 1;
    ++group_size.back();
  }
  int64_t count = static_cast<int64_t>(group_first.size());
  std::vector<int64_t> out_group(count), position(count);  // output u shows group out_group[u]
  std::iota(out_group.begin(), out_group.end(), 0);
  if (!sorted)
    std::sort(out_group.begin(), out_group.end(),
              [&](int64_t a, int64_t b) { return group_first[a] < group_first[b]; });
  for (int64_t u = 0; u < count; ++u) position[out_group[u]] = u;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t u = 0; u < count; ++u)
      std::copy_n(x + (o * len + group_first[out_group[u]]) * inner, inner,
                  y + (o * count + u) * inner);
  for (int64_t u = 0; u < count; ++u) {
    if (first) first[u] = group_first[out_group[u]];
    if (counts) counts[u] = group_size[out_group[u]];
  }
  if (inverse)
    for (int64_t j = 0; j < len; ++j) inverse[j] = position[group_of[j]];
  return count;
}

}  // namespace odla_rt
