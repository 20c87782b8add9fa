// cancel-transposes: data-movement ops that undo or repeat each other. Transpose of
// Transpose is one Transpose (none for the identity); a chain of reshapes (Reshape, Flatten,
// Squeeze, Unsqueeze) is one Reshape; either is dropped when it changes nothing. A Transpose
// followed by element-wise ops (unary, or binary with a constant operand) and another
// Transpose moves after them, the constants transposed back, and merges with the second.
#include <set>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace halo {
namespace {

bool IsReshape(const std::string& op) {
  return op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze";
}

bool IsIdentity(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// The attributes of a Reshape to `shape` (0 is a zero dimension, not a copied one).
std::map<std::string, AttrValue> ReshapeAttrs(const Shape& shape) {
  return {{"shape", std::vector<int64_t>(shape)}, {"allowzero", int64_t{1}}};
}

// The Transpose by `inner` then by `outer` as one permutation.
std::vector<int64_t> Compose(const std::vector<int64_t>& inner, const std::vector<int64_t>& outer) {
  std::vector<int64_t> q(outer.size());
  for (size_t i = 0; i < outer.size(); ++i) q[i] = inner[outer[i]];
  return q;
}

// Whether u, a user of `x`, computes element by element on x (and constants), so that a
// Transpose of x can move after it. Sets *pos to x's input position and *binary when the
// other input is a constant operand (unary ops' extra inputs are scalar parameters).
bool Sinkable(const Node& u, const Value* x, size_t* pos, bool* binary) {
  static const std::set<std::string> unary = {
      "Abs",       "Acos",     "Acosh",      "Asin",  "Asinh",          "Atan",
      "Atanh",     "Cast",     "Ceil",       "Celu",  "Clip",           "Cos",
      "Cosh",      "Elu",      "Erf",        "Exp",   "Floor",          "HardSigmoid",
      "HardSwish", "Identity", "IsInf",      "IsNaN", "LeakyRelu",      "Log",
      "Neg",       "Not",      "Reciprocal", "Relu",  "Round",          "Selu",
      "Shrink",    "Sigmoid",  "Sign",       "Sin",   "Sinh",           "Softplus",
      "Softsign",  "Sqrt",     "Tan",        "Tanh",  "ThresholdedRelu"};
  static const std::set<std::string> binaries = {"Add", "Sub", "Mul", "Div", "Pow", "PRelu"};
  if (u.num_outputs() != 1 || u.output()->type().shape != x->type().shape) return false;
  *binary = false;
  if (unary.count(u.op())) {
    for (size_t i = 1; i < u.num_inputs(); ++i)
      if (u.input(i) == x || (u.input(i) && !ConstantOf(u.input(i)))) return false;
    *pos = 0;
    return u.input(0) == x;
  }
  if (!binaries.count(u.op()) || u.num_inputs() != 2 || u.input(0) == u.input(1)) return false;
  *binary = true;
  *pos = u.input(0) == x ? 0 : 1;
  return ConstantOf(u.input(1 - *pos)) != nullptr;
}

// t (a Transpose) then element-wise users then another Transpose: rewritten; true if so.
bool Sink(Rewriter& rw, Node* t) {
  struct Link {
    Node* node;
    size_t pos;
    bool binary;
  };
  std::vector<Link> chain;
  Value* cur = t->output();
  Node* last = nullptr;
  for (Node* u = rw.Sole(cur); u; u = rw.Sole(cur)) {
    if (u->op() == "Transpose") {
      last = u;
      break;
    }
    Link l{u, 0, false};
    if (!Sinkable(*u, cur, &l.pos, &l.binary)) break;
    chain.push_back(l);
    cur = u->output();
  }
  if (!last || chain.empty()) return false;
  const std::vector<int64_t>& perm = t->GetInts("perm");
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int64_t>(i);
  Value* v = t->input(0);
  for (const Link& l : chain) {
    std::vector<Value*> in = l.node->inputs();
    in[l.pos] = v;
    if (l.binary) {
      Value* c = in[1 - l.pos];
      Shape s = c->type().shape;
      s.insert(s.begin(), perm.size() - s.size(), 1);
      if (c->type().Rank() != static_cast<int>(perm.size()))
        c = rw.AddFolded("Reshape", c->name() + "_r", {c}, ReshapeAttrs(s));
      in[1 - l.pos] = rw.AddFolded("Transpose", c->name() + "_t", {c}, {{"perm", inverse}});
    }
    v = rw.Add(l.node->op(), l.node->name(), in, l.node->attrs())->output();
  }
  std::vector<int64_t> q = Compose(perm, last->GetInts("perm"));
  if (!IsIdentity(q)) v = rw.Add("Transpose", last->name(), {v}, {{"perm", q}})->output();
  rw.Replace(last->output(), v, true);  // v is new: no graph input or output
  return true;
}

bool RewriteOne(Rewriter& rw, Node* n) {
  Value* x = n->input(0);
  Value* y = n->output();
  if (n->op() == "Transpose") {
    const std::vector<int64_t>& perm = n->GetInts("perm");
    if (IsIdentity(perm)) {
      if (!rw.CanReplace(y, x)) return false;
      rw.Replace(y, x);
      return true;
    }
    if (ProducerOp(x) == "Transpose") {
      Node* inner = x->producer();
      std::vector<int64_t> q = Compose(inner->GetInts("perm"), perm);
      Value* z = inner->input(0);
      if (!IsIdentity(q)) {
        z = rw.Add("Transpose", n->name(), {z}, {{"perm", q}})->output();
      } else if (!rw.CanReplace(y, z)) {
        return false;
      }
      rw.Replace(y, z, !IsIdentity(q));
      return true;
    }
    return Sink(rw, n);
  }
  if (!IsReshape(n->op())) return false;
  if (x->type() == y->type()) {
    if (!rw.CanReplace(y, x)) return false;
    rw.Replace(y, x);
    return true;
  }
  if (!IsReshape(ProducerOp(x))) return false;
  Value* z = x->producer()->input(0);
  if (z->type() == y->type()) {
    if (!rw.CanReplace(y, z)) return false;
    rw.Replace(y, z);
    return true;
  }
  Node* r = rw.Add("Reshape", n->name(), {z}, ReshapeAttrs(y->type().shape));
  rw.Replace(y, r->output(), true);
  return true;
}

}  // namespace

bool CancelTransposes(Graph& g) {
  Rewriter rw(g);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node* n = g.nodes()[i].get();
    if (rw.Live(n) && n->num_inputs() != 0) RewriteOne(rw, n);
  }
  return rw.Finish();
}

}  // namespace halo
