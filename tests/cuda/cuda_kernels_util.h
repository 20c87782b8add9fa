// Helpers of the tests of libodla_cuda's own kernels (cuda_kernels_*test.cc): arguments,
// the CUDA-or-host build and its comparison, the GPU fixture.
#pragma once

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
  X(ReduceSumSquare) X(ReduceLogSum) X(DepthToSpace) X(SpaceToDepth) X(Mod) X(Hardmax) \
  X(CumSum) X(InstanceNormalization) X(Resize) X(Upsample) X(GatherElements) X(LRN) X(Shrink) \
  X(CastLike) X(IsNaN) X(IsInf) X(Trilu) X(ReduceLogSumExp)
// clang-format on
ODLA_TEST_REF(ODLA_REF_DECL)

namespace cuda_kernels_test {

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
inline Arg F32(const Dims& dims, unsigned seed, float scale = 3) {
  auto v = odla_test::Random(odla_rt::NumElements(odla_test::Type(dims).shape), seed);
  for (float& x : v) x *= scale;
  return Make(dims, ODLA_FLOAT32, v);
}
inline Arg I64(const Dims& dims, const std::vector<int64_t>& v) {
  return Make(dims, ODLA_INT64, v);
}
inline Arg I32(const Dims& dims, const std::vector<int32_t>& v) {
  return Make(dims, ODLA_INT32, v);
}
inline Arg Bool(const Dims& dims, const std::vector<uint8_t>& v) {
  return Make(dims, ODLA_BOOL, v);
}
// n int64 values counting from `from` (mixed signs).
inline Arg I64Seq(const Dims& dims, int64_t from, int64_t step = 1) {
  std::vector<int64_t> v(odla_rt::NumElements(Type(dims).shape));
  for (size_t i = 0; i < v.size(); ++i) v[i] = from + static_cast<int64_t>(i) * step;
  return I64(dims, v);
}

// Builds the results from the argument values, with the CUDA builders when `cuda`.
using BuildFn = std::function<std::vector<odla_value>(const std::vector<odla_value>&, bool)>;

// Runs the computation; returns each output's bytes (empty on failure).
inline std::vector<std::vector<uint8_t>> RunArgs(const std::vector<Arg>& args, const BuildFn& build,
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
inline void ExpectSame(const std::vector<Arg>& args, const BuildFn& build, bool device = true) {
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

// The CUDA computation, on the GPU, against the host one: every result byte for byte (kernels
// that run the host's arithmetic).
inline void ExpectIdentical(const std::vector<Arg>& args, const BuildFn& build) {
  auto got = RunArgs(args, build, true, true);
  auto want = RunArgs(args, build, false, false);
  ASSERT_EQ(got.size(), want.size());
  for (size_t r = 0; r < got.size(); ++r) {
    ASSERT_EQ(got[r].size(), want[r].size());
    size_t i = 0;
    while (i < got[r].size() && got[r][i] == want[r][i]) ++i;
    EXPECT_EQ(i, got[r].size()) << "result " << r << " differs first at byte " << i;
  }
}

// One-result builds.
using Build1 = std::function<odla_value(const std::vector<odla_value>&, bool)>;
inline BuildFn One(Build1 f) {
  return [f](const std::vector<odla_value>& a, bool cuda) {
    return std::vector<odla_value>{f(a, cuda)};
  };
}

inline odla_values Values(std::vector<odla_value> v) { return odla_rt::ToValues(v); }

// GPU tests: skipped, with the reason, where no CUDA device is usable.
class CudaKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!odla_cuda::HaveDevice(&why)) GTEST_SKIP() << why;
  }
};

}  // namespace cuda_kernels_test
