// Sampling and scattering ops of vision models: GridSample, RoiAlign, MaxUnpool, and
// LpNormalization.
#include "ir/ops/rules.h"

namespace halo {
namespace {

void CheckFloat(InferContext& c, const Type& t, const char* what) {
  c.check(t.dtype == DataType::kFloat32 || t.dtype == DataType::kFloat64, what,
          " must be float32 or float64, got ", t.ToString());
}

void GridSampleRule(InferContext& c) {
  const Type& x = c.in(0);
  const Type& grid = c.in(1);
  CheckFloat(c, x, "X");
  c.check(grid.dtype == x.dtype, "grid must have the element type of X");
  c.check(x.Rank() == 4, "X must be [N, C, H, W], got ", x.ToString());
  c.check(grid.Rank() == 4 && grid.shape[0] == x.shape[0] && grid.shape[3] == 2,
          "grid must be [N, H_out, W_out, 2], got ", grid.ToString());
  const std::string& mode = c.node()->GetString("mode");
  const std::string& pad = c.node()->GetString("padding_mode");
  c.check(mode == "bilinear" || mode == "nearest" || mode == "bicubic",
          "mode must be bilinear, nearest or bicubic, got '", mode, "'");
  c.check(pad == "zeros" || pad == "border" || pad == "reflection",
          "padding_mode must be zeros, border or reflection, got '", pad, "'");
  c.set_out(Type(x.dtype, {x.shape[0], x.shape[1], grid.shape[1], grid.shape[2]}));
}

void RoiAlignRule(InferContext& c) {
  Node* node = c.node();
  const Type& x = c.in(0);
  const Type& rois = c.in(1);
  const Type& idx = c.in(2);
  CheckFloat(c, x, "X");
  c.check(x.Rank() == 4, "X must be [N, C, H, W], got ", x.ToString());
  c.check(rois.dtype == x.dtype && rois.Rank() == 2 && rois.shape[1] == 4,
          "rois must be [num_rois, 4] of X's element type, got ", rois.ToString());
  c.check(idx.dtype == DataType::kInt64 && idx.shape == Shape{rois.shape[0]},
          "batch_indices must be int64[", rois.shape[0], "], got ", idx.ToString());
  const std::string& ctm = node->GetString("coordinate_transformation_mode");
  c.check(ctm == "half_pixel" || ctm == "output_half_pixel",
          "coordinate_transformation_mode must be half_pixel or output_half_pixel, got '", ctm,
          "'");
  const std::string& mode = node->GetString("mode");
  c.check(mode == "avg" || mode == "max", "mode must be avg or max, got '", mode, "'");
  int64_t oh = node->GetInt("output_height"), ow = node->GetInt("output_width");
  c.check(oh >= 1 && ow >= 1, "output_height and output_width must be positive");
  c.check(node->GetInt("sampling_ratio") >= 0, "sampling_ratio must not be negative");
  c.set_out(Type(x.dtype, {rois.shape[0], x.shape[1], oh, ow}));
}

void MaxUnpoolRule(InferContext& c) {
  Node* node = c.node();
  const Type& x = c.in(0);
  const Type& idx = c.in(1);
  CheckFloat(c, x, "X");
  c.check(x.Rank() >= 3, "X must be [N, C, D...], got ", x.ToString());
  c.check(idx.dtype == DataType::kInt64 && idx.shape == x.shape,
          "I must be int64 of X's shape, got ", idx.ToString());
  size_t n = x.Rank() - 2;
  auto kernel = node->GetInts("kernel_shape");
  c.check(kernel.size() == n, "kernel_shape needs ", n, " entries");
  auto strides = node->GetInts("strides");
  if (strides.empty()) strides.assign(n, 1);
  auto pads = node->GetInts("pads");
  if (pads.empty()) pads.assign(2 * n, 0);
  c.check(strides.size() == n && pads.size() == 2 * n, "strides and pads need ", n, " and ", 2 * n,
          " entries");
  node->set_attr("strides", strides);
  node->set_attr("pads", pads);
  Shape out{x.shape[0], x.shape[1]};
  for (size_t i = 0; i < n; ++i)
    out.push_back((x.shape[i + 2] - 1) * strides[i] + kernel[i] - pads[i] - pads[i + n]);
  if (c.has_input(2)) {
    const Tensor& t = c.require_const(2);
    c.check(IsInteger(t.type().dtype) && t.type().Rank() == 1, "output_shape must be 1-D integer");
    Shape given;
    for (int64_t i = 0; i < t.type().NumElements(); ++i) given.push_back(t.GetInt(i));
    c.check(given.size() == out.size() && given[0] == out[0] && given[1] == out[1], "output_shape ",
            ShapeToString(given), " does not fit X ", x.ToString());
    for (size_t i = 2; i < given.size(); ++i)
      c.check(given[i] >= out[i], "output_shape ", ShapeToString(given),
              " is smaller than the default ", ShapeToString(out));
    out = given;
  }
  c.set_out(Type(x.dtype, out));
}

void LpNormalizationRule(InferContext& c) {
  const Type& x = c.in(0);
  CheckFloat(c, x, "input");
  c.check(x.Rank() >= 1, "input must have rank 1 or more");
  c.node()->set_attr("axis", NormalizeAxis(c.node()->GetInt("axis"), x.Rank()));
  int64_t p = c.node()->GetInt("p");
  c.check(p == 1 || p == 2, "p must be 1 or 2, got ", p);
  c.set_out(x);
}

}  // namespace

void RegisterNNSampleOps(OpRegistry& r) {
  r.Add("GridSample")
      .Doc(
          "Samples X [N, C, H, W] at the normalised (x, y) locations of grid [N, H_out, W_out, "
          "2] (-1 and 1 are the extreme pixels' centres with align_corners, their outer edges "
          "without): Y [N, C, H_out, W_out].")
      .In("X")
      .In("grid")
      .Int("align_corners", 0, "1: -1 and 1 are the centres of the corner pixels")
      .Str("mode", "bilinear", "bilinear, nearest or bicubic")
      .Str("padding_mode", "zeros", "outside the input: zeros, border or reflection")
      .Out("Y")
      .Rule(GridSampleRule);
  r.Add("RoiAlign")
      .Doc(
          "Pools each region of interest (x1, y1, x2, y2) of its batch entry of X [N, C, H, W] "
          "into [output_height, output_width] bins by averaging (or the maximum of) bilinear "
          "samples: Y [num_rois, C, output_height, output_width].")
      .In("X")
      .In("rois", "[num_rois, 4]")
      .In("batch_indices", "int64 [num_rois]")
      .Str("coordinate_transformation_mode", "half_pixel",
           "half_pixel (shift by -0.5) or output_half_pixel (no shift, regions at least 1x1)")
      .Str("mode", "avg", "avg or max")
      .Int("output_height", 1, "bins per region, vertically")
      .Int("output_width", 1, "bins per region, horizontally")
      .Int("sampling_ratio", 0, "samples per bin and axis (0: ceil(region size / bins))")
      .Float("spatial_scale", 1.0, "scale from roi coordinates to X's")
      .Out("Y")
      .Rule(RoiAlignRule);
  r.Add("MaxUnpool")
      .Doc(
          "Scatters X into a zero tensor at the flat indices I into the default unpooled shape (as "
          "MaxPool gives them), at the same coordinates in Y when output_shape is larger.")
      .In("X")
      .In("I", "int64 flat indices into Y")
      .ConstIn("output_shape", "the full result shape, moved into the result type")
      .Ints("kernel_shape", {}, "pooling window")
      .Required()
      .Ints("pads", {}, "[begin..., end...] of the pooling")
      .Ints("strides", {}, "pooling strides")
      .Out("output")
      .Rule(MaxUnpoolRule);
  r.Add("LpNormalization")
      .Doc("Divides input by its L1 or L2 norm along axis (zero norms give zeros).")
      .In("input")
      .Int("axis", -1, "the axis (non-negative once lowered)")
      .Int("p", 2, "1 or 2")
      .Out("output")
      .Rule(LpNormalizationRule);
}

}  // namespace halo
