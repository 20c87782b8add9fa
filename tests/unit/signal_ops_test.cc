// Signal ops: the FFT kernel against a naive DFT, then DFT, STFT and MelWeightMatrix through
// the executor (the ref runtime) and their type/shape rules.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>

#include "../../runtimes/kernels/fft.h"
#include "op_test_util.h"

namespace halo {
namespace {

using odla_rt::Complex;
using test::Arg;
using test::InferError;
using test::OpGraph;
using test::RunOp;

// sum_j x[j] exp(-+2 pi i j k / n), the roots and the sums in long double.
std::vector<Complex> NaiveDft(const std::vector<Complex>& x, bool inverse) {
  size_t n = x.size();
  const long double pi = 3.141592653589793238462643383279502884L;
  std::vector<long double> cs(n), sn(n);
  for (size_t r = 0; r < n; ++r) {
    long double a = (inverse ? 2 : -2) * pi * static_cast<long double>(r) / n;
    cs[r] = std::cos(a);
    sn[r] = std::sin(a);
  }
  std::vector<Complex> y(n);
  for (size_t k = 0; k < n; ++k) {
    long double re = 0, im = 0;
    for (size_t j = 0; j < n; ++j) {
      size_t r = j * k % n;
      re += x[j].real() * cs[r] - x[j].imag() * sn[r];
      im += x[j].real() * sn[r] + x[j].imag() * cs[r];
    }
    y[k] = Complex(static_cast<double>(re), static_cast<double>(im));
  }
  return y;
}

std::vector<Complex> RandomComplex(size_t n, int seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> d(-1, 1);
  std::vector<Complex> v(n);
  for (auto& c : v) c = Complex(d(gen), d(gen));
  return v;
}

TEST(Fft, MatchesNaiveDftForManyLengths) {
  // Powers of two (radix-2), short other lengths (direct), long ones (Bluestein).
  for (int64_t n :
       {1, 2, 3, 4, 5, 7, 8, 10, 16, 17, 31, 32, 33, 60, 64, 100, 127, 128, 243, 256, 1000, 1024}) {
    for (bool inverse : {false, true}) {
      auto x = RandomComplex(n, static_cast<int>(n));
      auto want = NaiveDft(x, inverse);
      odla_rt::FftPlan plan(n, inverse);
      std::vector<Complex> scratch;
      auto got = x;
      plan.Run(got.data(), &scratch);
      double worst = 0;
      for (int64_t k = 0; k < n; ++k) worst = std::max(worst, std::abs(got[k] - want[k]));
      // Random inputs: |X[k]| ~ sqrt(n); the error of a double FFT grows like log(n).
      EXPECT_LT(worst, 1e-12 * std::sqrt(static_cast<double>(n)) * 10) << "n=" << n;
      // A second run with the same scratch gives the same numbers.
      auto again = x;
      plan.Run(again.data(), &scratch);
      EXPECT_EQ(again, got) << "n=" << n;
    }
  }
}

TEST(Fft, InverseOfForwardIsIdentityTimesN) {
  for (int64_t n : {12, 64, 97}) {
    auto x = RandomComplex(n, 7);
    auto y = x;
    std::vector<Complex> scratch;
    odla_rt::FftPlan(n, false).Run(y.data(), &scratch);
    odla_rt::FftPlan(n, true).Run(y.data(), &scratch);
    for (int64_t k = 0; k < n; ++k) EXPECT_NEAR(std::abs(y[k] / double(n) - x[k]), 0, 1e-13);
  }
}

Tensor Floats32(const Shape& s, const std::vector<double>& v) { return test::F32s(s, v); }

// The complex values of a [..., 2] tensor.
std::vector<Complex> ComplexOf(const Tensor& t) {
  auto d = t.ToDoubles();
  std::vector<Complex> v;
  for (size_t i = 0; i + 1 < d.size(); i += 2) v.emplace_back(d[i], d[i + 1]);
  return v;
}

TEST(DftOp, RealInputAlongEachAxisMatchesNaive) {
  // x [2, 6, 5, 1]: transform axis 1 (length 6) and axis 2 (length 5).
  std::vector<double> xv(60);
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = std::sin(0.7 * static_cast<double>(i)) + 0.1 * i;
  Tensor x = Floats32({2, 6, 5, 1}, xv);
  for (int64_t axis : {1, 2, -2}) {
    Tensor y = RunOp("DFT", {x}, {{"axis", axis}});
    int64_t a = axis < 0 ? axis + 4 : axis;
    ASSERT_EQ(y.type(), Type(DataType::kFloat32, {2, 6, 5, 2}));
    auto got = ComplexOf(y);
    int64_t dims[3] = {2, 6, 5};
    int64_t n = dims[a];
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t o = 0; o < (a == 1 ? 5 : 6); ++o) {
        std::vector<Complex> line(n);
        auto at = [&](int64_t j) { return a == 1 ? (b * 6 + j) * 5 + o : (b * 6 + o) * 5 + j; };
        for (int64_t j = 0; j < n; ++j) line[j] = xv[at(j)];
        auto want = NaiveDft(line, false);
        for (int64_t k = 0; k < n; ++k)
          EXPECT_NEAR(std::abs(got[at(k)] - want[k]), 0, 1e-4) << "axis " << axis << " k " << k;
      }
  }
}

TEST(DftOp, LengthOnesidedAndInverse) {
  std::vector<double> xv = {1, 2, 3, 4, 5, 6, 7};
  Tensor x = Floats32({1, 7, 1}, xv);
  std::vector<Complex> line(xv.begin(), xv.end());
  // dft_length 10 zero-pads, onesided keeps 10 / 2 + 1 = 6 bins.
  Tensor y = RunOp("DFT", {x, Arg::Const(Tensor::FromInts({10}, DataType::kInt64, {}))},
                   {{"onesided", int64_t{1}}});
  ASSERT_EQ(y.type(), Type(DataType::kFloat32, {1, 6, 2}));
  line.resize(10);
  auto want = NaiveDft(line, false);
  auto got = ComplexOf(y);
  for (int k = 0; k < 6; ++k) EXPECT_NEAR(std::abs(got[k] - want[k]), 0, 1e-4) << k;
  // dft_length 4 keeps the first 4 samples.
  y = RunOp("DFT", {x, Arg::Const(Tensor::FromInts({4}, DataType::kInt32, {}))});
  ASSERT_EQ(y.type(), Type(DataType::kFloat32, {1, 4, 2}));
  want = NaiveDft({1, 2, 3, 4}, false);
  got = ComplexOf(y);
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(std::abs(got[k] - want[k]), 0, 1e-5) << k;
  // The inverse of the full transform, in float64, gives the signal back.
  Tensor spec = RunOp("DFT", {test::Make(DataType::kFloat64, {1, 7, 1}, xv)});
  Tensor back = RunOp("DFT", {spec}, {{"inverse", int64_t{1}}});
  ASSERT_EQ(back.type(), Type(DataType::kFloat64, {1, 7, 2}));
  auto b = ComplexOf(back);
  for (int k = 0; k < 7; ++k) EXPECT_NEAR(std::abs(b[k] - Complex(xv[k], 0)), 0, 1e-12) << k;
}

TEST(DftOp, RuleErrors) {
  Tensor cx = Floats32({1, 4, 2}, std::vector<double>(8, 1));
  EXPECT_NE(InferError("DFT", {cx}, {{"onesided", int64_t{1}}}).find("real input"),
            std::string::npos);
  EXPECT_NE(InferError("DFT", {cx}, {{"axis", int64_t{2}}}).find("last"), std::string::npos);
  EXPECT_NE(InferError("DFT", {Floats32({1, 4, 3}, std::vector<double>(12, 1))}).find("1 or 2"),
            std::string::npos);
  EXPECT_NE(InferError("DFT", {cx, Tensor::FromInts({4}, DataType::kInt64, {})})
                .find("must be a constant"),
            std::string::npos);
}

TEST(StftOp, FramesWithAndWithoutWindow) {
  std::vector<double> sv(40);
  for (size_t i = 0; i < sv.size(); ++i) sv[i] = std::cos(0.3 * static_cast<double>(i * i % 17));
  Tensor sig = Floats32({1, 40, 1}, sv);
  std::vector<double> wv(12);
  for (size_t j = 0; j < wv.size(); ++j) wv[j] = 0.5 - 0.5 * std::cos(2 * M_PI * j / 12);
  auto step = Arg::Const(Tensor::FromInts({5}, DataType::kInt64, {}));
  auto length = Arg::Const(Tensor::FromInts({12}, DataType::kInt64, {}));
  for (bool windowed : {false, true}) {
    for (int64_t onesided : {0, 1}) {
      std::vector<Arg> args = {sig, step};
      if (windowed) {
        args.push_back(Floats32({12}, wv));
      } else {
        args.push_back(Arg::Absent());
        args.push_back(length);
      }
      Tensor y = RunOp("STFT", args, {{"onesided", onesided}});
      int64_t frames = (40 - 12) / 5 + 1, bins = onesided ? 7 : 12;
      ASSERT_EQ(y.type(), Type(DataType::kFloat32, {1, frames, bins, 2}));
      auto got = ComplexOf(y);
      for (int64_t f = 0; f < frames; ++f) {
        std::vector<Complex> frame(12);
        for (int j = 0; j < 12; ++j) frame[j] = sv[f * 5 + j] * (windowed ? wv[j] : 1.0);
        auto want = NaiveDft(frame, false);
        for (int64_t k = 0; k < bins; ++k)
          EXPECT_NEAR(std::abs(got[f * bins + k] - want[k]), 0, 1e-4) << f << " " << k;
      }
    }
  }
  EXPECT_NE(InferError("STFT", {sig, step, Floats32({8}, std::vector<double>(8, 1)), length})
                .find("differs from the window"),
            std::string::npos);
  EXPECT_NE(InferError("STFT", {sig, step}).find("frame_length must be positive"),
            std::string::npos);
}

TEST(MelWeightMatrixOp, OnnxExample) {
  auto i32 = [](int64_t v) { return Arg::Const(Tensor::FromInts({v}, DataType::kInt32, {})); };
  auto f32 = [](double v) { return Arg::Const(Floats32({}, {v})); };
  std::vector<Arg> args = {i32(8), i32(16), i32(8192), f32(0), f32(4096)};
  Tensor y = RunOp("MelWeightMatrix", args);
  ASSERT_EQ(y.type(), Type(DataType::kFloat32, {9, 8}));
  // From ONNX's reference (onnx/backend/test/case/node/melweightmatrix.py).
  std::vector<double> want(72, 0.0);
  for (auto rc : {std::pair{0, 0}, {0, 1}, {1, 2}, {1, 3}, {2, 4}, {3, 5}, {4, 6}, {5, 7}})
    want[rc.first * 8 + rc.second] = 1;
  EXPECT_EQ(y.ToDoubles(), want);
  // Another element type; an upper edge past the spectrum fails.
  y = RunOp("MelWeightMatrix", args, {{"output_datatype", int64_t(DataType::kFloat64)}});
  EXPECT_EQ(y.type(), Type(DataType::kFloat64, {9, 8}));
  std::vector<Arg> bad = {i32(4), i32(15), i32(100), f32(0), f32(1000)};
  EXPECT_THROW(RunOp("MelWeightMatrix", bad), Error);
}

TEST(MelWeightMatrixOp, TriangularFilters) {
  auto i64 = [](int64_t v) { return Arg::Const(Tensor::FromInts({v}, DataType::kInt64, {})); };
  auto f32 = [](double v) { return Arg::Const(Floats32({}, {v})); };
  Tensor y = RunOp("MelWeightMatrix", {i64(4), i64(64), i64(16000), f32(100), f32(7000)});
  ASSERT_EQ(y.type(), Type(DataType::kFloat32, {33, 4}));
  auto w = y.ToDoubles();
  // Each filter rises to 1 and falls back, with weights in [0, 1].
  for (int m = 0; m < 4; ++m) {
    double peak = 0;
    for (int b = 0; b < 33; ++b) {
      double v = w[b * 4 + m];
      EXPECT_GE(v, 0);
      EXPECT_LE(v, 1);
      peak = std::max(peak, v);
    }
    EXPECT_EQ(peak, 1) << m;
  }
}

}  // namespace
}  // namespace halo
