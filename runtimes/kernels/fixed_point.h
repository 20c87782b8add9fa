// TFLite's fixed-point requantization (tensorflow/lite/kernels/internal, gemmlowp): a real
// multiplier as a Q31 value and a shift, the multiplication of an integer by it, and the
// element functions of quantized ADD, SUB, MUL and LEAKY_RELU, as functions of the host and
// the device (quant_tflite.h builds on them; so do libodla_cuda's quantized kernels).
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

// gemmlowp: x / 2^exponent rounded to nearest, ties away from zero. From exponent 32 (TFLite's
// 8-bit softmax of 512 or more near-maximal values reaches it) |x| / 2^exponent is at most 1/2:
// 0, or -1 for INT32_MIN / 2^32 (a shift by the width would differ between host and GPU).
ODLA_HD inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  if (exponent >= 32) return exponent == 32 && x == INT32_MIN ? -1 : 0;
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

// Parameters of TFLite's quantized ADD / SUB (add_common.cc, sub_common.cc): inputs are
// shifted left by left_shift (20 for 8-bit, 15 for 16-bit), rescaled to twice the larger
// input scale, combined, and rescaled to the output scale (quant_tflite.h makes them).
struct TfliteAddParams {
  int32_t azp = 0, bzp = 0, yzp = 0;
  int left_shift = 20;
  QMultiplier a, b, y;
};

// MultiplyByQuantizedMultiplierSmallerThanOneExp.
ODLA_HD inline int32_t MulSmallerThanOne(int32_t x, QMultiplier q) {
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, q.mult), -q.shift);
}

// One element of TFLite's quantized ADD (sign 1) or SUB (sign -1), before saturation.
ODLA_HD inline int32_t TfliteAddSub(int32_t a, int32_t b, const TfliteAddParams& p, int sign) {
  int32_t sa = MulSmallerThanOne((a - p.azp) * (1 << p.left_shift), p.a);
  int32_t sb = MulSmallerThanOne((b - p.bzp) * (1 << p.left_shift), p.b);
  return MulSmallerThanOne(sign > 0 ? sa + sb : sa - sb, p.y) + p.yzp;
}

// One element of TFLite's quantized MUL (reference_integer_ops::MulElementwise) before the
// output zero point and saturation: the product of the offset inputs, rescaled.
ODLA_HD inline int32_t TfliteMul(int32_t a, int32_t b, QMultiplier q) {
  return MultiplyByQuantizedMultiplier(a * b, q);
}

// TFLite's quantized LEAKY_RELU (reference_ops::QuantizeLeakyRelu; quant_tflite.h makes the
// parameters).
struct TfliteLeakyReluParams {
  int32_t xzp = 0, yzp = 0;
  QMultiplier identity, alpha;
};
ODLA_HD inline int32_t TfliteLeakyRelu(int32_t x, const TfliteLeakyReluParams& p) {
  int32_t v = x - p.xzp;
  return p.yzp + MultiplyByQuantizedMultiplier(v, v >= 0 ? p.identity : p.alpha);
}

// TFLite's quantized AVERAGE_POOL_2D of one window (reference_integer_ops::AveragePool): the
// sum over the count of valid elements, halves away from zero; an empty window gives 0.
ODLA_HD inline int32_t TfliteRoundedMean(int32_t sum, int32_t count) {
  if (count == 0) return 0;
  return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

// TFLite's quantized MEAN of one output before saturation (quant_tflite.h, TfliteMeanOf): the
// sum of `count` raw inputs less count * xzp, times q_over_count, plus yzp.
ODLA_HD inline int64_t TfliteMeanUnsaturated(int64_t sum, int64_t count, int32_t xzp,
                                             QMultiplier q_over_count, int32_t yzp) {
  auto shifted = static_cast<int32_t>(static_cast<uint32_t>(sum - int64_t{xzp} * count));
  return int64_t{MultiplyByQuantizedMultiplier(shifted, q_over_count)} + yzp;
}

// v clamped to [lo, hi] (a quantized type's range).
ODLA_HD inline int64_t ClampInt(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : hi < v ? hi : v;
}

// The range of a quantized element type.
template <typename Q>
struct QRange;
template <>
struct QRange<int8_t> {
  static constexpr int64_t lo = INT8_MIN, hi = INT8_MAX;
};
template <>
struct QRange<uint8_t> {
  static constexpr int64_t lo = 0, hi = UINT8_MAX;
};
template <>
struct QRange<int16_t> {
  static constexpr int64_t lo = INT16_MIN, hi = INT16_MAX;
};
template <>
struct QRange<int32_t> {
  static constexpr int64_t lo = INT32_MIN, hi = INT32_MAX;
};

// v saturated into Q.
template <typename Q>
ODLA_HD Q SaturateTo(int64_t v) {
  return static_cast<Q>(ClampInt(v, QRange<Q>::lo, QRange<Q>::hi));
}

// saturate(round(v) + zp) into Q, in float; rounding halves to even (the default rounding
// mode), or away from zero (TFLite's TfLiteRound) when `away`.
template <typename Q>
ODLA_HD Q RoundToQ(float v, int32_t zp, bool away = false) {
  float r = (away ? roundf(v) : rintf(v)) + static_cast<float>(zp);
  const float lo = static_cast<float>(QRange<Q>::lo), hi = static_cast<float>(QRange<Q>::hi);
  r = r < lo ? lo : r;  // std::max(r, lo), then std::min(r, hi)
  r = hi < r ? hi : r;
  return static_cast<Q>(r);
}

}  // namespace odla_rt
