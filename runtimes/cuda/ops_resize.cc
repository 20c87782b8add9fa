// Resize and Upsample of float32 on the project's CUDA kernels, from the ref's tap tables
// (ResizeTaps) and in its order of passes. Rejected (run on the host by the shared builder,
// which also reports invalid arguments): other types, empty results, specs ResizeTaps
// refuses.
#include <memory>
#include <string>

#include "../ref/nn_resize.h"
#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_resize)

using namespace odla_cuda;
using odla_rt::KernelArgs;

ODLA_REF_DECL(Resize)
ODLA_REF_DECL(Upsample)

namespace {

odla_value BuildResize(const char* op, odla_value x, const odla_rt::ResizeSpec& spec,
                       const odla_value_type& rt, odla_value_id id) {
  RequireF32({x});
  RequireF32(rt);
  if (!x) Reject("missing input");
  auto in = ValueDims(x), out = TypeDims(rt);
  if (in.size() != out.size()) Reject("ranks differ");
  const std::vector<odla_rt::AxisTaps> taps =
      RejectFailures([&] { return odla_rt::ResizeTaps(spec, in, out); });
  auto plan = std::make_shared<const ResizePlan>(taps, in, out, spec.extrapolation);
  return AddCudaOp1(op, {x}, rt, plan->ScratchBytes(), id, [plan](const KernelArgs& k) {
    plan->Run(CudaStream(k), k.In<float>(0), k.Out<float>(0), k.scratch);
  });
}

}  // namespace

extern "C" {

odla_value odla_Resize(odla_value X, const char* coordinate_transformation_mode,
                       odla_float32 cubic_coeff_a, odla_int64 exclude_outside,
                       odla_float32 extrapolation_value, const char* mode, const char* nearest_mode,
                       odla_floats roi, odla_floats scales, odla_value_type result_type,
                       odla_value_id id) {
  return Try(
      "Resize", id,
      [&] {
        odla_rt::ResizeSpec s =
            odla_rt::ResizeSpecOf(coordinate_transformation_mode, cubic_coeff_a, exclude_outside,
                                  extrapolation_value, mode, nearest_mode, roi, scales);
        return BuildResize("Resize", X, s, result_type, id);
      },
      [&] {
        return odla_ref_Resize(X, coordinate_transformation_mode, cubic_coeff_a, exclude_outside,
                               extrapolation_value, mode, nearest_mode, roi, scales, result_type,
                               id);
      });
}

odla_value odla_Upsample(odla_value X, const char* mode, odla_floats scales,
                         odla_value_type result_type, odla_value_id id) {
  return Try(
      "Upsample", id,
      [&] {
        return BuildResize("Upsample", X, odla_rt::UpsampleSpecOf(mode, scales), result_type, id);
      },
      [&] { return odla_ref_Upsample(X, mode, scales, result_type, id); });
}

}  // extern "C"
