// The placement pass, the partition of a graph, and partitioned execution and code
// (docs/heterogeneous.md).
#include "passes/placement.h"

#include <gtest/gtest.h>

#include <cstring>

#include "driver/options.h"
#include "ir/error.h"
#include "passes/passes.h"
#include "targets/cpp_emitter.h"
#include "targets/executor.h"
#include "targets/partition_executor.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;

// x -> add (+c) -> relu -> mul (*c) -> exp -> y; relu's result r is an output as well.
std::unique_ptr<Graph> Chain() {
  auto g = std::make_unique<Graph>("chain");
  Value* x = g->AddInput("x", Type(DataType::kFloat32, {2, 3}));
  Value* c = g->AddConstant("c", F32({3}, {0.5f, -1, 2}));
  Value* a = g->AddNode("Add", "add", {x, c})->output();
  Value* r = g->AddNode("Relu", "relu", {a})->output();
  Value* m = g->AddNode("Mul", "mul", {r, c})->output();
  Value* y = g->AddNode("Exp", "exp", {m})->output();
  a->set_name("a"), r->set_name("r"), m->set_name("m"), y->set_name("y");
  g->AddOutput(y);
  g->AddOutput(r);
  InferShapes(*g);
  return g;
}

DeviceTable AllOps() { return BuiltinDeviceTable("sim"); }

// A fast device that lacks Mul.
DeviceTable NoMul() {
  return ParseDeviceTable("device d\nops Add Relu Exp\ngflops 100\ngbps 100\nlink_gbps 100\n", "t");
}

std::vector<std::string> Sides(const Partition& p) {
  std::vector<std::string> r;
  for (const Part& part : p.parts) {
    std::string s = part.on_device ? "device:" : "host:";
    for (const Node* n : part.nodes) s += " " + n->name();
    r.push_back(s);
  }
  return r;
}

TEST(DeviceTable, Parses) {
  DeviceTable t = ParseDeviceTable(
      "# a device\ndevice gpu\nops Add Relu  # two\ngflops 100\ngbps 50\nhost_gflops 5\n"
      "host_gbps 10\nlink_gbps 12\n",
      "t.txt");
  EXPECT_EQ(t.name, "gpu");
  EXPECT_TRUE(t.Supports("Add"));
  EXPECT_FALSE(t.Supports("Mul"));
  EXPECT_EQ(t.gflops, 100);
  EXPECT_EQ(t.link_gbps, 12);
  EXPECT_TRUE(AllOps().Supports("Mul"));
  auto error = [](const std::string& text) {
    try {
      ParseDeviceTable(text, "t.txt");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error("device d\nops Frob\n").find("t.txt:2: unknown op 'Frob'"), std::string::npos);
  EXPECT_NE(error("device d\nspeed 3\n").find("unknown key 'speed'"), std::string::npos);
  EXPECT_NE(error("device d\ngflops -1\n").find("positive"), std::string::npos);
  EXPECT_NE(error("ops *\n").find("no 'device NAME'"), std::string::npos);
  EXPECT_THROW(BuiltinDeviceTable("tpu"), Error);
}

TEST(Placement, DeviceUnlessTableOrPlaceSaysOtherwise) {
  auto g = Chain();
  EXPECT_EQ(Sides(SplitGraph(*g, "sim", PlaceNodes(*g, AllOps(), {}))),
            (std::vector<std::string>{"device: add relu mul exp"}));
  DeviceTable no_mul = NoMul();
  EXPECT_EQ(Sides(SplitGraph(*g, "d", PlaceNodes(*g, no_mul, {}))),
            (std::vector<std::string>{"device: add relu", "host: mul", "device: exp"}));
  EXPECT_EQ(Sides(SplitGraph(*g, "sim", PlaceNodes(*g, AllOps(), {{"add", false}}))),
            (std::vector<std::string>{"host: add", "device: relu mul exp"}));
  EXPECT_EQ(Sides(SplitGraph(*g, "d", PlaceNodes(*g, no_mul, {{"relu", false}}))),
            (std::vector<std::string>{"device: add", "host: relu mul", "device: exp"}));
  EXPECT_THROW(PlaceNodes(*g, no_mul, {{"mul", true}}), Error);  // the device lacks Mul
  EXPECT_THROW(PlaceNodes(*g, AllOps(), {{"nope", false}}), Error);
}

TEST(Placement, CostModel) {
  auto g = Chain();
  // A slow device: everything stays on the host.
  DeviceTable slow = ParseDeviceTable("device d\nops *\ngflops 0.001\ngbps 0.001\n", "t");
  EXPECT_EQ(Sides(SplitGraph(*g, "d", PlaceNodes(*g, slow, {}))),
            (std::vector<std::string>{"host: add relu mul exp"}));
  // A fast device behind a slow link: moving x there costs more than computing on the host.
  // With add forced there, a result must come back once: r, an output anyway, after relu.
  DeviceTable far = ParseDeviceTable(
      "device d\nops *\ngflops 100\ngbps 100\nhost_gflops 1\nhost_gbps 1\nlink_gbps 0.01\n", "t");
  EXPECT_EQ(Sides(SplitGraph(*g, "d", PlaceNodes(*g, far, {{"add", true}}))),
            (std::vector<std::string>{"device: add relu", "host: mul exp"}));
  EXPECT_EQ(Sides(SplitGraph(*g, "d", PlaceNodes(*g, far, {}))),
            (std::vector<std::string>{"host: add relu mul exp"}));
}

TEST(Placement, PartsAndTheirGraphs) {
  auto g = Chain();
  DeviceTable no_mul = NoMul();
  Partition p = SplitGraph(*g, "d", PlaceNodes(*g, no_mul, {}));
  ASSERT_EQ(p.parts.size(), 3u);
  auto names = [](const std::vector<const Value*>& vs) {
    std::vector<std::string> r;
    for (const Value* v : vs) r.push_back(v->name());
    return r;
  };
  EXPECT_EQ(names(p.parts[0].inputs), (std::vector<std::string>{"x"}));
  EXPECT_EQ(names(p.parts[0].outputs), (std::vector<std::string>{"r"}));
  EXPECT_EQ(names(p.parts[1].inputs), (std::vector<std::string>{"r"}));
  EXPECT_EQ(names(p.parts[1].outputs), (std::vector<std::string>{"m"}));
  EXPECT_EQ(names(p.parts[2].inputs), (std::vector<std::string>{"m"}));
  EXPECT_EQ(names(p.parts[2].outputs), (std::vector<std::string>{"y"}));
  // Device parts copy their inputs and outputs: x, r; m, y (24 bytes each).
  EXPECT_EQ(p.transfer_bytes, 4 * 24);
  // The constant c is copied into both parts that use it.
  const Graph& host = *p.parts[1].graph;
  EXPECT_EQ(host.inputs().size(), 1u);
  int constants = 0;
  for (const auto& n : host.nodes()) constants += n->op() == "Constant";
  EXPECT_EQ(constants, 1);
}

TEST(Placement, PartitionedRunEqualsWholeRun) {
  auto g = Chain();
  Tensor x = F32({2, 3}, {-1.5f, 0.25f, 3, 0.75f, -0.5f, 1.25f});
  std::vector<Tensor> want = Executor(*g).Run({x});
  for (const auto& place : std::vector<std::map<std::string, bool>>{
           {}, {{"add", false}}, {{"relu", false}, {"exp", false}}, {{"mul", false}}}) {
    Partition p = SplitGraph(*g, "sim", PlaceNodes(*g, AllOps(), place));
    std::vector<Tensor> got = PartitionedExecutor(*g, p).Run({x});
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].type(), want[i].type());
      EXPECT_EQ(std::memcmp(got[i].bytes(), want[i].bytes(), got[i].byte_size()), 0) << i;
    }
  }
}

TEST(Placement, PartitionedCode) {
  auto g = Chain();
  Partition p = SplitGraph(*g, "sim", PlaceNodes(*g, AllOps(), {{"mul", false}}));
  EmitOptions eo;
  eo.output_cc = "chain.cc";
  eo.partition = &p;
  std::string code = EmitCppSources(*g, eo).at(1).second;
  for (const char* s :
       {"static int Build_0(void)", "static int Build_2(void)", "odla_host_Mul(", "odla_Exp(",
        "odla_Add(", "decltype(odla_Mul) odla_host_Mul;",
        "int chain(const float* x, float* y, float* r)", "if (Run_1(in, out) != 0) return 1;"})
    EXPECT_NE(code.find(s), std::string::npos) << s << "\n" << code;
  EXPECT_EQ(code.find("odla_host_Exp("), std::string::npos);
  // Names in strings and comments keep their text in host parts.
  g->nodes().back()->output()->set_name("odla_Z");  // exp's result y
  const_cast<Node*>(p.parts[1].nodes[0])->output()->set_name("\"odla_M");
  Partition q = SplitGraph(*g, "sim", PlaceNodes(*g, AllOps(), {{"mul", false}, {"exp", false}}));
  eo.partition = &q;
  code = EmitCppSources(*g, eo).at(1).second;
  for (const char* s : {"\"odla_Z\")", "\"\\\"odla_M\")", "// node 'exp' (Exp)", "odla_host_Exp("})
    EXPECT_NE(code.find(s), std::string::npos) << s << "\n" << code;
  // The header is the one of the whole model.
  EmitOptions plain;
  plain.output_cc = "chain.cc";
  EXPECT_EQ(EmitCppSources(*g, eo).at(0).second, EmitCppSources(*g, plain).at(0).second);
}

// Outputs that no part computes: the model input x, the constant c and y a second time.
// Partitioned runs and code copy them from the caller's input, the weights and y's buffer.
TEST(Placement, OutputsThatAreInputsConstantsOrRepeated) {
  auto g = std::make_unique<Graph>("copies");
  Value* x = g->AddInput("x", Type(DataType::kFloat32, {2, 3}));
  Value* c = g->AddConstant("c", F32({3}, {0.5f, -1, 2}));
  Value* y = g->AddNode("Relu", "relu", {x})->output();
  y->set_name("y");
  for (Value* v : {y, x, c, y}) g->AddOutput(v);
  InferShapes(*g);
  Tensor in = F32({2, 3}, {-1.5f, 0.25f, 3, 0.75f, -0.5f, 1.25f});
  std::vector<Tensor> want = Executor(*g).Run({in});
  for (bool on_device : {true, false}) {
    Partition p = SplitGraph(*g, "sim", PlaceNodes(*g, AllOps(), {{"relu", on_device}}));
    ASSERT_EQ(p.parts.size(), 1u);
    EXPECT_EQ(p.parts[0].outputs.size(), 1u);
    std::vector<Tensor> got = PartitionedExecutor(*g, p).Run({in});
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].type(), want[i].type());
      EXPECT_EQ(std::memcmp(got[i].bytes(), want[i].bytes(), got[i].byte_size()), 0) << i;
    }
    EmitOptions eo;
    eo.output_cc = "copies.cc";
    eo.partition = &p;
    std::string code = EmitCppSources(*g, eo).at(1).second;
    for (const char* s : {"memcpy(x_1, x, 24);  // output 'x'", "memcpy(c, g_weights + ",
                          "memcpy(y_1, y, 24);  // output 'y'"})
      EXPECT_NE(code.find(s), std::string::npos) << s << "\n" << code;
  }
}

// Host parts are printed with the host runtime's names (odla_host_*, FailHost) and wrapped
// for them: with long value names, every line of the code still fits in 100 columns.
TEST(Placement, PartitionedCodeFitsItsLines) {
  auto g = Chain();
  for (const auto& n : g->nodes())
    n->output()->set_name(n->output()->name() + "_a_value_name_long_enough_to_need_wrapping");
  Partition p = SplitGraph(*g, "sim", PlaceNodes(*g, AllOps(), {{"relu", false}}));
  EmitOptions eo;
  eo.output_cc = "chain.cc";
  eo.partition = &p;
  std::string code = EmitCppSources(*g, eo).at(1).second;
  EXPECT_NE(code.find("odla_host_SetValueAsOutput("), std::string::npos) << code;
  EXPECT_NE(code.find("    return FailHost(\"output 'r_a_value_name"), std::string::npos) << code;
  size_t start = 0;
  for (size_t end = code.find('\n'); end != std::string::npos; end = code.find('\n', start)) {
    EXPECT_LE(end - start, 100u) << code.substr(start, end - start);
    start = end + 1;
  }
}

TEST(Placement, Options) {
  Options o = ParseOptions({"m.onnx", "--report", "--device", "sim", "--place", "a=host",
                            "--place=b=device", "--device-table", "t.txt"});
  EXPECT_EQ(o.device, "sim");
  EXPECT_EQ(o.device_table, "t.txt");
  EXPECT_EQ(o.place, (std::map<std::string, bool>{{"a", false}, {"b", true}}));
  EXPECT_THROW(ParseOptions({"m.onnx", "--report", "--device", "sim", "--place", "a=gpu"}),
               UsageError);
  EXPECT_THROW(ParseOptions({"m.onnx", "--report", "--place", "a=host"}), UsageError);
}

}  // namespace
}  // namespace halo
