// Element-wise ops on float16 / bfloat16 computed in float32: the inputs are widened into
// float buffers, a float kernel runs on them and its float results are rounded back. For one
// +, -, *, /, comparison, min/max or fmod this gives the correctly rounded 16-bit result
// (float holds more than twice the bits of either 16-bit type).
#pragma once

#include <odla/odla.h>

#include <cstdint>
#include <vector>

#include "../common/runtime.h"

namespace odla_rt {

inline bool Is16BitFloat(odla_element_type t) { return t == ODLA_FLOAT16 || t == ODLA_BFLOAT16; }

// `float_kernel` reads float inputs and writes its outputs; inputs and outputs of type `t`
// (given by their element types and counts) are converted around it, others pass through.
Kernel ThroughFloat(odla_element_type t, Kernel float_kernel, std::vector<odla_value_type> inputs,
                    std::vector<odla_value_type> outputs);

}  // namespace odla_rt
