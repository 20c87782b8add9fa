// CUDA graphs (docs/cuda.md, runtimes/common/graphs.h) on the GPU: a computation whose runs of
// GPU ops run op by op at its context's first execution, are captured at the second and
// replayed afterwards gives, for new inputs at each execution, the same results as the
// op-by-op execution (ODLA_GRAPHS=1 against 0). Without a GPU it skips.
#include <gtest/gtest.h>
#include <odla/odla.h>
#include <odla/odla_ops.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "../../runtimes/common/computation.h"
#include "../../runtimes/cuda/cuda_rt.h"
#include "../runtime_test_util.h"

namespace {

using namespace odla_test;

odla_floats Floats(std::vector<float> v) {
  odla_floats r{};
  r.size = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) r.data[i] = v[i];
  return r;
}

// Runs ctx with argument x; returns outputs of `sizes` elements.
std::vector<std::vector<float>> Execute(odla_computation comp, odla_context ctx,
                                        const std::vector<float>& x,
                                        const std::vector<int64_t>& sizes) {
  std::vector<std::vector<float>> out;
  for (int64_t n : sizes) out.emplace_back(n);
  EXPECT_EQ(odla_BindToArgument(ctx, 0, x.data()), ODLA_SUCCESS);
  for (size_t i = 0; i < out.size(); ++i)
    EXPECT_EQ(odla_BindToOutput(ctx, i, out[i].data()), ODLA_SUCCESS);
  EXPECT_EQ(odla_ExecuteComputation(comp, ctx), ODLA_SUCCESS) << odla_GetLastErrorText();
  return out;
}

TEST(CudaGraphs, ReplaysGiveTheOpByOpResults) {
  std::string why;
  if (!odla_cuda::HaveDevice(&why)) GTEST_SKIP() << why;
  Computation c;
  auto w = Random(4 * 3 * 9, 1), b = Random(4, 2), m = Random(16 * 5, 3), table = Random(5 * 3, 4);
  odla_value x = odla_CreateArgument(Type({2, 3, 8, 8}), "x");
  odla_value wv = odla_CreateConstant(Type({4, 3, 3, 3}), w.data(), "w");
  odla_value bv = odla_CreateConstant(Type({4}), b.data(), "b");
  odla_value mv = odla_CreateConstant(Type({16, 5}), m.data(), "m");
  odla_value tv = odla_CreateConstant(Type({5, 3}), table.data(), "t");
  // Graph 1: Conv (cuDNN), Relu, Upsample (its tables uploaded at build), MatMul (cuBLAS),
  // ArgMax. Then Gather with those indices, which waits to check them: on its own. Graph 2:
  // the last Relu.
  odla_value y = odla_Conv(x, wv, bv, Ints({1, 1}), 1, Ints({1, 1, 1, 1}), Ints({1, 1}),
                           Type({2, 4, 8, 8}), "conv");
  y = odla_Relu(y, Type({2, 4, 8, 8}), "relu");
  y = odla_Upsample(y, "nearest", Floats({1, 1, 2, 2}), Type({2, 4, 16, 16}), "up");
  odla_value mm = odla_MatMul(y, mv, Type({2, 4, 16, 5}), "mm");
  odla_value idx = odla_ArgMax(mm, 3, 0, 0, Type({2, 4, 16}, ODLA_INT64), "idx");
  odla_value g = odla_Gather(tv, idx, 0, Type({2, 4, 16, 3}), "g");
  odla_value out = odla_Relu(g, Type({2, 4, 16, 3}), "out");
  for (odla_value v : {mm, idx, g, out}) {
    ASSERT_NE(v, nullptr) << odla_GetLastErrorText();
    EXPECT_TRUE(odla_rt::OnDevice(v));
  }
  c.Output(mm);
  c.Output(out);
  bool gather_alone = false;
  for (const auto& n : c.comp->nodes)
    if (n.op == "Gather") gather_alone = !n.capturable;
  EXPECT_TRUE(gather_alone);

  std::vector<std::vector<float>> inputs;
  for (unsigned seed = 10; seed < 13; ++seed) inputs.push_back(Random(2 * 3 * 8 * 8, seed));
  odla_context ctx = nullptr;
  ASSERT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
  ASSERT_EQ(setenv("ODLA_GRAPHS", "1", 1), 0);  // graphs are off by default
  std::vector<std::vector<std::vector<float>>> with_graphs;
  for (const auto& in : inputs) with_graphs.push_back(Execute(c.comp, ctx, in, c.sizes));
  int graphs = 0, eager = 0;
  for (const auto& slot : ctx->memory.graphs())
    graphs += slot.graph != nullptr, eager += slot.eager;
  EXPECT_EQ(graphs, 2);
  EXPECT_EQ(eager, 0) << "a capture failed";
  ASSERT_EQ(setenv("ODLA_GRAPHS", "0", 1), 0);
  for (size_t i = 0; i < inputs.size(); ++i)
    EXPECT_EQ(Execute(c.comp, ctx, inputs[i], c.sizes), with_graphs[i]) << "input " << i;
  ASSERT_EQ(unsetenv("ODLA_GRAPHS"), 0);
  EXPECT_NE(with_graphs[0], with_graphs[1]);
  odla_DestroyContext(ctx);
}

}  // namespace
