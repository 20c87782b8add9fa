// TFLite's integer UNIDIRECTIONAL_SEQUENCE_LSTM with int8 activations and weights and an int16
// cell state (the "8x8_16" LSTM of tensorflow/lite/kernels/lstm_eval.cc, EvalInteger8x8_16),
// with its parameters computed as TFLite's Prepare does (PopulateQuantizedLstmParams8x8_16,
// PopulatePrecomputedZPTimesWeightsWithBias). No layer normalisation.
#pragma once

#include <cstdint>

namespace odla_rt {

// gemmlowp's fixed-point logistic and tanh on int16 (portable_tensor_utils' ApplySigmoid and
// ApplyTanh): logistic of a Q3.12 value, tanh of a value with `integer_bits` integer bits (0 to
// 6), both into Q0.15.
int16_t TfliteLogisticInt16(int16_t a);
int16_t TfliteTanhInt16(int16_t a, int integer_bits);

// Gates in TFLite's order: input, forget, cell, output (peepholes: input, forget, output).
struct TfliteLstmQuant {
  float x_scale = 1;
  int32_t x_zp = 0;
  float w_scale[4] = {1, 1, 1, 1}, r_scale[4] = {1, 1, 1, 1}, p_scale[3] = {1, 1, 1};
  float proj_scale = 1;
  float h_scale = 1;  // the output state's
  int32_t h_zp = 0;
  float cell_scale = 1.0f / 32768;  // the cell state's, a power of two: 2^cell_log2
  int cell_log2 = -15;
  float hidden_scale = 1;  // of o * tanh(c), before the projection
  int32_t hidden_zp = 0;
  float cell_clip = 0, proj_clip = 0;
};

struct TfliteLstmShape {
  int64_t batch = 1, steps = 1, input = 1, cell = 1, output = 1;
  bool time_major = false;
};

// Absent optional tensors are null: w[0], r[0], b[0] (CIFG), p (no peepholes), proj_w, proj_b,
// b[k] (zero bias).
struct TfliteLstmData {
  const int8_t* x = nullptr;
  const int8_t* w[4] = {};
  const int8_t* r[4] = {};
  const int16_t* p[3] = {};
  const int32_t* b[4] = {};
  const int8_t* proj_w = nullptr;
  const int32_t* proj_b = nullptr;
  const int8_t* h0 = nullptr;
  const int16_t* c0 = nullptr;
  int8_t* y = nullptr;     // [batch, steps, output] or [steps, batch, output]
  int8_t* h_n = nullptr;   // optional: the output state after the sequence, [batch, output]
  int16_t* c_n = nullptr;  // optional: the cell state after the sequence, [batch, cell]
};

void TfliteLstm(const TfliteLstmShape& s, const TfliteLstmQuant& q, const TfliteLstmData& d);

}  // namespace odla_rt
