// merge-transposes: a Transpose moves, with the Reshapes next to it, across ops that work on
// the rows of the last axis (MatMul, FusedMatMul, Gemm and FusedGemm by a constant matrix,
// with a bias along that axis and no Sum; a binary op with a constant that varies along
// that axis only), unary element-wise ops and (downward) Slices of whole dimensions, until
// it meets another Transpose and merges with it: the Reshapes and Transposes between are
// one Layout, emitted as at most one Transpose between Reshapes. Downward it moves into
// every branch of its users; upward along a chain of only users. It rewrites only where
// fewer Transposes are left, moving no more elements. In attention as PyTorch exports it
// (batch_first), the layer's Transpose to [seq, batch, 768] moves down through the QKV
// projection and the Slices into the per-head Transposes of q, k and v; the per-head
// Transpose back and the one to [batch, seq, 768] after the output projection become one
// before it.
#include <limits>
#include <set>

#include "passes/layout.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace halo {
namespace {

// How an op that a Transpose moves across works on its data input: on the rows of the last
// axis (their length may change: K -> N), element by element, or a Slice.
enum class Kind { kNone, kRows, kElementwise, kSlice };

bool IsGemm(const std::string& op) { return op == "Gemm" || op == "FusedGemm"; }

// The data input of u: the operand of a binary op that is not a constant, else input 0.
size_t DataInput(const Node& u) {
  return IsBinary(u.op()) && u.num_inputs() == 2 && ConstantOf(u.input(0)) ? 1 : 0;
}

// How u works on its input `pos` (its data input; the others constants, used once).
Kind KindOf(const Node& u, size_t pos) {
  if (u.num_outputs() != 1 || pos >= u.num_inputs() || !u.input(pos)) return Kind::kNone;
  const Value* v = u.input(pos);
  for (size_t i = 0; i < u.num_inputs(); ++i)
    if (i != pos && u.input(i) == v) return Kind::kNone;
  const std::string& op = u.op();
  if (op == "MatMul" || op == "FusedMatMul") {
    bool ok = pos == 0 && ConstantOf(u.input(1)) && u.input(1)->type().Rank() == 2 &&
              v->type().Rank() >= 2 && Absent(u, 3);
    return ok ? Kind::kRows : Kind::kNone;
  }
  if (IsGemm(op)) {
    const Value* c = Absent(u, 2) ? nullptr : u.input(2);
    bool bias = !c || c->type().Rank() < 2 || c->type().shape[0] == 1;  // one per column
    bool ok = pos == 0 && u.GetInt("transA") == 0 && ConstantOf(u.input(1)) && bias && Absent(u, 3);
    return ok ? Kind::kRows : Kind::kNone;
  }
  if (IsUnary(op)) {
    for (size_t i = 1; i < u.num_inputs(); ++i)
      if (u.input(i) && !ConstantOf(u.input(i))) return Kind::kNone;
    return pos == 0 ? Kind::kElementwise : Kind::kNone;
  }
  if (IsBinary(op) && u.num_inputs() == 2 && (pos == 0 || op != "PRelu")) {
    const Value* c = u.input(1 - pos);
    const Shape& cs = c->type().shape;
    if (!ConstantOf(c) || u.output()->type().shape != v->type().shape) return Kind::kNone;
    for (size_t d = 0; d + 1 < cs.size(); ++d)
      if (cs[d] != 1) return Kind::kNone;
    return cs.empty() || cs.back() == 1 ? Kind::kElementwise : Kind::kRows;
  }
  return op == "Slice" && pos == 0 ? Kind::kSlice : Kind::kNone;
}

// One dimension a Slice cuts: source axis `axis` from `start` by `step`, `length` elements.
struct Cut {
  int axis;
  int64_t start, step, length;
};

// The layout of a Slice's input composed with the Slice as a Slice of the source: false when
// it cuts a dimension that is not a whole source dimension (or leaves one of size 1).
bool SliceMoves(const Node& u, Layout* l, std::vector<Cut>* cuts) {
  const std::vector<int64_t>& starts = u.GetInts("starts");
  const std::vector<int64_t>& steps = u.GetInts("steps");
  const Shape& in = u.input(0)->type().shape;
  const Shape& out = u.output()->type().shape;
  if (starts.size() != in.size() || steps.size() != in.size() || out.size() != in.size())
    return false;
  Layout before = *l;
  for (size_t j = 0; j < in.size(); ++j) {
    if (starts[j] == 0 && steps[j] == 1 && out[j] == in[j]) continue;
    int axis = 0;
    if (out[j] <= 1 || !before.WholeAxis(static_cast<int>(j), &axis)) return false;
    l->SetAxis(static_cast<int>(j), out[j]);
    cuts->push_back({axis, starts[j], steps[j], out[j]});
  }
  return true;
}

Value* Reshaped(Rewriter& rw, Value* v, const Shape& shape, const std::string& name) {
  if (v->type().shape == shape) return v;
  return rw.Add("Reshape", name + "_reshape", {v}, ReshapeAttrs(shape))->output();
}

// u (of `kind`, data input `pos`) again on `in`, which holds the elements of a value of
// shape `logical` (as that shape or as rows [M, K]). Returns its result, likewise.
Value* Rebuild(Rewriter& rw, Node* u, Kind kind, size_t pos, const std::vector<Cut>& cuts,
               Value* in, const Shape& logical) {
  std::vector<Value*> ins = u->inputs();
  if (kind == Kind::kSlice) {
    size_t rank = logical.size();
    std::vector<int64_t> starts(rank, 0), ends(rank, std::numeric_limits<int64_t>::max()),
        steps(rank, 1);
    for (const Cut& c : cuts) {
      starts[c.axis] = c.start;
      steps[c.axis] = c.step;
      ends[c.axis] = c.start + c.length * c.step;  // past the last one taken
      if (c.step < 0 && ends[c.axis] < 0) ends[c.axis] = std::numeric_limits<int64_t>::min();
    }
    Value* data = Reshaped(rw, in, logical, u->name());
    return rw
        .Add("Slice", u->name(), {data}, {{"starts", starts}, {"ends", ends}, {"steps", steps}})
        ->output();
  }
  if (IsGemm(u->op())) {
    in = Reshaped(rw, in, {NumElements(logical) / logical.back(), logical.back()}, u->name());
  } else if (IsBinary(u->op())) {  // the constant as a row, so that it broadcasts to any rank
    Value* c = ins[1 - pos];
    if (c->type().Rank() > 1)
      ins[1 - pos] =
          rw.AddFolded("Reshape", c->name() + "_row", {c}, ReshapeAttrs({c->type().shape.back()}));
  }
  ins[pos] = in;
  return rw.Add(u->op(), u->name(), ins, u->attrs())->output();
}

// The Transposes a graph holds and the elements they move: a rewrite must leave fewer
// Transposes, moving no more elements (a Transpose moved after a product that widens the
// rows would move more).
struct Cost {
  int transposes = 0;
  int64_t elements = 0;
  void Add(const Shape& moved) {
    ++transposes;
    elements += NumElements(moved);
  }
  bool Below(const Cost& c) const { return transposes < c.transposes && elements <= c.elements; }
};

// A value of the region a Transpose moves down through: old = layout(the value that the
// rewritten graph computes in its place).
struct Item {
  Value* old;
  Layout layout;
  int parent;  // the item whose value `op` uses; -1 for the Transpose
  Node* op;    // the op that made `old`
  Kind kind;   // kNone: a Transpose or reshape, composed into the layout
  size_t pos;
  std::vector<Cut> cuts;
  bool moved;  // an op on the path from the Transpose moves
  bool emit;   // users that stay (or a graph output) need the layout computed here
};

// t moves down through its users into every branch, each branch ending where the Transpose
// cannot move on (there the layout is emitted); true if that leaves fewer Transposes.
bool Sink(Rewriter& rw, Node* t) {
  constexpr size_t kMaxItems = 256;
  Value* x = t->input(0);
  Layout l0(x->type().shape);
  if (!l0.Transpose(t->GetInts("perm"))) return false;
  std::vector<Item> items = {{t->output(), l0, -1, t, Kind::kNone, 0, {}, false, false}};
  Cost before, after;
  before.Add(t->output()->type().shape);
  for (size_t i = 0; i < items.size(); ++i) {
    if (items.size() > kMaxItems) return false;
    Value* v = items[i].old;
    bool emit = rw.IsOutput(v);
    std::set<Node*> seen;
    for (Node* u : rw.Users(v)) {
      if (!seen.insert(u).second) continue;
      Item next = items[i];
      next.old = u->output();
      next.parent = static_cast<int>(i);
      next.op = u;
      next.kind = Kind::kNone;
      next.cuts.clear();
      next.emit = false;
      bool data_movement = u->op() == "Transpose" || IsReshape(u->op());
      bool ok = u->num_outputs() == 1 && u->input(0) == v;
      for (size_t k = 1; ok && k < u->num_inputs(); ++k) ok = u->input(k) != v;
      if (ok && u->op() == "Transpose") {
        ok = next.layout.Transpose(u->GetInts("perm"));
      } else if (ok && data_movement) {
        ok = next.layout.Reshape(u->output()->type().shape);
      } else if (!data_movement) {
        next.pos = DataInput(*u);
        next.kind = u->input(next.pos) == v ? KindOf(*u, next.pos) : Kind::kNone;
        next.moved = true;
        ok = next.kind == Kind::kElementwise;
        if (next.kind == Kind::kRows && next.layout.KeepsLastAxis() &&
            u->output()->type().shape.back() > 1) {
          next.layout.SetLastAxis(u->output()->type().shape.back());
          ok = true;
        }
        if (next.kind == Kind::kSlice) ok = SliceMoves(*u, &next.layout, &next.cuts);
      }
      if (!ok) {
        emit = true;
        continue;
      }
      if (u->op() == "Transpose") before.Add(u->output()->type().shape);
      items.push_back(next);
    }
    if (!emit) continue;
    const Layout& l = items[i].layout;
    items[i].emit = true;
    if (l.Transposes()) after.Add(l.out());
    // A graph output that would become x itself keeps its name only if x is no graph value.
    if (rw.IsOutput(v) && !items[i].moved && l.Transposes() == 0 && l.src() == l.out() &&
        !rw.CanReplace(v, x))
      return false;
  }
  if (!after.Below(before)) return false;
  std::vector<Value*> now(items.size());
  now[0] = x;
  for (size_t i = 1; i < items.size(); ++i) {
    const Item& it = items[i];
    now[i] = it.kind == Kind::kNone ? now[it.parent]
                                    : Rebuild(rw, it.op, it.kind, it.pos, it.cuts, now[it.parent],
                                              items[it.parent].layout.src());
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].emit) continue;
    Value* m = items[i].layout.Emit(rw, now[i], items[i].old->name());
    rw.Replace(items[i].old, m, m != x);
  }
  return true;
}

// t and the chain of data-movement ops and ops it can move across above it (each result
// used only by the next) up to the highest Transpose: the layouts become one, before the
// other ops; true if that leaves fewer Transposes.
bool Hoist(Rewriter& rw, Node* t) {
  std::vector<Node*> chain = {t};  // bottom up
  int highest = 0;
  for (Value* v = t->input(0);; v = chain.back()->input(DataInput(*chain.back()))) {
    Node* p = v->producer();
    if (!p || rw.Sole(v) != chain.back() || p->num_outputs() != 1) break;
    if (p->op() == "Transpose" || IsReshape(p->op())) {
      if (p->op() == "Transpose") highest = static_cast<int>(chain.size());
      chain.push_back(p);
      continue;
    }
    Kind kind = KindOf(*p, DataInput(*p));
    if (kind == Kind::kRows) {  // the ops below it must leave the rows alone
      Layout l(p->output()->type().shape);
      for (auto it = chain.rbegin(); it != chain.rend() && l.valid(); ++it) {
        Node* n = *it;
        if (n->op() == "Transpose")
          l.Transpose(n->GetInts("perm"));
        else if (IsReshape(n->op()))
          l.Reshape(n->output()->type().shape);
        else if (KindOf(*n, DataInput(*n)) == Kind::kRows)
          break;
      }
      if (!l.KeepsLastAxis()) break;
    } else if (kind != Kind::kElementwise) {
      break;
    }
    chain.push_back(p);
  }
  chain.resize(highest + 1);
  Cost before, after;
  for (Node* n : chain)
    if (n->op() == "Transpose") before.Add(n->output()->type().shape);
  if (before.transposes < 2) return false;
  // The layouts as one from the top, the ops moved across after it; below the first op on
  // rows, the reshapes keep its row length K.
  Value* top = chain.back()->input(0);
  Layout l(top->type().shape);
  std::vector<Node*> moved;
  int64_t k = 0, n = 0;
  for (auto it = chain.rbegin(); it != chain.rend() && l.valid(); ++it) {
    Node* p = *it;
    if (p->op() == "Transpose") {
      l.Transpose(p->GetInts("perm"));
    } else if (IsReshape(p->op())) {
      Shape s = p->output()->type().shape;
      if (k && !s.empty()) s.back() = k;
      l.Reshape(s);
    } else {
      if (KindOf(*p, DataInput(*p)) == Kind::kRows) {
        if (!k) k = l.out().empty() ? 0 : l.out().back();
        n = p->output()->type().shape.back();
      }
      moved.push_back(p);
    }
  }
  if (!l.valid()) return false;
  if (l.Transposes()) after.Add(l.out());
  if (!after.Below(before)) return false;
  Shape logical = l.out(), want = t->output()->type().shape;
  if (n && !logical.empty()) logical.back() = n;
  if (logical != want) return false;
  // Nothing to emit or rebuild: t's result becomes top, which must not be a graph value then.
  if (moved.empty() && l.Transposes() == 0 && top->type().shape == want &&
      !rw.CanReplace(t->output(), top))
    return false;
  logical = l.out();
  Shape rows;
  bool as_rows = !moved.empty() && IsGemm(moved[0]->op()) && !logical.empty();
  if (as_rows) rows = {NumElements(logical) / logical.back(), logical.back()};
  Value* v = l.Emit(rw, top, t->name(), as_rows ? &rows : nullptr);
  for (Node* p : moved) {
    size_t pos = DataInput(*p);
    Kind kind = KindOf(*p, pos);
    v = Rebuild(rw, p, kind, pos, {}, v, logical);
    if (kind == Kind::kRows) logical.back() = p->output()->type().shape.back();
  }
  v = Reshaped(rw, v, want, t->name());
  rw.Replace(t->output(), v, v != top);
  return true;
}

}  // namespace

bool MergeTransposes(Graph& g) {
  return RewriteEach(g, [](Rewriter& rw, Node* n) {
    if (n->op() == "Transpose" && !Sink(rw, n)) Hoist(rw, n);
  });
}

}  // namespace halo
