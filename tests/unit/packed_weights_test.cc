// libodla_ref packs float32 constant weights once at build time (convolution weights, the
// right-hand matrix of Gemm and MatMul): each op gives the same bits with its weights as a
// constant as with the same weights as an argument (packed on every call).
#include <gtest/gtest.h>
#include <odla/odla.h>
#include <sys/mman.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "../runtime_test_util.h"

namespace {

using odla_test::Ints;
using odla_test::MapFloats;
using odla_test::Random;
using odla_test::Type;

// Builds op(x, w) with w a constant or a second argument, runs it on x, returns its output.
using Build = std::function<odla_value(odla_value x, odla_value w, int64_t out_elems)>;

std::vector<float> RunOp(const Build& build, const std::vector<int64_t>& xd,
                         const std::vector<float>& x, const std::vector<int64_t>& wd,
                         const std::vector<float>& w, int64_t out_elems, bool constant) {
  odla_computation comp;
  EXPECT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  odla_value xv = odla_CreateArgument(Type(xd), "x");
  odla_value wv =
      constant ? odla_CreateConstant(Type(wd), w.data(), "w") : odla_CreateArgument(Type(wd), "w");
  odla_value y = build(xv, wv, out_elems);
  std::vector<float> out(out_elems);
  EXPECT_NE(y, nullptr) << odla_GetLastErrorText();
  if (y) {
    EXPECT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
    odla_context ctx;
    EXPECT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
    odla_BindToArgument(ctx, 0, x.data());
    if (!constant) odla_BindToArgument(ctx, 1, w.data());
    odla_BindToOutput(ctx, 0, out.data());
    EXPECT_EQ(odla_ExecuteComputation(comp, ctx), ODLA_SUCCESS) << odla_GetLastErrorText();
    odla_DestroyContext(ctx);
  }
  odla_DestroyComputation(comp);
  return out;
}

void ExpectSameBitsEitherWay(const std::string& what, const Build& build,
                             const std::vector<int64_t>& xd, const std::vector<int64_t>& wd,
                             int64_t out_elems) {
  int64_t xn = 1, wn = 1;
  for (int64_t d : xd) xn *= d;
  for (int64_t d : wd) wn *= d;
  auto x = Random(xn, 31), w = Random(wn, 32);
  auto packed = RunOp(build, xd, x, wd, w, out_elems, true);
  auto plain = RunOp(build, xd, x, wd, w, out_elems, false);
  ASSERT_EQ(packed.size(), plain.size());
  ASSERT_EQ(0, std::memcmp(packed.data(), plain.data(), plain.size() * sizeof(float))) << what;
  float mag = 0;
  for (float v : plain) mag = std::max(mag, std::fabs(v));
  EXPECT_GT(mag, 0.1f) << what << ": the outputs are all about zero";
}

Build ConvOp(std::vector<int64_t> yd, int64_t group, int64_t stride, int64_t pad, bool fused) {
  return [=](odla_value x, odla_value w, int64_t) {
    if (fused)
      return odla_FusedConv(x, w, nullptr, nullptr, Ints({1, 1}), group, Ints({pad, pad, pad, pad}),
                            Ints({stride, stride}), "Relu", 0, 0, Type(yd), "y");
    return odla_Conv(x, w, nullptr, Ints({1, 1}), group, Ints({pad, pad, pad, pad}),
                     Ints({stride, stride}), Type(yd), "y");
  };
}

TEST(PackedWeights, ConvolutionsGiveTheSameBits) {
  // 3x3, stride 2, padded: 20 output channels (not a multiple of the 8- or 6-row panels),
  // K = 13 * 9 = 117.
  ExpectSameBitsEitherWay("conv 3x3", ConvOp({2, 20, 6, 6}, 1, 2, 1, false), {2, 13, 11, 11},
                          {20, 13, 3, 3}, 2 * 20 * 36);
  // Pointwise, two groups, K = 300 (over one K block of 256), fused with Relu.
  ExpectSameBitsEitherWay("fused pointwise, 2 groups", ConvOp({1, 18, 5, 7}, 2, 1, 0, true),
                          {1, 600, 5, 7}, {18, 300, 1, 1}, 18 * 35);
}

TEST(PackedWeights, GemmAndMatMulGiveTheSameBits) {
  for (int64_t m : {2, 4, 9, 70}) {  // 2: the small-m path, which reads the plain matrix
    for (int64_t tb : {0, 1}) {
      std::vector<int64_t> wd = tb ? std::vector<int64_t>{45, 300} : std::vector<int64_t>{300, 45};
      ExpectSameBitsEitherWay(
          "gemm m " + std::to_string(m) + " transB " + std::to_string(tb),
          [=](odla_value x, odla_value w, int64_t) {
            return odla_Gemm(x, w, nullptr, 0.5f, 0.0f, 0, tb, Type({m, 45}), "y");
          },
          {m, 300}, wd, m * 45);
    }
    ExpectSameBitsEitherWay(
        "matmul 3 x " + std::to_string(m),
        [=](odla_value x, odla_value w, int64_t) {
          return odla_MatMul(x, w, Type({3, m, 40}), "y");
        },
        {3, m, 24}, {24, 40}, 3 * m * 40);
  }
}

// Weights in a file mapping (as a compiled model's): once packed, their plain pages leave the
// resident set, and an op that reads them at run time still gets them. A product of 2 rows
// (the small-m path, which reads the plain weights) keeps them.
TEST(PackedWeights, PackedConstantsLeaveTheResidentSet) {
  const int64_t K = 512, N = 1024;
  auto w = Random(K * N, 41);
  size_t bytes = w.size() * sizeof(float);
  for (int64_t m : {4, 2}) {
    const float* map = MapFloats(w);
    ASSERT_NE(map, nullptr);
    ASSERT_GT(odla_test::MappingRssKb(map), static_cast<long>(bytes / 1024 / 2));
    auto a = Random(m * K, 40);
    std::vector<float> want(m * N, 0);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t k = 0; k < K; ++k)
        for (int64_t j = 0; j < N; ++j) want[i * N + j] += a[i * K + k] * w[k * N + j];
    {
      odla_test::Computation c;
      odla_value A = odla_CreateArgument(Type({m, K}), "a");
      odla_value W = odla_CreateConstant(Type({K, N}), map, "w");
      odla_value y = odla_MatMul(A, W, Type({m, N}), "y");
      ASSERT_NE(y, nullptr) << odla_GetLastErrorText();
      long rss = odla_test::MappingRssKb(map);
      if (m >= 4)
        EXPECT_LT(rss, static_cast<long>(bytes / 1024 / 8));
      else
        EXPECT_GT(rss, static_cast<long>(bytes / 1024 / 2));
      c.Output(y);
      c.Output(odla_Reshape(W, Type({K * N}), "flat"));  // reads the plain weights
      auto out = c.Run(a.data());
      odla_test::ExpectNear(out[0], want, 1e-3);
      EXPECT_EQ(out[1], w);
    }
    munmap(const_cast<float*>(map), bytes);
  }
}

}  // namespace
