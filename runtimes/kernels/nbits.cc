// MatMulNBits: a few rows of A (a decoding step) take dot products with each weight row,
// dequantized once per call; more rows go through the packed GEMM, whose B panels are
// dequantized as they are packed.
#include "nbits.h"

#include <algorithm>
#include <vector>

#include "../common/runtime.h"
#include "gemm.h"

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

// The weights as the right-hand K x N operand of SgemmWith.
class NBitsB : public GemmB {
 public:
  explicit NBitsB(const NBitsWeights& w) : w_(w) {}
  void Pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr, float* dst) const override {
    for (int64_t jp = 0; jp < nc; jp += nr) {
      const int64_t cols = std::min<int64_t>(nr, nc - jp);
      float* d = dst + jp * kc;
      for (int64_t c = 0; c < cols; ++c) w_.Dequantize(j0 + jp + c, k0, kc, d + c, nr);
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t c = cols; c < nr; ++c) d[p * nr + c] = 0;
    }
  }

 private:
  const NBitsWeights& w_;
};

}  // namespace

void NBitsWeights::Dequantize(int64_t row, int64_t k0, int64_t len, float* dst,
                              int64_t stride) const {
  const int64_t nb = blocks(), blob = block * bits / 8, end = k0 + len;
  const int64_t zp_row = (nb * bits + 7) / 8, per_byte = 8 / bits;
  for (int64_t kk = k0; kk < end;) {
    const int64_t b = kk / block, stop = std::min(end, (b + 1) * block);
    const float scale = scales[row * nb + b];
    float zero = static_cast<float>(1 << (bits - 1));
    if (zp_float) {
      zero = zp_float[row * nb + b];
    } else if (zp_packed) {
      const uint8_t byte = zp_packed[row * zp_row + b / per_byte];
      zero = static_cast<float>((byte >> ((b % per_byte) * bits)) & ((1 << bits) - 1));
    }
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
  if (m >= 4) {
    SgemmWith(false, m, n, k, 1.0f, a, k, NBitsB(w), 0.0f, y, n);
    return;
  }
  ParallelFor(n, std::max<int64_t>(16, 16384 / std::max<int64_t>(1, k)), [&](int64_t s, int64_t e) {
    std::vector<float> row(static_cast<size_t>(k));
    for (int64_t col = s; col < e; ++col) {
      w.Dequantize(col, 0, k, row.data(), 1);
      for (int64_t i = 0; i < m; ++i) y[i * n + col] = Dot(a + i * k, row.data(), k);
    }
  });
}

}  // namespace odla_rt
