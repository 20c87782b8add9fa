// Shared pieces of type/shape rules.
#pragma once

#include "ir/op_registry.h"

namespace halo {

// Numpy-style broadcast of two shapes; throws on mismatch.
Shape BroadcastShapes(const Shape& a, const Shape& b);
// Normalises a possibly negative axis for a given rank; throws when out of range.
int64_t NormalizeAxis(int64_t axis, int64_t rank);
// Rule for ops whose result has the type of input 0.
void SameAsInput0(InferContext& c);

}  // namespace halo
