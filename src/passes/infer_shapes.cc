#include "ir/op_registry.h"
#include "passes/fold.h"
#include "passes/passes.h"

namespace halo {

std::string NodeLabel(const Node& n) { return "node '" + n.name() + "' (" + n.op() + "): "; }

// Bytes of folded results after which the constants that folding left unused go (else
// folding a model's weights, e.g. transposing them, would hold them twice until the end).
static constexpr size_t kDropFoldedInputsBytes = 64 << 20;

void InferShapes(Graph& g, const ProgressFn& progress) {
  g.TopoSort();
  size_t folded_bytes = 0;
  // Folding appends constants; the loop visits them too (nothing to do for them).
  for (size_t i = 0; i < g.nodes().size();) {  // i: the next node to visit
    Report(progress, "passes", "nodes", i, g.nodes().size());
    Node* n = g.nodes()[i++].get();
    if (n->op() == "Input" || n->op() == "Constant") {
      if (!n->output()->type().known)
        throw Err(NodeLabel(*n), "the type of '", n->output()->name(), "' is unknown");
      continue;
    }
    try {
      VerifyAndInfer(n);
      if (!CanFold(*n)) continue;
      for (size_t r = 0; r < n->num_outputs(); ++r) folded_bytes += n->output(r)->type().ByteSize();
      FoldNode(g, n);
    } catch (const Error& e) {
      throw Err(NodeLabel(*n), e.what());
    }
    if (folded_bytes >= kDropFoldedInputsBytes) {
      folded_bytes = 0;
      i -= EliminateDeadPrefix(g, i);  // visited nodes that nothing needs any more
    }
  }
  EliminateDeadCode(g);
  g.TopoSort();
}

}  // namespace halo
