#include "axis.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "../common/runtime.h"
#include "arith.h"
#include "vmath.h"

namespace odla_rt {
namespace {

// Work splits into units of one outer index `o` and a block of `w` inner columns from `c0`;
// each unit walks the n rows of its block, touching contiguous columns.
constexpr int64_t kBlock = 256;

template <typename F>
void ForEachBlock(int64_t outer, int64_t n, int64_t inner, F f) {
  int64_t blocks = (inner + kBlock - 1) / kBlock;
  int64_t per_unit = n * std::min(inner, kBlock);
  ParallelFor(outer * blocks, std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(per_unit, 1)),
              [&](int64_t s, int64_t e) {
                for (int64_t u = s; u < e; ++u) {
                  int64_t o = u / blocks, c0 = (u % blocks) * kBlock;
                  f(o, c0, std::min(kBlock, inner - c0));
                }
              });
}

}  // namespace

// One contiguous row of n elements (the common case: the last axis).
// float32 Softmax and LogSoftmax of a row: exp by ExpF32, sums in 16 lanes added in a fixed
// order. A NaN makes the whole row NaN, as below.
void SoftmaxRowF32(SoftmaxKind kind, const float* x, float* y, int64_t n) {
  float mx = x[0];
  bool nan = false;
  for (int64_t i = 0; i < n; ++i) {
    nan = nan || x[i] != x[i];
    mx = x[i] > mx ? x[i] : mx;
  }
  if (nan) mx = std::numeric_limits<float>::quiet_NaN();
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] - mx;
  ExpF32(y, y, n);
  constexpr int kLanes = 16;
  float part[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) part[l] += y[i + l];
  float sum = 0;
  for (float v : part) sum += v;
  for (; i < n; ++i) sum += y[i];
  if (kind == SoftmaxKind::kSoftmax) {
    const float scale = 1.0f / sum;
    for (int64_t j = 0; j < n; ++j) y[j] *= scale;
  } else {
    const float log_sum = std::log(sum);
    for (int64_t j = 0; j < n; ++j) y[j] = (x[j] - mx) - log_sum;
  }
}

template <typename T>
void SoftmaxRow(SoftmaxKind kind, const T* x, T* y, int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    if (kind != SoftmaxKind::kHardmax && x != y) return SoftmaxRowF32(kind, x, y, n);
  }
  T mx = x[0];
  int64_t arg = 0;
  for (int64_t i = 1; i < n; ++i)
    if (x[i] > mx || std::isnan(x[i])) mx = x[i], arg = i;
  if (kind == SoftmaxKind::kHardmax) {
    for (int64_t i = 0; i < n; ++i) y[i] = T(i == arg);
    return;
  }
  T sum = 0;
  if (kind == SoftmaxKind::kSoftmax) {
    for (int64_t i = 0; i < n; ++i) sum += (y[i] = std::exp(x[i] - mx));
    T scale = T(1) / sum;
    for (int64_t i = 0; i < n; ++i) y[i] *= scale;
  } else {
    for (int64_t i = 0; i < n; ++i) sum += std::exp(x[i] - mx);
    T log_sum = std::log(sum);
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mx) - log_sum;
  }
}

template <typename T>
void Softmax(SoftmaxKind kind, const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  if (n == 0) return;
  if (inner == 1) {
    ParallelFor(outer, std::max<int64_t>(1, (1 << 12) / n), [&](int64_t s, int64_t e) {
      for (int64_t o = s; o < e; ++o) SoftmaxRow(kind, x + o * n, y + o * n, n);
    });
    return;
  }
  ForEachBlock(outer, n, inner, [&](int64_t o, int64_t c0, int64_t w) {
    const T* xb = x + o * n * inner + c0;
    T* yb = y + o * n * inner + c0;
    T mx[kBlock], sum[kBlock];
    int64_t arg[kBlock];
    for (int64_t j = 0; j < w; ++j) mx[j] = xb[j], sum[j] = T(0), arg[j] = 0;
    for (int64_t r = 1; r < n; ++r) {
      const T* xr = xb + r * inner;
      for (int64_t j = 0; j < w; ++j) {
        bool more = xr[j] > mx[j] || std::isnan(xr[j]);
        mx[j] = more ? xr[j] : mx[j];
        arg[j] = more ? r : arg[j];
      }
    }
    if (kind == SoftmaxKind::kHardmax) {
      for (int64_t r = 0; r < n; ++r)
        for (int64_t j = 0; j < w; ++j) yb[r * inner + j] = T(arg[j] == r);
      return;
    }
    for (int64_t r = 0; r < n; ++r) {
      const T* xr = xb + r * inner;
      T* yr = yb + r * inner;
      for (int64_t j = 0; j < w; ++j) {
        T e = std::exp(xr[j] - mx[j]);
        sum[j] += e;
        if (kind == SoftmaxKind::kSoftmax) yr[j] = e;
      }
    }
    if (kind == SoftmaxKind::kSoftmax) {
      for (int64_t j = 0; j < w; ++j) sum[j] = T(1) / sum[j];
      for (int64_t r = 0; r < n; ++r)
        for (int64_t j = 0; j < w; ++j) yb[r * inner + j] *= sum[j];
    } else {
      for (int64_t j = 0; j < w; ++j) sum[j] = std::log(sum[j]);
      for (int64_t r = 0; r < n; ++r)
        for (int64_t j = 0; j < w; ++j) yb[r * inner + j] = (xb[r * inner + j] - mx[j]) - sum[j];
    }
  });
}

template <typename T>
void ArgExtreme(bool is_max, bool last, const T* x, int64_t* y, int64_t outer, int64_t n,
                int64_t inner) {
  if (n == 0) return;
  if (inner == 1) {  // contiguous rows
    ParallelFor(outer, std::max<int64_t>(1, (1 << 14) / n), [&](int64_t s, int64_t e) {
      for (int64_t o = s; o < e; ++o) {
        const T* xr = x + o * n;
        T best = xr[0];
        int64_t arg = 0;
        for (int64_t r = 1; r < n; ++r) {
          T v = xr[r];
          if (is_max ? (last ? v >= best : v > best) : (last ? v <= best : v < best))
            best = v, arg = r;
        }
        y[o] = arg;
      }
    });
    return;
  }
  ForEachBlock(outer, n, inner, [&](int64_t o, int64_t c0, int64_t w) {
    const T* xb = x + o * n * inner + c0;
    int64_t* yb = y + o * inner + c0;  // the result drops the axis: [outer, inner]
    T best[kBlock];
    for (int64_t j = 0; j < w; ++j) best[j] = xb[j], yb[j] = 0;
    for (int64_t r = 1; r < n; ++r) {
      const T* xr = xb + r * inner;
      for (int64_t j = 0; j < w; ++j) {
        T v = xr[j];
        bool better =
            is_max ? (last ? v >= best[j] : v > best[j]) : (last ? v <= best[j] : v < best[j]);
        best[j] = better ? v : best[j];
        yb[j] = better ? r : yb[j];
      }
    }
  });
}

template <typename T>
void CumSum(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool exclusive,
            bool reverse) {
  if (inner == 1) {  // contiguous rows
    ParallelFor(outer, std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(n, 1)),
                [&](int64_t s, int64_t e) {
                  for (int64_t o = s; o < e; ++o) {
                    const T* xr = x + o * n;
                    T* yr = y + o * n;
                    T acc = T(0);
                    for (int64_t k = 0; k < n; ++k) {
                      int64_t i = reverse ? n - 1 - k : k;
                      T v = xr[i];
                      yr[i] = exclusive ? acc : WrapAdd(acc, v);
                      acc = WrapAdd(acc, v);
                    }
                  }
                });
    return;
  }
  ForEachBlock(outer, n, inner, [&](int64_t o, int64_t c0, int64_t w) {
    int64_t base = o * n * inner + c0;
    T acc[kBlock];
    for (int64_t j = 0; j < w; ++j) acc[j] = T(0);
    for (int64_t k = 0; k < n; ++k) {
      int64_t off = base + (reverse ? n - 1 - k : k) * inner;
      for (int64_t j = 0; j < w; ++j) {
        T v = x[off + j];
        if (exclusive) {
          y[off + j] = acc[j];
          acc[j] = WrapAdd(acc[j], v);
        } else {
          acc[j] = WrapAdd(acc[j], v);
          y[off + j] = acc[j];
        }
      }
    }
  });
}

template void Softmax<float>(SoftmaxKind, const float*, float*, int64_t, int64_t, int64_t);
template void Softmax<double>(SoftmaxKind, const double*, double*, int64_t, int64_t, int64_t);

#define ODLA_AXIS_TYPE(T)                                                                 \
  template void ArgExtreme<T>(bool, bool, const T*, int64_t*, int64_t, int64_t, int64_t); \
  template void CumSum<T>(const T*, T*, int64_t, int64_t, int64_t, bool, bool);
ODLA_AXIS_TYPE(float)
ODLA_AXIS_TYPE(double)
ODLA_AXIS_TYPE(int8_t)
ODLA_AXIS_TYPE(uint8_t)
ODLA_AXIS_TYPE(int16_t)
ODLA_AXIS_TYPE(uint16_t)
ODLA_AXIS_TYPE(int32_t)
ODLA_AXIS_TYPE(uint32_t)
ODLA_AXIS_TYPE(int64_t)
ODLA_AXIS_TYPE(uint64_t)
#undef ODLA_AXIS_TYPE

}  // namespace odla_rt
