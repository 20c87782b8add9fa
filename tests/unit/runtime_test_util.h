// Helpers for the tests of the shared runtime machinery (runtime_*_test.cc).
#pragma once

#include <gtest/gtest.h>
#include <odla/odla.h>

#include <cstdint>
#include <vector>

#include "../../runtimes/common/runtime.h"

namespace runtime_test {

inline odla_value_type F32(std::vector<int64_t> dims) {
  odla_value_type t{};
  t.element_type = ODLA_FLOAT32;
  t.shape = odla_rt::MakeShape(dims);
  return t;
}

// A computation (current once made) and one context, destroyed with it.
struct Computation {
  Computation() { EXPECT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS); }
  ~Computation() {
    if (ctx) odla_DestroyContext(ctx);
    odla_DestroyComputation(comp);
  }
  // Runs with argument 0 bound to `in`; returns the outputs (n floats each).
  std::vector<std::vector<float>> Run(const std::vector<float>& in, int outputs, int64_t n) {
    if (!ctx) {
      EXPECT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
    }
    std::vector<std::vector<float>> out(outputs, std::vector<float>(n));
    EXPECT_EQ(odla_BindToArgument(ctx, 0, in.data()), ODLA_SUCCESS);
    for (int i = 0; i < outputs; ++i)
      EXPECT_EQ(odla_BindToOutput(ctx, i, out[i].data()), ODLA_SUCCESS);
    EXPECT_EQ(odla_ExecuteComputation(comp, ctx), ODLA_SUCCESS) << odla_GetLastErrorText();
    return out;
  }
  odla_computation comp = nullptr;
  odla_context ctx = nullptr;
};

}  // namespace runtime_test
