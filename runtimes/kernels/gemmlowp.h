// gemmlowp's fixed-point functions that TFLite's quantized LOGISTIC, TANH and SOFTMAX use
// (fixedpoint.h: exp_on_negative_values, logistic, tanh, one_over_one_plus_x; TFLite's
// GetReciprocal), as functions of the host and the device, and the int8 LOGISTIC / TANH and
// 8-bit SOFTMAX built on them (quant_tflite.h runs them on the host, libodla_cuda on the GPU).
#pragma once

#include <stdint.h>

#include "fixed_point.h"

namespace odla_rt {

// gemmlowp's SaturatingRoundingMultiplyByPOT: x * 2^e, saturating (e > 0) or rounding.
ODLA_HD inline int32_t MulByPOT(int32_t x, int e) {
  if (e == 0) return x;
  if (e < 0) return RoundingDivideByPOT(x, -e);
  int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x * (1 << e);
}

ODLA_HD inline int32_t FixedMul(int32_t a, int32_t b) {
  return SaturatingRoundingDoublingHighMul(a, b);
}

// exp(a) for a Q0.31 value in [-1/4, 0).
ODLA_HD inline int32_t ExpOnIntervalNegativeQuarterTo0(int32_t a) {
  const int32_t constant_term = 1895147668, one_third = 715827883;  // exp(-1/8), 1/3
  int32_t x = a + (1 << 28);                                        // a + 1/8
  int32_t x2 = FixedMul(x, x), x3 = FixedMul(x2, x), x4 = FixedMul(x2, x2);
  int32_t x4_over_4 = MulByPOT(x4, -2);
  int32_t poly = MulByPOT(FixedMul(x4_over_4 + x3, one_third) + x2, -1);
  return constant_term + FixedMul(constant_term, x + poly);
}

// 1 / ((1 + a) / 2) for a Q0.31 value in [0, 1), in Q2.29: Newton-Raphson.
ODLA_HD inline int32_t TwoOverOnePlusX(int32_t a) {
  int64_t sum = int64_t{a} + INT32_MAX;
  auto half_denominator = static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_over_17 = 1515870810, c_neg32_over_17 = -1010580540, one = 1 << 29;
  int32_t x = c48_over_17 + FixedMul(half_denominator, c_neg32_over_17);
  for (int i = 0; i < 3; ++i) x += MulByPOT(FixedMul(x, one - FixedMul(half_denominator, x)), 2);
  return x;
}

// 1 / (1 + a) for a Q0.31 value in [0, 1).
ODLA_HD inline int32_t OneOverOnePlusX(int32_t a) { return MulByPOT(TwoOverOnePlusX(a), 1); }

// (1 - a) / (1 + a) for a Q0.31 value in [0, 1): 2 / (1 + a) - 1, from Q2.29.
ODLA_HD inline int32_t OneMinusXOverOnePlusX(int32_t a) {
  return MulByPOT(TwoOverOnePlusX(a) - (1 << 29), 2);
}

// exp_on_negative_values: a value <= 0 with `integer_bits` integer bits (Q5.26 by default) ->
// its exp in Q0.31.
ODLA_HD inline int32_t ExpOnNegativeValues(int32_t a, int integer_bits = 5) {
  const int kIntegerBits = integer_bits, kFractionalBits = 31 - integer_bits;
  const int32_t quarter = 1 << (kFractionalBits - 2);
  int32_t a_mod_quarter_minus_quarter = (a & (quarter - 1)) - quarter;
  int32_t result =
      ExpOnIntervalNegativeQuarterTo0(MulByPOT(a_mod_quarter_minus_quarter, kIntegerBits));
  int32_t remainder = a_mod_quarter_minus_quarter - a;
  // exp(-2^e) for e = -2 .. 4, in Q0.31.
  const int32_t multipliers[] = {1672461947, 1302514674, 790015084, 290630308,
                                 39332535,   720401,     242};
  for (int e = -2; e <= 4 && e < kIntegerBits; ++e)
    if (remainder & (1 << (kFractionalBits + e))) result = FixedMul(result, multipliers[e + 2]);
  return a == 0 ? INT32_MAX : result;
}

// Leading zero bits of a 32-bit value (x != 0).
ODLA_HD inline int LeadingZeros(uint32_t x) {
#ifdef __CUDA_ARCH__
  return __clz(static_cast<int>(x));
#else
  return __builtin_clz(x);
#endif
}

// TFLite's GetReciprocal: 1 / x for x in Q(digits) as Q0.31, scaled by 2^-num_bits_over_unit.
ODLA_HD inline int32_t GetReciprocal(int32_t x, int x_integer_digits, int* num_bits_over_unit) {
  int headroom_plus_one = LeadingZeros(static_cast<uint32_t>(x));
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  auto shifted_minus_one =
      static_cast<int32_t>((static_cast<uint32_t>(x) << headroom_plus_one) - (uint32_t{1} << 31));
  return OneOverOnePlusX(shifted_minus_one);
}

// gemmlowp's logistic and tanh of a Q4.27 value, in Q0.31.
ODLA_HD inline int32_t LogisticQ4(int32_t a) {
  if (a == 0) return 1 << 30;
  int32_t pos = OneOverOnePlusX(ExpOnNegativeValues(a > 0 ? -a : a, 4));
  return a > 0 ? pos : INT32_MAX - pos;
}

ODLA_HD inline int32_t TanhQ4(int32_t a) {
  if (a == 0) return 0;
  // exp(2 * -|a|): the Q4.27 raw value read as Q5.26.
  int32_t t = OneMinusXOverOnePlusX(ExpOnNegativeValues(a < 0 ? a : -a, 5));
  return a < 0 ? -t : t;
}

// TFLite's int8 LOGISTIC and TANH (reference_integer_ops::Logistic / Tanh with the parameters
// of TFLite Micro's Prepare, quant_tflite.h): x - zero_point beyond +-radius saturates;
// inside, it is scaled into Q4.27 by q (a left shift), and the Q0.31 result is rounded to the
// output scale, 1/256 with zero point -128 (logistic) or 1/128 with zero point 0 (tanh).
struct TfliteSigmoidTanhParams {
  int32_t zero_point = 0, radius = 0;
  QMultiplier q;
};

ODLA_HD inline int8_t TfliteSigmoidTanhInt8(int8_t x, const TfliteSigmoidTanhParams& p, bool tanh) {
  int32_t v = int32_t{x} - p.zero_point;
  if (v <= -p.radius) return -128;
  if (v >= p.radius) return 127;
  int32_t a = MultiplyByQuantizedMultiplier(v, p.q);
  int32_t y =
      tanh ? RoundingDivideByPOT(TanhQ4(a), 24) : RoundingDivideByPOT(LogisticQ4(a), 23) - 128;
  return SaturateTo<int8_t>(y);
}

// TFLite's 8-bit SOFTMAX (reference_ops::Softmax with gemmlowp fixed point; parameters from
// quant_tflite.h): differences to the row maximum scaled into Q5.26, exp_on_negative_values,
// the sum in Q12.19, its reciprocal, and the output at scale 1/256 with zero point at the
// output type's minimum.
struct TfliteSoftmaxParams {
  int32_t multiplier = 0;
  int left_shift = 0;
  int32_t diff_min = 0;
};

// One softmax: len values of x at stride `inner` into y.
template <typename X, typename Y>
ODLA_HD void TfliteSoftmaxRow(const X* x, Y* y, int64_t len, int64_t inner,
                              const TfliteSoftmaxParams& p) {
  int32_t mx = x[0];
  for (int64_t k = 1; k < len; ++k) {
    int32_t v = x[k * inner];
    mx = mx < v ? v : mx;
  }
  auto exp_of = [&](int64_t k) {
    int32_t diff = static_cast<int32_t>(x[k * inner]) - mx;
    return ExpOnNegativeValues(
        SaturatingRoundingDoublingHighMul(diff * (1 << p.left_shift), p.multiplier));
  };
  int32_t sum = 0;  // Q12.19
  for (int64_t k = 0; k < len; ++k)
    if (static_cast<int32_t>(x[k * inner]) - mx >= p.diff_min)
      sum += RoundingDivideByPOT(exp_of(k), 12);
  int bits;
  int32_t scale = GetReciprocal(sum, 12, &bits);
  for (int64_t k = 0; k < len; ++k) {
    int64_t v = QRange<Y>::lo;
    if (static_cast<int32_t>(x[k * inner]) - mx >= p.diff_min)
      v += RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(scale, exp_of(k)),
                               bits + 31 - 8 * static_cast<int>(sizeof(Y)));
    y[k * inner] = SaturateTo<Y>(v);
  }
}

}  // namespace odla_rt
