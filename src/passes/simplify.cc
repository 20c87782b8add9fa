// simplify: algebraic identities that hold exactly in floating point (and for integers).
// x + 0 is only dropped for a -0.0 constant (or integers): +0.0 turns x = -0.0 into +0.0.
#include <cmath>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace halo {
namespace {

// Whether v is a constant whose every element is `want`; for a float zero, also the sign.
bool ConstIs(const Value* v, double want, bool negative_zero = false) {
  const Tensor* t = ConstantOf(v);
  if (!t || t->type().dtype == DataType::kBool || IsHalfFloat(t->type().dtype)) return false;
  for (int64_t i = 0; i < t->type().NumElements(); ++i) {
    double d = t->GetDouble(i);
    if (d != want) return false;
    if (want == 0 && IsFloat(t->type().dtype) && std::signbit(d) != negative_zero) return false;
  }
  return true;
}

bool AllEqual(const std::vector<int64_t>& v, int64_t x) {
  for (int64_t e : v)
    if (e != x) return false;
  return true;
}

// The input of n that its (first) result equals, or nullptr.
Value* IdentityOf(const Node& n, const Rewriter& uses) {
  const std::string& op = n.op();
  Value* x = n.input(0);
  const Type& out = n.output()->type();
  if (!x) return nullptr;
  auto same = [&](Value* v) { return v && v->type() == out ? v : nullptr; };
  if (op == "Identity" || op == "Cast" || op == "CastLike" || op == "Expand") return same(x);
  if (op == "Dropout")
    return n.num_outputs() == 1 || (uses.Users(n.output(1)).empty() && !uses.IsOutput(n.output(1)))
               ? same(x)
               : nullptr;
  if ((op == "Concat" || op == "Sum" || op == "Max" || op == "Min" || op == "Mean") &&
      n.num_inputs() == 1)
    return same(x);
  if (op == "Split" && n.num_outputs() == 1) return same(x);
  if (op == "Slice") {
    for (int64_t s : n.GetInts("steps"))
      if (s <= 0) return nullptr;
    return same(x);  // positive steps and nothing dropped: starts are 0, steps 1
  }
  if (op == "Pad") return AllEqual(n.GetInts("pads"), 0) ? same(x) : nullptr;
  if (op == "Tile") return AllEqual(n.GetInts("repeats"), 1) ? same(x) : nullptr;
  if (op == "Neg" && ProducerOp(x) == "Neg") return same(x->producer()->input(0));
  Value* y = n.input(1);
  bool integer = IsInteger(out.dtype);
  if (op == "Mul") {
    if (ConstIs(y, 1)) return same(x);
    if (ConstIs(x, 1)) return same(y);
  } else if (op == "Div" || op == "Pow") {
    if (ConstIs(y, 1)) return same(x);
  } else if (op == "Add") {
    if (ConstIs(y, 0, !integer)) return same(x);
    if (ConstIs(x, 0, !integer)) return same(y);
  } else if (op == "Sub") {
    if (ConstIs(y, 0, false)) return same(x);
  }
  return nullptr;
}

}  // namespace

bool Simplify(Graph& g) {
  Rewriter rw(g);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node* n = g.nodes()[i].get();
    if (!rw.Live(n)) continue;
    if (Value* x = IdentityOf(*n, rw)) {
      if (rw.CanReplace(n->output(), x)) rw.Replace(n->output(), x);
    } else if (n->op() == "Pow" && ConstIs(n->input(1), 2) &&
               n->input(0)->type() == n->output()->type()) {
      Node* mul = rw.Add("Mul", n->name(), {n->input(0), n->input(0)});
      rw.Replace(n->output(), mul->output(), true);
    }
  }
  return rw.Finish();
}

}  // namespace halo
