// The ODLA builder of TfliteQuantizedLSTM (TFLite's integer LSTM) on the shared kernel, and the
// checks of its arguments that libodla_cuda's builder shares (lstm_tflite_spec.h).
#include "../kernels/lstm_tflite.h"

#include "../common/builder.h"
#include "../kernels/quant_tflite.h"
#include "lstm_tflite_spec.h"

using namespace odla_rt;

namespace {

void CheckTensor(odla_value v, const char* what, odla_element_type t,
                 const std::vector<int64_t>& dims) {
  if (!v) return;
  if (v->type.element_type != t || Dims(v->type.shape) != dims)
    Fail(what, " has the wrong element type or shape");
}

}  // namespace

namespace odla_rt {

TfliteLstmSpec MakeTfliteLstmSpec(const odla_value (&in)[kTfliteLstmInputs], float x_scale,
                                  int64_t x_zero_point, const odla_floats& w_scales,
                                  const odla_floats& p_scales, float projection_scale,
                                  float h_scale, int64_t h_zero_point, float c_scale,
                                  float hidden_scale, int64_t hidden_zero_point, float cell_clip,
                                  float proj_clip, int64_t time_major,
                                  const odla_value_types& result_types) {
  const odla_value X = in[0], projection = in[16], projection_bias = in[17], H0 = in[18],
                   C0 = in[19];
  const odla_value w[4] = {in[1], in[2], in[3], in[4]}, r[4] = {in[5], in[6], in[7], in[8]},
                   p[3] = {in[9], in[10], in[11]}, b[4] = {in[12], in[13], in[14], in[15]};
  TfliteLstmSpec spec;
  std::vector<odla_value_type>& types = spec.types;
  types = FromTypes(result_types);
  if (types.empty() || types.size() > 3) Fail("expected 1 to 3 results, got ", types.size());
  const odla_value_type& result_type = types[0];
  CheckInput(X, "X");
  CheckInput(r[3], "R_o");
  CheckInput(H0, "H0");
  CheckInput(C0, "C0");
  auto xs = Dims(X->type.shape), rs = Dims(r[3]->type.shape);
  if (X->type.element_type != ODLA_INT8 || xs.size() != 3) Fail("X must be 3-D int8");
  if (rs.size() != 2) Fail("R_o must be 2-D");
  TfliteLstmShape& s = spec.shape;
  s.time_major = time_major != 0;
  s.steps = xs[s.time_major ? 0 : 1];
  s.batch = xs[s.time_major ? 1 : 0];
  s.input = xs[2];
  s.cell = rs[0];
  s.output = rs[1];
  if (result_type.element_type != ODLA_INT8 ||
      Dims(result_type.shape) != std::vector<int64_t>{xs[0], xs[1], s.output})
    Fail("the result must be int8 [", xs[0], ", ", xs[1], ", ", s.output, "]");
  if (w_scales.size != 8 || p_scales.size != 3) Fail("w_scales needs 8 entries, p_scales 3");
  const bool cifg = w[0] == nullptr, peephole = p[2] != nullptr;
  if (cifg != (r[0] == nullptr)) Fail("W_i and R_i must be given together");
  if (peephole != (p[1] != nullptr) || (!cifg && peephole != (p[0] != nullptr)))
    Fail("peepholes must be given for every gate or none");
  for (int k = 0; k < 4; ++k) {
    if (k > 0) {
      CheckInput(w[k], "W");
      CheckInput(r[k], "R");
    }
    CheckTensor(w[k], "W", ODLA_INT8, {s.cell, s.input});
    CheckTensor(r[k], "R", ODLA_INT8, {s.cell, s.output});
    CheckTensor(b[k], "B", ODLA_INT32, {s.cell});
  }
  for (odla_value v : p) CheckTensor(v, "a peephole", ODLA_INT16, {s.cell});
  CheckTensor(projection, "projection", ODLA_INT8, {s.output, s.cell});
  CheckTensor(projection_bias, "projection_bias", ODLA_INT32, {s.output});
  if (!projection && (projection_bias || s.output != s.cell))
    Fail("without a projection the output size must equal the cell size");
  CheckTensor(H0, "H0", ODLA_INT8, {s.batch, s.output});
  CheckTensor(C0, "C0", ODLA_INT16, {s.batch, s.cell});
  if (types.size() > 1 && (types[1].element_type != ODLA_INT8 ||
                           Dims(types[1].shape) != std::vector<int64_t>{s.batch, s.output}))
    Fail("result 1 (H_n) must be int8 [", s.batch, ", ", s.output, "]");
  if (types.size() > 2 && (types[2].element_type != ODLA_INT16 ||
                           Dims(types[2].shape) != std::vector<int64_t>{s.batch, s.cell}))
    Fail("result 2 (C_n) must be int16 [", s.batch, ", ", s.cell, "]");
  TfliteLstmQuant& q = spec.quant;
  q.x_scale = x_scale;
  q.x_zp = static_cast<int32_t>(x_zero_point);
  for (int k = 0; k < 4; ++k) {
    q.w_scale[k] = w_scales.data[k];
    q.r_scale[k] = w_scales.data[4 + k];
  }
  for (int k = 0; k < 3; ++k) q.p_scale[k] = p_scales.data[k];
  q.proj_scale = projection_scale;
  q.h_scale = h_scale;
  q.h_zp = static_cast<int32_t>(h_zero_point);
  if (!CheckedLog2(c_scale, &q.cell_log2) || q.cell_log2 < -15 || q.cell_log2 > -9)
    Fail("c_scale must be a power of two from 2^-15 to 2^-9");
  q.cell_scale = c_scale;
  q.hidden_scale = hidden_scale;
  q.hidden_zp = static_cast<int32_t>(hidden_zero_point);
  q.cell_clip = cell_clip;
  q.proj_clip = proj_clip;
  return spec;
}

}  // namespace odla_rt

extern "C" {

ODLA_WEAK odla_values odla_TfliteQuantizedLSTM(
    odla_value X, odla_value W_i, odla_value W_f, odla_value W_c, odla_value W_o, odla_value R_i,
    odla_value R_f, odla_value R_c, odla_value R_o, odla_value P_i, odla_value P_f, odla_value P_o,
    odla_value B_i, odla_value B_f, odla_value B_c, odla_value B_o, odla_value projection,
    odla_value projection_bias, odla_value H0, odla_value C0, odla_float32 x_scale,
    odla_int64 x_zero_point, odla_floats w_scales, odla_floats p_scales,
    odla_float32 projection_scale, odla_float32 h_scale, odla_int64 h_zero_point,
    odla_float32 c_scale, odla_float32 hidden_scale, odla_int64 hidden_zero_point,
    odla_float32 cell_clip, odla_float32 proj_clip, odla_int64 time_major,
    odla_value_types result_types, odla_value_id id) {
  return GuardN("odla_TfliteQuantizedLSTM", id, [&] {
    // The inputs in the op's order; absent ones stay null in KernelArgs.
    const odla_value in[kTfliteLstmInputs] = {X,   W_i, W_f, W_c, W_o,        R_i,
                                              R_f, R_c, R_o, P_i, P_f,        P_o,
                                              B_i, B_f, B_c, B_o, projection, projection_bias,
                                              H0,  C0};
    const TfliteLstmSpec spec = MakeTfliteLstmSpec(
        in, x_scale, x_zero_point, w_scales, p_scales, projection_scale, h_scale, h_zero_point,
        c_scale, hidden_scale, hidden_zero_point, cell_clip, proj_clip, time_major, result_types);
    const TfliteLstmShape s = spec.shape;
    const TfliteLstmQuant q = spec.quant;
    const size_t results = spec.types.size();
    return ToValues(AddOp(
        "TfliteQuantizedLSTM", std::vector<odla_value>(in, in + kTfliteLstmInputs), spec.types, id,
        [=](const KernelArgs& a) { TfliteLstm(s, q, TfliteLstmTensors(a, results)); }));
  });
}

}  // extern "C"

// The fallback of runtimes that override this builder (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(TfliteQuantizedLSTM)
