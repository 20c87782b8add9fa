// MatMulNBits. 4-bit weights in blocks of a multiple of 32, below kDotRows rows of A
// (decoding steps): dot products that read the packed bytes with SIMD (AVX2 / AVX-512 chosen
// at run time, as the GEMM's). Other weights below 4 rows: each weight row dequantized, then
// dot products. Everything else: MatMulNBitsWide (nbits_wide.cc).
#include "nbits.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "../common/runtime.h"
#include "gemm.h"
#include "nbits_simd.h"

namespace odla_rt {
namespace {

template <int kBits>
void DequantizeBlock(const uint8_t* data, int64_t i0, int64_t i1, float zero, float scale,
                     float* dst, int64_t stride) {
  constexpr int kPerByte = 8 / kBits, kMask = (1 << kBits) - 1;
  for (int64_t i = i0; i < i1; ++i, dst += stride) {
    const int q = (data[i / kPerByte] >> ((i % kPerByte) * kBits)) & kMask;
    *dst = (static_cast<float>(q) - zero) * scale;
  }
}

// The zero point of block b of row `row`.
float ZeroOf(const NBitsWeights& w, int64_t row, int64_t b) {
  if (w.zp_float) return w.zp_float[row * w.blocks() + b];
  if (!w.zp_packed) return static_cast<float>(1 << (w.bits - 1));
  const int64_t per_byte = 8 / w.bits, zp_row = (w.blocks() * w.bits + 7) / 8;
  const uint8_t byte = w.zp_packed[row * zp_row + b / per_byte];
  return static_cast<float>((byte >> ((b % per_byte) * w.bits)) & ((1 << w.bits) - 1));
}

// One row of A for 4-bit weights in blocks of 32 * c values: in each 32-value chunk, the
// values at even positions (they meet the low nibbles of the chunk's 16 bytes) and at odd
// ones (the high nibbles); zeros past K.
struct SplitRow {
  std::vector<float> even, odd;
  SplitRow(const float* a, const NBitsWeights& w)
      : even(w.blocks() * w.block / 2), odd(even.size()) {
    for (int64_t i = 0; i < w.k; ++i) (i % 2 ? odd : even)[i / 2] = a[i];
  }
};

// Rows col .. col + C - 1 of the weights times R rows of A: W bytes at a time, dequantized
// once for the R rows; each chunk of A loaded once for the C columns. Result (r, j) goes to
// y[r * ldy + j].
template <int W, int C, int R>
NBITS_INLINE void Dot4(const NBitsWeights& w, int64_t col, const SplitRow* rows, int64_t nb,
                       float* y, int64_t ldy) {
  using L = Lanes<W>;
  using F = typename L::F32;
  const int64_t blob = w.block / 2, zp_row = (nb + 1) / 2;
  F acc[C][R] = {};
  for (int64_t b = 0; b < nb; ++b) {
    float s[C], z[C];
    for (int j = 0; j < C; ++j) {
      const int64_t at = (col + j) * nb + b;
      s[j] = w.scales[at];
      z[j] = Zero4(w, col + j, b, nb, zp_row);
    }
    for (int64_t c = b * blob; c < (b + 1) * blob; c += W) {
      F fl[C], fh[C];
#pragma GCC unroll 8
      for (int j = 0; j < C; ++j) {
        typename L::U8 bytes;
        std::memcpy(&bytes, w.q + (col + j) * nb * blob + c, W);
        typename L::U8 lo = bytes & 15, hi = bytes >> 4;
        fl[j] = NBITS_DEQUANTIZED(L, lo, z[j], s[j]);
        fh[j] = NBITS_DEQUANTIZED(L, hi, z[j], s[j]);
      }
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        F e, o;
        std::memcpy(&e, rows[r].even.data() + c, 4 * W);
        std::memcpy(&o, rows[r].odd.data() + c, 4 * W);
#pragma GCC unroll 8
        for (int j = 0; j < C; ++j) {
          acc[j][r] += e * fl[j];
          acc[j][r] += o * fh[j];
        }
      }
    }
  }
  for (int j = 0; j < C; ++j)
    for (int r = 0; r < R; ++r) {
      float sum = 0;
      for (int l = 0; l < W; ++l) sum += acc[j][r][l];
      y[r * ldy + j] = sum;
    }
}

// Columns [c0, c1) of the products of m rows of A (y [m, ldy]): blocks of C columns by R
// rows (as many accumulators as the instruction set has registers for), one by one for fewer
// than R rows (a decoding step).
template <int W, int C, int R>
NBITS_INLINE void Columns4(const NBitsWeights& w, const SplitRow* rows, int64_t m, int64_t c0,
                           int64_t c1, float* y, int64_t ldy) {
  const int64_t nb = w.blocks();
  int64_t c = c0;
  if (m >= R)
    for (; c + C <= c1; c += C) {
      int64_t i = 0;
      for (; i + R <= m; i += R) Dot4<W, C, R>(w, c, rows + i, nb, y + i * ldy + c, ldy);
      for (; i < m; ++i) Dot4<W, C, 1>(w, c, rows + i, nb, y + i * ldy + c, ldy);
    }
  for (; c < c1; ++c)
    for (int64_t i = 0; i < m; ++i) Dot4<W, 1, 1>(w, c, rows + i, nb, y + i * ldy + c, ldy);
}

// The 4-bit kernels of one instruction set.
using Columns4Fn = void (*)(const NBitsWeights&, const SplitRow*, int64_t, int64_t, int64_t, float*,
                            int64_t);

#define NBITS_ISA(NAME, W, C, R, TARGET)                                                        \
  TARGET void NAME##Columns(const NBitsWeights& w, const SplitRow* rows, int64_t m, int64_t c0, \
                            int64_t c1, float* y, int64_t ldy) {                                \
    Columns4<W, C, R>(w, rows, m, c0, c1, y, ldy);                                              \
  }
NBITS_ISA(Generic, 4, 1, 4, )
#ifdef ODLA_KERNEL_ISAS
NBITS_ISA(Avx2, 8, 1, 4, __attribute__((target("avx2,fma"))))
NBITS_ISA(Avx512, 16, 4, 4, __attribute__((target("avx512f"))))
#endif

// Products of fewer rows take dot products with the packed weights; more, MatMulNBitsWide.
// bench/nbits.py's three matrices of an FFN block, weights read from memory, two AVX-512
// cores: at 12 rows the two cost the same (8.3 ms a block), at 16 the wide kernel takes
// 2.6 to 2.8 ms a matrix against 3.0 to 3.5.
constexpr int64_t kDotRows = 16;

}  // namespace

void NBitsWeights::Dequantize(int64_t row, int64_t k0, int64_t len, float* dst,
                              int64_t stride) const {
  const int64_t nb = blocks(), blob = block * bits / 8, end = k0 + len;
  for (int64_t kk = k0; kk < end;) {
    const int64_t b = kk / block, stop = std::min(end, (b + 1) * block);
    const float scale = scales[row * nb + b], zero = ZeroOf(*this, row, b);
    const uint8_t* data = q + (row * nb + b) * blob;
    const int64_t i0 = kk - b * block, i1 = stop - b * block;
    if (bits == 4)
      DequantizeBlock<4>(data, i0, i1, zero, scale, dst, stride);
    else if (bits == 2)
      DequantizeBlock<2>(data, i0, i1, zero, scale, dst, stride);
    else
      DequantizeBlock<8>(data, i0, i1, zero, scale, dst, stride);
    dst += (stop - kk) * stride;
    kk = stop;
  }
}

NBitsWeights PlanNBits(odla_value A, odla_value B, odla_value scales, odla_value zero_points,
                       int64_t bits, int64_t block, const odla_value_type& result_type) {
  CheckInput(A, "A");
  CheckInput(B, "B");
  CheckInput(scales, "scales");
  if (bits != 2 && bits != 4 && bits != 8) Fail("bits must be 2, 4 or 8, got ", bits);
  if (block < 16 || (block & (block - 1)) != 0)
    Fail("block_size must be a power of 2 from 16 up, got ", block);
  std::vector<int64_t> a = Dims(A->type.shape), b = Dims(B->type.shape);
  if (A->type.element_type != ODLA_FLOAT32 || a.empty()) Fail("A must be float32 [..., K]");
  NBitsWeights w{nullptr, nullptr, nullptr, nullptr, 0, a.back(), bits, block};
  if (B->type.element_type != ODLA_UINT8 || b.size() != 3 || b[1] != w.blocks() ||
      b[2] != block * bits / 8)
    Fail("B must be uint8 [N, ", w.blocks(), ", ", block * bits / 8, "]");
  w.n = b[0];
  if (scales->type.element_type != ODLA_FLOAT32 ||
      NumElements(scales->type.shape) != w.n * w.blocks())
    Fail("scales must be float32 with ", w.n * w.blocks(), " values");
  if (zero_points) {
    const int64_t count = NumElements(zero_points->type.shape);
    const odla_element_type t = zero_points->type.element_type;
    if (!(t == ODLA_UINT8 && count == w.n * ((w.blocks() * bits + 7) / 8)) &&
        !(t == ODLA_FLOAT32 && count == w.n * w.blocks()))
      Fail("zero_points must be packed uint8 or float32, one per block");
  }
  a.back() = w.n;
  if (result_type.element_type != ODLA_FLOAT32 || Dims(result_type.shape) != a)
    Fail("result type ", TypeToString(result_type), " is wrong");
  return w;
}

void MatMulNBits(int64_t m, const float* a, const NBitsWeights& w, float* y) {
  const int64_t n = w.n, k = w.k;
  if (m <= 0 || n <= 0) return;
  const int64_t grain = std::max<int64_t>(16, 16384 / std::max<int64_t>(1, k));
  if (Simd4(w) && m < kDotRows) {
    // The dot-product kernel of the GEMM's instruction set.
    static const Columns4Fn columns = ODLA_BY_ISA(GenericColumns, Avx2Columns, Avx512Columns);
    std::vector<SplitRow> rows;
    for (int64_t i = 0; i < m; ++i) rows.emplace_back(a + i * k, w);
    ParallelFor(n, grain, [&](int64_t s, int64_t e) { columns(w, rows.data(), m, s, e, y, n); });
    return;
  }
  if (m >= 4) {
    MatMulNBitsWide(m, a, w, y);
    return;
  }
  ParallelFor(n, grain, [&](int64_t s, int64_t e) {
    std::vector<float> row(static_cast<size_t>(k));
    for (int64_t col = s; col < e; ++col) {
      w.Dequantize(col, 0, k, row.data(), 1);
      for (int64_t i = 0; i < m; ++i) y[i * n + col] = Dot(a + i * k, row.data(), k);
    }
  });
}

}  // namespace odla_rt
