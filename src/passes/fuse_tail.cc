#include "passes/fuse_tail.h"

#include <cmath>

namespace halo {
namespace {

// The activation of a node on `x`, as the fused ops name it.
bool ActivationOf(const Node& n, FusedTail* t) {
  const std::string& op = n.op();
  t->alpha = t->beta = 0;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh") {
  } else if (op == "LeakyRelu" || op == "Elu") {
    t->alpha = n.GetFloat("alpha");
  } else if (op == "HardSigmoid") {
    t->alpha = n.GetFloat("alpha");
    t->beta = n.GetFloat("beta");
  } else if (op == "HardSwish") {
    t->alpha = 1.0 / 6;
    t->beta = 0.5;
  } else if (op == "Clip") {
    t->alpha = n.GetFloat("min");
    t->beta = n.GetFloat("max");
  } else {
    return false;
  }
  t->act = op;
  return true;
}

// x * HardSigmoid(x), x's only uses: HardSwish with HardSigmoid's parameters.
bool MatchHardSwish(const Rewriter& uses, Value* x, FusedTail* t) {
  const std::vector<Node*>& users = uses.Users(x);
  if (users.size() != 2 || uses.IsOutput(x)) return false;
  for (int k = 0; k < 2; ++k) {
    Node *h = users[k], *m = users[1 - k];
    if (h->op() != "HardSigmoid" || m->op() != "Mul" || uses.Sole(h->output()) != m) continue;
    if (!((m->input(0) == x && m->input(1) == h->output()) ||
          (m->input(1) == x && m->input(0) == h->output())))
      continue;
    t->act = "HardSwish";
    t->alpha = h->GetFloat("alpha");
    t->beta = h->GetFloat("beta");
    t->last = m->output();
    return true;
  }
  return false;
}

// Whether v is a scalar constant (any rank, one element) equal to `want` in the type of `out`.
bool IsScalar(const Value* v, const Type& out, double want) {
  const Tensor* t = ConstantOf(v);
  if (!t || v->type().NumElements() != 1 || v->type().dtype != out.dtype) return false;
  double got = Doubles(*t)[0];
  if (out.dtype == DataType::kFloat32) return static_cast<float>(got) == static_cast<float>(want);
  return got == want;
}

// The node among n's two inputs that is `v`: the index of the other input, or -1.
int Other(const Node* n, const Value* v) {
  if (n->num_inputs() != 2 || n->input(0) == n->input(1)) return -1;
  return n->input(0) == v ? 1 : n->input(1) == v ? 0 : -1;
}

// x * (erf(x / sqrt(2)) + 1) * 0.5 (PyTorch's export of the exact GELU), x's only uses: Gelu.
bool MatchGelu(const Rewriter& uses, Value* x, FusedTail* t) {
  const std::vector<Node*>& users = uses.Users(x);
  if (users.size() != 2 || uses.IsOutput(x)) return false;
  const Type& type = x->type();
  for (int k = 0; k < 2; ++k) {
    Node *div = users[k], *mul = users[1 - k];
    if (div->op() != "Div" || div->input(0) != x || !IsScalar(div->input(1), type, std::sqrt(2.0)))
      continue;
    Node* erf = uses.Sole(div->output());
    if (!erf || erf->op() != "Erf") continue;
    Node* add = uses.Sole(erf->output());
    if (!add || add->op() != "Add" || add->output()->type() != type) continue;
    int one = Other(add, erf->output());
    if (one < 0 || !IsScalar(add->input(one), type, 1.0)) continue;
    if (mul->op() != "Mul" || uses.Sole(add->output()) != mul || Other(mul, x) < 0 ||
        mul->input(Other(mul, x)) != add->output())
      continue;
    Node* half = uses.Sole(mul->output());
    if (!half || half->op() != "Mul" || half->output()->type() != type) continue;
    int h = Other(half, mul->output());
    if (h < 0 || !IsScalar(half->input(h), type, 0.5)) continue;
    t->act = "Gelu";
    t->alpha = t->beta = 0;
    t->last = half->output();
    return true;
  }
  return false;
}

}  // namespace

FusedTail MatchTail(const Rewriter& uses, Value* out, int axis, bool bias_ok) {
  FusedTail t;
  const Type& type = out->type();
  Value* cur = out;
  while (true) {
    if (MatchHardSwish(uses, cur, &t) || MatchGelu(uses, cur, &t)) return t;
    Node* u = uses.Sole(cur);
    if (!u || u->output()->type() != type) break;
    if (u->op() == "Add" || u->op() == "Sub") {
      if (u->input(0) == u->input(1) || (u->op() == "Sub" && u->input(1) == cur)) break;
      Value* other = u->input(0) == cur ? u->input(1) : u->input(0);
      std::vector<double> v;
      if (bias_ok && ChannelValues(other, type, axis, &v)) {
        if (t.bias.empty()) t.bias.assign(v.size(), 0.0);
        for (size_t c = 0; c < v.size(); ++c) t.bias[c] += u->op() == "Sub" ? -v[c] : v[c];
      } else if (u->op() == "Add" && !t.sum && other->type() == type && !ConstantOf(other)) {
        t.sum = other;
      } else {
        break;
      }
      cur = u->output();
      continue;
    }
    if (ActivationOf(*u, &t)) {
      t.last = u->output();
      return t;
    }
    break;
  }
  t.last = cur == out ? nullptr : cur;
  return t;
}

void SetActivation(const FusedTail& t, std::map<std::string, AttrValue>* attrs) {
  (*attrs)["activation"] = t.act;
  (*attrs)["activation_alpha"] = t.alpha;
  (*attrs)["activation_beta"] = t.beta;
}

}  // namespace halo
