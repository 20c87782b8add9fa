// Convolutions, pooling, batch normalisation and resizing. TensorFlow computes these in
// NHWC (or NCHW by data_format); the IR ops are NCHW, so NHWC nodes are wrapped in
// Transposes, which the cancel-transposes pass removes between consecutive operators.
#include "frontends/block_space.h"
#include "frontends/tensorflow/tf_importer.h"

namespace halo::tf_fe {
namespace {

using Results = std::vector<Value*>;

void Arity(Importer& im, const TfNode& n, size_t k) {
  if (n.in.size() != k) im.Fail(n, "expected ", k, " inputs, got ", n.in.size());
}

Value* In(Importer& im, const TfNode& n, Value* x) {
  return IsNchw(n) ? x : ToChannelsFirst(im, n, x);
}
Value* Out(Importer& im, const TfNode& n, Value* y) {
  return IsNchw(n) ? y : ToChannelsLast(im, n, y);
}

// padding SAME / VALID / EXPLICIT as ONNX auto_pad or pads.
void Padding(Importer& im, const TfNode& n, std::map<std::string, AttrValue>& attrs) {
  std::string p = n.Str("padding");
  if (p == "SAME") {
    attrs["auto_pad"] = std::string("SAME_UPPER");
  } else if (p == "VALID") {
    attrs["pads"] = std::vector<int64_t>{0, 0, 0, 0};
  } else if (p == "EXPLICIT") {
    std::vector<int64_t> e = n.Ints("explicit_paddings");
    if (e.size() != 8) im.Fail(n, "explicit_paddings must hold 8 values");
    int h = IsNchw(n) ? 4 : 2, w = h + 2;
    attrs["pads"] = std::vector<int64_t>{e[h], e[w], e[h + 1], e[w + 1]};
  } else {
    im.Fail(n, "padding '", p, "' is not supported");
  }
}

// float16 weights in a graph of another float type (OpenCV's fp16 tests) take x's type.
Value* Like(Importer& im, const TfNode& n, Value* w, Value* x) {
  DataType t = im.TypeOf(n, x, "the input").dtype;
  DataType tw = im.TypeOf(n, w, "the weights").dtype;
  return t != tw && IsFloat(t) && tw == DataType::kFloat16 ? im.CastTo(n, w, t) : w;
}

Results Conv2D(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  Value* w = Like(im, n, n.in[1], n.in[0]);
  Value* ow = im.Transpose(n, w, {3, 2, 0, 1});  // HWIO -> OIHW
  int64_t cin = im.TypeOf(n, n.in[0], "the input").shape.at(IsNchw(n) ? 1 : 3);
  int64_t wcin = im.TypeOf(n, w, "the filter").shape.at(2);
  std::map<std::string, AttrValue> attrs = {
      {"strides", Spatial(n, n.Ints("strides"))},
      {"dilations", Spatial(n, n.Ints("dilations", std::vector<int64_t>{1, 1, 1, 1}))},
      {"group", wcin > 0 ? cin / wcin : int64_t{1}}};
  Padding(im, n, attrs);
  return {Out(im, n, im.Add(n, "Conv", {In(im, n, n.in[0]), ow}, attrs))};
}

Results DepthwiseConv(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  Value* w = Like(im, n, n.in[1], n.in[0]);
  Shape s = im.TypeOf(n, w, "the filter").shape;  // [H, W, C, M]
  if (s.size() != 4) im.Fail(n, "the filter must have rank 4");
  Value* ow = im.Reshape(n, im.Transpose(n, w, {2, 3, 0, 1}), {s[2] * s[3], 1, s[0], s[1]});
  std::map<std::string, AttrValue> attrs = {
      {"strides", Spatial(n, n.Ints("strides"))},
      {"dilations", Spatial(n, n.Ints("dilations", std::vector<int64_t>{1, 1, 1, 1}))},
      {"group", s[2]}};
  Padding(im, n, attrs);
  return {Out(im, n, im.Add(n, "Conv", {In(im, n, n.in[0]), ow}, attrs))};
}

// Conv2DBackpropInput(input_sizes, filter [H, W, out, in], out_backprop): a ConvTranspose
// whose pads and output_padding give exactly input_sizes.
Results ConvBackpropInput(Importer& im, TfNode& n) {
  Arity(im, n, 3);
  std::vector<int64_t> sizes = im.IntsOf(n, n.in[0], "input_sizes");
  Value* w = Like(im, n, n.in[1], n.in[2]);
  Shape ws = im.TypeOf(n, w, "the filter").shape;
  Shape xs = im.TypeOf(n, n.in[2], "out_backprop").shape;
  if (sizes.size() != 4 || ws.size() != 4 || xs.size() != 4)
    im.Fail(n, "expected 4-D input_sizes, filter and out_backprop");
  std::vector<int64_t> strides = Spatial(n, n.Ints("strides"));
  std::vector<int64_t> dil = Spatial(n, n.Ints("dilations", std::vector<int64_t>{1, 1, 1, 1}));
  std::vector<int64_t> out = Spatial(n, sizes), in = Spatial(n, xs);
  std::string padding = n.Str("padding");
  std::vector<int64_t> pads(4, 0), out_pad(2, 0);
  for (int d = 0; d < 2; ++d) {
    int64_t k = (ws[d] - 1) * dil[d] + 1;
    int64_t full = (in[d] - 1) * strides[d] + k;
    int64_t total = 0;
    if (padding == "SAME") {
      total = std::max<int64_t>(full - out[d], 0);
    } else if (padding == "EXPLICIT") {
      std::vector<int64_t> e = n.Ints("explicit_paddings");
      int at = (IsNchw(n) ? 4 : 2) + 2 * d;
      pads[d] = e.at(at);
      pads[d + 2] = e.at(at + 1);
      total = pads[d] + pads[d + 2];
    } else if (padding != "VALID") {
      im.Fail(n, "padding '", padding, "' is not supported");
    }
    if (padding == "SAME") {
      pads[d] = total / 2;
      pads[d + 2] = total - total / 2;
    }
    out_pad[d] = out[d] - (full - total);
    if (out_pad[d] < 0 || out_pad[d] >= std::max(strides[d], dil[d]))
      im.Fail(n, "input_sizes ", out[d], " does not fit the convolution");
  }
  std::map<std::string, AttrValue> attrs = {
      {"strides", strides}, {"dilations", dil}, {"pads", pads}, {"output_padding", out_pad}};
  Value* ow = im.Transpose(n, w, {3, 2, 0, 1});  // [in, out, H, W]
  return {Out(im, n, im.Add(n, "ConvTranspose", {In(im, n, n.in[2]), ow}, attrs))};
}

Results Pool(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  std::map<std::string, AttrValue> attrs = {{"kernel_shape", Spatial(n, n.Ints("ksize"))},
                                            {"strides", Spatial(n, n.Ints("strides"))}};
  Padding(im, n, attrs);
  bool max = n.op() == "MaxPool";
  if (!max) attrs["count_include_pad"] = int64_t{0};
  return {Out(im, n, im.Add(n, max ? "MaxPool" : "AveragePool", {In(im, n, n.in[0])}, attrs))};
}

// FusedBatchNorm(x, scale, offset, mean, variance) as x * a + b per channel (so that no
// layout change is needed); with is_training the statistics are the batch's.
Results FusedBatchNorm(Importer& im, TfNode& n) {
  if (n.in.size() != 5) im.Fail(n, "expected 5 inputs, got ", n.in.size());
  Value* x = n.in[0];
  const Type& t = im.TypeOf(n, x, "the input");
  if (t.Rank() != 4) im.Fail(n, "the input must have rank 4");
  bool nchw = IsNchw(n);
  float eps = n.Float("epsilon", 0.0001f);
  std::vector<Value*> p;
  for (int i = 1; i < 5; ++i) p.push_back(Like(im, n, n.in[i], x));
  auto per_channel = [&](Value* v) { return nchw ? im.Reshape(n, v, {-1, 1, 1}) : v; };
  Value* mean;
  Value* var;
  if (n.Bool("is_training")) {
    std::vector<int64_t> axes =
        nchw ? std::vector<int64_t>{0, 2, 3} : std::vector<int64_t>{0, 1, 2};
    mean = im.Add(n, "ReduceMean", {x, im.Ints(n, axes)}, {{"keepdims", int64_t{1}}});
    Value* d = im.Add(n, "Sub", {x, mean});
    var = im.Add(n, "ReduceMean", {im.Add(n, "Mul", {d, d}), im.Ints(n, axes)},
                 {{"keepdims", int64_t{1}}});
  } else {
    mean = per_channel(p[2]);
    var = per_channel(p[3]);
  }
  Value* inv = im.Add(n, "Reciprocal",
                      {im.Add(n, "Sqrt", {im.Add(n, "Add", {var, im.Scalar(n, t.dtype, eps)})})});
  Value* a = im.Add(n, "Mul", {inv, per_channel(p[0])});
  Value* b = im.Add(n, "Sub", {per_channel(p[1]), im.Add(n, "Mul", {mean, a})});
  return {im.Add(n, "Add", {im.Add(n, "Mul", {x, a}), b})};
}

Results Resize(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  std::vector<int64_t> size = im.IntsOf(n, n.in[1], "the size");
  Shape s = im.TypeOf(n, n.in[0], "the images").shape;
  if (size.size() != 2 || s.size() != 4) im.Fail(n, "expected 4-D images and a size of 2");
  bool nearest = n.op() == "ResizeNearestNeighbor";
  bool align = n.Bool("align_corners"), half = n.Bool("half_pixel_centers");
  std::map<std::string, AttrValue> attrs = {{"mode", std::string(nearest ? "nearest" : "linear")}};
  if (align) {
    attrs["coordinate_transformation_mode"] = std::string("align_corners");
    attrs["nearest_mode"] = std::string("round_prefer_ceil");
  } else if (half) {
    attrs["coordinate_transformation_mode"] =
        std::string(nearest ? "tf_half_pixel_for_nn" : "half_pixel");
    attrs["nearest_mode"] = std::string("round_prefer_ceil");
  } else {
    attrs["coordinate_transformation_mode"] = std::string("asymmetric");
    attrs["nearest_mode"] = std::string("floor");
  }
  Value* sizes = im.Ints(n, {s[0], s[3], size[0], size[1]});
  Value* y = im.Add(n, "Resize", {ToChannelsFirst(im, n, n.in[0]), nullptr, nullptr, sizes}, attrs);
  return {ToChannelsLast(im, n, y)};
}

Results DepthSpace(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  std::map<std::string, AttrValue> attrs = {{"blocksize", n.Int("block_size")}};
  if (n.op() == "DepthToSpace") attrs["mode"] = std::string("DCR");
  return {Out(im, n, im.Add(n, n.op(), {In(im, n, n.in[0])}, attrs))};
}

// SpaceToBatchND(x, block_shape, paddings) and BatchToSpaceND(x, block_shape, crops): the
// Pad, Reshape, Transpose, Reshape (and Slice) of frontends/block_space.h.
Results BlockSpace(Importer& im, TfNode& n, bool to_batch) {
  Arity(im, n, 3);
  const BlockSpacePlan plan = (to_batch ? SpaceToBatchPlan : BatchToSpacePlan)(
      im.TypeOf(n, n.in[0], "the input").shape, im.IntsOf(n, n.in[1], "block_shape"),
      im.IntsOf(n, n.in[2], to_batch ? "paddings" : "crops"));
  if (!plan.error.empty()) im.Fail(n, plan.error);
  Value* x = n.in[0];
  if (!plan.pads.empty()) x = im.Add(n, "Pad", {x, im.Ints(n, plan.pads)});
  x = im.Reshape(n, im.Transpose(n, im.Reshape(n, x, plan.split), plan.perm), plan.merged);
  if (plan.axes.empty()) return {x};
  return {im.Add(n, "Slice",
                 {x, im.Ints(n, plan.starts), im.Ints(n, plan.ends), im.Ints(n, plan.axes)})};
}

}  // namespace

void AddNnTranslators(TranslatorMap& m) {
  m["Conv2D"] = Conv2D;
  m["DepthwiseConv2dNative"] = DepthwiseConv;
  m["Conv2DBackpropInput"] = ConvBackpropInput;
  m["MaxPool"] = m["AvgPool"] = Pool;
  m["FusedBatchNorm"] = m["FusedBatchNormV2"] = m["FusedBatchNormV3"] = FusedBatchNorm;
  m["ResizeBilinear"] = m["ResizeNearestNeighbor"] = Resize;
  m["DepthToSpace"] = m["SpaceToDepth"] = DepthSpace;
  m["SpaceToBatchND"] = [](Importer& im, TfNode& n) { return BlockSpace(im, n, true); };
  m["BatchToSpaceND"] = [](Importer& im, TfNode& n) { return BlockSpace(im, n, false); };
}

}  // namespace halo::tf_fe
