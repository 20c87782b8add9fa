// split-products: products whose uses are all Slices of columns become one product per
// Slice; the cases it must leave alone. Against the unoptimized graph on the reference
// runtime.
#include <gtest/gtest.h>

#include <algorithm>

#include "pass_test_util.h"

namespace halo {
namespace {

using test::Built;
using test::ExpectSameResults;
using test::Op;
using test::Ops;
using test::RandomConst;
using Strs = std::vector<std::string>;

const DataType kF32 = DataType::kFloat32;

// x[..., begin:end] (negative ends count from the end, as ONNX's do).
Value* Columns(Graph& g, Value* x, int64_t begin, int64_t end) {
  auto c = [&](int64_t v) { return g.AddConstant(g.UniqueName("cut"), Tensor::FromInts({v})); };
  return Op(g, "Slice", {x, c(begin), c(end), c(-1)});
}

int Count(const Graph& g, const std::string& op) {
  Strs ops = Ops(g);
  return static_cast<int>(std::count(ops.begin(), ops.end(), op));
}

// A fused QKV projection (PyTorch's in_proj): x W + b, cut into three.
TEST(SplitProducts, ProjectionCutIntoThree) {
  auto build = [](Graph& g) {
    Value* x = g.AddInput("x", Type(kF32, {2, 3, 8}));
    Value* y = Op(g, "MatMul", {x, RandomConst(g, "w", {8, 12})});
    y = Op(g, "Add", {y, RandomConst(g, "b", {12})});
    g.AddOutput(Op(g, "Relu", {Columns(g, y, 0, 4)}));
    g.AddOutput(Columns(g, y, 4, 8));  // a graph output keeps its name
    g.AddOutput(Op(g, "Neg", {Columns(g, y, -4, 100)}));
  };
  auto g = ExpectSameResults(build, 1e-6);
  EXPECT_EQ(Count(*g, "FusedMatMul"), 3);
  EXPECT_EQ(Count(*g, "Slice"), 0);
  for (const auto& n : g->nodes())
    if (n->op() == "FusedMatMul") {
      EXPECT_EQ(n->input(1)->type().shape, (Shape{8, 4}));
      EXPECT_EQ(n->input(2)->type().shape, (Shape{4}));
    }
  auto whole = Built(build, true, {"split-products"});
  EXPECT_EQ(Count(*whole, "Slice"), 3);
  EXPECT_EQ(Count(*whole, "FusedMatMul"), 1);
}

// Gemm with transposed weights ([N, K]: rows are cut), its C and an activation; and a Gemm
// whose C is one value.
TEST(SplitProducts, GemmRowsOfTransposedWeightsAndTheActivation) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {5, 6}));
        Value* y = Op(g, "Gemm", {x, RandomConst(g, "w", {9, 6}), RandomConst(g, "c", {9})},
                      {{"transB", int64_t{1}}, {"alpha", 0.5}, {"beta", 2.0}});
        y = Op(g, "Sigmoid", {y});
        g.AddOutput(Op(g, "Neg", {Columns(g, y, 0, 3)}));
        g.AddOutput(Op(g, "Neg", {Columns(g, y, 3, 9)}));
        Value* z = Op(g, "Gemm", {x, RandomConst(g, "v", {6, 4}), RandomConst(g, "d", {1})});
        g.AddOutput(Op(g, "Neg", {Columns(g, z, 1, 3)}));
        g.AddOutput(Op(g, "Neg", {Columns(g, z, 0, 1)}));
      },
      1e-6);
  EXPECT_EQ(Count(*g, "Slice"), 0);
  EXPECT_EQ(Count(*g, "FusedGemm") + Count(*g, "Gemm"), 4);
}

// A Split of the columns (PyTorch 2.9's exporter cuts QKV so), beside a Slice of them; a
// Split of rows is left alone.
Value* SplitInto(Graph& g, Value* x, int64_t axis, const std::vector<int64_t>& sizes, int part) {
  Node* n = g.AddNode("Split", g.UniqueName("split"), {x}, static_cast<int>(sizes.size()));
  n->set_attr("axis", axis);
  n->set_attr("split", sizes);
  for (size_t i = 0; i < sizes.size(); ++i)
    n->output(i)->set_name(n->name() + "_" + std::to_string(i));
  return n->output(part);
}

TEST(SplitProducts, SplitOfTheColumns) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {2, 3, 8}));
        Value* y = Op(g, "MatMul", {x, RandomConst(g, "w", {8, 12})});
        y = Op(g, "Add", {y, RandomConst(g, "b", {12})});
        Node* split = SplitInto(g, y, 2, {5, 4, 3}, 0)->producer();
        g.AddOutput(Op(g, "Relu", {split->output(0)}));
        g.AddOutput(split->output(1));
        g.AddOutput(Op(g, "Neg", {split->output(2)}));
        g.AddOutput(Columns(g, y, 1, 3));
        Value* z = Op(g, "MatMul", {x, RandomConst(g, "v", {8, 4})});
        g.AddOutput(SplitInto(g, z, 1, {1, 2}, 0));  // rows
        g.AddOutput(SplitInto(g, z, 1, {1, 2}, 1));
      },
      1e-6);
  EXPECT_EQ(Count(*g, "FusedMatMul"), 4);
  EXPECT_EQ(Count(*g, "Slice"), 0);
  EXPECT_EQ(Count(*g, "Split"), 1);  // the rows' (cse merged its two copies)
}

// Left alone: a use that is not a Slice, a Slice of rows, a single Slice, a product with a
// Sum, weights that are not constant.
TEST(SplitProducts, LeavesOtherUsesAlone) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {4, 6}));
        Value* a = Op(g, "MatMul", {x, RandomConst(g, "w1", {6, 8}, -1, 1, kF32, 1)});
        g.AddOutput(Columns(g, a, 0, 4));
        g.AddOutput(Op(g, "Relu", {a}));
        Value* b = Op(g, "MatMul", {x, RandomConst(g, "w2", {6, 8}, -1, 1, kF32, 2)});
        auto c = [&](int64_t v) { return g.AddConstant(g.UniqueName("r"), Tensor::FromInts({v})); };
        g.AddOutput(Op(g, "Slice", {b, c(0), c(2), c(0)}));  // rows
        g.AddOutput(Columns(g, b, 2, 6));
        Value* d = Op(g, "MatMul", {x, RandomConst(g, "w3", {6, 8}, -1, 1, kF32, 3)});
        g.AddOutput(Columns(g, d, 1, 5));  // one Slice: a copy of a part either way
        Value* s = g.AddInput("residual", Type(kF32, {4, 8}));
        Value* e =
            Op(g, "Add", {Op(g, "MatMul", {x, RandomConst(g, "w4", {6, 8}, -1, 1, kF32, 4)}), s});
        g.AddOutput(Columns(g, e, 0, 4));
        g.AddOutput(Columns(g, e, 4, 8));
        Value* w = g.AddInput("weights", Type(kF32, {6, 8}));
        Value* f = Op(g, "MatMul", {x, w});
        g.AddOutput(Columns(g, f, 0, 4));
        g.AddOutput(Columns(g, f, 4, 8));
      },
      1e-6);
  EXPECT_EQ(Count(*g, "Slice"), 8);
  EXPECT_EQ(Count(*g, "MatMul") + Count(*g, "FusedMatMul"), 5);
}

}  // namespace
}  // namespace halo
