// Element-wise math, activations, matrix products, reductions and casts.
#include <cfloat>
#include <cmath>

#include "frontends/tensorflow/tf_importer.h"

namespace halo::tf_fe {
namespace {

using Results = std::vector<Value*>;

void Arity(Importer& im, const TfNode& n, size_t k) {
  if (n.in.size() != k) im.Fail(n, "expected ", k, " inputs, got ", n.in.size());
}

// Binary ops: constants of another float type (fp16 weights in a float32 graph) take the
// type of the other operand.
std::pair<Value*, Value*> Operands(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  Value* a = n.in[0];
  Value* b = n.in[1];
  DataType ta = im.TypeOf(n, a, "input 0").dtype, tb = im.TypeOf(n, b, "input 1").dtype;
  if (ta != tb && IsFloat(ta) && IsFloat(tb)) {
    if (tb == DataType::kFloat16)
      b = im.CastTo(n, b, ta);
    else if (ta == DataType::kFloat16)
      a = im.CastTo(n, a, tb);
  }
  return {a, b};
}

template <const char* kOp>
Results Binary(Importer& im, TfNode& n) {
  auto [a, b] = Operands(im, n);
  return {im.Add(n, kOp, {a, b})};
}

template <const char* kOp>
Results Unary(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  return {im.Add(n, kOp, {n.in[0]})};
}

constexpr char kAdd[] = "Add", kSub[] = "Sub", kMul[] = "Mul", kDiv[] = "Div", kMax[] = "Max",
               kMin[] = "Min", kPow[] = "Pow", kRelu[] = "Relu", kSigmoid[] = "Sigmoid",
               kTanh[] = "Tanh", kExp[] = "Exp", kLog[] = "Log", kNeg[] = "Neg", kAbs[] = "Abs",
               kSqrt[] = "Sqrt", kFloor[] = "Floor", kCeil[] = "Ceil", kRound[] = "Round",
               kSoftplus[] = "Softplus", kSoftsign[] = "Softsign", kReciprocal[] = "Reciprocal",
               kSign[] = "Sign", kErf[] = "Erf", kSin[] = "Sin", kCos[] = "Cos", kEqual[] = "Equal",
               kLess[] = "Less", kGreater[] = "Greater", kLessEqual[] = "LessOrEqual",
               kGreaterEqual[] = "GreaterOrEqual", kAnd[] = "And", kOr[] = "Or", kNot[] = "Not",
               kElu[] = "Elu";

Results PassThrough(Importer& im, TfNode& n) {
  if (n.in.empty()) im.Fail(n, "expected an input");
  return {n.in[0]};
}

Results IdentityN(Importer&, TfNode& n) { return n.in; }

Results NoResults(Importer&, TfNode&) { return {}; }

// Switch(data, pred) -> (output_false, output_true): the branch not taken is null (dead).
Results Switch(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  bool pred = im.ValueOf(n, n.in[1],
                         "the predicate (control flow at run time is not "
                         "supported)")
                  .GetInt(0) != 0;
  return {pred ? nullptr : n.in[0], pred ? n.in[0] : nullptr};
}

// Merge(inputs) -> output: the graph walk passes the input of the branch taken only (its
// value_index result is not built).
Results Merge(Importer& im, TfNode& n) {
  if (n.in.size() != 1) im.Fail(n, "expected one input on the branch taken, got ", n.in.size());
  return {n.in[0]};
}

Results Square(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  return {im.Add(n, "Mul", {n.in[0], n.in[0]})};
}

Results SquaredDifference(Importer& im, TfNode& n) {
  auto [a, b] = Operands(im, n);
  Value* d = im.Add(n, "Sub", {a, b});
  return {im.Add(n, "Mul", {d, d})};
}

Results Rsqrt(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  return {im.Add(n, "Reciprocal", {im.Add(n, "Sqrt", {n.in[0]})})};
}

Results FloorDiv(Importer& im, TfNode& n) {
  auto [a, b] = Operands(im, n);
  Value* q = im.Add(n, "Div", {a, b});
  return {IsFloat(im.TypeOf(n, a, "input 0").dtype) ? im.Add(n, "Floor", {q}) : q};
}

Results BiasAdd(Importer& im, TfNode& n) {
  auto [x, b] = Operands(im, n);
  int rank = im.TypeOf(n, x, "the input").Rank();
  if (IsNchw(n) && rank > 2) {
    std::vector<int64_t> shape(rank - 1, 1);
    shape[0] = -1;
    b = im.Reshape(n, b, shape);
  }
  return {im.Add(n, "Add", {x, b})};
}

Results Clip(Importer& im, TfNode& n, Value* x, double lo, double hi) {
  DataType t = im.TypeOf(n, x, "the input").dtype;
  return {im.Add(n, "Clip", {x, im.Scalar(n, t, lo), im.Scalar(n, t, hi)})};
}

Results Relu6(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  return Clip(im, n, n.in[0], 0, 6);
}

Results ClipByValue(Importer& im, TfNode& n) {
  Arity(im, n, 3);
  DataType t = im.TypeOf(n, n.in[0], "the input").dtype;
  Value* lo = im.CastTo(n, n.in[1], t);
  Value* hi = im.CastTo(n, n.in[2], t);
  if (im.TypeOf(n, lo, "the bound").Rank() == 0 && im.TypeOf(n, hi, "the bound").Rank() == 0)
    return {im.Add(n, "Clip", {n.in[0], lo, hi})};
  return {im.Add(n, "Min", {im.Add(n, "Max", {n.in[0], lo}), hi})};
}

Results LeakyRelu(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  return {im.Add(n, "LeakyRelu", {n.in[0]}, {{"alpha", double{n.Float("alpha", 0.2f)}}})};
}

Results Softmax(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  const char* op = n.op() == "LogSoftmax" ? "LogSoftmax" : "Softmax";
  return {im.Add(n, op, {n.in[0]}, {{"axis", int64_t{-1}}})};
}

Results Cast(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  return {im.Add(n, "Cast", {n.in[0]}, {{"to", static_cast<int64_t>(n.Type("DstT"))}})};
}

Results AddN(Importer& im, TfNode& n) {
  if (n.in.empty()) im.Fail(n, "expected inputs");
  return {n.in.size() == 1 ? n.in[0] : im.Add(n, "Sum", n.in)};
}

// The last two axes of a rank-r value swapped.
Value* SwapLast(Importer& im, TfNode& n, Value* v) {
  int r = im.TypeOf(n, v, "the operand").Rank();
  if (r < 2) im.Fail(n, "matrix operands must have rank 2 or more");
  std::vector<int64_t> perm;
  for (int i = 0; i < r; ++i) perm.push_back(i);
  std::swap(perm[r - 1], perm[r - 2]);
  return im.Transpose(n, v, perm);
}

Results MatMul(Importer& im, TfNode& n) {
  auto [a, b] = Operands(im, n);
  bool ta = n.op() == "MatMul" ? n.Bool("transpose_a") : n.Bool("adj_x");
  bool tb = n.op() == "MatMul" ? n.Bool("transpose_b") : n.Bool("adj_y");
  if (ta) a = SwapLast(im, n, a);
  if (tb) b = SwapLast(im, n, b);
  return {im.Add(n, "MatMul", {a, b})};
}

template <const char* kOp>
Results Reduce(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  std::vector<int64_t> axes = im.IntsOf(n, n.in[1], "the reduction axes");
  int64_t keep = n.Bool("keep_dims") || n.Bool("keepdims");
  Value* x = n.in[0];
  if (axes.empty()) return {x};  // TensorFlow reduces nothing
  return {im.Add(n, kOp, {x, im.Ints(n, axes)}, {{"keepdims", keep}})};
}

constexpr char kReduceMean[] = "ReduceMean", kReduceSum[] = "ReduceSum", kReduceMax[] = "ReduceMax",
               kReduceMin[] = "ReduceMin", kReduceProd[] = "ReduceProd";

Results ArgMinMax(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  std::vector<int64_t> axis = im.IntsOf(n, n.in[1], "the axis");
  if (axis.size() != 1) im.Fail(n, "the axis must be one value");
  const char* op = n.op() == "ArgMax" ? "ArgMax" : "ArgMin";
  Value* r = im.Add(n, op, {n.in[0]}, {{"axis", axis[0]}, {"keepdims", int64_t{0}}});
  DataType out = n.Find("output_type") ? n.Type("output_type") : DataType::kInt64;
  return {out == DataType::kInt64 ? r : im.Add(n, "Cast", {r}, {{"to", int64_t(out)}})};
}

// Select(cond, x, y); the v1 form also takes a rank-1 cond choosing along x's first axis.
Results Select(Importer& im, TfNode& n) {
  Arity(im, n, 3);
  Value* c = n.in[0];
  int rc = im.TypeOf(n, c, "the condition").Rank();
  int rx = im.TypeOf(n, n.in[1], "input 1").Rank();
  if (n.op() == "Select" && rc == 1 && rx > 1) {
    std::vector<int64_t> shape(rx, 1);
    shape[0] = -1;
    c = im.Reshape(n, c, shape);
  }
  return {im.Add(n, "Where", {c, n.in[1], n.in[2]})};
}

// Dequantize (MIN_COMBINED and MIN_FIRST, unsigned): min + q * (max - min) / (2^bits - 1).
Results Dequantize(Importer& im, TfNode& n) {
  Arity(im, n, 3);
  std::string mode = n.Str("mode", "MIN_COMBINED");
  DataType t = im.TypeOf(n, n.in[0], "the input").dtype;
  if ((mode != "MIN_COMBINED" && mode != "MIN_FIRST") ||
      (t != DataType::kUInt8 && t != DataType::kUInt16))
    im.Fail(n, "only MIN_COMBINED and MIN_FIRST of unsigned types are supported");
  double lo = im.ValueOf(n, n.in[1], "min_range").GetDouble(0);
  double hi = im.ValueOf(n, n.in[2], "max_range").GetDouble(0);
  double levels = t == DataType::kUInt8 ? 255.0 : 65535.0;
  // MIN_FIRST rounds min to a multiple of the step, as TensorFlow's QuantizedToFloat.
  double step = (hi - lo) / levels;
  if (mode == "MIN_FIRST" && step > 0)
    lo = std::round(lo / static_cast<float>(step)) * static_cast<float>(step);
  Value* q = im.Add(n, "Cast", {n.in[0]}, {{"to", int64_t(DataType::kFloat32)}});
  Value* s = im.Add(n, "Mul", {q, im.Scalar(n, DataType::kFloat32, step)});
  return {im.Add(n, "Add", {s, im.Scalar(n, DataType::kFloat32, lo)})};
}

}  // namespace

void AddMathTranslators(TranslatorMap& m) {
  for (const char* op : {"Identity", "StopGradient", "Snapshot", "PreventGradient", "CheckNumerics",
                         "PlaceholderWithDefault", "EnsureShape"})
    m[op] = PassThrough;
  // A call of a Defun function named Dropout whose body the frozen file no longer holds
  // (OpenCV's defun_dropout test, and OpenCV's reading of it): at inference the identity of
  // its first input.
  m["Dropout"] = PassThrough;
  m["IdentityN"] = IdentityN;
  m["Switch"] = Switch;
  m["Merge"] = Merge;
  m["NoOp"] = NoResults;
  m["Add"] = m["AddV2"] = Binary<kAdd>;
  m["Sub"] = Binary<kSub>;
  m["Mul"] = Binary<kMul>;
  m["RealDiv"] = m["Div"] = Binary<kDiv>;
  m["Maximum"] = Binary<kMax>;
  m["Minimum"] = Binary<kMin>;
  m["Pow"] = Binary<kPow>;
  m["Equal"] = Binary<kEqual>;
  m["Less"] = Binary<kLess>;
  m["Greater"] = Binary<kGreater>;
  m["LessEqual"] = Binary<kLessEqual>;
  m["GreaterEqual"] = Binary<kGreaterEqual>;
  m["LogicalAnd"] = Binary<kAnd>;
  m["LogicalOr"] = Binary<kOr>;
  m["LogicalNot"] = Unary<kNot>;
  m["FloorDiv"] = FloorDiv;
  m["SquaredDifference"] = SquaredDifference;
  m["Square"] = Square;
  m["Rsqrt"] = Rsqrt;
  m["AddN"] = AddN;
  m["BiasAdd"] = m["BiasAddV1"] = BiasAdd;
  m["Relu"] = Unary<kRelu>;
  m["Relu6"] = Relu6;
  m["ClipByValue"] = ClipByValue;
  m["LeakyRelu"] = LeakyRelu;
  m["Elu"] = Unary<kElu>;
  m["Sigmoid"] = Unary<kSigmoid>;
  m["Tanh"] = Unary<kTanh>;
  m["Exp"] = Unary<kExp>;
  m["Log"] = Unary<kLog>;
  m["Neg"] = Unary<kNeg>;
  m["Abs"] = Unary<kAbs>;
  m["Sqrt"] = Unary<kSqrt>;
  m["Floor"] = Unary<kFloor>;
  m["Ceil"] = Unary<kCeil>;
  m["Round"] = Unary<kRound>;
  m["Softplus"] = Unary<kSoftplus>;
  m["Softsign"] = Unary<kSoftsign>;
  m["Reciprocal"] = m["Inv"] = Unary<kReciprocal>;
  m["Sign"] = Unary<kSign>;
  m["Erf"] = Unary<kErf>;
  m["Sin"] = Unary<kSin>;
  m["Cos"] = Unary<kCos>;
  m["Softmax"] = m["LogSoftmax"] = Softmax;
  m["Cast"] = Cast;
  m["MatMul"] = m["BatchMatMul"] = m["BatchMatMulV2"] = MatMul;
  m["Mean"] = Reduce<kReduceMean>;
  m["Sum"] = Reduce<kReduceSum>;
  m["Max"] = Reduce<kReduceMax>;
  m["Min"] = Reduce<kReduceMin>;
  m["Prod"] = Reduce<kReduceProd>;
  m["ArgMax"] = m["ArgMin"] = ArgMinMax;
  m["Select"] = m["SelectV2"] = Select;
  m["Dequantize"] = Dequantize;
}

}  // namespace halo::tf_fe
