// BatchNormalization (inference), LayerNormalization, Softmax and LogSoftmax as oneDNN
// normalisations.
#include "dnnl_rt.h"

ODLA_DNNL_FILE(norm)

using namespace odla_dnnl;
using dnnl::normalization_flags;

ODLA_REF_DECL(BatchNormalization)
ODLA_REF_DECL(LayerNormalization)
ODLA_REF_DECL(Softmax)
ODLA_REF_DECL(LogSoftmax)

namespace {

constexpr auto kInference = dnnl::prop_kind::forward_inference;

// A per-channel (or per-element) parameter: its data as md.
Slot Param(Plan& plan, int index, odla_value v, const memory::desc& md) {
  if (v->layout) Reject("parameter in a oneDNN layout");
  Slot s = plan.Input(index, v);
  s.md = md;
  return s;
}

odla_value BuildBatchNorm(odla_value X, odla_value scale, odla_value B, odla_value mean,
                          odla_value var, float epsilon, const odla_value_type& result,
                          odla_value_id id) {
  RequireF32({X, scale, B, mean, var});
  Dims xd = ValueDims(X);
  if (xd.size() < 2 || xd.size() > 5 || !odla_rt::SameType(result, X->type)) Reject("shapes");
  Dims c{xd[1]};
  for (odla_value p : {scale, B, mean, var})
    if (ValueDims(p) != c) Reject("parameter shape");
  auto flags = normalization_flags::use_global_stats | normalization_flags::use_scale |
               normalization_flags::use_shift;
  memory::desc md = MdOf(X);
  dnnl::batch_normalization_forward::desc d(kInference, md, epsilon, flags);
  dnnl::batch_normalization_forward::primitive_desc pd(d, ScratchAttr(), Engine());
  Plan plan;
  memory::desc pmd = PlainMd(c);
  std::unordered_map<int, Slot> args{{DNNL_ARG_SRC, plan.As(plan.Input(0, X), pd.src_desc())},
                                     {DNNL_ARG_SCALE, Param(plan, 1, scale, pmd)},
                                     {DNNL_ARG_SHIFT, Param(plan, 2, B, pmd)},
                                     {DNNL_ARG_MEAN, Param(plan, 3, mean, pmd)},
                                     {DNNL_ARG_VARIANCE, Param(plan, 4, var, pmd)},
                                     {DNNL_ARG_DST, plan.Out(0, pd.dst_desc())}};
  plan.AddScratchpad(pd, args);
  plan.Run(dnnl::batch_normalization_forward(pd), args);
  return AddPlanOp("BatchNormalization", {X, scale, B, mean, var}, result, pd.dst_desc(), id, plan);
}

// The [outer, inner] view of dims split before `axis`.
Dims Split2(const Dims& dims, int64_t axis) {
  Dims r{1, 1};
  for (size_t i = 0; i < dims.size(); ++i) r[static_cast<int64_t>(i) < axis ? 0 : 1] *= dims[i];
  return r;
}

int64_t Axis(int64_t axis, size_t rank) {
  int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) Reject("axis");
  return axis < 0 ? axis + r : axis;
}

odla_value BuildLayerNorm(odla_value X, odla_value Scale, odla_value B, int64_t axis_in,
                          float epsilon, const odla_value_type& result, odla_value_id id) {
  RequireF32({X, Scale, B});
  Dims xd = ValueDims(X);
  int64_t axis = Axis(axis_in, xd.size());
  if (!odla_rt::SameType(result, X->type)) Reject("result type");
  Dims norm(xd.begin() + axis, xd.end()), view = Split2(xd, axis);
  if (!Scale || ValueDims(Scale) != norm || (B && ValueDims(B) != norm)) Reject("Scale or B");
  if (Scale->layout || (B && B->layout)) Reject("parameter in a oneDNN layout");
  auto flags = normalization_flags::use_scale;
  if (B) flags = flags | normalization_flags::use_shift;
  memory::desc md = PlainMd(view);
  dnnl::layer_normalization_forward::desc d(kInference, md, epsilon, flags);
  dnnl::layer_normalization_forward::primitive_desc pd(d, ScratchAttr(), Engine());
  odla_value x = odla_rt::Plain(X);
  Plan plan;
  Slot src = plan.Input(0, x);
  src.md = md;
  memory::desc pmd = PlainMd({view[1]});
  std::unordered_map<int, Slot> args{{DNNL_ARG_SRC, src},
                                     {DNNL_ARG_SCALE, Param(plan, 1, Scale, pmd)},
                                     {DNNL_ARG_DST, plan.Out(0, md)}};
  if (B) args[DNNL_ARG_SHIFT] = Param(plan, 2, B, pmd);
  plan.AddScratchpad(pd, args);
  plan.Run(dnnl::layer_normalization_forward(pd), args);
  // The result is plain: md is its [outer, inner] view.
  return AddPlanOp("LayerNormalization", {x, Scale, B}, result, PlainMd(xd), id, plan);
}

odla_value BuildSoftmax(const char* op, dnnl::algorithm alg, odla_value X, int64_t axis_in,
                        bool legacy_2d, const odla_value_type& result, odla_value_id id) {
  RequireF32({X});
  Dims xd = ValueDims(X);
  int64_t axis = Axis(axis_in, xd.size());
  if (!odla_rt::SameType(result, X->type)) Reject("result type");
  bool reshape = legacy_2d && axis + 1 != static_cast<int64_t>(xd.size());
  memory::desc md = reshape ? PlainMd(Split2(xd, axis)) : MdOf(X);
  int dnnl_axis = reshape ? 1 : static_cast<int>(axis);
  auto make_pd = [&](const memory::desc& src) {
    dnnl::softmax_v2_forward::desc d(kInference, alg, src, src, dnnl_axis);
    return dnnl::softmax_v2_forward::primitive_desc(d, ScratchAttr(), Engine());
  };
  dnnl::softmax_v2_forward::primitive_desc pd;
  try {
    pd = make_pd(md);
  } catch (const dnnl::error&) {
    if (!X->layout) throw;
    reshape = true;  // a blocked layout oneDNN cannot take: the plain copy instead
    md = PlainMd(xd);
    pd = make_pd(md);
  }
  odla_value x = reshape ? odla_rt::Plain(X) : X;
  Plan plan;
  Slot src = plan.Input(0, x);
  src.md = md;
  std::unordered_map<int, Slot> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, plan.Out(0, md)}};
  plan.AddScratchpad(pd, args);
  plan.Run(dnnl::softmax_v2_forward(pd), args);
  // A reshaped result is plain: md is its [outer, inner] view.
  memory::desc dst = md.data.ndims == static_cast<int>(xd.size()) ? md : PlainMd(xd);
  return AddPlanOp(op, {x}, result, dst, id, plan);
}

}  // namespace

extern "C" {

odla_value odla_BatchNormalization(odla_value X, odla_value scale, odla_value B,
                                   odla_value input_mean, odla_value input_var,
                                   odla_float32 epsilon, odla_value_type result_type,
                                   odla_value_id id) {
  if (X && scale && B && input_mean && input_var) {
    odla_value v = Try("BatchNormalization", [&] {
      return BuildBatchNorm(X, scale, B, input_mean, input_var, epsilon, result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_BatchNormalization(X, scale, B, input_mean, input_var, epsilon, result_type, id);
}

odla_values odla_LayerNormalization(odla_value X, odla_value Scale, odla_value B, odla_int64 axis,
                                    odla_float32 epsilon, odla_value_types result_types,
                                    odla_value_id id) {
  if (X && result_types.size >= 1) {
    odla_values r = TryN("LayerNormalization", [&] {
      // oneDNN's statistics are not ONNX's Mean, InvStdDev.
      if (result_types.size != 1) Reject("Mean or InvStdDev");
      return odla_rt::ToValues(
          {BuildLayerNorm(X, Scale, B, axis, epsilon, result_types.types[0], id)});
    });
    if (r.size) return r;
  }
  return odla_ref_LayerNormalization(X, Scale, B, axis, epsilon, result_types, id);
}

odla_value odla_Softmax(odla_value input, odla_int64 axis, odla_int64 legacy_2d,
                        odla_value_type result_type, odla_value_id id) {
  if (input) {
    odla_value v = Try("Softmax", [&] {
      return BuildSoftmax("Softmax", dnnl::algorithm::softmax_accurate, input, axis, legacy_2d,
                          result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_Softmax(input, axis, legacy_2d, result_type, id);
}

odla_value odla_LogSoftmax(odla_value input, odla_int64 axis, odla_int64 legacy_2d,
                           odla_value_type result_type, odla_value_id id) {
  if (input) {
    odla_value v = Try("LogSoftmax", [&] {
      return BuildSoftmax("LogSoftmax", dnnl::algorithm::softmax_log, input, axis, legacy_2d,
                          result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_LogSoftmax(input, axis, legacy_2d, result_type, id);
}

}  // extern "C"
