// merge-transposes: each move alone, the cases it must leave alone, and attention as
// PyTorch exports it, against the unoptimized graph on the reference runtime.
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
using Ints = std::vector<int64_t>;

const DataType kF32 = DataType::kFloat32;
const double kTol = 1e-5;  // products may sum in another order

int Transposes(const Graph& g) {
  std::vector<std::string> ops = Ops(g);
  return static_cast<int>(std::count(ops.begin(), ops.end(), "Transpose"));
}

// The Transposes left with and without the pass (results compared with the unoptimized
// graph first).
std::pair<int, int> Counts(const test::BuildFn& build) {
  auto g = ExpectSameResults(build, kTol);
  return {Transposes(*g), Transposes(*Built(build, true, {"merge-transposes"}))};
}

Value* Shaped(Graph& g, Value* x, const Ints& shape) {
  return Op(g, "Reshape", {x, g.AddConstant(g.UniqueName("shape"), Tensor::FromInts(shape))});
}

Value* Transposed(Graph& g, Value* x, const Ints& perm) {
  return Op(g, "Transpose", {x}, {{"perm", perm}});
}

Value* SliceLast(Graph& g, Value* x, int64_t begin, int64_t end) {
  auto c = [&](int64_t v) { return g.AddConstant(g.UniqueName("s"), Tensor::FromInts({v})); };
  return Op(g, "Slice", {x, c(begin), c(end), c(-1)});
}

TEST(MergeTransposes, DownThroughAProductAndItsBias) {
  auto counts = Counts([](Graph& g) {
    Value* x = g.AddInput("x", Type(kF32, {2, 3, 4}));
    Value* y = Op(g, "MatMul", {Transposed(g, x, {1, 0, 2}), RandomConst(g, "w", {4, 5})});
    y = Op(g, "Add", {y, RandomConst(g, "b", {5})});
    g.AddOutput(Transposed(g, y, {1, 0, 2}));
  });
  EXPECT_EQ(counts, std::make_pair(0, 2));
}

TEST(MergeTransposes, DownThroughSlicesIntoBranches) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {2, 3, 6}));
        Value* t = Transposed(g, x, {1, 0, 2});  // [3, 2, 6]
        g.AddOutput(Transposed(g, SliceLast(g, t, 0, 4), {1, 0, 2}));
        // axis 1 of t is axis 0 of x, cut from 1 by -1
        auto c = [&](int64_t v) { return g.AddConstant(g.UniqueName("s"), Tensor::FromInts({v})); };
        Value* s = Op(g, "Slice", {t, c(1), c(-3), c(1), c(-1)});  // [3, 2, 6]
        g.AddOutput(Transposed(g, s, {2, 1, 0}));
      },
      0);
  EXPECT_EQ(Transposes(*g), 1);  // from 3
  EXPECT_EQ(g->outputs()[1]->type().shape, (Shape{6, 2, 3}));
}

// [b, s, 8] -> [s, b, 8] -> [s, b * 2, 4] -> [b * 2, s, 4] (a head's q): one Transpose of
// [b, s, 2, 4] by (0, 2, 1, 3).
TEST(MergeTransposes, ReshapesThatSplitAndMergeCompose) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {2, 3, 8}));
        Value* q = Shaped(g, Transposed(g, x, {1, 0, 2}), {3, 4, 4});
        g.AddOutput(Transposed(g, q, {1, 0, 2}));
        Value* k = Shaped(g, Transposed(g, x, {1, 0, 2}), {3, 4, 4});
        g.AddOutput(Transposed(g, k, {1, 2, 0}));
      },
      0);
  ASSERT_EQ(Transposes(*g), 2);  // from 3 (cse makes the two first ones one)
  int heads = 0;                 // q's: k's keeps d after h, a Transpose of [b, s, 8] by (0, 2, 1)
  for (const auto& n : g->nodes()) {
    if (n->op() == "Transpose" && n->input(0)->type().shape == Shape{2, 3, 2, 4}) {
      EXPECT_EQ(n->GetInts("perm"), (Ints{0, 2, 1, 3}));
      ++heads;
    }
  }
  EXPECT_EQ(heads, 1);
}

// The way out of attention: [b * 2, s, 4] -> [s, b * 2, 4] -> [s * b, 8] -> Gemm -> [s, b, 8]
// -> [b, s, 8]: one Transpose before the Gemm.
TEST(MergeTransposes, UpThroughAGemm) {
  auto counts = Counts([](Graph& g) {
    Value* x = g.AddInput("x", Type(kF32, {4, 3, 4}));
    Value* y = Shaped(g, Transposed(g, Op(g, "Relu", {x}), {1, 0, 2}), {6, 8});
    y = Op(g, "Gemm", {y, RandomConst(g, "w", {8, 8}), RandomConst(g, "b", {8})},
           {{"transB", int64_t{1}}});
    g.AddOutput(Transposed(g, Shaped(g, y, {3, 2, 8}), {1, 0, 2}));
  });
  EXPECT_EQ(counts, std::make_pair(1, 2));
}

// A Transpose that moves the last axis cannot cross a product on it.
TEST(MergeTransposes, LastAxisMovedStays) {
  auto counts = Counts([](Graph& g) {
    Value* x = g.AddInput("x", Type(kF32, {2, 3, 4}));
    Value* y = Op(g, "MatMul", {Transposed(g, x, {0, 2, 1}), RandomConst(g, "w", {3, 5})});
    g.AddOutput(Transposed(g, y, {0, 2, 1}));
  });
  EXPECT_EQ(counts, std::make_pair(2, 2));
}

// [3, 2, 4] -> [4, 6] mixes the dimensions: no split into factors fits both.
TEST(MergeTransposes, ReshapeMixingAxesStays) {
  auto counts = Counts([](Graph& g) {
    Value* x = g.AddInput("x", Type(kF32, {2, 3, 4}));
    g.AddOutput(Transposed(g, Shaped(g, Transposed(g, x, {1, 0, 2}), {4, 6}), {1, 0}));
  });
  EXPECT_EQ(counts, std::make_pair(2, 2));
}

// Two users of the Transpose would each need it: moving it to merge with the third's saves
// nothing.
TEST(MergeTransposes, TransposeWithOtherUsersStays) {
  auto counts = Counts([](Graph& g) {
    Value* x = g.AddInput("x", Type(kF32, {2, 3, 4}));
    Value* t = Transposed(g, x, {1, 0, 2});
    g.AddOutput(Transposed(g, Op(g, "MatMul", {t, RandomConst(g, "w", {4, 5})}), {1, 0, 2}));
    g.AddOutput(Op(g, "MatMul", {t, RandomConst(g, "v", {4, 5})}));
    g.AddOutput(Op(g, "Sigmoid", {t}));
  });
  EXPECT_EQ(counts, std::make_pair(2, 2));
}

// Moving the Transpose after a product that widens the rows 10 times would leave one
// Transpose instead of two, but one that moves 240 elements instead of 24 + 12.
TEST(MergeTransposes, WideningStays) {
  auto counts = Counts([](Graph& g) {
    Value* x = g.AddInput("x", Type(kF32, {2, 3, 4}));
    Value* y = Op(g, "MatMul", {Transposed(g, x, {1, 0, 2}), RandomConst(g, "w", {4, 40})});
    g.AddOutput(Transposed(g, SliceLast(g, y, 0, 2), {1, 0, 2}));
    g.AddOutput(Op(g, "Sigmoid", {y}));
  });
  EXPECT_EQ(counts, std::make_pair(2, 2));
}

// Self-attention of nn.MultiheadAttention (batch_first) as exported to ONNX: batch 2,
// sequence 3, 2 heads of 4.
TEST(MergeTransposes, AttentionLayer) {
  auto counts = Counts([](Graph& g) {
    const int64_t b = 2, s = 3, h = 2, d = 4, e = h * d;
    Value* x = g.AddInput("x", Type(kF32, {b, s, e}));
    Value* t = Transposed(g, x, {1, 0, 2});
    Value* qkv = Op(g, "MatMul", {t, RandomConst(g, "w_in", {e, 3 * e})});
    qkv = Op(g, "Add", {qkv, RandomConst(g, "b_in", {3 * e})});
    auto head = [&](int i) {
      return Shaped(g, SliceLast(g, qkv, i * e, (i + 1) * e), {s, b * h, d});
    };
    Value* q = Transposed(g, head(0), {1, 0, 2});
    q = Op(g, "Div", {q, g.AddConstant("scale", Tensor::Scalar(kF32, 2.0))});
    Value* k = Transposed(g, head(1), {1, 2, 0});
    Value* v = Transposed(g, head(2), {1, 0, 2});
    Value* a = Op(g, "Softmax", {Op(g, "MatMul", {q, k})}, {{"axis", int64_t{-1}}});
    Value* o = Shaped(g, Transposed(g, Op(g, "MatMul", {a, v}), {1, 0, 2}), {s * b, e});
    o = Op(g, "Gemm", {o, RandomConst(g, "w_out", {e, e}), RandomConst(g, "b_out", {e})},
           {{"transB", int64_t{1}}});
    o = Transposed(g, Shaped(g, o, {s, b, e}), {1, 0, 2});
    g.AddOutput(Op(g, "Add", {o, x}));
  });
  EXPECT_EQ(counts, std::make_pair(4, 6));
}

}  // namespace
}  // namespace halo
