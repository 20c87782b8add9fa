// MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool as oneDNN pooling in the input's
// layout.
#include "dnnl_rt.h"

ODLA_DNNL_FILE(pool)

using namespace odla_dnnl;

ODLA_REF_DECL(MaxPool)
ODLA_REF_DECL(AveragePool)
ODLA_REF_DECL(GlobalAveragePool)
ODLA_REF_DECL(GlobalMaxPool)

namespace {

// `pads` as given; the end padding grows to what ceil_mode's last windows reach.
odla_value BuildPool(const char* op, dnnl::algorithm alg, odla_value X, Dims kernel,
                     const odla_ints& strides, const odla_ints& dilations, const odla_ints& pads,
                     bool ceil_mode, const odla_value_type& result, odla_value_id id) {
  RequireF32({X});
  if (result.element_type != ODLA_FLOAT32) Reject("result type");
  Dims xd = ValueDims(X), yd = TypeDims(result);
  int rank = static_cast<int>(xd.size()), sp = rank - 2;
  if (rank < 3 || rank > 5 || yd.size() != xd.size() || yd[0] != xd[0] || yd[1] != xd[1] ||
      static_cast<int>(kernel.size()) != sp)
    Reject("shapes");
  Window w = MakeWindow(sp, strides, dilations, pads);
  for (int i = 0; i < sp; ++i) {
    int64_t k = (kernel[i] - 1) * (w.dilates[i] + 1) + 1,
            span = xd[i + 2] + w.pad_l[i] + w.pad_r[i];
    if (kernel[i] < 1 || span < k) Reject("window");
    int64_t floor_out = (span - k) / w.strides[i] + 1;
    int64_t ceil_out = (span - k + w.strides[i] - 1) / w.strides[i] + 1;
    if (yd[i + 2] != floor_out && !(ceil_mode && yd[i + 2] == ceil_out))
      Reject("result spatial size");
    if ((yd[i + 2] - 1) * w.strides[i] >= xd[i + 2] + w.pad_l[i]) Reject("a window in padding");
    int64_t reach = (yd[i + 2] - 1) * w.strides[i] + k;
    if (reach > span) {
      if (alg == dnnl::algorithm::pooling_avg_include_padding)
        Reject("ceil_mode windows beyond the padding with count_include_pad");
      w.pad_r[i] += reach - span;
    }
  }
  memory::desc src = MdOf(X);
  memory::desc dst(yd, memory::data_type::f32, memory::format_tag::any);
  dnnl::pooling_v2_forward::desc d(dnnl::prop_kind::forward_inference, alg, src, dst, w.strides,
                                   kernel, w.dilates, w.pad_l, w.pad_r);
  dnnl::pooling_v2_forward::primitive_desc pd(d, ScratchAttr(), Engine());
  Plan plan;
  memory::desc dst_md = pd.dst_desc();
  std::unordered_map<int, Slot> args{{DNNL_ARG_SRC, plan.As(plan.Input(0, X), pd.src_desc())},
                                     {DNNL_ARG_DST, plan.Out(0, dst_md)}};
  plan.AddScratchpad(pd, args);
  plan.Run(dnnl::pooling_v2_forward(pd), args);
  return AddPlanOp(op, {X}, result, dst_md, id, plan);
}

odla_value BuildGlobalPool(const char* op, dnnl::algorithm alg, odla_value X,
                           const odla_value_type& result, odla_value_id id) {
  RequireF32({X});
  Dims xd = ValueDims(X);
  if (xd.size() < 3) Reject("rank");
  Dims kernel(xd.begin() + 2, xd.end());
  return BuildPool(op, alg, X, kernel, {}, {}, {}, false, result, id);
}

}  // namespace

extern "C" {

odla_values odla_MaxPool(odla_value X, odla_int64 ceil_mode, odla_ints dilations,
                         odla_ints kernel_shape, odla_ints pads, odla_int64 storage_order,
                         odla_ints strides, odla_value_types result_types, odla_value_id id) {
  if (X && result_types.size >= 1) {
    odla_values r = TryN("MaxPool", [&] {
      if (result_types.size != 1) Reject("Indices");
      return odla_rt::ToValues(
          {BuildPool("MaxPool", dnnl::algorithm::pooling_max, X, odla_rt::FromInts(kernel_shape),
                     strides, dilations, pads, ceil_mode != 0, result_types.types[0], id)});
    });
    if (r.size) return r;
  }
  return odla_ref_MaxPool(X, ceil_mode, dilations, kernel_shape, pads, storage_order, strides,
                          result_types, id);
}

odla_value odla_AveragePool(odla_value X, odla_int64 ceil_mode, odla_int64 count_include_pad,
                            odla_ints kernel_shape, odla_ints pads, odla_ints strides,
                            odla_value_type result_type, odla_value_id id) {
  if (X) {
    auto alg = count_include_pad ? dnnl::algorithm::pooling_avg_include_padding
                                 : dnnl::algorithm::pooling_avg_exclude_padding;
    odla_value v = Try("AveragePool", [&] {
      return BuildPool("AveragePool", alg, X, odla_rt::FromInts(kernel_shape), strides, {}, pads,
                       ceil_mode != 0, result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_AveragePool(X, ceil_mode, count_include_pad, kernel_shape, pads, strides,
                              result_type, id);
}

odla_value odla_GlobalAveragePool(odla_value X, odla_value_type result_type, odla_value_id id) {
  if (X) {
    odla_value v = Try("GlobalAveragePool", [&] {
      return BuildGlobalPool("GlobalAveragePool", dnnl::algorithm::pooling_avg_exclude_padding, X,
                             result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_GlobalAveragePool(X, result_type, id);
}

odla_value odla_GlobalMaxPool(odla_value X, odla_value_type result_type, odla_value_id id) {
  if (X) {
    odla_value v = Try("GlobalMaxPool", [&] {
      return BuildGlobalPool("GlobalMaxPool", dnnl::algorithm::pooling_max, X, result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_GlobalMaxPool(X, result_type, id);
}

}  // extern "C"
