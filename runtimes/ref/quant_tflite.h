// The TFLite-rounding path of the QLinearConv builder (quant_tflite.cc).
#pragma once

#include "../common/runtime.h"
#include "../kernels/conv.h"

namespace odla_rt {

// The kernel of QLinearConv with rounding "tflite" for inputs x (int8, uint8 or int16), w
// (int8 or uint8), result type yt and optional bias B; w_scale has wsn entries, w_zero_point
// wzn.
Kernel TfliteQLinearConvKernel(const ConvShape& s, odla_value x, odla_value w, odla_element_type yt,
                               odla_value B, int64_t wsn, int64_t wzn);

}  // namespace odla_rt
