// libodla_cuda's GatherND, ScatterElements, Scatter, ScatterND, ReverseSequence, OneHot, TopK,
// QuantizeLinear, DequantizeLinear and Dropout (ops_index.cc, ops_quant.cc, ops_layout.cc) against
// the host builders, as the other CudaKernels tests (cuda_kernels_util.h). Without a GPU these
// tests skip.

#include <cmath>
#include <limits>

#include "cuda_kernels_util.h"

ODLA_REF_DECL(GatherND)
ODLA_REF_DECL(ScatterElements)
ODLA_REF_DECL(Scatter)
ODLA_REF_DECL(ScatterND)
ODLA_REF_DECL(ReverseSequence)
ODLA_REF_DECL(OneHot)
ODLA_REF_DECL(Compress)
ODLA_REF_DECL(NonZero)
ODLA_REF_DECL(TopK)
ODLA_REF_DECL(QuantizeLinear)
ODLA_REF_DECL(DequantizeLinear)
ODLA_REF_DECL(Dropout)

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

odla_value_types Types(std::initializer_list<odla_value_type> types) {
  odla_value_types t{};
  for (const odla_value_type& x : types) t.types[t.size++] = x;
  return t;
}

TEST_F(CudaKernels, GatherND) {
  // Tuples of 2 into [4, 3, 5]: slices of 5, negative indices counting from the end.
  ExpectSame({F32({4, 3, 5}, 1), I64({2, 3, 2}, {0, 0, 3, 2, -1, -3, 1, 1, 2, 0, -4, 2})},
             One([](auto a, bool c) {
               return OP(c, GatherND)(a[0], a[1], 0, Type({2, 3, 5}), "y");
             }));
  // Full tuples (single elements), int64 data.
  ExpectSame({I64Seq({3, 4}, -5), I64({4, 2}, {2, 3, 0, 0, -1, -4, 1, 2})}, One([](auto a, bool c) {
               return OP(c, GatherND)(a[0], a[1], 0, Type({4}, ODLA_INT64), "y");
             }));
  // batch_dims 1: each batch's tuples index its own [3, 5] data; constant indices.
  ExpectSame({F32({2, 3, 5}, 2)}, One([](auto a, bool c) {
               static const int64_t idx[] = {2, 0, -1, 1};
               odla_value i = odla_CreateConstant(Type({2, 2, 1}, ODLA_INT64), idx, "i");
               return OP(c, GatherND)(a[0], i, 1, Type({2, 2, 5}), "y");
             }));
}

TEST_F(CudaKernels, GatherNDIndexOutOfRangeFailsTheRun) {
  odla_status s;
  RunArgs({F32({4, 3}, 1), I64({2, 2}, {1, 2, 0, 3})},
          One([](auto a, bool c) { return OP(c, GatherND)(a[0], a[1], 0, Type({2}), "y"); }), true,
          true, &s);
  EXPECT_NE(s, ODLA_SUCCESS);
}

TEST_F(CudaKernels, ScatterElements) {
  // Duplicate targets (applied in order), negative indices, every reduction, two axes.
  for (const char* r : {"none", "add", "mul", "max", "min"}) {
    ExpectSame({F32({4, 5}, 1), I64({3, 2}, {0, -1, 3, 1, 0, 0}), F32({3, 2}, 2)},
               One([=](auto a, bool c) {
                 return OP(c, ScatterElements)(a[0], a[1], a[2], 0, r, Type({4, 5}), "y");
               }));
    ExpectSame(
        {I64Seq({3, 4}, -6), I32({3, 3}, {1, 1, -4, 0, 3, 3, 2, 2, 2}), I64Seq({3, 3}, 5, -2)},
        One([=](auto a, bool c) {
          return OP(c, ScatterElements)(a[0], a[1], a[2], 1, r, Type({3, 4}, ODLA_INT64), "y");
        }));
  }
  // Bool data (no reduction), and the old Scatter.
  ExpectSame(
      {Bool({2, 3}, {0, 1, 0, 1, 0, 1}), I64({1, 3}, {1, 0, 1}), Bool({1, 3}, {1, 1, 0})},
      One([](auto a, bool c) {
        return OP(c, ScatterElements)(a[0], a[1], a[2], 0, "none", Type({2, 3}, ODLA_BOOL), "y");
      }));
  ExpectSame({F32({3, 3}, 3), I64({2, 3}, {2, 0, 1, 0, 2, 2}), F32({2, 3}, 4)},
             One([](auto a, bool c) {
               return OP(c, Scatter)(a[0], a[1], a[2], 0, Type({3, 3}), "y");
             }));
}

TEST_F(CudaKernels, ScatterND) {
  // Slices of [4, 3] rows into [5, 4, 3], duplicates included, every reduction.
  for (const char* r : {"none", "add", "mul", "max", "min"})
    ExpectSame({F32({5, 4, 3}, 1), I64({3, 1}, {4, -1, 0}), F32({3, 4, 3}, 2)},
               One([=](auto a, bool c) {
                 return OP(c, ScatterND)(a[0], a[1], a[2], r, Type({5, 4, 3}), "y");
               }));
  // Single elements (full tuples), int32 data.
  ExpectSame(
      {I32({2, 3}, {1, 2, 3, 4, 5, 6}), I64({3, 2}, {0, 1, -1, -1, 0, 1}), I32({3}, {10, 20, 30})},
      One([](auto a, bool c) {
        return OP(c, ScatterND)(a[0], a[1], a[2], "add", Type({2, 3}, ODLA_INT32), "y");
      }));
}

TEST_F(CudaKernels, ScatterIndexOutOfRangeFailsTheRun) {
  odla_status s;
  RunArgs({F32({4, 3}, 1), I64({1, 2}, {1, 3}), F32({1}, 2)}, One([](auto a, bool c) {
            return OP(c, ScatterND)(a[0], a[1], a[2], "none", Type({4, 3}), "y");
          }),
          true, true, &s);
  EXPECT_NE(s, ODLA_SUCCESS);
  RunArgs({F32({4, 3}, 1), I64({1, 3}, {0, 4, 1}), F32({1, 3}, 2)}, One([](auto a, bool c) {
            return OP(c, ScatterElements)(a[0], a[1], a[2], 0, "add", Type({4, 3}), "y");
          }),
          true, true, &s);
  EXPECT_NE(s, ODLA_SUCCESS);
}

TEST_F(CudaKernels, ReverseSequence) {
  // Time-major [5, 4, 3] and batch-major [4, 5, 3]; lengths 0, 1, partial and full; int64 data.
  ExpectSame({F32({5, 4, 3}, 1), I64({4}, {0, 1, 3, 5})}, One([](auto a, bool c) {
               return OP(c, ReverseSequence)(a[0], a[1], 1, 0, Type({5, 4, 3}), "y");
             }));
  ExpectSame({I64Seq({4, 5, 3}, -9)}, One([](auto a, bool c) {
               static const int64_t lens[] = {5, 2, 0, 4};
               odla_value l = odla_CreateConstant(Type({4}, ODLA_INT64), lens, "l");
               return OP(c, ReverseSequence)(a[0], l, 0, 1, Type({4, 5, 3}, ODLA_INT64), "y");
             }));
  odla_status s;
  RunArgs({F32({3, 2}, 1), I64({2}, {1, 4})}, One([](auto a, bool c) {
            return OP(c, ReverseSequence)(a[0], a[1], 1, 0, Type({3, 2}), "y");
          }),
          true, true, &s);
  EXPECT_NE(s, ODLA_SUCCESS) << "a length beyond the time axis fails the run";
}

TEST_F(CudaKernels, Compress) {
  // A constant condition (as the compiler requires), shorter than the axis, on each axis of
  // [4, 5, 3] and on the flattened input; int64 data too.
  static const uint8_t cond[] = {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0};
  auto compress = [](int64_t axis, int64_t len, Dims out, odla_element_type t = ODLA_FLOAT32) {
    return One([=](auto a, bool c) {
      odla_value k = odla_CreateConstant(Type({len}, ODLA_BOOL), cond, "cond");
      return OP(c, Compress)(a[0], k, axis, Type(out, t), "y");
    });
  };
  ExpectSame({F32({4, 5, 3}, 1)}, compress(0, 4, {3, 5, 3}));
  ExpectSame({F32({4, 5, 3}, 2)}, compress(1, 5, {4, 3, 3}));
  ExpectSame({F32({4, 5, 3}, 3)}, compress(2, 2, {4, 5, 1}));
  ExpectSame({F32({4, 5, 3}, 4)}, compress(-2147483648LL, 12, {7}));
  ExpectSame({I64Seq({6, 2}, -3)}, compress(0, 6, {3, 2}, ODLA_INT64));
}

TEST_F(CudaKernels, NonZero) {
  // The bound buffer [rank, n]: both sides write [rank, count] from its start, the rest stays.
  auto nonzero = [](Dims out) {
    return One([out](auto a, bool c) { return OP(c, NonZero)(a[0], Type(out, ODLA_INT64), "y"); });
  };
  // float32: -0 is zero, NaN and denormals are not.
  std::vector<float> f = {0.f,  -0.f, 1.f, std::nanf(""), 0.f, 1e-40f,
                          -2.f, 0.f,  0.f, 3.f,           0.f, 0.f};
  ExpectSame({Make({3, 4}, ODLA_FLOAT32, f)}, nonzero({2, 12}));
  // Several tiles of the block, rank 3, int64 and bool; a scalar counts as rank 1.
  std::vector<int64_t> v(5 * 7 * 31);
  for (size_t i = 0; i < v.size(); ++i) v[i] = (i * 37 % 11 < 4) ? static_cast<int64_t>(i) : 0;
  ExpectSame({Make({5, 7, 31}, ODLA_INT64, v)}, nonzero({3, 5 * 7 * 31}));
  ExpectSame({Bool({2, 3}, {1, 0, 0, 1, 1, 0})}, nonzero({2, 6}));
  ExpectSame({Make<float>({}, ODLA_FLOAT32, {2.5f})}, nonzero({1, 1}));
  ExpectSame({Make<float>({4}, ODLA_FLOAT32, {0, 0, 0, 0})}, nonzero({1, 4}));
  // More tiles than parts: each of the 256 blocks walks several.
  std::vector<uint8_t> mask(300 * 250);
  for (size_t i = 0; i < mask.size(); ++i) mask[i] = (i * 2654435761u >> 7) % 5 == 0;
  ExpectSame({Bool({300, 250}, mask)}, nonzero({2, 300 * 250}));
}

TEST_F(CudaKernels, NonZeroReportsItsShape) {
  // The actual shape after the run: [2, 3] of the bound [2, 6].
  odla_computation comp;
  ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  odla_value x = odla_CreateArgument(Type({2, 3}), "x");
  odla_value y = odla_NonZero(x, Type({2, 6}, ODLA_INT64), "y");
  ASSERT_NE(y, nullptr) << odla_GetLastErrorText();
  EXPECT_TRUE(odla_rt::OnDevice(y));
  ASSERT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
  odla_context ctx;
  ASSERT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
  const float in[] = {0, 5, 0, -1, 0, 2};
  std::vector<int64_t> out(12, -7);
  ASSERT_EQ(odla_BindToArgument(ctx, 0, in), ODLA_SUCCESS);
  ASSERT_EQ(odla_BindToOutput(ctx, 0, out.data()), ODLA_SUCCESS);
  ASSERT_EQ(odla_ExecuteComputation(comp, ctx), ODLA_SUCCESS) << odla_GetLastErrorText();
  odla_value_shape shape{};
  ASSERT_EQ(odla_GetOutputShape(ctx, 0, &shape), ODLA_SUCCESS);
  ASSERT_EQ(shape.size, 2);
  EXPECT_EQ(shape.dims[0], 2);
  EXPECT_EQ(shape.dims[1], 3);
  EXPECT_EQ(std::vector<int64_t>(out.begin(), out.begin() + 6),
            (std::vector<int64_t>{0, 1, 1, 1, 0, 2}));
  odla_DestroyContext(ctx);
  odla_DestroyComputation(comp);
}

TEST_F(CudaKernels, OneHot) {
  // int64 indices, some negative, one beyond the depth (all "off"), on every axis.
  for (int64_t axis : {0, 1, 2}) {
    Dims out = {2, 3};
    out.insert(out.begin() + axis, 4);
    ExpectSame({I64({2, 3}, {0, 3, -1, 5, -4, 2}), F32({2}, 3)}, One([=](auto a, bool c) {
                 return OP(c, OneHot)(a[0], a[1], axis, Type(out), "y");
               }));
  }
  // float32 indices (truncated) into int32 values.
  ExpectSame({Make<float>({5}, ODLA_FLOAT32, {0.f, 1.7f, -1.2f, 2.f, 9.f}), I32({2}, {-7, 11})},
             One([](auto a, bool c) {
               return OP(c, OneHot)(a[0], a[1], 1, Type({5, 3}, ODLA_INT32), "y");
             }));
}

TEST_F(CudaKernels, TopK) {
  auto topk = [](Dims out, int64_t k, int64_t axis, int64_t largest, odla_element_type t) {
    return [=](auto a, bool c) {
      return odla_rt::FromValues(OP(c, TopK)(a[0], k, axis, largest, 1,
                                             Types({Type(out, t), Type(out, ODLA_INT64)}), "y"));
    };
  };
  // Ties (the lower index first), NaNs (above every number), both orders, a middle axis.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Arg ties = Make<float>({2, 6, 2}, ODLA_FLOAT32, {1, 5, 3, nan, 3,  2, 7, 2, nan, 0,   3, 1,  //
                                                   0, 0, 0, 0,   -1, 4, 2, 4, 2,   nan, 2, 4});
  for (int64_t largest : {0, 1})
    for (int64_t k : {1, 4, 6}) ExpectSame({ties}, topk({2, k, 2}, k, 1, largest, ODLA_FLOAT32));
  // Classifier rows: 1000 classes, k 5, last axis (given as -1); int32 and int64.
  ExpectSame({F32({3, 1000}, 4)}, topk({3, 5}, 5, -1, 1, ODLA_FLOAT32));
  ExpectSame({I32({2, 7}, {5, -3, 5, 9, 0, -3, 2, 1, 1, 1, 0, 8, -8, 1})},
             topk({2, 3}, 3, 1, 0, ODLA_INT32));
  ExpectSame({I64Seq({4, 9}, 20, -3)}, topk({2, 9}, 2, 0, 1, ODLA_INT64));
}

TEST_F(CudaKernels, QuantizeAndDequantize) {
  // Halves (to even, or away from 0 with tflite rounding), saturation, per tensor and per axis.
  Arg x =
      Make<float>({2, 3, 4}, ODLA_FLOAT32,
                  {0.5f, 1.5f, 2.5f,  -0.5f, -1.5f, -2.5f,  300.f, -300.f, 1.f,  2.f,   3.f, 4.f,
                   -4.f, 0.f,  7.49f, 7.51f, 100.f, -100.f, 0.25f, 0.75f,  12.f, -12.f, 5.f, 6.f});
  for (const char* rounding : {"onnx", "tflite"}) {
    for (odla_element_type q : {ODLA_INT8, ODLA_UINT8, ODLA_INT16}) {
      ExpectSame({x}, One([=](auto a, bool c) {
                   static const float sc[] = {0.5f};
                   static const uint8_t zp[2] = {3, 0};
                   odla_value s = odla_CreateConstant(Type({1}), sc, "s");
                   odla_value z = odla_CreateConstant(Type({1}, q), zp, "z");
                   return OP(c, QuantizeLinear)(a[0], s, z, 1, rounding, Type({2, 3, 4}, q), "y");
                 }));
    }
  }
  // Per axis 1, uint8 without a zero point; int32 input.
  ExpectSame({x, F32({3}, 5, 1)}, One([](auto a, bool c) {
               return OP(c, QuantizeLinear)(a[0], a[1], nullptr, 1, "onnx",
                                            Type({2, 3, 4}, ODLA_UINT8), "y");
             }));
  ExpectSame({I32({4}, {7, -9, 300, 1})}, One([](auto a, bool c) {
               static const float sc[] = {2.f};
               static const int8_t zp[] = {-1};
               odla_value s = odla_CreateConstant(Type({1}), sc, "s");
               odla_value z = odla_CreateConstant(Type({1}, ODLA_INT8), zp, "z");
               return OP(c, QuantizeLinear)(a[0], s, z, 0, "onnx", Type({4}, ODLA_INT8), "y");
             }));
  // Dequantize: per axis 0 int8 with zero points, int32 per tensor.
  ExpectSame({Make<int8_t>({2, 3}, ODLA_INT8, {-128, 0, 127, 5, -5, 1}), F32({2}, 6, 1),
              Make<int8_t>({2}, ODLA_INT8, {3, -2})},
             One([](auto a, bool c) {
               return OP(c, DequantizeLinear)(a[0], a[1], a[2], 0, Type({2, 3}), "y");
             }));
  ExpectSame({I32({3}, {-70000, 0, 123456}), F32({1}, 7, 1)}, One([](auto a, bool c) {
               return OP(c, DequantizeLinear)(a[0], a[1], nullptr, 0, Type({3}), "y");
             }));
}

TEST_F(CudaKernels, Dropout) {
  ExpectSame({F32({3, 5}, 1)}, [](auto a, bool c) {
    return odla_rt::FromValues(
        OP(c, Dropout)(a[0], Types({Type({3, 5}), Type({3, 5}, ODLA_BOOL)}), "y"));
  });
  ExpectSame({I64Seq({7}, -3)}, [](auto a, bool c) {
    return odla_rt::FromValues(OP(c, Dropout)(a[0], Types({Type({7}, ODLA_INT64)}), "y"));
  });
}

}  // namespace
