// Conv, FusedConv and ConvTranspose (2-D) as XNNPACK NHWC (de)convolutions: weights packed once at
// build time, Relu and Clip as the output range, a Sum input added by an XNNPACK add, Sigmoid,
// HardSwish, LeakyRelu and Elu by XNNPACK ops in place. Other activations (Tanh, HardSigmoid),
// ranks and non-constant weights fall back to ref.
#include <cmath>

#include "xnn_rt.h"

ODLA_XNN_FILE(conv)

using namespace odla_xnn;

ODLA_REF_DECL(Conv)
ODLA_REF_DECL(FusedConv)
ODLA_REF_DECL(ConvTranspose)

namespace {

using odla_rt::ConvArgs;

// post: the activation after the output range, when no range computes it.
odla_value BuildConv(const char* op, const ConvArgs& a, float lo, float hi,
                     const UnaryOp& post = {}) {
  RequireF32x4({a.X, a.W, a.Sum});
  if (a.result.element_type != ODLA_FLOAT32 || a.result.shape.size != 4) Reject("result type");
  if (!a.W->const_data || (a.B && !a.B->const_data)) Reject("non-constant weights");
  Dims xd = ValueDims(a.X), wd = ValueDims(a.W), yd = odla_rt::Dims(a.result.shape);
  Window w = MakeWindow(a.strides, a.dilations, a.pads);
  int64_t g = a.group, ic = xd[1], oc = yd[1];
  if (g < 1 || ic % g || oc % g || xd[0] != yd[0] || wd[0] != oc || wd[1] != ic / g)
    Reject("channels or group");
  if (a.B && (a.B->type.element_type != ODLA_FLOAT32 || ValueDims(a.B) != Dims{oc})) Reject("bias");
  if (a.Sum && ValueDims(a.Sum) != yd) Reject("sum shape");
  for (int i = 0; i < 2; ++i) {
    int64_t k = (wd[i + 2] - 1) * w.dilation[i] + 1, span = xd[i + 2] + w.pad[i] + w.pad[i + 2];
    if (span < k || yd[i + 2] != (span - k) / w.stride[i] + 1) Reject("spatial size");
  }
  // ONNX's [OC, IC/G, KH, KW] as XNNPACK's [OC, KH, KW, IC/G].
  int64_t icg = ic / g, khw = wd[2] * wd[3];
  const float* wsrc = static_cast<const float*>(a.W->const_data);
  std::vector<float> wt(oc * icg * khw);
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t c = 0; c < icg; ++c)
      for (int64_t p = 0; p < khw; ++p) wt[(o * khw + p) * icg + c] = wsrc[(o * icg + c) * khw + p];
  XOpPtr conv = NewOp();
  float clo = a.Sum ? -INFINITY : lo, chi = a.Sum ? INFINITY : hi;
  Check(xnn_create_convolution2d_nhwc_f32(
            w.pad[0], w.pad[3], w.pad[2], w.pad[1], wd[2], wd[3], w.stride[0], w.stride[1],
            w.dilation[0], w.dilation[1], g, icg, oc / g, ic, oc, wt.data(),
            a.B ? static_cast<const float*>(a.B->const_data) : nullptr, clo, chi, 0, &conv->op),
        "xnn_create_convolution2d_nhwc_f32");
  size_t scratch = 0;
  NhwcInput x = PlanInput(0, a.X, scratch), sum;
  XOpPtr add;
  size_t tmp = scratch;
  if (a.Sum) {
    sum = PlanInput(3, a.Sum, scratch);
    tmp = scratch;
    scratch += NhwcBytes(a.Sum);
    add = NewOp();
    Check(xnn_create_add_nd_f32(lo, hi, 0, &add->op), "xnn_create_add_nd_f32");
  }
  size_t n = xd[0], h = xd[2], wi = xd[3], count = odla_rt::NumElements(a.result.shape);
  auto kernel = [=](const odla_rt::KernelArgs& k) {
    const float* xin = x.Get(k);
    float* y = k.Out<float>(0);
    float* cy = add ? reinterpret_cast<float*>(static_cast<char*>(k.scratch) + tmp) : y;
    Run(*conv, "convolution", [&](xnn_operator_t o) {
      return xnn_setup_convolution2d_nhwc_f32(o, n, h, wi, xin, cy, Pool());
    });
    if (add) {
      const float* s = sum.Get(k);
      Run(*add, "add", [&](xnn_operator_t o) {
        return xnn_setup_add_nd_f32(o, 1, &count, 1, &count, cy, s, y, Pool());
      });
    }
    if (post) post.Run(count, y, y);
  };
  return AddNhwcOp(op, {a.X, a.W, a.B, a.Sum}, a.result, scratch, a.id, kernel);
}

// ConvTranspose: ONNX's W [IC, OC/G, KH, KW] as XNNPACK's [G, OC/G, KH, KW, IC/G]; ONNX's
// pads crop the result as XNNPACK's output padding, output_padding is its adjustment.
odla_value BuildDeconv(const ConvArgs& a) {
  RequireF32x4({a.X, a.W});
  if (a.result.element_type != ODLA_FLOAT32 || a.result.shape.size != 4) Reject("result type");
  if (!a.W->const_data || (a.B && !a.B->const_data)) Reject("non-constant weights");
  Dims xd = ValueDims(a.X), wd = ValueDims(a.W), yd = odla_rt::Dims(a.result.shape);
  Window w = MakeWindow(a.strides, a.dilations, a.pads);
  int64_t g = a.group, ic = xd[1], oc = yd[1];
  if (g < 1 || ic % g || oc % g || xd[0] != yd[0] || wd[0] != ic || wd[1] != oc / g)
    Reject("channels or group");
  if (a.B && (a.B->type.element_type != ODLA_FLOAT32 || ValueDims(a.B) != Dims{oc})) Reject("bias");
  if (a.output_padding.size != 0 && a.output_padding.size != 2) Reject("output_padding");
  uint32_t adj[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t op = a.output_padding.size ? a.output_padding.data[i] : 0;
    int64_t k = (wd[i + 2] - 1) * w.dilation[i] + 1;
    if (op < 0 || op >= w.stride[i] ||
        yd[i + 2] != w.stride[i] * (xd[i + 2] - 1) + op + k - w.pad[i] - w.pad[i + 2])
      Reject("spatial size");
    adj[i] = static_cast<uint32_t>(op);
  }
  int64_t icg = ic / g, ocg = oc / g, khw = wd[2] * wd[3];
  const float* wsrc = static_cast<const float*>(a.W->const_data);
  std::vector<float> wt(oc * icg * khw);
  for (int64_t gi = 0; gi < g; ++gi)
    for (int64_t o = 0; o < ocg; ++o)
      for (int64_t c = 0; c < icg; ++c)
        for (int64_t p = 0; p < khw; ++p)
          wt[((gi * ocg + o) * khw + p) * icg + c] = wsrc[((gi * icg + c) * ocg + o) * khw + p];
  XOpPtr deconv = NewOp();
  Check(xnn_create_deconvolution2d_nhwc_f32(
            w.pad[0], w.pad[3], w.pad[2], w.pad[1], wd[2], wd[3], w.stride[0], w.stride[1],
            w.dilation[0], w.dilation[1], g, icg, ocg, ic, oc, wt.data(),
            a.B ? static_cast<const float*>(a.B->const_data) : nullptr, -INFINITY, INFINITY, 0,
            &deconv->op),
        "xnn_create_deconvolution2d_nhwc_f32");
  size_t scratch = 0;
  NhwcInput x = PlanInput(0, a.X, scratch);
  size_t n = xd[0], h = xd[2], wi = xd[3];
  auto kernel = [=](const odla_rt::KernelArgs& k) {
    const float* xin = x.Get(k);
    Run(*deconv, "deconvolution", [&](xnn_operator_t o) {
      return xnn_setup_deconvolution2d_nhwc_f32(o, n, h, wi, adj[0], adj[1], xin, k.Out<float>(0),
                                                Pool());
    });
  };
  return AddNhwcOp("ConvTranspose", {a.X, a.W, a.B}, a.result, scratch, a.id, kernel);
}

}  // namespace

extern "C" {

odla_value odla_Conv(odla_value X, odla_value W, odla_value B, odla_ints dilations,
                     odla_int64 group, odla_ints pads, odla_ints strides,
                     odla_value_type result_type, odla_value_id id) {
  if (X && W) {
    ConvArgs a{X, W, B, nullptr, dilations, group, pads, strides, {}, result_type, id};
    odla_value v = Try("Conv", [&] { return BuildConv("Conv", a, -INFINITY, INFINITY); });
    if (v) return v;
  }
  return odla_ref_Conv(X, W, B, dilations, group, pads, strides, result_type, id);
}

odla_value odla_FusedConv(odla_value X, odla_value W, odla_value B, odla_value Sum,
                          odla_ints dilations, odla_int64 group, odla_ints pads, odla_ints strides,
                          const char* activation, odla_float32 activation_alpha,
                          odla_float32 activation_beta, odla_value_type result_type,
                          odla_value_id id) {
  if (X && W) {
    ConvArgs a{X, W, B, Sum, dilations, group, pads, strides, {}, result_type, id};
    odla_value v = Try("FusedConv", [&] {
      float lo = -INFINITY, hi = INFINITY;
      UnaryOp post = ActivationOp(activation, activation_alpha, activation_beta);
      if (!post) OutputRange(activation, activation_alpha, activation_beta, lo, hi);
      return BuildConv("FusedConv", a, lo, hi, post);
    });
    if (v) return v;
  }
  return odla_ref_FusedConv(X, W, B, Sum, dilations, group, pads, strides, activation,
                            activation_alpha, activation_beta, result_type, id);
}

odla_value odla_ConvTranspose(odla_value X, odla_value W, odla_value B, odla_ints dilations,
                              odla_int64 group, odla_ints output_padding, odla_ints pads,
                              odla_ints strides, odla_value_type result_type, odla_value_id id) {
  if (X && W) {
    ConvArgs a{X, W, B, nullptr, dilations, group, pads, strides, output_padding, result_type, id};
    odla_value v = Try("ConvTranspose", [&] { return BuildDeconv(a); });
    if (v) return v;
  }
  return odla_ref_ConvTranspose(X, W, B, dilations, group, output_padding, pads, strides,
                                result_type, id);
}

}  // extern "C"
