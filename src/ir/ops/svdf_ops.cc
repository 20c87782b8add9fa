// SVDF and QLinearSVDF: one step of TFLite's SVDF (singular value decomposition filter), a
// rank-`rank` bank of filters over the last `memory` steps. The activation state is explicit:
// an input (the state before the step) and a second result (the state after it), so a caller
// that feeds `state_out` back as `state` runs TFLite's sequence of invocations.
#include "ir/ops/rules.h"

namespace halo {
namespace {

// X [batch, input], weights_feature [filters, input], weights_time [filters, memory],
// B [filters / rank], state [batch, filters * memory]; returns filters / rank.
int64_t CheckSvdfShapes(InferContext& c, size_t x, size_t wf, size_t wt, size_t b, size_t state) {
  Node* n = c.node();
  int64_t rank = n->GetInt("rank");
  const Type &xt = c.in(x), &wft = c.in(wf), &wtt = c.in(wt), &st = c.in(state);
  c.check(xt.Rank() == 2, "X must be [batch, input], got ", xt.ToString());
  c.check(wft.Rank() == 2 && wft.shape[1] == xt.shape[1],
          "weights_feature must be [filters, input] with X's input size, got ", wft.ToString());
  int64_t filters = wft.shape[0];
  c.check(rank >= 1 && filters % rank == 0, "rank must be positive and divide the ", filters,
          " filters, got ", rank);
  c.check(wtt.Rank() == 2 && wtt.shape[0] == filters && wtt.shape[1] >= 1,
          "weights_time must be [filters, memory], got ", wtt.ToString());
  int64_t memory = wtt.shape[1];
  c.check(st.Rank() == 2 && st.shape[0] == xt.shape[0] && st.shape[1] == filters * memory,
          "state must be [batch, filters * memory] = [", xt.shape[0], ", ", filters * memory,
          "], got ", st.ToString());
  int64_t units = filters / rank;
  if (c.has_input(b))
    c.check(c.in(b).Rank() == 1 && c.in(b).shape[0] == units, "B must be [filters / rank] = [",
            units, "], got ", c.in(b).ToString());
  c.set_out(1, st);
  return units;
}

void SvdfRule(InferContext& c) {
  for (size_t i : {0, 1, 2, 3, 4})
    if (c.has_input(i))
      c.check(c.in(i).dtype == DataType::kFloat32, "inputs must be float32, got ",
              c.in(i).ToString());
  int64_t units = CheckSvdfShapes(c, 0, 1, 2, 3, 4);
  c.set_out(0, Type(DataType::kFloat32, {c.in(0).shape[0], units}));
}

void CheckScalar(InferContext& c, size_t i, DataType t, const char* what) {
  const Type& s = c.in(i);
  c.check(s.dtype == t && s.NumElements() == 1 && s.Rank() <= 1, what, " must be a ",
          DataTypeName(t), " scalar, got ", s.ToString());
}

void QLinearSvdfRule(InferContext& c) {
  const DataType i8 = DataType::kInt8, f32 = DataType::kFloat32;
  c.check(c.in(0).dtype == i8 && c.in(3).dtype == i8, "X and weights_feature must be int8");
  DataType s = c.in(8).dtype;
  c.check((s == DataType::kInt16 || s == i8) && c.in(5).dtype == s,
          "state and weights_time must both be int16 or both int8, got ", c.in(8).ToString(),
          " and ", c.in(5).ToString());
  c.check(!c.has_input(7) || c.in(7).dtype == DataType::kInt32, "B must be int32");
  for (size_t i : {1, 4, 6, 9, 11}) CheckScalar(c, i, f32, "the scales");
  CheckScalar(c, 2, i8, "X_zero_point");
  CheckScalar(c, 10, s, "state_zero_point");
  CheckScalar(c, 12, i8, "Y_zero_point");
  int64_t units = CheckSvdfShapes(c, 0, 3, 5, 7, 8);
  c.set_out(0, Type(i8, {c.in(0).shape[0], units}));
}

}  // namespace

void RegisterSvdfOps(OpRegistry& r) {
  r.Add("SVDF")
      .Doc(
          "One step of TFLite's float SVDF (no fused activation): the state shifted left by one "
          "step per filter, the last slot set to weights_feature . X; per filter the state's "
          "memory reduced against weights_time; rank consecutive filters summed per unit, "
          "plus B. Y: [batch, filters / rank]; state_out: the new state.")
      .In("X", "[batch, input]")
      .In("weights_feature", "[filters, input]")
      .In("weights_time", "[filters, memory]")
      .OptIn("B", "[filters / rank]")
      .In("state", "[batch, filters * memory]: per filter its last memory steps, oldest first")
      .Int("rank", 1, "filters per unit")
      .Out("Y")
      .Out("state_out")
      .Rule(SvdfRule);
  r.Add("QLinearSVDF")
      .Doc(
          "One step of TFLite's integer SVDF (EvalIntegerSvdfReference): int8 X and "
          "weights_feature, state and weights_time both int16 or both int8, int32 B at scale "
          "state_scale * weights_time_scale, int8 Y; weights symmetric. The new activation is "
          "(weights_feature . (X - X_zero_point)) times the multiplier of X_scale * "
          "weights_feature_scale / state_scale plus state_zero_point, saturated; the int32 sum "
          "of weights_time . (state - state_zero_point) over rank filters plus B, times the "
          "multiplier of state_scale * weights_time_scale / Y_scale, plus Y_zero_point, "
          "saturated to int8.")
      .In("X", "int8 [batch, input]")
      .In("X_scale", "float32 scalar")
      .In("X_zero_point", "int8 scalar")
      .In("weights_feature", "int8 [filters, input]")
      .In("weights_feature_scale", "float32 scalar")
      .In("weights_time", "int16 or int8 [filters, memory]")
      .In("weights_time_scale", "float32 scalar")
      .OptIn("B", "int32 [filters / rank]")
      .In("state", "[batch, filters * memory] of weights_time's type")
      .In("state_scale", "float32 scalar")
      .In("state_zero_point", "scalar of state's type")
      .In("Y_scale", "float32 scalar")
      .In("Y_zero_point", "int8 scalar")
      .Int("rank", 1, "filters per unit")
      .Out("Y")
      .Out("state_out")
      .Rule(QLinearSvdfRule);
}

}  // namespace halo
