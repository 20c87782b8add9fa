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
  EXPECT_GT(t.gflops, 10 * t.host_gflops);
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

// With the table's (measured) throughputs a chain of ResNet-sized convolutions goes to the
// device, while one alone stays on the host: moving its input and result over the link costs
// more than computing it there.
TEST(DeviceTable, CudaCostModelTakesConvChains) {
  for (int convs : {1, 8}) {
    auto g = std::make_unique<Graph>("convs");
    Value* x = g->AddInput("x", Type(DataType::kFloat32, {1, 64, 56, 56}));
    Value* w = g->AddConstant("w", F32({64, 64, 3, 3}, std::vector<float>(64 * 64 * 9, 0.01f)));
    std::vector<Node*> nodes;
    for (int i = 0; i < convs; ++i) {
      Node* conv = g->AddNode("Conv", "conv" + std::to_string(i), {x, w});
      conv->set_attr("pads", std::vector<int64_t>{1, 1, 1, 1});
      x = conv->output();
      x->set_name("c" + std::to_string(i));
      nodes.push_back(conv);
    }
    g->AddOutput(x);
    InferShapes(*g);
    auto placed = PlaceNodes(*g, BuiltinDeviceTable("cuda"), {});
    for (Node* n : nodes) EXPECT_EQ(placed.at(n), convs > 1) << convs << " " << n->name();
  }
}

}  // namespace
}  // namespace halo
