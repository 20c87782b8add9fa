// Folding one node to constants.
#pragma once

#include "ir/graph.h"

namespace halo {

// True when `n` can be replaced by constants now: a foldable op whose inputs are all
// constants, or an op whose results depend only on its input types (Shape, Size).
bool CanFold(const Node& n);
// Replaces n's results by new Constant nodes (n becomes dead). Requires CanFold(n).
void FoldNode(Graph& g, Node* n);

}  // namespace halo
