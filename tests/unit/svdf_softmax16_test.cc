// TFLite's SVDF (SVDF, QLinearSVDF) and int16 SOFTMAX (QLinearSoftmax with tflite rounding)
// through the executor, against values worked out by hand from TFLite's reference kernels
// (svdf_common.cc, reference_ops::SoftmaxInt16, gen_lut).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "../../runtimes/kernels/quant_tflite.h"
#include "op_test_util.h"

namespace halo {
namespace {

using test::Arg;
using test::Doubles;
using test::Make;
using test::OpGraph;
using test::RunOp;

Tensor I8(const Shape& s, const std::vector<int>& v) { return Make(DataType::kInt8, s, v); }
Tensor I16(const Shape& s, const std::vector<int>& v) { return Make(DataType::kInt16, s, v); }
Tensor I32(const Shape& s, const std::vector<int>& v) { return Make(DataType::kInt32, s, v); }
Tensor F(const Shape& s, const std::vector<double>& v) { return test::F32s(s, v); }
std::map<std::string, AttrValue> Rank(int64_t r) { return {{"rank", r}}; }

// Runs a two-result SVDF op: {Y, state_out}.
std::vector<Tensor> RunSvdf(const std::string& op, const std::vector<Arg>& args, int64_t rank) {
  OpGraph og(op, args, Rank(rank), 2);
  return og.Run();
}

TEST(Svdf, FloatStep) {
  // x . weights_feature = 3, -1.5 appended to the shifted state [[2, 3], [4, -1.5]]; against
  // weights_time: -1 and 7.25; the two filters of the one unit summed, plus 0.5.
  auto r = RunSvdf("SVDF",
                   {F({1, 2}, {1, 2}), F({2, 2}, {1, 1, 0.5, -1}), F({2, 2}, {1, -1, 2, 0.5}),
                    F({1}, {0.5}), F({1, 4}, {1, 2, 3, 4})},
                   2);
  EXPECT_EQ(Doubles(r[0]), (std::vector<double>{6.75}));
  EXPECT_EQ(Doubles(r[1]), (std::vector<double>{2, 3, 4, -1.5}));
}

// Two int16-state steps, the second from the first's state: multipliers 1 (0.5 * 0.25 / 0.125)
// and 0.25 (0.125 * 0.5 / 0.25), so every value follows by hand.
TEST(Svdf, IntegerStepsCarryTheState) {
  auto args = [](const Tensor& x, const Tensor& state) {
    return std::vector<Arg>{x,
                            F({}, {0.5}),
                            I8({}, {1}),
                            I8({2, 2}, {1, 2, 3, -1}),
                            F({}, {0.25}),
                            I16({2, 2}, {1, 2, -1, 1}),
                            F({}, {0.5}),
                            I32({2}, {4, -4}),
                            state,
                            F({}, {0.125}),
                            I16({}, {0}),
                            F({}, {0.25}),
                            I8({}, {3})};
  };
  // Step 1: x - 1 = [2, -2] gives activations -2 and 8 after the shifted state [20] and [40];
  // time: 20 - 4 = 16 and -40 + 8 = -32; plus bias: 20, -36; times 0.25 plus 3: 8, -6.
  auto s1 = RunSvdf("QLinearSVDF", args(I8({1, 2}, {3, -1}), I16({1, 4}, {10, 20, 30, 40})), 1);
  EXPECT_EQ(Doubles(s1[0]), (std::vector<double>{8, -6}));
  EXPECT_EQ(Doubles(s1[1]), (std::vector<double>{20, -2, 40, 8}));
  // Step 2: x - 1 = 0; time: -2 and -8; plus bias: 2, -12; times 0.25: 0.5 rounds away from
  // zero to 1, -3; plus 3: 4, 0.
  auto s2 = RunSvdf("QLinearSVDF", args(I8({1, 2}, {1, 1}), s1[1]), 1);
  EXPECT_EQ(Doubles(s2[0]), (std::vector<double>{4, 0}));
  EXPECT_EQ(Doubles(s2[1]), (std::vector<double>{-2, 0, 8, 0}));
}

TEST(Svdf, Int8StateZeroPointAndSaturation) {
  // State zero point 5, multiplier 0.5 into the state, 1 out of it. Row 0: 2 * 10 * 0.5 + 5 =
  // 15; time (9 - 5) + (15 - 5) = 14. Row 1: 2 * 127 * 0.5 + 5 = 132 saturates to 127; time
  // 0 + 122.
  auto r = RunSvdf("QLinearSVDF",
                   {I8({2, 1}, {10, 127}), F({}, {1}), I8({}, {0}), I8({1, 1}, {2}), F({}, {1}),
                    I8({1, 2}, {1, 1}), F({}, {1}), Arg::Absent(), I8({2, 2}, {5, 9, 5, 5}),
                    F({}, {2}), I8({}, {5}), F({}, {2}), I8({}, {0})},
                   1);
  EXPECT_EQ(Doubles(r[0]), (std::vector<double>{14, 122}));
  EXPECT_EQ(Doubles(r[1]), (std::vector<double>{9, 15, 5, 127}));
}

TEST(Svdf, RejectsMismatchedShapes) {
  OpGraph og("SVDF",
             {F({1, 2}, {1, 2}), F({3, 2}, {1, 1, 1, 1, 1, 1}), F({3, 2}, {1, 1, 1, 1, 1, 1}),
              Arg::Absent(), F({1, 4}, {0, 0, 0, 0})},
             Rank(1), 2);
  try {
    og.Infer();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("state must be [batch, filters * memory]"),
              std::string::npos)
        << e.what();
  }
}

TEST(TfliteSoftmaxInt16, Tables) {
  // exp(-10) * 32768 = 1.49 less half the midpoint error (interpolated 1, sampled 2): 2;
  // exp(0) * 32768 saturates; 1 / (1 + x) at 0 saturates, at 1 is 16384.
  const int16_t* e = odla_rt::TfliteExpLut();
  const int16_t* r = odla_rt::TfliteOneOverOnePlusXLut();
  EXPECT_EQ(e[0], 2);
  EXPECT_EQ(e[512], 32767);
  EXPECT_EQ(r[0], 32767);
  EXPECT_EQ(r[512], 16384);
  // Each entry: the rounded sample less at most one unit of midpoint correction.
  for (int i = 0; i < 512; ++i) {
    EXPECT_NEAR(e[i], std::exp(-10.0 + i * 10.0 / 512) * 32768, 1.5) << i;
    EXPECT_NEAR(r[i], 32768 / (1.0 + i / 512.0), 1.5) << i;
  }
  // The lookup: the top 9 bits pick the entry, the low 7 interpolate to the next.
  EXPECT_EQ(odla_rt::TfliteLutLookup(-32768, e), e[0]);
  EXPECT_EQ(odla_rt::TfliteLutLookup(-32768 + 64, e), e[0] + ((e[1] - e[0]) * 64 + 64) / 128);
  EXPECT_EQ(odla_rt::TfliteLutLookup(0, r), r[256]);
}

TEST(TfliteSoftmaxInt16, HandCases) {
  auto softmax = [](const Tensor& x, double scale) {
    return Doubles(RunOp("QLinearSoftmax",
                         {x, F({}, {scale}), I16({}, {0}), F({}, {1.0 / 32768}), I16({}, {0})},
                         {{"rounding", std::string("tflite")}}));
  };
  // One element: exp(0) = 32767 / 32768 times its reciprocal gives 32767 (1.0 saturated).
  EXPECT_EQ(softmax(I16({1, 1}, {7}), 0.001), (std::vector<double>{32767}));
  // Two equal: 1/2 each.
  EXPECT_EQ(softmax(I16({2}, {-300, -300}), 0.001), (std::vector<double>{16384, 16384}));
  // 11 units of 1 apart (beyond exp(-10)): the larger gets nearly all, the other exp(-10)'s
  // table entry, 2.
  EXPECT_EQ(softmax(I16({2}, {0, -11}), 1.0), (std::vector<double>{32766, 2}));
  // Rows of pseudo-random values: within two units of the float softmax whose exp stops at
  // the table's first entry (2 / 32768: below exp(-10), TFLite's exp is that entry).
  for (double scale : {0.0005, 1.0 / 1024, 0.004}) {
    std::vector<int> v(60);
    for (int i = 0; i < 60; ++i) v[i] = (i * 7919 + 13) % 65536 - 32768;
    auto fixed = softmax(I16({6, 10}, v), scale);
    for (int row = 0; row < 6; ++row) {
      const int* xr = v.data() + row * 10;
      double mx = *std::max_element(xr, xr + 10), sum = 0, ex[10];
      for (int k = 0; k < 10; ++k)
        sum += ex[k] = std::max(std::exp((xr[k] - mx) * scale), 2.0 / 32768);
      for (int k = 0; k < 10; ++k)
        EXPECT_NEAR(fixed[row * 10 + k], ex[k] / sum * 32768, 2)
            << "scale " << scale << " at " << row * 10 + k;
    }
  }
}

TEST(TfliteSoftmaxInt16, Int8InInt16Out) {
  // TFLite Micro's int8 -> int16 kernel: equal inputs give 1/2, 32768 steps above -32768.
  auto y =
      RunOp("QLinearSoftmax",
            {I8({2}, {7, 7}), F({}, {0.1}), I8({}, {0}), F({}, {1.0 / 65536}), I16({}, {-32768})},
            {{"rounding", std::string("tflite")}});
  EXPECT_EQ(y.type().dtype, DataType::kInt16);
  EXPECT_EQ(Doubles(y), (std::vector<double>{0, 0}));
}

}  // namespace
}  // namespace halo
