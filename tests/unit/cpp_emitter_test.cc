#include "targets/cpp_emitter.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "ir/error.h"
#include "passes/passes.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;

// y = relu(x + c), x: f32[2x3], c: f32[3] = {1, -2, 0.5}.
std::unique_ptr<Graph> AddRelu() {
  auto g = std::make_unique<Graph>("add_relu");
  Value* x = g->AddInput("x", Type(DataType::kFloat32, {2, 3}));
  Value* c = g->AddConstant("c", F32({3}, {1, -2, 0.5f}));
  Node* add = g->AddNode("Add", "add", {x, c});
  add->output()->set_name("sum");
  Node* relu = g->AddNode("Relu", "relu", {add->output()});
  relu->output()->set_name("y");
  g->AddOutput(relu->output());
  RunPipeline(*g);
  return g;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A fresh empty directory under the build tree.
std::string TempDir(const std::string& name) {
  std::string dir = std::string(HALO_BINARY_DIR) + "/test_tmp/" + name;
  EXPECT_EQ(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()), 0);
  return dir;
}

int Sh(const std::string& cmd) { return std::system(cmd.c_str()); }

TEST(CppEmitter, MatchesGoldenFiles) {
  auto g = AddRelu();
  EmitOptions o;
  o.output_cc = "out/add_relu.cc";
  o.entry_func_name = "add_relu";
  o.model_path = "add_relu.onnx";
  o.emit_data_as_c = true;
  bool update = std::getenv("HALO_UPDATE_GOLDEN") != nullptr;
  for (const auto& [file, text] : EmitCppSources(*g, o)) {
    std::string golden = std::string(HALO_SOURCE_DIR) + "/tests/golden/" + file;
    if (update) std::ofstream(golden, std::ios::binary) << text;
    EXPECT_EQ(text, ReadFile(golden))
        << file << " differs from " << golden << " (HALO_UPDATE_GOLDEN=1 rewrites it)";
  }
}

TEST(CppEmitter, RejectsBadNames) {
  auto g = AddRelu();
  EmitOptions o;
  o.output_cc = "out/model.cpp";
  EXPECT_THROW(EmitCppSources(*g, o), Error);
  o.output_cc = "out/model.cc";
  o.entry_func_name = "not an identifier";
  EXPECT_THROW(EmitCppSources(*g, o), Error);
  o.entry_func_name = "";
  EXPECT_NE(EmitCppSources(*g, o)[1].second.find("int model("), std::string::npos);
}

TEST(CppEmitter, WritesNothingWhenTheDirectoryIsNotWritable) {
  std::string dir = TempDir("emit_unwritable");
  std::ofstream(dir + "/file") << "x";
  auto g = AddRelu();
  EmitOptions o;
  o.output_cc = dir + "/file/m.cc";
  try {
    EmitCpp(*g, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir + "/file/m."), std::string::npos) << e.what();
  }
  EXPECT_EQ(Sh("test \"$(ls -A '" + dir + "')\" = file"), 0);
}

TEST(CppEmitter, WritesNothingWhenANodeCannotBeLowered) {
  std::string dir = TempDir("emit_unlowerable");
  Graph g;
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {2}));
  Node* r = g.AddNode("Relu", "r", {x});  // its type was never inferred
  Node* r2 = g.AddNode("Relu", "r2", {r->output()});
  r2->output()->set_type(Type(DataType::kFloat32, {2}));
  g.AddOutput(r2->output());
  EmitOptions o;
  o.output_cc = dir + "/m.cc";
  o.model_path = "m.onnx";
  try {
    EmitCpp(g, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("m.onnx: node 'r' (Relu): ", 0), 0u) << e.what();
  }
  EXPECT_EQ(Sh("test -z \"$(ls -A '" + dir + "')\""), 0);
}

TEST(CppEmitter, RefusesWeightsOver2GBAsC) {
  // 2.4 GB of weights that are never read: the check comes before anything is written.
  static const uint8_t kByte = 0;
  Type big(DataType::kFloat32, {600000000});
  Graph g;
  Value* c = g.AddConstant("c", Tensor(big, nullptr, &kByte, big.ByteSize()));
  g.AddOutput(g.AddNode("Relu", "r", {c})->output());
  g.nodes().back()->output()->set_type(big);
  std::string dir = TempDir("emit_big_c");
  EmitOptions o;
  o.output_cc = dir + "/m.cc";
  o.emit_data_as_c = true;
  try {
    EmitCpp(g, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--emit-data-as-c: the weights are 2400000000 bytes"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(Sh("test -z \"$(ls -A '" + dir + "')\""), 0);
}

// The C program that calls the generated code: from 4 threads at once, then checks.
const char kApp[] = R"(#include <pthread.h>
#include <stdio.h>
#include "add_relu.h"
static void* Work(void* arg) {
  float* y = (float*)arg;
  const float x[6] = {-1, 1, 2, 3, -4, 5};
  return (void*)(long)add_relu(x, y);
}
int main(void) {
  float y[4][6];
  pthread_t t[4];
  const float want[6] = {0, 0, 2.5f, 4, 0, 5.5f};
  if (add_relu_init() != 0) return 1;
  for (int i = 0; i < 4; ++i) pthread_create(&t[i], NULL, Work, y[i]);
  for (int i = 0; i < 4; ++i) {
    void* r;
    pthread_join(t[i], &r);
    if (r) return 2;
    for (int j = 0; j < 6; ++j)
      if (y[i][j] != want[j]) { printf("y[%d][%d] = %g\n", i, j, y[i][j]); return 3; }
  }
  add_relu_fini();
  printf("ok\n");
  return 0;
}
)";

class CompileGenerated : public testing::TestWithParam<bool> {};

// Compiles the generated code with every C++ compiler present, links it with the weights
// and the shared ref runtime using `cc` (as the documentation says) and runs it.
TEST_P(CompileGenerated, BuildsAndRuns) {
  bool data_as_c = GetParam();
  std::string dir = TempDir(data_as_c ? "emit_run_c" : "emit_run_bin");
  auto g = AddRelu();
  EmitOptions o;
  o.output_cc = dir + "/add_relu.cc";
  o.emit_data_as_c = data_as_c;
  EmitCpp(*g, o);
  std::ofstream(dir + "/app.c") << kApp;
  std::string inc = std::string(" -I") + HALO_SOURCE_DIR + "/include ";
  std::string lib = std::string(HALO_BINARY_DIR) + "/lib";
  std::string weights = data_as_c ? " add_relu_weights.c" : " add_relu.bin";
  int compilers = 0;
  for (const char* cxx : {"g++", "clang++"}) {
    if (Sh(std::string("command -v ") + cxx + " >/dev/null") != 0) continue;
    ++compilers;
    std::string cd = "cd '" + dir + "' && ";
    ASSERT_EQ(Sh(cd + cxx + " -std=c++17 -Wall -Wextra -Werror -c add_relu.cc" + inc), 0) << cxx;
    // No C++ library symbols: the C compiler driver can link it.
    ASSERT_EQ(Sh(cd + "! nm -u add_relu.o | grep -E ' (_Z|__cxa|__gxx)'"), 0) << cxx;
    ASSERT_EQ(Sh(cd + "cc -std=c99 -Wall -Wextra -Werror -o app app.c add_relu.o" + weights + inc +
                 "-L" + lib + " -Wl,-rpath," + lib + " -lodla_ref -lpthread"),
              0)
        << cxx;
    ASSERT_EQ(Sh(cd + "./app > app.out"), 0) << cxx;
    EXPECT_EQ(ReadFile(dir + "/app.out"), "ok\n");
  }
  EXPECT_GT(compilers, 0);
}

INSTANTIATE_TEST_SUITE_P(Weights, CompileGenerated, testing::Values(false, true),
                         [](const auto& info) { return info.param ? "AsC" : "AsElf"; });

// An output with a data-dependent dimension: the entry function takes an int64_t array after
// its buffer and fills it with the actual shape of each call.
const char kNonZeroApp[] = R"(#include <stdio.h>
#include "nz.h"
static int Check(const float* x, int64_t count, const int64_t* want) {
  int64_t idx[5] = {-1, -1, -1, -1, -1}, shape[2] = {-1, -1};
  if (nz(x, idx, shape) != 0) return 1;
  if (shape[0] != 1 || shape[1] != count) {
    printf("shape %ldx%ld\n", (long)shape[0], (long)shape[1]);
    return 2;
  }
  for (int64_t i = 0; i < count; ++i)
    if (idx[i] != want[i]) return 3;
  return 0;
}
int main(void) {
  const float x[5] = {0, 3, 0, -1, 2}, zeros[5] = {0, 0, 0, 0, 0};
  const int64_t want[3] = {1, 3, 4};
  int r = Check(x, 3, want);
  if (r == 0) r = Check(zeros, 0, want);
  if (r == 0) printf("ok\n");
  return r;
}
)";

TEST(CppEmitter, OutputsWithDataDependentShapes) {
  Graph g("nz");
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {5}));
  Node* nz = g.AddNode("NonZero", "nz", {x});
  nz->output()->set_name("idx");
  g.AddOutput(nz->output());
  RunPipeline(g);
  std::string dir = TempDir("emit_nonzero");
  EmitOptions o;
  o.output_cc = dir + "/nz.cc";
  EmitCpp(g, o);
  std::string header = ReadFile(dir + "/nz.h");
  EXPECT_NE(header.find("int64_t* idx,        /* output 'idx': i64[1x<=5] */\n"
                        "    int64_t* idx_shape); /* receives the 2 dimensions of 'idx' */"),
            std::string::npos)
      << header;
  // odla_GetOutputShape came with ODLA 1.1.
  EXPECT_NE(ReadFile(dir + "/nz.cc").find("odla_CheckVersion(1, 1)"), std::string::npos);
  std::ofstream(dir + "/app.c") << kNonZeroApp;
  std::string lib = std::string(HALO_BINARY_DIR) + "/lib";
  std::string cd = "cd '" + dir + "' && ";
  ASSERT_EQ(
      Sh(cd + "c++ -std=c++17 -Wall -Wextra -Werror -c nz.cc -I" + HALO_SOURCE_DIR + "/include"),
      0);
  ASSERT_EQ(Sh(cd + "cc -std=c99 -Wall -Wextra -Werror -o app app.c nz.o nz.bin -L" + lib +
               " -Wl,-rpath," + lib + " -lodla_ref -lpthread"),
            0);
  ASSERT_EQ(Sh(cd + "./app > app.out"), 0) << ReadFile(dir + "/app.out");
  EXPECT_EQ(ReadFile(dir + "/app.out"), "ok\n");
}

// The memory plan in the generated code: the unused result of a multi-result builder is
// placed through the builder's odla_values; the program computes what the model says.
const char kSplitApp[] = R"(#include <math.h>
#include <stdio.h>
#include "halves.h"
int main(void) {
  const float x[8] = {-1, 2, 3, 4, 5, -6, 7, 8};
  float y[4];
  for (int rep = 0; rep < 2; ++rep) {
    if (halves(x, y) != 0) return 1;
    for (int i = 0; i < 4; ++i) {
      float v = x[i / 2 * 4 + i % 2];
      if (fabsf(y[i] - expf(v > 0 ? v : 0)) > 1e-5f) return 2;
    }
  }
  printf("ok\n");
  return 0;
}
)";

TEST(CppEmitter, MemoryPlanPlacesEveryIntermediateValue) {
  Graph g("halves");
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {2, 4}));
  Node* split = g.AddNode("Split", "split", {x}, 2);
  split->set_attr("axis", int64_t{1});
  split->output(0)->set_name("a");
  split->output(1)->set_name("b");
  Value* r = g.AddNode("Relu", "relu", {split->output(0)})->output();
  r->set_name("r");
  Node* e = g.AddNode("Exp", "exp", {r});
  e->output()->set_name("y");
  g.AddOutput(e->output());
  RunPipeline(g);
  std::string dir = TempDir("emit_plan");
  EmitOptions o;
  o.output_cc = dir + "/halves.cc";
  EmitCpp(g, o);
  std::string code = ReadFile(dir + "/halves.cc");
  EXPECT_NE(code.find("odla_CheckVersion(1, 2)"), std::string::npos);
  EXPECT_NE(code.find("odla_SetComputationArenaSize(g_comp, 128)"), std::string::npos) << code;
  // Relu takes the first half's place; the unused second half has a place of its own.
  EXPECT_NE(code.find("      {a, 0},\n      {split_results.values[1], 64},\n      {r, 0},\n"),
            std::string::npos)
      << code;
  std::ofstream(dir + "/app.c") << kSplitApp;
  std::string lib = std::string(HALO_BINARY_DIR) + "/lib";
  std::string cd = "cd '" + dir + "' && ";
  ASSERT_EQ(Sh(cd + "c++ -std=c++17 -Wall -Wextra -Werror -c halves.cc -I" + HALO_SOURCE_DIR +
               "/include"),
            0);
  ASSERT_EQ(Sh(cd + "cc -std=c99 -Wall -Wextra -Werror -o app app.c halves.o halves.bin -L" + lib +
               " -Wl,-rpath," + lib + " -lodla_ref -lpthread -lm"),
            0);
  ASSERT_EQ(Sh(cd + "./app > app.out"), 0) << ReadFile(dir + "/app.out");
  EXPECT_EQ(ReadFile(dir + "/app.out"), "ok\n");
}

}  // namespace
}  // namespace halo

namespace halo {
namespace {

// A made-up op with every kind of lowered argument (not registered: lowered directly).
TEST(OdlaCallArgs, PrintsEveryKindOfArgumentAsALiteral) {
  OpDef d;
  d.name = "Test";
  d.In("A").OptIn("B").VarIn("C").Out("Y").Out("Z");
  d.Int("i", 0).Float("f", 0).Str("s", "").Ints("is", {}).Floats("fs", {});
  d.DType("t", DataType::kFloat32);
  Graph g;
  Value* a = g.AddInput("a", Type(DataType::kFloat32, {2}));
  Value* c1 = g.AddInput("c1", Type(DataType::kInt64, {}));
  Node n(&d, "test");
  n.add_input(a);
  n.add_input(nullptr);
  n.add_input(c1);
  n.add_input(a);
  n.add_output()->set_type(Type(DataType::kFloat32, {2, 1}));
  n.add_output()->set_type(Type(DataType::kBool, {}));
  n.output(0)->set_name("y");
  n.set_attr("i", int64_t{-9223372036854775807 - 1});
  n.set_attr("f", 1.0);
  n.set_attr("s", std::string("say \"hi\"\n?\?="));
  n.set_attr("is", std::vector<int64_t>{1, -2});
  n.set_attr("fs", std::vector<double>{0.5, 1e-7, -std::numeric_limits<double>::infinity(),
                                       std::numeric_limits<double>::quiet_NaN()});
  n.set_attr("t", int64_t{static_cast<int64_t>(DataType::kInt8)});
  auto ref = [](const Value* v) { return v ? "v_" + v->name() : std::string("nullptr"); };
  std::vector<std::string> want = {
      "v_a",
      "nullptr",
      "odla_values{2, {v_c1, v_a}}",
      "INT64_MIN",
      "1.0f",
      "\"say \\\"hi\\\"\\012?\\?=\"",
      "odla_ints{2, {1, -2}}",
      "odla_floats{4, {0.5f, 1.00000001e-07f, -std::numeric_limits<float>::infinity(), "
      "std::numeric_limits<float>::quiet_NaN()}}",
      "ODLA_INT8",
      "odla_value_types{2, {odla_value_type{ODLA_FLOAT32, {2, {2, 1}}}, "
      "odla_value_type{ODLA_BOOL, {0, {}}}}}",
      "\"y\""};
  EXPECT_EQ(OdlaCallArgs(LowerNode(n), ref), want);
}

}  // namespace
}  // namespace halo
