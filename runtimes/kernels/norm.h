// Normalisation kernels (float types; statistics accumulate in double).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "../common/runtime.h"

namespace odla_rt {

// y = (x - mean[c]) * scale[c] / sqrt(var[c] + eps) + b[c] over x [n, c, inner].
template <typename T>
void BatchNorm(int64_t n, int64_t c, int64_t inner, const T* x, const T* scale, const T* b,
               const T* mean, const T* var, double eps, T* y) {
  std::vector<T> mul(c), add(c);
  for (int64_t i = 0; i < c; ++i) {
    double m = scale[i] / std::sqrt(static_cast<double>(var[i]) + eps);
    mul[i] = static_cast<T>(m);
    add[i] = static_cast<T>(b[i] - mean[i] * m);
  }
  ParallelFor(n * c, std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1)),
              [&](int64_t s, int64_t e) {
                for (int64_t p = s; p < e; ++p) {
                  T mv = mul[p % c], av = add[p % c];
                  const T* xp = x + p * inner;
                  T* yp = y + p * inner;
                  for (int64_t i = 0; i < inner; ++i) yp[i] = xp[i] * mv + av;
                }
              });
}

// Training-mode batch normalisation of x [n, c, inner]: y normalises with the batch's
// mean and biased variance per channel; running_mean / running_var (may be null) get
// input * momentum + batch statistic * (1 - momentum).
template <typename T>
void BatchNormTraining(int64_t n, int64_t c, int64_t inner, const T* x, const T* scale, const T* b,
                       const T* mean, const T* var, double eps, double momentum, T* y,
                       T* running_mean, T* running_var) {
  int64_t count = n * inner;
  ParallelFor(c, std::max<int64_t>(1, 16384 / std::max<int64_t>(count, 1)),
              [&](int64_t s, int64_t e) {
                for (int64_t ch = s; ch < e; ++ch) {
                  double sum = 0, sq = 0;
                  for (int64_t i = 0; i < n; ++i)
                    for (const T *p = x + (i * c + ch) * inner, *end = p + inner; p < end; ++p)
                      sum += *p;
                  double m = count ? sum / static_cast<double>(count) : 0.0;
                  for (int64_t i = 0; i < n; ++i)
                    for (const T *p = x + (i * c + ch) * inner, *end = p + inner; p < end; ++p)
                      sq += (*p - m) * (*p - m);
                  double v = count ? sq / static_cast<double>(count) : 0.0;
                  double mul = scale[ch] / std::sqrt(v + eps), add = b[ch] - m * mul;
                  for (int64_t i = 0; i < n; ++i) {
                    const T* xp = x + (i * c + ch) * inner;
                    T* yp = y + (i * c + ch) * inner;
                    for (int64_t j = 0; j < inner; ++j) yp[j] = static_cast<T>(xp[j] * mul + add);
                  }
                  if (running_mean)
                    running_mean[ch] = static_cast<T>(mean[ch] * momentum + m * (1 - momentum));
                  if (running_var)
                    running_var[ch] = static_cast<T>(var[ch] * momentum + v * (1 - momentum));
                }
              });
}

// Mean and 1 / sqrt(var + eps) of `len` values (two passes).
template <typename T>
void MeanInvStd(const T* x, int64_t len, double eps, double* mean, double* inv_std) {
  double s = 0;
  for (int64_t i = 0; i < len; ++i) s += x[i];
  double m = len ? s / static_cast<double>(len) : 0.0;
  double v = 0;
  for (int64_t i = 0; i < len; ++i) v += (x[i] - m) * (x[i] - m);
  *mean = m;
  *inv_std = 1.0 / std::sqrt((len ? v / static_cast<double>(len) : 0.0) + eps);
}

// Instance normalisation of x [n, c, inner].
template <typename T>
void InstanceNorm(int64_t n, int64_t c, int64_t inner, const T* x, const T* scale, const T* b,
                  double eps, T* y) {
  ParallelFor(n * c, std::max<int64_t>(1, 8192 / std::max<int64_t>(inner, 1)),
              [&](int64_t s, int64_t e) {
                for (int64_t p = s; p < e; ++p) {
                  const T* xp = x + p * inner;
                  T* yp = y + p * inner;
                  double mean, inv;
                  MeanInvStd(xp, inner, eps, &mean, &inv);
                  double mul = inv * scale[p % c], add = b[p % c] - mean * mul;
                  for (int64_t i = 0; i < inner; ++i) yp[i] = static_cast<T>(xp[i] * mul + add);
                }
              });
}

// Layer normalisation of x [rows, cols]; scale and bias (may be null) hold `cols` values,
// mean / inv_std (may be null) get one value per row.
template <typename T, typename S>
void LayerNorm(int64_t rows, int64_t cols, const T* x, const T* scale, const T* bias, double eps,
               T* y, S* mean_out, S* inv_out) {
  ParallelFor(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(cols, 1)),
              [&](int64_t s, int64_t e) {
                for (int64_t r = s; r < e; ++r) {
                  const T* xp = x + r * cols;
                  T* yp = y + r * cols;
                  double mean, inv;
                  MeanInvStd(xp, cols, eps, &mean, &inv);
                  for (int64_t i = 0; i < cols; ++i) {
                    double v = (xp[i] - mean) * inv * scale[i];
                    yp[i] = static_cast<T>(bias ? v + bias[i] : v);
                  }
                  if (mean_out) mean_out[r] = static_cast<S>(mean);
                  if (inv_out) inv_out[r] = static_cast<S>(inv);
                }
              });
}

// Local response normalisation across the channels of x [n, c, inner].
template <typename T>
void LRN(int64_t n, int64_t c, int64_t inner, const T* x, double alpha, double beta, double bias,
         int64_t size, T* y) {
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  ParallelFor(n * c, std::max<int64_t>(1, 4096 / std::max<int64_t>(inner * size, 1)),
              [&](int64_t s, int64_t e) {
                for (int64_t p = s; p < e; ++p) {
                  int64_t b = p / c, ch = p % c;
                  int64_t lo = std::max<int64_t>(0, ch - before), hi = std::min(c - 1, ch + after);
                  for (int64_t i = 0; i < inner; ++i) {
                    double sq = 0;
                    for (int64_t k = lo; k <= hi; ++k) {
                      double v = x[(b * c + k) * inner + i];
                      sq += v * v;
                    }
                    double d = std::pow(bias + alpha / static_cast<double>(size) * sq, beta);
                    y[p * inner + i] = static_cast<T>(x[p * inner + i] / d);
                  }
                }
              });
}

// Mean-variance normalisation over the axes marked in `reduced` (one flag per dim).
template <typename T>
void MeanVarianceNorm(const std::vector<int64_t>& shape, const std::vector<bool>& reduced,
                      const T* x, T* y) {
  int rank = static_cast<int>(shape.size());
  int64_t total = 1, groups = 1;
  for (int i = 0; i < rank; ++i) {
    total *= shape[i];
    if (!reduced[i]) groups *= shape[i];
  }
  // Group of each element: its index over the kept axes.
  std::vector<int64_t> gid(total);
  for (int64_t i = 0; i < total; ++i) {
    int64_t r = i, g = 0, mul = 1;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t k = r % shape[d];
      r /= shape[d];
      if (!reduced[d]) g += k * mul, mul *= shape[d];
    }
    gid[i] = g;
  }
  std::vector<double> sum(groups, 0.0), sq(groups, 0.0), cnt(groups, 0.0);
  for (int64_t i = 0; i < total; ++i) {
    sum[gid[i]] += x[i];
    sq[gid[i]] += static_cast<double>(x[i]) * x[i];
    cnt[gid[i]] += 1;
  }
  for (int64_t g = 0; g < groups; ++g) {
    double m = sum[g] / cnt[g];
    sum[g] = m;
    sq[g] = std::sqrt(std::max(0.0, sq[g] / cnt[g] - m * m)) + 1e-9;
  }
  for (int64_t i = 0; i < total; ++i) y[i] = static_cast<T>((x[i] - sum[gid[i]]) / sq[gid[i]]);
}

}  // namespace odla_rt
