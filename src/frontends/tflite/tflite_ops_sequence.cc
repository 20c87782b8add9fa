// Recurrent layers (UNIDIRECTIONAL_SEQUENCE_LSTM as an IR LSTM) and DENSIFY.
#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {
namespace {

using B = tflite::BuiltinOperator;

// Inputs: 0 x; 1-4 input weights (input, forget, cell, output gates); 5-8 recurrent
// weights; 9-11 peepholes (input, forget, output); 12-15 gate biases; 16-17 projection;
// 18 output state; 19 cell state; 20-23 layer-norm coefficients. The IR LSTM orders gates
// i, o, f, c.
void SequenceLstm(OpContext& c) {
  const auto& o = c.Options<tflite::UnidirectionalSequenceLSTMOptions>();
  if (c.num_inputs() < 20) c.Fail("expected at least 20 inputs, got ", c.num_inputs());
  if (!c.has_input(1)) c.Fail("coupled input and forget gates (CIFG) are not supported");
  if (c.has_input(16) || c.has_input(17)) c.Fail("projection is not supported");
  for (int i = 20; i < c.num_inputs(); ++i)
    if (c.has_input(i)) c.Fail("layer normalisation is not supported");
  if (o.cell_clip() != 0 || o.proj_clip() != 0)
    c.Fail("cell and projection clipping are not supported");
  if (o.fused_activation_function() != tflite::ActivationFunctionType::TANH)
    c.Fail("activation ", tflite::EnumNameActivationFunctionType(o.fused_activation_function()),
           " is not supported (TANH is)");
  Shape x = c.InShape(0);
  if (x.size() != 3) c.Fail("the input must be 3-D");
  int64_t hidden = c.InShape(5)[0];
  auto gates = [&](int first) {  // TFLite i, f, c, o -> IR i, o, f, c
    Node* n = c.Add("Concat", {c.In(first), c.In(first + 3), c.In(first + 1), c.In(first + 2)});
    n->set_attr("axis", int64_t{0});
    return c.Add1("Unsqueeze", {n->output(), c.Ints({0})});
  };
  Value* w = gates(1);
  Value* r = gates(5);
  Value* b = nullptr;
  if (c.has_input(12)) {
    Value* zeros = c.Const(Tensor(Type(c.InType(12), {4 * hidden})));
    Node* n = c.Add("Concat", {c.In(12), c.In(15), c.In(13), c.In(14), zeros});
    n->set_attr("axis", int64_t{0});
    b = c.Add1("Unsqueeze", {n->output(), c.Ints({0})});
  }
  Value* p = nullptr;
  if (c.has_input(9) || c.has_input(10) || c.has_input(11)) {
    if (!(c.has_input(9) && c.has_input(10) && c.has_input(11)))
      c.Fail("peepholes must be given for all three gates");
    Node* n = c.Add("Concat", {c.In(9), c.In(11), c.In(10)});
    n->set_attr("axis", int64_t{0});
    p = c.Add1("Unsqueeze", {n->output(), c.Ints({0})});
  }
  int64_t layout = o.time_major() ? 0 : 1;
  // States: [batch, hidden] -> [1, batch, hidden] (layout 0) or [batch, 1, hidden].
  Value* h0 = c.Add1("Unsqueeze", {c.In(18), c.Ints({layout})});
  Value* c0 = c.Add1("Unsqueeze", {c.In(19), c.Ints({layout})});
  Node* n = c.Add("LSTM", {c.In(0), w, r, b, nullptr, h0, c0, p}, 3);
  n->set_attr("hidden_size", hidden);
  n->set_attr("layout", layout);
  // Y: [seq, 1, batch, hidden] or [batch, seq, 1, hidden]
  c.SetOut(0, c.Add1("Squeeze", {n->output(0), c.Ints({layout ? 2 : 1})}));
}

// DENSIFY: its input is a sparse constant, densified when read.
void DensifyOp(OpContext& c) {
  const Tensor& t = c.ConstIn(0, "the sparse tensor");
  c.SetOut(0, c.Const(t));
}

}  // namespace

void RegisterSequenceOps(OpTable& t) {
  t.builtin[static_cast<int>(B::UNIDIRECTIONAL_SEQUENCE_LSTM)] = SequenceLstm;
  t.builtin[static_cast<int>(B::DENSIFY)] = DensifyOp;
}

}  // namespace halo::tflite_fe
