// TFLite's integer UNIDIRECTIONAL_SEQUENCE_LSTM with int8 activations and weights and an int16
// cell state (the "8x8_16" LSTM of tensorflow/lite/kernels/lstm_eval.cc, EvalInteger8x8_16),
// with its parameters computed as TFLite's Prepare does (PopulateQuantizedLstmParams8x8_16,
// PopulatePrecomputedZPTimesWeightsWithBias). No layer normalisation. The per-cell and
// per-output steps are host and device code: libodla_cuda's kernel runs them too.
#pragma once

#include <stdint.h>

#include <vector>

#include "fixed_point16.h"

namespace odla_rt {

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

// What TFLite's Prepare derives: multipliers, clips, and the biases with the zero-point terms
// folded in (in_bias, rec_bias [cell] per gate, proj_bias [output]: pointers into the
// vectors of TfliteLstmPrep, or into a device copy of them).
struct TfliteLstmParams {
  bool cifg = false, peephole = false;
  QMultiplier in[4], rec[4], peep[4], hidden, proj;
  const int32_t* in_bias[4] = {};
  const int32_t* rec_bias[4] = {};
  const int32_t* proj_bias = nullptr;
  int16_t cell_clip = 0;
  int8_t proj_clip = 0;
  int cell_log2 = -15;
  int32_t hidden_zp = 0, h_zp = 0;
};

// The parameters of a layer from its quantization and its weights (w, r, b, proj_w, proj_b of
// `d`, read on the host), owning the folded biases.
class TfliteLstmPrep {
 public:
  TfliteLstmPrep(const TfliteLstmShape& s, const TfliteLstmQuant& q, const TfliteLstmData& d);
  TfliteLstmPrep(const TfliteLstmPrep&) = delete;
  TfliteLstmPrep& operator=(const TfliteLstmPrep&) = delete;
  const TfliteLstmParams& params() const { return p_; }
  // The folded biases, one after the other: in_bias and rec_bias of gates 0 to 3 (empty for
  // gate 0 with CIFG), then proj_bias; and the params with its pointers moved to `base`, a
  // copy of that array.
  std::vector<int32_t> Biases() const;
  TfliteLstmParams Rebased(const int32_t* base) const;

 private:
  TfliteLstmParams p_;
  std::vector<int32_t> in_bias_[4], rec_bias_[4], proj_bias_;
};

// The steps of one time step, per cell i (gates, cell state, hidden value) and per output r
// (the projection), as lstm_eval.cc computes them. x: the step's input row, h: the output
// state before the step.
//
// Gate k (CalculateLstmGateInteger8x8_16): the input and recurrent products into int16 Q3.12,
// the peephole on cell state c, then sigmoid (tanh for the cell gate, k = 2).
ODLA_HD inline int16_t TfliteLstmGate(const TfliteLstmShape& s, const TfliteLstmParams& p,
                                      const TfliteLstmData& d, int k, int64_t i, const int8_t* x,
                                      const int8_t* h, int16_t c) {
  int32_t acc = p.in_bias[k][i];
  for (int64_t j = 0; j < s.input; ++j) acc += int32_t{d.w[k][i * s.input + j]} * x[j];
  int16_t out = SaturateTo<int16_t>(int64_t{MultiplyByQuantizedMultiplier(acc, p.in[k])});
  acc = p.rec_bias[k][i];
  for (int64_t j = 0; j < s.output; ++j) acc += int32_t{d.r[k][i * s.output + j]} * h[j];
  out = SaturateTo<int16_t>(int64_t{MultiplyByQuantizedMultiplier(acc, p.rec[k])} + out);
  const int peep = k == 0 ? 0 : k == 1 ? 1 : k == 3 ? 2 : -1;
  if (p.peephole && peep >= 0) {
    const int32_t prod = int32_t{d.p[peep][i]} * c;
    out = SaturateTo<int16_t>(int64_t{MultiplyByQuantizedMultiplier(prod, p.peep[k])} + out);
  }
  return k == 2 ? TfliteTanhInt16(out, 3) : TfliteLogisticInt16(out);
}

// UpdateLstmCellInteger: c = f * c >> 15 (rounded) + i * g rescaled to the cell scale, clipped.
ODLA_HD inline int16_t TfliteLstmCell(const TfliteLstmParams& p, int16_t ig, int16_t fg, int16_t gg,
                                      int16_t c) {
  if (p.cifg) ig = static_cast<int16_t>(32767 - fg);
  const auto fc = static_cast<int16_t>(RoundingDivideByPOT(int32_t{fg} * c, 15));
  const auto in = static_cast<int16_t>(RoundingDivideByPOT(int32_t{ig} * gg, 30 + p.cell_log2));
  int16_t v = SaturateTo<int16_t>(int32_t{fc} + in);
  if (p.cell_clip > 0) v = static_cast<int16_t>(ClampInt(v, -p.cell_clip, p.cell_clip));
  return v;
}

// CalculateLstmOutputInteger8x8_16: o * tanh(c) rescaled to int8. TFLite subtracts the hidden
// zero point here (portable_tensor_utils' CwiseMul), and so does this.
ODLA_HD inline int8_t TfliteLstmHidden(const TfliteLstmParams& p, int16_t og, int16_t c) {
  const int16_t tanh_c = TfliteTanhInt16(c, 15 + p.cell_log2);
  const int32_t v = MultiplyByQuantizedMultiplier(int32_t{og} * tanh_c, p.hidden);
  return SaturateTo<int8_t>(int64_t{v} - p.hidden_zp);
}

// Output r of the projection of the hidden values, clipped.
ODLA_HD inline int8_t TfliteLstmProject(const TfliteLstmShape& s, const TfliteLstmParams& p,
                                        const TfliteLstmData& d, int64_t r, const int8_t* hidden) {
  int32_t acc = p.proj_bias[r];
  for (int64_t j = 0; j < s.cell; ++j) acc += int32_t{d.proj_w[r * s.cell + j]} * hidden[j];
  int8_t v = SaturateTo<int8_t>(int64_t{MultiplyByQuantizedMultiplier(acc, p.proj)} + p.h_zp);
  if (p.proj_clip > 0) v = static_cast<int8_t>(ClampInt(v, -p.proj_clip, p.proj_clip));
  return v;
}

// The whole layer on the host.
void TfliteLstm(const TfliteLstmShape& s, const TfliteLstmQuant& q, const TfliteLstmData& d);

}  // namespace odla_rt
