// Broadcasting element-wise loops shared by every runtime.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "../common/runtime.h"

namespace odla_rt {

// The numpy broadcast of shapes a and b into *out; false (out unchanged) when they do not
// broadcast.
bool BroadcastShapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                     std::vector<int64_t>* out);

// Strides of `in` (right-aligned to `out`), 0 where `in` broadcasts.
std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& in,
                                      const std::vector<int64_t>& out);

// out[i] = f(a[ia], b[ib]) over the broadcast shape `out_shape`.
template <typename A, typename B, typename R, typename F>
void BinaryBroadcast(const A* a, const std::vector<int64_t>& as, const B* b,
                     const std::vector<int64_t>& bs, R* out, const std::vector<int64_t>& os, F f) {
  int64_t n = 1;
  for (int64_t d : os) n *= d;
  if (n == 0) return;
  if (as == os && bs == os) {
    ParallelFor(n, 1 << 14, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) out[i] = f(a[i], b[i]);
    });
    return;
  }
  auto sa = BroadcastStrides(as, os), sb = BroadcastStrides(bs, os);
  int rank = static_cast<int>(os.size());
  int64_t inner = rank ? os[rank - 1] : 1;
  int64_t ia_step = rank ? sa[rank - 1] : 0, ib_step = rank ? sb[rank - 1] : 0;
  int64_t rows = n / inner;
  ParallelFor(rows, std::max<int64_t>(1, (1 << 14) / inner), [&](int64_t s, int64_t e) {
    std::vector<int64_t> idx(rank > 0 ? rank - 1 : 0);
    for (int64_t row = s; row < e; ++row) {
      int64_t r = row, oa = 0, ob = 0;
      for (int d = rank - 2; d >= 0; --d) {
        int64_t k = r % os[d];
        r /= os[d];
        oa += k * sa[d];
        ob += k * sb[d];
      }
      R* o = out + row * inner;
      for (int64_t j = 0; j < inner; ++j) o[j] = f(a[oa + j * ia_step], b[ob + j * ib_step]);
    }
  });
}

// Whether F has an array form F::Array(const T*, R*, int64_t), which UnaryMap then calls on
// each chunk.
template <typename F, typename T, typename R, typename = void>
struct HasArrayForm : std::false_type {};
template <typename F, typename T, typename R>
struct HasArrayForm<
    F, T, R,
    std::void_t<decltype(F::Array(std::declval<const T*>(), std::declval<R*>(), int64_t{}))>>
    : std::true_type {};

// out[i] = f(x[i]).
template <typename T, typename R, typename F>
void UnaryMap(const T* x, R* out, int64_t n, F f) {
  ParallelFor(n, 1 << 14, [&](int64_t s, int64_t e) {
    if constexpr (HasArrayForm<F, T, R>::value)
      F::Array(x + s, out + s, e - s);
    else
      for (int64_t i = s; i < e; ++i) out[i] = f(x[i]);
  });
}

}  // namespace odla_rt
