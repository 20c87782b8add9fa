#include "ir/printer.h"

#include <gtest/gtest.h>

#include "passes/passes.h"
#include "test_util.h"

namespace halo {
namespace {

TEST(PrintGraph, PrintsInputsNodesConstantsAndOutputs) {
  Graph g("tiny");
  Value* x = g.AddInput("x", Type(DataType::kFloat32, {2, 3}));
  Value* c = g.AddConstant("c", test::F32({3}, {1, -2, 0.5f}));
  Value* big = g.AddConstant("big", Tensor(Type(DataType::kFloat32, {4, 2, 3})));
  Node* add = g.AddNode("Add", "add", {x, c});
  add->output()->set_name("sum");
  Node* add2 = g.AddNode("Add", "add2", {add->output(), big});
  add2->output()->set_name("odd name");
  Node* relu = g.AddNode("Relu", "relu", {add2->output()});
  relu->output()->set_name("y");
  g.AddOutput(relu->output());
  InferShapes(g);
  EXPECT_EQ(PrintGraph(g),
            "graph tiny {\n"
            "  input %x:f32[2x3]\n"
            "  const %c:f32[3] = [1, -2, 0.5]  # c\n"
            "  const %big:f32[4x2x3]  # big\n"
            "  %sum:f32[2x3] = Add(%x, %c)  # add\n"
            "  %\"odd name\":f32[4x2x3] = Add(%sum, %big)  # add2\n"
            "  %y:f32[4x2x3] = Relu(%\"odd name\")  # relu\n"
            "  output %y\n"
            "}\n");
}

TEST(PrintGraph, NamesUnnamedValuesAndShowsUnknownTypes) {
  Graph g;
  Value* x = g.AddInput("x", Type(DataType::kInt64, {}));
  Node* r = g.AddNode("Relu", "r", {x});
  g.AddOutput(r->output());
  EXPECT_EQ(PrintGraph(g),
            "graph model {\n"
            "  input %x:i64[]\n"
            "  %r.0:? = Relu(%x)  # r\n"
            "  output %r.0\n"
            "}\n");
}

}  // namespace
}  // namespace halo
