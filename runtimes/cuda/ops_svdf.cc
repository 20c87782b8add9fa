// Builders of SVDF and QLinearSVDF (TFLite's SVDF, one step with an explicit state) on the GPU:
// a thread per filter shifts its memory, appends the new activation and reduces it against
// weights_time, then a thread per unit sums its filters (kernels_svdf.cu, on the ref's
// functions: the host's results to the bit). Rejected (run on the host by the shared builder,
// which also reports invalid arguments): QLinearSVDF scales or zero points that are not
// constants (its multipliers are made once, at build time), types and shapes the ref refuses,
// empty values.
#include "cuda_rt.h"
#include "kernels.h"
#include "quant_params.h"

ODLA_CUDA_FILE(ops_svdf)

using namespace odla_cuda;
using odla_rt::KernelArgs;

ODLA_REF_DECL(SVDF)
ODLA_REF_DECL(QLinearSVDF)

namespace {

// The shape of a step, after the ref's checks (CheckSvdf in runtimes/ref/svdf.cc).
odla_rt::SvdfShape Shape(odla_value X, odla_value wf, odla_value wt, odla_value B, odla_value state,
                         int64_t rank, const std::vector<odla_value_type>& types) {
  if (!X || !wf || !wt || !state) Reject("missing input");
  const std::vector<int64_t> x = ValueDims(X), f = ValueDims(wf), t = ValueDims(wt);
  if (x.size() != 2 || f.size() != 2 || t.size() != 2 || f[1] != x[1] || t[0] != f[0])
    Reject("shapes");
  odla_rt::SvdfShape d;
  d.batch = x[0], d.input = x[1], d.filters = f[0], d.memory = t[1], d.rank = rank;
  if (rank < 1 || d.filters % rank != 0) Reject("rank");
  if (d.batch * d.input * d.filters * d.memory == 0) Reject("empty");
  if (ValueDims(state) != std::vector<int64_t>{d.batch, d.filters * d.memory}) Reject("state");
  if (B && ValueDims(B) != std::vector<int64_t>{d.units()}) Reject("B");
  if (types.size() != 2 || TypeDims(types[0]) != std::vector<int64_t>{d.batch, d.units()} ||
      types[1].element_type != state->type.element_type || TypeDims(types[1]) != ValueDims(state))
    Reject("result types");
  return d;
}

void RequireType(odla_value v, odla_element_type t) {
  if (v && v->type.element_type != t) Reject("element type ", odla_rt::TypeToString(v->type));
}

odla_values BuildSvdf(odla_value X, odla_value wf, odla_value wt, odla_value B, odla_value state,
                      int64_t rank, const odla_value_types& result_types, odla_value_id id) {
  const std::vector<odla_value_type> types = odla_rt::FromTypes(result_types);
  const odla_rt::SvdfShape d = Shape(X, wf, wt, B, state, rank, types);
  for (odla_value v : {X, wf, wt, B, state}) RequireType(v, ODLA_FLOAT32);
  if (types[0].element_type != ODLA_FLOAT32) Reject("Y type");
  const size_t red = ScratchAligned(d.batch * d.filters * sizeof(float));
  return odla_rt::ToValues(
      AddCudaOp("SVDF", {X, wf, wt, B, state}, types, red, id, [d](const KernelArgs& a) {
        SvdfFloat(CudaStream(a), d, a.In<float>(0), a.In<float>(1), a.In<float>(2), a.In<float>(3),
                  a.In<float>(4), a.Out<float>(0), a.Out<float>(1), static_cast<float*>(a.scratch));
      }));
}

odla_values BuildQLinearSvdf(odla_value X, odla_value xs, odla_value xzp, odla_value wf,
                             odla_value wfs, odla_value wt, odla_value wts, odla_value B,
                             odla_value state, odla_value ss, odla_value szp, odla_value ys,
                             odla_value yzp, int64_t rank, const odla_value_types& result_types,
                             odla_value_id id) {
  const std::vector<odla_value_type> types = odla_rt::FromTypes(result_types);
  const odla_rt::SvdfShape d = Shape(X, wf, wt, B, state, rank, types);
  const odla_element_type st = state->type.element_type;
  RequireType(X, ODLA_INT8);
  RequireType(wf, ODLA_INT8);
  if (types[0].element_type != ODLA_INT8) Reject("Y type");
  if (st != ODLA_INT16 && st != ODLA_INT8) Reject("state type");
  RequireType(wt, st);
  RequireType(B, ODLA_INT32);
  if (!xzp || !szp || !yzp) Reject("missing zero point");
  const odla_rt::SvdfQuant q = odla_rt::MakeSvdfQuant(
      ConstScale(xs), ConstScale(wfs), ConstScale(wts), ConstScale(ss), ConstScale(ys),
      ConstZeroPoint(xzp, ODLA_INT8), ConstZeroPoint(szp, st), ConstZeroPoint(yzp, ODLA_INT8));
  const size_t red = ScratchAligned(d.batch * d.filters * sizeof(int32_t));
  return odla_rt::ToValues(AddCudaOp(
      "QLinearSVDF", {X, wf, wt, B, state}, types, red, id, [d, q, st](const KernelArgs& a) {
        SvdfInteger(CudaStream(a), st, d, q, a.In<int8_t>(0), a.In<int8_t>(1), a.in[2],
                    a.In<int32_t>(3), a.in[4], a.Out<int8_t>(0), a.out[1],
                    static_cast<int32_t*>(a.scratch));
      }));
}

}  // namespace

extern "C" {

odla_values odla_SVDF(odla_value X, odla_value weights_feature, odla_value weights_time,
                      odla_value B, odla_value state, odla_int64 rank,
                      odla_value_types result_types, odla_value_id id) {
  return TryN(
      "SVDF", id,
      [&] { return BuildSvdf(X, weights_feature, weights_time, B, state, rank, result_types, id); },
      [&] {
        return odla_ref_SVDF(X, weights_feature, weights_time, B, state, rank, result_types, id);
      });
}

odla_values odla_QLinearSVDF(odla_value X, odla_value X_scale, odla_value X_zero_point,
                             odla_value weights_feature, odla_value weights_feature_scale,
                             odla_value weights_time, odla_value weights_time_scale, odla_value B,
                             odla_value state, odla_value state_scale, odla_value state_zero_point,
                             odla_value Y_scale, odla_value Y_zero_point, odla_int64 rank,
                             odla_value_types result_types, odla_value_id id) {
  return TryN(
      "QLinearSVDF", id,
      [&] {
        return BuildQLinearSvdf(X, X_scale, X_zero_point, weights_feature, weights_feature_scale,
                                weights_time, weights_time_scale, B, state, state_scale,
                                state_zero_point, Y_scale, Y_zero_point, rank, result_types, id);
      },
      [&] {
        return odla_ref_QLinearSVDF(X, X_scale, X_zero_point, weights_feature,
                                    weights_feature_scale, weights_time, weights_time_scale, B,
                                    state, state_scale, state_zero_point, Y_scale, Y_zero_point,
                                    rank, result_types, id);
      });
}

}  // extern "C"
