#include <unordered_set>

#include "passes/passes.h"

namespace halo {

bool EliminateDeadCode(Graph& g) {
  std::unordered_set<const Node*> live;
  std::vector<const Node*> work;
  for (const Value* v : g.outputs()) work.push_back(v->producer());
  for (const Value* v : g.inputs()) work.push_back(v->producer());  // inputs always stay
  while (!work.empty()) {
    const Node* n = work.back();
    work.pop_back();
    if (!live.insert(n).second) continue;
    for (const Value* v : n->inputs())
      if (v) work.push_back(v->producer());
  }
  size_t before = g.nodes().size();
  g.RemoveNodesIf([&](Node* n) { return !live.count(n); });
  return g.nodes().size() != before;
}

}  // namespace halo
