// Quantization ops: rules, and numbers through the executor against values worked out by
// hand or naive loops here.
#include <gtest/gtest.h>

#include <cmath>

#include "op_test_util.h"

namespace halo {
namespace {

using test::Arg;
using test::Doubles;
using test::Make;
using test::OpGraph;
using test::RunOp;

Tensor U8(const Shape& s, const std::vector<int>& v) { return Make(DataType::kUInt8, s, v); }
Tensor I8(const Shape& s, const std::vector<int>& v) { return Make(DataType::kInt8, s, v); }
Tensor F(const Shape& s, const std::vector<double>& v) { return test::F32s(s, v); }

TEST(QuantNumeric, QuantizeRoundsHalfToEvenAndSaturates) {
  // x / 2 = 0.5, 1.5, 2.5, -0.5, -1.5, 300, -300, 1.25 -> 0, 2, 2, -0, -2, sat, sat, 1.
  Tensor x = F({8}, {1, 3, 5, -1, -3, 600, -600, 2.5});
  auto u = RunOp("QuantizeLinear", {x, F({}, {2}), U8({}, {10})});
  EXPECT_EQ(u.type().dtype, DataType::kUInt8);
  EXPECT_EQ(Doubles(u), (std::vector<double>{10, 12, 12, 10, 8, 255, 0, 11}));
  auto s = RunOp("QuantizeLinear", {x, F({}, {2}), I8({}, {-1})});
  EXPECT_EQ(Doubles(s), (std::vector<double>{-1, 1, 1, -1, -3, 127, -128, 0}));
  // No zero point: uint8 with 0.
  auto d = RunOp("QuantizeLinear", {x, F({}, {2})});
  EXPECT_EQ(d.type().dtype, DataType::kUInt8);
  EXPECT_EQ(Doubles(d), (std::vector<double>{0, 2, 2, 0, 0, 255, 0, 1}));
}

TEST(QuantNumeric, PerAxisQuantizeAndDequantize) {
  // x [2, 3, 2], axis 1 (and -2): scales 1, 2, 4, zero points 0, 10, 20.
  std::vector<double> xv = {1, 2, 3, 4, 8, 16, -1, -2, -3, -4, -8, -16};
  Tensor x = F({2, 3, 2}, xv);
  for (int64_t axis : {1, -2}) {
    OpGraph q("QuantizeLinear", {x, F({3}, {1, 2, 4}), U8({3}, {0, 10, 20})}, {{"axis", axis}});
    auto y = q.Run().at(0);
    EXPECT_EQ(q.node->GetInt("axis"), 1);
    EXPECT_EQ(Doubles(y), (std::vector<double>{1, 2, 12, 12, 22, 24, 0, 0, 8, 8, 18, 16}));
    OpGraph dq("DequantizeLinear", {y, F({3}, {1, 2, 4}), U8({3}, {0, 10, 20})}, {{"axis", axis}});
    auto back = dq.Run().at(0);
    EXPECT_EQ(back.type().dtype, DataType::kFloat32);
    EXPECT_EQ(Doubles(back), (std::vector<double>{1, 2, 4, 4, 8, 16, 0, 0, -4, -4, -8, -16}));
  }
  // int32 input, no zero point.
  auto i32 = RunOp("DequantizeLinear",
                   {Make(DataType::kInt32, {3}, std::vector<int>{-7, 0, 9}), F({}, {0.5})});
  EXPECT_EQ(Doubles(i32), (std::vector<double>{-3.5, 0, 4.5}));
}

TEST(QuantNumeric, DynamicQuantizeLinear) {
  OpGraph og("DynamicQuantizeLinear", {F({4}, {-1, 0, 0.5, 2})}, {}, 3);
  auto r = og.Run();
  // scale = 3 / 255, zero point = round(1 / scale) = 85.
  float scale = 3.0f / 255.0f;
  EXPECT_FLOAT_EQ(Doubles(r[1])[0], scale);
  EXPECT_EQ(Doubles(r[2])[0], 85);
  std::vector<double> want;
  for (float v : {-1.0f, 0.0f, 0.5f, 2.0f})
    want.push_back(std::min(255.0f, std::max(0.0f, std::nearbyint(v / scale) + 85)));
  EXPECT_EQ(Doubles(r[0]), want);
  // All positive: the range widens to include 0, so the zero point is 0.
  OpGraph pos("DynamicQuantizeLinear", {F({2}, {1, 3})}, {}, 3);
  auto p = pos.Run();
  EXPECT_EQ(Doubles(p[2])[0], 0);
  EXPECT_EQ(Doubles(p[0]), (std::vector<double>{85, 255}));
}

// (a - azp) x (b - bzp) naive, row-major [m, k] x [k, n].
std::vector<double> NaiveMatMul(const std::vector<double>& a, const std::vector<double>& b, int m,
                                int k, int n, const std::vector<double>& azp,
                                const std::vector<double>& bzp) {
  std::vector<double> y(m * n, 0);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      for (int p = 0; p < k; ++p)
        y[i * n + j] += (a[i * k + p] - azp[azp.size() == 1 ? 0 : i]) *
                        (b[p * n + j] - bzp[bzp.size() == 1 ? 0 : j]);
  return y;
}

TEST(QuantNumeric, MatMulIntegerAndQLinearMatMul) {
  std::vector<double> av = {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0}, bv = {1, 4, 2, 5, 3, 6};
  Tensor a = U8({4, 3}, std::vector<int>(av.begin(), av.end()));
  Tensor b = I8({3, 2}, {1, 4, 2, 5, 3, 6});
  // Per-row a zero points, per-column b zero points.
  auto y = RunOp("MatMulInteger", {a, b, U8({4}, {1, 2, 3, 4}), I8({2}, {1, -1})});
  EXPECT_EQ(y.type(), Type(DataType::kInt32, {4, 2}));
  EXPECT_EQ(Doubles(y), NaiveMatMul(av, bv, 4, 3, 2, {1, 2, 3, 4}, {1, -1}));
  auto plain = RunOp("MatMulInteger", {a, b});
  EXPECT_EQ(Doubles(plain), NaiveMatMul(av, bv, 4, 3, 2, {0}, {0}));
  // Batched with broadcast: a [2, 4, 3] x b [3, 2].
  std::vector<int> a2(24);
  for (int i = 0; i < 24; ++i) a2[i] = (i * 7) % 13;
  auto yb = RunOp("MatMulInteger", {U8({2, 4, 3}, a2), b, U8({}, {2})});
  std::vector<double> a2d(a2.begin(), a2.end()), want;
  for (int s = 0; s < 2; ++s) {
    auto part = NaiveMatMul(std::vector<double>(a2d.begin() + s * 12, a2d.begin() + s * 12 + 12),
                            bv, 4, 3, 2, {2}, {0});
    want.insert(want.end(), part.begin(), part.end());
  }
  EXPECT_EQ(Doubles(yb), want);

  // QLinearMatMul: requantize with a_scale * b_scale / y_scale = 0.5 * 0.25 / 0.5 = 0.25.
  auto q = RunOp("QLinearMatMul", {a, F({}, {0.5}), U8({}, {1}), b, F({}, {0.25}), I8({}, {0}),
                                   F({}, {0.5}), U8({}, {100})});
  auto acc = NaiveMatMul(av, bv, 4, 3, 2, {1}, {0});
  std::vector<double> qwant;
  for (double v : acc)
    qwant.push_back(std::min(255.0, std::max(0.0, std::nearbyint(v * 0.25) + 100)));
  EXPECT_EQ(q.type().dtype, DataType::kUInt8);
  EXPECT_EQ(Doubles(q), qwant);
}

TEST(QuantNumeric, ConvIntegerAndQLinearConv) {
  // x [1, 1, 3, 3], w [2, 1, 2, 2] with per-channel zero points, pads 1 on the left/top only.
  std::vector<int> xv = {2, 3, 4, 5, 6, 7, 8, 9, 10};
  Tensor x = U8({1, 1, 3, 3}, xv);
  Tensor w = I8({2, 1, 2, 2}, {1, 0, 0, -1, 2, 1, 1, 2});
  std::map<std::string, AttrValue> attrs = {{"pads", std::vector<int64_t>{1, 1, 0, 0}}};
  OpGraph og("ConvInteger", {x, w, U8({}, {2}), I8({2}, {0, 1})}, attrs);
  auto y = og.Run().at(0);
  EXPECT_EQ(y.type(), Type(DataType::kInt32, {1, 2, 3, 3}));
  // Naive: out[m, i, j] = sum over ky, kx of (x[i + ky - 1, j + kx - 1] - 2) * (w - wzp[m]).
  std::vector<int> wv = {1, 0, 0, -1, 2, 1, 1, 2}, wzp = {0, 1};
  std::vector<double> want;
  for (int m = 0; m < 2; ++m)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        int acc = 0;
        for (int ky = 0; ky < 2; ++ky)
          for (int kx = 0; kx < 2; ++kx) {
            int yy = i + ky - 1, xx = j + kx - 1;
            if (yy < 0 || xx < 0) continue;
            acc += (xv[yy * 3 + xx] - 2) * (wv[m * 4 + ky * 2 + kx] - wzp[m]);
          }
        want.push_back(acc);
      }
  EXPECT_EQ(Doubles(y), want);

  // QLinearConv with a bias and per-channel w_scale: scale = 0.5 * w_scale[m] / 0.25.
  OpGraph q("QLinearConv",
            {x, F({}, {0.5}), U8({}, {2}), w, F({2}, {0.25, 0.5}), I8({2}, {0, 1}), F({}, {0.25}),
             I8({}, {-3}), Make(DataType::kInt32, {2}, std::vector<int>{4, -4})},
            attrs);
  auto qy = q.Run().at(0);
  EXPECT_EQ(qy.type(), Type(DataType::kInt8, {1, 2, 3, 3}));
  std::vector<double> qwant;
  for (size_t i = 0; i < want.size(); ++i) {
    int m = static_cast<int>(i / 9);
    double sc = 0.5 * (m ? 0.5 : 0.25) / 0.25;
    double v = std::nearbyint((want[i] + (m ? -4 : 4)) * sc) - 3;
    qwant.push_back(std::min(127.0, std::max(-128.0, v)));
  }
  EXPECT_EQ(Doubles(qy), qwant);
}

TEST(QuantRules, TypesAndErrors) {
  using test::InferError;
  Tensor x = F({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_NE(InferError("QuantizeLinear", {x, F({2}, {1, 1})}).find("does not match axis"),
            std::string::npos);
  EXPECT_NE(
      InferError("QuantizeLinear", {x, F({}, {1}), Make(DataType::kInt32, {}, std::vector<int>{0})})
          .find("int8 or uint8"),
      std::string::npos);
  EXPECT_NE(InferError("DequantizeLinear", {x, F({}, {1})}).find("int8, uint8 or int32"),
            std::string::npos);
  EXPECT_NE(InferError("MatMulInteger",
                       {U8({2, 3}, {1, 2, 3, 4, 5, 6}), U8({3, 1}, {1, 2, 3}), U8({3}, {1, 2, 3})})
                .find("a_zero_point"),
            std::string::npos);
  OpGraph ci("ConvInteger",
             {U8({1, 1, 4, 4}, std::vector<int>(16, 1)), I8({1, 1, 3, 3}, std::vector<int>(9, 1))},
             {{"auto_pad", std::string("SAME_UPPER")}, {"strides", std::vector<int64_t>{2, 2}}});
  EXPECT_EQ(ci.Infer(), Type(DataType::kInt32, {1, 1, 2, 2}));
  EXPECT_EQ(ci.node->GetInts("pads"), (std::vector<int64_t>{0, 0, 1, 1}));
}

}  // namespace
}  // namespace halo
