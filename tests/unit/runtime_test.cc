// The ODLA runtime machinery: errors, version checks, binding, concurrent contexts.
#include <gtest/gtest.h>
#include <odla/odla.h>

#include <string>
#include <thread>
#include <vector>

namespace {

odla_value_type F32(std::vector<int64_t> dims) {
  odla_value_type t{};
  t.element_type = ODLA_FLOAT32;
  t.shape.size = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) t.shape.dims[i] = dims[i];
  return t;
}

TEST(Runtime, VersionCheck) {
  EXPECT_EQ(odla_CheckVersion(ODLA_VERSION_MAJOR, ODLA_VERSION_MINOR), ODLA_SUCCESS);
  EXPECT_EQ(odla_CheckVersion(ODLA_VERSION_MAJOR + 1, 0), ODLA_VERSION_MISMATCH);
  std::string text = odla_GetLastErrorText();
  EXPECT_NE(text.find("generated for ODLA API"), std::string::npos) << text;
  EXPECT_EQ(odla_CheckVersion(ODLA_VERSION_MAJOR, ODLA_VERSION_MINOR + 1), ODLA_VERSION_MISMATCH);
}

TEST(Runtime, BuilderErrorIsSticky) {
  odla_computation comp;
  ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  odla_value x = odla_CreateArgument(F32({2}), "x");
  odla_value bad = odla_Add(x, nullptr, F32({2}), "sum");
  EXPECT_EQ(bad, nullptr);
  EXPECT_NE(std::string(odla_GetLastErrorText()).find("odla_Add 'sum'"), std::string::npos);
  EXPECT_NE(odla_SetValueAsOutput(x), ODLA_SUCCESS);
  odla_DestroyComputation(comp);
}

TEST(Runtime, DuplicateIdsAreRejected) {
  odla_computation comp;
  ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  EXPECT_NE(odla_CreateArgument(F32({1}), "x"), nullptr);
  EXPECT_EQ(odla_CreateArgument(F32({1}), "x"), nullptr);
  odla_DestroyComputation(comp);
}

TEST(Runtime, UnboundArgumentIsAnError) {
  odla_computation comp;
  ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  odla_value x = odla_CreateArgument(F32({2}), "x");
  ASSERT_EQ(odla_SetValueAsOutput(odla_Relu(x, F32({2}), "y")), ODLA_SUCCESS);
  odla_context ctx;
  ASSERT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
  float out[2];
  ASSERT_EQ(odla_BindToOutputById(ctx, "y", out), ODLA_SUCCESS);
  EXPECT_NE(odla_ExecuteComputation(comp, ctx), ODLA_SUCCESS);
  EXPECT_NE(std::string(odla_GetLastErrorText()).find("'x' is not bound"), std::string::npos);
  odla_DestroyContext(ctx);
  odla_DestroyComputation(comp);
}

TEST(Runtime, ContextsRunConcurrently) {
  constexpr int kN = 100000;
  odla_computation comp;
  ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  odla_value a = odla_CreateArgument(F32({kN}), "a");
  odla_value b = odla_CreateArgument(F32({kN}), "b");
  odla_value s = odla_Relu(odla_Add(a, b, F32({kN}), "s"), F32({kN}), "r");
  ASSERT_EQ(odla_SetValueAsOutput(s), ODLA_SUCCESS);
  std::vector<std::thread> threads;
  std::vector<int> errors(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      odla_SetCurrentComputation(comp);
      odla_context ctx;
      if (odla_CreateContext(&ctx) != ODLA_SUCCESS) {
        errors[t] = 1;
        return;
      }
      std::vector<float> x(kN, static_cast<float>(t)), y(kN, 1.0f), out(kN);
      for (int rep = 0; rep < 20; ++rep) {
        odla_BindToArgumentById(ctx, "a", x.data());
        odla_BindToArgument(ctx, 1, y.data());
        odla_BindToOutput(ctx, 0, out.data());
        if (odla_ExecuteComputation(comp, ctx) != ODLA_SUCCESS) errors[t]++;
        for (int i = 0; i < kN; i += 997)
          if (out[i] != static_cast<float>(t) + 1.0f) errors[t]++;
      }
      odla_DestroyContext(ctx);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(errors[t], 0) << "thread " << t;
  odla_DestroyComputation(comp);
}

}  // namespace
