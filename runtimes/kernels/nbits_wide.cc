// MatMulNBits for many rows of A. For each pass over up to kRows rows, A is packed
// transposed (K x rows); each task takes a range of weight rows (columns of the result) and
// dequantizes them a panel of K at a time (PanelLength) into float32 rows in their own layout. A
// register-blocked kernel then runs its vector lanes over rows of A and broadcasts each
// weight, so the panels need no transposition and each weight is dequantized once a pass.
// 4-bit weights in 32-value chunks are dequantized with SIMD into a permuted order (each
// chunk's low nibbles, then its high ones, W bytes at a time); A is packed in that order.
// Other weights, and a tail of K shorter than a chunk, keep their own order.
#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "nbits_simd.h"

namespace odla_rt {
namespace {

constexpr int64_t kRows = 256;  // rows of A per pass
// Panels are as long as K, up to kMaxPanel values, and while A's part (panel x rows) has at
// most kAtFloats values: each weight row is then read in long runs, which the hardware
// prefetches (the down matrix of bench/nbits.py's model, K 5632, weights read from memory,
// 16 rows: 2.6 to 2.8 ms against 3.9 in panels of 512).
constexpr int64_t kMaxPanel = 8192, kAtFloats = 1 << 18;
// Panel rows are kPad floats longer than the panel: at a power-of-2 stride the rows that the
// micro-kernel reads together fall into the same cache sets (K 2048: 3.3 ms, padded 2.7).
constexpr int64_t kPad = 16;

// One pass: rows [i0, i0 + rows) of A packed into at [K][mp] (mp: rows rounded up to the
// lanes, padding zero).
struct Pass {
  const NBitsWeights* w;
  const float* at;
  int64_t i0, rows, mp, kc;  // kc: values of K per panel
  float* y;
};

// Values of K per panel for passes of mp rows: K in equal panels (multiples of 32) within
// the limits above.
int64_t PanelLength(int64_t k, int64_t mp) {
  const int64_t limit = std::max<int64_t>(512, std::min(kMaxPanel, kAtFloats / mp));
  const int64_t panels = (k + limit - 1) / limit;
  return std::min(k, ((k + panels - 1) / panels + 31) / 32 * 32);
}

// Where value o of a dequantized 32-value chunk comes from in the chunk, for W lanes.
int64_t ChunkOrder(int w, int64_t o) {
  const int64_t h = o / (2 * w) * w, high = o % (2 * w) / w, j = o % w;
  return 2 * (h + j) + high;
}

// Values [k0, k0 + len) of weight row `row`, dequantized to dst in the pass's order.
template <int W>
NBITS_INLINE void Panel(const NBitsWeights& w, int64_t row, int64_t k0, int64_t len, float* dst) {
  using L = Lanes<W>;
  int64_t kk = k0;
  if (Simd4(w)) {
    const int64_t nb = w.blocks(), zp_row = (nb + 1) / 2, blob = w.block / 2;
    const int64_t end = std::min(k0 + len, w.k / 32 * 32);
    for (int64_t b = kk / w.block; kk + 32 <= end; ++b) {
      const float z = Zero4(w, row, b, nb, zp_row), s = w.scales[row * nb + b];
      const uint8_t* q = w.q + (row * nb + b) * blob - b * w.block / 2;
      for (const int64_t stop = std::min(end, (b + 1) * w.block); kk + 32 <= stop; kk += 32) {
        float* d = dst + (kk - k0);
        for (int h = 0; h < 16; h += W) {
          typename L::U8 bytes;
          std::memcpy(&bytes, q + kk / 2 + h, W);
          typename L::U8 lo = bytes & 15, hi = bytes >> 4;
          const typename L::F32 fl = NBITS_DEQUANTIZED(L, lo, z, s);
          const typename L::F32 fh = NBITS_DEQUANTIZED(L, hi, z, s);
          std::memcpy(d + 2 * h, &fl, sizeof(fl));
          std::memcpy(d + 2 * h + W, &fh, sizeof(fh));
        }
      }
    }
  }
  if (kk < k0 + len) w.Dequantize(row, kk, k0 + len - kk, dst + (kk - k0), 1);
}

// ct [C][mp] += at (kc x mp, R vectors of rows from at) x wd (C panel rows of kc values,
// row c at wd + c * ldw)^T, for the R vectors of rows.
template <typename F, int R, int C>
NBITS_INLINE void Micro(int64_t kc, const float* at, int64_t mp, const float* wd, int64_t ldw,
                        float* ct) {
  constexpr int64_t kLanes = sizeof(F) / sizeof(float);
  F acc[C][R];
#pragma GCC unroll 16
  for (int c = 0; c < C; ++c)
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) std::memcpy(&acc[c][r], ct + c * mp + r * kLanes, sizeof(F));
  for (int64_t k = 0; k < kc; ++k) {
    F a[R];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) std::memcpy(&a[r], at + k * mp + r * kLanes, sizeof(F));
#pragma GCC unroll 16
    for (int c = 0; c < C; ++c) {
      const float x = wd[c * ldw + k];
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) acc[c][r] += a[r] * x;
    }
  }
#pragma GCC unroll 16
  for (int c = 0; c < C; ++c)
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) std::memcpy(ct + c * mp + r * kLanes, &acc[c][r], sizeof(F));
}

// Columns [c0, c1) of the pass's result: R x C blocks of (vectors of rows) x columns, the
// edges one by one.
template <int W, int R, int C>
NBITS_INLINE void Columns(const Pass& p, int64_t c0, int64_t c1) {
  using F = typename Lanes<W>::F32;
  const NBitsWeights& w = *p.w;
  const int64_t nc = c1 - c0, groups = p.mp / W;
  thread_local std::vector<float> wd_buf, ct_buf;
  const int64_t ldw = p.kc + kPad;
  wd_buf.resize(static_cast<size_t>(nc * ldw));
  ct_buf.assign(static_cast<size_t>(nc * p.mp), 0.0f);
  float *wd = wd_buf.data(), *ct = ct_buf.data();
  for (int64_t k0 = 0; k0 < w.k; k0 += p.kc) {
    const int64_t kc = std::min(p.kc, w.k - k0);
    for (int64_t c = 0; c < nc; ++c) Panel<W>(w, c0 + c, k0, kc, wd + c * ldw);
    const float* at = p.at + k0 * p.mp;
    for (int64_t cg = 0; cg < nc; cg += C) {
      const int64_t cols = std::min<int64_t>(C, nc - cg);
      for (int64_t g = 0; g < groups; g += R) {
        const int64_t vecs = std::min<int64_t>(R, groups - g);
        float* t = ct + cg * p.mp + g * W;
        const float* a = at + g * W;
        if (cols == C && vecs == R) {
          Micro<F, R, C>(kc, a, p.mp, wd + cg * ldw, ldw, t);
        } else if (cols == C) {
          for (int64_t v = 0; v < vecs; ++v)
            Micro<F, 1, C>(kc, a + v * W, p.mp, wd + cg * ldw, ldw, t + v * W);
        } else {
          for (int64_t c = 0; c < cols; ++c)
            for (int64_t v = 0; v < vecs; ++v)
              Micro<F, 1, 1>(kc, a + v * W, p.mp, wd + (cg + c) * ldw, ldw, t + c * p.mp + v * W);
        }
      }
    }
  }
  for (int64_t r = 0; r < p.rows; ++r) {
    float* yr = p.y + (p.i0 + r) * w.n;
    for (int64_t c = 0; c < nc; ++c) yr[c0 + c] = ct[c * p.mp + r];
  }
}

struct WideKernel {
  void (*columns)(const Pass&, int64_t, int64_t);
  int lanes, cols;  // W; C, the columns of a register block
};

#define NBITS_WIDE_ISA(NAME, W, R, C, TARGET) \
  TARGET void NAME(const Pass& p, int64_t c0, int64_t c1) { Columns<W, R, C>(p, c0, c1); }
NBITS_WIDE_ISA(GenericWide, 4, 2, 6, )
#ifdef ODLA_KERNEL_ISAS
NBITS_WIDE_ISA(Avx2Wide, 8, 2, 6, __attribute__((target("avx2,fma"))))
NBITS_WIDE_ISA(Avx512Wide, 16, 2, 12, __attribute__((target("avx512f"))))
#endif

}  // namespace

void MatMulNBitsWide(int64_t m, const float* a, const NBitsWeights& w, float* y) {
  static const WideKernel kernel =
      ODLA_BY_ISA((WideKernel{GenericWide, 4, 6}), (WideKernel{Avx2Wide, 8, 6}),
                  (WideKernel{Avx512Wide, 16, 12}));
  const int64_t k = w.k, n = w.n, full = Simd4(w) ? k / 32 * 32 : 0;
  // Where value kp of A's packed order comes from.
  std::vector<int64_t> order(static_cast<size_t>(k));
  for (int64_t kp = 0; kp < k; ++kp)
    order[kp] = kp < full ? kp / 32 * 32 + ChunkOrder(kernel.lanes, kp % 32) : kp;
  int64_t nc = kernel.cols * 4;
  while (nc > kernel.cols && (n + nc - 1) / nc < 4 * NumThreads()) nc -= kernel.cols;
  std::vector<float> at;
  for (int64_t i0 = 0; i0 < m; i0 += kRows) {
    const int64_t rows = std::min(kRows, m - i0);
    const int64_t mp = (rows + kernel.lanes - 1) / kernel.lanes * kernel.lanes;
    at.resize(static_cast<size_t>(k * mp));
    ParallelFor(k, 256, [&](int64_t s, int64_t e) {
      for (int64_t kp = s; kp < e; ++kp) {
        float* row = at.data() + kp * mp;
        for (int64_t r = 0; r < rows; ++r) row[r] = a[(i0 + r) * k + order[kp]];
        std::fill(row + rows, row + mp, 0.0f);
      }
    });
    const Pass p{&w, at.data(), i0, rows, mp, PanelLength(k, mp), y};
    ParallelFor((n + nc - 1) / nc, 1, [&](int64_t s, int64_t e) {
      for (int64_t t = s; t < e; ++t) kernel.columns(p, t * nc, std::min(n, (t + 1) * nc));
    });
  }
}

}  // namespace odla_rt
