// Quantization kernels: linear (de)quantization per tensor or per axis, dynamic uint8
// quantization, and the integer matrix product and convolution (int32 accumulation) with an
// optional requantization of the result.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "../common/runtime.h"
#include "conv.h"
#include "fixed_point.h"
#include "gemm.h"

namespace odla_rt {

// x viewed as [outer, len, inner]; scale and zero point (may be null: 0) have `len` entries
// (1 for per-tensor quantization, with inner spanning everything). `away`: halves round away
// from zero.
template <typename X, typename Q>
void QuantizeLinear(int64_t outer, int64_t len, int64_t inner, const X* x, const float* scale,
                    const Q* zp, Q* y, bool away = false) {
  ParallelFor(outer * len, std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1)),
              [&](int64_t s, int64_t e) {
                for (int64_t p = s; p < e; ++p) {
                  int64_t c = p % len;
                  float sc = scale[c];
                  int32_t z = zp ? static_cast<int32_t>(zp[c]) : 0;
                  for (int64_t i = p * inner; i < (p + 1) * inner; ++i)
                    y[i] = RoundToQ<Q>(static_cast<float>(x[i]) / sc, z, away);
                }
              });
}

template <typename X>
void DequantizeLinear(int64_t outer, int64_t len, int64_t inner, const X* x, const float* scale,
                      const X* zp, float* y) {
  ParallelFor(outer * len, std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1)),
              [&](int64_t s, int64_t e) {
                for (int64_t p = s; p < e; ++p) {
                  int64_t c = p % len;
                  float sc = scale[c];
                  int64_t z = zp ? static_cast<int64_t>(zp[c]) : 0;
                  for (int64_t i = p * inner; i < (p + 1) * inner; ++i)
                    y[i] = static_cast<float>(static_cast<int64_t>(x[i]) - z) * sc;
                }
              });
}

// uint8 quantization over the range of x widened to include 0.
void DynamicQuantizeLinear(int64_t n, const float* x, uint8_t* y, float* scale, uint8_t* zp);

// y (int32) = (a - azp) x (b - bzp); azp: null, 1 value or m (per row); bzp: null, 1 or n
// (per column).
template <typename A, typename B>
void MatMulInt32(const MatMulBatches& p, const A* a, const A* azp, int64_t azp_n, const B* b,
                 const B* bzp, int64_t bzp_n, int32_t* y) {
  int64_t asz = p.aoff.empty() ? 0 : *std::max_element(p.aoff.begin(), p.aoff.end()) + p.m * p.k;
  int64_t bsz = p.boff.empty() ? 0 : *std::max_element(p.boff.begin(), p.boff.end()) + p.k * p.n;
  std::vector<int32_t> a32(asz), b32(bsz);
  for (int64_t i = 0; i < asz; ++i) {
    int64_t row = i / p.k % p.m;
    a32[i] =
        static_cast<int32_t>(a[i]) - (azp ? static_cast<int32_t>(azp[azp_n == 1 ? 0 : row]) : 0);
  }
  for (int64_t i = 0; i < bsz; ++i) {
    int64_t col = i % p.n;
    b32[i] =
        static_cast<int32_t>(b[i]) - (bzp ? static_cast<int32_t>(bzp[bzp_n == 1 ? 0 : col]) : 0);
  }
  for (int64_t s = 0; s < p.nb; ++s)
    GemmLoop<int32_t>(false, false, p.m, p.n, p.k, 1, a32.data() + p.aoff[s], p.k,
                      b32.data() + p.boff[s], p.n, 0, y + s * p.m * p.n, p.n);
}

// x (int32) - zp over `n` values, zp per block of `block` values cycling over zp_n entries.
template <typename T>
std::vector<int32_t> Widen(const T* x, int64_t n, const T* zp, int64_t zp_n, int64_t block) {
  std::vector<int32_t> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = static_cast<int32_t>(x[i]) -
           (zp ? static_cast<int32_t>(zp[zp_n == 1 ? 0 : i / block % zp_n]) : 0);
  return v;
}

// y (int32) = conv(x - xzp, w - wzp) + bias; xzp: null or 1 value, wzp: null, 1 or m values.
template <typename X, typename W>
void ConvInt32(const ConvShape& s, const X* x, const X* xzp, const W* w, const W* wzp,
               int64_t wzp_n, const int32_t* bias, int32_t* y) {
  int64_t ks = s.w.KSize() * (s.c / s.group);
  auto x32 = Widen(x, s.n * s.c * s.w.InSize(), xzp, 1, 1);
  auto w32 = Widen(w, s.m * ks, wzp, wzp_n, ks);
  ConvLoop<int32_t>(s, x32.data(), w32.data(), bias, y);
}

// y = saturate(round(acc * scale[c]) + zp) over acc [outer, channels, inner], scale per
// channel (1 entry: shared).
template <typename Q>
void Requantize(int64_t outer, int64_t channels, int64_t inner, const int32_t* acc,
                const std::vector<float>& scale, int32_t zp, Q* y) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      float sc = scale[scale.size() == 1 ? 0 : c];
      int64_t base = (o * channels + c) * inner;
      for (int64_t i = base; i < base + inner; ++i)
        y[i] = RoundToQ<Q>(static_cast<float>(acc[i]) * sc, zp);
    }
}

}  // namespace odla_rt
