// libodla_cuda's LpPool, MaxRoiPool, MaxUnpool, Det (ops_window.cc), BitShift and the Bitwise
// ops (ops_elementwise.cc) against the host builders, as the other CudaKernels tests
// (cuda_kernels_util.h). Without a GPU these tests skip.
#include "cuda_kernels_util.h"

ODLA_REF_DECL(LpPool)
ODLA_REF_DECL(MaxRoiPool)
ODLA_REF_DECL(BitShift)
ODLA_REF_DECL(BitwiseAnd)
ODLA_REF_DECL(BitwiseOr)
ODLA_REF_DECL(BitwiseXor)
ODLA_REF_DECL(BitwiseNot)
ODLA_REF_DECL(Det)
ODLA_REF_DECL(MaxUnpool)

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

TEST_F(CudaKernels, LpPool) {
  // p 1, 2 and 3; 2-D with pads and strides, 1-D, 3-D.
  for (int64_t p : {1, 2, 3})
    ExpectSame({F32({2, 3, 7, 6}, 1)}, One([=](auto a, bool c) {
                 return OP(c, LpPool)(a[0], Ints({3, 2}), p, Ints({1, 0, 1, 1}), Ints({2, 2}),
                                      Type({2, 3, 4, 3}), "y");
               }));
  ExpectSame(
      {F32({1, 2, 9}, 2)}, One([](auto a, bool c) {
        return OP(c, LpPool)(a[0], Ints({4}), 2, Ints({0, 0}), Ints({1}), Type({1, 2, 6}), "y");
      }));
  ExpectSame({F32({1, 1, 4, 5, 3}, 3)}, One([](auto a, bool c) {
               return OP(c, LpPool)(a[0], Ints({2, 2, 2}), 2, Ints({0, 0, 0, 0, 0, 1}),
                                    Ints({2, 2, 1}), Type({1, 1, 2, 2, 3}), "y");
             }));
}

TEST_F(CudaKernels, MaxRoiPool) {
  // Rois inside, overhanging the edges, of one pixel, and one with a batch index outside X.
  Arg rois = Make<float>({4, 5}, ODLA_FLOAT32, {0, 1.2f, 0.5f, 6.7f, 5.1f, 1, -3, -2, 4, 20,
                                                1, 3,    3,    3,    3,    2, 0,  0,  4, 4});
  for (float scale : {1.0f, 0.5f})
    ExpectSame({F32({2, 3, 8, 9}, 4), rois}, One([=](auto a, bool c) {
                 return OP(c, MaxRoiPool)(a[0], a[1], Ints({3, 2}), scale, Type({4, 3, 3, 2}), "y");
               }));
}

TEST_F(CudaKernels, BitShift) {
  for (const char* d : {"LEFT", "RIGHT"}) {
    ExpectSame({Make<uint8_t>({2, 4}, ODLA_UINT8, {1, 2, 3, 255, 7, 128, 0, 9}),
                Make<uint8_t>({4}, ODLA_UINT8, {0, 1, 7, 8})},
               One([=](auto a, bool c) {
                 return OP(c, BitShift)(a[0], a[1], d, Type({2, 4}, ODLA_UINT8), "y");
               }));
    ExpectSame({Make<uint64_t>({3}, ODLA_UINT64, {1, 0xFFFFFFFFFFull, 5}),
                Make<uint64_t>({3}, ODLA_UINT64, {63, 4, 64})},
               One([=](auto a, bool c) {
                 return OP(c, BitShift)(a[0], a[1], d, Type({3}, ODLA_UINT64), "y");
               }));
  }
}

TEST_F(CudaKernels, Bitwise) {
  auto a8 = Make<int8_t>({2, 3}, ODLA_INT8, {-1, 0, 5, -128, 127, 33});
  auto b8 = Make<int8_t>({3}, ODLA_INT8, {0x0f, -2, 0x55});
  auto a64 = Make<uint64_t>({2}, ODLA_UINT64, {0xFFFF0000FFFF0000ull, 12345});
  auto b64 = Make<uint64_t>({2, 1}, ODLA_UINT64, {0x0F0F0F0F0F0F0F0Full, 1});
  for (int op = 0; op < 3; ++op) {
    auto binary = [op](auto a, bool c, const odla_value_type& t) {
      return op == 0   ? OP(c, BitwiseAnd)(a[0], a[1], t, "y")
             : op == 1 ? OP(c, BitwiseOr)(a[0], a[1], t, "y")
                       : OP(c, BitwiseXor)(a[0], a[1], t, "y");
    };
    ExpectSame({a8, b8}, One([=](auto a, bool c) {
                 return binary(a, c, Type({2, 3}, ODLA_INT8));
               }));
    ExpectSame({a64, b64}, One([=](auto a, bool c) {
                 return binary(a, c, Type({2, 2}, ODLA_UINT64));
               }));
  }
  ExpectSame({a8}, One([](auto a, bool c) {
               return OP(c, BitwiseNot)(a[0], Type({2, 3}, ODLA_INT8), "y");
             }));
  ExpectSame({Make<uint16_t>({3}, ODLA_UINT16, {0, 1, 0x8000})}, One([](auto a, bool c) {
               return OP(c, BitwiseNot)(a[0], Type({3}, ODLA_UINT16), "y");
             }));
}

TEST_F(CudaKernels, Det) {
  // Batches of 5x5, 1x1 and 3x3 (one singular: a row twice, so 0).
  ExpectSame({F32({2, 3, 5, 5}, 5)}, One([](auto a, bool c) {
               return OP(c, Det)(a[0], Type({2, 3}), "y");
             }));
  ExpectSame({F32({4, 1, 1}, 6)},
             One([](auto a, bool c) { return OP(c, Det)(a[0], Type({4}), "y"); }));
  ExpectSame({Make<float>({3, 3}, ODLA_FLOAT32, {1, 2, 3, 4, 5, 6, 1, 2, 3})},
             One([](auto a, bool c) { return OP(c, Det)(a[0], Type({}), "y"); }));
}

TEST_F(CudaKernels, MaxUnpool) {
  // X [1, 2, 2, 2] unpooled with 2x2 windows, stride 2, into the default 4x4 and into 5x6;
  // indices that meet (the last input wins) and that span both planes.
  Arg x = F32({1, 2, 2, 2}, 1);
  Arg idx = Make<int64_t>({1, 2, 2, 2}, ODLA_INT64, {0, 3, 3, 15, 16, 18, 27, 31});
  for (const Dims& out : {Dims{1, 2, 4, 4}, Dims{1, 2, 5, 6}})
    ExpectSame({x, idx}, One([=](auto a, bool c) {
                 return OP(c, MaxUnpool)(a[0], a[1], Ints({2, 2}), Ints({0, 0, 0, 0}), Ints({2, 2}),
                                         Type(out), "y");
               }));
}

}  // namespace
