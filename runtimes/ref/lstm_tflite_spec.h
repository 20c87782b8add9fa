// The arguments of TfliteQuantizedLSTM checked and read into a shape and quantization: shared
// by the ref builder (lstm_tflite.cc) and libodla_cuda's.
#pragma once

#include <odla/odla.h>

#include <vector>

#include "../kernels/lstm_tflite.h"

namespace odla_rt {

// The layer's tensors in the op's order: X, W_i..W_o, R_i..R_o, P_i, P_f, P_o, B_i..B_o,
// projection, projection_bias, H0, C0 (absent optional ones NULL).
constexpr int kTfliteLstmInputs = 20;

struct TfliteLstmSpec {
  TfliteLstmShape shape;
  TfliteLstmQuant quant;
  std::vector<odla_value_type> types;  // Y[, H_n[, C_n]]
};

// Fail()s (RtError) naming what is wrong.
TfliteLstmSpec MakeTfliteLstmSpec(const odla_value (&in)[kTfliteLstmInputs], float x_scale,
                                  int64_t x_zero_point, const odla_floats& w_scales,
                                  const odla_floats& p_scales, float projection_scale,
                                  float h_scale, int64_t h_zero_point, float c_scale,
                                  float hidden_scale, int64_t hidden_zero_point, float cell_clip,
                                  float proj_clip, int64_t time_major,
                                  const odla_value_types& result_types);

}  // namespace odla_rt
