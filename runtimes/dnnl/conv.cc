// Conv, FusedConv and ConvTranspose as oneDNN (de)convolutions: the layouts oneDNN prefers
// for the data and the weights (reordered once when constant), bias, sum and activation
// fused as post-ops.
#include "post_ops.h"

ODLA_DNNL_FILE(conv)

using namespace odla_dnnl;

ODLA_REF_DECL(Conv)
ODLA_REF_DECL(FusedConv)
ODLA_REF_DECL(ConvTranspose)

namespace {

using odla_rt::ConvArgs;

constexpr memory::data_type kF32 = memory::data_type::f32;

// The activation layout of fp32 2-D convolutions: channels in blocks of the vector width
// (16 with AVX-512, 8 with AVX2; NCHW16c, NCHW8c), which oneDNN's direct, 1x1, depthwise and
// Winograd kernels all take, so consecutive convolutions exchange it without reorders. At
// batch 1 they beat the NHWC brgemm kernels oneDNN picks by itself (MobileNetV2 ...).
// `any` for other ranks and instruction sets.
memory::format_tag BlockedTag(int rank) {
  static const memory::format_tag tag = [] {
    unsigned isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    auto has = [isa](dnnl_cpu_isa_t want) { return (isa & want) == static_cast<unsigned>(want); };
    if (has(dnnl_cpu_isa_avx512_core)) return memory::format_tag::nChw16c;
    if (has(dnnl_cpu_isa_avx2)) return memory::format_tag::nChw8c;
    return memory::format_tag::any;
  }();
  return rank == 4 ? tag : memory::format_tag::any;
}

int64_t BlockOf(memory::format_tag tag) {
  return tag == memory::format_tag::nChw16c ? 16 : tag == memory::format_tag::nChw8c ? 8 : 1;
}

// Whether a convolution is worth Winograd's F(4x4 or 2x2, 3x3) kernels: 2-D 3x3, stride 1,
// no dilation, no groups, fp32, at least 64 channels in and no more out (measured at batch
// 1: ResNet-50's 64- to 512-channel 3x3 convolutions take 0.4-0.7 times the direct kernel's
// time; SqueezeNet's 64 -> 256 one at 13x13 takes 1.5 times). The rounding stays within
// fp32 tolerances.
bool UseWinograd(const Dims& xd, const Dims& wd, const Dims& yd, const Window& w, int64_t g,
                 bool bf16) {
  if (bf16 || g != 1 || xd.size() != 4 || wd[2] != 3 || wd[3] != 3) return false;
  for (int i = 0; i < 2; ++i)
    if (w.strides[i] != 1 || w.dilates[i] != 0) return false;
  return xd[1] >= 64 && yd[1] <= xd[1] && yd[2] >= 7 && yd[3] >= 7;
}

// With bf16 the data and weights are bfloat16 (converted by reorders), the bias, the result
// and the accumulation float32.
odla_value BuildConv(const char* op, const ConvArgs& a, bool transposed,
                     const std::vector<EltOp>& post, bool bf16) {
  RequireF32({a.X, a.W, a.B, a.Sum});
  if (a.result.element_type != ODLA_FLOAT32) Reject("result type");
  Dims xd = ValueDims(a.X), wd = ValueDims(a.W), yd = TypeDims(a.result);
  int rank = static_cast<int>(xd.size());
  if (rank < 3 || rank > 5 || wd.size() != xd.size() || yd.size() != xd.size())
    Reject("rank ", rank);
  if (a.W->layout) Reject("weights in a oneDNN layout");
  Window w = MakeWindow(rank - 2, a.strides, a.dilations, a.pads);
  int64_t g = a.group, ic = xd[1], oc = yd[1];
  if (g < 1 || ic % g || oc % g || xd[0] != yd[0]) Reject("channels or group");
  // Weights in oneDNN's logical order ([G,] OC/G, IC/G, K...); ONNX stores ConvTranspose's
  // as [IC, OC/G, K...], i.e. with the two channel axes swapped.
  if (wd[0] != (transposed ? ic : oc) || wd[1] != (transposed ? oc : ic) / g)
    Reject("weight shape");
  Dims wlog = {oc / g, ic / g};
  wlog.insert(wlog.end(), wd.begin() + 2, wd.end());
  std::vector<int> order(wlog.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  if (transposed) std::swap(order[0], order[1]);
  if (g > 1) {
    wlog.insert(wlog.begin(), g);
    for (int& o : order) ++o;
    order.insert(order.begin(), 0);
  }
  if (a.B && ValueDims(a.B) != Dims{oc}) Reject("bias shape");
  // ConvTranspose's output padding extends the result beyond the window's reach.
  Dims extra(rank - 2, 0);
  if (a.output_padding.size != 0 && a.output_padding.size != rank - 2) Reject("output_padding");
  for (int i = 0; i < a.output_padding.size; ++i) extra[i] = a.output_padding.data[i];
  for (int i = 0; i < rank - 2; ++i) {
    int64_t k = (wd[i + 2] - 1) * (w.dilates[i] + 1) + 1, in = xd[i + 2], out = yd[i + 2];
    int64_t pads = w.pad_l[i] + w.pad_r[i];
    bool ok = transposed ? out == w.strides[i] * (in - 1) + extra[i] + k - pads
                         : in + pads >= k && out == (in + pads - k) / w.strides[i] + 1;
    if (!ok) Reject("spatial size ", out, " does not match the window");
  }

  auto any = [](const Dims& d, memory::data_type t = memory::data_type::f32) {
    return memory::desc(d, t, memory::format_tag::any);
  };
  const memory::data_type in_type = bf16 ? memory::data_type::bf16 : memory::data_type::f32;
  memory::desc bias_md = a.B ? PlainMd({oc}) : memory::desc();
  dnnl::primitive_attr attr = PostOpsAttr(a.Sum != nullptr, post);
  auto prop = dnnl::prop_kind::forward_inference;
  dnnl::primitive_desc pd;
  bool read_sum = false;
  if (transposed) {
    dnnl::deconvolution_forward::desc d(prop, dnnl::algorithm::deconvolution_direct,
                                        any(xd, in_type), any(wlog, in_type), bias_md, any(yd),
                                        w.strides, w.dilates, w.pad_l, w.pad_r);
    pd = dnnl::deconvolution_forward::primitive_desc(d, attr, Engine());
  } else {
    // The blocked activation layout first (without bf16: oneDNN's bf16 kernels want NHWC),
    // then whatever oneDNN prefers when that leaves only its reference kernel.
    memory::format_tag tag = bf16 ? memory::format_tag::any : BlockedTag(rank);
    int64_t block = BlockOf(tag);
    auto make = [&](dnnl::algorithm alg, bool blocked) {
      auto act = [&](const Dims& d, int64_t channels, memory::data_type t) {
        return blocked && channels >= block ? memory::desc(d, t, tag) : any(d, t);
      };
      dnnl::convolution_forward::desc d(prop, alg, act(xd, ic, in_type), any(wlog, in_type),
                                        bias_md, act(yd, oc, kF32), w.strides, w.dilates, w.pad_l,
                                        w.pad_r);
      return dnnl::convolution_forward::primitive_desc(d, attr, Engine());
    };
    auto conv = [&](dnnl::algorithm alg, bool blocked) {
      auto p = make(alg, blocked);
      bool ref = std::string(p.impl_info_str()).rfind("ref", 0) == 0;
      return blocked && ref ? make(alg, false) : p;
    };
    auto create = [&] {
      dnnl::primitive_desc p;
      if (UseWinograd(xd, wd, yd, w, g, bf16)) {
        try {
          p = conv(dnnl::algorithm::convolution_winograd, true);
        } catch (const dnnl::error&) {  // no Winograd kernel for this CPU or case
        }
      }
      if (!p) {
        try {
          p = conv(dnnl::algorithm::convolution_direct, tag != memory::format_tag::any);
        } catch (const dnnl::error&) {  // no kernel for the blocked layout
          p = conv(dnnl::algorithm::convolution_direct, false);
        }
      }
      return p;
    };
    pd = create();
    // A computed residual Sum in the result's layout is read where it is by a binary post-op
    // when the same kernel takes one; else it is copied into the result for a sum post-op.
    if (a.Sum && !a.Sum->const_data && MdOf(a.Sum) == pd.dst_desc(0)) {
      dnnl::primitive_attr sum_attr = attr;
      attr = PostOpsAttr(MdOf(a.Sum), post);
      try {
        dnnl::primitive_desc p = create();
        read_sum =
            std::string(p.impl_info_str()) == pd.impl_info_str() && p.dst_desc(0) == pd.dst_desc(0);
        if (read_sum) pd = p;
      } catch (const dnnl::error&) {  // no kernel with that post-op
      }
      if (!read_sum) attr = sum_attr;
    }
  }

  Plan plan;
  std::unordered_map<int, Slot> args;
  args[DNNL_ARG_SRC] = plan.As(plan.Input(0, a.X), pd.src_desc(0));
  Slot wts = plan.Input(1, a.W);
  wts.md = PlainMd(wlog, order);
  args[DNNL_ARG_WEIGHTS] = plan.As(wts, pd.weights_desc(0));
  if (a.B) args[DNNL_ARG_BIAS] = plan.As(plan.Input(2, a.B), pd.weights_desc(1));
  memory::desc dst = pd.dst_desc(0);
  if (read_sum)
    args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] = plan.Input(3, a.Sum);
  else if (a.Sum)
    CopySum(plan, 3, a.Sum, a.result, dst);
  args[DNNL_ARG_DST] = plan.Out(0, dst);
  plan.AddScratchpad(pd, args);
  plan.Run(dnnl::primitive(pd), args);
  return AddPlanOp(op, {a.X, a.W, a.B, a.Sum}, a.result, dst, a.id, plan);
}

}  // namespace

extern "C" {

odla_value odla_Conv(odla_value X, odla_value W, odla_value B, odla_ints dilations,
                     odla_int64 group, odla_ints pads, odla_ints strides,
                     odla_value_type result_type, odla_value_id id) {
  if (X && W) {
    ConvArgs a{X, W, B, nullptr, dilations, group, pads, strides, {}, result_type, id};
    odla_value v =
        TryPrecision("Conv", [&](bool bf16) { return BuildConv("Conv", a, false, {}, bf16); });
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
    odla_value v = TryPrecision("FusedConv", [&](bool bf16) {
      return BuildConv("FusedConv", a, false,
                       EltOpsOf(activation, activation_alpha, activation_beta), bf16);
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
    odla_value v = TryPrecision(
        "ConvTranspose", [&](bool bf16) { return BuildConv("ConvTranspose", a, true, {}, bf16); });
    if (v) return v;
  }
  return odla_ref_ConvTranspose(X, W, B, dilations, group, output_padding, pads, strides,
                                result_type, id);
}

}  // extern "C"
