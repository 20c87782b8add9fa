// Element-wise ops: type/shape rules and numeric results through the executor. Expected
// values are worked out by hand or with the C math library (numpy agrees on these inputs).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <functional>
#include <limits>

#include "op_test_util.h"

namespace halo {
namespace {

using test::Arg;
using test::Bools;
using test::Doubles;
using test::F32s;
using test::I64s;
using test::InferError;
using test::Make;
using test::OpGraph;
using test::RunOp;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

void ExpectNear(const std::vector<double>& got, const std::vector<double>& want,
                double tol = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i << ": " << got[i];
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got[i], want[i]) << "at " << i;
    } else {
      EXPECT_NEAR(got[i], want[i], tol * std::max(1.0, std::fabs(want[i]))) << "at " << i;
    }
  }
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// ---- Rules ----

TEST(ElementwiseRules, ComparisonGivesBoolAndBroadcasts) {
  OpGraph og("Less", {F32s({2, 1}, {1, 2}), F32s({3}, {1, 2, 3})});
  EXPECT_EQ(og.Infer(), Type(DataType::kBool, {2, 3}));
}

TEST(ElementwiseRules, ComparisonRejectsMixedTypes) {
  std::string e = InferError("Equal", {F32s({2}, {1, 2}), I64s({2}, {1, 2})});
  EXPECT_TRUE(Contains(e, "same element type")) << e;
}

TEST(ElementwiseRules, FloatOnlyOpsRejectIntegers) {
  std::string e = InferError("Exp", {I64s({2}, {1, 2})});
  EXPECT_TRUE(Contains(e, "Exp input 'input' has element type i64")) << e;
  EXPECT_TRUE(Contains(InferError("And", {F32s({1}, {1}), F32s({1}, {1})}), "takes bool"));
  EXPECT_TRUE(Contains(InferError("BitShift", {I64s({1}, {1}), I64s({1}, {1})},
                                  {{"direction", std::string("LEFT")}}),
                       "unsigned"));
}

TEST(ElementwiseRules, BitShiftNeedsDirection) {
  auto u8 = Make<int>(DataType::kUInt8, {1}, {1});
  EXPECT_TRUE(Contains(InferError("BitShift", {u8, u8}), "'direction' is required"));
  EXPECT_TRUE(Contains(InferError("BitShift", {u8, u8}, {{"direction", std::string("UP")}}),
                       "LEFT or RIGHT"));
}

TEST(ElementwiseRules, WhereBroadcastsThreeWays) {
  OpGraph og("Where",
             {Bools({2, 1, 1}, {1, 0}), F32s({1, 3, 1}, {1, 2, 3}), F32s({4}, {0, 0, 0, 0})});
  EXPECT_EQ(og.Infer(), Type(DataType::kFloat32, {2, 3, 4}));
  EXPECT_TRUE(Contains(InferError("Where", {F32s({1}, {1}), F32s({1}, {1}), F32s({1}, {1})}),
                       "'condition' must be bool"));
}

TEST(ElementwiseRules, ClipFoldsConstantBounds) {
  OpGraph og("Clip", {F32s({3}, {1, 2, 3}), Arg::Const(F32s({}, {-1})), Arg::Absent()});
  EXPECT_EQ(og.Infer(), Type(DataType::kFloat32, {3}));
  EXPECT_EQ(og.node->GetFloat("min"), -1);
  EXPECT_EQ(og.node->GetFloat("max"), FLT_MAX);
  std::string e = InferError("Clip", {F32s({3}, {1, 2, 3}), F32s({}, {-1})});
  EXPECT_TRUE(Contains(e, "input 'min' must be a constant")) << e;
  e = InferError("Clip", {F32s({3}, {1, 2, 3}), Arg::Const(I64s({}, {-1}))});
  EXPECT_TRUE(Contains(e, "element type of 'input'")) << e;
}

TEST(ElementwiseRules, CastAndCastLikeTypes) {
  EXPECT_TRUE(Contains(InferError("Cast", {F32s({2}, {1, 2})}), "'to' is required"));
  OpGraph c("Cast", {F32s({2}, {1, 2})}, {{"to", static_cast<int64_t>(DataType::kInt8)}});
  EXPECT_EQ(c.Infer(), Type(DataType::kInt8, {2}));
  OpGraph cl("CastLike", {F32s({2}, {1, 2}), I64s({1}, {0})});
  EXPECT_EQ(cl.Infer(), Type(DataType::kInt64, {2}));
}

TEST(ElementwiseRules, PowKeepsBaseType) {
  OpGraph og("Pow", {Make<int>(DataType::kInt32, {2}, {1, 2}), F32s({1}, {2})});
  EXPECT_EQ(og.Infer(), Type(DataType::kInt32, {2}));
}

TEST(ElementwiseRules, FloatModNeedsFmod) {
  EXPECT_TRUE(Contains(InferError("Mod", {F32s({1}, {1}), F32s({1}, {1})}), "fmod=1"));
  EXPECT_EQ(InferError("Mod", {F32s({1}, {1}), F32s({1}, {1})}, {{"fmod", int64_t{1}}}), "");
}

TEST(ElementwiseRules, PReluSlopeMustBroadcastToX) {
  EXPECT_TRUE(
      Contains(InferError("PRelu", {F32s({3}, {1, 2, 3}), F32s({2, 3}, {1, 1, 1, 1, 1, 1})}),
               "does not broadcast"));
}

TEST(ElementwiseRules, VariadicBroadcastAndTypes) {
  OpGraph og("Max", {F32s({2, 1}, {1, 2}), F32s({3}, {1, 2, 3}), F32s({1}, {0})});
  EXPECT_EQ(og.Infer(), Type(DataType::kFloat32, {2, 3}));
  EXPECT_TRUE(Contains(InferError("Sum", {F32s({1}, {1}), I64s({1}, {1})}), "one element type"));
  EXPECT_TRUE(Contains(InferError("Mean", {I64s({1}, {1})}), "float types"));
}

TEST(ElementwiseRules, DropoutMaskAndTrainingMode) {
  OpGraph og("Dropout", {F32s({2}, {1, 2})}, {}, 2);
  og.Infer();
  EXPECT_EQ(og.node->output(1)->type(), Type(DataType::kBool, {2}));
  std::string e = InferError(
      "Dropout", {F32s({2}, {1, 2}), Arg::Const(F32s({}, {0.3})), Arg::Const(Bools({}, {1}))});
  EXPECT_TRUE(Contains(e, "training mode")) << e;
}

// ---- Numeric results ----

TEST(ElementwiseRun, FloatUnaryMaps) {
  std::vector<double> x = {-2.5, -0.7, 0.0, 0.3, 1.5, 4.0};
  struct Case {
    const char* op;
    std::function<double(double)> f;
  };
  const Case cases[] = {
      {"Abs", [](double v) { return std::fabs(v); }},
      {"Neg", [](double v) { return -v; }},
      {"Exp", [](double v) { return std::exp(v); }},
      {"Floor", [](double v) { return std::floor(v); }},
      {"Ceil", [](double v) { return std::ceil(v); }},
      {"Sign", [](double v) { return double((v > 0) - (v < 0)); }},
      {"Sin", [](double v) { return std::sin(v); }},
      {"Cos", [](double v) { return std::cos(v); }},
      {"Tan", [](double v) { return std::tan(v); }},
      {"Atan", [](double v) { return std::atan(v); }},
      {"Sinh", [](double v) { return std::sinh(v); }},
      {"Cosh", [](double v) { return std::cosh(v); }},
      {"Asinh", [](double v) { return std::asinh(v); }},
      {"Erf", [](double v) { return std::erf(v); }},
      {"Sigmoid", [](double v) { return 1 / (1 + std::exp(-v)); }},
      {"Tanh", [](double v) { return std::tanh(v); }},
      {"Relu", [](double v) { return std::max(v, 0.0); }},
      {"HardSwish", [](double v) { return v * std::max(0.0, std::min(1.0, v / 6 + 0.5)); }},
      {"Softplus", [](double v) { return std::log(1 + std::exp(v)); }},
      {"Softsign", [](double v) { return v / (1 + std::fabs(v)); }},
      {"Identity", [](double v) { return v; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    std::vector<double> want;
    for (double v : x) want.push_back(c.f(v));
    ExpectNear(Doubles(RunOp(c.op, {F32s({2, 3}, x)})), want, 1e-5);
  }
  // Ops with restricted domains.
  std::vector<double> pos = {0.25, 1.0, 4.0};
  ExpectNear(Doubles(RunOp("Log", {F32s({3}, pos)})), {std::log(0.25), 0, std::log(4.0)});
  ExpectNear(Doubles(RunOp("Sqrt", {F32s({3}, pos)})), {0.5, 1, 2});
  ExpectNear(Doubles(RunOp("Reciprocal", {F32s({3}, pos)})), {4, 1, 0.25});
  ExpectNear(Doubles(RunOp("Acosh", {F32s({3}, {1, 2, 4})})),
             {0, std::acosh(2.0), std::acosh(4.0)});
  std::vector<double> unit = {-0.5, 0, 0.75};
  ExpectNear(Doubles(RunOp("Asin", {F32s({3}, unit)})), {std::asin(-0.5), 0, std::asin(0.75)});
  ExpectNear(Doubles(RunOp("Acos", {F32s({3}, unit)})),
             {std::acos(-0.5), std::acos(0.0), std::acos(0.75)});
  ExpectNear(Doubles(RunOp("Atanh", {F32s({3}, unit)})), {std::atanh(-0.5), 0, std::atanh(0.75)});
  // Softplus stays finite and exact for large inputs.
  ExpectNear(Doubles(RunOp("Softplus", {F32s({2}, {100, -100})})), {100, std::exp(-100.0)});
  ExpectNear(Doubles(RunOp("Sigmoid", {F32s({2}, {-100, 100})})), {std::exp(-100.0), 1});
}

TEST(ElementwiseRun, RoundHalvesToEven) {
  ExpectNear(Doubles(RunOp("Round", {F32s({7}, {0.5, 1.5, 2.5, -0.5, -1.5, 2.3, -2.7})})),
             {0, 2, 2, -0.0, -2, 2, -3});
}

TEST(ElementwiseRun, IntegerUnaryMaps) {
  auto x = Make<int>(DataType::kInt8, {4}, {-128, -3, 0, 5});
  EXPECT_EQ(Doubles(RunOp("Abs", {x})), (std::vector<double>{-128, 3, 0, 5}));  // wraps like numpy
  EXPECT_EQ(Doubles(RunOp("Neg", {x})), (std::vector<double>{-128, 3, 0, -5}));
  EXPECT_EQ(Doubles(RunOp("Sign", {x})), (std::vector<double>{-1, -1, 0, 1}));
  EXPECT_EQ(Doubles(RunOp("Relu", {x})), (std::vector<double>{0, 0, 0, 5}));
  auto u = Make<int>(DataType::kUInt16, {3}, {0, 7, 65535});
  EXPECT_EQ(Doubles(RunOp("Sign", {u})), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(Doubles(RunOp("Abs", {u})), (std::vector<double>{0, 7, 65535}));
  EXPECT_EQ(Doubles(RunOp("Not", {Bools({3}, {1, 0, 1})})), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(Doubles(RunOp("Identity", {Bools({2}, {1, 0})})), (std::vector<double>{1, 0}));
}

TEST(ElementwiseRun, ParameterisedActivations) {
  auto x = F32s({5}, {-2, -0.5, 0, 0.5, 2});
  ExpectNear(Doubles(RunOp("LeakyRelu", {x}, {{"alpha", 0.1}})), {-0.2, -0.05, 0, 0.5, 2});
  ExpectNear(Doubles(RunOp("LeakyRelu", {x})), {-0.02, -0.005, 0, 0.5, 2});
  ExpectNear(Doubles(RunOp("Elu", {x}, {{"alpha", 2.0}})),
             {2 * std::expm1(-2.0), 2 * std::expm1(-0.5), 0, 0.5, 2});
  double a = 1.67326319217681884765625, g = 1.05070102214813232421875;
  ExpectNear(Doubles(RunOp("Selu", {x})),
             {g * a * std::expm1(-2.0), g * a * std::expm1(-0.5), 0, g * 0.5, g * 2});
  ExpectNear(Doubles(RunOp("Celu", {x}, {{"alpha", 2.0}})),
             {2 * std::expm1(-1.0), 2 * std::expm1(-0.25), 0, 0.5, 2});
  ExpectNear(Doubles(RunOp("HardSigmoid", {x}, {{"alpha", 0.5}, {"beta", 0.6}})),
             {0, 0.35, 0.6, 0.85, 1});
  ExpectNear(Doubles(RunOp("ThresholdedRelu", {x}, {{"alpha", 0.4}})), {0, 0, 0, 0.5, 2});
  ExpectNear(Doubles(RunOp("Shrink", {x}, {{"bias", 1.5}, {"lambd", 1.0}})), {-0.5, 0, 0, 0, 0.5});
  auto xi = Make<int>(DataType::kInt32, {5}, {-8, -1, 0, 1, 8});
  EXPECT_EQ(Doubles(RunOp("Shrink", {xi}, {{"bias", 1.5}, {"lambd", 1.0}})),
            (std::vector<double>{-6, 0, 0, 0, 6}));  // -6.5 and 6.5 truncate
  ExpectNear(Doubles(RunOp("PRelu", {F32s({2, 2}, {-1, 2, -3, 4}), F32s({2}, {0.5, 0.25})})),
             {-0.5, 2, -1.5, 4});
}

TEST(ElementwiseRun, NaNAndInfTests) {
  auto x = Make<double>(DataType::kFloat64, {4}, {kNaN, kInf, -kInf, 1});
  EXPECT_EQ(Doubles(RunOp("IsNaN", {x})), (std::vector<double>{1, 0, 0, 0}));
  EXPECT_EQ(Doubles(RunOp("IsInf", {x})), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(Doubles(RunOp("IsInf", {x}, {{"detect_positive", int64_t{0}}})),
            (std::vector<double>{0, 0, 1, 0}));
  EXPECT_EQ(Doubles(RunOp("IsInf", {x}, {{"detect_negative", int64_t{0}}})),
            (std::vector<double>{0, 1, 0, 0}));
}

Tensor CastTo(const Tensor& x, DataType to) {
  return RunOp("Cast", {x}, {{"to", static_cast<int64_t>(to)}});
}

TEST(ElementwiseRun, Cast) {
  auto f = F32s({6}, {-1.7, 2.9, 1e10, -1e10, kNaN, 0});
  EXPECT_EQ(CastTo(f, DataType::kInt32).ToInts(),
            (std::vector<int64_t>{-1, 2, INT32_MAX, INT32_MIN, 0, 0}));
  EXPECT_EQ(CastTo(f, DataType::kUInt8).ToInts(), (std::vector<int64_t>{0, 2, 255, 0, 0, 0}));
  EXPECT_EQ(CastTo(f, DataType::kBool).ToInts(), (std::vector<int64_t>{1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(Doubles(CastTo(Bools({2}, {1, 0}), DataType::kFloat64)), (std::vector<double>{1, 0}));
  auto big = Make<int64_t>(DataType::kInt64, {2}, {(int64_t{1} << 53) + 1, -3});
  EXPECT_EQ(Doubles(CastTo(big, DataType::kFloat64)),
            (std::vector<double>{9007199254740992.0, -3}));
  EXPECT_EQ(CastTo(Make<int>(DataType::kInt32, {2}, {300, -1}), DataType::kUInt8).ToInts(),
            (std::vector<int64_t>{44, 255}));  // integer narrowing wraps
  // float16: bits of 1, 65504 (largest), 0.1 (rounded), 1e-8 (underflows), 1e5 (overflows).
  auto h = CastTo(F32s({5}, {1, 65504, 0.1, 1e-8, 1e5}), DataType::kFloat16);
  const uint16_t* bits = h.data<uint16_t>();
  EXPECT_EQ(std::vector<int>(bits, bits + 5),
            (std::vector<int>{0x3C00, 0x7BFF, 0x2E66, 0, 0x7C00}));
  auto back = CastTo(h, DataType::kFloat32);
  ExpectNear(Doubles(back), {1, 65504, 0.0999755859375, 0, kInf});
  auto sub = CastTo(Make<int>(DataType::kFloat16, {2}, {0x0001, 0x8200}), DataType::kFloat64);
  ExpectNear(Doubles(sub), {std::ldexp(1.0, -24), -std::ldexp(1.0, -15)}, 0);
  // CastLike takes the type of its second input.
  EXPECT_EQ(RunOp("CastLike", {F32s({2}, {3.7, -3.7}), I64s({1}, {0})}).ToInts(),
            (std::vector<int64_t>{3, -3}));
}

TEST(ElementwiseRun, Clip) {
  auto x = F32s({5}, {-3, -1, 0, 2, kInf});
  ExpectNear(Doubles(RunOp("Clip", {x, Arg::Const(F32s({}, {-1.5})), Arg::Const(F32s({}, {1}))})),
             {-1.5, -1, 0, 1, 1});
  ExpectNear(Doubles(RunOp("Clip", {x, Arg::Absent(), Arg::Const(F32s({}, {1}))})),
             {-3, -1, 0, 1, 1});
  ExpectNear(Doubles(RunOp("Clip", {x})), {-3, -1, 0, 2, kInf});
  ExpectNear(Doubles(RunOp("Clip", {x}, {{"min", -2.0}})), {-2, -1, 0, 2, kInf});  // opset 6 attrs
  auto i8 = Make<int>(DataType::kInt8, {4}, {-128, -5, 5, 127});
  EXPECT_EQ(RunOp("Clip", {i8, Arg::Const(Make<int>(DataType::kInt8, {}, {-6}))}).ToInts(),
            (std::vector<int64_t>{-6, -5, 5, 127}));
  EXPECT_EQ(
      RunOp("Clip", {i8, Arg::Absent(), Arg::Const(Make<int>(DataType::kInt8, {}, {0}))}).ToInts(),
      (std::vector<int64_t>{-128, -5, 0, 0}));
  // min > max: everything becomes max (numpy).
  ExpectNear(Doubles(RunOp("Clip", {x, Arg::Const(F32s({}, {2})), Arg::Const(F32s({}, {1}))})),
             {1, 1, 1, 1, 1});
}

TEST(ElementwiseRun, DropoutIsIdentityWithTrueMask) {
  OpGraph og("Dropout", {F32s({3}, {1, 2, 3}), Arg::Const(F32s({}, {0.5}))}, {}, 2);
  auto out = og.Run();
  ExpectNear(Doubles(out[0]), {1, 2, 3});
  EXPECT_EQ(Doubles(out[1]), (std::vector<double>{1, 1, 1}));
}

TEST(ElementwiseRun, Arithmetic) {
  auto a = F32s({2, 3}, {1, 2, 3, 4, 5, 6});
  auto b = F32s({3}, {2, 4, 8});
  ExpectNear(Doubles(RunOp("Add", {a, b})), {3, 6, 11, 6, 9, 14});
  ExpectNear(Doubles(RunOp("Sub", {a, b})), {-1, -2, -5, 2, 1, -2});
  ExpectNear(Doubles(RunOp("Mul", {a, b})), {2, 8, 24, 8, 20, 48});
  ExpectNear(Doubles(RunOp("Div", {a, b})), {0.5, 0.5, 0.375, 2, 1.25, 0.75});
  auto u8a = Make<int>(DataType::kUInt8, {3}, {250, 7, 9});
  auto u8b = Make<int>(DataType::kUInt8, {3}, {10, 2, 0});
  EXPECT_EQ(RunOp("Add", {u8a, u8b}).ToInts(), (std::vector<int64_t>{4, 9, 9}));  // wraps
  EXPECT_EQ(RunOp("Div", {u8a, u8b}).ToInts(), (std::vector<int64_t>{25, 3, 0}));
  auto ia = Make<int>(DataType::kInt32, {4}, {7, -7, 7, INT32_MIN});
  auto ib = Make<int>(DataType::kInt32, {4}, {2, 2, -2, -1});
  EXPECT_EQ(RunOp("Div", {ia, ib}).ToInts(), (std::vector<int64_t>{3, -3, -3, INT32_MIN}));
  // Integer overflow wraps like numpy.
  auto big = Make<int64_t>(DataType::kInt32, {2}, {INT32_MAX, INT32_MIN});
  EXPECT_EQ(RunOp("Add", {big, Make<int>(DataType::kInt32, {1}, {1})}).ToInts(),
            (std::vector<int64_t>{INT32_MIN, INT32_MIN + 1}));
  EXPECT_EQ(RunOp("Mul", {big, Make<int>(DataType::kInt32, {1}, {2})}).ToInts(),
            (std::vector<int64_t>{-2, 0}));
  EXPECT_EQ(RunOp("Neg", {big}).ToInts(), (std::vector<int64_t>{-INT32_MAX, INT32_MIN}));
  auto u16 = Make<int>(DataType::kUInt16, {1}, {65535});
  EXPECT_EQ(RunOp("Mul", {u16, u16}).ToInts(), (std::vector<int64_t>{1}));
}

TEST(ElementwiseRun, Mod) {
  auto a = Make<int>(DataType::kInt32, {5}, {-4, 7, 5, -7, 6});
  auto b = Make<int>(DataType::kInt32, {5}, {3, -3, 0, -3, 3});
  EXPECT_EQ(RunOp("Mod", {a, b}).ToInts(), (std::vector<int64_t>{2, -2, 0, -1, 0}));
  EXPECT_EQ(RunOp("Mod", {a, b}, {{"fmod", int64_t{1}}}).ToInts(),
            (std::vector<int64_t>{-1, 1, 0, -1, 0}));
  ExpectNear(Doubles(RunOp("Mod", {F32s({3}, {-4.5, 7.5, 5}), F32s({3}, {2, -2, 3})},
                           {{"fmod", int64_t{1}}})),
             {-0.5, 1.5, 2});
  auto u = Make<int>(DataType::kUInt8, {2}, {200, 7});
  EXPECT_EQ(RunOp("Mod", {u, Make<int>(DataType::kUInt8, {1}, {9})}).ToInts(),
            (std::vector<int64_t>{2, 7}));
}

TEST(ElementwiseRun, Pow) {
  ExpectNear(Doubles(RunOp("Pow", {F32s({3}, {2, 4, -2}), F32s({3}, {3, 0.5, 2})})), {8, 2, 4});
  auto i = Make<int>(DataType::kInt32, {3}, {1, 2, 3});
  EXPECT_EQ(RunOp("Pow", {i, Make<int>(DataType::kInt32, {3}, {4, 5, 6})}).ToInts(),
            (std::vector<int64_t>{1, 32, 729}));
  EXPECT_EQ(RunOp("Pow", {i, F32s({3}, {0.5, 2.5, -1})}).ToInts(), (std::vector<int64_t>{1, 5, 0}));
  ExpectNear(Doubles(RunOp("Pow", {F32s({3}, {1, 2, 3}), I64s({1}, {3})})), {1, 8, 27});
  auto big = Make<int64_t>(DataType::kInt64, {1}, {3});
  EXPECT_EQ(RunOp("Pow", {big, I64s({1}, {39})}).ToInts(),
            (std::vector<int64_t>{4052555153018976267}));  // exact beyond double precision
}

TEST(ElementwiseRun, BitShift) {
  auto x = Make<int>(DataType::kUInt8, {4}, {16, 4, 1, 255});
  auto y = Make<int>(DataType::kUInt8, {4}, {1, 2, 8, 7});
  EXPECT_EQ(RunOp("BitShift", {x, y}, {{"direction", std::string("RIGHT")}}).ToInts(),
            (std::vector<int64_t>{8, 1, 0, 1}));
  EXPECT_EQ(RunOp("BitShift", {x, y}, {{"direction", std::string("LEFT")}}).ToInts(),
            (std::vector<int64_t>{32, 16, 0, 128}));
}

TEST(ElementwiseRun, ComparisonsAndLogic) {
  auto a = F32s({2, 2}, {1, 2, 3, kNaN});
  auto b = F32s({2}, {2, 2});
  EXPECT_EQ(Doubles(RunOp("Equal", {a, b})), (std::vector<double>{0, 1, 0, 0}));
  EXPECT_EQ(Doubles(RunOp("Less", {a, b})), (std::vector<double>{1, 0, 0, 0}));
  EXPECT_EQ(Doubles(RunOp("LessOrEqual", {a, b})), (std::vector<double>{1, 1, 0, 0}));
  EXPECT_EQ(Doubles(RunOp("Greater", {a, b})), (std::vector<double>{0, 0, 1, 0}));
  EXPECT_EQ(Doubles(RunOp("GreaterOrEqual", {a, b})), (std::vector<double>{0, 1, 1, 0}));
  auto p = Bools({2, 2}, {0, 0, 1, 1});
  auto q = Bools({2}, {0, 1});
  EXPECT_EQ(Doubles(RunOp("And", {p, q})), (std::vector<double>{0, 0, 0, 1}));
  EXPECT_EQ(Doubles(RunOp("Or", {p, q})), (std::vector<double>{0, 1, 1, 1}));
  EXPECT_EQ(Doubles(RunOp("Xor", {p, q})), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(Doubles(RunOp("Equal", {p, q})), (std::vector<double>{1, 0, 0, 1}));
  auto u = Make<int64_t>(DataType::kUInt32, {2}, {1, 4000000000});
  EXPECT_EQ(Doubles(RunOp("Greater", {u, Make<int>(DataType::kUInt32, {1}, {2})})),
            (std::vector<double>{0, 1}));
}

TEST(ElementwiseRun, Where) {
  auto c = Bools({2, 1}, {1, 0});
  auto x = Make<int>(DataType::kInt64, {1, 3}, {1, 2, 3});
  auto y = I64s({}, {-1});
  EXPECT_EQ(RunOp("Where", {c, x, y}).ToInts(), (std::vector<int64_t>{1, 2, 3, -1, -1, -1}));
}

TEST(ElementwiseRun, Variadic) {
  auto a = F32s({2, 1}, {1, 10});
  auto b = F32s({3}, {1, 2, 3});
  auto c = F32s({1}, {2});
  ExpectNear(Doubles(RunOp("Sum", {a, b, c})), {4, 5, 6, 13, 14, 15});
  ExpectNear(Doubles(RunOp("Mean", {a, b, c})), {4 / 3.0, 5 / 3.0, 2, 13 / 3.0, 14 / 3.0, 5});
  ExpectNear(Doubles(RunOp("Max", {a, b, c})), {2, 2, 3, 10, 10, 10});
  ExpectNear(Doubles(RunOp("Min", {a, b, c})), {1, 1, 1, 1, 2, 2});
  ExpectNear(Doubles(RunOp("Sum", {b})), {1, 2, 3});
  ExpectNear(Doubles(RunOp("Max", {F32s({2}, {1, kNaN}), F32s({2}, {kNaN, 1})})), {kNaN, kNaN});
  auto i = Make<int>(DataType::kInt16, {3}, {-5, 0, 5});
  EXPECT_EQ(RunOp("Min", {i, Make<int>(DataType::kInt16, {3}, {-6, 1, 4})}).ToInts(),
            (std::vector<int64_t>{-6, 0, 4}));
}

TEST(ElementwiseRun, LargeBroadcastMatchesScalarLoop) {
  // Big enough to split over threads.
  const int64_t rows = 300, cols = 257;
  std::vector<double> av(rows * cols), bv(cols);
  for (int64_t i = 0; i < rows * cols; ++i) av[i] = (i % 97) * 0.5 - 20;
  for (int64_t j = 0; j < cols; ++j) bv[j] = (j % 13) + 1;
  auto got = Doubles(RunOp("Div", {F32s({rows, cols}, av), F32s({1, cols}, bv)}));
  for (int64_t i = 0; i < rows * cols; ++i)
    ASSERT_FLOAT_EQ(got[i], static_cast<float>(av[i]) / static_cast<float>(bv[i % cols])) << i;
}

TEST(ElementwiseRun, ConstantInputsFold) {
  // All-constant nodes are evaluated by shape inference (constant folding).
  Graph g;
  Value* a = g.AddConstant("a", F32s({2}, {-1, 4}));
  Node* n = g.AddNode("Sqrt", "s", {g.AddNode("Abs", "abs", {a})->output()});
  g.AddOutput(n->output());
  InferShapes(g);
  const Tensor* k = ConstantOf(g.outputs()[0]);
  ASSERT_NE(k, nullptr);
  ExpectNear(Doubles(*k), {1, 2});
}

}  // namespace
}  // namespace halo
