// The arguments of GridSample and RoiAlign checked and read into their specs: shared by the
// ref builders (nn_sample.cc) and libodla_cuda's. Each Fail()s (RtError) naming what is wrong.
#pragma once

#include <odla/odla.h>

#include "../kernels/sample_point.h"

namespace odla_rt {

GridSampleSpec MakeGridSampleSpec(odla_value X, odla_value grid, int64_t align_corners,
                                  const char* mode, const char* padding_mode,
                                  const odla_value_type& result_type);

RoiAlignSpec MakeRoiAlignSpec(odla_value X, odla_value rois, odla_value batch_indices,
                              const char* coordinate_transformation_mode, const char* mode,
                              int64_t output_height, int64_t output_width, int64_t sampling_ratio,
                              float spatial_scale, const odla_value_type& result_type);

}  // namespace odla_rt
