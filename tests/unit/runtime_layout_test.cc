// The runtime machinery for values in runtime-specific layouts (runtimes/common): plain
// consumers and outputs get one plain copy, layout-aware consumers the buffer itself, and
// kernels their per-context scratch memory.
#include <gtest/gtest.h>
#include <odla/odla.h>

#include <cstdint>
#include <vector>

#include "../../runtimes/common/runtime.h"
#include "../runtime_test_util.h"

namespace {

using odla_rt::KernelArgs;
using Computation = odla_test::OneContext;

odla_value_type F32(std::vector<int64_t> dims) { return odla_test::Type(dims); }

// A test layout: the elements in reverse order, then `kPad` floats of padding.
constexpr int kPad = 3;
int to_plain_runs = 0;

struct Reversed : odla_rt::Layout {
  explicit Reversed(int64_t n) : n(n) {}
  size_t Bytes() const override { return (n + kPad) * sizeof(float); }
  odla_rt::Kernel ToPlain(const odla_value_type&) const override {
    int64_t count = n;
    return [count](const KernelArgs& a) {
      ++to_plain_runs;
      for (int64_t i = 0; i < count; ++i) a.Out<float>(0)[i] = a.In<float>(0)[count - 1 - i];
    };
  }
  int64_t n;
};

// Adds an op that writes x (n floats) reversed, padding included, in the Reversed layout.
odla_value AddReversed(odla_value x, int64_t n, const char* id) {
  auto layout = std::make_shared<Reversed>(n);
  return odla_rt::AddLayoutOp("Reverse", {x}, {x->type}, {layout}, 0, id, [n](const KernelArgs& a) {
    float* y = a.Out<float>(0);
    for (int64_t i = 0; i < n; ++i) y[i] = a.In<float>(0)[n - 1 - i];
    for (int i = 0; i < kPad; ++i) y[n + i] = -1000;
  })[0];
}

TEST(RuntimeLayout, PlainConsumersShareOneConversion) {
  Computation c;
  odla_value x = odla_CreateArgument(F32({4}), "x");
  odla_value r = AddReversed(x, 4, "r");
  ASSERT_NE(r->layout, nullptr);
  EXPECT_EQ(r->plain, nullptr);  // no plain consumer yet
  odla_value neg = odla_Neg(r, F32({4}), "neg");
  ASSERT_NE(r->plain, nullptr);
  odla_value plain = r->plain;
  odla_value relu = odla_Relu(r, F32({4}), "relu");
  EXPECT_EQ(r->plain, plain);  // the second consumer reuses the copy
  EXPECT_EQ(odla_rt::Plain(r), plain);
  EXPECT_EQ(odla_rt::Plain(x), x);
  ASSERT_EQ(odla_SetValueAsOutput(neg), ODLA_SUCCESS);
  ASSERT_EQ(odla_SetValueAsOutput(relu), ODLA_SUCCESS);
  to_plain_runs = 0;
  auto out = c.Run({1, -2, 3, -4}, 2, 4);
  EXPECT_EQ(to_plain_runs, 1);
  EXPECT_EQ(out[0], (std::vector<float>{-1, 2, -3, 4}));
  EXPECT_EQ(out[1], (std::vector<float>{1, 0, 3, 0}));
}

TEST(RuntimeLayout, OutputsAreWrittenPlain) {
  Computation c;
  odla_value x = odla_CreateArgument(F32({2, 3}), "x");
  odla_value r = AddReversed(x, 6, "r");
  ASSERT_EQ(odla_SetValueAsOutput(r), ODLA_SUCCESS);
  EXPECT_NE(r->plain, nullptr);
  odla_value_type t = odla_GetValueType(r);
  EXPECT_EQ(odla_rt::Dims(t.shape), (std::vector<int64_t>{2, 3}));
  auto out = c.Run({1, 2, 3, 4, 5, 6}, 1, 6);
  EXPECT_EQ(out[0], (std::vector<float>{1, 2, 3, 4, 5, 6}));
  odla_value_shape s;
  ASSERT_EQ(odla_GetOutputShapeById(c.ctx, "r", &s), ODLA_SUCCESS);
  EXPECT_EQ(odla_rt::Dims(s), (std::vector<int64_t>{2, 3}));
}

TEST(RuntimeLayout, LayoutConsumersReadTheBufferItself) {
  Computation c;
  odla_value x = odla_CreateArgument(F32({3}), "x");
  odla_value r = AddReversed(x, 3, "r");
  // Copies the buffer, padding included, as it is.
  odla_value raw =
      odla_rt::AddLayoutOp("Raw", {r}, {F32({3 + kPad})}, {}, 0, "raw", [](const KernelArgs& a) {
        for (int i = 0; i < 3 + kPad; ++i) a.Out<float>(0)[i] = a.In<float>(0)[i];
      })[0];
  EXPECT_EQ(r->plain, nullptr);
  EXPECT_EQ(raw->layout, nullptr);
  ASSERT_EQ(odla_SetValueAsOutput(raw), ODLA_SUCCESS);
  auto out = c.Run({1, 2, 3}, 1, 3 + kPad);
  EXPECT_EQ(out[0], (std::vector<float>{3, 2, 1, -1000, -1000, -1000}));
}

TEST(RuntimeLayout, KernelsGetAlignedScratchPerContext) {
  Computation c;
  odla_value x = odla_CreateArgument(F32({4}), "x");
  // Stages x * 2 in scratch memory, then copies it out.
  auto twice = [](const KernelArgs& a) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a.scratch) % 64, 0u);
    float* s = static_cast<float*>(a.scratch);
    for (int i = 0; i < 4; ++i) s[i] = 2 * a.In<float>(0)[i];
    for (int i = 0; i < 4; ++i) a.Out<float>(0)[i] = s[i];
  };
  odla_value y = odla_rt::AddLayoutOp("Twice", {x}, {F32({4})}, {}, 1000, "y", twice)[0];
  odla_value z = odla_rt::AddLayoutOp("Twice", {y}, {F32({4})}, {}, 16, "z", twice)[0];
  ASSERT_EQ(odla_SetValueAsOutput(z), ODLA_SUCCESS);
  auto out = c.Run({1, 2, 3, 4}, 1, 4);
  EXPECT_EQ(out[0], (std::vector<float>{4, 8, 12, 16}));
}

}  // namespace
