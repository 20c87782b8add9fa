// Fixed-point parameters of the TFLite reference kernels, computed as TFLite's Prepare does.
#include "quant_tflite.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace odla_rt {

QMultiplier QuantizeMultiplier(double real) {
  QMultiplier q;
  if (real == 0.0) return q;
  double frac = std::frexp(real, &q.shift);
  auto fixed = static_cast<int64_t>(std::round(frac * static_cast<double>(int64_t{1} << 31)));
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

TfliteAddParams MakeTfliteAddParams(float as, int32_t azp, float bs, int32_t bzp, float ys,
                                    int32_t yzp, bool wide) {
  TfliteAddParams p;
  p.azp = azp;
  p.bzp = bzp;
  p.yzp = yzp;
  p.left_shift = wide ? 15 : 20;
  double twice_max = 2 * static_cast<double>(std::max(as, bs));
  p.a = QuantizeMultiplier(static_cast<double>(as) / twice_max);
  p.b = QuantizeMultiplier(static_cast<double>(bs) / twice_max);
  p.y = QuantizeMultiplier(twice_max / ((1 << p.left_shift) * static_cast<double>(ys)));
  return p;
}

TfliteLeakyReluParams MakeTfliteLeakyReluParams(float xs, int32_t xzp, float ys, int32_t yzp,
                                                float alpha) {
  TfliteLeakyReluParams p;
  p.xzp = xzp;
  p.yzp = yzp;
  // As leaky_relu_common.cc: the ratios are computed in float, then widened.
  p.alpha = QuantizeMultiplier(static_cast<double>(xs * alpha / ys));
  p.identity = QuantizeMultiplier(static_cast<double>(xs / ys));
  return p;
}

namespace {

// gemmlowp's SaturatingRoundingMultiplyByPOT: x * 2^e, saturating (e > 0) or rounding.
int32_t MulByPOT(int32_t x, int e) {
  if (e == 0) return x;
  if (e < 0) return RoundingDivideByPOT(x, -e);
  int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - e)) - 1);
  if (x > threshold) return std::numeric_limits<int32_t>::max();
  if (x < -threshold) return std::numeric_limits<int32_t>::min();
  return x * (1 << e);
}

int32_t Mul(int32_t a, int32_t b) { return SaturatingRoundingDoublingHighMul(a, b); }

// exp(a) for a Q0.31 value in [-1/4, 0).
int32_t ExpOnIntervalNegativeQuarterTo0(int32_t a) {
  const int32_t constant_term = 1895147668, one_third = 715827883;  // exp(-1/8), 1/3
  int32_t x = a + (1 << 28);                                        // a + 1/8
  int32_t x2 = Mul(x, x), x3 = Mul(x2, x), x4 = Mul(x2, x2);
  int32_t x4_over_4 = MulByPOT(x4, -2);
  int32_t poly = MulByPOT(Mul(x4_over_4 + x3, one_third) + x2, -1);
  return constant_term + Mul(constant_term, x + poly);
}

// 1 / ((1 + a) / 2) for a Q0.31 value in [0, 1), in Q2.29: Newton-Raphson.
int32_t TwoOverOnePlusX(int32_t a) {
  int64_t sum = int64_t{a} + std::numeric_limits<int32_t>::max();
  auto half_denominator = static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_over_17 = 1515870810, c_neg32_over_17 = -1010580540, one = 1 << 29;
  int32_t x = c48_over_17 + Mul(half_denominator, c_neg32_over_17);
  for (int i = 0; i < 3; ++i) x += MulByPOT(Mul(x, one - Mul(half_denominator, x)), 2);
  return x;
}

// 1 / (1 + a) for a Q0.31 value in [0, 1).
int32_t OneOverOnePlusX(int32_t a) { return MulByPOT(TwoOverOnePlusX(a), 1); }

// (1 - a) / (1 + a) for a Q0.31 value in [0, 1): 2 / (1 + a) - 1, from Q2.29.
int32_t OneMinusXOverOnePlusX(int32_t a) { return MulByPOT(TwoOverOnePlusX(a) - (1 << 29), 2); }

}  // namespace

int32_t ExpOnNegativeValues(int32_t a, int integer_bits) {
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
    if (remainder & (1 << (kFractionalBits + e))) result = Mul(result, multipliers[e + 2]);
  return a == 0 ? std::numeric_limits<int32_t>::max() : result;
}

int32_t GetReciprocal(int32_t x, int x_integer_digits, int* num_bits_over_unit) {
  int headroom_plus_one = __builtin_clz(static_cast<uint32_t>(x));
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  auto shifted_minus_one =
      static_cast<int32_t>((static_cast<uint32_t>(x) << headroom_plus_one) - (uint32_t{1} << 31));
  return OneOverOnePlusX(shifted_minus_one);
}

int32_t LogisticQ4(int32_t a) {
  if (a == 0) return 1 << 30;
  int32_t pos = OneOverOnePlusX(ExpOnNegativeValues(a > 0 ? -a : a, 4));
  return a > 0 ? pos : std::numeric_limits<int32_t>::max() - pos;
}

int32_t TanhQ4(int32_t a) {
  if (a == 0) return 0;
  // exp(2 * -|a|): the Q4.27 raw value read as Q5.26.
  int32_t t = OneMinusXOverOnePlusX(ExpOnNegativeValues(a < 0 ? a : -a, 5));
  return a < 0 ? -t : t;
}

TfliteSigmoidTanhParams MakeTfliteSigmoidTanhParams(float input_scale, int32_t input_zero_point) {
  // As the Micro kernels' Prepare: input_scale * 2^27 as a multiplier with a left shift, and
  // CalculateInputRadius(4, left_shift, 31).
  TfliteSigmoidTanhParams p;
  p.zero_point = input_zero_point;
  double real = static_cast<double>(input_scale) * static_cast<double>(1 << (31 - 4));
  double frac = std::frexp(real, &p.q.shift);
  p.q.mult = static_cast<int32_t>(std::round(frac * static_cast<double>(int64_t{1} << 31)));
  p.radius = static_cast<int32_t>(std::floor(std::ldexp(15.0 * (1 << 27), -p.q.shift)));
  return p;
}

TfliteSoftmaxParams MakeTfliteSoftmaxParams(float beta, float input_scale) {
  // As PreprocessSoftmaxScaling and CalculateInputRadius with 5 integer bits.
  TfliteSoftmaxParams p;
  double real = std::min<double>(
      static_cast<double>(beta) * static_cast<double>(input_scale) * (1 << (31 - 5)),
      (int64_t{1} << 31) - 1.0);
  QMultiplier q = QuantizeMultiplier(real);
  p.multiplier = q.mult;
  p.left_shift = q.shift;
  double radius = 1.0 * ((1 << 5) - 1) * static_cast<double>(int64_t{1} << (31 - 5)) /
                  static_cast<double>(int64_t{1} << p.left_shift);
  p.diff_min = -static_cast<int32_t>(std::floor(radius));
  return p;
}

}  // namespace odla_rt
