#include "passes/fuse_tail.h"

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

}  // namespace

FusedTail MatchTail(const Rewriter& uses, Value* out, int axis, bool bias_ok) {
  FusedTail t;
  const Type& type = out->type();
  Value* cur = out;
  while (true) {
    if (MatchHardSwish(uses, cur, &t)) return t;
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
