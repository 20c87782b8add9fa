// Helpers for writing ODLA operator builders.
#pragma once

#include "runtime.h"

// Shared builders are weak so that a runtime can override any of them with its own.
#define ODLA_WEAK __attribute__((weak))

namespace odla_rt {

// Adds a single-result op; checks that the result type the compiler computed is sane.
inline odla_value AddOp1(const std::string& op, const std::vector<odla_value>& inputs,
                         const odla_value_type& result_type, odla_value_id id, Kernel kernel) {
  return AddOp(op, inputs, {result_type}, id, std::move(kernel))[0];
}

}  // namespace odla_rt
