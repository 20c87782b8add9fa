// gemmlowp's fixed point on int16 raw values (fixedpoint.h; additions wrap, as gemmlowp's do)
// and the int16 logistic and tanh of TFLite's integer LSTM built on it (portable_tensor_utils'
// ApplySigmoid and ApplyTanh), written from their definitions. Host and device code, so that
// libodla_cuda computes what the ref does, bit for bit.
#pragma once

#include <stdint.h>

#include "fixed_point.h"
#include "host_device.h"

namespace odla_rt {
namespace fp16 {

ODLA_HD inline int16_t Wrap(int32_t v) { return static_cast<int16_t>(v); }

ODLA_HD inline int16_t Mul16(int16_t a, int16_t b) {  // SaturatingRoundingDoublingHighMul
  if (a == b && a == INT16_MIN) return INT16_MAX;
  int32_t ab = int32_t{a} * int32_t{b};
  int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

ODLA_HD inline int16_t MulByPOT16(int16_t x, int e) {  // SaturatingRoundingMultiplyByPOT
  if (e == 0) return x;
  if (e < 0) return static_cast<int16_t>(RoundingDivideByPOT(x, -e));
  int32_t threshold = (1 << (15 - e)) - 1;
  if (x > threshold) return INT16_MAX;
  if (x < -threshold) return INT16_MIN;
  return Wrap(x * (1 << e));
}

// A gemmlowp constant given as a Q0.31 int32, rounded to int16 (RescaleConstantInitializer).
ODLA_HD inline int16_t K(int32_t v) { return static_cast<int16_t>(RoundingDivideByPOT(v, 16)); }

ODLA_HD inline int16_t SaturatingAdd16(int16_t a, int16_t b) {
  return SaturateTo<int16_t>(int32_t{a} + b);
}

// exp(a) for a Q0.15 value in [-1/4, 0).
ODLA_HD inline int16_t ExpOnIntervalNegativeQuarterTo0(int16_t a) {
  const int16_t constant_term = K(1895147668), one_third = K(715827883);
  int16_t x = Wrap(a + (1 << 12));  // a + 1/8
  int16_t x2 = Mul16(x, x), x3 = Mul16(x2, x), x4 = Mul16(x2, x2);
  int16_t x4_over_4 = MulByPOT16(x4, -2);
  int16_t poly = MulByPOT16(Wrap(Mul16(Wrap(x4_over_4 + x3), one_third) + x2), -1);
  return SaturatingAdd16(constant_term, Mul16(constant_term, Wrap(x + poly)));
}

// exp(a) for a <= 0 with `bits` integer bits, in Q0.15.
ODLA_HD inline int16_t ExpOnNegativeValues16(int16_t a, int bits) {
  const int frac = 15 - bits;
  const int16_t quarter = static_cast<int16_t>(1 << (frac - 2));
  int16_t a_mod = Wrap((a & (quarter - 1)) - quarter);
  int16_t result = ExpOnIntervalNegativeQuarterTo0(MulByPOT16(a_mod, bits));
  int16_t remainder = Wrap(a_mod - a);
  const int32_t multipliers[] = {1672461947, 1302514674, 790015084, 290630308,
                                 39332535,   720401,     242};  // exp(-2^e), e = -2 .. 4
  for (int e = -2; e <= 4 && e < bits; ++e)
    if (remainder & (1 << (frac + e))) result = Mul16(result, K(multipliers[e + 2]));
  if (bits > 5 && a < K(-(1 << (36 - bits)))) result = 0;  // below -32
  return a == 0 ? INT16_MAX : result;
}

// 2 / (1 + a) for a Q0.15 value in [0, 1), in Q2.13: Newton-Raphson.
ODLA_HD inline int16_t TwoOverOnePlusX16(int16_t a) {
  int32_t sum = int32_t{a} + INT16_MAX;
  auto half_denominator = static_cast<int16_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int16_t one = 1 << 13;
  int16_t x = Wrap(K(1515870810) + Mul16(half_denominator, K(-1010580540)));  // 48/17 - 32/17 d
  for (int i = 0; i < 3; ++i)
    x = Wrap(x + MulByPOT16(Mul16(x, Wrap(one - Mul16(half_denominator, x))), 2));
  return x;
}

}  // namespace fp16

// Logistic of a Q3.12 value into Q0.15.
ODLA_HD inline int16_t TfliteLogisticInt16(int16_t a) {
  using namespace fp16;
  if (a == 0) return K(1 << 30);
  int16_t abs = a > 0 ? a : Wrap(-a);
  int16_t pos = MulByPOT16(TwoOverOnePlusX16(ExpOnNegativeValues16(Wrap(-abs), 3)), 1);
  return a > 0 ? pos : Wrap(INT16_MAX - pos);
}

// Tanh of a value with `integer_bits` integer bits (0 to 6) into Q0.15.
ODLA_HD inline int16_t TfliteTanhInt16(int16_t a, int integer_bits) {
  using namespace fp16;
  if (a == 0) return 0;
  // exp(2 * -|a|): the raw value read with one more integer bit.
  int16_t n = a < 0 ? a : Wrap(-a);
  int16_t t = MulByPOT16(
      Wrap(TwoOverOnePlusX16(ExpOnNegativeValues16(n, integer_bits + 1)) - (1 << 13)), 2);
  return a < 0 ? Wrap(-t) : t;
}

}  // namespace odla_rt
