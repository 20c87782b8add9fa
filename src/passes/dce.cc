#include <unordered_set>

#include "passes/passes.h"

namespace halo {

namespace {

// Removes the nodes that are not among `roots` and that no root depends on. Returns how
// many it removed.
size_t RemoveUnneeded(Graph& g, std::vector<const Node*> work) {
  std::unordered_set<const Node*> live;
  while (!work.empty()) {
    const Node* n = work.back();
    work.pop_back();
    if (!live.insert(n).second) continue;
    for (const Value* v : n->inputs())
      if (v) work.push_back(v->producer());
  }
  size_t before = g.nodes().size();
  g.RemoveNodesIf([&](Node* n) { return !live.count(n); });
  return before - g.nodes().size();
}

}  // namespace

bool EliminateDeadCode(Graph& g) {
  std::vector<const Node*> roots;
  for (const Value* v : g.outputs()) roots.push_back(v->producer());
  for (const Value* v : g.inputs()) roots.push_back(v->producer());  // inputs always stay
  return RemoveUnneeded(g, roots) != 0;
}

size_t EliminateDeadPrefix(Graph& g, size_t prefix) {
  std::vector<const Node*> roots;
  for (const Value* v : g.outputs()) roots.push_back(v->producer());
  for (const Value* v : g.inputs()) roots.push_back(v->producer());
  for (size_t i = prefix; i < g.nodes().size(); ++i) roots.push_back(g.nodes()[i].get());
  return RemoveUnneeded(g, roots);
}

}  // namespace halo
