// TFLite integer semantics: the fixed-point primitives against values worked out by hand from
// the definitions in TFLite's quantization_util.cc and gemmlowp, and the QLinear* ops with
// rounding "tflite" (and "onnx" where the two differ) through the executor.
#include "../../runtimes/kernels/quant_tflite.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "op_test_util.h"

namespace halo {
namespace {

using odla_rt::QMultiplier;
using test::Arg;
using test::Doubles;
using test::Make;
using test::RunOp;

Tensor I8(const Shape& s, const std::vector<int>& v) { return Make(DataType::kInt8, s, v); }
Tensor I16(const Shape& s, const std::vector<int>& v) { return Make(DataType::kInt16, s, v); }
Tensor I32(const Shape& s, const std::vector<int>& v) { return Make(DataType::kInt32, s, v); }
Tensor F(const Shape& s, const std::vector<double>& v) { return test::F32s(s, v); }
std::map<std::string, AttrValue> Rounding(const char* r) { return {{"rounding", std::string(r)}}; }

TEST(TfliteFixedPoint, QuantizeMultiplier) {
  QMultiplier half = odla_rt::QuantizeMultiplier(0.5);
  EXPECT_EQ(half.mult, 1 << 30);
  EXPECT_EQ(half.shift, 0);
  QMultiplier one = odla_rt::QuantizeMultiplier(1.0);
  EXPECT_EQ(one.mult, 1 << 30);
  EXPECT_EQ(one.shift, 1);
  QMultiplier p3 = odla_rt::QuantizeMultiplier(0.3);  // 0.6 * 2^-1
  EXPECT_EQ(p3.mult, 1288490189);
  EXPECT_EQ(p3.shift, -1);
  QMultiplier third = odla_rt::QuantizeMultiplier(1.0 / 3);
  EXPECT_EQ(third.mult, 1431655765);
  EXPECT_EQ(odla_rt::QuantizeMultiplier(0.0).mult, 0);
  EXPECT_EQ(odla_rt::QuantizeMultiplier(1e-12).mult, 0);  // shift below -31: zero
}

TEST(TfliteFixedPoint, GemmlowpPrimitives) {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(odla_rt::SaturatingRoundingDoublingHighMul(kMin, kMin),
            std::numeric_limits<int32_t>::max());
  EXPECT_EQ(odla_rt::SaturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);
  EXPECT_EQ(odla_rt::SaturatingRoundingDoublingHighMul(-5, 1 << 30), -2);  // -2.5 -> -2
  // Ties round away from zero.
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(5, 1), 3);
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(-5, 1), -3);
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(-6, 2), -2);
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(7, 2), 2);
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(-7, 2), -2);
  // Exponents from the width on: at most a half, which rounds away from zero only as a tie.
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(INT32_MAX, 31), 1);
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(INT32_MAX, 32), 0);
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(INT32_MIN, 32), -1);
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(INT32_MIN + 1, 32), 0);
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(INT32_MIN, 33), 0);
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(12345, 40), 0);
  EXPECT_EQ(odla_rt::RoundingDivideByPOT(-5, 2), -1);
}

TEST(TfliteFixedPoint, MultiplyByQuantizedMultiplier) {
  QMultiplier p3 = odla_rt::QuantizeMultiplier(0.3);
  EXPECT_EQ(odla_rt::MultiplyByQuantizedMultiplier(int32_t{100}, p3), 30);
  EXPECT_EQ(odla_rt::MultiplyByQuantizedMultiplier(int32_t{5}, p3), 2);    // 1.5 -> 2
  EXPECT_EQ(odla_rt::MultiplyByQuantizedMultiplier(int32_t{-5}, p3), -2);  // -1.5 -> -2
  // A positive shift multiplies first: 1.0 = 2^30 * 2^(1 - 31).
  EXPECT_EQ(odla_rt::MultiplyByQuantizedMultiplier(int32_t{7}, odla_rt::QuantizeMultiplier(1.0)),
            7);
  // The int64 form reduces the multiplier to 16 bits (19661 for 0.3) and rounds once.
  EXPECT_EQ(odla_rt::MultiplyByQuantizedMultiplier(int64_t{100}, p3), 30);
  QMultiplier third = odla_rt::QuantizeMultiplier(1.0 / 3);
  EXPECT_EQ(odla_rt::MultiplyByQuantizedMultiplier(int64_t{410}, third), 137);
  EXPECT_EQ(odla_rt::MultiplyByQuantizedMultiplier(int64_t{-690}, third), -230);
}

TEST(TfliteFixedPoint, ExpAndReciprocal) {
  // exp(0) saturates to 1; exp(-1) (Q5.26 -2^26) and exp(-1/2) near gemmlowp's constants
  // for them in Q0.31: exp(-1/4) comes from a 4th-order polynomial (relative error ~3e-7).
  EXPECT_EQ(odla_rt::ExpOnNegativeValues(0), std::numeric_limits<int32_t>::max());
  EXPECT_NEAR(odla_rt::ExpOnNegativeValues(-(1 << 26)), 790015084, 1000);
  EXPECT_NEAR(odla_rt::ExpOnNegativeValues(-(1 << 25)), 1302514674, 1000);
  // 1 / 3 (3 in Q12.19): 2/3 in Q0.31, one bit over unit.
  int bits = 0;
  EXPECT_NEAR(odla_rt::GetReciprocal(3 << 19, 12, &bits), 1431655765, 8);
  EXPECT_EQ(bits, 1);
}

TEST(TfliteQuantOps, AddInt16) {
  // Scales 0.5 and 0.25 into 1: left shift 15, twice the larger scale is 1.
  auto add = [](const std::vector<int>& a, const std::vector<int>& b, const char* r) {
    int n = static_cast<int>(a.size());
    return Doubles(RunOp("QLinearAdd",
                         {I16({n}, a), F({}, {0.5}), I16({}, {0}), I16({n}, b), F({}, {0.25}),
                          I16({}, {0}), F({}, {1}), I16({}, {0})},
                         Rounding(r)));
  };
  // 2.75 -> 3, 0.75 -> 1, -0.75 -> -1, -0.25 -> 0, 0.5 -> 1 (away from zero), -0.5 -> -1,
  // 16383.5 + 8191.75 -> 24575.
  std::vector<int> a = {3, 1, -1, 1, 1, -1, 32767}, b = {5, 1, -1, -3, 0, 0, 32767};
  EXPECT_EQ(add(a, b, "tflite"), (std::vector<double>{3, 1, -1, 0, 1, -1, 24575}));
  // ONNX rounding: halves to even.
  EXPECT_EQ(add(a, b, "onnx"), (std::vector<double>{3, 1, -1, 0, 0, 0, 24575}));
}

TEST(TfliteQuantOps, SubInt8BroadcastsWithZeroPoints) {
  // (a - 10) * 0.5 - (b + 4) * 0.5 into scale 1, zero point -3; b broadcasts over rows.
  auto y = RunOp("QLinearSub",
                 {I8({2, 2}, {20, 30, -10, 10}), F({}, {0.5}), I8({}, {10}), I8({2}, {0, 6}),
                  F({}, {0.5}), I8({}, {-4}), F({}, {1}), I8({}, {-3})},
                 Rounding("tflite"));
  // Rows: (5 - 2, 10 - 5) and (-10 - 2, 0 - 5), plus -3.
  EXPECT_EQ(Doubles(y), (std::vector<double>{0, 2, -15, -8}));
}

TEST(TfliteQuantOps, MulInt8WithZeroPoints) {
  // (a - 2) * (b + 1) * (0.5 * 0.5 / 0.5 = 0.5), plus zero point 3, saturated; b broadcasts.
  // 0.5 is 2^30 with shift 0: one SaturatingRoundingDoublingHighMul, whose ties round up.
  auto mul = [](const char* r) {
    return Doubles(RunOp("QLinearMul",
                         {I8({2, 2}, {5, 2, -1, 127}), F({}, {0.5}), I8({}, {2}), I8({2}, {2, 126}),
                          F({}, {0.5}), I8({}, {-1}), F({}, {0.5}), I8({}, {3})},
                         Rounding(r)));
  };
  // Products 9, 0, -9, 125 * 127; halved: 4.5 -> 5, 0, -4.5 -> -4, saturated at 127.
  EXPECT_EQ(mul("tflite"), (std::vector<double>{8, 3, -1, 127}));
  // ONNX rounding: halves to even (4.5 -> 4, -4.5 -> -4).
  EXPECT_EQ(mul("onnx"), (std::vector<double>{7, 3, -1, 127}));
}

TEST(TfliteQuantOps, LeakyReluInt16) {
  // Slope 0.25: -5 -> -1.25 -> -1, 4 -> 4, -6 -> -1.5 -> -2.
  auto y = RunOp("QLinearLeakyRelu",
                 {I16({3}, {-5, 4, -6}), F({}, {1}), I16({}, {0}), F({}, {1}), I16({}, {0})},
                 {{"alpha", 0.25}, {"rounding", std::string("tflite")}});
  EXPECT_EQ(Doubles(y), (std::vector<double>{-1, 4, -2}));
}

TEST(TfliteQuantOps, RequantizeInt32ToInt16) {
  std::vector<Arg> args = {I32({4}, {6, -6, 10, 1 << 20}), F({}, {1}), I32({}, {0}), F({}, {4}),
                           I16({}, {0})};
  // Ties away from zero (tflite) or to even (onnx); 2^18 saturates.
  EXPECT_EQ(Doubles(RunOp("Requantize", args, Rounding("tflite"))),
            (std::vector<double>{2, -2, 3, 32767}));
  EXPECT_EQ(Doubles(RunOp("Requantize", args, Rounding("onnx"))),
            (std::vector<double>{2, -2, 2, 32767}));
}

TEST(TfliteQuantOps, ConvInt16x8) {
  // x [1, 1, 1, 3], w [1, 1, 1, 2], bias 10: acc 410 and -690, scale 0.5 * 0.25 / 0.375.
  auto y = RunOp("QLinearConv",
                 {I16({1, 1, 1, 3}, {100, -200, 300}), F({}, {0.5}), I16({}, {0}),
                  Arg::Const(I8({1, 1, 1, 2}, {2, -1})), F({1}, {0.25}), I8({1}, {0}),
                  F({}, {0.375}), I16({}, {0}), Arg::Const(test::I64s({1}, {10}))},
                 Rounding("tflite"));
  EXPECT_EQ(y.type().dtype, DataType::kInt16);
  EXPECT_EQ(Doubles(y), (std::vector<double>{137, -230}));
}

TEST(TfliteQuantOps, ConvInt8PerChannel) {
  // Two output channels with scales 1/4 and 1/2 of 1 -> 1; x zero point -1, y zero point 5.
  auto y = RunOp(
      "QLinearConv",
      {I8({1, 1, 1, 2}, {3, -5}), F({}, {1}), I8({}, {-1}), Arg::Const(I8({2, 1, 1, 1}, {2, 3})),
       F({2}, {0.25, 0.5}), I8({2}, {0, 0}), F({}, {1}), I8({}, {5}), Arg::Const(I32({2}, {1, 0}))},
      Rounding("tflite"));
  // ch0: (4 * 2 + 1, -4 * 2 + 1) / 4 = 2.25, -1.75; ch1: (12, -12) / 2. TFLite rounds twice
  // (9 / 2 -> 5, then 5 / 2 -> 3), so 2.25 becomes 3 where one rounding gives 2.
  EXPECT_EQ(Doubles(y), (std::vector<double>{8, 3, 11, -1}));
}

TEST(TfliteQuantOps, QuantizeLinearRoundsHalvesAwayFromZero) {
  // x / 2 = 0.5, 1.5, 2.5, -0.5, -2.5 into int16 with zero point 3.
  std::vector<Arg> args = {F({5}, {1, 3, 5, -1, -5}), F({}, {2}), I16({}, {3})};
  EXPECT_EQ(Doubles(RunOp("QuantizeLinear", args, Rounding("tflite"))),
            (std::vector<double>{4, 5, 6, 2, 0}));
  EXPECT_EQ(Doubles(RunOp("QuantizeLinear", args, Rounding("onnx"))),
            (std::vector<double>{3, 5, 5, 3, 1}));
}

TEST(TfliteQuantOps, SoftmaxFixedPointFollowsFloat) {
  // Equal inputs: 1/2 each, 128 steps above the zero point -128.
  auto half =
      RunOp("QLinearSoftmax",
            {I8({2}, {7, 7}), F({}, {0.1}), I8({}, {0}), F({}, {1.0 / 256}), I8({}, {-128})},
            Rounding("tflite"));
  EXPECT_EQ(Doubles(half), (std::vector<double>{0, 0}));
  // 1000 equal inputs (1000 classes): the sum of the exps reaches 2^28, the final shift 32;
  // each probability, 1/1000, is 0.256 steps: -128.
  auto thousand = RunOp("QLinearSoftmax",
                        {I8({1000}, std::vector<int>(1000, 5)), F({}, {0.1}), I8({}, {0}),
                         F({}, {1.0 / 256}), I8({}, {-128})},
                        Rounding("tflite"));
  EXPECT_EQ(Doubles(thousand), std::vector<double>(1000, -128));
  // Rows of 10 pseudo-random values at several input scales: TFLite's fixed point stays
  // within one unit of the float softmax.
  for (double scale : {0.02, 0.1, 0.17366, 0.5}) {
    std::vector<int> v(40);
    for (int i = 0; i < 40; ++i) v[i] = (i * 73 + 11) % 256 - 128;
    std::vector<Arg> args = {I8({4, 10}, v), F({}, {scale}), I8({}, {3}), F({}, {1.0 / 256}),
                             I8({}, {-128})};
    auto fixed = Doubles(RunOp("QLinearSoftmax", args, Rounding("tflite")));
    auto real = Doubles(RunOp("QLinearSoftmax", args, Rounding("onnx")));
    for (size_t i = 0; i < fixed.size(); ++i)
      EXPECT_NEAR(fixed[i], real[i], 1) << "scale " << scale << " at " << i;
  }
}

TEST(TfliteQuantOps, AveragePoolInt8RoundsAwayAndSkipsPadding) {
  // 2x2 windows over a 3x3 input padded by one row and column at the end: padded elements do
  // not count (4.5 over 2 elements, -1.5, -0.5). tflite: the integer average, halves away from
  // zero. onnx: the real average (zero point -3 removed: 7.5, 1.5, 10.5, 2.5) rounded to even.
  std::vector<Arg> args = {I8({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, -9}), F({}, {0.5}),
                           I8({}, {-3}), F({}, {0.5}), I8({}, {-3})};
  auto attrs = [](const char* r) {
    return std::map<std::string, AttrValue>{{"kernel_shape", std::vector<int64_t>{2, 2}},
                                            {"pads", std::vector<int64_t>{0, 0, 1, 1}},
                                            {"rounding", std::string(r)}};
  };
  auto y = RunOp("QLinearAveragePool", args, attrs("tflite"));
  EXPECT_EQ(y.type().shape, (Shape{1, 1, 3, 3}));
  EXPECT_EQ(Doubles(y), (std::vector<double>{3, 4, 5, 6, 3, -2, 8, -1, -9}));
  EXPECT_EQ(Doubles(RunOp("QLinearAveragePool", args, attrs("onnx"))),
            (std::vector<double>{3, 4, 5, 6, 3, -1, 7, -1, -9}));
}

TEST(TfliteQuantOps, AveragePoolInt16Extremes) {
  // Sums beyond int16 stay exact in int32: (-131072 - 2) / 4 truncates to -32768.
  auto y = RunOp("QLinearAveragePool",
                 {I16({1, 2, 2, 2}, {-32768, -32768, -32768, -32768, 32767, 32767, 32767, 32766}),
                  F({}, {1}), I16({}, {0}), F({}, {1}), I16({}, {0})},
                 {{"kernel_shape", std::vector<int64_t>{2, 2}},
                  {"strides", std::vector<int64_t>{2, 2}},
                  {"rounding", std::string("tflite")}});
  EXPECT_EQ(Doubles(y), (std::vector<double>{-32768, 32767}));
  // Different input and output quantization is not TFLite's kernel.
  EXPECT_ANY_THROW(
      RunOp("QLinearAveragePool",
            {I16({1, 1, 1, 1}, {1}), F({}, {1}), I16({}, {0}), F({}, {2}), I16({}, {0})},
            {{"kernel_shape", std::vector<int64_t>{1, 1}}, {"rounding", std::string("tflite")}}));
}

TEST(TfliteQuantOps, ReduceMeanInt8Rescales) {
  // Rows of [2, 3] with scale 0.5, zero point -1 into scale 0.25, zero point 3: the multiplier
  // 2.0 (2^30, shift 2) becomes 2^31 / 3 with shift 1 for 3 elements; row 0 (sum -383,
  // shifted -380) gives -253 + 3 and saturates, row 1 (sum 61, shifted 64) gives 43 + 3.
  auto y = RunOp("QLinearReduceMean",
                 {I8({2, 3}, {-128, -128, -127, 10, 20, 31}), F({}, {0.5}), I8({}, {-1}),
                  F({}, {0.25}), I8({}, {3})},
                 {{"axes", std::vector<int64_t>{1}},
                  {"keepdims", int64_t{0}},
                  {"rounding", std::string("tflite")}});
  EXPECT_EQ(y.type().shape, (Shape{2}));
  EXPECT_EQ(Doubles(y), (std::vector<double>{-128, 46}));
}

TEST(TfliteQuantOps, ReduceMeanInt16Halves) {
  // Means 2.5 and -2.5: TFLite's rounding doubling multiply rounds ties up (3, -2); onnx
  // rounding goes to even (2, -2).
  std::vector<Arg> args = {I16({2, 2}, {2, 3, -2, -3}), F({}, {1}), I16({}, {0}), F({}, {1}),
                           I16({}, {0})};
  auto attrs = [](const char* r) {
    return std::map<std::string, AttrValue>{{"axes", std::vector<int64_t>{-1}},
                                            {"rounding", std::string(r)}};
  };
  auto y = RunOp("QLinearReduceMean", args, attrs("tflite"));
  EXPECT_EQ(y.type().shape, (Shape{2, 1}));
  EXPECT_EQ(Doubles(y), (std::vector<double>{3, -2}));
  EXPECT_EQ(Doubles(RunOp("QLinearReduceMean", args, attrs("onnx"))), (std::vector<double>{2, -2}));
}

TEST(TfliteQuantOps, ReduceMeanInt8TwoAxes) {
  // [2, 2, 2] = 0..7 over axes 0 and 2: 10 / 4 and 18 / 4. For 4 elements the multiplier
  // 2^30 (shift 1) becomes 2^30 with shift -1: 2.5 -> 3 and 4.5 -> 5 (ties away in the final
  // rounding shift).
  std::vector<Arg> args = {I8({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7}), F({}, {1}), I8({}, {0}),
                           F({}, {1}), I8({}, {0})};
  auto attrs = [](const char* r) {
    return std::map<std::string, AttrValue>{{"axes", std::vector<int64_t>{2, 0}},
                                            {"rounding", std::string(r)}};
  };
  auto y = RunOp("QLinearReduceMean", args, attrs("tflite"));
  EXPECT_EQ(y.type().shape, (Shape{1, 2, 1}));
  EXPECT_EQ(Doubles(y), (std::vector<double>{3, 5}));
  EXPECT_EQ(Doubles(RunOp("QLinearReduceMean", args, attrs("onnx"))), (std::vector<double>{2, 4}));
}

TEST(TfliteQuantOps, SigmoidTanhInt8FixedPoint) {
  // Input scale 1/16, zero point -5: multiplier 2^30 with left shift 24, radius 15 * 2^27 /
  // 2^24 = 120, so x - zp = -123, -120, 120 and 132 saturate; inside, the fixed-point results
  // agree with round(sigmoid(v) * 256) - 128 and round(tanh(v) * 128), none near a half.
  std::vector<int> x = {-128, -125, -100, -37, -21, -6, -5, -4, 11, 27, 60, 114, 115, 127};
  auto run = [&](const char* op, double ys, int yz) {
    return Doubles(RunOp(op,
                         {I8({14}, x), F({}, {1.0 / 16}), I8({}, {-5}), F({}, {ys}), I8({}, {yz})},
                         Rounding("tflite")));
  };
  EXPECT_EQ(
      run("QLinearSigmoid", 1.0 / 256, -128),
      (std::vector<double>{-128, -128, -127, -97, -59, -4, 0, 4, 59, 97, 124, 127, 127, 127}));
  EXPECT_EQ(
      run("QLinearTanh", 1.0 / 128, 0),
      (std::vector<double>{-128, -128, -128, -123, -97, -8, 0, 8, 97, 123, 127, 127, 127, 127}));
  // Q4.27 anchors: logistic(1) = 0.7310586 and tanh(1) = 0.7615942 in Q0.31.
  EXPECT_NEAR(odla_rt::LogisticQ4(1 << 27), 0.7310586 * 2147483648.0, 300);
  EXPECT_NEAR(odla_rt::TanhQ4(-(1 << 27)), -0.7615942 * 2147483648.0, 300);
  EXPECT_EQ(odla_rt::LogisticQ4(0), 1 << 30);
}

TEST(TfliteQuantOps, SigmoidTanhInt16Table) {
  // Input scale 2^-12 (a power of two: the input times 3, table steps of 1/24 = 512 units for
  // sigmoid, 256 for tanh), output 2^-15. 4096 (1.0) lands on entry 24 (47911, sigmoid) or
  // 48 (57724, tanh); 100 interpolates 300/512 of the way from 32768 to 33451.
  auto run = [](const char* op, double xs, const std::vector<int>& x) {
    return Doubles(RunOp(op,
                         {I16({static_cast<int64_t>(x.size())}, x), F({}, {xs}), I16({}, {0}),
                          F({}, {1.0 / 32768}), I16({}, {0})},
                         Rounding("tflite")));
  };
  EXPECT_EQ(run("QLinearSigmoid", 1.0 / 4096, {4096, -4096, 0, 100}),
            (std::vector<double>{23956, 8812, 16384, 16584}));
  EXPECT_EQ(run("QLinearTanh", 1.0 / 4096, {4096, -4096, 0}),
            (std::vector<double>{24956, -24956, 0}));
  // Scale 2^-11: sigmoid takes the general multiplier (24576 with left shift 12), tanh the
  // power-of-two path (times 6); both saturate past the table's end.
  EXPECT_EQ(run("QLinearSigmoid", 1.0 / 2048, {32767, -32768}), (std::vector<double>{32767, 1}));
  EXPECT_EQ(run("QLinearTanh", 1.0 / 2048, {32767, -32768}), (std::vector<double>{32767, -32767}));
  // Scale 0.001 (multiplier 25165, left shift 11): 500 -> 6144, entry 12 (40794).
  EXPECT_EQ(run("QLinearSigmoid", 0.001, {500}), (std::vector<double>{20397}));
}

TEST(TfliteQuantOps, SigmoidInFloatOtherwise) {
  // A non-zero int16 zero point is not TFLite's kernel: float, sigmoid(0.5) * 32768 = 20396.9.
  auto y = RunOp(
      "QLinearSigmoid",
      {I16({2}, {510, 10}), F({}, {0.001}), I16({}, {10}), F({}, {1.0 / 32768}), I16({}, {0})},
      Rounding("tflite"));
  EXPECT_EQ(Doubles(y), (std::vector<double>{20397, 16384}));
}

TEST(TfliteQuantOps, SoftmaxAndErrors) {
  auto y = RunOp("QLinearSoftmax",
                 {I8({2}, {7, 7}), F({}, {1}), I8({}, {0}), F({}, {1.0 / 256}), I8({}, {-128})});
  EXPECT_EQ(Doubles(y), (std::vector<double>{0, 0}));
  EXPECT_NE(test::InferError("QLinearAdd", {I16({1}, {0}), F({}, {1}), I16({}, {0}), I8({1}, {0}),
                                            F({}, {1}), I8({}, {0}), F({}, {1}), I16({}, {0})}),
            "");
  EXPECT_NE(test::InferError("Requantize",
                             {I32({1}, {0}), F({}, {1}), I32({}, {0}), F({}, {1}), I16({}, {0})},
                             Rounding("round")),
            "");
}

}  // namespace
}  // namespace halo
