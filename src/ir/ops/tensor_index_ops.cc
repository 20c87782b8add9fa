// Indexing ops: Gather, GatherElements, GatherND, Scatter, ScatterElements, ScatterND, OneHot.
#include "ir/ops/tensor_rules.h"

namespace halo {
namespace {

// When `indices` is constant, checks every index against `bound` (negative ones count from
// the end).
void CheckConstIndices(InferContext& c, size_t i, int64_t bound) {
  const Tensor* t = c.const_in(i);
  if (!t) return;
  for (int64_t k = 0; k < t->type().NumElements(); ++k) {
    int64_t v = t->GetInt(k);
    c.check(v >= -bound && v < bound, "index ", v, " is out of range [", -bound, ", ", bound, ")");
  }
}

void GatherRule(InferContext& c) {
  const Type& data = c.in(0);
  const Type& idx = c.in(1);
  CheckIndexType(c, idx, "'indices'");
  c.check(data.Rank() >= 1, "cannot gather from a scalar");
  int64_t axis = NormalizeAxis(c.node()->GetInt("axis"), data.Rank());
  CheckConstIndices(c, 1, data.shape[axis]);
  Shape out(data.shape.begin(), data.shape.begin() + axis);
  out.insert(out.end(), idx.shape.begin(), idx.shape.end());
  out.insert(out.end(), data.shape.begin() + axis + 1, data.shape.end());
  c.node()->set_attr("axis", axis);
  c.set_out(Type(data.dtype, out));
}

void GatherElementsRule(InferContext& c) {
  const Type& data = c.in(0);
  const Type& idx = c.in(1);
  CheckIndexType(c, idx, "'indices'");
  c.check(data.Rank() >= 1 && idx.Rank() == data.Rank(), "'indices' (", idx.ToString(),
          ") must have the rank of 'data' (", data.ToString(), ")");
  int64_t axis = NormalizeAxis(c.node()->GetInt("axis"), data.Rank());
  for (int d = 0; d < data.Rank(); ++d)
    c.check(d == axis || idx.shape[d] <= data.shape[d], "'indices' (", idx.ToString(),
            ") is larger than 'data' (", data.ToString(), ") in dimension ", d);
  CheckConstIndices(c, 1, data.shape[axis]);
  c.node()->set_attr("axis", axis);
  c.set_out(Type(data.dtype, idx.shape));
}

void GatherNDRule(InferContext& c) {
  const Type& data = c.in(0);
  const Type& idx = c.in(1);
  c.check(idx.dtype == DataType::kInt64, "'indices' must be int64, got ", idx.ToString());
  int64_t b = c.node()->GetInt("batch_dims");
  c.check(idx.Rank() >= 1 && b >= 0 && b < std::min(data.Rank(), idx.Rank()), "'batch_dims' ", b,
          " is out of range for ", data.ToString(), " and ", idx.ToString());
  for (int64_t d = 0; d < b; ++d)
    c.check(data.shape[d] == idx.shape[d], "batch dimension ", d, " differs: ", data.ToString(),
            " and ", idx.ToString());
  int64_t k = idx.shape.back();
  c.check(k >= 1 && k <= data.Rank() - b, "the last dimension of 'indices' (", k,
          ") must be in 1..", data.Rank() - b);
  Shape out(idx.shape.begin(), idx.shape.end() - 1);
  out.insert(out.end(), data.shape.begin() + b + k, data.shape.end());
  c.set_out(Type(data.dtype, out));
}

void CheckReduction(InferContext& c) {
  const std::string& r = c.node()->GetString("reduction");
  c.check(r == "none" || r == "add" || r == "mul" || r == "max" || r == "min",
          "unsupported reduction '", r, "'");
  c.check(r == "none" || c.in(0).dtype != DataType::kBool, "reduction '", r,
          "' does not apply to bool");
}

void ScatterElementsRule(InferContext& c) {
  const Type& data = c.in(0);
  const Type& idx = c.in(1);
  const Type& upd = c.in(2);
  CheckIndexType(c, idx, "'indices'");
  c.check(upd.dtype == data.dtype, "'updates' (", upd.ToString(), ") and 'data' (", data.ToString(),
          ") differ in type");
  c.check(idx.shape == upd.shape, "'indices' (", idx.ToString(), ") and 'updates' (",
          upd.ToString(), ") differ in shape");
  c.check(data.Rank() >= 1 && idx.Rank() == data.Rank(), "'indices' (", idx.ToString(),
          ") must have the rank of 'data' (", data.ToString(), ")");
  int64_t axis = NormalizeAxis(c.node()->GetInt("axis"), data.Rank());
  for (int d = 0; d < data.Rank(); ++d)
    c.check(d == axis || idx.shape[d] <= data.shape[d], "'indices' (", idx.ToString(),
            ") is larger than 'data' (", data.ToString(), ") in dimension ", d);
  if (c.node()->has_attr("reduction")) CheckReduction(c);
  CheckConstIndices(c, 1, data.shape[axis]);
  c.node()->set_attr("axis", axis);
  c.set_out(data);
}

void ScatterNDRule(InferContext& c) {
  const Type& data = c.in(0);
  const Type& idx = c.in(1);
  const Type& upd = c.in(2);
  c.check(idx.dtype == DataType::kInt64, "'indices' must be int64, got ", idx.ToString());
  c.check(upd.dtype == data.dtype, "'updates' (", upd.ToString(), ") and 'data' (", data.ToString(),
          ") differ in type");
  c.check(idx.Rank() >= 1, "'indices' must have rank 1 or more");
  int64_t k = idx.shape.back();
  c.check(k >= 1 && k <= data.Rank(), "the last dimension of 'indices' (", k, ") must be in 1..",
          data.Rank());
  Shape want(idx.shape.begin(), idx.shape.end() - 1);
  want.insert(want.end(), data.shape.begin() + k, data.shape.end());
  c.check(upd.shape == want, "'updates' must be ", ShapeToString(want), ", got ", upd.ToString());
  CheckReduction(c);
  c.set_out(data);
}

void OneHotRule(InferContext& c) {
  const Type& idx = c.in(0);
  const Type& vals = c.in(2);
  c.check(idx.dtype != DataType::kBool && !IsHalfFloat(idx.dtype), "unsupported 'indices' type ",
          idx.ToString());
  c.check(vals.NumElements() == 2 && vals.Rank() == 1, "'values' must be [off, on], got ",
          vals.ToString());
  c.check(c.has_input(1), "input 'depth' is missing");
  int64_t depth = ScalarInt(c, c.require_const(1), "'depth'");
  c.check(depth >= 1, "'depth' must be positive, got ", depth);
  int64_t rank = idx.Rank() + 1;
  int64_t axis = c.node()->GetInt("axis");
  c.check(axis >= -rank && axis < rank, "axis ", axis, " is out of range for rank ", rank);
  if (axis < 0) axis += rank;
  Shape out = idx.shape;
  out.insert(out.begin() + axis, depth);
  c.node()->set_attr("axis", axis);
  c.set_out(Type(vals.dtype, out));
}

}  // namespace

void RegisterTensorIndexOps(OpRegistry& r) {
  r.Add("Gather")
      .Doc(
          "Takes the slices of 'data' along an axis at the given indices (negative ones count "
          "from the end).")
      .In("data")
      .In("indices", "int32 or int64")
      .Int("axis", 0, "non-negative")
      .Out("output")
      .Rule(GatherRule);
  r.Add("GatherElements")
      .Doc("output[i][j]... = data[...] with the index along 'axis' replaced by indices[i][j]...")
      .In("data")
      .In("indices", "int32 or int64, the rank of data")
      .Int("axis", 0, "non-negative")
      .Out("output")
      .Rule(GatherElementsRule);
  r.Add("GatherND")
      .Doc(
          "Takes the slices of 'data' addressed by the index tuples in the last dimension of "
          "'indices', after 'batch_dims' shared leading dimensions.")
      .In("data")
      .In("indices", "int64")
      .Int("batch_dims", 0, "leading dimensions shared by data and indices")
      .Out("output")
      .Rule(GatherNDRule);
  r.Add("ScatterElements")
      .Doc(
          "A copy of 'data' where the element addressed by each index (along 'axis') is "
          "replaced by, or reduced with, the matching update.")
      .In("data")
      .In("indices", "int32 or int64")
      .In("updates", "the shape of indices")
      .Int("axis", 0, "non-negative")
      .Str("reduction", "none", "none, add, mul, max or min")
      .Out("output")
      .Rule(ScatterElementsRule);
  r.Add("Scatter")
      .Doc("ScatterElements without reduction (its name before opset 11).")
      .In("data")
      .In("indices", "int32 or int64")
      .In("updates", "the shape of indices")
      .Int("axis", 0, "non-negative")
      .Out("output")
      .Rule(ScatterElementsRule);
  r.Add("ScatterND")
      .Doc(
          "A copy of 'data' where the slices addressed by the index tuples in the last "
          "dimension of 'indices' are replaced by, or reduced with, the updates.")
      .In("data")
      .In("indices", "int64")
      .In("updates")
      .Str("reduction", "none", "none, add, mul, max or min")
      .Out("output")
      .Rule(ScatterNDRule);
  r.Add("OneHot")
      .Doc(
          "values[1] where the index along 'axis' equals indices[...] (negative ones count "
          "from depth), values[0] elsewhere.")
      .In("indices")
      .ConstIn("depth")
      .In("values", "[off, on]")
      .Int("axis", -1, "the new axis, non-negative")
      .Out("output")
      .Rule(OneHotRule);
}

}  // namespace halo
