// The built-in `cuda` device table (src/passes/device_tables.cc). That its ops are exactly
// libodla_cuda's builders is the ctest cuda_table_current (tests/gpu/table_current.py).
#include <gtest/gtest.h>

#include "ir/error.h"
#include "passes/passes.h"
#include "passes/placement.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;

TEST(DeviceTable, BuiltinCuda) {
  DeviceTable t = BuiltinDeviceTable("cuda");
  EXPECT_EQ(t.name, "cuda");
  EXPECT_FALSE(t.all_ops);
  for (const char* op : {"Conv", "MatMul", "Gemm", "FusedConv"}) EXPECT_TRUE(t.Supports(op)) << op;
  EXPECT_FALSE(t.Supports("NonMaxSuppression"));
  EXPECT_GT(t.gflops, 100 * t.host_gflops);
  EXPECT_GT(t.gbps, t.host_gbps);
  EXPECT_LT(t.link_gbps, t.gbps);
  try {
    BuiltinDeviceTable("tpu");
    ADD_FAILURE() << "no error for an unknown device";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("built in: host, sim, cuda"), std::string::npos)
        << e.what();
  }
}

// With the table's throughputs a ResNet-sized convolution goes to the device.
TEST(DeviceTable, CudaCostModelTakesConv) {
  auto g = std::make_unique<Graph>("conv");
  Value* x = g->AddInput("x", Type(DataType::kFloat32, {1, 64, 56, 56}));
  Value* w = g->AddConstant("w", F32({64, 64, 3, 3}, std::vector<float>(64 * 64 * 9, 0.01f)));
  Node* conv = g->AddNode("Conv", "conv", {x, w});
  conv->output()->set_name("c");
  g->AddOutput(conv->output());
  InferShapes(*g);
  auto placed = PlaceNodes(*g, BuiltinDeviceTable("cuda"), {});
  ASSERT_EQ(placed.count(conv), 1u);
  EXPECT_TRUE(placed.at(conv));
}

}  // namespace
}  // namespace halo
