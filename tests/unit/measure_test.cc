// halo-measure (src/tools/measure_main.cc) prints a table that ParseDeviceTable reads, and the
// measured host numbers of the built-in `cuda` table place operators as the chosen ones did.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "passes/passes.h"
#include "passes/placement.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;

// Runs halo-measure-ref with `args` and tiny sizes; returns its standard output.
std::string MeasureRef(const std::string& args) {
  std::string cmd = std::string(HALO_BINARY_DIR) + "/bin/halo-measure-ref --quick " + args;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    ADD_FAILURE() << "cannot run " << cmd;
    return "";
  }
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << cmd << " failed (build it: make halo-measure-ref):\n"
      << out;
  return out;
}

void ExpectMeasured(const std::string& out, const DeviceTable& t) {
  // Every number is printed (the parser's default is 1) and positive (the parser checks).
  for (const char* key : {"\ngflops ", "\ngbps ", "\nhost_gflops ", "\nhost_gbps ", "\nlink_gbps "})
    EXPECT_NE(out.find(key), std::string::npos) << key << " missing in\n" << out;
  for (double v : {t.gflops, t.gbps, t.host_gflops, t.host_gbps, t.link_gbps}) EXPECT_GT(v, 0);
  // A CPU runtime is the host: its device and host numbers are the same measurements.
  EXPECT_EQ(t.gflops, t.host_gflops);
  EXPECT_EQ(t.gbps, t.host_gbps);
}

TEST(Measure, RefPrintsATable) {
  std::string out = MeasureRef("");
  DeviceTable t = ParseDeviceTable(out, "halo-measure-ref");
  EXPECT_EQ(t.name, "ref");
  EXPECT_TRUE(t.all_ops);  // no built-in table of that name: every op
  ExpectMeasured(out, t);
}

// --device NAME of a built-in table takes that table's ops.
TEST(Measure, RefPrintsTheBuiltinOps) {
  std::string out = MeasureRef("--device cuda");
  DeviceTable t = ParseDeviceTable(out, "halo-measure-ref --device cuda");
  DeviceTable cuda = BuiltinDeviceTable("cuda");
  EXPECT_EQ(t.name, "cuda");
  EXPECT_FALSE(t.all_ops);
  EXPECT_EQ(t.ops, cuda.ops);
  ExpectMeasured(out, t);
}

// The built-in cuda table's host numbers were measured (halo-measure-ref); the operators of
// these graphs are placed as with the estimates they replaced (host 300 GFLOP/s, 20 GB/s).
TEST(Measure, CudaHostNumbersKeepPlacements) {
  DeviceTable measured = BuiltinDeviceTable("cuda"), estimated = measured;
  estimated.host_gflops = 300;
  estimated.host_gbps = 20;
  EXPECT_NE(measured.host_gflops, estimated.host_gflops);
  ASSERT_FALSE(measured.Supports("Shrink"));
  std::vector<std::unique_ptr<Graph>> graphs;
  {  // a ResNet-sized convolution, then an op the device lacks (Shrink) between small ones
    auto g = std::make_unique<Graph>("conv");
    Value* x = g->AddInput("x", Type(DataType::kFloat32, {1, 64, 56, 56}));
    Value* w = g->AddConstant("w", F32({64, 64, 3, 3}, std::vector<float>(64 * 64 * 9, 0.01f)));
    Value* c = g->AddNode("Conv", "conv", {x, w})->output();
    Value* r = g->AddNode("Relu", "relu", {c})->output();
    Value* a = g->AddNode("Shrink", "shrink", {r})->output();
    Value* y = g->AddNode("Relu", "relu2", {a})->output();
    c->set_name("c"), r->set_name("r"), a->set_name("a"), y->set_name("y");
    g->AddOutput(y);
    graphs.push_back(std::move(g));
  }
  {  // a small matrix product and element-wise ops on a host input
    auto g = std::make_unique<Graph>("mm");
    Value* x = g->AddInput("x", Type(DataType::kFloat32, {4, 16}));
    Value* w = g->AddConstant("w", F32({16, 16}, std::vector<float>(256, 0.5f)));
    Value* a = g->AddNode("Add", "add", {x, x})->output();
    Value* m = g->AddNode("MatMul", "mm", {a, w})->output();
    Value* y = g->AddNode("Tanh", "tanh", {m})->output();
    a->set_name("a"), m->set_name("m"), y->set_name("y");
    g->AddOutput(y);
    graphs.push_back(std::move(g));
  }
  int on_device = 0, on_host = 0;
  for (auto& g : graphs) {
    InferShapes(*g);
    auto expected = PlaceNodes(*g, estimated, {});
    auto placed = PlaceNodes(*g, measured, {});
    for (const auto& [node, device] : expected) {
      EXPECT_EQ(placed.at(node), device) << g->name() << ": " << node->name();
      ++(device ? on_device : on_host);
    }
  }
  EXPECT_GT(on_device, 0);  // the graphs test both sides
  EXPECT_GT(on_host, 0);
}

}  // namespace
}  // namespace halo
