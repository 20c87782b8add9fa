// What fuse-conv and fuse-gemm absorb after a product: the chain of single-use nodes that
// adds per-channel constants (a bias), adds one value of the same type (a residual Sum) and
// ends in an activation that the fused ops know.
#pragma once

#include <string>
#include <vector>

#include "passes/rewrite.h"

namespace halo {

struct FusedTail {
  std::vector<double> bias;  // per channel, to add to the product's bias (empty: none)
  Value* sum = nullptr;
  std::string act;  // "" or the fused ops' activation name
  double alpha = 0, beta = 0;
  Value* last = nullptr;  // the value the fused node replaces (null: nothing to fuse)
};

// Follows the uses of `out` (a float product whose channels are along `axis`). Bias Adds
// (and Subs of a constant) count only with `bias_ok`.
FusedTail MatchTail(const Rewriter& uses, Value* out, int axis, bool bias_ok);

// Sets the attributes of the fused ops' activation in `attrs`.
void SetActivation(const FusedTail& t, std::map<std::string, AttrValue>* attrs);

}  // namespace halo
