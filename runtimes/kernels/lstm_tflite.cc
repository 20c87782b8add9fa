// TFLite's integer LSTM (lstm_eval.cc: CalculateLstmGateInteger8x8_16, UpdateLstmCellInteger,
// CalculateLstmOutputInteger8x8_16) on the primitives of portable_tensor_utils.cc, and
// gemmlowp's int16 fixed-point logistic and tanh (fixedpoint.h), written from their
// definitions.
#include "lstm_tflite.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "quant_tflite.h"

namespace odla_rt {

namespace {

// ---- gemmlowp's fixed point on int16 raw values (additions wrap, as gemmlowp's do) ----

int16_t Wrap(int32_t v) { return static_cast<int16_t>(v); }

int16_t Mul16(int16_t a, int16_t b) {  // SaturatingRoundingDoublingHighMul
  if (a == b && a == std::numeric_limits<int16_t>::min())
    return std::numeric_limits<int16_t>::max();
  int32_t ab = int32_t{a} * int32_t{b};
  int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

int16_t MulByPOT16(int16_t x, int e) {  // SaturatingRoundingMultiplyByPOT
  if (e == 0) return x;
  if (e < 0) return static_cast<int16_t>(RoundingDivideByPOT(x, -e));
  int32_t threshold = (1 << (15 - e)) - 1;
  if (x > threshold) return std::numeric_limits<int16_t>::max();
  if (x < -threshold) return std::numeric_limits<int16_t>::min();
  return Wrap(x * (1 << e));
}

// A gemmlowp constant given as a Q0.31 int32, rounded to int16 (RescaleConstantInitializer).
int16_t K(int32_t v) { return static_cast<int16_t>(RoundingDivideByPOT(v, 16)); }

int16_t SaturatingAdd16(int16_t a, int16_t b) { return SaturateTo<int16_t>(int32_t{a} + b); }

// exp(a) for a Q0.15 value in [-1/4, 0).
int16_t ExpOnIntervalNegativeQuarterTo0(int16_t a) {
  const int16_t constant_term = K(1895147668), one_third = K(715827883);
  int16_t x = Wrap(a + (1 << 12));  // a + 1/8
  int16_t x2 = Mul16(x, x), x3 = Mul16(x2, x), x4 = Mul16(x2, x2);
  int16_t x4_over_4 = MulByPOT16(x4, -2);
  int16_t poly = MulByPOT16(Wrap(Mul16(Wrap(x4_over_4 + x3), one_third) + x2), -1);
  return SaturatingAdd16(constant_term, Mul16(constant_term, Wrap(x + poly)));
}

// exp(a) for a <= 0 with `bits` integer bits, in Q0.15.
int16_t ExpOnNegativeValues16(int16_t a, int bits) {
  const int frac = 15 - bits;
  const int16_t quarter = static_cast<int16_t>(1 << (frac - 2));
  int16_t a_mod = Wrap((a & (quarter - 1)) - quarter);
  int16_t result = ExpOnIntervalNegativeQuarterTo0(MulByPOT16(a_mod, bits));
  int16_t remainder = Wrap(a_mod - a);
  const int32_t multipliers[] = {1672461947, 1302514674, 790015084, 290630308,
                                 39332535,   720401,     242};  // exp(-2^e), e = -2 .. 4
  for (int e = -2; e <= 4 && e < bits; ++e)
    if (remainder & (1 << (frac + e))) result = Mul16(result, K(multipliers[e + 2]));
  if (bits > 5 && a < K(-(1 << (36 - bits)))) result = 0;  // below -32
  return a == 0 ? std::numeric_limits<int16_t>::max() : result;
}

// 2 / (1 + a) for a Q0.15 value in [0, 1), in Q2.13: Newton-Raphson.
int16_t TwoOverOnePlusX16(int16_t a) {
  int32_t sum = int32_t{a} + std::numeric_limits<int16_t>::max();
  auto half_denominator = static_cast<int16_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int16_t one = 1 << 13;
  int16_t x = Wrap(K(1515870810) + Mul16(half_denominator, K(-1010580540)));  // 48/17 - 32/17 d
  for (int i = 0; i < 3; ++i)
    x = Wrap(x + MulByPOT16(Mul16(x, Wrap(one - Mul16(half_denominator, x))), 2));
  return x;
}

}  // namespace

int16_t TfliteLogisticInt16(int16_t a) {
  if (a == 0) return K(1 << 30);
  int16_t abs = a > 0 ? a : Wrap(-a);
  int16_t pos = MulByPOT16(TwoOverOnePlusX16(ExpOnNegativeValues16(Wrap(-abs), 3)), 1);
  return a > 0 ? pos : Wrap(std::numeric_limits<int16_t>::max() - pos);
}

int16_t TfliteTanhInt16(int16_t a, int integer_bits) {
  if (a == 0) return 0;
  // exp(2 * -|a|): the raw value read with one more integer bit.
  int16_t n = a < 0 ? a : Wrap(-a);
  int16_t t = MulByPOT16(
      Wrap(TwoOverOnePlusX16(ExpOnNegativeValues16(n, integer_bits + 1)) - (1 << 13)), 2);
  return a < 0 ? Wrap(-t) : t;
}

namespace {

// The parameters TFLite's Prepare derives, for one gate.
struct GateParams {
  QMultiplier in, rec, peep;
  std::vector<int32_t> in_bias, rec_bias;  // bias + zero-point terms
};

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

// MatrixBatchVectorMultiplyAccumulate (the integer form): out = saturate(out +
// MultiplyByQuantizedMultiplier(bias + w . v, m) + zp) for each row.
template <typename T>
void MatVecAccumulate(const int8_t* w, const int32_t* bias, const int8_t* v, int64_t rows,
                      int64_t cols, QMultiplier m, int32_t zp, T* out) {
  for (int64_t r = 0; r < rows; ++r) {
    int32_t acc = bias[r];
    for (int64_t c = 0; c < cols; ++c) acc += int32_t{w[r * cols + c]} * v[c];
    out[r] = SaturateTo<T>(int64_t{MultiplyByQuantizedMultiplier(acc, m)} + zp + out[r]);
  }
}

}  // namespace

void TfliteLstm(const TfliteLstmShape& s, const TfliteLstmQuant& q, const TfliteLstmData& d) {
  const bool cifg = d.w[0] == nullptr, peephole = d.p[2] != nullptr;
  const int64_t n_in = s.input, n_cell = s.cell, n_out = s.output;
  // Effective scales, in float as PopulateQuantizedLstmParams8x8_16 computes them; without layer
  // normalisation the gate inputs are Q3.12.
  const float gate_scale = std::pow(2.0f, -12.0f);
  const float cell_scale = std::pow(2.0f, static_cast<float>(q.cell_log2));
  GateParams g[4];
  const int peep_of_gate[4] = {0, 1, -1, 2};
  for (int k = 0; k < 4; ++k) {
    if (k == 0 && cifg) continue;
    g[k].in = QuantizeMultiplier(q.w_scale[k] * q.x_scale / gate_scale);
    g[k].rec = QuantizeMultiplier(q.r_scale[k] * q.h_scale / gate_scale);
    if (peephole && peep_of_gate[k] >= 0)
      g[k].peep = QuantizeMultiplier(cell_scale * q.p_scale[peep_of_gate[k]] / gate_scale);
    g[k].in_bias = FoldZeroPoint(d.w[k], d.b[k], n_cell, n_in, -q.x_zp);
    g[k].rec_bias = FoldZeroPoint(d.r[k], nullptr, n_cell, n_out, -q.h_zp);
  }
  const float pot15 = std::pow(2.0f, -15.0f);
  const QMultiplier hidden_m = QuantizeMultiplier(pot15 / q.hidden_scale * pot15);
  QMultiplier proj_m;
  std::vector<int32_t> proj_bias;
  if (d.proj_w) {
    proj_m = QuantizeMultiplier(q.proj_scale * q.hidden_scale / q.h_scale);
    // As TFLite, the hidden zero point enters with a positive sign here.
    proj_bias = FoldZeroPoint(d.proj_w, d.proj_b, n_out, n_cell, q.hidden_zp);
  }
  auto clip16 = [](float clip, float scale) {
    return clip > 0 ? static_cast<int16_t>(std::min(std::max(clip / scale, -32768.0f), 32767.0f))
                    : int16_t{0};
  };
  const int16_t cell_clip = clip16(q.cell_clip, q.cell_scale);  // the tensor's own scale
  const int8_t proj_clip =
      q.proj_clip > 0
          ? static_cast<int8_t>(std::min(std::max(q.proj_clip / q.h_scale, -128.0f), 127.0f))
          : int8_t{0};

  std::vector<int16_t> gate[4];
  for (auto& v : gate) v.resize(n_cell);
  std::vector<int16_t> tanh_c(n_cell);
  std::vector<int8_t> hidden(n_cell);
  for (int64_t b = 0; b < s.batch; ++b) {
    std::vector<int8_t> h(d.h0 + b * n_out, d.h0 + (b + 1) * n_out);
    std::vector<int16_t> c(d.c0 + b * n_cell, d.c0 + (b + 1) * n_cell);
    for (int64_t t = 0; t < s.steps; ++t) {
      int64_t row = s.time_major ? t * s.batch + b : b * s.steps + t;
      const int8_t* x = d.x + row * n_in;
      // CalculateLstmGateInteger8x8_16: the input and recurrent products into int16 Q3.12,
      // the peephole, then sigmoid (tanh for the cell gate).
      auto compute_gate = [&](int k) {
        int16_t* out = gate[k].data();
        std::fill(out, out + n_cell, int16_t{0});
        MatVecAccumulate(d.w[k], g[k].in_bias.data(), x, n_cell, n_in, g[k].in, 0, out);
        MatVecAccumulate(d.r[k], g[k].rec_bias.data(), h.data(), n_cell, n_out, g[k].rec, 0, out);
        if (peephole && peep_of_gate[k] >= 0)
          for (int64_t i = 0; i < n_cell; ++i) {
            int32_t prod = int32_t{d.p[peep_of_gate[k]][i]} * c[i];
            out[i] = SaturateTo<int16_t>(int64_t{MultiplyByQuantizedMultiplier(prod, g[k].peep)} +
                                         out[i]);
          }
        for (int64_t i = 0; i < n_cell; ++i)
          out[i] = k == 2 ? TfliteTanhInt16(out[i], 3) : TfliteLogisticInt16(out[i]);
      };
      if (!cifg) compute_gate(0);
      compute_gate(1);
      compute_gate(2);
      // UpdateLstmCellInteger: c = f * c >> 15 (rounded) + i * g rescaled to the cell scale.
      for (int64_t i = 0; i < n_cell; ++i) {
        int16_t ig = cifg ? static_cast<int16_t>(32767 - gate[1][i]) : gate[0][i];
        auto fc = static_cast<int16_t>(RoundingDivideByPOT(int32_t{gate[1][i]} * c[i], 15));
        auto in =
            static_cast<int16_t>(RoundingDivideByPOT(int32_t{ig} * gate[2][i], 30 + q.cell_log2));
        int16_t v = SaturateTo<int16_t>(int32_t{fc} + in);
        if (cell_clip > 0) v = std::min<int16_t>(std::max<int16_t>(v, -cell_clip), cell_clip);
        c[i] = v;
      }
      compute_gate(3);  // the output gate's peephole reads the new cell state
      // CalculateLstmOutputInteger8x8_16: o * tanh(c) rescaled to int8. TFLite subtracts the
      // hidden zero point here (portable_tensor_utils' CwiseMul), and so does this.
      for (int64_t i = 0; i < n_cell; ++i) {
        tanh_c[i] = TfliteTanhInt16(c[i], 15 + q.cell_log2);
        int32_t v = MultiplyByQuantizedMultiplier(int32_t{gate[3][i]} * tanh_c[i], hidden_m);
        hidden[i] = SaturateTo<int8_t>(int64_t{v} - q.hidden_zp);
      }
      if (d.proj_w) {
        std::fill(h.begin(), h.end(), int8_t{0});
        MatVecAccumulate(d.proj_w, proj_bias.data(), hidden.data(), n_out, n_cell, proj_m, q.h_zp,
                         h.data());
        if (proj_clip > 0)
          for (int8_t& v : h) v = std::min<int8_t>(std::max<int8_t>(v, -proj_clip), proj_clip);
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
