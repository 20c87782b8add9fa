// float16 and bfloat16: conversions through Cast (rounding, subnormals, inf/NaN), element-wise
// ops computed in float and rounded back, and reading their elements in the IR.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "op_test_util.h"

namespace halo {
namespace {

using test::Make;
using test::RunOp;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Tensor CastTo(const Tensor& x, DataType to) {
  return RunOp("Cast", {x}, {{"to", static_cast<int64_t>(to)}});
}

std::vector<int> Bits(const Tensor& t) {
  const uint16_t* b = t.data<uint16_t>();
  return std::vector<int>(b, b + t.type().NumElements());
}

Tensor Halves(const std::vector<int>& bits) {
  return Make(DataType::kFloat16, {static_cast<int64_t>(bits.size())}, bits);
}

TEST(HalfFloat, FloatToHalfRoundsToNearestEven) {
  double u = std::ldexp(1.0, -11);  // half an ulp of 1 in float16
  auto x = Make(
      DataType::kFloat32, {6},
      std::vector<double>{1 + u, 1 + 3 * u, 1 + u + std::ldexp(1.0, -20), 65519, 65520, -65504});
  EXPECT_EQ(Bits(CastTo(x, DataType::kFloat16)),
            (std::vector<int>{0x3C00, 0x3C02, 0x3C01, 0x7BFF, 0x7C00, 0xFBFF}));
}

TEST(HalfFloat, HalfSubnormals) {
  double s = std::ldexp(1.0, -24);  // the smallest subnormal
  auto x = Make(DataType::kFloat32, {6},
                std::vector<double>{s / 2, 3 * s / 2, s / 2 + std::ldexp(1.0, -40), 1023 * s,
                                    std::ldexp(1.0, -14), -s});
  Tensor h = CastTo(x, DataType::kFloat16);
  EXPECT_EQ(Bits(h), (std::vector<int>{0x0000, 0x0002, 0x0001, 0x03FF, 0x0400, 0x8001}));
  EXPECT_EQ(CastTo(h, DataType::kFloat64).ToDoubles(),
            (std::vector<double>{0, 2 * s, s, 1023 * s, std::ldexp(1.0, -14), -s}));
}

TEST(HalfFloat, HalfInfNaNAndZeros) {
  auto x = Make(DataType::kFloat32, {5}, std::vector<double>{kInf, -kInf, kNaN, -0.0, 1e-30});
  std::vector<int> b = Bits(CastTo(x, DataType::kFloat16));
  EXPECT_EQ(b[0], 0x7C00);
  EXPECT_EQ(b[1], 0xFC00);
  EXPECT_EQ(b[2] & 0x7C00, 0x7C00);
  EXPECT_NE(b[2] & 0x3FF, 0);  // still a NaN
  EXPECT_EQ(b[3], 0x8000);
  EXPECT_EQ(b[4], 0x0000);
  std::vector<double> back = CastTo(Halves(b), DataType::kFloat32).ToDoubles();
  EXPECT_EQ(back[0], kInf);
  EXPECT_EQ(back[1], -kInf);
  EXPECT_TRUE(std::isnan(back[2]));
  EXPECT_TRUE(std::signbit(back[3]));
}

TEST(HalfFloat, FromDoubleAndIntegersRoundOnce) {
  // Through the nearest float 1 + 2^-11 + 2^-40 would become the tie 1 + 2^-11 and round to 1.
  double x = 1 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  auto d = Make(DataType::kFloat64, {2}, std::vector<double>{x, 1 + std::ldexp(1.0, -8) + 1e-12});
  EXPECT_EQ(Bits(CastTo(d, DataType::kFloat16))[0], 0x3C01);
  EXPECT_EQ(Bits(CastTo(d, DataType::kBFloat16))[1], 0x3F81);
  auto i = Make(DataType::kInt32, {3}, std::vector<int>{2049, 2051, -70000});
  EXPECT_EQ(Bits(CastTo(i, DataType::kFloat16)), (std::vector<int>{0x6800, 0x6802, 0xFC00}));
}

TEST(HalfFloat, BFloat16Conversions) {
  double u = std::ldexp(1.0, -8);  // half an ulp of 1 in bfloat16
  auto x = Make(DataType::kFloat32, {8},
                std::vector<double>{1 + u, 1 + 3 * u, 1 + u + std::ldexp(1.0, -20),
                                    std::numeric_limits<float>::max(), -kInf, kNaN,
                                    std::ldexp(1.0, -130), -0.0});
  std::vector<int> b = Bits(CastTo(x, DataType::kBFloat16));
  EXPECT_EQ(std::vector<int>(b.begin(), b.begin() + 5),
            (std::vector<int>{0x3F80, 0x3F82, 0x3F81, 0x7F80, 0xFF80}));
  EXPECT_EQ(b[5] & 0x7F80, 0x7F80);
  EXPECT_NE(b[5] & 0x7F, 0);  // still a NaN
  EXPECT_EQ(b[6], 0x0008);    // a float subnormal, exact
  EXPECT_EQ(b[7], 0x8000);
  Tensor bf = Make(DataType::kBFloat16, {3}, std::vector<int>{0x3F81, 0x0008, 0xC120});
  EXPECT_EQ(CastTo(bf, DataType::kFloat32).ToDoubles(),
            (std::vector<double>{1 + 2 * u, std::ldexp(1.0, -130), -10}));
  // bfloat16 <-> float16 through float: exact one way, rounded (and subnormal) the other.
  EXPECT_EQ(Bits(CastTo(bf, DataType::kFloat16)), (std::vector<int>{0x3C08, 0x0000, 0xC900}));
  EXPECT_EQ(Bits(CastTo(Halves({0x3C01, 0x7BFF}), DataType::kBFloat16)),
            (std::vector<int>{0x3F80, 0x4780}));
  EXPECT_EQ(CastTo(bf, DataType::kInt32).ToInts(), (std::vector<int64_t>{1, 0, -10}));
}

TEST(HalfFloat, ElementwiseOpsComputeInFloat) {
  // 1 + 2^-11 and (1 + 2^-10) + 2^-11 are ties: rounded to even once, from the exact sum.
  Tensor a = Halves({0x3C00, 0x3C01, 0x7BFF, 0x4000});
  Tensor b = Halves({0x1000, 0x1000, 0x7BFF, 0x7E00});
  EXPECT_EQ(Bits(RunOp("Add", {a, b})), (std::vector<int>{0x3C00, 0x3C02, 0x7C00, 0x7E00}));
  std::vector<int> mx = Bits(RunOp("Max", {a, b}));
  EXPECT_EQ(std::vector<int>(mx.begin(), mx.begin() + 3),
            (std::vector<int>{0x3C00, 0x3C01, 0x7BFF}));
  EXPECT_EQ(mx[3] & 0x7E00, 0x7E00);  // NaN propagates
  EXPECT_EQ(Bits(RunOp("Min", {a, b}))[0], 0x1000);
  EXPECT_EQ(RunOp("Equal", {a, b}).ToInts(), (std::vector<int64_t>{0, 0, 1, 0}));
  // fmod(-4.30078125, 2.099609375) = -0.1015625, exact in float16.
  Tensor m = RunOp("Mod", {Halves({0xC44D}), Halves({0x4033})}, {{"fmod", int64_t{1}}});
  EXPECT_EQ(m.ToDoubles(), (std::vector<double>{std::fmod(-4.30078125, 2.099609375)}));
}

TEST(HalfFloat, UnaryOpsComputeInFloat) {
  Tensor x = Halves({0x3C00, 0xC000, 0x7C00});  // 1, -2, inf
  EXPECT_EQ(Bits(RunOp("Exp", {x})), (std::vector<int>{0x4170, 0x3055, 0x7C00}));
  EXPECT_EQ(Bits(RunOp("Relu", {x})), (std::vector<int>{0x3C00, 0x0000, 0x7C00}));
  EXPECT_EQ(RunOp("IsInf", {x}).ToInts(), (std::vector<int64_t>{0, 0, 1}));
}

TEST(HalfFloat, OtherOpsRejectIt) {
  Tensor m = Make(DataType::kFloat16, {2, 2}, std::vector<int>{0x3C00, 0, 0, 0x3C00});
  EXPECT_NE(test::InferError("MatMul", {m, m}).find("f16 is not supported"), std::string::npos);
}

TEST(HalfFloat, TensorElements) {
  Tensor h = Halves({0x3C00, 0xC100, 0x0001});
  EXPECT_EQ(h.ToDoubles(), (std::vector<double>{1, -2.5, std::ldexp(1.0, -24)}));
  EXPECT_EQ(h.GetInt(1), -2);
  Tensor b = Make(DataType::kBFloat16, {1}, std::vector<int>{0x4049});
  EXPECT_DOUBLE_EQ(b.GetDouble(0), 3.140625);
  EXPECT_EQ(DataTypeSize(DataType::kBFloat16), 2u);
  EXPECT_STREQ(DataTypeName(DataType::kBFloat16), "bf16");
  EXPECT_STREQ(DataTypeCName(DataType::kBFloat16), "uint16_t");
  EXPECT_TRUE(IsFloat(DataType::kBFloat16) && IsHalfFloat(DataType::kFloat16));
}

}  // namespace
}  // namespace halo
