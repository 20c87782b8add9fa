// Model state across calls (Graph::State) in the C++ target: the generated code keeps the
// state between calls of the entry function and NAME_reset() restores its initial value;
// `halo run`'s executor makes one call from the initial state.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ir/error.h"
#include "passes/passes.h"
#include "targets/cpp_emitter.h"
#include "targets/executor.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;

// y = x + s, then s becomes y + x; s starts at {1, 2}.
std::unique_ptr<Graph> Accumulator() {
  auto g = std::make_unique<Graph>("acc");
  Value* x = g->AddInput("x", Type(DataType::kFloat32, {2}));
  Value* s = g->AddInput("s", Type(DataType::kFloat32, {2}));
  Node* y = g->AddNode("Add", "y", {x, s});
  y->output()->set_name("y");
  g->AddOutput(y->output());
  Node* next = g->AddNode("Add", "next", {y->output(), x});
  next->output()->set_name("next");
  g->AddState("s", s, next->output(), F32({2}, {1, 2}));
  RunPipeline(*g);
  return g;
}

const char kAccApp[] = R"(#include <stdio.h>
#include "acc.h"
int main(void) {
  const float x[2] = {1, 10};
  float y[2];
  /* s: {1, 2} -> {3, 22} -> {5, 42}; y = x + s */
  const float want[4][2] = {{2, 12}, {4, 32}, {6, 52}, {2, 12}};
  for (int call = 0; call < 4; ++call) {
    if (call == 3) acc_reset();
    if (acc(x, y) != 0) return 1;
    if (y[0] != want[call][0] || y[1] != want[call][1]) {
      printf("call %d: %g %g\n", call, y[0], y[1]);
      return 2;
    }
  }
  printf("ok\n");
  return 0;
}
)";

std::string ReadText(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(CppEmitter, KeepsStateAcrossCalls) {
  auto g = Accumulator();
  ASSERT_EQ(g->num_model_inputs(), 1u);
  ASSERT_EQ(g->num_model_outputs(), 1u);
  std::string dir = std::string(HALO_BINARY_DIR) + "/test_tmp/emit_state";
  ASSERT_EQ(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()), 0);
  EmitOptions o;
  o.output_cc = dir + "/acc.cc";
  EmitCpp(*g, o);
  std::string header = ReadText(dir + "/acc.h");
  EXPECT_NE(header.find("int acc(\n    const float* x, /* input 'x': f32[2] */\n"
                        "    float* y);      /* output 'y': f32[2] */"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find("void acc_reset(void);"), std::string::npos) << header;
  std::ofstream(dir + "/app.c") << kAccApp;
  std::string lib = std::string(HALO_BINARY_DIR) + "/lib";
  std::string cd = "cd '" + dir + "' && ";
  ASSERT_EQ(std::system((cd + "c++ -std=c++17 -Wall -Wextra -Werror -c acc.cc -I" +
                         HALO_SOURCE_DIR + "/include")
                            .c_str()),
            0);
  ASSERT_EQ(std::system((cd + "cc -std=c99 -Wall -Wextra -Werror -o app app.c acc.o acc.bin -L" +
                         lib + " -Wl,-rpath," + lib + " -lodla_ref -lpthread")
                            .c_str()),
            0);
  ASSERT_EQ(std::system((cd + "./app > app.out").c_str()), 0) << ReadText(dir + "/app.out");
  EXPECT_EQ(ReadText(dir + "/app.out"), "ok\n");
}

TEST(Executor, RunsAStatefulModelFromItsInitialState) {
  auto g = Accumulator();
  Executor ex(*g);
  auto out = ex.Run({F32({2}, {1, 10})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data<float>()[0], 2.0f);
  EXPECT_EQ(out[0].data<float>()[1], 12.0f);
}

TEST(Graph, StatesTakeTheLastInputsAndOutputs) {
  Graph g;
  Value* s = g.AddInput("s", Type(DataType::kFloat32, {2}));
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {2}));
  Node* n = g.AddNode("Add", "n", {x, s});
  g.AddState("s", s, n->output(), F32({2}, {0, 0}));
  EXPECT_THROW(g.CheckStates(), Error);  // x, a model input, comes after it
  EXPECT_THROW(g.AddState("s2", s, n->output(), F32({2}, {0, 0})), Error);
  EXPECT_THROW(Executor{g}.Run({F32({2}, {1, 1})}), Error);
}

}  // namespace
}  // namespace halo
