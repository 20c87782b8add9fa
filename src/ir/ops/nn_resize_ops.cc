// Resize (opsets 10 to 17) and Upsample (opsets 7 to 9). The constant roi/scales/sizes
// inputs move into attributes; the output size is floor(input * scale) or `sizes`.
#include <cmath>

#include "ir/ops/rules.h"

namespace halo {
namespace {

bool OneOf(const std::string& s, std::initializer_list<const char*> options) {
  for (const char* o : options)
    if (s == o) return true;
  return false;
}

// A constant input as doubles, or nothing when absent or empty.
std::vector<double> ConstDoubles(InferContext& c, size_t i) {
  if (!c.has_input(i)) return {};
  return c.require_const(i).ToDoubles();
}

// Output dims from per-axis scales.
Shape ScaledShape(InferContext& c, const Shape& in, const std::vector<double>& scales) {
  c.check(scales.size() == in.size(), "scales has ", scales.size(), " entries, expected ",
          in.size());
  Shape out(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    c.check(scales[i] > 0, "scales must be positive");
    // float32 scales as ONNX computes them: floor(input * scale).
    out[i] = static_cast<int64_t>(
        std::floor(in[i] * static_cast<double>(static_cast<float>(scales[i]))));
  }
  return out;
}

void ResizeRule(InferContext& c) {
  Node* node = c.node();
  const Type& x = c.in(0);
  c.check(x.dtype != DataType::kBool && !IsHalfFloat(x.dtype), "element type ",
          DataTypeName(x.dtype), " is not supported");
  c.check(x.Rank() >= 1 && x.Rank() <= 8, "X must have rank 1 to 8, got ", x.ToString());
  size_t r = x.shape.size();
  std::vector<double> roi, scales;
  std::vector<int64_t> sizes;
  if (node->num_inputs() == 2) {
    // Resize-10 form (X, scales): asymmetric coordinates, nearest rounds down.
    scales = ConstDoubles(c, 1);
    node->set_attr("coordinate_transformation_mode", std::string("asymmetric"));
    node->set_attr("nearest_mode", std::string("floor"));
  } else {
    roi = ConstDoubles(c, 1);
    scales = ConstDoubles(c, 2);
    if (c.has_input(3)) sizes = c.require_const(3).ToInts();
  }
  if (scales.empty() && sizes.empty()) {  // attribute form (or a node already resolved)
    scales = node->GetFloats("scales");
    if (scales.empty()) sizes = node->GetInts("sizes");
  }
  c.check(scales.empty() != sizes.empty(), "exactly one of scales and sizes must be given");
  Shape out;
  if (!sizes.empty()) {
    c.check(sizes.size() == r, "sizes has ", sizes.size(), " entries, expected ", r);
    for (int64_t s : sizes) c.check(s >= 0, "sizes must not be negative");
    out = sizes;
    node->set_attr("scales", std::vector<double>{});
  } else {
    out = ScaledShape(c, x.shape, scales);
    node->set_attr("scales", scales);
  }
  node->set_attr("sizes", out);
  const std::string& mode = node->GetString("mode");
  const std::string& ctm = node->GetString("coordinate_transformation_mode");
  const std::string& nearest = node->GetString("nearest_mode");
  c.check(OneOf(mode, {"nearest", "linear", "cubic"}), "mode '", mode,
          "' is not nearest, linear or cubic");
  c.check(OneOf(ctm, {"half_pixel", "asymmetric", "pytorch_half_pixel", "align_corners",
                      "tf_crop_and_resize", "tf_half_pixel_for_nn"}),
          "coordinate_transformation_mode '", ctm, "' is not supported");
  c.check(OneOf(nearest, {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}),
          "nearest_mode '", nearest, "' is not supported");
  c.check(mode == "nearest" || IsFloat(x.dtype), mode, " interpolation needs a float input");
  if (ctm == "tf_crop_and_resize") {
    if (roi.empty()) roi = node->GetFloats("roi");
    c.check(roi.size() == 2 * r, "roi must have 2 x rank = ", 2 * r, " entries, got ", roi.size());
  } else {
    roi.clear();
  }
  node->set_attr("roi", roi);
  c.set_out(Type(x.dtype, out));
}

void UpsampleRule(InferContext& c) {
  Node* node = c.node();
  const Type& x = c.in(0);
  c.check(x.dtype != DataType::kBool && !IsHalfFloat(x.dtype), "element type ",
          DataTypeName(x.dtype), " is not supported");
  std::vector<double> scales = ConstDoubles(c, 1);
  if (scales.empty()) scales = node->GetFloats("scales");
  const std::string& mode = node->GetString("mode");
  c.check(mode == "nearest" || mode == "linear" || mode == "bilinear", "mode '", mode,
          "' is not nearest or linear");
  c.check(mode == "nearest" || IsFloat(x.dtype), "linear interpolation needs a float input");
  node->set_attr("scales", scales);
  c.set_out(Type(x.dtype, ScaledShape(c, x.shape, scales)));
}

}  // namespace

void RegisterNNResizeOps(OpRegistry& r) {
  r.Add("Resize")
      .Doc(
          "Resizes X by interpolation (nearest, n-linear or n-cubic); the output coordinate x "
          "maps to an input coordinate by coordinate_transformation_mode.")
      .In("X")
      .ConstIn("roi", "moved into roi (tf_crop_and_resize only)")
      .ConstIn("scales", "moved into scales")
      .ConstIn("sizes", "moved into sizes")
      .Str("coordinate_transformation_mode", "half_pixel",
           "half_pixel, asymmetric, pytorch_half_pixel, align_corners, tf_crop_and_resize, "
           "tf_half_pixel_for_nn")
      .Float("cubic_coeff_a", -0.75, "the cubic kernel's a")
      .Int("exclude_outside", 0,
           "1: weights of points outside the input are 0, the rest renormalised")
      .Float("extrapolation_value", 0.0, "tf_crop_and_resize: value outside the input")
      .Str("mode", "nearest", "nearest, linear or cubic")
      .Str("nearest_mode", "round_prefer_floor",
           "round_prefer_floor, round_prefer_ceil, floor, ceil")
      .Floats("roi", {}, "tf_crop_and_resize: [starts..., ends...] normalised; empty otherwise")
      .Floats("scales", {}, "scale per axis; empty when sizes was given (scale = output / input)")
      .Meta("sizes", AttrKind::kInts, std::vector<int64_t>{}, "the output shape")
      .Out("Y")
      .Rule(ResizeRule);
  r.Add("Upsample")
      .Doc(
          "Opset 7-9 upsampling: output = floor(input * scales), input coordinate = output / "
          "scale (nearest rounds down; linear is n-linear).")
      .In("X")
      .ConstIn("scales", "moved into scales")
      .Str("mode", "nearest", "nearest or linear (bilinear)")
      .Floats("scales", {}, "scale per axis")
      .Out("Y")
      .Rule(UpsampleRule);
}

}  // namespace halo
