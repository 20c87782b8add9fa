// GridSample, RoiAlign, MaxUnpool, LpNormalization: rules, and numbers through the executor
// against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "op_test_util.h"

namespace halo {
namespace {

using test::Doubles;
using test::F32s;
using test::I64s;
using test::OpGraph;
using test::RunOp;

void ExpectNear(const std::vector<double>& got, const std::vector<double>& want,
                double tol = 1e-5) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

// X [1, 1, 2, 3] = 0..5.
Tensor Image() { return F32s({1, 1, 2, 3}, {0, 1, 2, 3, 4, 5}); }

Tensor GridSampleOf(const std::vector<double>& grid, const std::string& mode,
                    const std::string& pad, int64_t align) {
  int64_t n = static_cast<int64_t>(grid.size()) / 2;
  return RunOp("GridSample", {Image(), F32s({1, 1, n, 2}, grid)},
               {{"mode", mode}, {"padding_mode", pad}, {"align_corners", align}});
}

TEST(SampleNumeric, GridSampleModesAndPadding) {
  // align_corners: x = (gx + 1) / 2 * 2, y = (gy + 1) / 2 * 1. (0, 0) -> (1, 0.5): the mean
  // of 1 and 4; corners hit pixels exactly.
  ExpectNear(Doubles(GridSampleOf({0, 0, -1, -1, 1, 1}, "bilinear", "zeros", 1)), {2.5, 0, 5});
  // Without align_corners: x = ((gx + 1) * 3 - 1) / 2, so gx = -1 -> -0.5, half outside:
  // zeros padding halves pixel 0 (here with y = -0.5 too: a quarter of X[0, 0] = 0).
  // (gx, gy) = (-1, 0): x = -0.5, y = 0.5 -> 0.5 * (0.5 * 0 + 0.5 * 3) = 0.75.
  ExpectNear(Doubles(GridSampleOf({-1, 0}, "bilinear", "zeros", 0)), {0.75});
  // border clamps x to 0: (0 + 3) / 2 = 1.5.
  ExpectNear(Doubles(GridSampleOf({-1, 0}, "bilinear", "border", 0)), {1.5});
  // Far outside: zeros gives 0, border the corner pixel; reflection mirrors (5.5, -2.5)
  // over [-0.5, 2.5] x [-0.5, 1.5] to (-0.5, 1.5), whose taps reflect onto X[1, 0] = 3.
  ExpectNear(Doubles(GridSampleOf({3, -3}, "bilinear", "zeros", 0)), {0});
  ExpectNear(Doubles(GridSampleOf({3, -3}, "bilinear", "border", 0)), {2});
  ExpectNear(Doubles(GridSampleOf({3, -3}, "bilinear", "reflection", 0)), {3});
  // nearest rounds halves to even: x = 1 (gx = 0 -> 1), y = 0.5 -> 0: pixel 1.
  ExpectNear(Doubles(GridSampleOf({0, 0}, "nearest", "zeros", 1)), {1});
  // bicubic at a pixel centre reproduces the pixel (weights 0, 1, 0, 0).
  ExpectNear(Doubles(GridSampleOf({0, 1}, "bicubic", "border", 1)), {4});
  // The bicubic weights sum to 1: a constant image stays constant.
  auto c =
      RunOp("GridSample",
            {F32s({1, 1, 2, 3}, {7, 7, 7, 7, 7, 7}), F32s({1, 1, 2, 2}, {0.3, -0.2, 0.9, 0.7})},
            {{"mode", std::string("bicubic")}, {"padding_mode", std::string("border")}});
  ExpectNear(Doubles(c), {7, 7});
}

TEST(SampleNumeric, RoiAlignAverageAndMax) {
  // X [1, 1, 4, 4] = 0..15 (value = 4 * row + col): bilinear samples of it are 4y + x.
  std::vector<double> xv(16);
  for (int i = 0; i < 16; ++i) xv[i] = i;
  Tensor x = F32s({1, 1, 4, 4}, xv);
  // output_half_pixel (no shift): roi (0, 0)-(2, 2), one bin, 2x2 samples at 0.5 and 1.5:
  // mean of 4y + x = 4 * 1 + 1 = 5.
  auto y = RunOp("RoiAlign", {x, F32s({1, 4}, {0, 0, 2, 2}), I64s({1}, {0})},
                 {{"coordinate_transformation_mode", std::string("output_half_pixel")},
                  {"sampling_ratio", int64_t{2}}});
  ExpectNear(Doubles(y), {5});
  // half_pixel shifts by -0.5: samples at 0 and 1 -> mean 4 * 0.5 + 0.5 = 2.5; 2x2 bins of
  // one sample each at 0.5 and 1.5 (minus 0.5: 0 and 1).
  OpGraph og("RoiAlign", {x, F32s({1, 4}, {0, 0, 2, 2}), I64s({1}, {0})},
             {{"output_height", int64_t{2}}, {"output_width", int64_t{2}}});
  EXPECT_EQ(og.Infer(), Type(DataType::kFloat32, {1, 1, 2, 2}));
  ExpectNear(Doubles(og.Run().at(0)), {0, 1, 4, 5});
  // max mode: the largest weighted corner of the samples; at exact pixels that is the pixel.
  auto m = RunOp("RoiAlign", {x, F32s({1, 4}, {0, 0, 2, 2}), I64s({1}, {0})},
                 {{"mode", std::string("max")}, {"sampling_ratio", int64_t{2}}});
  ExpectNear(Doubles(m), {5});
}

TEST(SampleNumeric, MaxUnpoolAndLpNormalization) {
  // Pooled [1, 1, 2, 2] with indices into a [1, 1, 4, 4] result.
  auto y = RunOp(
      "MaxUnpool", {F32s({1, 1, 2, 2}, {5, 7, 13, 15}), I64s({1, 1, 2, 2}, {5, 7, 13, 15})},
      {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}});
  EXPECT_EQ(y.type(), Type(DataType::kFloat32, {1, 1, 4, 4}));
  std::vector<double> want(16, 0);
  for (int i : {5, 7, 13, 15}) want[i] = i;
  EXPECT_EQ(Doubles(y), want);
  // A constant output_shape larger than the default: indices still refer to the default
  // [4, 4] plane and keep their coordinates, (0,0) (0,3) (3,0) (3,3), in the [5, 5] result.
  OpGraph big(
      "MaxUnpool",
      {F32s({1, 1, 2, 2}, {1, 2, 3, 4}), I64s({1, 1, 2, 2}, {0, 3, 12, 15}),
       test::Arg::Const(I64s({4}, {1, 1, 5, 5}))},
      {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}});
  EXPECT_EQ(big.Infer(), Type(DataType::kFloat32, {1, 1, 5, 5}));
  std::vector<double> want_big(25, 0);
  want_big[0] = 1, want_big[3] = 2, want_big[15] = 3, want_big[18] = 4;
  EXPECT_EQ(Doubles(big.Run().at(0)), want_big);

  auto l2 = RunOp("LpNormalization", {F32s({2, 2}, {3, 4, 0, 0})});
  ExpectNear(Doubles(l2), {0.6, 0.8, 0, 0});
  auto l1 = RunOp("LpNormalization", {F32s({2, 2}, {1, -3, 1, 1})},
                  {{"axis", int64_t{0}}, {"p", int64_t{1}}});
  ExpectNear(Doubles(l1), {0.5, -0.75, 0.5, 0.25});
}

TEST(SampleRules, Errors) {
  using test::InferError;
  EXPECT_NE(InferError("GridSample", {Image(), F32s({1, 1, 1, 3}, {0, 0, 0})}).find("grid must"),
            std::string::npos);
  EXPECT_NE(InferError("GridSample", {Image(), F32s({1, 1, 1, 2}, {0, 0})},
                       {{"mode", std::string("cubic")}})
                .find("mode must"),
            std::string::npos);
  EXPECT_NE(InferError("RoiAlign", {Image(), F32s({1, 4}, {0, 0, 1, 1}), I64s({2}, {0, 0})})
                .find("batch_indices"),
            std::string::npos);
  EXPECT_NE(InferError("LpNormalization", {Image()}, {{"p", int64_t{3}}}).find("p must"),
            std::string::npos);
  EXPECT_NE(InferError("MaxUnpool",
                       {F32s({1, 1, 1, 1}, {1}), I64s({1, 1, 1, 1}, {0}),
                        test::Arg::Const(I64s({4}, {1, 1, 1, 1}))},
                       {{"kernel_shape", std::vector<int64_t>{2, 2}}})
                .find("smaller than the default"),
            std::string::npos);
}

}  // namespace
}  // namespace halo
