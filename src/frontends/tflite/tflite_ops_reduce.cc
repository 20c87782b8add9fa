// Reductions and axis-wise selections: MEAN, SUM, REDUCE_*, ARG_MAX/ARG_MIN, TOPK_V2.
#include <algorithm>

#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {

std::vector<int64_t> ReduceAxes(OpContext& c) {
  std::vector<int64_t> axes = ToInts(c.ConstIn(1, "axes"));
  int64_t r = static_cast<int64_t>(c.InShape(0).size());
  std::vector<int64_t> norm;
  for (int64_t a : axes) {
    if (a < -r || a >= r) c.Fail("axis ", a, " is out of range for rank ", r);
    a = a < 0 ? a + r : a;
    if (std::find(norm.begin(), norm.end(), a) == norm.end()) norm.push_back(a);
  }
  std::sort(norm.begin(), norm.end());
  return norm;
}

namespace {

using B = tflite::BuiltinOperator;

// TFLite reduces the listed axes (repeats and negatives allowed); none: a copy.
void Reduce(OpContext& c, const char* ir_op) {
  std::vector<int64_t> norm = ReduceAxes(c);
  const auto* o = c.OptOptions<tflite::ReducerOptions>();
  Node* n = c.Add(ir_op, {c.In(0), c.Ints(norm)});
  n->set_attr("keepdims", int64_t{o && o->keep_dims()});
  n->set_attr("noop_with_empty_axes", int64_t{1});
  c.SetOut(0, n->output());
}

void Arg(OpContext& c, const char* ir_op) {
  std::vector<int64_t> axis = ToInts(c.ConstIn(1, "axis"));
  if (axis.size() != 1) c.Fail("axis must have one element");
  Node* n = c.Add(ir_op, {c.In(0)});
  n->set_attr("axis", axis[0]);
  n->set_attr("keepdims", int64_t{0});
  DataType t = c.OutType(0);
  c.SetOut(0, t == DataType::kInt64 ? n->output() : c.Cast(n->output(), t));
}

void TopK(OpContext& c) {
  std::vector<int64_t> k = ToInts(c.ConstIn(1, "k"));
  if (k.size() != 1) c.Fail("k must have one element");
  Node* n = c.Add("TopK", {c.In(0), c.Ints(k)}, 2);
  n->set_attr("axis", int64_t{-1});
  c.SetOut(0, n->output(0));
  DataType t = c.OutType(1);
  c.SetOut(1, t == DataType::kInt64 ? n->output(1) : c.Cast(n->output(1), t));
}

}  // namespace

void RegisterReduceOps(OpTable& t) {
  auto reg = [&](B code, Handler h) { t.builtin[static_cast<int>(code)] = h; };
  reg(B::MEAN, [](OpContext& c) { Reduce(c, "ReduceMean"); });
  reg(B::SUM, [](OpContext& c) { Reduce(c, "ReduceSum"); });
  reg(B::REDUCE_MAX, [](OpContext& c) { Reduce(c, "ReduceMax"); });
  reg(B::REDUCE_MIN, [](OpContext& c) { Reduce(c, "ReduceMin"); });
  reg(B::REDUCE_PROD, [](OpContext& c) { Reduce(c, "ReduceProd"); });
  reg(B::ARG_MAX, [](OpContext& c) { Arg(c, "ArgMax"); });
  reg(B::ARG_MIN, [](OpContext& c) { Arg(c, "ArgMin"); });
  reg(B::TOPK_V2, TopK);
}

}  // namespace halo::tflite_fe
