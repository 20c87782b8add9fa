// libodla_cuda's MeanVarianceNormalization and LpNormalization (ops_norm.cc) against the host
// builders, as the other CudaKernels tests (cuda_kernels_util.h). Without a GPU they skip.

#include "cuda_kernels_util.h"

ODLA_REF_DECL(MeanVarianceNormalization)
ODLA_REF_DECL(LpNormalization)
ODLA_REF_DECL(BatchNormalizationTraining)

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

TEST_F(CudaKernels, MeanVarianceNormalization) {
  // ONNX's default axes (0, 2, 3), the innermost only, a middle one (negative), all of them.
  for (std::vector<int64_t> axes :
       std::vector<std::vector<int64_t>>{{0, 2, 3}, {3}, {-3}, {0, 1, 2, 3}}) {
    ExpectSame({F32({3, 4, 5, 6}, 1)}, One([=](auto a, bool c) {
                 return OP(c, MeanVarianceNormalization)(a[0], Ints(axes), Type({3, 4, 5, 6}), "y");
               }));
  }
  // Groups larger than a block (2000 members each).
  ExpectSame({F32({2, 2000}, 2)}, One([](auto a, bool c) {
               return OP(c, MeanVarianceNormalization)(a[0], Ints({1}), Type({2, 2000}), "y");
             }));
}

TEST_F(CudaKernels, LpNormalization) {
  for (int64_t p : {1, 2})
    for (int64_t axis : {0, 1, 2})
      ExpectSame({F32({3, 4, 5}, 3)}, One([=](auto a, bool c) {
                   return OP(c, LpNormalization)(a[0], axis, p, Type({3, 4, 5}), "y");
                 }));
  // A zero column gives zeros.
  ExpectSame({Make<float>({2, 2}, ODLA_FLOAT32, {0.f, 3.f, 0.f, -4.f})}, One([](auto a, bool c) {
               return OP(c, LpNormalization)(a[0], 0, 2, Type({2, 2}), "y");
             }));
}

// Training-mode BatchNormalization: y alone, and with one or both running statistics; rank 2
// and rank 4.
TEST_F(CudaKernels, BatchNormalizationTraining) {
  for (int results : {1, 2, 3})
    ExpectSame({F32({3, 4, 5, 6}, 1), F32({4}, 2), F32({4}, 3), F32({4}, 4), F32({4}, 5, 1)},
               [=](auto a, bool c) {
                 odla_value_types t{};
                 t.size = results;
                 t.types[0] = Type({3, 4, 5, 6});
                 t.types[1] = t.types[2] = Type({4});
                 return odla_rt::FromValues(OP(c, BatchNormalizationTraining)(
                     a[0], a[1], a[2], a[3], a[4], 1e-5f, 0.9f, t, "y"));
               });
  ExpectSame(
      {F32({7, 3}, 6), F32({3}, 7), F32({3}, 8), F32({3}, 9), F32({3}, 10, 1)}, [](auto a, bool c) {
        odla_value_types t{};
        t.size = 3;
        t.types[0] = Type({7, 3});
        t.types[1] = t.types[2] = Type({3});
        return odla_rt::FromValues(
            OP(c, BatchNormalizationTraining)(a[0], a[1], a[2], a[3], a[4], 1e-2f, 0.5f, t, "y"));
      });
}

}  // namespace
