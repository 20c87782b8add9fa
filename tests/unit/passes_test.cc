#include "passes/passes.h"

#include <gtest/gtest.h>

#include "ir/op_registry.h"
#include "targets/executor.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;
using test::Floats;

TEST(InferShapes, BroadcastAdd) {
  Graph g;
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {2, 3}));
  Value* b = g.AddInput("b", Type(DataType::kFloat32, {3}));
  Node* add = g.AddNode("Add", "add", {x, b});
  g.AddOutput(add->output());
  InferShapes(g);
  EXPECT_EQ(add->output()->type(), Type(DataType::kFloat32, {2, 3}));
}

TEST(InferShapes, RejectsMismatchedShapes) {
  Graph g;
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {2, 3}));
  Value* y = g.AddInput("y", Type(DataType::kFloat32, {4}));
  g.AddOutput(g.AddNode("Add", "add", {x, y})->output());
  try {
    InferShapes(g);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'add' (Add)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("do not broadcast"), std::string::npos) << e.what();
  }
}

TEST(FoldConstants, FoldsConstantSubgraph) {
  Graph g;
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {2}));
  Value* a = g.AddConstant("a", F32({2}, {1, -2}));
  Value* b = g.AddConstant("b", F32({2}, {3, 4}));
  Node* s = g.AddNode("Add", "s", {a, b});
  Node* r = g.AddNode("Relu", "r", {s->output()});
  Node* out = g.AddNode("Add", "out", {x, r->output()});
  g.AddOutput(out->output());
  for (auto& n : g.nodes())
    if (n->op() != "Input" && n->op() != "Constant") VerifyAndInfer(n.get());
  EXPECT_TRUE(FoldConstants(g));
  ASSERT_EQ(out->input(1)->producer()->op(), "Constant");
  EXPECT_EQ(Floats(*ConstantOf(out->input(1))), (std::vector<float>{4, 2}));
  EXPECT_FALSE(FoldConstants(g));
}

TEST(EliminateDeadCode, RemovesUnusedNodes) {
  Graph g;
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {2}));
  g.AddNode("Relu", "dead", {x});
  Node* live = g.AddNode("Relu", "live", {x});
  g.AddOutput(live->output());
  EXPECT_TRUE(EliminateDeadCode(g));
  EXPECT_EQ(g.nodes().size(), 2u);
  EXPECT_FALSE(EliminateDeadCode(g));
}

TEST(EliminateDeadCode, PrefixKeepsWhatLaterNodesUse) {
  Graph g;
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {2}));
  Value* c = g.AddConstant("c", F32({2}, {1, 2}));
  Value* d = g.AddConstant("d", F32({2}, {3, 4}));
  g.AddNode("Relu", "dead", {d});
  g.AddNode("Relu", "dead_later", {x});
  g.AddOutput(g.AddNode("Add", "live", {x, c})->output());
  EXPECT_EQ(EliminateDeadPrefix(g, 4), 2u);  // d and dead; c is used by a later node
  std::vector<std::string> names;
  for (const auto& n : g.nodes()) names.push_back(n->name());
  EXPECT_EQ(names, (std::vector<std::string>{"x", "c", "dead_later", "live"}));
}

TEST(Executor, RunsGraph) {
  Graph g;
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {3}));
  Value* c = g.AddConstant("c", F32({3}, {1, 1, 1}));
  g.AddOutput(g.AddNode("Relu", "r", {g.AddNode("Add", "a", {x, c})->output()})->output());
  RunPipeline(g);
  Executor ex(g);
  auto out = ex.Run({F32({3}, {-3, 0, 2})});
  EXPECT_EQ(Floats(out[0]), (std::vector<float>{0, 1, 3}));
}

}  // namespace
}  // namespace halo
