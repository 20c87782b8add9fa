// simplify, cse, cancel-transposes and the folding of weight transforms: the graphs they
// leave and the results, against the unoptimized graph on the reference runtime.
#include <gtest/gtest.h>

#include <algorithm>

#include "pass_test_util.h"

namespace halo {
namespace {

using test::ExpectSameResults;
using test::Op;
using test::Ops;
using test::RandomConst;
using Strs = std::vector<std::string>;
using Ints = std::vector<int64_t>;

const DataType kF32 = DataType::kFloat32;

Value* Scalar(Graph& g, double v, DataType dt = kF32) {
  return g.AddConstant(g.UniqueName("k"), Tensor::Scalar(dt, v));
}

TEST(Simplify, ExactArithmeticIdentities) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {2, 3}));
        Value* y = Op(g, "Mul", {Scalar(g, 1), Op(g, "Relu", {x})});
        y = Op(g, "Div", {y, Scalar(g, 1)});
        y = Op(g, "Sub", {y, Scalar(g, 0)});
        y = Op(g, "Add", {y, Scalar(g, -0.0)});
        y = Op(g, "Neg", {Op(g, "Neg", {y})});
        y = Op(g, "Pow", {y, Scalar(g, 1)});
        g.AddOutput(Op(g, "Pow", {y, Scalar(g, 2)}, {}, "y"));
        g.AddOutput(Op(g, "Add", {x, Scalar(g, 0)}));  // x + (+0) turns -0 into +0: kept
        Value* s = Op(g, "Sigmoid", {x});
        g.AddOutput(Op(g, "Mul", {s, RandomConst(g, "ones", {2, 3}, 1, 1)}, {}, "z"));
        g.AddOutput(Op(g, "Div", {x, Scalar(g, 1)}));  // an input is no output: kept
      },
      0);
  EXPECT_EQ(Ops(*g), (Strs{"Relu", "Add", "Sigmoid", "Div", "Mul"}));
  EXPECT_EQ(g->outputs()[0]->name(), "y");
  EXPECT_EQ(g->outputs()[2]->producer()->op(), "Sigmoid");
  EXPECT_EQ(g->outputs()[2]->name(), "z");
}

TEST(Simplify, DataMovementThatChangesNothing) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {2, 3}));
        Value* y = Op(g, "Identity", {Op(g, "Sigmoid", {x})});
        y = Op(g, "Dropout", {y});
        y = Op(g, "Cast", {y}, {{"to", static_cast<int64_t>(kF32)}});
        y = Op(g, "Expand", {y, g.AddConstant("shape", Tensor::FromInts({2, 3}))});
        y = Op(g, "Concat", {y}, {{"axis", int64_t{1}}});
        y = Op(g, "Slice",
               {y, g.AddConstant("starts", Tensor::FromInts({0, 0})),
                g.AddConstant("ends", Tensor::FromInts({5, 3}))});
        y = Op(g, "Pad", {y, g.AddConstant("pads", Tensor::FromInts({0, 0, 0, 0}))});
        y = Op(g, "Tile", {y, g.AddConstant("reps", Tensor::FromInts({1, 1}))});
        y = Op(g, "Sum", {y});
        g.AddOutput(Op(g, "Max", {y}, {}, "y"));
        // Reversing is not the identity, nor is a slice that drops elements.
        g.AddOutput(Op(
            g, "Slice",
            {x, g.AddConstant("s", Tensor::FromInts({-1})),
             g.AddConstant("e", Tensor::FromInts({-10})), g.AddConstant("a", Tensor::FromInts({1})),
             g.AddConstant("st", Tensor::FromInts({-1}))}));
      },
      0);
  EXPECT_EQ(Ops(*g), (Strs{"Sigmoid", "Slice"}));
  EXPECT_EQ(g->outputs()[0]->name(), "y");
}

TEST(Simplify, GraphInputAsOutputKeepsIdentity) {
  auto g = ExpectSameResults(
      [](Graph& g) { g.AddOutput(Op(g, "Identity", {g.AddInput("x", Type(kF32, {2}))})); }, 0);
  EXPECT_EQ(Ops(*g), Strs{"Identity"});
}

TEST(Cse, MergesEqualNodesAndConstants) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {4}));
        Value* a = Op(g, "Add", {Op(g, "Relu", {x}), RandomConst(g, "c", {4})});
        Value* b = Op(g, "Add", {Op(g, "Relu", {x}), RandomConst(g, "c", {4})});
        Value* l1 = Op(g, "LeakyRelu", {x}, {{"alpha", 0.1}});
        Value* l2 = Op(g, "LeakyRelu", {x}, {{"alpha", 0.2}});
        g.AddOutput(Op(g, "Mul", {Op(g, "Mul", {a, b}), Op(g, "Sub", {l1, l2})}));
      },
      0, {"simplify"});
  EXPECT_EQ(Ops(*g), (Strs{"Relu", "Add", "LeakyRelu", "LeakyRelu", "Mul", "Sub", "Mul"}));
}

TEST(Cse, TwoOutputsStayTwoValues) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {4}));
        g.AddOutput(Op(g, "Relu", {x}, {}, "a"));
        g.AddOutput(Op(g, "Relu", {x}, {}, "b"));
      },
      0);
  EXPECT_EQ(Ops(*g), (Strs{"Relu", "Relu"}));
}

TEST(CancelTransposes, TransposePairsAndReshapeChains) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = Op(g, "Relu", {g.AddInput("x", Type(kF32, {2, 3, 4}))});
        Value* t = Op(g, "Transpose", {x}, {{"perm", Ints{1, 2, 0}}});
        g.AddOutput(Op(g, "Transpose", {t}, {{"perm", Ints{2, 0, 1}}}, "back"));  // none left
        Value* u = Op(g, "Transpose", {x}, {{"perm", Ints{2, 1, 0}}});
        g.AddOutput(Op(g, "Transpose", {u}, {{"perm", Ints{0, 2, 1}}}));  // one left
        Value* r = Op(g, "Flatten", {x}, {{"axis", int64_t{2}}});
        r = Op(g, "Unsqueeze", {r, g.AddConstant("ax", Tensor::FromInts({0}))});
        g.AddOutput(Op(g, "Reshape", {r, g.AddConstant("sh", Tensor::FromInts({4, 6}))}));
        Value* s = Op(g, "Sigmoid", {x});
        g.AddOutput(Op(g, "Reshape", {s, g.AddConstant("same", Tensor::FromInts({2, 3, 4}))}));
      },
      0);
  EXPECT_EQ(Ops(*g), (Strs{"Relu", "Sigmoid", "Transpose", "Reshape"}));
  EXPECT_EQ(g->outputs()[0]->producer()->op(), "Relu");
  EXPECT_EQ(g->outputs()[0]->name(), "back");
  EXPECT_EQ(g->outputs()[3]->producer()->op(), "Sigmoid");
}

TEST(CancelTransposes, SinksThroughElementwiseOpsToCancel) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 2, 3, 4}));
        Value* t = Op(g, "Transpose", {x}, {{"perm", Ints{0, 2, 3, 1}}});  // NHWC
        Value* y = Op(g, "Mul", {RandomConst(g, "scale", {2}), Op(g, "Relu", {t})});
        y = Op(g, "Sub", {y, RandomConst(g, "shift", {3, 1, 2})});
        g.AddOutput(Op(g, "Transpose", {y}, {{"perm", Ints{0, 3, 1, 2}}}, "y"));
      },
      0);
  EXPECT_EQ(Ops(*g), (Strs{"Relu", "Mul", "Sub"}));
}

// Two NHWC branches added (a residual block of a TensorFlow net): both Transposes to NHWC
// and the one back to NCHW go.
TEST(CancelTransposes, SinksThroughBinaryOpsOfTwoTransposes) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 2, 3, 4}));
        Value* a = Op(g, "Transpose", {Op(g, "Relu", {x})}, {{"perm", Ints{0, 2, 3, 1}}});
        Value* b = Op(g, "Transpose", {Op(g, "Sigmoid", {x})}, {{"perm", Ints{0, 2, 3, 1}}});
        Value* y = Op(g, "Tanh", {Op(g, "Add", {a, b})});
        g.AddOutput(Op(g, "Transpose", {y}, {{"perm", Ints{0, 3, 1, 2}}}, "y"));
      },
      0);
  EXPECT_EQ(Ops(*g), (Strs{"Relu", "Sigmoid", "Add", "Tanh"}));
}

// A residual block in NHWC: the shortcut value also feeds a convolution (a Transpose to
// NCHW), the sum goes on to another. Both branches compute in NCHW; no Transpose is left.
TEST(CancelTransposes, SinksThroughResidualBranches) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 2, 3, 4}));
        Ints nhwc{0, 2, 3, 1}, nchw{0, 3, 1, 2};
        Value* r = Op(g, "Add",
                      {Op(g, "Transpose", {Op(g, "Relu", {x})}, {{"perm", nhwc}}),
                       RandomConst(g, "bias", {2})});
        Value* s = Op(g, "Mul",
                      {Op(g, "Transpose", {Op(g, "Tanh", {x})}, {{"perm", nhwc}}),
                       RandomConst(g, "scale", {2})});
        Value* z = Op(g, "Relu", {Op(g, "Add", {r, s})});
        g.AddOutput(Op(g, "Sigmoid", {Op(g, "Transpose", {r}, {{"perm", nchw}})}));
        g.AddOutput(Op(g, "Transpose", {z}, {{"perm", nchw}}, "z"));
      },
      0);
  Strs ops = Ops(*g);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Transpose"), 0) << ::testing::PrintToString(ops);
  EXPECT_EQ(ops.size(), 7u);
}

// NHWC branches concatenated on channels (an Inception or fire module) and a constant
// channel block: the Concat runs on the NCHW values along axis 1.
TEST(CancelTransposes, SinksThroughConcat) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 2, 3, 4}));
        Ints nhwc{0, 2, 3, 1}, nchw{0, 3, 1, 2};
        Value* a = Op(g, "Transpose", {Op(g, "Relu", {x})}, {{"perm", nhwc}});
        Value* b = Op(g, "Transpose", {Op(g, "Neg", {x})}, {{"perm", nhwc}});
        Value* c = Op(g, "Concat", {a, RandomConst(g, "k", {1, 3, 4, 1}), Op(g, "Exp", {b})},
                      {{"axis", int64_t{-1}}});
        g.AddOutput(Op(g, "Transpose", {c}, {{"perm", nchw}}, "y"));
      },
      0);
  Strs ops = Ops(*g);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Transpose"), 0) << ::testing::PrintToString(ops);
  EXPECT_EQ(g->outputs()[0]->type().shape, (Shape{1, 5, 3, 4}));
}

// A Pad by constant pads in NHWC (BlazeFace pads channels for its residual Adds): it runs
// on the NCHW values with its pads permuted.
TEST(CancelTransposes, SinksThroughPad) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 2, 3, 4}));
        Ints nhwc{0, 2, 3, 1}, nchw{0, 3, 1, 2};
        Value* a = Op(g, "Transpose", {Op(g, "Relu", {x})}, {{"perm", nhwc}});
        Value* pads = g.AddConstant(
            "pads", Tensor::FromInts({0, 1, 0, 0, 0, 0, 2, 3}, DataType::kInt64, {8}));
        Value* p = Op(g, "Pad", {a, pads, RandomConst(g, "v", {}, 1, 2)});
        Value* b = Op(g, "Transpose", {Op(g, "Tanh", {x})}, {{"perm", nhwc}});
        Value* bp = Op(g, "Pad", {b, pads, nullptr});
        g.AddOutput(Op(g, "Transpose", {Op(g, "Add", {p, bp})}, {{"perm", nchw}}, "y"));
      },
      0);
  Strs ops = Ops(*g);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Transpose"), 0) << ::testing::PrintToString(ops);
  EXPECT_EQ(g->outputs()[0]->type().shape, (Shape{1, 5, 4, 6}));
}

TEST(CancelTransposes, NoSecondTransposeNothingMoves) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {2, 3}));
        g.AddOutput(Op(g, "Relu", {Op(g, "Transpose", {x})}));
      },
      0);
  EXPECT_EQ(Ops(*g), (Strs{"Transpose", "Relu"}));
}

// [1, 4, 3] -> [4, 1, 3] moves no element: a Reshape, which merges with the next one.
TEST(CancelTransposes, MovingOnlyUnitDimensionsIsAReshape) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = Op(g, "Relu", {g.AddInput("x", Type(kF32, {1, 4, 3}))});
        Value* t = Op(g, "Transpose", {x}, {{"perm", Ints{1, 0, 2}}});
        g.AddOutput(Op(g, "Reshape", {t, g.AddConstant("sh", Tensor::FromInts({4, 3}))}));
        g.AddOutput(Op(g, "Transpose", {x}, {{"perm", Ints{0, 2, 1}}}));  // moves elements
      },
      0);
  EXPECT_EQ(Ops(*g), (Strs{"Relu", "Transpose", "Reshape"}));
}

// Weights stored transposed, reshaped, in another type and scaled fold into one constant.
TEST(FoldConstants, WeightTransformsFold) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {3, 8}));
        Value* w = RandomConst(g, "w", {2, 2, 5, 2}, -1, 1, DataType::kFloat64);
        w = Op(g, "Cast", {w}, {{"to", static_cast<int64_t>(kF32)}});
        w = Op(g, "Reshape", {w, g.AddConstant("s", Tensor::FromInts({4, 10}))});
        w = Op(g, "Transpose", {w}, {{"perm", Ints{1, 0}}});
        w = Op(g, "Mul", {w, Scalar(g, 0.5)});
        w = Op(g, "Slice",
               {w, g.AddConstant("b", Tensor::FromInts({0})),
                g.AddConstant("e", Tensor::FromInts({8}))});
        g.AddOutput(Op(g, "MatMul", {x, w}));
      },
      0);
  EXPECT_EQ(Ops(*g), Strs{"MatMul"});
  EXPECT_NE(ConstantOf(g->outputs()[0]->producer()->input(1)), nullptr);
}

}  // namespace
}  // namespace halo
