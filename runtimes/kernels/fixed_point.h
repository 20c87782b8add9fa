// TFLite's fixed-point requantization (tensorflow/lite/kernels/internal, gemmlowp): a real
// multiplier as a Q31 value and a shift, and the multiplication of an integer by it, as
// functions of the host and the device (quant_tflite.h builds on them; libodla_cuda's
// integer products use them too).
#pragma once

#include <math.h>
#include <stdint.h>

#include "host_device.h"

namespace odla_rt {

// A real multiplier as a Q31 fixed-point value and a power-of-two exponent:
// real = mult * 2^(shift - 31).
struct QMultiplier {
  int32_t mult = 0;
  int shift = 0;
};

// TFLite's QuantizeMultiplier (quantization_util.cc): frexp, round half away from zero.
ODLA_HD inline QMultiplier QuantizeMultiplier(double real) {
  QMultiplier q;
  if (real == 0.0) return q;
  double frac = frexp(real, &q.shift);
  auto fixed = static_cast<int64_t>(round(frac * static_cast<double>(int64_t{1} << 31)));
  if (fixed == (int64_t{1} << 31)) {
    fixed /= 2;
    ++q.shift;
  }
  if (q.shift < -31) {
    q.shift = 0;
    fixed = 0;
  }
  q.mult = static_cast<int32_t>(fixed);
  return q;
}

// gemmlowp: high 32 bits of 2*a*b, rounded to nearest (ties up), saturating INT32_MIN^2.
ODLA_HD inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// gemmlowp: x / 2^exponent rounded to nearest, ties away from zero.
ODLA_HD inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite's MultiplyByQuantizedMultiplier for an int32 value (double rounding).
ODLA_HD inline int32_t MultiplyByQuantizedMultiplier(int32_t x, QMultiplier q) {
  int left = q.shift > 0 ? q.shift : 0, right = q.shift > 0 ? 0 : -q.shift;
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(
                                 static_cast<int32_t>(static_cast<uint32_t>(x) << left), q.mult),
                             right);
}

// TFLite's MultiplyByQuantizedMultiplier for an int64 accumulator (the int16x8 kernels): the
// multiplier is reduced to 16 bits and the product rounded once.
ODLA_HD inline int32_t MultiplyByQuantizedMultiplier(int64_t x, QMultiplier q) {
  int32_t reduced = q.mult < 0x7FFF0000 ? ((q.mult + (1 << 15)) >> 16) : 0x7FFF;
  int total_shift = 15 - q.shift;
  x = x * static_cast<int64_t>(reduced) + (int64_t{1} << (total_shift - 1));
  return static_cast<int32_t>(x >> total_shift);
}

// v clamped to [lo, hi] (a quantized type's range).
ODLA_HD inline int64_t ClampInt(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : hi < v ? hi : v;
}

}  // namespace odla_rt
