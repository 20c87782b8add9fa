// Recurrent layers (UNIDIRECTIONAL_SEQUENCE_LSTM as an IR LSTM) and DENSIFY.
#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {
namespace {

using B = tflite::BuiltinOperator;

// Inputs: 0 x; 1-4 input weights (input, forget, cell, output gates); 5-8 recurrent
// weights; 9-11 peepholes (input, forget, output); 12-15 gate biases; 16-17 projection;
// 18 output state; 19 cell state; 20-23 layer-norm coefficients.
struct LstmSpec {
  bool cifg, peephole, projection, time_major;
  float cell_clip, proj_clip;
  int64_t batch, steps, hidden;
};

LstmSpec CheckLstm(OpContext& c) {
  const auto& o = c.Options<tflite::UnidirectionalSequenceLSTMOptions>();
  if (c.num_inputs() < 20) c.Fail("expected at least 20 inputs, got ", c.num_inputs());
  for (int i = 20; i < c.num_inputs(); ++i)
    if (c.has_input(i)) c.Fail("layer normalisation is not supported");
  if (o.fused_activation_function() != tflite::ActivationFunctionType::TANH)
    c.Fail("activation ", tflite::EnumNameActivationFunctionType(o.fused_activation_function()),
           " is not supported (TANH is)");
  if (o.diagonal_recurrent_tensors()) c.Fail("diagonal recurrent weights are not supported");
  Shape x = c.InShape(0);
  if (x.size() != 3) c.Fail("the input must be 3-D");
  LstmSpec s;
  s.cifg = !c.has_input(1);
  s.peephole = c.has_input(10) || c.has_input(11);
  s.projection = c.has_input(16);
  s.time_major = o.time_major();
  s.cell_clip = o.cell_clip();
  s.proj_clip = o.proj_clip();
  s.batch = s.time_major ? x[1] : x[0];
  s.steps = s.time_major ? x[0] : x[1];
  s.hidden = c.InShape(8)[0];
  if (s.peephole && !(c.has_input(10) && c.has_input(11) && (s.cifg || c.has_input(9))))
    c.Fail("peepholes must be given for every gate");
  return s;
}

// The initial state of input i (18 or 19) when it is a variable tensor: zeros.
Value* FloatState(OpContext& c, int i) {
  return c.StateIn(i, Tensor(Type(c.InType(i), c.InShape(i))));
}

// One IR LSTM (gates i, o, f, c in W, R, B): the plain case.
void IrLstm(OpContext& c, const LstmSpec& s) {
  auto gates = [&](int first) {
    Node* n = c.Add("Concat", {c.In(first), c.In(first + 3), c.In(first + 1), c.In(first + 2)});
    n->set_attr("axis", int64_t{0});
    return c.Add1("Unsqueeze", {n->output(), c.Ints({0})});
  };
  Value* b = nullptr;
  if (c.has_input(12)) {
    Value* zeros = c.Const(Tensor(Type(c.InType(12), {4 * s.hidden})));
    Node* n = c.Add("Concat", {c.In(12), c.In(15), c.In(13), c.In(14), zeros});
    n->set_attr("axis", int64_t{0});
    b = c.Add1("Unsqueeze", {n->output(), c.Ints({0})});
  }
  Value* p = nullptr;
  if (s.peephole) {
    Node* n = c.Add("Concat", {c.In(9), c.In(11), c.In(10)});
    n->set_attr("axis", int64_t{0});
    p = c.Add1("Unsqueeze", {n->output(), c.Ints({0})});
  }
  int64_t layout = s.time_major ? 0 : 1;
  // States: [batch, hidden] -> [1, batch, hidden] (layout 0) or [batch, 1, hidden].
  Value* h0 = c.Add1("Unsqueeze", {FloatState(c, 18), c.Ints({layout})});
  Value* c0 = c.Add1("Unsqueeze", {FloatState(c, 19), c.Ints({layout})});
  Node* n = c.Add("LSTM", {c.In(0), gates(1), gates(5), b, nullptr, h0, c0, p}, 3);
  n->set_attr("hidden_size", s.hidden);
  n->set_attr("layout", layout);
  // Y_h, Y_c: [1, batch, hidden] or [batch, 1, hidden]: the states after the sequence.
  c.SetState(18, c.Add1("Squeeze", {n->output(1), c.Ints({layout})}));
  c.SetState(19, c.Add1("Squeeze", {n->output(2), c.Ints({layout})}));
  // Y: [seq, 1, batch, hidden] or [batch, seq, 1, hidden]
  c.SetOut(0, c.Add1("Squeeze", {n->output(0), c.Ints({layout ? 2 : 1})}));
}

// The LSTM unrolled over time, as TFLite's kernel computes it: cell clipping, CIFG (the
// input gate is 1 - forget), peepholes and projection included.
void UnrolledLstm(OpContext& c, const LstmSpec& s) {
  const DataType f32 = DataType::kFloat32;
  auto clip = [&](Value* v, float bound) {
    return bound > 0 ? c.Add1("Clip", {v, c.Scalar(f32, -bound), c.Scalar(f32, bound)}) : v;
  };
  auto transposed = [&](int i) { return c.Transpose(c.In(i), {1, 0}); };
  struct Gate {
    Value *w, *r, *b;
  };
  Gate g[4];  // input, forget, cell, output
  for (int k = 0; k < 4; ++k) {
    if (s.cifg && k == 0) continue;
    g[k] = {transposed(1 + k), transposed(5 + k), c.OptIn(12 + k)};
  }
  Value* x = c.In(0);
  Value* h = FloatState(c, 18);
  Value* cell = FloatState(c, 19);
  int64_t time_axis = s.time_major ? 0 : 1;
  std::vector<Value*> outputs;
  for (int64_t t = 0; t < s.steps; ++t) {
    Value* xt = c.Add1("Gather", {x, c.Const(Tensor::Scalar(DataType::kInt64, t))});
    xt->producer()->set_attr("axis", time_axis);
    auto pre = [&](int k) {
      Value* v = c.Add1("Add", {c.Add1("MatMul", {xt, g[k].w}), c.Add1("MatMul", {h, g[k].r})});
      return g[k].b ? c.Add1("Add", {v, g[k].b}) : v;
    };
    auto peep = [&](Value* v, int input, Value* state) {
      return s.peephole ? c.Add1("Add", {v, c.Add1("Mul", {state, c.In(input)})}) : v;
    };
    Value* f = c.Add1("Sigmoid", {peep(pre(1), 10, cell)});
    Value* i =
        s.cifg ? c.Add1("Sub", {c.Scalar(f32, 1), f}) : c.Add1("Sigmoid", {peep(pre(0), 9, cell)});
    Value* gg = c.Add1("Tanh", {pre(2)});
    cell = clip(c.Add1("Add", {c.Add1("Mul", {f, cell}), c.Add1("Mul", {i, gg})}), s.cell_clip);
    Value* o = c.Add1("Sigmoid", {peep(pre(3), 11, cell)});
    h = c.Add1("Mul", {o, c.Add1("Tanh", {cell})});
    if (s.projection) {
      h = c.Add1("MatMul", {h, transposed(16)});
      if (c.has_input(17)) h = c.Add1("Add", {h, c.In(17)});
      h = clip(h, s.proj_clip);
    }
    outputs.push_back(c.Add1("Unsqueeze", {h, c.Ints({time_axis})}));
  }
  c.SetState(18, h);
  c.SetState(19, cell);
  Node* n = c.Add("Concat", outputs);
  n->set_attr("axis", time_axis);
  c.SetOut(0, n->output());
}

void SequenceLstm(OpContext& c) {
  LstmSpec s = CheckLstm(c);
  if (s.cifg || s.projection || s.cell_clip > 0)
    UnrolledLstm(c, s);
  else
    IrLstm(c, s);
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
