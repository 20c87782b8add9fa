// TFLite's integer LSTM (TfliteQuantizedLSTM): gemmlowp's int16 logistic and tanh against
// values of the numpy transcription (tests/tflite/np_lstm_int.py) and against the functions
// themselves, and the op through the executor.
#include "../../runtimes/kernels/lstm_tflite.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "op_test_util.h"

namespace halo {
namespace {

using odla_rt::TfliteLogisticInt16;
using odla_rt::TfliteTanhInt16;
using test::Arg;
using test::Doubles;
using test::Make;
using test::RunOp;

Tensor I8(const Shape& s, const std::vector<int>& v) { return Make(DataType::kInt8, s, v); }
Tensor I16(const Shape& s, const std::vector<int>& v) { return Make(DataType::kInt16, s, v); }
Tensor I32(const Shape& s, const std::vector<int>& v) { return Make(DataType::kInt32, s, v); }

TEST(TfliteLstm, LogisticInt16) {
  // Q3.12 in, Q0.15 out: sigmoid(1) = 0.73106 (23955.6), sigmoid(0) = 1/2.
  EXPECT_EQ(TfliteLogisticInt16(4096), 23952);
  EXPECT_EQ(TfliteLogisticInt16(-4096), 8815);
  EXPECT_EQ(TfliteLogisticInt16(0), 16384);
  EXPECT_EQ(TfliteLogisticInt16(1), 16384);
  EXPECT_EQ(TfliteLogisticInt16(12000), 31104);
  EXPECT_EQ(TfliteLogisticInt16(-20000), 243);
  EXPECT_EQ(TfliteLogisticInt16(32767), 32756);
  EXPECT_EQ(TfliteLogisticInt16(-32768), 11);
  for (int a = -32768; a <= 32767; ++a) {
    auto x = static_cast<int16_t>(a);
    double want = 32768.0 / (1.0 + std::exp(-a / 4096.0));
    ASSERT_NEAR(TfliteLogisticInt16(x), want, 8) << a;
    if (a > 0) {
      ASSERT_EQ(TfliteLogisticInt16(x) + TfliteLogisticInt16(static_cast<int16_t>(-a)), 32767);
    }
  }
}

TEST(TfliteLstm, TanhInt16) {
  EXPECT_EQ(TfliteTanhInt16(4096, 3), 24964);  // tanh(1) = 0.76159 (24956.6)
  EXPECT_EQ(TfliteTanhInt16(-4096, 3), -24964);
  EXPECT_EQ(TfliteTanhInt16(8192, 4), 32744);
  EXPECT_EQ(TfliteTanhInt16(-3000, 4), -29440);
  EXPECT_EQ(TfliteTanhInt16(20000, 6), 32767);
  EXPECT_EQ(TfliteTanhInt16(-32768, 0), -24964);
  EXPECT_EQ(TfliteTanhInt16(100, 2), 400);
  EXPECT_EQ(TfliteTanhInt16(0, 3), 0);
  for (int bits = 0; bits <= 6; ++bits)
    for (int a = -32767; a <= 32767; ++a) {
      double want = 32768.0 * std::tanh(std::ldexp(a, bits - 15));
      ASSERT_NEAR(TfliteTanhInt16(static_cast<int16_t>(a), bits), want, 13) << a << " " << bits;
      ASSERT_EQ(TfliteTanhInt16(static_cast<int16_t>(-a), bits),
                -TfliteTanhInt16(static_cast<int16_t>(a), bits));
    }
}

std::map<std::string, AttrValue> Attrs(double x_scale, int64_t x_zp, std::vector<double> w_scales,
                                       double h_scale, int64_t h_zp, double c_scale,
                                       int64_t hidden_zp, double cell_clip) {
  return {{"x_scale", x_scale},      {"x_zero_point", x_zp},           {"w_scales", w_scales},
          {"h_scale", h_scale},      {"h_zero_point", h_zp},           {"c_scale", c_scale},
          {"hidden_scale", h_scale}, {"hidden_zero_point", hidden_zp}, {"cell_clip", cell_clip}};
}

// X, the four W, the four R, 3 peepholes, 4 biases, projection and its bias, H0, C0.
std::vector<Arg> Inputs(Tensor x, std::vector<Tensor> w, std::vector<Tensor> r, std::vector<Arg> b,
                        Tensor h0, Tensor c0) {
  std::vector<Arg> a = {x};
  for (auto& t : w) a.push_back(Arg::Const(t));
  for (auto& t : r) a.push_back(Arg::Const(t));
  for (int k = 0; k < 3; ++k) a.push_back(Arg::Absent());
  for (auto& t : b) a.push_back(t);
  a.push_back(Arg::Absent());
  a.push_back(Arg::Absent());
  a.push_back(Arg::Const(h0));
  a.push_back(Arg::Const(c0));
  return a;
}

TEST(TfliteLstm, ZeroWeightsGiveMinusTheHiddenZeroPoint) {
  // All gates at sigmoid(0) = 1/2 and tanh(0) = 0: the cell stays 0, o * tanh(c) = 0, and the
  // hidden state is 0 - hidden_zero_point (TFLite subtracts it).
  Tensor w = I8({2, 1}, {0, 0}), r = I8({2, 2}, {0, 0, 0, 0});
  auto y = RunOp("TfliteQuantizedLSTM",
                 Inputs(I8({1, 3, 1}, {5, -7, 100}), {w, w, w, w}, {r, r, r, r},
                        {Arg::Absent(), Arg::Absent(), Arg::Absent(), Arg::Absent()},
                        I8({1, 2}, {0, 0}), I16({1, 2}, {0, 0})),
                 Attrs(0.5, 0, std::vector<double>(8, 0.25), 1.0 / 128, 3, 1.0 / 4096, 3, 0));
  EXPECT_EQ(Doubles(y), (std::vector<double>{-3, -3, -3, -3, -3, -3}));
}

TEST(TfliteLstm, MatchesNumpyTranscription) {
  // The values of tests/tflite/np_lstm_int.py's lstm() for these tensors: zero points on X and
  // the output state, an absent forget bias, cell scale 2^-11 clipped at 1.5.
  auto y = RunOp("TfliteQuantizedLSTM",
                 Inputs(I8({1, 3, 1}, {3, -7, 25}),
                        {I8({2, 1}, {40, -30}), I8({2, 1}, {20, 10}), I8({2, 1}, {-50, 60}),
                         I8({2, 1}, {30, -20})},
                        {I8({2, 2}, {5, -7, 9, 3}), I8({2, 2}, {-4, 6, 2, 8}),
                         I8({2, 2}, {7, 7, -9, 1}), I8({2, 2}, {3, -2, 4, 5})},
                        {Arg::Const(I32({2}, {100, -200})), Arg::Absent(),
                         Arg::Const(I32({2}, {50, 0})), Arg::Const(I32({2}, {-30, 70}))},
                        I8({1, 2}, {2, -1}), I16({1, 2}, {300, -500})),
                 Attrs(0.5, 1, {0.25, 0.125, 0.5, 0.25, 0.5, 0.25, 0.125, 0.5}, 0.0078125, -1,
                       1.0 / 2048, -1, 1.5));
  EXPECT_EQ(Doubles(y), (std::vector<double>{-86, -23, 1, -87, -96, 1}));
}

TEST(TfliteLstm, RejectsACellScaleNotAPowerOfTwo) {
  Tensor w = I8({2, 1}, {0, 0}), r = I8({2, 2}, {0, 0, 0, 0});
  std::string e =
      test::InferError("TfliteQuantizedLSTM",
                       Inputs(I8({1, 3, 1}, {5, -7, 100}), {w, w, w, w}, {r, r, r, r},
                              {Arg::Absent(), Arg::Absent(), Arg::Absent(), Arg::Absent()},
                              I8({1, 2}, {0, 0}), I16({1, 2}, {0, 0})),
                       Attrs(0.5, 0, std::vector<double>(8, 0.25), 1.0 / 128, 0, 0.0003, 0, 0));
  EXPECT_NE(e.find("c_scale must be a power of two"), std::string::npos) << e;
}

}  // namespace
}  // namespace halo
