// Element-wise ops: unary maps and activations, casts, broadcasting binary arithmetic,
// comparisons and logic, Where, and the variadic Sum/Mean/Max/Min.
#include <algorithm>
#include <cfloat>

#include "ir/ops/rules.h"

namespace halo {
namespace {

// Sets of element types an op accepts.
enum TypeSet : unsigned {
  kFloatT = 1,     // f32, f64 (and f16, which the IR carries but runtimes may not compute)
  kSignedT = 2,    // i8..i64
  kUnsignedT = 4,  // u8..u64
  kBoolT = 8,
  kIntT = kSignedT | kUnsignedT,
  kNumT = kFloatT | kIntT,
  kAnyT = kNumT | kBoolT,
};

bool InSet(DataType t, unsigned set) {
  if (IsFloat(t)) return set & kFloatT;
  if (t == DataType::kBool) return set & kBoolT;
  if (IsInteger(t)) return set & (IsSigned(t) ? kSignedT : kUnsignedT);
  return false;
}

std::string SetName(unsigned set) {
  if (set == kFloatT) return "float types";
  if (set == kBoolT) return "bool";
  if (set == kUnsignedT) return "unsigned integer types";
  if (set == kNumT) return "numeric types (not bool)";
  if (set == (kFloatT | kSignedT)) return "float and signed integer types";
  return "the types its definition lists";
}

void CheckIn(InferContext& c, size_t i, unsigned set) {
  DataType t = c.in(i).dtype;
  const std::string& name =
      c.node()->def().inputs[std::min(i, c.node()->def().inputs.size() - 1)].name;
  c.check(InSet(t, set), c.node()->op(), " input '", name, "' has element type ", DataTypeName(t),
          "; it takes ", SetName(set));
}

InferFn Unary(unsigned set) {
  return [set](InferContext& c) {
    CheckIn(c, 0, set);
    c.set_out(c.in(0));
  };
}

// Unary ops whose result is bool of the input's shape.
InferFn UnaryToBool(unsigned set) {
  return [set](InferContext& c) {
    CheckIn(c, 0, set);
    c.set_out(Type(DataType::kBool, c.in(0).shape));
  };
}

// Broadcasting binary ops on one element type; `to_bool`: the result is bool.
InferFn Binary(unsigned set, bool to_bool = false) {
  return [set, to_bool](InferContext& c) {
    const Type& a = c.in(0);
    const Type& b = c.in(1);
    CheckIn(c, 0, set);
    c.check(a.dtype == b.dtype, c.node()->op(), " inputs must have the same element type, got ",
            a.ToString(), " and ", b.ToString());
    c.set_out(Type(to_bool ? DataType::kBool : a.dtype, BroadcastShapes(a.shape, b.shape)));
  };
}

// Variadic ops over inputs of one element type, broadcast together.
InferFn Variadic(unsigned set) {
  return [set](InferContext& c) {
    c.check(c.num_inputs() >= 1, c.node()->op(), " takes at least one input");
    CheckIn(c, 0, set);
    Shape s = c.in(0).shape;
    for (size_t i = 1; i < c.num_inputs(); ++i) {
      c.check(c.in(i).dtype == c.in(0).dtype, c.node()->op(),
              " inputs must have one element type, got ", c.in(0).ToString(), " and ",
              c.in(i).ToString(), " (input ", i, ")");
      s = BroadcastShapes(s, c.in(i).shape);
    }
    c.set_out(Type(c.in(0).dtype, s));
  };
}

// A required input that is not lowered (its type or value is read by the rule).
void CompileTimeIn(OpDef& d, std::string name, std::string doc) {
  d.inputs.push_back({std::move(name), false, false, false, std::move(doc)});
}

// A scalar (or one-element) constant input as a double.
double ScalarConst(InferContext& c, size_t i, const char* what) {
  const Tensor& t = c.require_const(i);
  c.check(t.type().NumElements() == 1, c.node()->op(), " input '", what,
          "' must hold one element, got ", t.type().ToString());
  return t.GetDouble(0);
}

void ClipRule(InferContext& c) {
  CheckIn(c, 0, kNumT);
  const Type& x = c.in(0);
  const char* names[] = {"", "min", "max"};
  for (size_t i = 1; i <= 2; ++i) {
    if (!c.has_input(i)) continue;
    c.check(c.in(i).dtype == x.dtype, "Clip input '", names[i], "' must have the element type of '",
            "input' (", DataTypeName(x.dtype), "), got ", c.in(i).ToString());
    c.node()->set_attr(names[i], ScalarConst(c, i, names[i]));
  }
  c.set_out(x);
}

void CastRule(InferContext& c) {
  DataType to = c.node()->GetDType("to");
  c.check(to != DataType::kInvalid && DataTypeSize(to) != 0,
          "Cast 'to' is not a supported element type");
  c.set_out(Type(to, c.in(0).shape));
}

void CastLikeRule(InferContext& c) { c.set_out(Type(c.in(1).dtype, c.in(0).shape)); }

void PReluRule(InferContext& c) {
  const Type& x = c.in(0);
  const Type& s = c.in(1);
  CheckIn(c, 0, kFloatT | kSignedT);
  c.check(s.dtype == x.dtype, "PRelu 'slope' must have the element type of 'X', got ", x.ToString(),
          " and ", s.ToString());
  c.check(BroadcastShapes(x.shape, s.shape) == x.shape, "PRelu 'slope' ", s.ToString(),
          " does not broadcast to 'X' ", x.ToString());
  c.set_out(x);
}

void DropoutRule(InferContext& c) {
  CheckIn(c, 0, kFloatT);
  double ratio = c.node()->GetFloat("ratio");
  if (c.has_input(1)) ratio = ScalarConst(c, 1, "ratio");
  bool training = c.has_input(2) && ScalarConst(c, 2, "training_mode") != 0;
  c.check(!training || ratio == 0, "Dropout in training mode (ratio ", ratio,
          ") is not supported; only inference");
  c.check(c.node()->num_outputs() <= 2, "Dropout has at most 2 results");
  c.set_out(0, c.in(0));
  if (c.node()->num_outputs() > 1) c.set_out(1, Type(DataType::kBool, c.in(0).shape));
}

void PowRule(InferContext& c) {
  DataType x = c.in(0).dtype;
  c.check(IsFloat(x) || x == DataType::kInt32 || x == DataType::kInt64,
          "Pow input 'X' has element type ", DataTypeName(x),
          "; it takes float types, i32 and i64");
  CheckIn(c, 1, kNumT);
  c.set_out(Type(x, BroadcastShapes(c.in(0).shape, c.in(1).shape)));
}

void ModRule(InferContext& c) {
  Binary(kNumT)(c);
  c.check(!IsFloat(c.in(0).dtype) || c.node()->GetInt("fmod") == 1,
          "Mod on float types requires fmod=1 (ONNX)");
}

void BitShiftRule(InferContext& c) {
  const std::string& d = c.node()->GetString("direction");
  c.check(d == "LEFT" || d == "RIGHT", "BitShift 'direction' must be LEFT or RIGHT, got '", d, "'");
  Binary(kUnsignedT)(c);
}

void WhereRule(InferContext& c) {
  c.check(c.in(0).dtype == DataType::kBool, "Where 'condition' must be bool, got ",
          c.in(0).ToString());
  c.check(c.in(1).dtype == c.in(2).dtype, "Where 'X' and 'Y' must have the same element type, got ",
          c.in(1).ToString(), " and ", c.in(2).ToString());
  Shape s = BroadcastShapes(BroadcastShapes(c.in(0).shape, c.in(1).shape), c.in(2).shape);
  c.set_out(Type(c.in(1).dtype, s));
}

// One operation per result element for each input after the first.
double VariadicFlops(const Node& n) {
  double inputs = static_cast<double>(n.num_inputs());
  return std::max(inputs - 1, 1.0) * static_cast<double>(n.output()->type().NumElements());
}

}  // namespace

void RegisterElementwiseOps(OpRegistry& r) {
  // Plain unary maps: name, ONNX input name (the result is Y or output), accepted types, doc.
  struct U {
    const char* name;
    const char* in;
    unsigned set;
    const char* doc;
  };
  const U unary[] = {
      {"Abs", "X", kNumT, "|X| element-wise."},
      {"Neg", "X", kFloatT | kSignedT, "-X element-wise."},
      {"Exp", "input", kFloatT, "e^X element-wise."},
      {"Log", "input", kFloatT, "Natural logarithm element-wise."},
      {"Sqrt", "X", kFloatT, "Square root element-wise."},
      {"Reciprocal", "X", kFloatT, "1/X element-wise."},
      {"Floor", "X", kFloatT, "Rounds down element-wise."},
      {"Ceil", "X", kFloatT, "Rounds up element-wise."},
      {"Round", "X", kFloatT, "Rounds to the nearest integer, halves to even, element-wise."},
      {"Sign", "input", kNumT, "-1, 0 or 1 by the sign of X element-wise."},
      {"Sin", "input", kFloatT, "Sine element-wise."},
      {"Cos", "input", kFloatT, "Cosine element-wise."},
      {"Tan", "input", kFloatT, "Tangent element-wise."},
      {"Asin", "input", kFloatT, "Arcsine element-wise."},
      {"Acos", "input", kFloatT, "Arccosine element-wise."},
      {"Atan", "input", kFloatT, "Arctangent element-wise."},
      {"Sinh", "input", kFloatT, "Hyperbolic sine element-wise."},
      {"Cosh", "input", kFloatT, "Hyperbolic cosine element-wise."},
      {"Asinh", "input", kFloatT, "Inverse hyperbolic sine element-wise."},
      {"Acosh", "input", kFloatT, "Inverse hyperbolic cosine element-wise."},
      {"Atanh", "input", kFloatT, "Inverse hyperbolic tangent element-wise."},
      {"Erf", "input", kNumT,
       "The error function element-wise (integers computed in double, truncated)."},
      {"Sigmoid", "X", kFloatT, "1/(1+e^-X) element-wise."},
      {"Tanh", "input", kFloatT, "Hyperbolic tangent element-wise."},
      {"Relu", "X", kFloatT | kSignedT, "max(X, 0) element-wise."},
      {"HardSwish", "X", kFloatT, "X*max(0, min(1, X/6 + 1/2)) element-wise."},
      {"Softplus", "X", kFloatT, "log(1 + e^X) element-wise."},
      {"Softsign", "input", kFloatT, "X/(1 + |X|) element-wise."},
      {"Not", "X", kBoolT, "Logical not element-wise."},
      {"Identity", "input", kAnyT, "A copy of the input."},
  };
  for (const U& u : unary) {
    bool x = std::string(u.in) == "X";
    OpDef& d = r.Add(u.name).Doc(u.doc).In(u.in).Out(x ? "Y" : "output").Rule(Unary(u.set));
    if (d.name == "Identity")
      d.View();
    else
      d.InPlace({0}).Flops(FlopsPerResultElement(1));
  }

  // Activations with parameters (ONNX defaults).
  r.Add("LeakyRelu")
      .Doc("X for X >= 0, alpha*X otherwise.")
      .In("X")
      .Out("Y")
      .Float("alpha", 0.01f, "slope for X < 0")
      .InPlace({0})
      .Flops(FlopsPerResultElement(1))
      .Rule(Unary(kFloatT));
  r.Add("Elu")
      .Doc("X for X >= 0, alpha*(e^X - 1) otherwise.")
      .In("X")
      .Out("Y")
      .Float("alpha", 1.0, "scale for X < 0")
      .InPlace({0})
      .Flops(FlopsPerResultElement(1))
      .Rule(Unary(kFloatT));
  r.Add("Selu")
      .Doc("gamma*X for X > 0, gamma*(alpha*e^X - alpha) otherwise.")
      .In("X")
      .Out("Y")
      .Float("alpha", 1.67326319217681884765625f, "scale for X <= 0")
      .Float("gamma", 1.05070102214813232421875f, "overall scale")
      .InPlace({0})
      .Flops(FlopsPerResultElement(1))
      .Rule(Unary(kFloatT));
  r.Add("Celu")
      .Doc("max(0, X) + min(0, alpha*(e^(X/alpha) - 1)).")
      .In("X")
      .Out("Y")
      .Float("alpha", 1.0, "the alpha of the formula")
      .InPlace({0})
      .Flops(FlopsPerResultElement(1))
      .Rule(Unary(kFloatT));
  r.Add("HardSigmoid")
      .Doc("max(0, min(1, alpha*X + beta)).")
      .In("X")
      .Out("Y")
      .Float("alpha", 0.2f, "slope")
      .Float("beta", 0.5, "offset")
      .InPlace({0})
      .Flops(FlopsPerResultElement(1))
      .Rule(Unary(kFloatT));
  r.Add("ThresholdedRelu")
      .Doc("X for X > alpha, 0 otherwise.")
      .In("X")
      .Out("Y")
      .Float("alpha", 1.0, "threshold")
      .InPlace({0})
      .Flops(FlopsPerResultElement(1))
      .Rule(Unary(kFloatT));
  r.Add("Shrink")
      .Doc("X+bias for X < -lambd, X-bias for X > lambd, 0 otherwise.")
      .In("input")
      .Out("output")
      .Float("bias", 0.0, "the bias")
      .Float("lambd", 0.5, "the threshold")
      .InPlace({0})
      .Flops(FlopsPerResultElement(1))
      .Rule(Unary(kNumT));

  r.Add("IsNaN")
      .Doc("True where X is NaN.")
      .In("X")
      .Out("Y")
      .Flops(FlopsPerResultElement(1))
      .Rule(UnaryToBool(kFloatT));
  r.Add("IsInf")
      .Doc("True where X is infinite (of the selected signs).")
      .In("X")
      .Out("Y")
      .Int("detect_negative", 1, "1: -inf counts")
      .Int("detect_positive", 1, "1: +inf counts")
      .Flops(FlopsPerResultElement(1))
      .Rule(UnaryToBool(kFloatT));

  r.Add("Cast")
      .Doc(
          "Converts the element type: floats to integers truncate toward zero and saturate "
          "(NaN gives 0), non-zero to bool is true, bool is 0 or 1.")
      .In("input")
      .Out("output")
      .DType("to", DataType::kInvalid, "the result element type")
      .Required()
      .Rule(CastRule);
  OpDef& cast_like = r.Add("CastLike")
                         .Doc(
                             "Cast to the element type of 'target_type' (the result type tells the "
                             "runtime which).")
                         .In("input");
  CompileTimeIn(cast_like, "target_type", "only its element type is used");
  cast_like.Out("output").Rule(CastLikeRule);

  // Clip: `min`/`max` were attributes before opset 11 and are constant inputs since; the rule
  // folds the inputs into the attributes. Bounds at or beyond +-FLT_MAX mean "no bound".
  r.Add("Clip")
      .Doc(
          "Limits 'input' to [min, max] element-wise; the bounds travel as float32 (integers "
          "beyond 2^24 "
          "round).")
      .In("input")
      .ConstIn("min", "lower bound (scalar)")
      .ConstIn("max", "upper bound (scalar)")
      .Out("output")
      .Float("min", -FLT_MAX, "lower bound; <= -FLT_MAX for none")
      .Float("max", FLT_MAX, "upper bound; >= FLT_MAX for none")
      .InPlace({0})
      .Flops(FlopsPerResultElement(1))
      .Rule(ClipRule);

  r.Add("PRelu")
      .Doc("X for X >= 0, slope*X otherwise; slope broadcasts to X.")
      .In("X")
      .In("slope")
      .Out("Y")
      .InPlace({0})
      .Flops(FlopsPerResultElement(1))
      .Rule(PReluRule);

  // Dropout is the identity at inference; `ratio` was an attribute before opset 12.
  r.Add("Dropout")
      .Doc("Inference dropout: a copy of 'data' and an all-true 'mask'.")
      .In("data")
      .ConstIn("ratio")
      .ConstIn("training_mode")
      .Out("output")
      .Out("mask")
      .Meta("seed", AttrKind::kInt, int64_t{0}, "random seed (unused at inference)")
      .Meta("ratio", AttrKind::kFloat, 0.5, "drop ratio (opset < 12)")
      .View()
      .Rule(DropoutRule);

  // Broadcasting binary arithmetic.
  const struct {
    const char* name;
    const char* doc;
  } arithmetic[] = {
      {"Add", "A + B with numpy broadcasting."},
      {"Sub", "A - B with numpy broadcasting."},
      {"Mul", "A * B with numpy broadcasting."},
      {"Div", "A / B with numpy broadcasting; integers truncate toward zero (x/0 gives 0)."},
  };
  for (const auto& op : arithmetic)
    r.Add(op.name)
        .Doc(op.doc)
        .In("A")
        .In("B")
        .Out("C")
        .InPlace({0, 1})
        .Flops(FlopsPerResultElement(1))
        .Rule(Binary(kNumT));
  r.Add("Pow")
      .Doc("X^Y with numpy broadcasting; the result has X's element type.")
      .In("X")
      .In("Y")
      .Out("Z")
      .InPlace({0, 1})
      .Flops(FlopsPerResultElement(1))
      .Rule(PowRule);
  r.Add("Mod")
      .Doc(
          "Remainder with numpy broadcasting: fmod=0 takes the divisor's sign (integers "
          "only), fmod=1 the dividend's (x mod 0 gives 0 for integers).")
      .In("A")
      .In("B")
      .Out("C")
      .Int("fmod", 0, "1: C fmod semantics")
      .InPlace({0, 1})
      .Flops(FlopsPerResultElement(1))
      .Rule(ModRule);
  r.Add("BitShift")
      .Doc("X shifted by Y bits (unsigned; shifts past the width give 0).")
      .In("X")
      .In("Y")
      .Out("Z")
      .Str("direction", "", "LEFT or RIGHT")
      .Required()
      .InPlace({0, 1})
      .Flops(FlopsPerResultElement(1))
      .Rule(BitShiftRule);

  // Comparisons and logic: bool results.
  r.Add("Equal")
      .Doc("A == B with numpy broadcasting.")
      .In("A")
      .In("B")
      .Out("C")
      .Flops(FlopsPerResultElement(1))
      .Rule(Binary(kAnyT, true));
  r.Add("Less")
      .Doc("A < B with numpy broadcasting.")
      .In("A")
      .In("B")
      .Out("C")
      .Flops(FlopsPerResultElement(1))
      .Rule(Binary(kNumT, true));
  r.Add("LessOrEqual")
      .Doc("A <= B with numpy broadcasting.")
      .In("A")
      .In("B")
      .Out("C")
      .Flops(FlopsPerResultElement(1))
      .Rule(Binary(kNumT, true));
  r.Add("Greater")
      .Doc("A > B with numpy broadcasting.")
      .In("A")
      .In("B")
      .Out("C")
      .Flops(FlopsPerResultElement(1))
      .Rule(Binary(kNumT, true));
  r.Add("GreaterOrEqual")
      .Doc("A >= B with numpy broadcasting.")
      .In("A")
      .In("B")
      .Out("C")
      .Flops(FlopsPerResultElement(1))
      .Rule(Binary(kNumT, true));
  r.Add("And")
      .Doc("Logical and with numpy broadcasting.")
      .In("A")
      .In("B")
      .Out("C")
      .InPlace({0, 1})
      .Flops(FlopsPerResultElement(1))
      .Rule(Binary(kBoolT, true));
  r.Add("Or")
      .Doc("Logical or with numpy broadcasting.")
      .In("A")
      .In("B")
      .Out("C")
      .InPlace({0, 1})
      .Flops(FlopsPerResultElement(1))
      .Rule(Binary(kBoolT, true));
  r.Add("Xor")
      .Doc("Logical xor with numpy broadcasting.")
      .In("A")
      .In("B")
      .Out("C")
      .InPlace({0, 1})
      .Flops(FlopsPerResultElement(1))
      .Rule(Binary(kBoolT, true));
  // ODLA API 1.5 added the Bitwise ops.
  for (const char* op : {"BitwiseAnd", "BitwiseOr", "BitwiseXor"})
    r.Add(op)
        .Doc("Bit by bit and, or or xor of integers with numpy broadcasting.")
        .In("A")
        .In("B")
        .Out("C")
        .InPlace({0, 1})
        .Flops(FlopsPerResultElement(1))
        .Rule(Binary(kIntT))
        .OdlaSince(5);
  r.Add("BitwiseNot")
      .Doc("~X (each bit inverted) element-wise.")
      .In("X")
      .Out("Y")
      .InPlace({0})
      .Flops(FlopsPerResultElement(1))
      .Rule(Unary(kIntT))
      .OdlaSince(5);
  r.Add("Where")
      .Doc("X where condition is true, Y elsewhere; the three broadcast together.")
      .In("condition")
      .In("X")
      .In("Y")
      .Out("output")
      .InPlace({1, 2})
      .Flops(FlopsPerResultElement(1))
      .Rule(WhereRule);

  // Variadic, broadcasting all inputs together.
  r.Add("Sum")
      .Doc("Element-wise sum of the inputs.")
      .VarIn("data_0")
      .Out("sum")
      .Flops(VariadicFlops)
      .Rule(Variadic(kNumT));
  r.Add("Mean")
      .Doc("Element-wise mean of the inputs.")
      .VarIn("data_0")
      .Out("mean")
      .Flops(VariadicFlops)
      .Rule(Variadic(kFloatT));
  r.Add("Max")
      .Doc("Element-wise maximum of the inputs (NaN propagates).")
      .VarIn("data_0")
      .Out("max")
      .Flops(VariadicFlops)
      .Rule(Variadic(kNumT));
  r.Add("Min")
      .Doc("Element-wise minimum of the inputs (NaN propagates).")
      .VarIn("data_0")
      .Out("min")
      .Flops(VariadicFlops)
      .Rule(Variadic(kNumT));
}

}  // namespace halo
