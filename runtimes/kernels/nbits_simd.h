// Pieces the MatMulNBits kernels (nbits.cc, nbits_wide.cc) share: vector types, the
// dequantization of packed bytes, and 4-bit zero points.
#pragma once

#include <cstdint>

#include "nbits.h"

namespace odla_rt {

#define NBITS_INLINE inline __attribute__((always_inline))

// W bytes, their int32 and float forms: W lanes of the instruction set's widest vectors.
template <int W>
struct Lanes {
  typedef uint8_t U8 __attribute__((vector_size(W)));
  typedef int32_t I32 __attribute__((vector_size(4 * W)));
  typedef float F32 __attribute__((vector_size(4 * W)));
};

// (q - z) * s for the W values q of the bytes v (Lanes<W>::U8), widened to int32 and then
// float: a direct conversion is scalarised. A macro: a function returning a vector of 64
// bytes would have two ABIs.
#define NBITS_DEQUANTIZED(L, v, z, s)                                                         \
  ((__builtin_convertvector(__builtin_convertvector((v), typename L::I32), typename L::F32) - \
    (z)) *                                                                                    \
   (s))

// Whether the 4-bit SIMD kernels take these weights: 4 bits in blocks of a multiple of 32
// (whole 16-byte chunks of 32 values).
inline bool Simd4(const NBitsWeights& w) { return w.bits == 4 && w.block % 32 == 0; }

// The zero point of block b of row `row` of 4-bit weights (nb blocks a row, zp_row =
// (nb + 1) / 2): the rule of NBitsWeights' zero points without divisions, for hot loops.
NBITS_INLINE float Zero4(const NBitsWeights& w, int64_t row, int64_t b, int64_t nb,
                         int64_t zp_row) {
  if (w.zp_float) return w.zp_float[row * nb + b];
  if (!w.zp_packed) return 8.0f;
  return static_cast<float>((w.zp_packed[row * zp_row + (b >> 1)] >> ((b & 1) * 4)) & 15);
}

// y [m, N] = a [m, K] x W^T for many rows (nbits_wide.cc).
void MatMulNBitsWide(int64_t m, const float* a, const NBitsWeights& w, float* y);

}  // namespace odla_rt
