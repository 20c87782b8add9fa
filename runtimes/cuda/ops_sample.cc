// Builders of GridSample and RoiAlign on the GPU (kernels_sample.cu), float32, with the ref's
// checks (runtimes/ref/sample_spec.h) and point functions. Rejected (run on the host by the
// shared builder, which also reports invalid arguments): other element types, anything the
// ref's checks refuse, empty results.
#include "../ref/sample_spec.h"
#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_sample)

using namespace odla_cuda;
using odla_rt::KernelArgs;

ODLA_REF_DECL(GridSample)
ODLA_REF_DECL(RoiAlign)

namespace {

odla_value BuildGridSample(odla_value x, odla_value grid, int64_t align_corners, const char* mode,
                           const char* padding_mode, const odla_value_type& rt, odla_value_id id) {
  const odla_rt::GridSampleSpec s = RejectFailures(
      [&] { return odla_rt::MakeGridSampleSpec(x, grid, align_corners, mode, padding_mode, rt); });
  RequireF32({x, grid});
  RequireF32(rt);
  return AddCudaOp1("GridSample", {x, grid}, rt, 0, id, [=](const KernelArgs& k) {
    GridSample(CudaStream(k), s, k.In<float>(0), k.In<float>(1), k.Out<float>(0));
  });
}

odla_value BuildRoiAlign(odla_value x, odla_value rois, odla_value batch, const char* ctm,
                         const char* mode, int64_t oh, int64_t ow, int64_t sampling_ratio,
                         float spatial_scale, const odla_value_type& rt, odla_value_id id) {
  const odla_rt::RoiAlignSpec s = RejectFailures([&] {
    return odla_rt::MakeRoiAlignSpec(x, rois, batch, ctm, mode, oh, ow, sampling_ratio,
                                     spatial_scale, rt);
  });
  RequireF32({x, rois});
  RequireF32(rt);
  const int64_t n = ValueDims(x)[0];
  return AddIndexingOp(
      "RoiAlign", {x, rois, batch}, rt, id, {n},
      [=](const KernelArgs& k, int* bad) {
        RoiAlign(CudaStream(k), s, n, k.In<float>(0), k.In<float>(1), k.In<int64_t>(2),
                 k.Out<float>(0), bad);
      },
      2, false);
}

}  // namespace

extern "C" {

odla_value odla_GridSample(odla_value X, odla_value grid, odla_int64 align_corners,
                           const char* mode, const char* padding_mode, odla_value_type result_type,
                           odla_value_id id) {
  return Try(
      "GridSample", id,
      [&] { return BuildGridSample(X, grid, align_corners, mode, padding_mode, result_type, id); },
      [&] {
        return odla_ref_GridSample(X, grid, align_corners, mode, padding_mode, result_type, id);
      });
}

odla_value odla_RoiAlign(odla_value X, odla_value rois, odla_value batch_indices,
                         const char* coordinate_transformation_mode, const char* mode,
                         odla_int64 output_height, odla_int64 output_width,
                         odla_int64 sampling_ratio, odla_float32 spatial_scale,
                         odla_value_type result_type, odla_value_id id) {
  return Try(
      "RoiAlign", id,
      [&] {
        return BuildRoiAlign(X, rois, batch_indices, coordinate_transformation_mode, mode,
                             output_height, output_width, sampling_ratio, spatial_scale,
                             result_type, id);
      },
      [&] {
        return odla_ref_RoiAlign(X, rois, batch_indices, coordinate_transformation_mode, mode,
                                 output_height, output_width, sampling_ratio, spatial_scale,
                                 result_type, id);
      });
}

}  // extern "C"
