// fuse-layernorm: layer normalisation spelled out over the trailing axes, as PyTorch
// exports it:
//   m = ReduceMean(x), d = x - m, v = ReduceMean(d * d), y = d / Sqrt(v + eps) [* Scale] [+ B]
// (Pow(d, 2) is d * d after simplify) becomes LayerNormalization(x, Scale, B) with `axis` the
// first reduced axis and `epsilon` eps; a Scale of ones when none is multiplied. Scale and B
// must have the normalised dimensions' shape. One pass over x instead of eight.
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace halo {
namespace {

// The first axis of a ReduceMean over trailing axes of its input that keeps them: -1 if not.
int TrailingMeanAxis(const Node& n) {
  if (n.op() != "ReduceMean" || n.GetInt("keepdims") != 1) return -1;
  int rank = n.input(0)->type().Rank();
  std::vector<bool> reduced(rank, false);
  for (int64_t a : n.GetInts("axes")) {
    if (a < 0) a += rank;
    if (a < 0 || a >= rank || reduced[a]) return -1;
    reduced[a] = true;
  }
  int first = rank;
  while (first > 0 && reduced[first - 1]) --first;
  for (int i = 0; i < first; ++i)
    if (reduced[i]) return -1;
  return first < rank ? first : -1;
}

// The single value of a one-element constant, or false.
bool ScalarOf(const Value* v, double* x) {
  const Tensor* t = ConstantOf(v);
  if (!t || v->type().NumElements() != 1) return false;
  *x = Doubles(*t)[0];
  return true;
}

// The other input of a two-input node n, one of whose inputs is v (nullptr if none).
Value* OtherInput(const Node* n, const Value* v) {
  if (n->num_inputs() != 2 || n->input(0) == n->input(1)) return nullptr;
  if (n->input(0) == v) return n->input(1);
  return n->input(1) == v ? n->input(0) : nullptr;
}

// The sole user of v if it has op `op` and v's type (an element-wise op that does not
// broadcast v).
Node* SoleOp(const Rewriter& rw, const Value* v, const char* op, const Type& type) {
  Node* u = rw.Sole(v);
  return u && u->op() == op && u->output()->type() == type ? u : nullptr;
}

bool FuseOne(Rewriter& rw, Node* mean) {
  int axis = TrailingMeanAxis(*mean);
  Value* x = mean->input(0);
  const Type& type = x->type();
  if (axis < 0 || (type.dtype != DataType::kFloat32 && type.dtype != DataType::kFloat64))
    return false;
  Node* sub = rw.Sole(mean->output());
  if (!sub || sub->op() != "Sub" || sub->input(0) != x || sub->input(1) != mean->output() ||
      sub->output()->type() != type)
    return false;
  Value* d = sub->output();
  const std::vector<Node*>& users = rw.Users(d);
  if (users.size() != 3 || rw.IsOutput(d)) return false;
  Node *sq = nullptr, *div = nullptr;
  for (Node* u : users) {
    if (u->op() == "Mul" && u->input(0) == d && u->input(1) == d) sq = u;
    if (u->op() == "Div" && u->input(0) == d) div = u;
  }
  if (!sq || !div || div->output()->type() != type) return false;
  Node* var = rw.Sole(sq->output());
  if (!var || TrailingMeanAxis(*var) != axis || var->input(0) != sq->output()) return false;
  Node* add = SoleOp(rw, var->output(), "Add", var->output()->type());
  double eps = 0;
  if (!add || !ScalarOf(OtherInput(add, var->output()), &eps)) return false;
  Node* sqrt = SoleOp(rw, add->output(), "Sqrt", add->output()->type());
  if (!sqrt || rw.Sole(sqrt->output()) != div || div->input(1) != sqrt->output()) return false;

  // Scale and B: constants or values of the normalised dimensions' shape.
  Shape norm(type.shape.begin() + axis, type.shape.end());
  Type param(type.dtype, norm);
  Value* last = div->output();
  Value* scale = nullptr;
  Value* bias = nullptr;
  if (Node* mul = SoleOp(rw, last, "Mul", type)) {
    Value* s = OtherInput(mul, last);
    if (s && s->type() == param) scale = s, last = mul->output();
  }
  if (Node* plus = SoleOp(rw, last, "Add", type)) {
    Value* b = OtherInput(plus, last);
    if (b && b->type() == param) bias = b, last = plus->output();
  }
  if (!scale)
    scale = rw.AddConst(mean->name() + "_scale",
                        FloatTensor(type.dtype, norm, std::vector<double>(NumElements(norm), 1.0)));
  std::map<std::string, AttrValue> attrs{{"axis", int64_t{axis}}, {"epsilon", eps}};
  Node* ln = rw.Add("LayerNormalization", mean->name(), {x, scale, bias}, attrs, 1);
  rw.Replace(last, ln->output(), true);
  return true;
}

}  // namespace

bool FuseLayerNorm(Graph& g) {
  return RewriteEach(g, [](Rewriter& rw, Node* n) {
    if (n->op() == "ReduceMean") FuseOne(rw, n);
  });
}

}  // namespace halo
