// The float32 exp and erf of runtimes/kernels/vmath.h against the correctly rounded values
// (double's, rounded), over dense samples of their ranges, and their special values; Softmax
// and Gelu on them.
#include "../../runtimes/kernels/vmath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace {

// The distance in ulps between two finite floats of the same sign (or zeros).
int64_t Ulps(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if (ia < 0) ia = std::numeric_limits<int32_t>::min() - ia;
  if (ib < 0) ib = std::numeric_limits<int32_t>::min() - ib;
  return std::llabs(static_cast<int64_t>(ia) - ib);
}

std::vector<float> Samples(float lo, float hi, int n) {
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = lo + (hi - lo) * static_cast<float>(i) / (n - 1);
  return x;
}

TEST(Vmath, ExpWithinOneUlp) {
  auto x = Samples(-87.3f, 88.7f, 1 << 21);  // results in the normal range
  std::vector<float> y(x.size());
  odla_rt::ExpF32(x.data(), y.data(), static_cast<int64_t>(x.size()));
  int64_t worst = 0;
  float at = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    int64_t u = Ulps(y[i], static_cast<float>(std::exp(static_cast<double>(x[i]))));
    if (u > worst) worst = u, at = x[i];
  }
  EXPECT_LE(worst, 1) << "at " << at;
  // Subnormal results: within 2 of the smallest subnormal's steps.
  auto tiny = Samples(-103.9f, -87.4f, 1 << 16);
  odla_rt::ExpF32(tiny.data(), y.data(), static_cast<int64_t>(tiny.size()));
  for (size_t i = 0; i < tiny.size(); ++i)
    ASSERT_NEAR(y[i], std::exp(static_cast<double>(tiny[i])), 2 * 1.4013e-45) << tiny[i];
}

TEST(Vmath, ExpSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x{0.0f,   -0.0f,  1.0f,    inf,     -inf,
                       88.73f, 100.0f, -104.0f, -200.0f, std::numeric_limits<float>::quiet_NaN()};
  std::vector<float> y(x.size());
  odla_rt::ExpF32(x.data(), y.data(), static_cast<int64_t>(x.size()));
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_EQ(y[1], 1.0f);
  EXPECT_EQ(y[2], static_cast<float>(std::exp(1.0)));
  EXPECT_EQ(y[3], inf);
  EXPECT_EQ(y[4], 0.0f);
  EXPECT_EQ(y[5], inf);
  EXPECT_EQ(y[6], inf);
  EXPECT_EQ(y[7], 0.0f);
  EXPECT_EQ(y[8], 0.0f);
  EXPECT_TRUE(std::isnan(y[9]));
}

TEST(Vmath, ErfWithinTwoUlps) {
  auto x = Samples(-6.0f, 6.0f, 1 << 21);
  std::vector<float> y(x.size());
  odla_rt::ErfF32(x.data(), y.data(), static_cast<int64_t>(x.size()));
  int64_t worst = 0;
  float at = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    float want = static_cast<float>(std::erf(static_cast<double>(x[i])));
    int64_t u = Ulps(y[i], want);
    if (u > worst) worst = u, at = x[i];
  }
  EXPECT_LE(worst, 2) << "at " << at;
  // Small arguments, where erf(x) is about 1.128 x.
  auto small = Samples(1e-30f, 1e-3f, 1 << 16);
  odla_rt::ErfF32(small.data(), y.data(), static_cast<int64_t>(small.size()));
  for (size_t i = 0; i < small.size(); ++i)
    ASSERT_LE(Ulps(y[i], static_cast<float>(std::erf(static_cast<double>(small[i])))), 2)
        << small[i];
}

TEST(Vmath, ErfSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x{
      0.0f, -0.0f, inf, -inf, 10.0f, -10.0f, std::numeric_limits<float>::quiet_NaN()};
  std::vector<float> y(x.size());
  odla_rt::ErfF32(x.data(), y.data(), static_cast<int64_t>(x.size()));
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_TRUE(std::signbit(y[1]) && y[1] == 0.0f);
  EXPECT_EQ(y[2], 1.0f);
  EXPECT_EQ(y[3], -1.0f);
  EXPECT_EQ(y[4], 1.0f);
  EXPECT_EQ(y[5], -1.0f);
  EXPECT_TRUE(std::isnan(y[6]));
}

// Gelu is the exported formula's operations on ErfF32, in their order.
TEST(Vmath, GeluIsTheFormulaOnErf) {
  auto x = Samples(-8.0f, 8.0f, 4099);
  std::vector<float> y = x, e(x.size());
  odla_rt::GeluF32(y.data(), static_cast<int64_t>(y.size()));
  for (size_t i = 0; i < x.size(); ++i) e[i] = x[i] / 1.41421356237309505f;
  odla_rt::ErfF32(e.data(), e.data(), static_cast<int64_t>(e.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    volatile float sum = e[i] + 1.0f;  // no contraction into a fused multiply-add
    volatile float prod = x[i] * sum;
    float want = prod * 0.5f;
    ASSERT_EQ(0, std::memcmp(&y[i], &want, 4)) << x[i] << ": " << y[i] << " against " << want;
  }
}

}  // namespace
