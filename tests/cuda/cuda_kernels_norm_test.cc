// libodla_cuda's MeanVarianceNormalization and LpNormalization (ops_norm.cc) against the host
// builders, as the other CudaKernels tests (cuda_kernels_util.h). Without a GPU they skip.

#include "cuda_kernels_util.h"

ODLA_REF_DECL(MeanVarianceNormalization)
ODLA_REF_DECL(LpNormalization)

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

}  // namespace
