// TFLite's integer LSTM (lstm_eval.cc: CalculateLstmGateInteger8x8_16, UpdateLstmCellInteger,
// CalculateLstmOutputInteger8x8_16) on the primitives of portable_tensor_utils.cc: Prepare's
// parameters, and the host's loop over batches and steps of the per-cell steps in
// lstm_tflite.h.
#include "lstm_tflite.h"

#include <algorithm>
#include <cmath>

namespace odla_rt {
namespace {

// bias[row] + zp * sum(w[row, :]) (PrecomputeZeroPointTimesWeightWithBias).
std::vector<int32_t> FoldZeroPoint(const int8_t* w, const int32_t* bias, int64_t rows, int64_t cols,
                                   int32_t zp) {
  std::vector<int32_t> out(rows);
  for (int64_t r = 0; r < rows; ++r) {
    int32_t sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += w[r * cols + c];
    out[r] = (bias ? bias[r] : 0) + sum * zp;
  }
  return out;
}

}  // namespace

TfliteLstmPrep::TfliteLstmPrep(const TfliteLstmShape& s, const TfliteLstmQuant& q,
                               const TfliteLstmData& d) {
  p_.cifg = d.w[0] == nullptr;
  p_.peephole = d.p[2] != nullptr;
  // Effective scales, in float as PopulateQuantizedLstmParams8x8_16 computes them; without
  // layer normalisation the gate inputs are Q3.12.
  const float gate_scale = std::pow(2.0f, -12.0f);
  const float cell_scale = std::pow(2.0f, static_cast<float>(q.cell_log2));
  const int peep_of_gate[4] = {0, 1, -1, 2};
  for (int k = 0; k < 4; ++k) {
    if (k == 0 && p_.cifg) continue;
    p_.in[k] = QuantizeMultiplier(q.w_scale[k] * q.x_scale / gate_scale);
    p_.rec[k] = QuantizeMultiplier(q.r_scale[k] * q.h_scale / gate_scale);
    if (p_.peephole && peep_of_gate[k] >= 0)
      p_.peep[k] = QuantizeMultiplier(cell_scale * q.p_scale[peep_of_gate[k]] / gate_scale);
    in_bias_[k] = FoldZeroPoint(d.w[k], d.b[k], s.cell, s.input, -q.x_zp);
    rec_bias_[k] = FoldZeroPoint(d.r[k], nullptr, s.cell, s.output, -q.h_zp);
  }
  const float pot15 = std::pow(2.0f, -15.0f);
  p_.hidden = QuantizeMultiplier(pot15 / q.hidden_scale * pot15);
  if (d.proj_w) {
    p_.proj = QuantizeMultiplier(q.proj_scale * q.hidden_scale / q.h_scale);
    // As TFLite, the hidden zero point enters with a positive sign here.
    proj_bias_ = FoldZeroPoint(d.proj_w, d.proj_b, s.output, s.cell, q.hidden_zp);
  }
  // The cell clip in the cell state tensor's own scale.
  p_.cell_clip = q.cell_clip > 0 ? static_cast<int16_t>(std::min(
                                       std::max(q.cell_clip / q.cell_scale, -32768.0f), 32767.0f))
                                 : int16_t{0};
  p_.proj_clip =
      q.proj_clip > 0
          ? static_cast<int8_t>(std::min(std::max(q.proj_clip / q.h_scale, -128.0f), 127.0f))
          : int8_t{0};
  p_.cell_log2 = q.cell_log2;
  p_.hidden_zp = q.hidden_zp;
  p_.h_zp = q.h_zp;
  p_ = Rebased(nullptr);
}

std::vector<int32_t> TfliteLstmPrep::Biases() const {
  std::vector<int32_t> all;
  for (int k = 0; k < 4; ++k) {
    all.insert(all.end(), in_bias_[k].begin(), in_bias_[k].end());
    all.insert(all.end(), rec_bias_[k].begin(), rec_bias_[k].end());
  }
  all.insert(all.end(), proj_bias_.begin(), proj_bias_.end());
  return all;
}

// With base null, the pointers go to this object's own vectors.
TfliteLstmParams TfliteLstmPrep::Rebased(const int32_t* base) const {
  TfliteLstmParams p = p_;
  size_t at = 0;
  auto place = [&](const std::vector<int32_t>& v) -> const int32_t* {
    const int32_t* r = v.empty() ? nullptr : base ? base + at : v.data();
    at += v.size();
    return r;
  };
  for (int k = 0; k < 4; ++k) {
    p.in_bias[k] = place(in_bias_[k]);
    p.rec_bias[k] = place(rec_bias_[k]);
  }
  p.proj_bias = place(proj_bias_);
  return p;
}

void TfliteLstm(const TfliteLstmShape& s, const TfliteLstmQuant& q, const TfliteLstmData& d) {
  const TfliteLstmPrep prep(s, q, d);
  const TfliteLstmParams& p = prep.params();
  const int64_t n_cell = s.cell, n_out = s.output;
  std::vector<int8_t> hidden(n_cell);
  for (int64_t b = 0; b < s.batch; ++b) {
    std::vector<int8_t> h(d.h0 + b * n_out, d.h0 + (b + 1) * n_out);
    std::vector<int16_t> c(d.c0 + b * n_cell, d.c0 + (b + 1) * n_cell);
    for (int64_t t = 0; t < s.steps; ++t) {
      const int64_t row = s.time_major ? t * s.batch + b : b * s.steps + t;
      const int8_t* x = d.x + row * s.input;
      for (int64_t i = 0; i < n_cell; ++i) {
        const int16_t ig = p.cifg ? int16_t{0} : TfliteLstmGate(s, p, d, 0, i, x, h.data(), c[i]);
        const int16_t fg = TfliteLstmGate(s, p, d, 1, i, x, h.data(), c[i]);
        const int16_t gg = TfliteLstmGate(s, p, d, 2, i, x, h.data(), c[i]);
        c[i] = TfliteLstmCell(p, ig, fg, gg, c[i]);
        // The output gate's peephole reads the new cell state.
        const int16_t og = TfliteLstmGate(s, p, d, 3, i, x, h.data(), c[i]);
        hidden[i] = TfliteLstmHidden(p, og, c[i]);
      }
      if (d.proj_w) {
        for (int64_t r = 0; r < n_out; ++r) h[r] = TfliteLstmProject(s, p, d, r, hidden.data());
      } else {
        std::copy(hidden.begin(), hidden.end(), h.begin());
      }
      std::copy(h.begin(), h.end(), d.y + row * n_out);
    }
    if (d.h_n) std::copy(h.begin(), h.end(), d.h_n + b * n_out);
    if (d.c_n) std::copy(c.begin(), c.end(), d.c_n + b * n_cell);
  }
}

}  // namespace odla_rt
