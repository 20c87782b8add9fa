// ODLA builders of SVDF and QLinearSVDF (TFLite's SVDF, one step with an explicit state).
#include "../kernels/svdf.h"

#include "../common/builder.h"
#include "../kernels/dispatch.h"

using namespace odla_rt;

namespace {

// The shapes of X, weights_feature, weights_time, B and state, and the result types.
SvdfShape CheckSvdf(odla_value X, odla_value wf, odla_value wt, odla_value B, odla_value state,
                    odla_int64 rank, const std::vector<odla_value_type>& types) {
  CheckInput(X, "X");
  CheckInput(wf, "weights_feature");
  CheckInput(wt, "weights_time");
  CheckInput(state, "state");
  auto x = Dims(X->type.shape), f = Dims(wf->type.shape), t = Dims(wt->type.shape);
  if (x.size() != 2 || f.size() != 2 || t.size() != 2 || f[1] != x[1] || t[0] != f[0])
    Fail(
        "X [batch, input], weights_feature [filters, input], weights_time [filters, memory] "
        "expected");
  SvdfShape d;
  d.batch = x[0];
  d.input = x[1];
  d.filters = f[0];
  d.memory = t[1];
  d.rank = rank;
  if (rank < 1 || d.filters % rank != 0) Fail("rank must be positive and divide the filters");
  if (Dims(state->type.shape) != std::vector<int64_t>{d.batch, d.filters * d.memory})
    Fail("state must be [batch, filters * memory]");
  if (B && Dims(B->type.shape) != std::vector<int64_t>{d.units()})
    Fail("B must be [filters / rank]");
  if (types.size() != 2 || Dims(types[0].shape) != std::vector<int64_t>{d.batch, d.units()} ||
      !SameType(types[1], state->type))
    Fail("results must be Y [batch, filters / rank] and state_out of state's type");
  return d;
}

float Scalar(const KernelArgs& a, int i) { return *a.In<float>(i); }

}  // namespace

extern "C" {

ODLA_WEAK odla_values odla_SVDF(odla_value X, odla_value weights_feature, odla_value weights_time,
                                odla_value B, odla_value state, odla_int64 rank,
                                odla_value_types result_types, odla_value_id id) {
  return GuardN("odla_SVDF", id, [&] {
    auto types = FromTypes(result_types);
    SvdfShape d = CheckSvdf(X, weights_feature, weights_time, B, state, rank, types);
    for (odla_value v : {X, weights_feature, weights_time, B, state})
      if (v && v->type.element_type != ODLA_FLOAT32) Fail("inputs must be float32");
    if (types[0].element_type != ODLA_FLOAT32) Fail("Y must be float32");
    Kernel kernel = [d](const KernelArgs& a) {
      SvdfFloat(d, a.In<float>(0), a.In<float>(1), a.In<float>(2), a.In<float>(3), a.In<float>(4),
                a.Out<float>(0), a.Out<float>(1));
    };
    return ToValues(AddOp("SVDF", {X, weights_feature, weights_time, B, state}, types, id, kernel));
  });
}

ODLA_WEAK odla_values odla_QLinearSVDF(odla_value X, odla_value X_scale, odla_value X_zero_point,
                                       odla_value weights_feature, odla_value weights_feature_scale,
                                       odla_value weights_time, odla_value weights_time_scale,
                                       odla_value B, odla_value state, odla_value state_scale,
                                       odla_value state_zero_point, odla_value Y_scale,
                                       odla_value Y_zero_point, odla_int64 rank,
                                       odla_value_types result_types, odla_value_id id) {
  return GuardN("odla_QLinearSVDF", id, [&] {
    auto types = FromTypes(result_types);
    SvdfShape d = CheckSvdf(X, weights_feature, weights_time, B, state, rank, types);
    odla_element_type st = state->type.element_type;
    if (X->type.element_type != ODLA_INT8 || weights_feature->type.element_type != ODLA_INT8 ||
        types[0].element_type != ODLA_INT8)
      Fail("X, weights_feature and Y must be int8");
    if ((st != ODLA_INT16 && st != ODLA_INT8) || weights_time->type.element_type != st)
      Fail("state and weights_time must both be int16 or both int8");
    if (B && B->type.element_type != ODLA_INT32) Fail("B must be int32");
    const odla_value scalars[] = {
        X_scale,          X_zero_point, weights_feature_scale, weights_time_scale, state_scale,
        state_zero_point, Y_scale,      Y_zero_point};
    for (odla_value v : scalars) {
      CheckInput(v, "a scale or zero point");
      if (NumElements(v->type.shape) != 1) Fail("scales and zero points must be scalars");
    }
    auto make = [&](auto tag) -> Kernel {
      using S = typename decltype(tag)::type;
      return [d](const KernelArgs& a) {
        SvdfQuant q =
            MakeSvdfQuant(Scalar(a, 1), Scalar(a, 4), Scalar(a, 6), Scalar(a, 9), Scalar(a, 11),
                          *a.In<int8_t>(2), *a.In<S>(10), *a.In<int8_t>(12));
        SvdfInteger<S>(d, q, a.In<int8_t>(0), a.In<int8_t>(3), a.In<S>(5), a.In<int32_t>(7),
                       a.In<S>(8), a.Out<int8_t>(0), a.Out<S>(1));
      };
    };
    Kernel kernel = st == ODLA_INT16 ? make(Tag<int16_t>{}) : make(Tag<int8_t>{});
    return ToValues(
        AddOp("QLinearSVDF",
              {X, X_scale, X_zero_point, weights_feature, weights_feature_scale, weights_time,
               weights_time_scale, B, state, state_scale, state_zero_point, Y_scale, Y_zero_point},
              types, id, kernel));
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(SVDF)
ODLA_REF_ALIAS(QLinearSVDF)
