// ODLA builders of Resize and Upsample.
#include "nn_resize.h"

#include <memory>

#include "../common/builder.h"
#include "../kernels/dispatch.h"
#include "../kernels/resize.h"

using namespace odla_rt;

namespace {

odla_value ResizeOp(const char* op, odla_value X, const ResizeSpec& spec,
                    const odla_value_type& result_type, odla_value_id id) {
  CheckInput(X, "X");
  if (result_type.element_type != X->type.element_type) Fail("result type differs from X");
  auto in = Dims(X->type.shape), out = Dims(result_type.shape);
  auto taps = std::make_shared<const std::vector<AxisTaps>>(ResizeTaps(spec, in, out));
  if (spec.mode != "nearest" && X->type.element_type != ODLA_FLOAT32 &&
      X->type.element_type != ODLA_FLOAT64)
    Fail(spec.mode, " interpolation needs a float input");
  double extrap = spec.extrapolation;
  return AddOp1(op, {X}, result_type, id,
                DispatchNumeric(X->type.element_type, [&](auto tag) -> Kernel {
                  using T = typename decltype(tag)::type;
                  if constexpr (std::is_same_v<T, bool>) {
                    Fail("bool is not supported");
                    return Kernel();
                  } else {
                    return [=](const KernelArgs& k) {
                      Resize<T>(*taps, in, out, extrap, k.In<T>(0), k.Out<T>(0));
                    };
                  }
                }));
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_Resize(odla_value X, const char* coordinate_transformation_mode,
                                 odla_float32 cubic_coeff_a, odla_int64 exclude_outside,
                                 odla_float32 extrapolation_value, const char* mode,
                                 const char* nearest_mode, odla_floats roi, odla_floats scales,
                                 odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Resize", id, [&] {
    ResizeSpec s = ResizeSpecOf(coordinate_transformation_mode, cubic_coeff_a, exclude_outside,
                                extrapolation_value, mode, nearest_mode, roi, scales);
    return ResizeOp("Resize", X, s, result_type, id);
  });
}

ODLA_WEAK odla_value odla_Upsample(odla_value X, const char* mode, odla_floats scales,
                                   odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Upsample", id, [&] {
    return ResizeOp("Upsample", X, UpsampleSpecOf(mode, scales), result_type, id);
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Resize)
ODLA_REF_ALIAS(Upsample)
