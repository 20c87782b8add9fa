// The arguments of TfliteQuantizedLSTM checked and read into a shape and quantization: shared
// by the ref builder (lstm_tflite.cc) and libodla_cuda's.
#pragma once

#include <odla/odla.h>

#include <vector>

#include "../common/runtime.h"
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

// The input tensors of the op's inputs in its order (absent ones null).
inline TfliteLstmData TfliteLstmInputs(const void* const* in) {
  TfliteLstmData d;
  d.x = static_cast<const int8_t*>(in[0]);
  for (int k = 0; k < 4; ++k) {
    d.w[k] = static_cast<const int8_t*>(in[1 + k]);
    d.r[k] = static_cast<const int8_t*>(in[5 + k]);
    d.b[k] = static_cast<const int32_t*>(in[12 + k]);
  }
  for (int k = 0; k < 3; ++k) d.p[k] = static_cast<const int16_t*>(in[9 + k]);
  d.proj_w = static_cast<const int8_t*>(in[16]);
  d.proj_b = static_cast<const int32_t*>(in[17]);
  d.h0 = static_cast<const int8_t*>(in[18]);
  d.c0 = static_cast<const int16_t*>(in[19]);
  return d;
}

// The tensors of a kernel's arguments: its inputs, and `results` results (Y[, H_n[, C_n]]).
inline TfliteLstmData TfliteLstmTensors(const KernelArgs& a, size_t results) {
  TfliteLstmData d = TfliteLstmInputs(a.in);
  d.y = a.Out<int8_t>(0);
  if (results > 1) d.h_n = a.Out<int8_t>(1);
  if (results > 2) d.c_n = a.Out<int16_t>(2);
  return d;
}

}  // namespace odla_rt
