#include "ir/error.h"
#include "passes/fold.h"
#include "passes/passes.h"

namespace halo {

bool FoldConstants(Graph& g) {
  bool changed = false;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node* n = g.nodes()[i].get();
    if (!CanFold(*n)) continue;
    try {
      FoldNode(g, n);
    } catch (const Error& e) {
      throw Err(NodeLabel(*n), e.what());
    }
    changed = true;
  }
  if (changed) {
    EliminateDeadCode(g);
    g.TopoSort();
  }
  return changed;
}

}  // namespace halo
