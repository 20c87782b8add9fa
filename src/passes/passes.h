// Graph passes and the pipeline that lists them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/progress.h"

namespace halo {

// Verifies every node and infers result types in topological order. A node whose inputs
// are all constant (or whose result depends only on input types, like Shape) is folded
// on the spot, so shape arguments computed in the graph become constants. Reports the
// nodes visited to `progress`.
void InferShapes(Graph& g, const ProgressFn& progress = {});

// Replaces nodes whose inputs are all constant by constants. Returns true on a change.
bool FoldConstants(Graph& g);

// Removes nodes that no graph output depends on. Returns true on a change.
bool EliminateDeadCode(Graph& g);
// Removes those of the first `prefix` nodes that neither a graph output nor a later node
// depends on; the later nodes keep their order. Returns how many it removed.
size_t EliminateDeadPrefix(Graph& g, size_t prefix);

struct Pass {
  std::string name;
  std::function<void(Graph&, const ProgressFn&)> run;
};

// The compiler's pipeline, in order.
const std::vector<Pass>& Pipeline();
void RunPipeline(Graph& g, const ProgressFn& progress = {});

// "node 'NAME' (OP): " for error messages.
std::string NodeLabel(const Node& n);

}  // namespace halo
