// fold-batchnorm, fuse-conv and fuse-gemm: the graphs they leave and the results, against
// the unoptimized graph on the reference runtime.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ir/error.h"
#include "ir/printer.h"
#include "pass_test_util.h"

namespace halo {
namespace {

using test::ExpectSameResults;
using test::Op;
using test::Ops;
using test::RandomConst;
using Strs = std::vector<std::string>;

const DataType kF32 = DataType::kFloat32;
const DataType kF64 = DataType::kFloat64;

// A BatchNormalization over `channels` with constant statistics (var > 0).
Value* BatchNorm(Graph& g, Value* x, int64_t channels, DataType dt = kF32) {
  return Op(g, "BatchNormalization",
            {x, RandomConst(g, "scale", {channels}, 0.5, 2, dt, 1),
             RandomConst(g, "shift", {channels}, -1, 1, dt, 2),
             RandomConst(g, "mean", {channels}, -1, 1, dt, 3),
             RandomConst(g, "var", {channels}, 0.1, 3, dt, 4)},
            {{"epsilon", 1e-3}});
}

Value* Conv(Graph& g, Value* x, int64_t m, int64_t c, int64_t k, bool bias = true,
            int64_t group = 1, DataType dt = kF32) {
  std::vector<Value*> in = {x, RandomConst(g, "w", {m, c / group, k, k}, -0.5, 0.5, dt)};
  if (bias) in.push_back(RandomConst(g, "b", {m}, -1, 1, dt, 5));
  int64_t p = k / 2;
  return Op(g, "Conv", in, {{"group", group}, {"pads", std::vector<int64_t>{p, p, p, p}}});
}

TEST(FoldBatchNorm, ConvBatchNormBecomesOneConv) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {2, 4, 6, 6}));
        g.AddOutput(BatchNorm(g, Conv(g, x, 8, 4, 3), 8));
      },
      1e-5, {"fuse-conv"});
  EXPECT_EQ(Ops(*g), Strs{"Conv"});
}

TEST(FoldBatchNorm, ConvWithoutBiasAndFloat64) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF64, {1, 4, 5, 5}));
        g.AddOutput(BatchNorm(g, Conv(g, x, 4, 4, 3, false, 2, kF64), 4, kF64));
      },
      1e-12);
  EXPECT_EQ(Ops(*g), Strs{"Conv"});
}

TEST(FoldBatchNorm, GroupedConvTranspose) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 4, 3, 3}));
        Value* w = RandomConst(g, "w", {4, 3, 2, 2});  // [C, M/group, k, k], M = 6
        Value* y = Op(g, "ConvTranspose", {x, w, RandomConst(g, "b", {6})},
                      {{"group", int64_t{2}}, {"strides", std::vector<int64_t>{2, 2}}});
        g.AddOutput(BatchNorm(g, y, 6));
      },
      1e-5);
  EXPECT_EQ(Ops(*g), Strs{"ConvTranspose"});
}

TEST(FoldBatchNorm, GemmAndMatMulBecomeGemm) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {3, 5}));
        Value* y = Op(g, "Gemm", {x, RandomConst(g, "w", {4, 5}), RandomConst(g, "c", {1, 4})},
                      {{"transB", int64_t{1}}, {"beta", 0.5}, {"alpha", 2.0}});
        g.AddOutput(BatchNorm(g, y, 4));
        g.AddOutput(BatchNorm(g, Op(g, "MatMul", {x, RandomConst(g, "v", {5, 3})}), 3));
      },
      1e-5);
  EXPECT_EQ(Ops(*g), (Strs{"Gemm", "Gemm"}));
}

TEST(FoldBatchNorm, PerChannelMulFoldsIntoWeights) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 3, 4, 4}));
        Value* y = Op(g, "Mul", {RandomConst(g, "s", {5, 1, 1}), Conv(g, x, 5, 3, 1)});
        g.AddOutput(y);
        Value* z = g.AddInput("z", Type(kF32, {2, 3, 6}));
        g.AddOutput(
            Op(g, "Mul",
               {Op(g, "MatMul", {z, RandomConst(g, "v", {6, 4})}), RandomConst(g, "t", {4})}));
      },
      1e-5);
  EXPECT_EQ(Ops(*g), (Strs{"Conv", "MatMul"}));
}

// After fusion: a Div or Mul by a constant after a product's fused bias (attention's query
// divided by sqrt(64)) goes into its weights and bias; by a power of two the bits are the
// unfused ones. A fused activation keeps it.
TEST(FoldBatchNorm, ScaleAfterAFusedBiasFoldsIntoTheWeights) {
  auto scalar = [](Graph& g, const char* name, double v) {
    return g.AddConstant(name, Tensor::Scalar(kF32, v));
  };
  auto g = ExpectSameResults(
      [&](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {2, 3, 16}));
        Value* m = Op(g, "MatMul", {x, RandomConst(g, "w", {16, 24})});
        m = Op(g, "Add", {m, RandomConst(g, "bias", {24})});
        g.AddOutput(Op(g, "Div", {m, scalar(g, "eight", 8)}));
      },
      0);
  EXPECT_EQ(Ops(*g), Strs{"FusedMatMul"});
  g = ExpectSameResults(
      [&](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 3, 6, 6}));
        Value* c = Op(g, "Add", {Conv(g, x, 4, 3, 3, false), RandomConst(g, "b", {4, 1, 1})});
        g.AddOutput(Op(g, "Mul", {scalar(g, "quarter", 0.25), c}));
        Value* z = g.AddInput("z", Type(kF32, {5, 16}));
        Value* y = Op(g, "Gemm", {z, RandomConst(g, "v", {16, 6}), RandomConst(g, "d", {6})});
        g.AddOutput(Op(g, "Div", {y, RandomConst(g, "per_column", {6}, 0.5, 2)}));
      },
      1e-6);
  EXPECT_EQ(Ops(*g), (Strs{"Gemm", "Conv"}));
  g = ExpectSameResults(
      [&](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {4, 16}));
        Value* m = Op(g, "MatMul", {x, RandomConst(g, "w", {16, 8})});
        m = Op(g, "Relu", {Op(g, "Add", {m, RandomConst(g, "bias", {8})})});
        g.AddOutput(Op(g, "Div", {m, scalar(g, "eight", 8)}));
      },
      0);
  EXPECT_EQ(Ops(*g), (Strs{"FusedMatMul", "Div"}));
}

TEST(FoldBatchNorm, KeepsLoneAndSharedBatchNorm) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 3, 4, 4}));
        g.AddOutput(BatchNorm(g, x, 3));  // no producer to fold into
        Value* c = Conv(g, x, 3, 3, 3);
        g.AddOutput(BatchNorm(g, c, 3));
        g.AddOutput(c);  // the conv's result is needed as it is
      },
      0, {"fuse-conv"});
  EXPECT_EQ(Ops(*g), (Strs{"BatchNormalization", "Conv", "BatchNormalization"}));
}

// A residual block: relu(conv(relu(conv(x) + b)) + x), the convs with more than 256 inputs
// per output (several K blocks in the GEMM).
void ResidualBlock(Graph& g) {
  Value* x = g.AddInput("x", Type(kF32, {1, 32, 7, 7}));
  Value* a =
      Op(g, "Relu",
         {Op(g, "Add", {Conv(g, x, 32, 32, 3, false), RandomConst(g, "bias", {1, 32, 1, 1})})});
  Value* y = Op(g, "Relu", {Op(g, "Add", {x, Conv(g, a, 32, 32, 3)})}, {}, "out");
  g.AddOutput(y);
}

TEST(FuseConv, ResidualBlock) {
  auto g = ExpectSameResults(ResidualBlock, 1e-6);
  EXPECT_EQ(Ops(*g), (Strs{"FusedConv", "FusedConv"}));
  const Node& last = *g->outputs()[0]->producer();
  EXPECT_EQ(last.GetString("activation"), "Relu");
  EXPECT_EQ(last.input(3), g->inputs()[0]);  // the residual
  EXPECT_EQ(g->outputs()[0]->name(), "out");
}

// Conv (with its bias) + Sum + activation computes exactly what the separate ops compute.
TEST(FuseConv, SumAndActivationAreExact) {
  for (const char* act : {"Relu", "Sigmoid", "Tanh", "Elu", "LeakyRelu", "HardSigmoid"}) {
    SCOPED_TRACE(act);
    auto g = ExpectSameResults(
        [&](Graph& g) {
          Value* x = g.AddInput("x", Type(kF32, {2, 30, 5, 5}));
          Value* s = g.AddInput("s", Type(kF32, {2, 6, 5, 5}));
          Value* c = Conv(g, x, 6, 30, 3);
          g.AddOutput(Op(g, act, {Op(g, "Add", {c, s})}));
        },
        0);
    EXPECT_EQ(Ops(*g), Strs{"FusedConv"}) << act;
  }
}

TEST(FuseConv, DepthwiseClipAndPointwise) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 8, 9, 9}));
        Value* lo = g.AddConstant("lo", Tensor::Scalar(kF32, 0));
        Value* hi = g.AddConstant("hi", Tensor::Scalar(kF32, 6));
        Value* d = Op(g, "Clip", {Conv(g, x, 8, 8, 3, true, 8), lo, hi});
        g.AddOutput(Op(g, "Clip", {Conv(g, d, 16, 8, 1), lo}));
      },
      0);
  EXPECT_EQ(Ops(*g), (Strs{"FusedConv", "FusedConv"}));
}

TEST(FuseConv, HardSwishFromHardSigmoidAndMul) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF64, {1, 4, 6, 6}));
        Value* c = Conv(g, x, 4, 4, 3, true, 1, kF64);
        Value* h = Op(g, "HardSigmoid", {c}, {{"alpha", 1.0 / 6}});
        g.AddOutput(Op(g, "Mul", {c, h}));
      },
      0);
  EXPECT_EQ(Ops(*g), Strs{"FusedConv"});
  EXPECT_EQ(g->outputs()[0]->producer()->GetString("activation"), "HardSwish");
}

TEST(FuseConv, BiasOnlyGivesConvAndSharedResultsStay) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 3, 4, 4}));
        Value* c = Conv(g, x, 4, 3, 3);
        g.AddOutput(Op(g, "Sub", {c, RandomConst(g, "k", {4, 1, 1})}));
        Value* shared = Conv(g, x, 4, 3, 1);
        g.AddOutput(Op(g, "Relu", {shared}));
        g.AddOutput(Op(g, "Sigmoid", {shared}));
      },
      1e-6);
  EXPECT_EQ(Ops(*g), (Strs{"Conv", "Relu", "Sigmoid", "Conv"}));
}

TEST(FuseGemm, GemmMatMulBiasSumActivation) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {1, 300}));  // one row: the small-m GEMM path
        Value* y = Op(g, "Gemm", {x, RandomConst(g, "w", {20, 300}), RandomConst(g, "c", {20})},
                      {{"transB", int64_t{1}}});
        g.AddOutput(Op(g, "Relu", {y}));
        Value* z = g.AddInput("z", Type(kF32, {2, 9, 300}));
        Value* s = g.AddInput("s", Type(kF32, {2, 9, 40}));
        Value* m = Op(g, "MatMul", {z, RandomConst(g, "v", {300, 40})});
        m = Op(g, "Add", {s, Op(g, "Add", {m, RandomConst(g, "bias", {40})})});
        g.AddOutput(Op(g, "Sigmoid", {m}));
        Value* q = g.AddInput("q", Type(kF32, {10, 20}));  // C [10, 1] is copied into Y first
        Value* r = g.AddInput("r", Type(kF32, {10, 7}));
        Value* p = Op(g, "Gemm", {q, RandomConst(g, "u", {20, 7}), RandomConst(g, "d", {10, 1})});
        g.AddOutput(Op(g, "Tanh", {Op(g, "Add", {p, r})}));
      },
      1e-6);
  EXPECT_EQ(Ops(*g), (Strs{"FusedGemm", "FusedMatMul", "FusedGemm"}));
}

// x * (erf(x / sqrt(2)) + 1) * 0.5 as PyTorch exports the exact GELU; with another divisor
// it is not one.
TEST(FuseGemm, GeluFromTheErfFormula) {
  for (double divisor : {std::sqrt(2.0), 1.5}) {
    auto g = ExpectSameResults(
        [&](Graph& g) {
          Value* x = g.AddInput("x", Type(kF32, {2, 3, 16}));
          Value* m = Op(g, "MatMul", {x, RandomConst(g, "w", {16, 24})});
          m = Op(g, "Add", {m, RandomConst(g, "bias", {24})});
          auto scalar = [&](const char* name, double v) {
            return g.AddConstant(name, Tensor::Scalar(kF32, v));
          };
          Value* e = Op(g, "Erf", {Op(g, "Div", {m, scalar("sqrt2", divisor)})});
          Value* p = Op(g, "Mul", {m, Op(g, "Add", {scalar("one", 1), e})});
          g.AddOutput(Op(g, "Mul", {p, scalar("half", 0.5)}));
        },
        1e-6);
    if (divisor == 1.5) {
      EXPECT_EQ(Ops(*g), (Strs{"FusedMatMul", "Div", "Erf", "Add", "Mul", "Mul"}));
      continue;
    }
    EXPECT_EQ(Ops(*g), Strs{"FusedMatMul"});
    EXPECT_EQ(g->outputs()[0]->producer()->GetString("activation"), "Gelu");
  }
}

// PyTorch's attention output: Gemm [s*b, n] -> Reshape [b, s, n] -> residual Add -> the
// next op. The Add fuses into the Gemm as its Sum (reshaped to the rows); a Reshape that
// moves the columns stops the fusion.
TEST(FuseGemm, ResidualAfterAReshapeThatKeepsTheColumns) {
  for (bool keep_columns : {true, false}) {
    auto g = ExpectSameResults(
        [&](Graph& g) {
          Value* x = g.AddInput("x", Type(kF32, {6, 8}));
          Value* res =
              g.AddInput("res", Type(kF32, keep_columns ? Shape{2, 3, 4} : Shape{6, 2, 2}));
          Value* y = Op(g, "Gemm", {x, RandomConst(g, "w", {8, 4}), RandomConst(g, "c", {4})});
          y = Op(g, "Reshape", {y},
                 {{"shape",
                   keep_columns ? std::vector<int64_t>{2, 3, 4} : std::vector<int64_t>{6, 2, 2}}});
          g.AddOutput(Op(g, "Relu", {Op(g, "Add", {y, res})}));
        },
        1e-6);
    if (keep_columns) {
      EXPECT_EQ(Ops(*g), (Strs{"Reshape", "FusedGemm", "Reshape"}));
      EXPECT_EQ(g->outputs()[0]->type().shape, (Shape{2, 3, 4}));
    } else {
      EXPECT_EQ(Ops(*g), (Strs{"Gemm", "Reshape", "Add", "Relu"}));
    }
  }
}

TEST(FuseGemm, BiasOnlyGemmKeepsGemm) {
  auto g = ExpectSameResults(
      [](Graph& g) {
        Value* x = g.AddInput("x", Type(kF32, {5, 6}));
        Value* y = Op(g, "Gemm", {x, RandomConst(g, "w", {6, 3}), RandomConst(g, "c", {3})},
                      {{"beta", 2.0}});
        g.AddOutput(Op(g, "Add", {RandomConst(g, "b", {1, 3}), y}));
      },
      1e-6);
  EXPECT_EQ(Ops(*g), Strs{"Gemm"});
  EXPECT_EQ(g->outputs()[0]->producer()->GetFloat("beta"), 1.0);
}

// PyTorch's export of LayerNorm over the last axis or the last two (Pow(d, 2) as x * x after
// simplify), with and without Scale and B; over a leading axis it stays as it is.
TEST(FuseLayerNorm, TheExportedFormulaBecomesOneOp) {
  struct Case {
    std::vector<int64_t> axes;
    bool affine;
    Strs ops;
  };
  const Case cases[] = {
      {{-1}, true, {"LayerNormalization"}},
      {{1, 2}, false, {"LayerNormalization"}},
      {{1}, true, {"ReduceMean", "Sub", "Mul", "ReduceMean", "Add", "Sqrt", "Div", "Mul", "Add"}}};
  for (const Case& k : cases) {
    auto g = ExpectSameResults(
        [&](Graph& g) {
          Value* x = g.AddInput("x", Type(kF32, {2, 5, 16}));
          Shape norm = k.axes.size() == 2 ? Shape{5, 16} : k.axes[0] == 1 ? Shape{5, 1} : Shape{16};
          auto mean = [&](Value* v) {
            return Op(g, "ReduceMean", {v}, {{"axes", k.axes}, {"keepdims", int64_t{1}}});
          };
          Value* d = Op(g, "Sub", {x, mean(x)});
          Value* two = g.AddConstant("two", Tensor::Scalar(kF32, 2));
          Value* eps = g.AddConstant("eps", Tensor::Scalar(kF32, 1e-5));
          Value* v = mean(Op(g, "Pow", {d, two}));
          Value* y = Op(g, "Div", {d, Op(g, "Sqrt", {Op(g, "Add", {v, eps})})});
          if (k.affine) {
            y = Op(g, "Mul", {y, RandomConst(g, "gamma", norm, 0.5, 1.5)});
            y = Op(g, "Add", {y, RandomConst(g, "beta", norm)});
          }
          g.AddOutput(y);
        },
        1e-5);
    EXPECT_EQ(Ops(*g), k.ops);
    if (k.ops.size() == 1) {
      const Node* ln = g->outputs()[0]->producer();
      EXPECT_EQ(ln->GetInt("axis"), k.axes.size() == 2 ? 1 : 2);
      EXPECT_FLOAT_EQ(ln->GetFloat("epsilon"), 1e-5f);
      EXPECT_EQ(ln->num_outputs(), 1u);
    }
  }
}

// The IR after the pipeline, against tests/golden/passes/NAME.ir (HALO_UPDATE_GOLDEN=1
// rewrites it): the names, attributes and order of what the passes make.
void ExpectGoldenIR(const std::string& name, const Graph& g) {
  std::string path = std::string(HALO_SOURCE_DIR) + "/tests/golden/passes/" + name + ".ir";
  std::string text = PrintGraph(g);
  if (std::getenv("HALO_UPDATE_GOLDEN")) std::ofstream(path, std::ios::binary) << text;
  std::ifstream f(path, std::ios::binary);
  std::ostringstream want;
  want << f.rdbuf();
  EXPECT_EQ(text, want.str()) << path << " differs (HALO_UPDATE_GOLDEN=1 rewrites it)";
}

TEST(Pipeline, GoldenResidualBlockWithBatchNorm) {
  auto g = test::Built([](Graph& g) {
    Value* x = g.AddInput("x", Type(kF32, {1, 8, 5, 5}));
    Value* a = Op(g, "Relu", {BatchNorm(g, Conv(g, x, 8, 8, 3, false), 8)}, {}, "relu1");
    Value* lo = g.AddConstant("zero", Tensor::Scalar(kF32, 0));
    Value* hi = g.AddConstant("six", Tensor::Scalar(kF32, 6));
    Value* y = Op(g, "Add", {BatchNorm(g, Conv(g, a, 8, 8, 1), 8), x}, {}, "add");
    g.AddOutput(Op(g, "Clip", {Op(g, "Identity", {y}), lo, hi}, {}, "out"));
  });
  ExpectGoldenIR("residual_block", *g);
}

TEST(Pipeline, DisabledAndUnknownPasses) {
  auto g = test::Built(ResidualBlock, true, {"fuse-conv"});
  EXPECT_EQ(Ops(*g), (Strs{"Conv", "Add", "Relu", "Conv", "Add", "Relu"}));
  Graph h;
  ResidualBlock(h);
  EXPECT_THROW(RunPipeline(h, {}, true, {"no-such-pass"}), Error);
  auto names = OptimizingPassNames();
  EXPECT_EQ(names, (Strs{"simplify", "cse", "fold-batchnorm", "cancel-transposes", "fuse-layernorm",
                         "fuse-conv", "fuse-gemm", "split-products", "merge-transposes",
                         "fold-constants", "dce"}));
}

}  // namespace
}  // namespace halo
