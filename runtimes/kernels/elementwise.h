// Element-wise kernels beyond the binary broadcast: broadcast copies, three-way broadcast
// (Where), casts between element types (float16 and bfloat16 included) and clipping.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "broadcast.h"

namespace odla_rt {

// out = x broadcast to `os`.
template <typename T>
void BroadcastCopy(const T* x, const std::vector<int64_t>& xs, T* out,
                   const std::vector<int64_t>& os) {
  if (xs == os) {
    int64_t n = 1;
    for (int64_t d : os) n *= d;
    if (n) std::memcpy(out, x, static_cast<size_t>(n) * sizeof(T));
    return;
  }
  BinaryBroadcast(x, xs, x, xs, out, os, [](T v, T) { return v; });
}

// out[i] = f(a[ia], b[ib], c[ic]) over the broadcast shape `os`.
template <typename A, typename B, typename C, typename R, typename F>
void TernaryBroadcast(const A* a, const std::vector<int64_t>& as, const B* b,
                      const std::vector<int64_t>& bs, const C* c, const std::vector<int64_t>& cs,
                      R* out, const std::vector<int64_t>& os, F f) {
  int64_t n = 1;
  for (int64_t d : os) n *= d;
  if (n == 0) return;
  auto sa = BroadcastStrides(as, os), sb = BroadcastStrides(bs, os), sc = BroadcastStrides(cs, os);
  int rank = static_cast<int>(os.size());
  int64_t inner = rank ? os[rank - 1] : 1;
  int64_t da = rank ? sa[rank - 1] : 0, db = rank ? sb[rank - 1] : 0, dc = rank ? sc[rank - 1] : 0;
  ParallelFor(n / inner, std::max<int64_t>(1, (1 << 14) / inner), [&](int64_t s, int64_t e) {
    for (int64_t row = s; row < e; ++row) {
      int64_t r = row, oa = 0, ob = 0, oc = 0;
      for (int d = rank - 2; d >= 0; --d) {
        int64_t k = r % os[d];
        r /= os[d];
        oa += k * sa[d];
        ob += k * sb[d];
        oc += k * sc[d];
      }
      R* o = out + row * inner;
      for (int64_t j = 0; j < inner; ++j) o[j] = f(a[oa + j * da], b[ob + j * db], c[oc + j * dc]);
    }
  });
}

// IEEE half precision <-> float (round to nearest even).
float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);
// bfloat16 (the upper half of a float's bits) <-> float (round to nearest even; NaN stays NaN).
float BFloat16ToFloat(uint16_t b);
uint16_t FloatToBFloat16(float f);
// x as a float rounded to odd (x itself when it fits, else its neighbour toward zero with the
// last bit set): rounding that again to 16 bits gives the correctly rounded x, where rounding
// x to the nearest float first may land on a tie and round the wrong way.
float RoundToOddFloat(double x);

// Converts one element: floats to integers truncate toward zero and saturate (NaN gives 0);
// anything to bool is x != 0.
template <typename To, typename From>
To CastValue(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(x)) return To(0);
    if (x <= static_cast<From>(std::numeric_limits<To>::lowest()))
      return std::numeric_limits<To>::lowest();
    if (x >= static_cast<From>(std::numeric_limits<To>::max()))
      return std::numeric_limits<To>::max();
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);
  }
}

template <typename From, typename To>
void Cast(const From* x, To* y, int64_t n) {
  ParallelFor(n, 1 << 14, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) y[i] = CastValue<To>(x[i]);
  });
}

// Clip bounds of element type T from float bounds; at or beyond +-FLT_MAX means none.
template <typename T>
T ClipBound(float b, bool upper) {
  if (upper ? b >= std::numeric_limits<float>::max() : b <= std::numeric_limits<float>::lowest())
    return upper ? (std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity()
                                                : std::numeric_limits<T>::max())
                 : (std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity()
                                                : std::numeric_limits<T>::lowest());
  return CastValue<T>(b);
}

// y = min(max(x, lo), hi) (hi wins when lo > hi; NaN stays NaN).
template <typename T>
void Clip(const T* x, T* y, int64_t n, T lo, T hi) {
  ParallelFor(n, 1 << 14, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      T v = x[i] < lo ? lo : x[i];
      y[i] = v > hi ? hi : v;
    }
  });
}

}  // namespace odla_rt
