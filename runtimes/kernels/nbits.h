// Products with block-quantized weights (MatMulNBits): the weights stay 2, 4 or 8-bit in
// memory and are dequantized a panel at a time, inside the product.
#pragma once

#include <cstdint>

#include "../common/runtime.h"

namespace odla_rt {

// N rows of K weights: value k of row n is (q - zero) * scale, q the `bits`-bit value
// packed from the low bits up at position k % block of block k / block of row n in `q`
// (uint8 [N, blocks, block * bits / 8]); scale and zero are that block's.
struct NBitsWeights {
  const uint8_t* q;
  const float* scales;       // [N, blocks]
  const uint8_t* zp_packed;  // [N, ceil(blocks * bits / 8)] packed as q, or null
  const float* zp_float;     // [N, blocks], or null; both null: 2^(bits - 1)
  int64_t n, k, bits, block;

  int64_t blocks() const { return (k + block - 1) / block; }
  // Values [k0, k0 + len) of row `row`, written to dst[0], dst[stride], ...
  void Dequantize(int64_t row, int64_t k0, int64_t len, float* dst, int64_t stride) const;
};

// Checks odla_MatMulNBits' operands and result type; the weights' sizes (pointers null).
NBitsWeights PlanNBits(odla_value A, odla_value B, odla_value scales, odla_value zero_points,
                       int64_t bits, int64_t block, const odla_value_type& result_type);

// y [m, N] = a [m, K] x W^T, W the weights above. Runs on the thread pool.
void MatMulNBits(int64_t m, const float* a, const NBitsWeights& w, float* y);

}  // namespace odla_rt
