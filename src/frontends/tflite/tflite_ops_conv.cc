// Convolutions, pooling, fully-connected and other NHWC image operators. NCHW-only IR ops
// get Transposes around them; filters change layout through constant Transposes
// (OHWI -> OIHW; depthwise 1HW(C*M) -> (C*M)1HW).
#include <cstring>

#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {
namespace {

using tflite::Padding;

const char* AutoPad(Padding p) { return p == Padding::SAME ? "SAME_UPPER" : "VALID"; }

void CheckRank4(OpContext& c, int i, const char* what) {
  if (c.InShape(i).size() != 4) c.Fail(what, " must be 4-D, got rank ", c.InShape(i).size());
}

void Conv2D(OpContext& c) {
  const auto& o = c.Options<tflite::Conv2DOptions>();
  CheckRank4(c, 0, "the input");
  CheckRank4(c, 1, "the filter");
  int64_t in_c = c.InShape(0)[3], w_c = c.InShape(1)[3];
  if (w_c <= 0 || in_c % w_c) c.Fail("input channels ", in_c, " are not a multiple of ", w_c);
  Node* n = c.Add("Conv", {c.ToNCHW(c.In(0)), c.Transpose(c.In(1), {0, 3, 1, 2}), c.OptIn(2)});
  n->set_attr("auto_pad", std::string(AutoPad(o.padding())));
  n->set_attr("strides", std::vector<int64_t>{o.stride_h(), o.stride_w()});
  n->set_attr("dilations", std::vector<int64_t>{o.dilation_h_factor(), o.dilation_w_factor()});
  n->set_attr("group", in_c / w_c);
  c.SetOut(0, c.Activation(c.ToNHWC(n->output()), o.fused_activation_function()));
}

void DepthwiseConv2D(OpContext& c) {
  const auto& o = c.Options<tflite::DepthwiseConv2DOptions>();
  CheckRank4(c, 0, "the input");
  CheckRank4(c, 1, "the filter");
  int64_t in_c = c.InShape(0)[3];
  if (c.InShape(1)[0] != 1 || in_c == 0 || c.InShape(1)[3] % in_c)
    c.Fail("filter ", ShapeToString(c.InShape(1)), " does not fit ", in_c, " input channels");
  Node* n = c.Add("Conv", {c.ToNCHW(c.In(0)), c.Transpose(c.In(1), {3, 0, 1, 2}), c.OptIn(2)});
  n->set_attr("auto_pad", std::string(AutoPad(o.padding())));
  n->set_attr("strides", std::vector<int64_t>{o.stride_h(), o.stride_w()});
  n->set_attr("dilations", std::vector<int64_t>{o.dilation_h_factor(), o.dilation_w_factor()});
  n->set_attr("group", in_c);
  c.SetOut(0, c.Activation(c.ToNHWC(n->output()), o.fused_activation_function()));
}

// CONV_3D: input [N, D, H, W, C], filter [KD, KH, KW, C / groups, O], bias [O].
void Conv3D(OpContext& c) {
  const auto& o = c.Options<tflite::Conv3DOptions>();
  if (c.InShape(0).size() != 5 || c.InShape(1).size() != 5)
    c.Fail("the input and the filter must have rank 5");
  int64_t in_c = c.InShape(0)[4], w_c = c.InShape(1)[3];
  if (w_c <= 0 || in_c % w_c) c.Fail("input channels ", in_c, " are not a multiple of ", w_c);
  Node* n = c.Add("Conv", {c.Transpose(c.In(0), {0, 4, 1, 2, 3}),
                           c.Transpose(c.In(1), {4, 3, 0, 1, 2}), c.OptIn(2)});
  n->set_attr("auto_pad", std::string(AutoPad(o.padding())));
  n->set_attr("strides", std::vector<int64_t>{o.stride_d(), o.stride_h(), o.stride_w()});
  n->set_attr("dilations", std::vector<int64_t>{o.dilation_d_factor(), o.dilation_h_factor(),
                                                o.dilation_w_factor()});
  n->set_attr("group", in_c / w_c);
  c.SetOut(0,
           c.Activation(c.Transpose(n->output(), {0, 2, 3, 4, 1}), o.fused_activation_function()));
}

// Transposed convolution to the output size `out_hw`: TFLite pads the full result and crops
// total = (in - 1) * stride + k - out, floor(total / 2) at the start (SAME) or none (VALID).
Value* TransposeConv(OpContext& c, Value* x, Value* w, Value* b, const Shape& x_shape,
                     const Shape& w_shape, const std::vector<int64_t>& out_hw, Padding padding,
                     int64_t stride_h, int64_t stride_w) {
  std::vector<int64_t> pads(4, 0), out_pad(2, 0), strides{stride_h, stride_w};
  for (int i = 0; i < 2; ++i) {
    int64_t full = (x_shape[1 + i] - 1) * strides[i] + w_shape[1 + i];
    int64_t total = padding == Padding::SAME ? std::max<int64_t>(0, full - out_hw[i]) : 0;
    pads[i] = total / 2;
    pads[i + 2] = total - total / 2;
    out_pad[i] = out_hw[i] - (full - total);
    if (out_pad[i] < 0)
      c.Fail("output size ", out_hw[i], " is smaller than the transposed convolution's ",
             full - total);
  }
  Node* n = c.Add("ConvTranspose", {c.ToNCHW(x), c.Transpose(w, {3, 0, 1, 2}), b});
  n->set_attr("strides", strides);
  n->set_attr("pads", pads);
  n->set_attr("output_padding", out_pad);
  return c.ToNHWC(n->output());
}

void TransposeConv2D(OpContext& c) {
  const auto& o = c.Options<tflite::TransposeConvOptions>();
  std::vector<int64_t> out_shape = ToInts(c.ConstIn(0, "output_shape"));
  CheckRank4(c, 1, "the filter");
  CheckRank4(c, 2, "the input");
  if (out_shape.size() != 4) c.Fail("output_shape must have 4 entries");
  if (out_shape[3] != c.InShape(1)[0])
    c.Fail("output_shape's channels ", out_shape[3], " differ from the filter's ", c.InShape(1)[0]);
  Value* y = TransposeConv(c, c.In(2), c.In(1), c.OptIn(3), c.InShape(2), c.InShape(1),
                           {out_shape[1], out_shape[2]}, o.padding(), o.stride_h(), o.stride_w());
  c.SetOut(0, c.Activation(y, o.fused_activation_function()));
}

// MediaPipe's Convolution2DTransposeBias: inputs x, filter (OHWI), bias; custom options are
// TfLiteTransposeConvParams as raw bytes: int32 padding (1 SAME, 2 VALID), stride_w,
// stride_h. The output size comes from the output tensor.
void Convolution2DTransposeBias(OpContext& c) {
  const auto* opts = c.op().custom_options();
  if (!opts || opts->size() < 12) c.Fail("custom options must hold padding and strides");
  int32_t p[3];
  std::memcpy(p, opts->data(), sizeof(p));
  if ((p[0] != 1 && p[0] != 2) || p[1] <= 0 || p[2] <= 0)
    c.Fail("bad custom options (padding ", p[0], ", strides ", p[1], "x", p[2], ")");
  CheckRank4(c, 0, "the input");
  CheckRank4(c, 1, "the filter");
  Shape out = c.OutShape(0);
  if (out.size() != 4) c.Fail("the output must be 4-D");
  Value* y =
      TransposeConv(c, c.In(0), c.In(1), c.OptIn(2), c.InShape(0), c.InShape(1), {out[1], out[2]},
                    p[0] == 1 ? Padding::SAME : Padding::VALID, p[2], p[1]);
  c.SetOut(0, y);
}

void Pool(OpContext& c, const char* ir_op) {
  const auto& o = c.Options<tflite::Pool2DOptions>();
  CheckRank4(c, 0, "the input");
  Node* n = c.Add(ir_op, {c.ToNCHW(c.In(0))});
  n->set_attr("auto_pad", std::string(AutoPad(o.padding())));
  n->set_attr("strides", std::vector<int64_t>{o.stride_h(), o.stride_w()});
  n->set_attr("kernel_shape", std::vector<int64_t>{o.filter_height(), o.filter_width()});
  if (std::string(ir_op) == "AveragePool") n->set_attr("count_include_pad", int64_t{0});
  c.SetOut(0, c.Activation(c.ToNHWC(n->output()), o.fused_activation_function()));
}

void FullyConnected(OpContext& c) {
  const auto* o = c.OptOptions<tflite::FullyConnectedOptions>();
  if (o && o->weights_format() != tflite::FullyConnectedOptionsWeightsFormat::DEFAULT)
    c.Fail("shuffled weights are not supported");
  Shape w = c.InShape(1), x = c.InShape(0);
  if (w.size() != 2) c.Fail("the weights must be 2-D, got ", ShapeToString(w));
  int64_t k = w[1], count = NumElements(x);
  if (k == 0 || count % k)
    c.Fail("input ", ShapeToString(x), " does not fit weights ", ShapeToString(w));
  Value* x2 = x.size() == 2 && x[1] == k ? c.In(0) : c.Reshape(c.In(0), {count / k, k});
  Node* n = c.Add("Gemm", {x2, c.In(1), c.OptIn(2)});
  n->set_attr("transB", int64_t{1});
  Value* y = n->output();
  if (o && o->keep_num_dims() && x.size() != 2) {
    Shape s = x;
    s.back() = w[0];
    y = c.Reshape(y, s);
  }
  c.SetOut(0, c.Activation(
                  y, o ? o->fused_activation_function() : tflite::ActivationFunctionType::NONE));
}

void BatchMatMul(OpContext& c) {
  const auto* o = c.OptOptions<tflite::BatchMatMulOptions>();
  auto adjoint = [&](int i, bool adj) {
    Value* v = c.In(i);
    if (!adj) return v;
    size_t r = c.InShape(i).size();
    if (r < 2) c.Fail("input ", i, " must have rank 2 or more to be adjoint");
    std::vector<int64_t> perm(r);
    for (size_t d = 0; d < r; ++d) perm[d] = static_cast<int64_t>(d);
    std::swap(perm[r - 1], perm[r - 2]);
    return c.Transpose(v, perm);
  };
  c.SetOut(0, c.Add1("MatMul", {adjoint(0, o && o->adj_x()), adjoint(1, o && o->adj_y())}));
}

void Resize(OpContext& c, bool bilinear) {
  std::vector<int64_t> size = ToInts(c.ConstIn(1, "size"));
  CheckRank4(c, 0, "the input");
  if (size.size() != 2) c.Fail("size must have 2 entries");
  bool align = false, half = false;
  if (bilinear) {
    if (const auto* o = c.OptOptions<tflite::ResizeBilinearOptions>())
      align = o->align_corners(), half = o->half_pixel_centers();
  } else if (const auto* o = c.OptOptions<tflite::ResizeNearestNeighborOptions>()) {
    align = o->align_corners(), half = o->half_pixel_centers();
  }
  Shape x = c.InShape(0);
  Node* n = c.Add("Resize",
                  {c.ToNCHW(c.In(0)), nullptr, nullptr, c.Ints({x[0], x[3], size[0], size[1]})});
  n->set_attr("mode", std::string(bilinear ? "linear" : "nearest"));
  std::string ctm = align  ? "align_corners"
                    : half ? (bilinear ? "half_pixel" : "tf_half_pixel_for_nn")
                           : "asymmetric";
  n->set_attr("coordinate_transformation_mode", ctm);
  // TFLite rounds half away from zero with align_corners and floors otherwise.
  n->set_attr("nearest_mode", std::string(align ? "round_prefer_ceil" : "floor"));
  c.SetOut(0, c.ToNHWC(n->output()));
}

void BlockOp(OpContext& c, const char* ir_op, int block) {
  CheckRank4(c, 0, "the input");
  Node* n = c.Add(ir_op, {c.ToNCHW(c.In(0))});
  n->set_attr("blocksize", int64_t{block});
  if (std::string(ir_op) == "DepthToSpace") n->set_attr("mode", std::string("DCR"));
  c.SetOut(0, c.ToNHWC(n->output()));
}

void L2Normalization(OpContext& c) {
  Node* n = c.Add("LpNormalization", {c.In(0)});
  n->set_attr("axis", int64_t{-1});
  n->set_attr("p", int64_t{2});
  const auto* o = c.OptOptions<tflite::L2NormOptions>();
  c.SetOut(0, c.Activation(n->output(), o ? o->fused_activation_function()
                                          : tflite::ActivationFunctionType::NONE));
}

// TFLite: x / (bias + alpha * sum over [c - r, c + r] of x^2)^beta; ONNX LRN divides alpha
// by the window size.
void LocalResponseNorm(OpContext& c) {
  const auto& o = c.Options<tflite::LocalResponseNormalizationOptions>();
  CheckRank4(c, 0, "the input");
  int64_t size = 2 * int64_t{o.radius()} + 1;
  Node* n = c.Add("LRN", {c.ToNCHW(c.In(0))});
  n->set_attr("size", size);
  n->set_attr("alpha", static_cast<double>(o.alpha()) * size);
  n->set_attr("beta", static_cast<double>(o.beta()));
  n->set_attr("bias", static_cast<double>(o.bias()));
  c.SetOut(0, c.ToNHWC(n->output()));
}

}  // namespace

void RegisterConvOps(OpTable& t) {
  using B = tflite::BuiltinOperator;
  auto reg = [&](B code, Handler h) { t.builtin[static_cast<int>(code)] = h; };
  reg(B::CONV_2D, Conv2D);
  reg(B::DEPTHWISE_CONV_2D, DepthwiseConv2D);
  reg(B::CONV_3D, Conv3D);
  reg(B::TRANSPOSE_CONV, TransposeConv2D);
  t.custom["Convolution2DTransposeBias"] = Convolution2DTransposeBias;
  reg(B::MAX_POOL_2D, [](OpContext& c) { Pool(c, "MaxPool"); });
  reg(B::AVERAGE_POOL_2D, [](OpContext& c) { Pool(c, "AveragePool"); });
  reg(B::FULLY_CONNECTED, FullyConnected);
  reg(B::BATCH_MATMUL, BatchMatMul);
  reg(B::RESIZE_BILINEAR, [](OpContext& c) { Resize(c, true); });
  reg(B::RESIZE_NEAREST_NEIGHBOR, [](OpContext& c) { Resize(c, false); });
  reg(B::DEPTH_TO_SPACE, [](OpContext& c) {
    BlockOp(c, "DepthToSpace", c.Options<tflite::DepthToSpaceOptions>().block_size());
  });
  reg(B::SPACE_TO_DEPTH, [](OpContext& c) {
    BlockOp(c, "SpaceToDepth", c.Options<tflite::SpaceToDepthOptions>().block_size());
  });
  reg(B::L2_NORMALIZATION, L2Normalization);
  reg(B::LOCAL_RESPONSE_NORMALIZATION, LocalResponseNorm);
}

}  // namespace halo::tflite_fe
