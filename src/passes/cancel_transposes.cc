// cancel-transposes: data-movement ops that undo or repeat each other. Transpose of
// Transpose is one Transpose (none for the identity); a chain of reshapes (Reshape, Flatten,
// Squeeze, Unsqueeze) is one Reshape; either is dropped when it changes nothing. A Transpose
// followed by element-wise ops (unary, or binary with a constant operand) and another
// Transpose moves after them, the constants transposed back, and merges with the second;
// a binary op's other operand may also be a Transpose by the same permutation. A Transpose
// that moves only dimensions of size 1 is a Reshape (no data moves).
#include <set>
#include <unordered_map>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace halo {
namespace {

bool IsIdentity(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// Whether a Transpose of `shape` by `perm` keeps the order of the dimensions above 1: it
// moves no element then, and is a Reshape ([1, 128, 768] -> [128, 1, 768]).
bool MovesOnlyUnitDims(const Shape& shape, const std::vector<int64_t>& perm) {
  int64_t last = -1;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(shape.size()) || shape[p] < 0) return false;
    if (shape[p] == 1) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

// The Transpose by `inner` then by `outer` as one permutation.
std::vector<int64_t> Compose(const std::vector<int64_t>& inner, const std::vector<int64_t>& outer) {
  std::vector<int64_t> q(outer.size());
  for (size_t i = 0; i < outer.size(); ++i) q[i] = inner[outer[i]];
  return q;
}

// Whether the other operand of a binary op that a Transpose by `perm` sinks through is the
// same Transpose of another value (a residual Add of two NHWC branches): that value then
// takes its place.
bool SameTranspose(const Value* v, const std::vector<int64_t>& perm) {
  return ProducerOp(v) == "Transpose" && v->producer()->GetInts("perm") == perm;
}

// Whether u, a user of `x` (a Transpose by `perm`), computes element by element on x (and
// constants), so that the Transpose can move after it. Sets *pos to x's input position and
// *binary when the other input is a constant operand or a Transpose by the same perm
// (unary ops' extra inputs are scalar parameters).
bool Sinkable(const Node& u, const Value* x, const std::vector<int64_t>& perm, size_t* pos,
              bool* binary) {
  if (u.num_outputs() != 1 || u.output()->type().shape != x->type().shape) return false;
  *binary = false;
  if (IsUnary(u.op())) {
    for (size_t i = 1; i < u.num_inputs(); ++i)
      if (u.input(i) == x || (u.input(i) && !ConstantOf(u.input(i)))) return false;
    *pos = 0;
    return u.input(0) == x;
  }
  if (!IsBinary(u.op()) || u.num_inputs() != 2 || u.input(0) == u.input(1)) return false;
  *binary = true;
  *pos = u.input(0) == x ? 0 : 1;
  return ConstantOf(u.input(1 - *pos)) != nullptr || SameTranspose(u.input(1 - *pos), perm);
}

// A constant operand c of an op moved before a Transpose by perm: c broadcast to the rank
// and transposed back (folded).
Value* TransposedBack(Rewriter& rw, Value* c, const std::vector<int64_t>& perm) {
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int64_t>(i);
  Shape s = c->type().shape;
  s.insert(s.begin(), perm.size() - s.size(), 1);
  if (c->type().Rank() != static_cast<int>(perm.size()))
    c = rw.AddFolded("Reshape", c->name() + "_r", {c}, ReshapeAttrs(s));
  return rw.AddFolded("Transpose", c->name() + "_t", {c}, {{"perm", inverse}});
}

// t (a Transpose) then element-wise users then another Transpose: rewritten; true if so.
bool Sink(Rewriter& rw, Node* t) {
  struct Link {
    Node* node;
    size_t pos;
    bool binary;
  };
  std::vector<Link> chain;
  const std::vector<int64_t>& perm = t->GetInts("perm");
  Value* cur = t->output();
  Node* last = nullptr;
  for (Node* u = rw.Sole(cur); u; u = rw.Sole(cur)) {
    if (u->op() == "Transpose") {
      last = u;
      break;
    }
    Link l{u, 0, false};
    if (!Sinkable(*u, cur, perm, &l.pos, &l.binary)) break;
    chain.push_back(l);
    cur = u->output();
  }
  if (!last || chain.empty()) return false;
  Value* v = t->input(0);
  for (const Link& l : chain) {
    std::vector<Value*> in = l.node->inputs();
    in[l.pos] = v;
    if (l.binary && SameTranspose(in[1 - l.pos], perm)) {
      in[1 - l.pos] = in[1 - l.pos]->producer()->input(0);
    } else if (l.binary) {
      in[1 - l.pos] = TransposedBack(rw, in[1 - l.pos], perm);
    }
    v = rw.Add(l.node->op(), l.node->name(), in, l.node->attrs())->output();
  }
  std::vector<int64_t> q = Compose(perm, last->GetInts("perm"));
  if (!IsIdentity(q)) v = rw.Add("Transpose", last->name(), {v}, {{"perm", q}})->output();
  rw.Replace(last->output(), v, true);  // v is new: no graph input or output
  return true;
}

// The general case of Sink: t (a Transpose by perm) feeds a connected set of element-wise
// ops, Concats (of NHWC branches, say) and Pads by constants whose operands are constants, values
// of the set, or other Transposes by perm (entries, e.g. the two branches of a residual Add), and
// whose results are used by Transposes only (exits); the set grows along users and operands. The
// set then computes in the entries' input layout: the entries go, constants are transposed back and
// each exit composes with perm. True if rewritten.
bool SinkComponent(Rewriter& rw, Node* t) {
  constexpr size_t kMaxNodes = 256;
  const std::vector<int64_t> perm = t->GetInts("perm");
  std::set<Node*> entries = {t}, members, exits;
  const int rank = static_cast<int>(perm.size());
  std::vector<Value*> values = {t->output()};  // their users still to check
  std::vector<Node*> operands;                 // members whose inputs are still to check
  // Whether input i of u is a constant that moves with u (transposed back).
  auto moving_constant = [&](const Node* u, size_t i) {
    return ConstantOf(u->input(i)) && (IsBinary(u->op()) || u->op() == "Concat");
  };
  // A Pad by constant pads (and value) moves with its pads permuted, like a Concat's axis.
  auto is_pad = [](const Node* u) {
    return u->op() == "Pad" && ConstantOf(u->input(1)) && (!u->input(2) || ConstantOf(u->input(2)));
  };
  auto add_member = [&](Node* u) {
    bool concat = u->op() == "Concat" || is_pad(u);
    bool ok = (concat || IsUnary(u->op()) || (IsBinary(u->op()) && u->num_inputs() == 2)) &&
              u->num_outputs() == 1 && u->output()->type().Rank() == rank &&
              members.size() < kMaxNodes;
    // Element-wise: the result has the shape of each operand that is not a constant (which
    // broadcasts) or a unary op's scalar parameter.
    for (size_t i = 0; ok && !concat && i < u->num_inputs(); ++i)
      if (u->input(i) && !(i > 0 && IsUnary(u->op())) && !ConstantOf(u->input(i)))
        ok = u->input(i)->type().shape == u->output()->type().shape;
    if (ok && members.insert(u).second) {
      values.push_back(u->output());
      operands.push_back(u);
    }
    return ok;
  };
  while (!values.empty() || !operands.empty()) {
    if (!values.empty()) {
      Value* v = values.back();
      values.pop_back();
      if (rw.IsOutput(v)) return false;
      for (Node* u : rw.Users(v)) {
        if (members.count(u) || exits.count(u)) continue;
        if (u->op() != "Transpose") {
          if (!add_member(u)) return false;
        } else if (entries.count(v->producer())) {
          return false;  // a Transpose pair: left to the pair rule
        } else {
          exits.insert(u);
        }
      }
      continue;
    }
    Node* u = operands.back();
    operands.pop_back();
    for (size_t i = 0; i < u->num_inputs(); ++i) {
      Value* in = u->input(i);
      bool parameter = i > 0 && (IsUnary(u->op()) || u->op() == "Pad");
      if (!in || members.count(in->producer()) || entries.count(in->producer()) ||
          moving_constant(u, i) || (parameter && ConstantOf(in)))
        continue;
      if (parameter) return false;  // a scalar parameter computed at run time
      if (SameTranspose(in, perm)) {
        entries.insert(in->producer());
        values.push_back(in);
      } else if (!add_member(in->producer())) {
        return false;
      }
    }
  }
  if (members.empty() || exits.empty()) return false;
  // Rebuild the members in graph order on the entries' inputs.
  std::unordered_map<const Value*, Value*> moved;
  for (Node* e : entries) moved[e->output()] = e->input(0);
  const auto& nodes = rw.graph().nodes();
  for (size_t k = 0, end = nodes.size(); k < end; ++k) {  // Add appends to nodes
    Node* n = nodes[k].get();
    if (!members.count(n)) continue;
    std::vector<Value*> in = n->inputs();
    for (size_t i = 0; i < in.size(); ++i) {
      if (!in[i]) continue;
      auto m = moved.find(in[i]);
      if (m != moved.end())
        in[i] = m->second;
      else if (moving_constant(n, i))
        in[i] = TransposedBack(rw, in[i], perm);
    }
    std::map<std::string, AttrValue> attrs = n->attrs();
    if (n->op() == "Concat") {  // axis a of the transposed values is axis perm[a] of theirs
      int64_t a = n->GetInt("axis");
      attrs["axis"] = perm[a < 0 ? a + rank : a];
    }
    if (n->op() == "Pad") {  // likewise the begin and end pads of axis a
      const std::vector<int64_t>& p = n->GetInts("pads");
      std::vector<int64_t> q(p.size());
      for (int a = 0; a < rank; ++a) q[perm[a]] = p[a], q[rank + perm[a]] = p[rank + a];
      in[1] = rw.AddConst(n->name() + "_pads", Tensor::FromInts(q, DataType::kInt64, {2 * rank}));
      attrs["pads"] = q;
    }
    moved[n->output()] = rw.Add(n->op(), n->name(), in, attrs)->output();
  }
  for (Node* e : exits) {
    Value* v = moved.at(e->input(0));
    std::vector<int64_t> q = Compose(perm, e->GetInts("perm"));
    if (!IsIdentity(q)) v = rw.Add("Transpose", e->name(), {v}, {{"perm", q}})->output();
    rw.Replace(e->output(), v, true);  // v is new: no graph input or output
  }
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
    if (Sink(rw, n) || SinkComponent(rw, n)) return true;
    if (!MovesOnlyUnitDims(x->type().shape, perm)) return false;
    Node* r = rw.Add("Reshape", n->name(), {x}, ReshapeAttrs(y->type().shape));
    rw.Replace(y, r->output(), true);
    return true;
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
  return RewriteEach(g, [](Rewriter& rw, Node* n) {
    if (n->num_inputs() != 0) RewriteOne(rw, n);
  });
}

}  // namespace halo
