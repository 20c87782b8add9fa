// Ops that make tensors from shapes and scalars: Shape, Size, ConstantOfShape, Range, EyeLike.
#include <cmath>
#include <limits>

#include "ir/ops/tensor_rules.h"

namespace halo {
namespace {

void ShapeRule(InferContext& c) {
  const Type& in = c.in(0);
  int64_t rank = in.Rank();
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  int64_t start = clamp(c.node()->GetInt("start")), end = clamp(c.node()->GetInt("end"));
  c.node()->set_attr("start", start);
  c.node()->set_attr("end", end);
  c.set_out(Type(DataType::kInt64, {std::max<int64_t>(0, end - start)}));
}

void SizeRule(InferContext& c) {
  c.in(0);
  c.set_out(Type(DataType::kInt64, {}));
}

// The `value` tensor attribute becomes value_float / value_int for the runtime.
void ConstantOfShapeRule(InferContext& c) {
  c.check(c.has_input(0), "input 'input' is missing");
  const Tensor& shape_t = c.require_const(0);
  c.check(shape_t.type().dtype == DataType::kInt64 && shape_t.type().Rank() == 1,
          "the shape must be an i64 list, got ", shape_t.type().ToString());
  Shape shape = shape_t.ToInts();
  for (int64_t d : shape) c.check(d >= 0, "the shape has a negative entry ", d);
  const Tensor& v = c.node()->GetTensor("value");
  DataType dt = DataType::kFloat32;
  if (v.type().known) {
    c.check(v.type().NumElements() == 1, "'value' must hold one element, got ",
            v.type().ToString());
    dt = v.type().dtype;
    c.check(!IsHalfFloat(dt), "'value' of type ", DataTypeName(dt), " is not supported");
    c.node()->set_attr("value_float", v.GetDouble(0));
    c.node()->set_attr("value_int", IsFloat(dt) ? int64_t{0} : v.GetInt(0));
  }
  c.set_out(Type(dt, shape));
}

// Range's length follows from its constant scalar inputs; the runtime reads them.
void RangeRule(InferContext& c) {
  const Type& t = c.in(0);
  for (size_t i = 0; i < 3; ++i) {
    const Type& u = c.in(i);
    c.check(u.dtype == t.dtype && u.NumElements() == 1,
            "start, limit and delta must be scalars of one type, got ", u.ToString());
  }
  c.check(t.dtype != DataType::kBool && !IsHalfFloat(t.dtype), "unsupported type ", t.ToString());
  const Tensor &s = c.require_const(0), &l = c.require_const(1), &d = c.require_const(2);
  int64_t n = 0;
  if (IsFloat(t.dtype)) {
    double delta = d.GetDouble(0);
    c.check(delta != 0, "'delta' is zero");
    n = static_cast<int64_t>(std::ceil((l.GetDouble(0) - s.GetDouble(0)) / delta));
  } else {
    int64_t delta = d.GetInt(0), span = l.GetInt(0) - s.GetInt(0);
    c.check(delta != 0, "'delta' is zero");
    n = span / delta + (span % delta != 0 && ((span < 0) == (delta < 0)) ? 1 : 0);
  }
  c.set_out(Type(t.dtype, {std::max<int64_t>(0, n)}));
}

void EyeLikeRule(InferContext& c) {
  const Type& in = c.in(0);
  c.check(in.Rank() == 2, "needs a 2-D input, got ", in.ToString());
  DataType dt = c.node()->GetDType("dtype");
  if (dt == DataType::kInvalid) dt = in.dtype;
  c.check(DataTypeSize(dt) != 0 && !IsHalfFloat(dt), "unsupported 'dtype' ", DataTypeName(dt));
  c.node()->set_attr("dtype", static_cast<int64_t>(dt));
  c.set_out(Type(dt, in.shape));
}

}  // namespace

void RegisterTensorShapeOps(OpRegistry& r) {
  r.Add("Shape")
      .Doc("The dimensions start..end-1 of the input's shape, as int64.")
      .In("data")
      .Int("start", 0, "first dimension, in 0..rank")
      .Int("end", std::numeric_limits<int64_t>::max(), "one past the last dimension, in 0..rank")
      .Out("shape")
      .Rule(ShapeRule);
  r.Add("Size")
      .Doc("The number of elements of the input, as an int64 scalar.")
      .In("data")
      .Out("size")
      .Rule(SizeRule);
  r.Add("ConstantOfShape")
      .Doc("A tensor of the result type filled with one value.")
      .ConstIn("input")
      .Meta("value", AttrKind::kTensor, Tensor(), "the one-element value (default float 0)")
      .Float("value_float", 0.0, "the value for floating-point results")
      .Int("value_int", 0, "the value for integer and bool results")
      .Out("output")
      .Rule(ConstantOfShapeRule);
  r.Add("Range")
      .Doc(
          "start + i * delta for i in 0..n-1; n, the result length, counts the values below "
          "limit (above for a negative delta).")
      .In("start", "scalar")
      .In("limit", "scalar")
      .In("delta", "scalar")
      .Out("output")
      .Rule(RangeRule);
  r.Add("EyeLike")
      .Doc("A 2-D tensor of the input's shape with ones on diagonal k and zeros elsewhere.")
      .In("input")
      .DType("dtype", DataType::kInvalid, "the element type of the result")
      .Int("k", 0, "the diagonal: 0 main, > 0 above, < 0 below")
      .Out("output")
      .Rule(EyeLikeRule);
}

}  // namespace halo
