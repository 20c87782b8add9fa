// Element-wise operators: arithmetic with fused activations, comparisons, logic,
// activations and unary math.
#include <cmath>

#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {
namespace {

using A = tflite::ActivationFunctionType;
using B = tflite::BuiltinOperator;

template <typename Opt>
A FusedOf(OpContext& c) {
  const Opt* o = c.OptOptions<Opt>();
  return o ? o->fused_activation_function() : A::NONE;
}

template <typename Opt>
void Arith(OpContext& c, const char* ir_op) {
  c.SetOut(0, c.Activation(c.Add1(ir_op, {c.In(0), c.In(1)}), FusedOf<Opt>(c)));
}

void Binary(OpContext& c, const char* ir_op) { c.SetOut(0, c.Add1(ir_op, {c.In(0), c.In(1)})); }
void Unary(OpContext& c, const char* ir_op) { c.SetOut(0, c.Add1(ir_op, {c.In(0)})); }

void Clip(OpContext& c, double lo, double hi) {
  DataType t = c.InType(0);
  c.SetOut(0, c.Add1("Clip", {c.In(0), c.Scalar(t, lo), c.Scalar(t, hi)}));
}

void SquaredDifference(OpContext& c) {
  Value* d = c.Add1("Sub", {c.In(0), c.In(1)});
  c.SetOut(0, c.Add1("Mul", {d, d}));
}

void FloorDiv(OpContext& c) {
  if (!IsFloat(c.InType(0))) c.Fail("integer FLOOR_DIV is not supported");
  c.SetOut(0, c.Add1("Floor", {c.Add1("Div", {c.In(0), c.In(1)})}));
}

void FloorMod(OpContext& c) {
  if (!IsFloat(c.InType(0))) c.Fail("integer FLOOR_MOD is not supported");
  Value* q = c.Add1("Floor", {c.Add1("Div", {c.In(0), c.In(1)})});
  c.SetOut(0, c.Add1("Sub", {c.In(0), c.Add1("Mul", {q, c.In(1)})}));
}

void LeakyRelu(OpContext& c) {
  Node* n = c.Add("LeakyRelu", {c.In(0)});
  n->set_attr("alpha", static_cast<double>(c.Options<tflite::LeakyReluOptions>().alpha()));
  c.SetOut(0, n->output());
}

void Elu(OpContext& c) {
  Node* n = c.Add("Elu", {c.In(0)});
  n->set_attr("alpha", 1.0);
  c.SetOut(0, n->output());
}

// GELU: x * Phi(x) exactly (erf) or with TFLite's tanh approximation.
void Gelu(OpContext& c) {
  const auto* o = c.OptOptions<tflite::GeluOptions>();
  Value* x = c.In(0);
  DataType t = c.InType(0);
  Value* inner;
  if (o && o->approximate()) {
    // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))
    Value* x3 = c.Add1("Mul", {c.Add1("Mul", {x, x}), x});
    Value* s = c.Add1("Add", {x, c.Add1("Mul", {x3, c.Scalar(t, 0.044715)})});
    inner = c.Add1("Tanh", {c.Add1("Mul", {s, c.Scalar(t, std::sqrt(2.0 / M_PI))})});
  } else {
    inner = c.Add1("Erf", {c.Add1("Mul", {x, c.Scalar(t, M_SQRT1_2)})});
  }
  Value* half = c.Add1("Mul", {x, c.Scalar(t, 0.5)});
  c.SetOut(0, c.Add1("Mul", {half, c.Add1("Add", {inner, c.Scalar(t, 1.0)})}));
}

void Softmax(OpContext& c) {
  const auto* o = c.OptOptions<tflite::SoftmaxOptions>();
  Value* x = c.In(0);
  if (o && o->beta() != 1.0f) x = c.Add1("Mul", {x, c.Scalar(c.InType(0), o->beta())});
  Node* n = c.Add("Softmax", {x});
  n->set_attr("axis", int64_t{-1});
  c.SetOut(0, n->output());
}

void LogSoftmax(OpContext& c) {
  Node* n = c.Add("LogSoftmax", {c.In(0)});
  n->set_attr("axis", int64_t{-1});
  c.SetOut(0, n->output());
}

void Rsqrt(OpContext& c) { c.SetOut(0, c.Add1("Reciprocal", {c.Add1("Sqrt", {c.In(0)})})); }
void Square(OpContext& c) { c.SetOut(0, c.Add1("Mul", {c.In(0), c.In(0)})); }
void NotEqual(OpContext& c) { c.SetOut(0, c.Add1("Not", {c.Add1("Equal", {c.In(0), c.In(1)})})); }

void AddN(OpContext& c) {
  std::vector<Value*> in;
  for (int i = 0; i < c.num_inputs(); ++i) in.push_back(c.In(i));
  c.SetOut(0, c.Add1("Sum", in));
}

}  // namespace

void RegisterElementwiseOps(OpTable& t) {
  auto reg = [&](B code, Handler h) { t.builtin[static_cast<int>(code)] = h; };
  reg(B::ADD, [](OpContext& c) { Arith<tflite::AddOptions>(c, "Add"); });
  reg(B::SUB, [](OpContext& c) { Arith<tflite::SubOptions>(c, "Sub"); });
  reg(B::MUL, [](OpContext& c) { Arith<tflite::MulOptions>(c, "Mul"); });
  reg(B::DIV, [](OpContext& c) { Arith<tflite::DivOptions>(c, "Div"); });
  reg(B::MAXIMUM, [](OpContext& c) { Binary(c, "Max"); });
  reg(B::MINIMUM, [](OpContext& c) { Binary(c, "Min"); });
  reg(B::POW, [](OpContext& c) { Binary(c, "Pow"); });
  reg(B::SQUARED_DIFFERENCE, SquaredDifference);
  reg(B::FLOOR_DIV, FloorDiv);
  reg(B::FLOOR_MOD, FloorMod);
  reg(B::ADD_N, AddN);
  reg(B::EQUAL, [](OpContext& c) { Binary(c, "Equal"); });
  reg(B::NOT_EQUAL, NotEqual);
  reg(B::LESS, [](OpContext& c) { Binary(c, "Less"); });
  reg(B::LESS_EQUAL, [](OpContext& c) { Binary(c, "LessOrEqual"); });
  reg(B::GREATER, [](OpContext& c) { Binary(c, "Greater"); });
  reg(B::GREATER_EQUAL, [](OpContext& c) { Binary(c, "GreaterOrEqual"); });
  reg(B::LOGICAL_AND, [](OpContext& c) { Binary(c, "And"); });
  reg(B::LOGICAL_OR, [](OpContext& c) { Binary(c, "Or"); });
  reg(B::LOGICAL_NOT, [](OpContext& c) { Unary(c, "Not"); });
  reg(B::RELU, [](OpContext& c) { Unary(c, "Relu"); });
  reg(B::RELU6, [](OpContext& c) { Clip(c, 0, 6); });
  reg(B::RELU_N1_TO_1, [](OpContext& c) { Clip(c, -1, 1); });
  reg(B::RELU_0_TO_1, [](OpContext& c) { Clip(c, 0, 1); });
  reg(B::LEAKY_RELU, LeakyRelu);
  reg(B::PRELU, [](OpContext& c) { Binary(c, "PRelu"); });
  reg(B::HARD_SWISH, [](OpContext& c) { Unary(c, "HardSwish"); });
  reg(B::LOGISTIC, [](OpContext& c) { Unary(c, "Sigmoid"); });
  reg(B::TANH, [](OpContext& c) { Unary(c, "Tanh"); });
  reg(B::ELU, Elu);
  reg(B::GELU, Gelu);
  reg(B::SOFTMAX, Softmax);
  reg(B::LOG_SOFTMAX, LogSoftmax);
  reg(B::EXP, [](OpContext& c) { Unary(c, "Exp"); });
  reg(B::LOG, [](OpContext& c) { Unary(c, "Log"); });
  reg(B::SQRT, [](OpContext& c) { Unary(c, "Sqrt"); });
  reg(B::RSQRT, Rsqrt);
  reg(B::SQUARE, Square);
  reg(B::ABS, [](OpContext& c) { Unary(c, "Abs"); });
  reg(B::NEG, [](OpContext& c) { Unary(c, "Neg"); });
  reg(B::FLOOR, [](OpContext& c) { Unary(c, "Floor"); });
  reg(B::CEIL, [](OpContext& c) { Unary(c, "Ceil"); });
  reg(B::ROUND, [](OpContext& c) { Unary(c, "Round"); });
  reg(B::SIN, [](OpContext& c) { Unary(c, "Sin"); });
  reg(B::COS, [](OpContext& c) { Unary(c, "Cos"); });
  reg(B::SIGN, [](OpContext& c) { Unary(c, "Sign"); });
}

}  // namespace halo::tflite_fe
