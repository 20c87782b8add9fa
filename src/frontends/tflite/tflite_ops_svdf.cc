// SVDF (float and quantized) as one step of the IR's SVDF / QLinearSVDF. TFLite keeps the
// activation state in a variable tensor that each Invoke advances: it becomes a state of the
// model (Graph::State) that starts at zeros in real terms (the zero point for quantized
// states, as TFLite Micro's ResetVariableTensors fills them) and takes the op's second result,
// the state after the step, so that successive calls of the compiled model carry it like
// successive Invokes (docs/tflite-quant.md).
#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {
namespace {

using B = tflite::BuiltinOperator;

int64_t Rank(OpContext& c) {
  const auto* o = c.OptOptions<tflite::SVDFOptions>();
  int64_t rank = o ? o->rank() : 0;
  if (rank < 1) c.Fail("rank must be positive, got ", rank);
  return rank;
}

// The state before the step: a variable tensor without data is a state of the model that
// starts at `zero_point`.
Value* InitialState(OpContext& c, int64_t zero_point) {
  int t = c.input_index(4);
  if (t < 0) c.Fail("the activation state (input 4) is missing");
  if (!c.tensors().at(t).is_variable() || c.tensors().Constant(t)) return c.In(4);
  DataType dt = c.InType(4);
  Tensor s(Type(dt, c.InShape(4)));
  int64_t n = s.type().NumElements();
  if (dt == DataType::kInt8)
    for (int64_t i = 0; i < n; ++i) s.mutable_data<int8_t>()[i] = static_cast<int8_t>(zero_point);
  else if (dt == DataType::kInt16)
    for (int64_t i = 0; i < n; ++i) s.mutable_data<int16_t>()[i] = static_cast<int16_t>(zero_point);
  return c.StateIn(4, std::move(s));
}

void Svdf(OpContext& c) {
  if (c.num_inputs() != 5) c.Fail("expected 5 inputs, got ", c.num_inputs());
  for (int i = 0; i < 5; ++i)
    if (c.has_input(i) && c.InType(i) != DataType::kFloat32)
      c.Fail("input ", i, " must be float32 (hybrid SVDF is not supported)");
  Node* n = c.Add("SVDF", {c.In(0), c.In(1), c.In(2), c.OptIn(3), InitialState(c, 0)}, 2);
  n->set_attr("rank", Rank(c));
  c.SetState(4, n->output(1));
  const auto* o = c.OptOptions<tflite::SVDFOptions>();
  c.SetOut(0, c.Activation(n->output(0), o ? o->fused_activation_function()
                                           : tflite::ActivationFunctionType::NONE));
}

// Per-tensor quantization of input i (output i when `out`); weights must be symmetric.
QuantParams Q(OpContext& c, int i, const char* what, bool symmetric, bool out = false) {
  QuantParams q = out ? c.OutQuant(i) : c.InQuant(i);
  if (!q.present()) c.Fail(what, " has no quantization parameters");
  if (q.per_axis()) c.Fail(what, " must be quantized per tensor");
  if (symmetric && !q.zero_point.empty() && q.zero_point[0] != 0)
    c.Fail(what, " must have zero point 0, got ", q.zero_point[0]);
  return q;
}

int64_t Zp(const QuantParams& q) { return q.zero_point.empty() ? 0 : q.zero_point[0]; }

// TFLite's integer SVDF: int8 input, weights_feature and output; int16 or int8 state and
// weights_time; int32 bias at scale state_scale * weights_time_scale. TFLite applies no fused
// activation in this kernel, and neither does HALO.
void QSvdf(OpContext& c) {
  if (c.num_inputs() != 5) c.Fail("expected 5 inputs, got ", c.num_inputs());
  DataType i8 = DataType::kInt8, st = c.InType(4);
  if (c.InType(0) == DataType::kFloat32)
    c.Fail("hybrid SVDF (float input, quantized weights) is not supported");
  if (c.InType(0) != i8 || c.InType(1) != i8 || c.OutType(0) != i8)
    c.Fail("the input, weights_feature and output must be int8");
  if ((st != DataType::kInt16 && st != i8) || c.InType(2) != st)
    c.Fail("the state and weights_time must both be int16 or both int8");
  if (c.has_input(3) && c.InType(3) != DataType::kInt32) c.Fail("the bias must be int32");
  QuantParams xq = Q(c, 0, "the input", false), wfq = Q(c, 1, "weights_feature", true),
              wtq = Q(c, 2, "weights_time", true), sq = Q(c, 4, "the state", false),
              yq = Q(c, 0, "the output", false, true);
  auto scale = [&](const QuantParams& q) { return c.Scalar(DataType::kFloat32, q.scale[0]); };
  Node* n = c.Add("QLinearSVDF",
                  {c.In(0), scale(xq), c.Scalar(i8, static_cast<double>(Zp(xq))), c.In(1),
                   scale(wfq), c.In(2), scale(wtq), c.OptIn(3), InitialState(c, Zp(sq)), scale(sq),
                   c.Scalar(st, static_cast<double>(Zp(sq))), scale(yq),
                   c.Scalar(i8, static_cast<double>(Zp(yq)))},
                  2);
  n->set_attr("rank", Rank(c));
  c.SetState(4, n->output(1));
  c.SetOut(0, n->output(0));
}

}  // namespace

void RegisterSvdfOps(OpTable& t) {
  t.builtin[static_cast<int>(B::SVDF)] = Svdf;
  t.quantized[static_cast<int>(B::SVDF)] = QSvdf;
}

}  // namespace halo::tflite_fe
