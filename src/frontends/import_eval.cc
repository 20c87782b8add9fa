#include "frontends/import_eval.h"

#include <utility>
#include <vector>

#include "ir/error.h"
#include "passes/passes.h"

namespace halo {

const ImportEval::Known& ImportEval::Evaluate(Value* v) {
  auto found = known_.find(v);
  if (found != known_.end()) return found->second;

  // The nodes v depends on, down to constants, inputs and values evaluated before, are
  // copied into a scratch graph, where InferShapes infers their types and folds those whose
  // inputs are constant. Every copied value is an output there, so that none is dropped
  // and all of them are remembered.
  Graph scratch("evaluate");
  std::unordered_map<const Value*, Value*> copy;
  std::vector<const Value*> computed;  // copied results, in scratch's outputs order
  auto leaf = [&](const Value* orig, const Type& type, const Tensor* value) {
    std::string name = scratch.UniqueName(orig->producer()->name());
    copy[orig] = value ? scratch.AddConstant(name, *value) : scratch.AddInput(name, type);
  };
  std::vector<std::pair<Node*, bool>> stack;  // (node, inputs pushed already)
  auto push = [&](Value* x) {
    if (!x || copy.count(x)) return;
    auto k = known_.find(x);
    if (k != known_.end()) {
      leaf(x, k->second.type, k->second.value ? &*k->second.value : nullptr);
      return;
    }
    Node* p = x->producer();
    if (p->op() == "Constant" || p->op() == "Input") {
      const Tensor* t = ConstantOf(x);
      known_[x] = {x->type(), t ? std::optional<Tensor>(*t) : std::nullopt, {}};
      leaf(x, x->type(), t);
      return;
    }
    stack.emplace_back(p, false);
  };
  push(v);
  while (!stack.empty()) {
    auto [n, ready] = stack.back();
    if (copy.count(n->output(0))) {  // reached twice before it was copied
      stack.pop_back();
      continue;
    }
    if (!ready) {
      stack.back().second = true;
      for (Value* in : n->inputs()) push(in);
      continue;
    }
    stack.pop_back();
    std::vector<Value*> ins;
    for (Value* in : n->inputs()) ins.push_back(in ? copy.at(in) : nullptr);
    Node* c = scratch.AddNode(n->op(), n->name(), ins, static_cast<int>(n->num_outputs()));
    for (const auto& [k, a] : n->attrs()) c->set_attr(k, a);
    for (size_t i = 0; i < n->num_outputs(); ++i) {
      c->output(i)->set_name(n->output(i)->name());
      copy[n->output(i)] = c->output(i);
      computed.push_back(n->output(i));
      scratch.AddOutput(c->output(i));
    }
  }
  if (!computed.empty()) {
    try {
      InferShapes(scratch);
    } catch (const Error& e) {
      if (!record_errors_) throw;
      for (const Value* c : computed) known_[c] = {{}, std::nullopt, e.what()};
      return known_.at(v);
    }
  }
  for (size_t i = 0; i < computed.size(); ++i) {
    const Value* r = scratch.outputs()[i];
    const Tensor* t = ConstantOf(r);
    known_[computed[i]] = {r->type(), t ? std::optional<Tensor>(*t) : std::nullopt, {}};
  }
  return known_.at(v);
}

void ImportEval::EraseIf(const std::function<bool(const Value*)>& gone) {
  for (auto it = known_.begin(); it != known_.end();)
    it = gone(it->first) ? known_.erase(it) : std::next(it);
}

}  // namespace halo
