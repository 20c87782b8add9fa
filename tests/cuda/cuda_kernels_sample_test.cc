// libodla_cuda's GridSample and RoiAlign (ops_sample.cc) against the host builders, as the
// other CudaKernels tests (cuda_kernels_util.h). Without a GPU they skip.

#include <string>

#include "cuda_kernels_util.h"

ODLA_REF_DECL(GridSample)
ODLA_REF_DECL(RoiAlign)

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

TEST_F(CudaKernels, GridSample) {
  // Grid points in [-1.5, 1.5): inside and outside the image, every mode and padding.
  for (const char* mode : {"bilinear", "nearest", "bicubic"})
    for (const char* pad : {"zeros", "border", "reflection"})
      for (int64_t align : {0, 1}) {
        SCOPED_TRACE(std::string(mode) + " " + pad + " " + std::to_string(align));
        ExpectSame(
            {F32({2, 3, 5, 6}, 1), F32({2, 4, 7, 2}, 2, 1.5f)}, One([=](auto a, bool c) {
              return OP(c, GridSample)(a[0], a[1], align, mode, pad, Type({2, 3, 4, 7}), "y");
            }));
      }
}

TEST_F(CudaKernels, RoiAlign) {
  // Boxes inside, across and beyond the image; both modes and coordinate conventions.
  const std::vector<float> boxes = {0.f,  0.f, 7.f, 5.f,  1.5f, 2.f, 4.f,  4.5f,
                                    -2.f, 3.f, 9.f, 12.f, 6.f,  1.f, 6.5f, 1.2f};
  for (const char* ctm : {"half_pixel", "output_half_pixel"})
    for (const char* mode : {"avg", "max"})
      for (int64_t ratio : {0, 2}) {
        SCOPED_TRACE(std::string(ctm) + " " + mode + " " + std::to_string(ratio));
        ExpectSame({F32({2, 3, 6, 8}, 3), Make<float>({4, 4}, ODLA_FLOAT32, boxes),
                    I64({4}, {0, 1, 1, 0})},
                   One([=](auto a, bool c) {
                     return OP(c, RoiAlign)(a[0], a[1], a[2], ctm, mode, 3, 2, ratio, 0.8f,
                                            Type({4, 3, 3, 2}), "y");
                   }));
      }
}

TEST_F(CudaKernels, RoiAlignBatchIndexOutOfRangeFailsTheRun) {
  odla_status s;
  RunArgs({F32({2, 1, 4, 4}, 1), F32({1, 4}, 2), I64({1}, {2})}, One([](auto a, bool c) {
            return OP(c, RoiAlign)(a[0], a[1], a[2], "half_pixel", "avg", 2, 2, 1, 1.f,
                                   Type({1, 1, 2, 2}), "y");
          }),
          true, true, &s);
  EXPECT_NE(s, ODLA_SUCCESS);
}

}  // namespace
