// A readable text form of the IR, for --print-ir and tests:
//   graph NAME {
//     input %x:f32[1x3x28x28]
//     const %w:f32[8x3x3x3]  # w
//     const %s:i64[2] = [1, 2]  # s
//     %y:f32[1x8x28x28] = Conv(%x, %w, _) {group=1, pads=[1, 1, 1, 1]}  # conv1
//     output %y
//   }
// Absent optional inputs print as `_`; constants of at most 8 elements show their values.
#pragma once

#include <string>

#include "ir/graph.h"

namespace halo {

std::string PrintGraph(const Graph& g);

}  // namespace halo
