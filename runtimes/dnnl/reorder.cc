// Data movement: Transpose as a oneDNN reorder (it reads the input in its layout, blocked or
// plain, and writes the permuted result densely), Concat as a oneDNN concat (in the inputs'
// layout when oneDNN can keep it).
#include "dnnl_rt.h"

ODLA_DNNL_FILE(reorder)

using namespace odla_dnnl;

ODLA_REF_DECL(Transpose)
ODLA_REF_DECL(Concat)

namespace {

odla_value BuildTranspose(odla_value X, const odla_ints& perm, const odla_value_type& result,
                          odla_value_id id) {
  RequireF32({X});
  Dims xd = ValueDims(X), yd = TypeDims(result);
  size_t rank = xd.size();
  if (rank == 0 || yd.size() != rank || static_cast<size_t>(perm.size) != rank ||
      result.element_type != ODLA_FLOAT32)
    Reject("shapes");
  std::vector<bool> seen(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t p = perm.data[i];
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[p] || yd[i] != xd[p]) Reject("perm");
    seen[p] = true;
  }
  // The result, dense in its own order, described over the input's dimensions.
  Dims strides(rank);
  int64_t s = 1;
  for (size_t i = rank; i-- > 0;) {
    strides[perm.data[i]] = s;
    s *= yd[i];
  }
  memory::desc dst(xd, memory::data_type::f32, strides);
  Plan plan;
  Slot src = plan.Input(0, X);
  if (src.kind == Slot::kConst) Reject("a constant");  // folded by the compiler
  dnnl::reorder r(dnnl::reorder::primitive_desc(Engine(), src.md, Engine(), dst));
  plan.Run(r, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, plan.Out(0, dst)}});
  return AddPlanOp("Transpose", {X}, result, PlainMd(yd), id, plan);
}

// Inputs in one channel-blocked layout (NCHW16c, NCHW8c) with whole blocks, joined on the
// channels: per image each input is one contiguous run of the result, copied by a flat
// reorder (oneDNN's concat of these layouts takes several times longer).
// Adds the copies and returns the result's descriptor; else returns an empty one.
memory::desc ConcatBlocked(Plan& plan, const std::vector<Slot>& slots, const Dims& yd) {
  if (yd.size() != 4) return {};
  for (auto tag : {memory::format_tag::nChw16c, memory::format_tag::nChw8c}) {
    const int64_t block = tag == memory::format_tag::nChw16c ? 16 : 8;
    int64_t channels = 0;
    for (const Slot& s : slots) {
      Dims d = s.md.dims();
      if (s.kind == Slot::kConst || d.size() != 4 || d[0] != yd[0] || d[2] != yd[2] ||
          d[3] != yd[3] || d[1] % block || s.md != memory::desc(d, memory::data_type::f32, tag))
        channels = -1;
      if (channels < 0) break;
      channels += d[1];
    }
    if (channels != yd[1]) continue;
    const int64_t image = yd[1] * yd[2] * yd[3];
    int64_t offset = 0;
    for (const Slot& s : slots) {
      Dims d = s.md.dims();
      const int64_t run = d[1] * d[2] * d[3];
      for (int64_t i = 0; i < yd[0]; ++i) {
        memory::desc part({run}, memory::data_type::f32, memory::format_tag::a);
        // Offsets into the buffers, not the descriptors: oneDNN copies dense descriptors
        // without offsets several times faster.
        Slot from = s, to = plan.Out(0, part);
        from.md = part;
        from.offset = static_cast<size_t>(i * run) * sizeof(float);
        to.offset = static_cast<size_t>(i * image + offset) * sizeof(float);
        dnnl::reorder r(dnnl::reorder::primitive_desc(Engine(), from.md, Engine(), to.md));
        plan.Run(r, {{DNNL_ARG_SRC, from}, {DNNL_ARG_DST, to}});
      }
      offset += run;
    }
    return memory::desc(yd, memory::data_type::f32, tag);
  }
  return {};
}

odla_value BuildConcat(const std::vector<odla_value>& inputs, int64_t axis_in,
                       const odla_value_type& result, odla_value_id id) {
  if (inputs.size() < 2 || result.element_type != ODLA_FLOAT32) Reject("inputs");
  int64_t rank = result.shape.size;
  if (rank < 1 || axis_in < -rank || axis_in >= rank) Reject("axis");
  int axis = static_cast<int>(axis_in < 0 ? axis_in + rank : axis_in);
  Plan plan;
  std::vector<memory::desc> mds;
  std::vector<Slot> slots;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) Reject("a NULL input");
    RequireF32({inputs[i]});
    slots.push_back(plan.Input(static_cast<int>(i), inputs[i]));
    mds.push_back(slots.back().md);
  }
  if (axis == 1) {
    memory::desc dst = ConcatBlocked(plan, slots, TypeDims(result));
    if (dst) return AddPlanOp("Concat", inputs, result, dst, id, plan);
  }
  dnnl::concat::primitive_desc pd(
      memory::desc(TypeDims(result), memory::data_type::f32, memory::format_tag::any), axis, mds,
      Engine(), ScratchAttr());
  if (TypeDims(result) != pd.dst_desc().dims()) Reject("result shape");
  std::unordered_map<int, Slot> args{{DNNL_ARG_DST, plan.Out(0, pd.dst_desc())}};
  for (size_t i = 0; i < slots.size(); ++i)
    args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = slots[i];
  plan.AddScratchpad(pd, args);
  plan.Run(dnnl::concat(pd), args);
  return AddPlanOp("Concat", inputs, result, pd.dst_desc(), id, plan);
}

}  // namespace

extern "C" odla_value odla_Concat(odla_values inputs, odla_int64 axis, odla_value_type result_type,
                                  odla_value_id id) {
  odla_value v = Try(
      "Concat", [&] { return BuildConcat(odla_rt::FromValues(inputs), axis, result_type, id); });
  return v ? v : odla_ref_Concat(inputs, axis, result_type, id);
}

extern "C" odla_value odla_Transpose(odla_value data, odla_ints perm, odla_value_type result_type,
                                     odla_value_id id) {
  if (data) {
    odla_value v = Try("Transpose", [&] { return BuildTranspose(data, perm, result_type, id); });
    if (v) return v;
  }
  return odla_ref_Transpose(data, perm, result_type, id);
}
