#include "ir/op_registry.h"
#include "passes/fold.h"
#include "passes/passes.h"

namespace halo {

std::string NodeLabel(const Node& n) { return "node '" + n.name() + "' (" + n.op() + "): "; }

void InferShapes(Graph& g, const ProgressFn& progress) {
  g.TopoSort();
  // Folding appends constants; the loop visits them too (nothing to do for them).
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Report(progress, "passes", "nodes", i, g.nodes().size());
    Node* n = g.nodes()[i].get();
    if (n->op() == "Input" || n->op() == "Constant") {
      if (!n->output()->type().known)
        throw Err(NodeLabel(*n), "the type of '", n->output()->name(), "' is unknown");
      continue;
    }
    try {
      VerifyAndInfer(n);
      if (CanFold(*n)) FoldNode(g, n);
    } catch (const Error& e) {
      throw Err(NodeLabel(*n), e.what());
    }
  }
  EliminateDeadCode(g);
  g.TopoSort();
}

}  // namespace halo
