// libodla_cuda's integer products, DynamicQuantizeLinear and quantized element-wise ops
// (ops_qgemm.cc, ops_quant.cc, ops_qlinear.cc) against the host builders, byte for byte, as the
// other CudaKernels tests (cuda_kernels_util.h): both tile shapes of the products (the tiled
// kernel, and a thread per result for fewer than 8 rows), zero points per tensor, row, column
// and channel, batches with broadcast offsets, padding, strides, dilations, groups, both
// roundings. Without a GPU these tests skip.
#include <random>

#include "cuda_kernels_util.h"

ODLA_REF_DECL(MatMulInteger)
ODLA_REF_DECL(QLinearMatMul)
ODLA_REF_DECL(ConvInteger)
ODLA_REF_DECL(QLinearConv)
ODLA_REF_DECL(DynamicQuantizeLinear)
ODLA_REF_DECL(QLinearAdd)
ODLA_REF_DECL(QLinearSub)
ODLA_REF_DECL(QLinearMul)
ODLA_REF_DECL(QLinearLeakyRelu)
ODLA_REF_DECL(Requantize)
ODLA_REF_DECL(QLinearSigmoid)
ODLA_REF_DECL(QLinearTanh)
ODLA_REF_DECL(QLinearSoftmax)
ODLA_REF_DECL(QLinearAveragePool)
ODLA_REF_DECL(QLinearReduceMean)
ODLA_REF_DECL(MatMulNBits)

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

// Random integers in [lo, hi] of element type et (stored as T).
template <typename T>
Arg Ints8(const Dims& dims, odla_element_type et, unsigned seed, int lo, int hi) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(odla_rt::NumElements(Type(dims).shape));
  for (T& x : v) x = static_cast<T>(d(gen));
  return Make(dims, et, v);
}
Arg U8(const Dims& d, unsigned seed) { return Ints8<uint8_t>(d, ODLA_UINT8, seed, 0, 255); }
Arg S8(const Dims& d, unsigned seed) { return Ints8<int8_t>(d, ODLA_INT8, seed, -128, 127); }
Arg S16(const Dims& d, unsigned seed) { return Ints8<int16_t>(d, ODLA_INT16, seed, -3000, 3000); }
// Positive scales of about `scale`.
Arg Scales(const Dims& d, unsigned seed, float scale) {
  Arg a = F32(d, seed, 0.5f);
  float* f = reinterpret_cast<float*>(a.bytes.data());
  for (size_t i = 0; i < a.bytes.size() / sizeof(float); ++i) f[i] = scale * (1.0f + f[i]);
  return a;
}

TEST_F(CudaKernels, MatMulInteger) {
  // uint8 x int8, zero points per row and column, batches of a shared B (tiled kernel).
  ExpectSame(
      {U8({3, 37, 45}, 1), S8({45, 33}, 2), U8({37}, 3), S8({33}, 4)}, One([](auto a, bool c) {
        return OP(c, MatMulInteger)(a[0], a[1], a[2], a[3], Type({3, 37, 33}, ODLA_INT32), "y");
      }));
  // Broadcast batches [2, 1] x [3] (offsets that are not one stride), no zero points.
  ExpectSame({S8({2, 1, 40, 40}, 5), S8({3, 40, 9}, 6)}, One([](auto a, bool c) {
               return OP(c, MatMulInteger)(a[0], a[1], nullptr, nullptr,
                                           Type({2, 3, 40, 9}, ODLA_INT32), "y");
             }));
  // A vector (one row: a thread per result), zero points per tensor.
  ExpectSame({U8({45}, 7), U8({45, 70}, 8), U8({1}, 9), U8({}, 10)}, One([](auto a, bool c) {
               return OP(c, MatMulInteger)(a[0], a[1], a[2], a[3], Type({70}, ODLA_INT32), "y");
             }));
}

TEST_F(CudaKernels, MatMulNBits) {
  // 4 bits, packed zero points, K = 100 (the last of 4 blocks of 32 partly used), 3 rows: one
  // warp per column, dequantizing as it reads.
  ExpectSame(
      {F32({3, 100}, 1, 0.5f), U8({37, 4, 16}, 2), Scales({37, 4}, 3, 0.02f), U8({37, 2}, 4)},
      One([](auto a, bool c) {
        return OP(c, MatMulNBits)(a[0], a[1], a[2], a[3], 4, 32, Type({3, 37}), "y");
      }));
  // 2 bits, float zero points, 20 rows: the weights dequantized, then cuBLAS.
  ExpectSame(
      {F32({2, 10, 64}, 5, 0.5f), U8({50, 4, 4}, 6), Scales({200}, 7, 0.1f), F32({50, 4}, 8, 2.f)},
      One([](auto a, bool c) {
        return OP(c, MatMulNBits)(a[0], a[1], a[2], a[3], 2, 16, Type({2, 10, 50}), "y");
      }));
  // 8 bits, the default zero point, one row.
  ExpectSame({F32({1, 48}, 9, 0.5f), U8({9, 3, 16}, 10), Scales({27}, 11, 0.01f)},
             One([](auto a, bool c) {
               return OP(c, MatMulNBits)(a[0], a[1], a[2], nullptr, 8, 16, Type({1, 9}), "y");
             }));
}

TEST_F(CudaKernels, QLinearMatMul) {
  // Scales 1 and small values: every unit of a sum shows in the result.
  ExpectSame(
      {Ints8<int8_t>({45, 70}, ODLA_INT8, 30, -2, 2),
       Ints8<int8_t>({70, 40}, ODLA_INT8, 31, -2, 2)},
      One([](auto a, bool c) {
        static const float one[] = {1.f};
        static const int8_t zero[] = {0};
        odla_value s = odla_CreateConstant(Type({}), one, "one");
        odla_value z = odla_CreateConstant(Type({}, ODLA_INT8), zero, "zero");
        return OP(c, QLinearMatMul)(a[0], s, z, a[1], s, z, s, z, Type({45, 40}, ODLA_INT8), "y");
      }));
  ExpectSame({U8({2, 40, 50}, 1), Scales({}, 2, 0.02f), U8({}, 3), U8({50, 20}, 4),
              Scales({}, 5, 0.01f), U8({}, 6), Scales({}, 7, 2.f), U8({}, 8)},
             One([](auto a, bool c) {
               return OP(c, QLinearMatMul)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
                                           Type({2, 40, 20}, ODLA_UINT8), "y");
             }));
  ExpectSame({S8({40, 50}, 11), Scales({40}, 12, 0.02f), S8({40}, 13), S8({50, 20}, 14),
              Scales({20}, 15, 0.01f), S8({20}, 16), Scales({}, 17, 0.5f), S8({}, 18)},
             One([](auto a, bool c) {
               return OP(c, QLinearMatMul)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
                                           Type({40, 20}, ODLA_INT8), "y");
             }));
}

TEST_F(CudaKernels, ConvInteger) {
  // 40 channels, 100 positions, depth 72: partial tiles in every direction, several steps.
  ExpectSame({S8({1, 8, 10, 10}, 20), S8({40, 8, 3, 3}, 21), S8({}, 22)}, One([](auto a, bool c) {
               return OP(c, ConvInteger)(a[0], a[1], a[2], nullptr, Ints({}), 1, Ints({1, 1, 1, 1}),
                                         Ints({}), Type({1, 40, 10, 10}, ODLA_INT32), "y");
             }));
  // Pads, stride 2, x's zero point, w's per channel (tiled: 8 channels).
  ExpectSame(
      {U8({2, 3, 9, 9}, 1), U8({8, 3, 3, 3}, 2), U8({}, 3), U8({8}, 4)}, One([](auto a, bool c) {
        return OP(c, ConvInteger)(a[0], a[1], a[2], a[3], Ints({1, 1}), 1, Ints({1, 1, 1, 1}),
                                  Ints({2, 2}), Type({2, 8, 5, 5}, ODLA_INT32), "y");
      }));
  // Depthwise (a thread per result), dilation 2, asymmetric pads; 1-D and 3-D, no zero points.
  ExpectSame(
      {S8({1, 4, 7, 7}, 5), S8({4, 1, 3, 3}, 6), S8({1}, 7), S8({1}, 8)}, One([](auto a, bool c) {
        return OP(c, ConvInteger)(a[0], a[1], a[2], a[3], Ints({2, 2}), 4, Ints({0, 1, 2, 0}),
                                  Ints({1, 1}), Type({1, 4, 5, 4}, ODLA_INT32), "y");
      }));
  ExpectSame({U8({2, 6, 20}, 9), U8({10, 6, 4}, 10)}, One([](auto a, bool c) {
               return OP(c, ConvInteger)(a[0], a[1], nullptr, nullptr, Ints({}), 1, Ints({1, 1}),
                                         Ints({3}), Type({2, 10, 7}, ODLA_INT32), "y");
             }));
  ExpectSame({U8({1, 2, 4, 5, 6}, 11), U8({9, 2, 2, 2, 3}, 12)}, One([](auto a, bool c) {
               return OP(c, ConvInteger)(a[0], a[1], nullptr, nullptr, Ints({}), 1,
                                         Ints({0, 0, 1, 0, 0, 1}), Ints({}),
                                         Type({1, 9, 3, 4, 6}, ODLA_INT32), "y");
             }));
}

TEST_F(CudaKernels, QLinearConv) {
  // onnx and tflite rounding: uint8 per tensor with a bias; int8 with per-channel w scales and
  // zero points (tflite: zero points 0, as TFLite has), grouped.
  for (const char* rounding : {"onnx", "tflite"}) {
    bool tflite = std::string(rounding) == "tflite";
    ExpectSame({U8({2, 3, 9, 9}, 1), Scales({}, 2, 0.02f), U8({}, 3), U8({12, 3, 3, 3}, 4),
                Scales({}, 5, 0.01f), U8({}, 6), Scales({}, 7, 0.05f), U8({}, 8),
                I32({12}, {-900, 5, 300, 7000, -12, 0, 1, 2, 3, 4, 5, -6})},
               One([=](auto a, bool c) {
                 return OP(c, QLinearConv)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
                                           rounding, Ints({1, 1}), 1, Ints({1, 1, 1, 1}),
                                           Ints({1, 1}), Type({2, 12, 9, 9}, ODLA_UINT8), "y");
               }));
    Arg wzp = tflite ? Make<int8_t>({16}, ODLA_INT8, std::vector<int8_t>(16, 0)) : S8({16}, 13);
    ExpectSame({S8({1, 8, 6, 6}, 10), Scales({}, 11, 0.03f), S8({}, 12), S8({16, 4, 3, 3}, 14),
                Scales({16}, 15, 0.01f), wzp, Scales({}, 16, 0.2f), S8({}, 17)},
               One([=](auto a, bool c) {
                 return OP(c, QLinearConv)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], nullptr,
                                           rounding, Ints({2, 1}), 2, Ints({2, 1, 2, 1}),
                                           Ints({1, 2}), Type({1, 16, 6, 3}, ODLA_INT8), "y");
               }));
  }
  // TFLite's 16x8: int16 x, int8 w, an int64 bias, int16 y; depthwise.
  ExpectSame({S16({1, 5, 8, 8}, 20), Scales({}, 21, 0.001f), Make<int16_t>({}, ODLA_INT16, {0}),
              S8({5, 1, 3, 3}, 22), Scales({5}, 23, 0.01f),
              Make<int8_t>({5}, ODLA_INT8, std::vector<int8_t>(5, 0)), Scales({}, 24, 0.002f),
              Make<int16_t>({}, ODLA_INT16, {0}),
              Make<int64_t>({5}, ODLA_INT64, {-100000, 5, 0, 77777, 3})},
             One([](auto a, bool c) {
               return OP(c, QLinearConv)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
                                         "tflite", Ints({1, 1}), 5, Ints({1, 1, 1, 1}),
                                         Ints({1, 1}), Type({1, 5, 8, 8}, ODLA_INT16), "y");
             }));
}

TEST_F(CudaKernels, DynamicQuantizeLinear) {
  auto build = [](auto a, bool c) {
    odla_value_types t{};
    t.size = 3;
    t.types[0] = Type(odla_cuda::ValueDims(a[0]), ODLA_UINT8);
    t.types[1] = Type({});
    t.types[2] = Type({}, ODLA_UINT8);
    return odla_rt::FromValues(OP(c, DynamicQuantizeLinear)(a[0], t, "y"));
  };
  ExpectSame({F32({5000}, 1)}, build);  // more values than the range kernel's threads
  ExpectSame({F32({3, 7}, 2, 0.1f)}, build);
  ExpectSame({Make<float>({4}, ODLA_FLOAT32, {1.f, 3.f, 2.5f, 0.25f})}, build);  // all positive
  ExpectSame({Make<float>({3}, ODLA_FLOAT32, {0.f, 0.f, 0.f})}, build);          // scale 0
}

// A constant scalar of type et holding v.
odla_value Const(odla_element_type et, double v, const char* id) {
  static std::vector<std::vector<uint8_t>> keep;  // alive while the computation is
  keep.emplace_back(8);
  void* p = keep.back().data();
  switch (et) {
    case ODLA_FLOAT32:
      *static_cast<float*>(p) = static_cast<float>(v);
      break;
    case ODLA_INT8:
      *static_cast<int8_t*>(p) = static_cast<int8_t>(v);
      break;
    case ODLA_UINT8:
      *static_cast<uint8_t*>(p) = static_cast<uint8_t>(v);
      break;
    case ODLA_INT16:
      *static_cast<int16_t*>(p) = static_cast<int16_t>(v);
      break;
    default:
      *static_cast<int32_t*>(p) = static_cast<int32_t>(v);
  }
  return odla_CreateConstant(Type({}, et), p, id);
}

Arg Q(const Dims& d, odla_element_type t, unsigned seed) {
  if (t == ODLA_UINT8) return U8(d, seed);
  if (t == ODLA_INT8) return S8(d, seed);
  if (t == ODLA_INT16) return S16(d, seed);
  return Ints8<int32_t>(d, ODLA_INT32, seed, -100000, 100000);
}

TEST_F(CudaKernels, QLinearBinary) {
  using BinaryFn = decltype(&odla_QLinearAdd);
  struct Op {
    BinaryFn cuda, ref;
  };
  const Op ops[] = {{odla_QLinearAdd, odla_ref_QLinearAdd},
                    {odla_QLinearSub, odla_ref_QLinearSub},
                    {odla_QLinearMul, odla_ref_QLinearMul}};
  for (const Op& op : ops)
    for (const char* rounding : {"onnx", "tflite"})
      for (odla_element_type t : {ODLA_INT8, ODLA_UINT8, ODLA_INT16}) {
        const bool is16 = t == ODLA_INT16;
        // A [2, 3, 4] with B [3, 1] broadcast; zero points 0 for int16 (as TFLite has).
        ExpectSame({Q({2, 3, 4}, t, 1), Q({3, 1}, t, 2)}, One([=](auto a, bool c) {
                     const double za = is16 ? 0 : 3, zb = is16 ? 0 : -2, zy = is16 ? 0 : 1;
                     return (c ? op.cuda : op.ref)(
                         a[0], Const(ODLA_FLOAT32, is16 ? 0.002 : 0.05, "as"), Const(t, za, "az"),
                         a[1], Const(ODLA_FLOAT32, is16 ? 0.003 : 0.04, "bs"), Const(t, zb, "bz"),
                         Const(ODLA_FLOAT32, is16 ? 0.004 : 0.07, "ys"), Const(t, zy, "yz"),
                         rounding, Type({2, 3, 4}, t), "y");
                   }));
      }
  // A scale that is an argument: the host builder.
  ExpectSame({S8({4}, 3), S8({4}, 4), F32({}, 5, 0.1f)}, One([](auto a, bool c) {
               return OP(c, QLinearAdd)(a[0], a[2], nullptr, a[1], a[2], nullptr, a[2], nullptr,
                                        "tflite", Type({4}, ODLA_INT8), "y");
             }),
             false);
}

TEST_F(CudaKernels, QLinearLeakyReluAndRequantize) {
  for (const char* rounding : {"onnx", "tflite"}) {
    for (odla_element_type t : {ODLA_INT8, ODLA_UINT8, ODLA_INT16})
      ExpectSame({Q({5, 7}, t, 6)}, One([=](auto a, bool c) {
                   return OP(c, QLinearLeakyRelu)(a[0], Const(ODLA_FLOAT32, 0.05, "xs"),
                                                  Const(t, t == ODLA_INT16 ? 0 : 4, "xz"),
                                                  Const(ODLA_FLOAT32, 0.03, "ys"),
                                                  Const(t, t == ODLA_INT16 ? 0 : -3, "yz"), 0.1f,
                                                  rounding, Type({5, 7}, t), "y");
                 }));
    const odla_element_type pairs[][2] = {{ODLA_INT8, ODLA_UINT8},
                                          {ODLA_INT32, ODLA_INT8},
                                          {ODLA_INT16, ODLA_INT8},
                                          {ODLA_UINT8, ODLA_INT16}};
    for (const auto& pair : pairs) {
      const odla_element_type xt = pair[0], yt = pair[1];
      ExpectSame({Q({6, 5}, xt, 7)}, One([=](auto a, bool c) {
                   return OP(c, Requantize)(a[0], Const(ODLA_FLOAT32, 0.02, "xs"),
                                            Const(xt, 2, "xz"), Const(ODLA_FLOAT32, 0.5, "ys"),
                                            Const(yt, yt == ODLA_UINT8 ? 128 : -1, "yz"), rounding,
                                            Type({6, 5}, yt), "y");
                 }));
    }
  }
}

// Every value of t, ascending.
Arg AllValues(odla_element_type t) {
  auto all = [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> v;
    for (int64_t i = odla_rt::QRange<T>::lo; i <= odla_rt::QRange<T>::hi; ++i)
      v.push_back(static_cast<T>(i));
    return Make<T>({static_cast<int64_t>(v.size())}, t, v);
  };
  return t == ODLA_INT8 ? all(int8_t{}) : t == ODLA_UINT8 ? all(uint8_t{}) : all(int16_t{});
}

TEST_F(CudaKernels, QLinearSigmoidTanh) {
  // Every form over every value: TFLite's int8 and int16 kernels, and the float form (ONNX's
  // rounding, or output scales TFLite's kernels do not take).
  struct Case {
    odla_element_type t;
    const char* rounding;
    double xs, xz, ys, yz, tanh_ys, tanh_yz;
  };
  const Case cases[] = {{ODLA_INT8, "tflite", 0.04, 5, 1.0 / 256, -128, 1.0 / 128, 0},
                        {ODLA_INT16, "tflite", 0.001, 0, 1.0 / 32768, 0, 1.0 / 32768, 0},
                        {ODLA_INT16, "tflite", 1.0 / 4096, 0, 1.0 / 32768, 0, 1.0 / 32768, 0},
                        {ODLA_INT8, "onnx", 0.04, 5, 0.01, -3, 0.01, -3},
                        {ODLA_UINT8, "tflite", 0.05, 128, 0.004, 2, 0.008, 128},
                        {ODLA_INT16, "onnx", 0.002, 7, 0.0001, -9, 0.0001, -9}};
  for (const Case& k : cases)
    for (bool tanh : {false, true}) {
      const int64_t n = k.t == ODLA_INT16 ? 65536 : 256;
      const double ys = tanh ? k.tanh_ys : k.ys, yz = tanh ? k.tanh_yz : k.yz;
      ExpectSame({AllValues(k.t)}, One([=](auto a, bool c) {
                   auto f = tanh ? (c ? odla_QLinearTanh : odla_ref_QLinearTanh)
                                 : (c ? odla_QLinearSigmoid : odla_ref_QLinearSigmoid);
                   return f(a[0], Const(ODLA_FLOAT32, k.xs, "xs"), Const(k.t, k.xz, "xz"),
                            Const(ODLA_FLOAT32, ys, "ys"), Const(k.t, yz, "yz"), k.rounding,
                            Type({n}, k.t), "y");
                 }));
    }
}

TEST_F(CudaKernels, QLinearSoftmax) {
  // Axis 1 of [3, 37, 4]: TFLite's 8-bit kernels (uint8 -> uint8, int8 -> int8, int8 -> int16),
  // its int16 kernel, and the float form (ONNX's rounding, other scales, int16).
  struct Case {
    odla_element_type x, y;
    const char* rounding;
    double xs, xz, ys, yz;
  };
  const Case cases[] = {{ODLA_UINT8, ODLA_UINT8, "tflite", 0.1, 3, 1.0 / 256, 0},
                        {ODLA_INT8, ODLA_INT8, "tflite", 0.1, 3, 1.0 / 256, -128},
                        {ODLA_INT8, ODLA_INT16, "tflite", 0.1, 3, 1.0 / 65536, -32768},
                        {ODLA_INT16, ODLA_INT16, "tflite", 0.002, 0, 1.0 / 32768, 0},
                        {ODLA_UINT8, ODLA_UINT8, "onnx", 0.1, 3, 1.0 / 256, 0},
                        {ODLA_INT8, ODLA_UINT8, "tflite", 0.05, -2, 0.003, 1},
                        {ODLA_INT16, ODLA_INT8, "onnx", 0.003, 4, 0.005, -100}};
  for (const Case& k : cases)
    ExpectSame({Q({3, 37, 4}, k.x, 2)}, One([=](auto a, bool c) {
                 return OP(c, QLinearSoftmax)(
                     a[0], Const(ODLA_FLOAT32, k.xs, "xs"), Const(k.x, k.xz, "xz"),
                     Const(ODLA_FLOAT32, k.ys, "ys"), Const(k.y, k.yz, "yz"), 1, k.rounding,
                     Type({3, 37, 4}, k.y), "y");
               }));
  // 1000 classes of nearly equal values: TFLite's final shift reaches 32 (fixed_point.h).
  for (odla_element_type t : {ODLA_INT8, ODLA_UINT8}) {
    const int lo = t == ODLA_INT8 ? 3 : 130;
    ExpectSame({t == ODLA_INT8 ? Ints8<int8_t>({2, 1000}, t, 5, lo, lo + 1)
                               : Ints8<uint8_t>({2, 1000}, t, 5, lo, lo + 1)},
               One([=](auto a, bool c) {
                 return OP(c, QLinearSoftmax)(a[0], Const(ODLA_FLOAT32, 0.02, "xs"),
                                              Const(t, 0, "xz"),
                                              Const(ODLA_FLOAT32, 1.0 / 256, "ys"),
                                              Const(t, t == ODLA_INT8 ? -128 : 0, "yz"), 1,
                                              "tflite", Type({2, 1000}, t), "y");
               }));
  }
  // Scales that are not constants stay on the host.
  ExpectSame({Q({2, 9}, ODLA_INT8, 3), Make<float>({}, ODLA_FLOAT32, {0.1f})},
             One([](auto a, bool c) {
               return OP(c, QLinearSoftmax)(a[0], a[1], nullptr, Const(ODLA_FLOAT32, 0.01, "ys"),
                                            nullptr, 1, "onnx", Type({2, 9}, ODLA_INT8), "y");
             }),
             false);
}

TEST_F(CudaKernels, QLinearAveragePoolAndReduceMean) {
  for (const char* rounding : {"onnx", "tflite"})
    for (odla_element_type t : {ODLA_INT8, ODLA_UINT8, ODLA_INT16}) {
      const bool tflite = std::string(rounding) == "tflite";
      // 3x3 windows, stride 2, pads 1 (padding counted with onnx rounding).
      ExpectSame({Q({2, 3, 9, 8}, t, 3)}, One([=](auto a, bool c) {
                   odla_value xs = Const(ODLA_FLOAT32, 0.05, "xs"), xz = Const(t, 3, "xz");
                   odla_value ys = tflite ? xs : Const(ODLA_FLOAT32, 0.02, "ys");
                   odla_value yz = tflite ? xz : Const(t, -1, "yz");
                   return OP(c, QLinearAveragePool)(a[0], xs, xz, ys, yz, tflite ? 0 : 1,
                                                    Ints({3, 3}), Ints({1, 1, 1, 1}), Ints({2, 2}),
                                                    rounding, Type({2, 3, 5, 4}, t), "y");
                 }));
      // MEAN over axes 1 and 3 of [2, 5, 3, 7].
      ExpectSame({Q({2, 5, 3, 7}, t, 4)}, One([=](auto a, bool c) {
                   return OP(c, QLinearReduceMean)(
                       a[0], Const(ODLA_FLOAT32, 0.05, "xs"), Const(t, 3, "xz"),
                       Const(ODLA_FLOAT32, 0.03, "ys"), Const(t, -2, "yz"), Ints({1, 3}), 1,
                       rounding, Type({2, 1, 3, 1}, t), "y");
                 }));
    }
}

// The TFLite import's fused activations of quantized values: Clip of int8, uint8, int16 (bounds
// converted as the ref converts them, saturating).
TEST_F(CudaKernels, ClipOfQuantizedValues) {
  for (odla_element_type t : {ODLA_INT8, ODLA_UINT8, ODLA_INT16})
    for (float hi : {100.5f, 1000.f, FLT_MAX})
      ExpectSame({Q({4, 33}, t, 8)}, One([=](auto a, bool c) {
                   return OP(c, Clip)(a[0], -5.f, hi, Type({4, 33}, t), "y");
                 }));
}

}  // namespace
