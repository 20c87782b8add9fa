// libodla_cuda's own kernels (ops_*.cc on kernels_*.cu), linked statically: each test builds
// a small computation twice, with the CUDA builder (odla_OP) and with the host one
// (odla_ref_OP), on the same arguments, runs both and compares: exactly for data movement
// and integer or bool results, within 1e-5 relative for float math. Without a GPU these
// tests skip; the CudaKernelsNoDevice tests run everywhere.

#include "cuda_kernels_util.h"

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

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
  ExpectSame({x}, One([](auto a, bool c) {
               return OP(c, Shrink)(a[0], 0.25f, 0.5f, Type({64}), "y");  // bias, lambd
             }));
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

// CastLike is Cast to the result's element type; IsNaN and IsInf classify floats into bool.
TEST_F(CudaKernels, CastLikeIsNaNIsInf) {
  Arg f =
      Make({7}, ODLA_FLOAT32, std::vector<float>{NAN, -INFINITY, INFINITY, -2.7f, 0.f, 3.5f, -NAN});
  for (odla_element_type to : {ODLA_INT32, ODLA_BOOL, ODLA_FLOAT16})
    ExpectSame({f},
               One([to](auto a, bool c) { return OP(c, CastLike)(a[0], Type({7}, to), "y"); }));
  ExpectSame({f},
             One([](auto a, bool c) { return OP(c, IsNaN)(a[0], Type({7}, ODLA_BOOL), "y"); }));
  for (int64_t neg : {0, 1})
    for (int64_t pos : {0, 1})
      ExpectSame({f}, One([neg, pos](auto a, bool c) {
                   return OP(c, IsInf)(a[0], neg, pos, Type({7}, ODLA_BOOL), "y");
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
