// Matrix products and layout ops of neural networks: Gemm, MatMul, Flatten, DepthToSpace,
// SpaceToDepth, TopK.
#include "ir/ops/rules.h"

namespace halo {
namespace {

void CheckNumeric(InferContext& c, const Type& t) {
  c.check(t.dtype != DataType::kBool && !IsHalfFloat(t.dtype) && t.dtype != DataType::kInvalid,
          "element type ", DataTypeName(t.dtype), " is not supported");
}

void FlattenRule(InferContext& c) {
  const Type& x = c.in(0);
  int64_t axis = c.node()->GetInt("axis");
  c.check(axis >= -x.Rank() && axis <= x.Rank(), "axis ", axis, " is out of range for rank ",
          x.Rank());
  if (axis < 0) axis += x.Rank();
  c.node()->set_attr("axis", axis);
  int64_t outer = NumElements(Shape(x.shape.begin(), x.shape.begin() + axis));
  int64_t inner = NumElements(Shape(x.shape.begin() + axis, x.shape.end()));
  c.set_out(Type(x.dtype, {outer, inner}));
}

void DepthToSpaceRule(InferContext& c) {
  const Type& x = c.in(0);
  int64_t b = c.node()->GetInt("blocksize");
  const std::string& mode = c.node()->GetString("mode");
  c.check(x.Rank() == 4, "input must be [N, C, H, W], got ", x.ToString());
  c.check(b >= 1, "blocksize must be positive");
  c.check(mode == "DCR" || mode == "CRD", "mode must be DCR or CRD, got '", mode, "'");
  c.check(x.shape[1] % (b * b) == 0, "channels (", x.shape[1], ") are not divisible by ",
          "blocksize^2 (", b * b, ")");
  c.set_out(Type(x.dtype, {x.shape[0], x.shape[1] / (b * b), x.shape[2] * b, x.shape[3] * b}));
}

void SpaceToDepthRule(InferContext& c) {
  const Type& x = c.in(0);
  int64_t b = c.node()->GetInt("blocksize");
  c.check(x.Rank() == 4, "input must be [N, C, H, W], got ", x.ToString());
  c.check(b >= 1, "blocksize must be positive");
  c.check(x.shape[2] % b == 0 && x.shape[3] % b == 0, "height and width (", x.shape[2], ", ",
          x.shape[3], ") must be divisible by blocksize ", b);
  c.set_out(Type(x.dtype, {x.shape[0], x.shape[1] * b * b, x.shape[2] / b, x.shape[3] / b}));
}

void TopKRule(InferContext& c) {
  Node* node = c.node();
  const Type& x = c.in(0);
  CheckNumeric(c, x);
  c.check(x.Rank() >= 1, "X must have rank 1 or more");
  int64_t axis = NormalizeAxis(node->GetInt("axis"), x.Rank());
  node->set_attr("axis", axis);
  if (c.has_input(1)) {
    const Tensor& k = c.require_const(1);
    c.check(k.type().NumElements() == 1 && IsInteger(k.type().dtype),
            "K must hold one integer, got ", k.type().ToString());
    node->set_attr("k", k.GetInt(0));
  }
  int64_t k = node->GetInt("k");
  c.check(k >= 0, "K is missing (input K or attribute k)");
  c.check(k <= x.shape[axis], "K = ", k, " exceeds the axis length ", x.shape[axis]);
  c.check(node->num_outputs() == 2, "TopK has 2 results (Values, Indices)");
  Shape s = x.shape;
  s[axis] = k;
  c.set_out(0, Type(x.dtype, s));
  c.set_out(1, Type(DataType::kInt64, s));
}

}  // namespace

void GemmRule(InferContext& c) {
  const Type& a = c.in(0);
  const Type& b = c.in(1);
  CheckNumeric(c, a);
  c.check(a.dtype == b.dtype, "element types differ: ", a.ToString(), " and ", b.ToString());
  c.check(a.Rank() == 2 && b.Rank() == 2, "A and B must be matrices, got ", a.ToString(), " and ",
          b.ToString());
  bool ta = c.node()->GetInt("transA") != 0, tb = c.node()->GetInt("transB") != 0;
  int64_t m = a.shape[ta ? 1 : 0], k = a.shape[ta ? 0 : 1];
  int64_t kb = b.shape[tb ? 1 : 0], n = b.shape[tb ? 0 : 1];
  c.check(k == kb, "inner dimensions differ: op(A) is ", m, "x", k, ", op(B) is ", kb, "x", n);
  if (c.has_input(2)) {
    const Type& ct = c.in(2);
    c.check(ct.dtype == a.dtype, "C must have the element type of A");
    c.check(ct.Rank() <= 2 && BroadcastShapes(ct.shape, {m, n}) == Shape{m, n}, "C ", ct.ToString(),
            " does not broadcast to the result ", m, "x", n);
  }
  c.set_out(Type(a.dtype, {m, n}));
}

void MatMulRule(InferContext& c) {
  const Type& a = c.in(0);
  const Type& b = c.in(1);
  CheckNumeric(c, a);
  c.check(a.dtype == b.dtype, "element types differ: ", a.ToString(), " and ", b.ToString());
  c.check(a.Rank() >= 1 && b.Rank() >= 1, "operands must have rank 1 or more");
  Shape as = a.shape, bs = b.shape;
  if (a.Rank() == 1) as.insert(as.begin(), 1);
  if (b.Rank() == 1) bs.push_back(1);
  int64_t k = as.back(), kb = bs[bs.size() - 2];
  c.check(k == kb, "inner dimensions differ: ", a.ToString(), " x ", b.ToString());
  Shape batch = BroadcastShapes(Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2));
  if (a.Rank() > 1) batch.push_back(as[as.size() - 2]);
  if (b.Rank() > 1) batch.push_back(bs.back());
  c.set_out(Type(a.dtype, batch));
}

void RegisterNNOps(OpRegistry& r) {
  r.Add("Gemm")
      .Doc(
          "Y = alpha * op(A) * op(B) + beta * C with op(M) = M or its transpose; C broadcasts "
          "to [M, N].")
      .In("A")
      .In("B")
      .OptIn("C", "added (broadcast) to the product")
      .Float("alpha", 1.0, "product scale")
      .Float("beta", 1.0, "C scale")
      .Int("transA", 0, "1: transpose A")
      .Int("transB", 0, "1: transpose B")
      .Meta("broadcast", AttrKind::kInt, int64_t{0}, "opset 6 and older: C always broadcasts")
      .Out("Y")
      .Rule(GemmRule);
  r.Add("MatMul")
      .Doc(
          "Matrix product with numpy semantics: batch dimensions broadcast, a 1-D operand is a "
          "row (A) or column (B) vector whose dimension is dropped from the result.")
      .In("A")
      .In("B")
      .Out("Y")
      .Rule(MatMulRule);
  r.Add("Flatten")
      .Doc("Reshapes input to [prod(shape[:axis]), prod(shape[axis:])].")
      .In("input")
      .Int("axis", 1, "split point (non-negative once lowered)")
      .Out("output")
      .Rule(FlattenRule);
  r.Add("DepthToSpace")
      .Doc(
          "Moves blocks of channels of input [N, C, H, W] into blocksize x blocksize spatial "
          "blocks: [N, C/b^2, H*b, W*b].")
      .In("input")
      .Int("blocksize", 0, "block edge b")
      .Required()
      .Str("mode", "DCR", "DCR (depth-column-row) or CRD (column-row-depth) channel order")
      .Out("output")
      .Rule(DepthToSpaceRule);
  r.Add("SpaceToDepth")
      .Doc(
          "Moves blocksize x blocksize spatial blocks of input [N, C, H, W] into channels: "
          "[N, C*b^2, H/b, W/b].")
      .In("input")
      .Int("blocksize", 0, "block edge b")
      .Required()
      .Out("output")
      .Rule(SpaceToDepthRule);
  r.Add("TopK")
      .Doc(
          "The k largest (or smallest) elements along axis and their int64 indices; equal "
          "values keep the lower index first.")
      .In("X")
      .ConstIn("K", "one-element integer tensor, moved into k")
      .Int("k", -1, "number of elements kept")
      .Int("axis", -1, "the axis (non-negative once lowered)")
      .Int("largest", 1, "1: largest, 0: smallest")
      .Int("sorted", 1, "1: results in order; 0: any order (this runtime sorts anyway)")
      .Out("Values")
      .Out("Indices")
      .Rule(TopKRule);
}

}  // namespace halo
