// libodla_cuda's own kernels (ops_*.cc on kernels_*.cu), linked statically: each test builds
// a small computation twice, with the CUDA builder (odla_OP) and with the host one
// (odla_ref_OP), on the same arguments, runs both and compares: exactly for data movement
// and integer or bool results, within 1e-5 relative for float math. Without a GPU these
// tests skip; the CudaKernelsNoDevice tests run everywhere.
#include <gtest/gtest.h>
#include <odla/odla.h>
#include <odla/odla_ops.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "../../runtimes/common/builder.h"
#include "../../runtimes/cuda/cuda_rt.h"
#include "../../runtimes/cuda/kernels.h"
#include "../../runtimes/kernels/copy.h"
#include "../../runtimes/kernels/depth_space.h"
#include "../runtime_test_util.h"

// clang-format off
#define ODLA_TEST_REF(X) \
  X(Reshape) X(Flatten) X(Squeeze) X(Unsqueeze) X(Identity) X(Transpose) X(Concat) X(Slice) \
  X(Split) X(Expand) X(Gather) X(Pad) X(Softmax) X(LogSoftmax) X(LayerNormalization) \
  X(ReduceSum) X(ReduceMean) X(ReduceMax) X(ReduceMin) X(ReduceProd) X(ReduceL2) X(Relu) \
  X(Sigmoid) X(Tanh) X(Exp) X(Log) X(Sqrt) X(Abs) X(Neg) X(Reciprocal) X(Erf) X(Floor) X(Ceil) \
  X(Round) X(Sin) X(Cos) X(Softplus) X(Sign) X(Not) X(HardSwish) X(LeakyRelu) X(Elu) X(Selu) \
  X(HardSigmoid) X(Clip) X(Add) X(Sub) X(Mul) X(Div) X(Pow) X(Equal) X(Less) X(Greater) \
  X(LessOrEqual) X(GreaterOrEqual) X(And) X(Or) X(Xor) X(Sum) X(Mean) X(Max) X(Min) X(Where) \
  X(Cast) X(PRelu) X(Tile) X(ArgMax) X(ArgMin) X(Tan) X(Asin) X(Acos) X(Atan) X(Sinh) X(Cosh) \
  X(Asinh) X(Acosh) X(Atanh) X(Softsign) X(Celu) X(ThresholdedRelu) X(ReduceL1) \
  X(ReduceSumSquare) X(ReduceLogSum) X(DepthToSpace) X(SpaceToDepth) X(Mod) X(Hardmax) X(CumSum) X(InstanceNormalization) X(Resize) X(Upsample)
// clang-format on
ODLA_TEST_REF(ODLA_REF_DECL)

namespace {

using odla_test::Ints;
using odla_test::Type;
using Dims = std::vector<int64_t>;

// The CUDA builder or the host one.
#define OP(cuda, name) ((cuda) ? odla_##name : odla_ref_##name)

// An argument of a test computation: its type and bytes.
struct Arg {
  odla_value_type type;
  std::vector<uint8_t> bytes;
};

template <typename T>
Arg Make(const Dims& dims, odla_element_type et, const std::vector<T>& v) {
  Arg a{Type(dims, et), std::vector<uint8_t>(v.size() * sizeof(T))};
  EXPECT_EQ(static_cast<int64_t>(v.size()), odla_rt::NumElements(a.type.shape));
  std::memcpy(a.bytes.data(), v.data(), a.bytes.size());
  return a;
}
Arg F32(const Dims& dims, unsigned seed, float scale = 3) {
  auto v = odla_test::Random(odla_rt::NumElements(odla_test::Type(dims).shape), seed);
  for (float& x : v) x *= scale;
  return Make(dims, ODLA_FLOAT32, v);
}
Arg I64(const Dims& dims, const std::vector<int64_t>& v) { return Make(dims, ODLA_INT64, v); }
Arg I32(const Dims& dims, const std::vector<int32_t>& v) { return Make(dims, ODLA_INT32, v); }
Arg Bool(const Dims& dims, const std::vector<uint8_t>& v) { return Make(dims, ODLA_BOOL, v); }
// n int64 values counting from `from` (mixed signs).
Arg I64Seq(const Dims& dims, int64_t from, int64_t step = 1) {
  std::vector<int64_t> v(odla_rt::NumElements(Type(dims).shape));
  for (size_t i = 0; i < v.size(); ++i) v[i] = from + static_cast<int64_t>(i) * step;
  return I64(dims, v);
}

// Builds the results from the argument values, with the CUDA builders when `cuda`.
using BuildFn = std::function<std::vector<odla_value>(const std::vector<odla_value>&, bool)>;

// Runs the computation; returns each output's bytes (empty on failure).
std::vector<std::vector<uint8_t>> RunArgs(const std::vector<Arg>& args, const BuildFn& build,
                                          bool cuda, bool want_device,
                                          odla_status* status = nullptr) {
  odla_computation comp;
  EXPECT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  std::vector<odla_value> in;
  for (size_t i = 0; i < args.size(); ++i)
    in.push_back(odla_CreateArgument(args[i].type, ("a" + std::to_string(i)).c_str()));
  auto outs = build(in, cuda);
  std::vector<std::vector<uint8_t>> res;
  for (odla_value v : outs) {
    EXPECT_NE(v, nullptr) << odla_GetLastErrorText();
    if (!v) return {};
    EXPECT_EQ(odla_rt::OnDevice(v), cuda && want_device) << "where the result was computed";
    EXPECT_EQ(odla_SetValueAsOutput(v), ODLA_SUCCESS);
    res.emplace_back(odla_rt::ByteSize(v->type), 0xAB);
  }
  odla_context ctx;
  EXPECT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
  for (size_t i = 0; i < args.size(); ++i)
    EXPECT_EQ(odla_BindToArgument(ctx, i, args[i].bytes.data()), ODLA_SUCCESS);
  for (size_t i = 0; i < res.size(); ++i)
    EXPECT_EQ(odla_BindToOutput(ctx, i, res[i].data()), ODLA_SUCCESS);
  odla_status s = odla_ExecuteComputation(comp, ctx);
  if (status)
    *status = s;
  else
    EXPECT_EQ(s, ODLA_SUCCESS) << odla_GetLastErrorText();
  odla_DestroyContext(ctx);
  odla_DestroyComputation(comp);
  return res;
}

// The CUDA computation (on the GPU unless `device` is false: a rejected case) against the
// host one: float32 results within 1e-5 relative (NaN and infinities matching exactly),
// others byte for byte.
void ExpectSame(const std::vector<Arg>& args, const BuildFn& build, bool device = true) {
  auto got = RunArgs(args, build, true, device);
  auto want = RunArgs(args, build, false, false);
  ASSERT_EQ(got.size(), want.size());
  std::vector<odla_value_type> types;
  {
    odla_computation comp;
    ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
    std::vector<odla_value> in;
    for (size_t i = 0; i < args.size(); ++i)
      in.push_back(odla_CreateArgument(args[i].type, ("a" + std::to_string(i)).c_str()));
    for (odla_value v : build(in, false)) types.push_back(v->type);
    odla_DestroyComputation(comp);
  }
  for (size_t r = 0; r < got.size(); ++r) {
    ASSERT_EQ(got[r].size(), want[r].size());
    if (types[r].element_type != ODLA_FLOAT32) {
      EXPECT_EQ(got[r], want[r]) << "result " << r << " differs";
      continue;
    }
    const float* g = reinterpret_cast<const float*>(got[r].data());
    const float* w = reinterpret_cast<const float*>(want[r].data());
    for (size_t i = 0; i < got[r].size() / sizeof(float); ++i) {
      if (std::isnan(w[i]) || std::isinf(w[i])) {
        ASSERT_TRUE(std::isnan(w[i]) ? std::isnan(g[i]) : g[i] == w[i])
            << "result " << r << " at " << i << ": " << g[i] << " vs " << w[i];
        continue;
      }
      ASSERT_LE(std::fabs(g[i] - w[i]), 1e-5f * std::max(1.0f, std::fabs(w[i])))
          << "result " << r << " at " << i << ": " << g[i] << " vs " << w[i];
    }
  }
}

// One-result builds.
using Build1 = std::function<odla_value(const std::vector<odla_value>&, bool)>;
BuildFn One(Build1 f) {
  return [f](const std::vector<odla_value>& a, bool cuda) {
    return std::vector<odla_value>{f(a, cuda)};
  };
}

odla_values Values(std::vector<odla_value> v) { return odla_rt::ToValues(v); }

// GPU tests: skipped, with the reason, where no CUDA device is usable.
class CudaKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!odla_cuda::HaveDevice(&why)) GTEST_SKIP() << why;
  }
};

TEST_F(CudaKernels, ReshapeLikes) {
  for (const Arg& x : {F32({2, 3, 4}, 1), I64Seq({2, 3, 4}, -7)}) {
    odla_element_type et = x.type.element_type;
    ExpectSame({x}, One([&](auto a, bool c) {
                 return OP(c, Reshape)(a[0], Type({6, 4}, et), "y");
               }));
    ExpectSame({x}, One([&](auto a, bool c) {
                 return OP(c, Flatten)(a[0], -1, Type({6, 4}, et), "y");
               }));
    ExpectSame({x}, One([&](auto a, bool c) {
                 return OP(c, Unsqueeze)(a[0], Type({2, 1, 3, 4}, et), "y");
               }));
    ExpectSame({x}, One([&](auto a, bool c) { return OP(c, Identity)(a[0], x.type, "y"); }));
  }
  ExpectSame({F32({1, 3, 1}, 2)},
             One([](auto a, bool c) { return OP(c, Squeeze)(a[0], Type({3}), "y"); }));
}

TEST_F(CudaKernels, Transpose) {
  ExpectSame({F32({2, 3, 4, 5}, 1)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({0, 2, 1, 3}), Type({2, 4, 3, 5}), "y");
             }));
  ExpectSame({I64Seq({3, 4, 5}, -30)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({2, 0, 1}), Type({5, 3, 4}, ODLA_INT64), "y");
             }));
  ExpectSame({F32({2, 1, 3, 2, 2, 3, 1, 2}, 3)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({7, 6, 5, 4, 3, 2, 1, 0}),
                                       Type({2, 1, 3, 2, 2, 3, 1, 2}), "y");
             }));
}

TEST_F(CudaKernels, ConcatAndSplit) {
  ExpectSame({F32({2, 1, 3}, 1), F32({2, 4, 3}, 2), F32({2, 2, 3}, 3)}, One([](auto a, bool c) {
               return OP(c, Concat)(Values(a), 1, Type({2, 7, 3}), "y");
             }));
  ExpectSame({I64Seq({1, 3}, 5), I64Seq({2, 3}, -9)}, One([](auto a, bool c) {
               return OP(c, Concat)(Values(a), 0, Type({3, 3}, ODLA_INT64), "y");
             }));
  ExpectSame({F32({2, 3, 5}, 4)}, [](auto a, bool c) {
    odla_value_types t{};
    t.size = 2;
    t.types[0] = Type({2, 3, 2});
    t.types[1] = Type({2, 3, 3});
    return odla_rt::FromValues(OP(c, Split)(a[0], 2, t, "y"));
  });
}

TEST_F(CudaKernels, SliceWithNegativeSteps) {
  ExpectSame({F32({4, 6, 5}, 1)}, One([](auto a, bool c) {
               return OP(c, Slice)(a[0], Ints({1, 5, 0}), Ints({2, -2, 1}), Type({2, 3, 5}), "y");
             }));
  ExpectSame({I64Seq({7}, -3)}, One([](auto a, bool c) {
               return OP(c, Slice)(a[0], Ints({6}), Ints({-3}), Type({3}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, Expand) {
  ExpectSame({F32({3, 1}, 1)}, One([](auto a, bool c) {
               return OP(c, Expand)(a[0], Type({2, 3, 4}), "y");
             }));
}

TEST_F(CudaKernels, Tile) {
  ExpectSame({F32({2, 3, 2}, 1)}, One([](auto a, bool c) {
               return OP(c, Tile)(a[0], Ints({2, 1, 3}), Type({4, 3, 6}), "y");
             }));
  ExpectSame({I64Seq({1, 4}, -2)}, One([](auto a, bool c) {
               return OP(c, Tile)(a[0], Ints({3, 2}), Type({3, 8}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, DepthToSpaceAndSpaceToDepth) {
  for (const char* mode : {"DCR", "CRD"})
    ExpectSame({F32({2, 8, 3, 2}, 1)}, One([mode](auto a, bool c) {
                 return OP(c, DepthToSpace)(a[0], 2, mode, Type({2, 2, 6, 4}), "y");
               }));
  ExpectSame({I64Seq({1, 2, 6, 4}, -20)}, One([](auto a, bool c) {
               return OP(c, SpaceToDepth)(a[0], 2, Type({1, 8, 3, 2}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, Mod) {
  ExpectSame({F32({2, 3}, 1, 9), F32({3}, 2, 4)}, One([](auto a, bool c) {
               return OP(c, Mod)(a[0], a[1], 1, Type({2, 3}), "y");
             }));
  for (int64_t fmod : {0, 1})
    ExpectSame({I64Seq({2, 4}, -9, 3), I64({4}, {4, -3, 0, -1})}, One([fmod](auto a, bool c) {
                 return OP(c, Mod)(a[0], a[1], fmod, Type({2, 4}, ODLA_INT64), "y");
               }));
}

TEST_F(CudaKernels, PRelu) {
  ExpectSame({F32({2, 3, 4}, 1), F32({3, 1}, 2)}, One([](auto a, bool c) {
               return OP(c, PRelu)(a[0], a[1], Type({2, 3, 4}), "y");
             }));
  ExpectSame({I64Seq({2, 3}, -3), I64({3}, {2, -1, 5})}, One([](auto a, bool c) {
               return OP(c, PRelu)(a[0], a[1], Type({2, 3}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, Gather) {
  // Embedding lookup: indices from an argument, negative ones count from the end.
  ExpectSame({F32({10, 4}, 1), I64({2, 3}, {0, 9, -1, 3, -10, 5})}, One([](auto a, bool c) {
               return OP(c, Gather)(a[0], a[1], 0, Type({2, 3, 4}), "y");
             }));
  ExpectSame({I64Seq({2, 5, 3}, -4)}, One([](auto a, bool c) {
               static const int32_t idx[] = {4, -2, 0};
               odla_value i = odla_CreateConstant(Type({3}, ODLA_INT32), idx, "i");
               return OP(c, Gather)(a[0], i, 1, Type({2, 3, 3}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, GatherIndexOutOfRangeFailsTheRun) {
  odla_status s;
  RunArgs({F32({4, 2}, 1), I64({2}, {1, 4})}, One([](auto a, bool c) {
            return OP(c, Gather)(a[0], a[1], 0, Type({2, 2}), "y");
          }),
          true, true, &s);
  EXPECT_NE(s, ODLA_SUCCESS);
}

TEST_F(CudaKernels, Pad) {
  for (const char* mode : {"constant", "reflect", "edge"})
    ExpectSame({F32({2, 3, 4}, 1)}, One([mode](auto a, bool c) {
                 return OP(c, Pad)(a[0], nullptr, mode, Ints({0, 1, 2, 1, 2, 3}), 1.5f,
                                   Type({3, 6, 9}), "y");
               }));
  // Negative pads crop; the fill value from an input.
  ExpectSame({I64Seq({3, 4}, -5), I64({}, {42})}, One([](auto a, bool c) {
               return OP(c, Pad)(a[0], a[1], "constant", Ints({-1, 2, 1, -2}), 0,
                                 Type({3, 4}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, SoftmaxAnyAxis) {
  ExpectSame({F32({3, 4, 37}, 1)}, One([](auto a, bool c) {
               return OP(c, Softmax)(a[0], 2, 0, Type({3, 4, 37}), "y");
             }));
  ExpectSame({F32({3, 4, 5}, 2)}, One([](auto a, bool c) {
               return OP(c, Softmax)(a[0], 1, 0, Type({3, 4, 5}), "y");
             }));
  ExpectSame({F32({3, 4, 5}, 3)}, One([](auto a, bool c) {
               return OP(c, Softmax)(a[0], 1, 1, Type({3, 4, 5}), "y");
             }));
  ExpectSame({F32({2, 1000}, 4, 30)}, One([](auto a, bool c) {
               return OP(c, LogSoftmax)(a[0], 1, 0, Type({2, 1000}), "y");
             }));
  ExpectSame({F32({6, 3, 2}, 5)}, One([](auto a, bool c) {
               return OP(c, LogSoftmax)(a[0], 0, 0, Type({6, 3, 2}), "y");
             }));
}

TEST_F(CudaKernels, HardmaxAndCumSum) {
  Arg x = Make({2, 4}, ODLA_FLOAT32, std::vector<float>{1, 3, 3, 2, NAN, 2, NAN, 5});
  ExpectSame({x}, One([](auto a, bool c) {
               return OP(c, Hardmax)(a[0], 1, 0, Type({2, 4}), "y");
             }));
  ExpectSame({x}, One([](auto a, bool c) {
               return OP(c, Hardmax)(a[0], 0, 0, Type({2, 4}), "y");
             }));
  ExpectSame({F32({3, 4, 5}, 1)}, One([](auto a, bool c) {
               return OP(c, Hardmax)(a[0], 1, 1, Type({3, 4, 5}), "y");
             }));
  for (int64_t exclusive : {0, 1})
    for (int64_t reverse : {0, 1}) {
      ExpectSame({F32({3, 4, 5}, 2)}, One([=](auto a, bool c) {
                   return OP(c, CumSum)(a[0], 1, exclusive, reverse, Type({3, 4, 5}), "y");
                 }));
      ExpectSame({I64Seq({2, 6}, -5, 3)}, One([=](auto a, bool c) {
                   return OP(c, CumSum)(a[0], 1, exclusive, reverse, Type({2, 6}, ODLA_INT64), "y");
                 }));
    }
}

TEST_F(CudaKernels, InstanceNormalization) {
  ExpectSame(
      {F32({2, 3, 7, 9}, 1), F32({3}, 2), F32({3}, 3)}, One([](auto a, bool c) {
        return OP(c, InstanceNormalization)(a[0], a[1], a[2], 1e-5f, Type({2, 3, 7, 9}), "y");
      }));
  ExpectSame({F32({1, 4, 300}, 4), F32({4}, 5), F32({4}, 6)}, One([](auto a, bool c) {
               return OP(c, InstanceNormalization)(a[0], a[1], a[2], 1e-3f, Type({1, 4, 300}), "y");
             }));
}

odla_floats Floats(std::vector<float> v) {
  odla_floats f{};
  f.size = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) f.data[i] = v[i];
  return f;
}

TEST_F(CudaKernels, ResizeAndUpsample) {
  struct Case {
    const char *coord, *mode, *nearest;
    Dims out;
    std::vector<float> roi;
    int64_t exclude;
  };
  const Case cases[] = {{"asymmetric", "nearest", "floor", {1, 2, 8, 10}, {}, 0},
                        {"half_pixel", "nearest", "round_prefer_ceil", {1, 2, 3, 7}, {}, 0},
                        {"half_pixel", "linear", "round_prefer_floor", {1, 2, 7, 3}, {}, 0},
                        {"align_corners", "linear", "round_prefer_floor", {1, 2, 9, 11}, {}, 0},
                        {"pytorch_half_pixel", "cubic", "round_prefer_floor", {1, 2, 6, 9}, {}, 1},
                        {"half_pixel", "cubic", "round_prefer_floor", {1, 2, 3, 4}, {}, 0},
                        {"tf_crop_and_resize",
                         "linear",
                         "round_prefer_floor",
                         {1, 2, 5, 6},
                         {0, 0, 0.2f, -0.3f, 1, 1, 1.1f, 0.8f},
                         0}};
  for (const Case& k : cases)
    ExpectSame({F32({1, 2, 4, 5}, 1)}, One([&](auto a, bool c) {
                 return OP(c, Resize)(a[0], k.coord, -0.75f, k.exclude, 9.5f, k.mode, k.nearest,
                                      Floats(k.roi), Floats({}), Type(k.out), "y");
               }));
  ExpectSame(
      {F32({1, 3, 2, 3}, 2)}, One([](auto a, bool c) {
        return OP(c, Upsample)(a[0], "nearest", Floats({1, 1, 2, 3}), Type({1, 3, 4, 9}), "y");
      }));
  ExpectSame(
      {F32({1, 3, 2, 3}, 3)}, One([](auto a, bool c) {
        return OP(c, Upsample)(a[0], "bilinear", Floats({1, 1, 2, 2}), Type({1, 3, 4, 6}), "y");
      }));
}

TEST_F(CudaKernels, LayerNormalization) {
  ExpectSame({F32({2, 5, 768}, 1), F32({768}, 2), F32({768}, 3)}, [](auto a, bool c) {
    odla_value_types t{};
    t.size = 3;
    t.types[0] = Type({2, 5, 768});
    t.types[1] = Type({2, 5, 1});
    t.types[2] = Type({2, 5, 1});
    return odla_rt::FromValues(OP(c, LayerNormalization)(a[0], a[1], a[2], -1, 1e-5f, t, "y"));
  });
  ExpectSame({F32({3, 4, 5}, 4), F32({4, 5}, 5)}, [](auto a, bool c) {
    odla_value_types t{};
    t.size = 1;
    t.types[0] = Type({3, 4, 5});
    return odla_rt::FromValues(OP(c, LayerNormalization)(a[0], a[1], nullptr, 1, 1e-3f, t, "y"));
  });
}

TEST_F(CudaKernels, Reductions) {
  using R = odla_value (*)(odla_value, odla_ints, odla_int64, odla_value_type, odla_value_id);
  struct Case {
    R cuda, ref;
  };
  const Case cases[] = {
      {odla_ReduceSum, odla_ref_ReduceSum},      {odla_ReduceMean, odla_ref_ReduceMean},
      {odla_ReduceMax, odla_ref_ReduceMax},      {odla_ReduceMin, odla_ref_ReduceMin},
      {odla_ReduceProd, odla_ref_ReduceProd},    {odla_ReduceL2, odla_ref_ReduceL2},
      {odla_ReduceL1, odla_ref_ReduceL1},        {odla_ReduceSumSquare, odla_ref_ReduceSumSquare},
      {odla_ReduceLogSum, odla_ref_ReduceLogSum}};
  for (const Case& r : cases) {
    auto run = [&](const Arg& x, Dims axes, bool keep, Dims out) {
      odla_element_type et = x.type.element_type;
      ExpectSame({x}, One([&](auto a, bool c) {
                   return (c ? r.cuda : r.ref)(a[0], Ints(axes), keep, Type(out, et), "y");
                 }));
    };
    run(F32({3, 4, 5}, 1, 1), {1}, true, {3, 1, 5});
    run(F32({3, 4, 5}, 2, 1), {0, 2}, false, {4});
    run(F32({2, 300}, 3, 1), {1}, false, {2});  // one block per result
    run(F32({70, 3}, 4, 1), {0, 1}, true, {1, 1});
    run(F32({3, 4}, 5, 1), {}, true, {3, 4});
    if (r.cuda != odla_ReduceL2 && r.cuda != odla_ReduceLogSum)
      run(I64Seq({3, 4, 5}, -25, 3), {0, 2}, true, {1, 4, 1});
  }
}

TEST_F(CudaKernels, ArgMaxArgMin) {
  // Ties (the first or last) and a NaN that never wins unless first.
  Arg x = Make({2, 4}, ODLA_FLOAT32, std::vector<float>{1, 3, 3, NAN, NAN, 2, 5, 5});
  for (int64_t last : {0, 1}) {
    ExpectSame({x}, One([last](auto a, bool c) {
                 return OP(c, ArgMax)(a[0], 1, 1, last, Type({2, 1}, ODLA_INT64), "y");
               }));
    ExpectSame({x}, One([last](auto a, bool c) {
                 return OP(c, ArgMin)(a[0], 0, 0, last, Type({4}, ODLA_INT64), "y");
               }));
  }
  ExpectSame({F32({3, 50, 7}, 1)}, One([](auto a, bool c) {
               return OP(c, ArgMax)(a[0], 1, 0, 0, Type({3, 7}, ODLA_INT64), "y");
             }));
  ExpectSame({I64Seq({4, 3}, 5, -2)}, One([](auto a, bool c) {
               return OP(c, ArgMin)(a[0], 1, 1, 0, Type({4, 1}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, UnaryFunctions) {
  using U = odla_value (*)(odla_value, odla_value_type, odla_value_id);
  const std::pair<U, U> ops[] = {{odla_Relu, odla_ref_Relu},
                                 {odla_Sigmoid, odla_ref_Sigmoid},
                                 {odla_Tanh, odla_ref_Tanh},
                                 {odla_Exp, odla_ref_Exp},
                                 {odla_Log, odla_ref_Log},
                                 {odla_Sqrt, odla_ref_Sqrt},
                                 {odla_Abs, odla_ref_Abs},
                                 {odla_Neg, odla_ref_Neg},
                                 {odla_Reciprocal, odla_ref_Reciprocal},
                                 {odla_Erf, odla_ref_Erf},
                                 {odla_Floor, odla_ref_Floor},
                                 {odla_Ceil, odla_ref_Ceil},
                                 {odla_Round, odla_ref_Round},
                                 {odla_Sin, odla_ref_Sin},
                                 {odla_Cos, odla_ref_Cos},
                                 {odla_Softplus, odla_ref_Softplus},
                                 {odla_Sign, odla_ref_Sign},
                                 {odla_HardSwish, odla_ref_HardSwish},
                                 {odla_Tan, odla_ref_Tan},
                                 {odla_Asin, odla_ref_Asin},
                                 {odla_Acos, odla_ref_Acos},
                                 {odla_Atan, odla_ref_Atan},
                                 {odla_Sinh, odla_ref_Sinh},
                                 {odla_Cosh, odla_ref_Cosh},
                                 {odla_Asinh, odla_ref_Asinh},
                                 {odla_Acosh, odla_ref_Acosh},
                                 {odla_Atanh, odla_ref_Atanh},
                                 {odla_Softsign, odla_ref_Softsign}};
  std::vector<float> v = odla_test::Random(200, 3);
  for (float& x : v) x *= 8;
  for (float h : {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 0.f, -0.f, 20.f, -20.f, 90.f}) v.push_back(h);
  Arg x = Make({210}, ODLA_FLOAT32, v);
  for (auto [cu, ref] : ops)
    ExpectSame({x}, One([&](auto a, bool c) { return (c ? cu : ref)(a[0], Type({210}), "y"); }));
  for (auto [cu, ref] : {std::pair<U, U>{odla_Relu, odla_ref_Relu},
                         {odla_Abs, odla_ref_Abs},
                         {odla_Neg, odla_ref_Neg},
                         {odla_Sign, odla_ref_Sign}})
    ExpectSame(
        {I64({4}, {std::numeric_limits<int64_t>::min(), -3, 0, 7})},
        One([&](auto a, bool c) { return (c ? cu : ref)(a[0], Type({4}, ODLA_INT64), "y"); }));
  ExpectSame({Bool({4}, {0, 1, 1, 0})},
             One([](auto a, bool c) { return OP(c, Not)(a[0], Type({4}, ODLA_BOOL), "y"); }));
}

TEST_F(CudaKernels, ActivationsWithAttributes) {
  Arg x = F32({64}, 4, 5);
  ExpectSame({x},
             One([](auto a, bool c) { return OP(c, LeakyRelu)(a[0], 0.1f, Type({64}), "y"); }));
  ExpectSame({x}, One([](auto a, bool c) { return OP(c, Elu)(a[0], 0.7f, Type({64}), "y"); }));
  ExpectSame({x},
             One([](auto a, bool c) { return OP(c, Selu)(a[0], 1.67f, 1.05f, Type({64}), "y"); }));
  ExpectSame({x}, One([](auto a, bool c) {
               return OP(c, HardSigmoid)(a[0], 0.2f, 0.5f, Type({64}), "y");
             }));
  ExpectSame({x}, One([](auto a, bool c) { return OP(c, Celu)(a[0], 0.6f, Type({64}), "y"); }));
  ExpectSame(
      {x}, One([](auto a, bool c) { return OP(c, ThresholdedRelu)(a[0], 0.4f, Type({64}), "y"); }));
  ExpectSame({x},
             One([](auto a, bool c) { return OP(c, Clip)(a[0], -1.f, 2.f, Type({64}), "y"); }));
  ExpectSame({Make({3}, ODLA_FLOAT32, std::vector<float>{NAN, -5, 5})},
             One([](auto a, bool c) { return OP(c, Clip)(a[0], -FLT_MAX, 2.f, Type({3}), "y"); }));
  ExpectSame({I64({4}, {std::numeric_limits<int64_t>::min(), -3, 4, 9})}, One([](auto a, bool c) {
               return OP(c, Clip)(a[0], -2.f, FLT_MAX, Type({4}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, BinaryBroadcasting) {
  using B = odla_value (*)(odla_value, odla_value, odla_value_type, odla_value_id);
  struct Case {
    B cuda, ref;
    bool to_bool;
  };
  const Case cases[] = {{odla_Add, odla_ref_Add, false},
                        {odla_Sub, odla_ref_Sub, false},
                        {odla_Mul, odla_ref_Mul, false},
                        {odla_Div, odla_ref_Div, false},
                        {odla_Equal, odla_ref_Equal, true},
                        {odla_Less, odla_ref_Less, true},
                        {odla_Greater, odla_ref_Greater, true},
                        {odla_LessOrEqual, odla_ref_LessOrEqual, true},
                        {odla_GreaterOrEqual, odla_ref_GreaterOrEqual, true}};
  for (const Case& k : cases) {
    auto run = [&](const Arg& a0, const Arg& a1, Dims out) {
      odla_element_type et = k.to_bool ? ODLA_BOOL : a0.type.element_type;
      ExpectSame({a0, a1}, One([&](auto a, bool c) {
                   return (c ? k.cuda : k.ref)(a[0], a[1], Type(out, et), "y");
                 }));
    };
    run(F32({2, 1, 4}, 1), F32({3, 1}, 2), {2, 3, 4});
    run(F32({5, 6}, 3), F32({5, 6}, 4), {5, 6});
    run(F32({}, 5), F32({4, 3}, 6), {4, 3});
    run(I64Seq({2, 1, 4}, -9, 3), I64({3, 1}, {-2, 0, 5}), {2, 3, 4});
    run(I32({2, 2}, {7, -7, std::numeric_limits<int32_t>::min(), 9}), I32({2}, {-1, 2}), {2, 2});
  }
  ExpectSame({F32({2, 3}, 1, 1), F32({3}, 2)}, One([](auto a, bool c) {
               odla_value x = OP(c, Abs)(a[0], Type({2, 3}), "abs");
               return OP(c, Pow)(x, a[1], Type({2, 3}), "y");
             }));
  Arg p = Bool({2, 2}, {0, 1, 0, 1}), q = Bool({2, 1}, {0, 1});
  ExpectSame({p, q}, One([](auto a, bool c) {
               return OP(c, And)(a[0], a[1], Type({2, 2}, ODLA_BOOL), "y");
             }));
  ExpectSame({p, q}, One([](auto a, bool c) {
               return OP(c, Or)(a[0], a[1], Type({2, 2}, ODLA_BOOL), "y");
             }));
  ExpectSame({p, q}, One([](auto a, bool c) {
               return OP(c, Xor)(a[0], a[1], Type({2, 2}, ODLA_BOOL), "y");
             }));
  ExpectSame({p, q}, One([](auto a, bool c) {
               return OP(c, Equal)(a[0], a[1], Type({2, 2}, ODLA_BOOL), "y");
             }));
}

TEST_F(CudaKernels, VariadicSumMeanMaxMin) {
  Arg a0 = F32({2, 3}, 1), a1 = F32({3}, 2),
      a2 = Make({2, 1}, ODLA_FLOAT32, std::vector<float>{NAN, 0.5f});
  using V = odla_value (*)(odla_values, odla_value_type, odla_value_id);
  for (auto [cu, ref] : {std::pair<V, V>{odla_Sum, odla_ref_Sum},
                         {odla_Mean, odla_ref_Mean},
                         {odla_Max, odla_ref_Max},
                         {odla_Min, odla_ref_Min}}) {
    ExpectSame({a0, a1, a2}, One([&](auto a, bool c) {
                 return (c ? cu : ref)(Values(a), Type({2, 3}), "y");
               }));
    ExpectSame({a1},
               One([&](auto a, bool c) { return (c ? cu : ref)(Values(a), Type({3}), "y"); }));
  }
  ExpectSame({I64Seq({2, 3}, -3), I64Seq({3}, 2, -2)}, One([](auto a, bool c) {
               return OP(c, Max)(Values(a), Type({2, 3}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, Where) {
  ExpectSame({Bool({2, 1}, {1, 0}), F32({3}, 1), F32({2, 3}, 2)}, One([](auto a, bool c) {
               return OP(c, Where)(a[0], a[1], a[2], Type({2, 3}), "y");
             }));
  ExpectSame({Bool({3}, {1, 0, 1}), I64Seq({2, 3}, -2), I64({}, {-1})}, One([](auto a, bool c) {
               return OP(c, Where)(a[0], a[1], a[2], Type({2, 3}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, Cast) {
  Arg f = Make({6}, ODLA_FLOAT32, std::vector<float>{NAN, -1e30f, 1e30f, -2.7f, 0.f, 3.5f});
  for (odla_element_type to :
       {ODLA_INT64, ODLA_INT32, ODLA_INT8, ODLA_UINT8, ODLA_BOOL, ODLA_FLOAT64})
    ExpectSame({f},
               One([to](auto a, bool c) { return OP(c, Cast)(a[0], to, Type({6}, to), "y"); }));
  ExpectSame({I64Seq({5}, -2, 1000000007)},
             One([](auto a, bool c) { return OP(c, Cast)(a[0], ODLA_FLOAT32, Type({5}), "y"); }));
  ExpectSame({Bool({3}, {1, 0, 1})},
             One([](auto a, bool c) { return OP(c, Cast)(a[0], ODLA_FLOAT32, Type({3}), "y"); }));
  // float16 and bfloat16: rounding (ties, subnormals, overflow to inf), NaN, and back.
  Arg g = Make({8}, ODLA_FLOAT32,
               std::vector<float>{1.00048828125f, 1.00146484375f, 6e-8f, 3e-5f, 70000.f, NAN, -2.5f,
                                  1.00390625f});
  for (odla_element_type to : {ODLA_FLOAT16, ODLA_BFLOAT16})
    ExpectSame({g},
               One([to](auto a, bool c) { return OP(c, Cast)(a[0], to, Type({8}, to), "y"); }));
  Arg h = Make({6}, ODLA_FLOAT16,
               std::vector<uint16_t>{0x3c01, 0x0001, 0x7c00, 0xfe00, 0xc100, 0x7bff});
  for (odla_element_type to : {ODLA_FLOAT32, ODLA_INT64, ODLA_BFLOAT16, ODLA_BOOL, ODLA_FLOAT16})
    ExpectSame({h},
               One([to](auto a, bool c) { return OP(c, Cast)(a[0], to, Type({6}, to), "y"); }));
  ExpectSame({I32({3}, {-5, 0, 7})}, One([](auto a, bool c) {
               return OP(c, Cast)(a[0], ODLA_INT64, Type({3}, ODLA_INT64), "y");
             }));
}

// A small encoder block's data flow on the GPU: Reshape, Transpose, MatMul-free pieces.
TEST_F(CudaKernels, AttentionReshapesChain) {
  ExpectSame(
      {F32({2, 8, 64}, 1)}, One([](auto a, bool c) {
        odla_value r = OP(c, Reshape)(a[0], Type({2, 8, 4, 16}), "r");
        odla_value t = OP(c, Transpose)(r, Ints({0, 2, 1, 3}), Type({2, 4, 8, 16}), "t");
        odla_value s = OP(c, Softmax)(t, 3, 0, Type({2, 4, 8, 16}), "s");
        return OP(c, Slice)(s, Ints({0, 1, 0, 0}), Ints({1, 2, 1, 1}), Type({2, 2, 8, 16}), "y");
      }));
}

// Cases the CUDA builders reject run on the host, without a GPU; invalid arguments get the
// shared builder's error.
TEST(CudaKernelsNoDevice, RejectedCasesRunOnTheHost) {
  Arg x = Make({3}, ODLA_FLOAT64, std::vector<double>{1, -2, 3});
  auto outs = RunArgs({x, x}, One([](auto a, bool c) {
                        return OP(c, Add)(a[0], a[1], Type({3}, ODLA_FLOAT64), "y");
                      }),
                      true, false);
  ASSERT_EQ(outs.size(), 1u);
  const double* y = reinterpret_cast<const double*>(outs[0].data());
  EXPECT_EQ(y[0], 2);
  EXPECT_EQ(y[1], -4);
  EXPECT_EQ(y[2], 6);
}

TEST(CudaKernelsNoDevice, InvalidArgumentsGetTheSharedError) {
  odla_computation comp;
  ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  odla_value x = odla_CreateArgument(Type({2, 3}), "x");
  EXPECT_EQ(odla_Transpose(x, Ints({0, 0}), Type({2, 3}), "y"), nullptr);
  std::string text = odla_GetLastErrorText();
  EXPECT_NE(text.find("'perm' is not a permutation"), std::string::npos) << text;
  odla_DestroyComputation(comp);
}

// The index maps of the strided kernels, walked on the host as the kernels walk them: merged
// and dropped dimensions must give the offsets of the unmerged walk.
void Offsets(const odla_cuda::StridedMap& m, int64_t i, int64_t* a, int64_t* b) {
  *a = m.a_base;
  *b = m.b_base;
  for (int d = m.rank - 1; d >= 0; --d) {
    *a += i % m.dims[d] * m.a_strides[d];
    *b += i % m.dims[d] * m.b_strides[d];
    i /= m.dims[d];
  }
}

TEST(CudaKernelsNoDevice, StridedMapsKeepTheOffsets) {
  using odla_cuda::BroadcastStrides;
  using odla_cuda::DenseStrides;
  struct Case {
    Dims dims, a, b;
    int64_t a_base, b_base;
  };
  Dims out{2, 1, 3, 4, 5};
  const Case cases[] = {
      {out, DenseStrides(out), DenseStrides(out), 0, 0},                 // one run
      {out, DenseStrides(out), BroadcastStrides({3, 1, 5}, out), 0, 0},  // broadcast
      {out, DenseStrides(out), BroadcastStrides({1}, out), 0, 0},        // scalar
      {{4, 3, 2}, DenseStrides({4, 3, 2}), {1, 8, 4}, 0, 0},             // transpose
      {{2, 3, 5}, DenseStrides({2, 3, 5}), {60, -10, 1}, 0, 20 + 50},    // slice
      {{2, 3, 4}, {28, 7, 1}, DenseStrides({2, 3, 4}), 3, 0}};           // window
  for (const Case& c : cases) {
    odla_cuda::StridedMap m = odla_cuda::MakeMap(c.dims, c.a, c.a_base, c.b, c.b_base);
    odla_cuda::StridedMap plain{};
    plain.rank = static_cast<int>(c.dims.size());
    plain.a_base = c.a_base;
    plain.b_base = c.b_base;
    for (int d = 0; d < plain.rank; ++d) {
      plain.dims[d] = c.dims[d];
      plain.a_strides[d] = c.a[d];
      plain.b_strides[d] = c.b[d];
    }
    ASSERT_EQ(m.Count(), plain.Count());
    EXPECT_LE(m.rank, plain.rank);
    for (int64_t i = 0; i < m.Count(); ++i) {
      int64_t a, b, pa, pb;
      Offsets(m, i, &a, &b);
      Offsets(plain, i, &pa, &pb);
      ASSERT_EQ(a, pa) << "at " << i;
      ASSERT_EQ(b, pb) << "at " << i;
    }
  }
  // Contiguous runs merge into one dimension.
  EXPECT_EQ(odla_cuda::MakeMap(out, DenseStrides(out), 0, DenseStrides(out), 0).rank, 1);
}

// The elements of `in` moved by the map as the strided kernel moves them (n results).
std::vector<int32_t> Walk(const odla_cuda::StridedMap& m, const std::vector<int32_t>& in,
                          size_t n) {
  std::vector<int32_t> out(n, -1);
  for (int64_t i = 0; i < m.Count(); ++i) {
    int64_t a, b;
    Offsets(m, i, &a, &b);
    out.at(a) = in.at(b);
  }
  return out;
}

std::vector<int32_t> Iota(size_t n) {
  std::vector<int32_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int32_t>(i);
  return v;
}

// The maps of Transpose, Slice and Tile, walked on the host, move the elements as the ref's
// kernels do.
TEST(CudaKernelsNoDevice, LayoutMapsMatchTheRef) {
  const Dims x{2, 3, 4, 5};
  auto in = Iota(120);
  for (Dims perm : {Dims{0, 2, 1, 3}, Dims{3, 1, 0, 2}, Dims{0, 1, 2, 3}}) {
    std::vector<int32_t> want(120);
    odla_rt::TransposeCopy(want.data(), in.data(), 4, x, perm);
    EXPECT_EQ(Walk(odla_cuda::TransposeMap(x, perm), in, 120), want);
  }
  const Dims out{1, 2, 3, 2}, starts{1, 2, 0, 4}, steps{1, -1, 1, -3};
  std::vector<int32_t> want(12);
  odla_rt::SliceCopy(want.data(), in.data(), 4, x, out, starts, steps);
  EXPECT_EQ(Walk(odla_cuda::SliceMap(x, out, starts, steps), in, 12), want);
  const Dims t{2, 1, 3}, reps{2, 3, 1};
  std::vector<int32_t> tiled(36);
  odla_rt::TileCopy(tiled.data(), in.data(), 4, t, reps);
  EXPECT_EQ(Walk(odla_cuda::TileMap(t, reps), in, 36), tiled);
}

// The input elements the Pad kernel reads (on the host) are those the ref's PadCopy copies,
// for every mode, growing and cropping pads.
TEST(CudaKernelsNoDevice, PadReadsWhatTheRefCopies) {
  const Dims x{3, 4, 5};
  auto in = Iota(60);
  const int32_t fill = -1;
  const Dims pads_list[] = {{0, 1, 2, 1, 2, 3}, {1, -1, 0, 2, 1, -2}, {-1, 0, -2, 0, 3, 1}};
  for (const Dims& pads : pads_list)
    for (int mode = 0; mode < 3; ++mode) {
      Dims out(3);
      for (int d = 0; d < 3; ++d) out[d] = x[d] + pads[d] + pads[d + 3];
      std::vector<int32_t> want(out[0] * out[1] * out[2]);
      odla_rt::PadCopy(want.data(), in.data(), 4, x, pads,
                       mode == 0   ? odla_rt::PadMode::kConstant
                       : mode == 1 ? odla_rt::PadMode::kReflect
                                   : odla_rt::PadMode::kEdge,
                       &fill);
      auto src = odla_cuda::PadSources(x, pads, mode);
      ASSERT_EQ(src.size(), want.size());
      for (size_t i = 0; i < src.size(); ++i)
        ASSERT_EQ(src[i] < 0 ? fill : in.at(src[i]), want[i]) << "mode " << mode << " at " << i;
    }
}

// The maps of DepthToSpace and SpaceToDepth, walked on the host, move the elements as the
// ref's kernels do.
TEST(CudaKernelsNoDevice, DepthToSpaceMapsMatchTheRef) {
  const Dims x{2, 18, 2, 4};
  auto in = Iota(2 * 18 * 2 * 4);
  auto walk = [&](const odla_cuda::StridedMap& m) { return Walk(m, in, in.size()); };
  for (bool crd : {false, true}) {
    std::vector<int32_t> want(in.size());
    odla_rt::DepthToSpace(x[0], x[1], x[2], x[3], 3, crd, in.data(), want.data());
    EXPECT_EQ(walk(odla_cuda::DepthToSpaceMap(x, 3, crd)), want) << "crd " << crd;
  }
  const Dims s{2, 4, 6, 6};  // as many elements as x
  std::vector<int32_t> want(in.size());
  odla_rt::SpaceToDepth(s[0], s[1], s[2], s[3], 3, in.data(), want.data());
  EXPECT_EQ(walk(odla_cuda::SpaceToDepthMap(s, 3)), want);
}

}  // namespace
