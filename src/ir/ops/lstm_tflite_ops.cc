// TfliteQuantizedLSTM: TFLite's integer UNIDIRECTIONAL_SEQUENCE_LSTM (int8 activations and
// weights, int16 cell state: the "8x8_16" kernel of tensorflow/lite/kernels/lstm_eval.cc). No
// ONNX operator computes it; its inputs are TFLite's, in TFLite's order (without the layer-norm
// coefficients), and the quantization parameters are attributes.
#include <cmath>

#include "ir/ops/rules.h"

namespace halo {
namespace {

void TfliteQuantizedLstmRule(InferContext& c) {
  Node* n = c.node();
  auto expect = [&](size_t i, DataType t, const Shape& s, const char* what) {
    if (!c.has_input(i)) return;
    const Type& v = c.in(i);
    c.check(v.dtype == t && v.shape == s, what, " must be ", Type(t, s).ToString(), ", got ",
            v.ToString());
  };
  const Type& x = c.in(0);
  c.check(x.dtype == DataType::kInt8 && x.Rank() == 3, "X must be a 3-D int8 tensor, got ",
          x.ToString());
  c.check(c.has_input(6) && c.has_input(8), "R_f and R_o are required");
  const Shape& rs = c.in(8).shape;
  c.check(rs.size() == 2, "R_o must be 2-D, got ", c.in(8).ToString());
  int64_t cell = rs[0], out = rs[1], in = x.shape[2];
  bool time_major = n->GetInt("time_major") != 0;
  int64_t batch = x.shape[time_major ? 1 : 0];
  bool cifg = !c.has_input(1);
  c.check(cifg == !c.has_input(5), "W_i and R_i must be given together");
  const char* w_names[] = {"W_i", "W_f", "W_c", "W_o"};
  const char* r_names[] = {"R_i", "R_f", "R_c", "R_o"};
  const char* b_names[] = {"B_i", "B_f", "B_c", "B_o"};
  for (int k = 0; k < 4; ++k) {
    if (k > 0)
      c.check(c.has_input(1 + k) && c.has_input(5 + k), w_names[k], " and ", r_names[k],
              " are required");
    expect(1 + k, DataType::kInt8, {cell, in}, w_names[k]);
    expect(5 + k, DataType::kInt8, {cell, out}, r_names[k]);
    expect(12 + k, DataType::kInt32, {cell}, b_names[k]);
  }
  bool peephole = c.has_input(11);
  c.check(c.has_input(10) == peephole && (cifg || c.has_input(9) == peephole),
          "peepholes must be given for every gate or none");
  c.check(!cifg || !c.has_input(9), "P_i needs the input gate");
  const char* p_names[] = {"P_i", "P_f", "P_o"};
  for (int k = 0; k < 3; ++k) expect(9 + k, DataType::kInt16, {cell}, p_names[k]);
  if (c.has_input(16)) {
    expect(16, DataType::kInt8, {out, cell}, "projection");
    expect(17, DataType::kInt32, {out}, "projection_bias");
  } else {
    c.check(!c.has_input(17), "projection_bias needs projection");
    c.check(out == cell, "without a projection R's columns (", out, ") must equal its rows (", cell,
            ")");
  }
  expect(18, DataType::kInt8, {batch, out}, "H0");
  expect(19, DataType::kInt16, {batch, cell}, "C0");
  c.check(c.has_input(18) && c.has_input(19), "H0 and C0 are required");
  c.check(n->GetFloats("w_scales").size() == 8, "w_scales needs 8 entries");
  c.check(n->GetFloats("p_scales").size() == 3, "p_scales needs 3 entries");
  double cs = n->GetFloat("c_scale");
  int log2 = static_cast<int>(std::lround(std::log2(cs)));
  c.check(cs > 0 && std::abs(std::log2(cs) - log2) < 1e-3 && log2 >= -15 && log2 <= -9,
          "c_scale must be a power of two from 2^-15 to 2^-9, got ", cs);
  n->set_attr("time_major", int64_t{time_major});
  c.check(n->num_outputs() <= 3, "TfliteQuantizedLSTM has at most 3 results");
  c.set_out(Type(DataType::kInt8, {x.shape[0], x.shape[1], out}));
  if (n->num_outputs() > 1) c.set_out(1, Type(DataType::kInt8, {batch, out}));
  if (n->num_outputs() > 2) c.set_out(2, Type(DataType::kInt16, {batch, cell}));
}

}  // namespace

void RegisterTfliteLstmOps(OpRegistry& r) {
  r.Add("TfliteQuantizedLSTM")
      .Doc(
          "TFLite's integer UNIDIRECTIONAL_SEQUENCE_LSTM (tensorflow/lite/kernels/lstm_eval.cc, "
          "EvalInteger8x8_16, without layer normalisation): int8 X, weights and output state, "
          "int16 cell state at a power-of-two scale. Each gate: the int8 x int8 products with "
          "the zero points folded into the int32 biases, rescaled into int16 Q3.12, plus the "
          "peephole, through gemmlowp's int16 fixed-point sigmoid (tanh for the cell gate) "
          "into Q0.15; the cell update in int16 (clipped), o * tanh(c) requantised to int8 at "
          "hidden_scale (TFLite subtracts hidden_zero_point there), then the optional "
          "projection. Gates in TFLite's order i, f, c, o; CIFG when W_i and R_i are absent. "
          "Optional results H_n and C_n: the output and cell states after the sequence.")
      .In("X", "int8 [batch, seq, input] ([seq, batch, input] when time_major)")
      .OptIn("W_i", "int8 [cell, input]")
      .In("W_f", "int8 [cell, input]")
      .In("W_c", "int8 [cell, input]")
      .In("W_o", "int8 [cell, input]")
      .OptIn("R_i", "int8 [cell, output]")
      .In("R_f", "int8 [cell, output]")
      .In("R_c", "int8 [cell, output]")
      .In("R_o", "int8 [cell, output]")
      .OptIn("P_i", "int16 [cell], peephole")
      .OptIn("P_f", "int16 [cell], peephole")
      .OptIn("P_o", "int16 [cell], peephole")
      .OptIn("B_i", "int32 [cell] at x_scale * its W's scale")
      .OptIn("B_f", "int32 [cell]")
      .OptIn("B_c", "int32 [cell]")
      .OptIn("B_o", "int32 [cell]")
      .OptIn("projection", "int8 [output, cell]")
      .OptIn("projection_bias", "int32 [output]")
      .In("H0", "int8 [batch, output], the output state")
      .In("C0", "int16 [batch, cell], the cell state")
      .Float("x_scale", 1.0, "X's scale")
      .Int("x_zero_point", 0, "X's zero point")
      .Floats("w_scales", {}, "the scales of W_i, W_f, W_c, W_o, R_i, R_f, R_c, R_o")
      .Required()
      .Floats("p_scales", {1.0, 1.0, 1.0}, "the scales of P_i, P_f, P_o")
      .Float("projection_scale", 1.0, "the projection's scale")
      .Float("h_scale", 1.0, "the output state's (and Y's) scale")
      .Int("h_zero_point", 0, "the output state's (and Y's) zero point")
      .Float("c_scale", 1.0 / 32768, "the cell state's scale, a power of two")
      .Float("hidden_scale", 1.0, "the scale of o * tanh(c) (TFLite's intermediate 4)")
      .Int("hidden_zero_point", 0, "its zero point")
      .Float("cell_clip", 0.0, "> 0: the cell state is clipped to +-cell_clip")
      .Float("proj_clip", 0.0, "> 0: the projection is clipped to +-proj_clip")
      .Int("time_major", 0, "1: X and Y are [seq, batch, ...]")
      .Out("Y")
      .Out("H_n")  // optional: the output state after the sequence, int8 [batch, output]
      .Out("C_n")  // optional: the cell state after the sequence, int16 [batch, cell]
      .Rule(TfliteQuantizedLstmRule);
}

}  // namespace halo
