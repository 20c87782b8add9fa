// Reductions and axis-wise ops: Reduce*, ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax, CumSum.
#include <algorithm>

#include "ir/ops/rules.h"

namespace halo {
namespace {

void CheckNumeric(InferContext& c, bool float_only) {
  DataType t = c.in(0).dtype;
  bool ok = float_only ? IsFloat(t) : (IsFloat(t) || IsInteger(t));
  c.check(ok, c.node()->op(), " does not take element type ", DataTypeName(t), " (",
          float_only ? "float types only" : "numeric types only", ")");
}

// Reduce*: `axes` comes from the constant input (opset 13 ReduceSum, opset 18 the others) or
// the attribute (older opsets). The rule canonicalises it to the sorted, non-negative list of
// reduced axes: all axes when empty unless noop_with_empty_axes, where it stays empty and no
// axis is reduced (each element alone, as numpy's axis=() does). A scalar input also ends up
// with empty axes: ReduceL2(-3) is 3.
void ReduceRule(InferContext& c) {
  Node* n = c.node();
  const Type& x = c.in(0);
  CheckNumeric(c, false);
  std::vector<int64_t> axes = n->GetInts("axes");
  if (c.has_input(1)) {
    const Tensor& t = c.require_const(1);
    c.check(t.type().dtype == DataType::kInt64 || t.type().dtype == DataType::kInt32,
            "input 'axes' must be int64, got ", t.type().ToString());
    c.check(t.type().Rank() <= 1, "input 'axes' must be 1-D, got ", t.type().ToString());
    axes = t.ToInts();
  }
  for (int64_t& a : axes) a = NormalizeAxis(a, x.Rank());
  std::sort(axes.begin(), axes.end());
  c.check(std::adjacent_find(axes.begin(), axes.end()) == axes.end(), "'axes' repeats an axis");
  if (axes.empty() && !n->GetInt("noop_with_empty_axes"))
    for (int64_t i = 0; i < x.Rank(); ++i) axes.push_back(i);
  n->set_attr("axes", axes);
  bool keep = n->GetInt("keepdims") != 0;
  n->set_attr("keepdims", int64_t{keep});
  c.set_out(Type(x.dtype, ReducedShape(x.shape, axes, keep)));
}

void ArgRule(InferContext& c) {
  Node* n = c.node();
  const Type& x = c.in(0);
  CheckNumeric(c, false);
  int64_t axis = NormalizeAxis(n->GetInt("axis"), x.Rank());
  c.check(x.Rank() > 0, n->op(), " needs a tensor of rank >= 1");
  c.check(x.shape[axis] > 0, n->op(), " over an empty axis");
  n->set_attr("axis", axis);
  n->set_attr("keepdims", int64_t{n->GetInt("keepdims") != 0});
  Shape s;
  for (int64_t i = 0; i < x.Rank(); ++i) {
    if (i != axis)
      s.push_back(x.shape[i]);
    else if (n->GetInt("keepdims"))
      s.push_back(1);
  }
  c.set_out(Type(DataType::kInt64, s));
}

void SoftmaxRule(InferContext& c) {
  Node* n = c.node();
  const Type& x = c.in(0);
  CheckNumeric(c, true);
  c.check(x.Rank() > 0, n->op(), " needs a tensor of rank >= 1");
  int64_t axis = NormalizeAxis(n->GetInt("axis"), x.Rank());
  n->set_attr("axis", axis);
  // Over the last axis both semantics agree.
  if (axis == x.Rank() - 1) n->set_attr("legacy_2d", int64_t{0});
  c.set_out(x);
}

void CumSumRule(InferContext& c) {
  Node* n = c.node();
  const Type& x = c.in(0);
  CheckNumeric(c, false);
  const Tensor& t = c.require_const(1);
  c.check(t.type().dtype == DataType::kInt64 || t.type().dtype == DataType::kInt32,
          "CumSum 'axis' must be int32 or int64, got ", t.type().ToString());
  c.check(t.type().NumElements() == 1, "CumSum 'axis' must be a scalar, got ", t.type().ToString());
  c.check(x.Rank() > 0, "CumSum needs a tensor of rank >= 1");
  n->set_attr("axis", NormalizeAxis(t.GetInt(0), x.Rank()));
  c.set_out(x);
}

}  // namespace

void RegisterReduceOps(OpRegistry& r) {
  struct R {
    const char* name;
    const char* doc;
  };
  const R reductions[] = {
      {"ReduceSum", "Sum over 'axes'."},
      {"ReduceMean", "Mean over 'axes' (integers divide truncating)."},
      {"ReduceMax", "Maximum over 'axes' (NaN propagates)."},
      {"ReduceMin", "Minimum over 'axes' (NaN propagates)."},
      {"ReduceProd", "Product over 'axes'."},
      {"ReduceL1", "Sum of absolute values over 'axes'."},
      {"ReduceL2", "Square root of the sum of squares over 'axes'."},
      {"ReduceLogSum", "Natural log of the sum over 'axes'."},
      {"ReduceLogSumExp", "log(sum(exp(x))) over 'axes', computed stably."},
      {"ReduceSumSquare", "Sum of squares over 'axes'."},
  };
  for (const R& d : reductions) {
    r.Add(d.name)
        .Doc(d.doc)
        .In("data")
        .ConstIn("axes", "axes to reduce (int64)")
        .Out("reduced")
        .Ints("axes", {},
              "the reduced axes, sorted and non-negative; empty: each element alone "
              "(a copy for sums and extremes, |x| for L1/L2, x*x for SumSquare)")
        .Int("keepdims", 1, "1: reduced axes stay with size 1")
        .Meta("noop_with_empty_axes", AttrKind::kInt, int64_t{0}, "1: empty axes reduce nothing")
        .Flops(FlopsPerInputElement(1))
        .Rule(ReduceRule);
  }
  r.Add("ArgMax")
      .Doc("Index (int64) of the largest element along 'axis'.")
      .In("data")
      .Out("reduced")
      .Int("axis", 0, "the axis, non-negative")
      .Int("keepdims", 1, "1: the axis stays with size 1")
      .Int("select_last_index", 0, "1: the last of equal maxima, 0: the first")
      .Rule(ArgRule);
  r.Add("ArgMin")
      .Doc("Index (int64) of the smallest element along 'axis'.")
      .In("data")
      .Out("reduced")
      .Int("axis", 0, "the axis, non-negative")
      .Int("keepdims", 1, "1: the axis stays with size 1")
      .Int("select_last_index", 0, "1: the last of equal minima, 0: the first")
      .Rule(ArgRule);

  // Softmax family. Opset 13 normalises along the single axis `axis` (default -1). Before
  // opset 13 the input was coerced to 2-D [prod(dims[:axis]), prod(dims[axis:])] and
  // normalised along the second dimension, with axis defaulting to 1. An importer maps such
  // a node by setting legacy_2d=1 and passing axis explicitly (1 when the node has none), or
  // by rewriting it (Flatten, the op on axis -1, Reshape). The rule clears legacy_2d when
  // axis is the last one (both agree).
  const R softmaxes[] = {
      {"Softmax", "exp(x) / sum(exp(x)) along 'axis', computed stably."},
      {"LogSoftmax", "x - log(sum(exp(x))) along 'axis', computed stably."},
      {"Hardmax", "1 at the first maximum along 'axis', 0 elsewhere."},
  };
  for (const R& d : softmaxes) {
    r.Add(d.name)
        .Doc(d.doc)
        .In("input")
        .Out("output")
        .Int("axis", -1, "the axis, non-negative")
        .Int("legacy_2d", 0, "1: opset < 13 semantics (normalise over all axes from 'axis' on)")
        .Flops(FlopsPerInputElement(3))
        .Rule(SoftmaxRule);
  }

  OpDef& cumsum = r.Add("CumSum").Doc("Cumulative sum along 'axis'.").In("x");
  cumsum.inputs.push_back({"axis", false, false, false, "the axis (constant scalar)"});
  cumsum.Out("y")
      .Int("axis", 0, "the axis, non-negative (from the 'axis' input)")
      .Int("exclusive", 0, "1: each sum leaves out its own element")
      .Int("reverse", 0, "1: sums run from the end")
      .Rule(CumSumRule);
}

}  // namespace halo
