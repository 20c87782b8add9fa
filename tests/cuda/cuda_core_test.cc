// libodla_cuda's cuDNN and cuBLAS builders, linked statically: each test builds a small
// computation twice, with the CUDA builder (odla_OP) and with the host one (odla_ref_OP),
// runs both and compares (1e-4 relative). Without a GPU these tests skip; the CudaNoDevice
// tests run everywhere.
#include <gtest/gtest.h>
#include <odla/odla.h>
#include <odla/odla_ops.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "../../runtimes/common/builder.h"
#include "../../runtimes/cuda/cuda_rt.h"
#include "../runtime_test_util.h"

ODLA_REF_DECL(Conv)
ODLA_REF_DECL(FusedConv)
ODLA_REF_DECL(ConvTranspose)
ODLA_REF_DECL(MaxPool)
ODLA_REF_DECL(AveragePool)
ODLA_REF_DECL(GlobalAveragePool)
ODLA_REF_DECL(GlobalMaxPool)
ODLA_REF_DECL(BatchNormalization)
ODLA_REF_DECL(Gemm)
ODLA_REF_DECL(FusedGemm)
ODLA_REF_DECL(MatMul)
ODLA_REF_DECL(FusedMatMul)

namespace {

using namespace odla_test;

// The CUDA builder or the host one.
#define OP(cuda, name) ((cuda) ? odla_##name : odla_ref_##name)

// Constants of a test: their data lives as long as the computations.
struct Consts {
  std::vector<std::vector<float>> data;
  odla_value Random(std::vector<int64_t> dims, unsigned seed, const char* id) {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    data.push_back(odla_test::Random(n, seed));
    return odla_CreateConstant(Type(dims), data.back().data(), id);
  }
};

// Builds the result of one computation from the argument x: with the CUDA builders when
// `cuda`, else the host ones.
using BuildFn = std::function<odla_value(odla_value x, Consts& k, bool cuda)>;

std::vector<float> RunOnce(const std::vector<int64_t>& xd, const std::vector<float>& x,
                           const BuildFn& build, bool cuda, bool want_device,
                           odla_precision precision = ODLA_PRECISION_FP32) {
  Computation c;
  EXPECT_EQ(odla_SetComputationPrecision(c.comp, precision), ODLA_SUCCESS);
  Consts k;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  odla_value y = build(in, k, cuda);
  EXPECT_NE(y, nullptr) << odla_GetLastErrorText();
  if (!y) return {};
  EXPECT_EQ(odla_rt::OnDevice(y), cuda && want_device) << "where the result was computed";
  c.Output(y);
  auto first = c.Run(x.data())[0];
  EXPECT_EQ(c.Run(x.data())[0], first) << "a second run differs";
  return first;
}

// The CUDA computation (on the GPU unless `device` is false: a rejected case) against the
// host one: |got - want| <= tol * max(1, |want|).
void ExpectSame(const std::vector<int64_t>& xd, const BuildFn& build, bool device = true,
                odla_precision precision = ODLA_PRECISION_FP32, float tol = 1e-4f) {
  int64_t n = 1;
  for (int64_t d : xd) n *= d;
  auto x = Random(n, 7);
  auto got = RunOnce(xd, x, build, true, device, precision);
  auto want = RunOnce(xd, x, build, false, false);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::fabs(got[i] - want[i]), tol * std::max(1.0f, std::fabs(want[i])))
        << "at " << i << ": " << got[i] << " vs " << want[i];
}

// GPU tests: skipped, with the reason, where no CUDA device is usable.
class Cuda : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!odla_cuda::HaveDevice(&why)) GTEST_SKIP() << why;
  }
};

BuildFn Conv2D(std::vector<int64_t> wd, std::vector<int64_t> yd, int64_t group,
               std::vector<int64_t> pads, std::vector<int64_t> strides,
               std::vector<int64_t> dilations, bool bias) {
  return [=](odla_value x, Consts& k, bool cuda) {
    odla_value w = k.Random(wd, 1, "w");
    odla_value b = bias ? k.Random({yd[1]}, 2, "b") : nullptr;
    return OP(cuda, Conv)(x, w, b, Ints(dilations), group, Ints(pads), Ints(strides), Type(yd),
                          "y");
  };
}

TEST(CudaNoDevice, OverridesTheSharedBuilders) { EXPECT_STREQ(odla_GetRuntimeName(), "cuda"); }

// Without a GPU a CUDA op fails to build with one line that says so.
TEST(CudaNoDevice, CudaOpFailsWithOneLineError) {
  if (odla_cuda::HaveDevice()) GTEST_SKIP() << "a CUDA device is present";
  Computation c;
  Consts k;
  odla_value x = odla_CreateArgument(Type({1, 2, 5, 5}), "x");
  odla_value y = odla_Conv(x, k.Random({3, 2, 3, 3}, 1, "w"), nullptr, Ints({1, 1}), 1,
                           Ints({0, 0, 0, 0}), Ints({1, 1}), Type({1, 3, 3, 3}), "y");
  EXPECT_EQ(y, nullptr);
  std::string text = odla_GetLastErrorText();
  EXPECT_NE(text.find("libodla_cuda: no CUDA device (cudaGetDeviceCount: "), std::string::npos)
      << text;
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
}

// ODLA_CUDA_HOST_OPS sends the ops it lists (spaces around the names ignored) to the host
// builders, GPU or not.
TEST(CudaNoDevice, HostOpsListRunsThemOnTheHost) {
  ASSERT_EQ(setenv("ODLA_CUDA_HOST_OPS", "Relu, Conv ", 1), 0);
  Computation c;
  Consts k;
  odla_value x = odla_CreateArgument(Type({1, 2, 5, 5}), "x");
  odla_value y = odla_Conv(x, k.Random({3, 2, 3, 3}, 1, "w"), nullptr, Ints({1, 1}), 1,
                           Ints({0, 0, 0, 0}), Ints({1, 1}), Type({1, 3, 3, 3}), "y");
  ASSERT_NE(y, nullptr) << odla_GetLastErrorText();
  EXPECT_FALSE(odla_rt::OnDevice(y));
  y = odla_Relu(y, Type({1, 3, 3, 3}), "r");
  ASSERT_NE(y, nullptr) << odla_GetLastErrorText();
  EXPECT_FALSE(odla_rt::OnDevice(y));
  ASSERT_EQ(unsetenv("ODLA_CUDA_HOST_OPS"), 0);
  c.Output(y);
  std::vector<float> in(50, 0.5f);
  auto out = c.Run(in.data())[0];
  ASSERT_EQ(out.size(), 27u);
  for (float v : out) EXPECT_TRUE(std::isfinite(v) && v >= 0) << v;
}

// Ops the CUDA builders reject (float64 Conv, MaxPool with Indices) and ops they do not
// override run on the host, without a GPU.
TEST(CudaNoDevice, RejectedOpsRunOnTheHost) {
  ExpectFloat64ReluMaxPoolFallsBackToRef();
  Computation c;
  std::vector<double> x(2 * 16), w(3 * 2 * 9, 0.5);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i) - 10;
  odla_value in = odla_CreateArgument(Type({1, 2, 4, 4}, ODLA_FLOAT64), "x");
  odla_value wv = odla_CreateConstant(Type({3, 2, 3, 3}, ODLA_FLOAT64), w.data(), "w");
  odla_value y = odla_Conv(in, wv, nullptr, Ints({1, 1}), 1, Ints({0, 0, 0, 0}), Ints({1, 1}),
                           Type({1, 3, 2, 2}, ODLA_FLOAT64), "y");
  ASSERT_NE(y, nullptr) << odla_GetLastErrorText();
  EXPECT_FALSE(odla_rt::OnDevice(y));
  ASSERT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
  odla_context ctx;
  ASSERT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
  std::vector<double> out(12);
  odla_BindToArgument(ctx, 0, x.data());
  odla_BindToOutput(ctx, 0, out.data());
  ASSERT_EQ(odla_ExecuteComputation(c.comp, ctx), ODLA_SUCCESS) << odla_GetLastErrorText();
  odla_DestroyContext(ctx);
  // Output (0, 0, 0): 0.5 * the sum of both channels' top-left 3x3 windows.
  double want = 0;
  for (int ch = 0; ch < 2; ++ch)
    for (int r = 0; r < 3; ++r)
      for (int q = 0; q < 3; ++q) want += 0.5 * x[ch * 16 + r * 4 + q];
  EXPECT_EQ(out[0], want);
}

TEST(CudaNoDevice, PrecisionRequests) {
  Computation c;
  EXPECT_EQ(odla_SetComputationPrecision(c.comp, ODLA_PRECISION_TF32), ODLA_SUCCESS);
  EXPECT_TRUE(odla_cuda::UseTf32());
  EXPECT_EQ(odla_SetComputationPrecision(c.comp, ODLA_PRECISION_BF16), ODLA_SUCCESS);
  EXPECT_EQ(odla_rt::CurrentPrecision(), ODLA_PRECISION_FP32);
  EXPECT_FALSE(odla_cuda::UseTf32());
}

TEST_F(Cuda, Conv) {
  ExpectSame({2, 3, 9, 9},
             Conv2D({8, 3, 3, 3}, {2, 8, 9, 9}, 1, {1, 1, 1, 1}, {1, 1}, {1, 1}, true));
  ExpectSame({1, 4, 10, 10},
             Conv2D({6, 4, 3, 3}, {1, 6, 4, 4}, 1, {0, 0, 0, 0}, {2, 2}, {1, 1}, false));
  ExpectSame({1, 4, 9, 9},
             Conv2D({6, 4, 3, 3}, {1, 6, 5, 5}, 1, {0, 0, 0, 0}, {1, 1}, {2, 2}, true));
}

// 1x1 convolutions of one image (stride 1, no pads, one group) are cuBLAS products, with
// the epilogue's bias, Sum and activation; with two images, or a stride, they stay cuDNN's.
TEST_F(Cuda, PointwiseConv) {
  for (int64_t n : {1, 2})
    for (int64_t stride : {1, 2}) {
      SCOPED_TRACE("batch " + std::to_string(n) + ", stride " + std::to_string(stride));
      const int64_t out = stride == 1 ? 7 : 4;
      ExpectSame({n, 64, 7, 7}, [=](odla_value x, Consts& k, bool cuda) {
        odla_value sum = k.Random({n, 32, out, out}, 3, "s");
        return OP(cuda, FusedConv)(x, k.Random({32, 64, 1, 1}, 1, "w"), k.Random({32}, 2, "b"), sum,
                                   Ints({1, 1}), 1, Ints({0, 0, 0, 0}), Ints({stride, stride}),
                                   "Relu", 0, 0, Type({n, 32, out, out}), "y");
      });
    }
  ExpectSame({1, 5, 11}, [](odla_value x, Consts& k, bool cuda) {  // 1-D
    return OP(cuda, Conv)(x, k.Random({3, 5, 1}, 1, "w"), nullptr, Ints({1}), 1, Ints({0, 0}),
                          Ints({1}), Type({1, 3, 11}), "y");
  });
  ExpectSame({1, 4, 3, 5, 6}, [](odla_value x, Consts& k, bool cuda) {  // 3-D
    return OP(cuda, Conv)(x, k.Random({6, 4, 1, 1, 1}, 1, "w"), k.Random({6}, 2, "b"),
                          Ints({1, 1, 1}), 1, Ints({0, 0, 0, 0, 0, 0}), Ints({1, 1, 1}),
                          Type({1, 6, 3, 5, 6}), "y");
  });
}

TEST_F(Cuda, GroupAndDepthwiseConv) {
  ExpectSame({1, 8, 7, 7},
             Conv2D({8, 1, 3, 3}, {1, 8, 7, 7}, 8, {1, 1, 1, 1}, {1, 1}, {1, 1}, true));
  ExpectSame({1, 6, 7, 7},
             Conv2D({4, 3, 1, 1}, {1, 4, 7, 7}, 2, {0, 0, 0, 0}, {1, 1}, {1, 1}, true));
}

TEST_F(Cuda, Conv1DAnd3D) {
  ExpectSame({2, 3, 12}, [](odla_value x, Consts& k, bool cuda) {
    return OP(cuda, Conv)(x, k.Random({5, 3, 3}, 1, "w"), k.Random({5}, 2, "b"), Ints({1}), 1,
                          Ints({1, 1}), Ints({2}), Type({2, 5, 6}), "y");
  });
  ExpectSame({1, 2, 5, 6, 6}, [](odla_value x, Consts& k, bool cuda) {
    return OP(cuda, Conv)(x, k.Random({4, 2, 3, 3, 3}, 1, "w"), nullptr, Ints({1, 1, 1}), 1,
                          Ints({1, 1, 1, 1, 1, 1}), Ints({1, 1, 1}), Type({1, 4, 5, 6, 6}), "y");
  });
}

// Pads that differ at the two ends: a zero-padded copy of the input on the GPU for Conv (2-D
// and 1-D); ConvTranspose runs on the host.
TEST_F(Cuda, AsymmetricPads) {
  ExpectSame({2, 3, 6, 7},
             Conv2D({4, 3, 3, 3}, {2, 4, 3, 7}, 1, {0, 1, 1, 1}, {2, 1}, {1, 1}, true));
  ExpectSame({1, 3, 9}, [](odla_value x, Consts& k, bool cuda) {
    return OP(cuda, FusedConv)(x, k.Random({2, 3, 4}, 1, "w"), nullptr, nullptr, Ints({1}), 1,
                               Ints({2, 1}), Ints({1}), "Relu", 0, 0, Type({1, 2, 9}), "y");
  });
  ExpectSame(
      {1, 2, 4, 4},
      [](odla_value x, Consts& k, bool cuda) {
        return OP(cuda, ConvTranspose)(x, k.Random({2, 3, 3, 3}, 1, "w"), nullptr, Ints({1, 1}), 1,
                                       Ints({}), Ints({0, 0, 1, 1}), Ints({1, 1}),
                                       Type({1, 3, 5, 5}), "y");
      },
      false);
}

TEST_F(Cuda, FusedConvEveryActivation) {
  struct {
    const char* name;
    float alpha, beta;
  } acts[] = {
      {"", 0, 0},        {"Relu", 0, 0}, {"LeakyRelu", 0.1f, 0},      {"Clip", -0.5f, 0.5f},
      {"Sigmoid", 0, 0}, {"Tanh", 0, 0}, {"HardSigmoid", 0.2f, 0.5f}, {"HardSwish", 1 / 6.f, 0.5f},
      {"Elu", 1.5f, 0},  {"Gelu", 0, 0}};
  for (const auto& a : acts) {
    SCOPED_TRACE(a.name);
    ExpectSame({1, 3, 8, 8}, [a](odla_value x, Consts& k, bool cuda) {
      // The residual is computed (a plain Conv), as in ResNet blocks.
      odla_value sum = OP(cuda, Conv)(x, k.Random({6, 3, 1, 1}, 3, "ws"), nullptr, Ints({1, 1}), 1,
                                      Ints({0, 0, 0, 0}), Ints({1, 1}), Type({1, 6, 8, 8}), "s");
      return OP(cuda, FusedConv)(x, k.Random({6, 3, 3, 3}, 1, "w"), k.Random({6}, 2, "b"), sum,
                                 Ints({1, 1}), 1, Ints({1, 1, 1, 1}), Ints({1, 1}), a.name, a.alpha,
                                 a.beta, Type({1, 6, 8, 8}), "y");
    });
  }
}

TEST_F(Cuda, ConvTranspose) {
  ExpectSame({1, 4, 5, 5}, [](odla_value x, Consts& k, bool cuda) {
    return OP(cuda, ConvTranspose)(x, k.Random({4, 3, 3, 3}, 1, "w"), k.Random({6}, 2, "b"),
                                   Ints({1, 1}), 2, Ints({1, 1}), Ints({1, 1, 1, 1}), Ints({2, 2}),
                                   Type({1, 6, 10, 10}), "y");
  });
}

TEST_F(Cuda, Pools) {
  auto max = [](std::vector<int64_t> pads, int64_t ceil, std::vector<int64_t> yd) -> BuildFn {
    return [=](odla_value x, Consts&, bool cuda) {
      odla_value_types t{};
      t.size = 1;
      t.types[0] = Type(yd);
      odla_values r = OP(cuda, MaxPool)(x, ceil, Ints({1, 1}), Ints({3, 3}), Ints(pads), 0,
                                        Ints({2, 2}), t, "y");
      return r.size == 1 ? r.values[0] : nullptr;
    };
  };
  ExpectSame({2, 3, 9, 9}, max({1, 1, 1, 1}, 0, {2, 3, 5, 5}));
  // Padded copies: ceil_mode's extra position, pads that differ at the two ends.
  ExpectSame({2, 3, 8, 8}, max({0, 0, 0, 0}, 1, {2, 3, 4, 4}));
  ExpectSame({2, 3, 8, 8}, max({0, 0, 1, 1}, 0, {2, 3, 4, 4}));
  // AveragePool's divisor would count them: the host computes it.
  ExpectSame(
      {2, 3, 8, 8},
      [](odla_value x, Consts&, bool cuda) {
        return OP(cuda, AveragePool)(x, 1, 0, Ints({3, 3}), Ints({0, 0, 0, 0}), Ints({2, 2}),
                                     Type({2, 3, 4, 4}), "y");
      },
      false);
  // ceil_mode's extra window passes the end pad (0) by as much as the begin pad (1): cuDNN
  // would divide the last windows by 9 where the ref divides by 6 or 4 with count_include_pad.
  for (int64_t include : {0, 1}) {
    ExpectSame(
        {2, 3, 5, 5},
        [include](odla_value x, Consts&, bool cuda) {
          return OP(cuda, AveragePool)(x, 1, include, Ints({3, 3}), Ints({1, 1, 0, 0}),
                                       Ints({2, 2}), Type({2, 3, 3, 3}), "y");
        },
        include == 0);
  }
  for (int64_t include : {0, 1}) {
    ExpectSame({2, 3, 9, 9}, [include](odla_value x, Consts&, bool cuda) {
      return OP(cuda, AveragePool)(x, 0, include, Ints({3, 3}), Ints({1, 1, 1, 1}), Ints({2, 2}),
                                   Type({2, 3, 5, 5}), "y");
    });
  }
  ExpectSame({2, 5, 7, 6}, [](odla_value x, Consts&, bool cuda) {
    return OP(cuda, GlobalAveragePool)(x, Type({2, 5, 1, 1}), "y");
  });
  ExpectSame({2, 5, 7, 6}, [](odla_value x, Consts&, bool cuda) {
    return OP(cuda, GlobalMaxPool)(x, Type({2, 5, 1, 1}), "y");
  });
}

TEST_F(Cuda, BatchNormalization) {
  for (std::vector<int64_t> xd : {std::vector<int64_t>{2, 4, 5, 5}, {3, 4}}) {
    ExpectSame(xd, [xd](odla_value x, Consts& k, bool cuda) {
      odla_value var = k.Random({4}, 4, "var");
      for (float& v : k.data.back()) v = v * v + 0.5f;
      return OP(cuda, BatchNormalization)(x, k.Random({4}, 1, "scale"), k.Random({4}, 2, "B"),
                                          k.Random({4}, 3, "mean"), var, 1e-5f, Type(xd), "y");
    });
  }
}

TEST_F(Cuda, Gemm) {
  struct Case {
    std::vector<int64_t> ad, bd, cd;
    int64_t ta, tb;
    float alpha, beta;
  } cases[] = {{{5, 7}, {7, 3}, {}, 0, 0, 1, 1},
               {{7, 5}, {7, 3}, {5, 3}, 1, 0, 2, 0.5f},
               {{5, 7}, {3, 7}, {3}, 0, 1, 1, 1},
               {{7, 5}, {3, 7}, {5, 1}, 1, 1, 0.5f, 1},
               {{5, 7}, {7, 3}, {1, 1}, 0, 0, 1, 1}};
  for (const Case& c : cases) {
    ExpectSame(c.ad, [c](odla_value a, Consts& k, bool cuda) {
      int64_t m = c.ta ? c.ad[1] : c.ad[0], n = c.tb ? c.bd[0] : c.bd[1];
      odla_value cv = c.cd.empty() ? nullptr : k.Random(c.cd, 3, "c");
      return OP(cuda, Gemm)(a, k.Random(c.bd, 1, "b"), cv, c.alpha, c.beta, c.ta, c.tb,
                            Type({m, n}), "y");
    });
  }
  // A broadcast C with beta other than 1 runs on the host.
  ExpectSame(
      {5, 7},
      [](odla_value a, Consts& k, bool cuda) {
        return OP(cuda, Gemm)(a, k.Random({7, 3}, 1, "b"), k.Random({3}, 2, "c"), 1, 0.5f, 0, 0,
                              Type({5, 3}), "y");
      },
      false);
}

TEST_F(Cuda, FusedGemm) {
  ExpectSame({5, 7}, [](odla_value a, Consts& k, bool cuda) {
    odla_value sum =
        OP(cuda, Gemm)(a, k.Random({7, 3}, 4, "b2"), nullptr, 1, 1, 0, 0, Type({5, 3}), "s");
    return OP(cuda, FusedGemm)(a, k.Random({7, 3}, 1, "b"), k.Random({3}, 2, "c"), sum, 1, 1, 0, 0,
                               "Relu", 0, 0, Type({5, 3}), "y");
  });
}

TEST_F(Cuda, MatMul) {
  struct Case {
    std::vector<int64_t> ad, bd, yd;
  } cases[] = {{{4, 5}, {5, 6}, {4, 6}},
               {{2, 3, 4, 5}, {2, 3, 5, 6}, {2, 3, 4, 6}},
               {{3, 4, 5}, {5, 6}, {3, 4, 6}},  // B shared: one product
               {{4, 5}, {2, 5, 6}, {2, 4, 6}},  // A broadcast: stride 0
               {{5}, {5, 6}, {6}},              // vector operands
               {{2, 4, 5}, {5}, {2, 4}}};
  for (const Case& c : cases) {
    ExpectSame(c.ad, [c](odla_value a, Consts& k, bool cuda) {
      return OP(cuda, MatMul)(a, k.Random(c.bd, 1, "b"), Type(c.yd), "y");
    });
  }
  // [2, 1, 4, 5] x [3, 5, 6]: batch offsets are no single stride; the host computes it.
  ExpectSame(
      {2, 1, 4, 5},
      [](odla_value a, Consts& k, bool cuda) {
        return OP(cuda, MatMul)(a, k.Random({3, 5, 6}, 1, "b"), Type({2, 3, 4, 6}), "y");
      },
      false);
}

TEST_F(Cuda, FusedMatMul) {
  ExpectSame({2, 4, 5}, [](odla_value a, Consts& k, bool cuda) {
    odla_value sum = OP(cuda, MatMul)(a, k.Random({5, 6}, 3, "b2"), Type({2, 4, 6}), "s");
    return OP(cuda, FusedMatMul)(a, k.Random({5, 6}, 1, "b"), k.Random({6}, 2, "bias"), sum, "Gelu",
                                 0, 0, Type({2, 4, 6}), "y");
  });
}

// A host op between two GPU ops: its input and result cross by ToHost and ToDevice copies.
TEST_F(Cuda, HostOpBetweenDeviceOps) {
  ExpectSame({1, 3, 6, 6}, [](odla_value x, Consts& k, bool cuda) {
    odla_value y = OP(cuda, Conv)(x, k.Random({4, 3, 3, 3}, 1, "w"), nullptr, Ints({1, 1}), 1,
                                  Ints({1, 1, 1, 1}), Ints({1, 1}), Type({1, 4, 6, 6}), "y");
    odla_value r = odla_Reshape(y, Type({4, 36}), "r");
    return OP(cuda, MatMul)(k.Random({5, 4}, 2, "a"), r, Type({5, 36}), "z");
  });
}

TEST_F(Cuda, Tf32ConvAndMatMul) {
  ExpectSame({1, 16, 8, 8},
             Conv2D({16, 16, 3, 3}, {1, 16, 8, 8}, 1, {1, 1, 1, 1}, {1, 1}, {1, 1}, true), true,
             ODLA_PRECISION_TF32, 2e-2f);
  ExpectSame(
      {64, 64},
      [](odla_value a, Consts& k, bool cuda) {
        return OP(cuda, MatMul)(a, k.Random({64, 64}, 1, "b"), Type({64, 64}), "y");
      },
      true, ODLA_PRECISION_TF32, 2e-2f);
}

// Contexts of one computation (a Conv on the GPU, then Relu) run at once on their streams.
TEST_F(Cuda, ContextsRunAtOnce) {
  ExpectContextsRunAtOnce(
      [](odla_value y, odla_value_type t, const char* id) { return odla_Relu(y, t, id); }, 4);
}

}  // namespace
