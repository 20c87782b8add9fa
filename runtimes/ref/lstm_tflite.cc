// The ODLA builder of TfliteQuantizedLSTM (TFLite's integer LSTM) on the shared kernel.
#include "../kernels/lstm_tflite.h"

#include "../common/builder.h"
#include "../kernels/quant_tflite.h"

using namespace odla_rt;

namespace {

void CheckTensor(odla_value v, const char* what, odla_element_type t,
                 const std::vector<int64_t>& dims) {
  if (!v) return;
  if (v->type.element_type != t || Dims(v->type.shape) != dims)
    Fail(what, " has the wrong element type or shape");
}

}  // namespace

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
    std::vector<odla_value_type> types = FromTypes(result_types);
    if (types.empty() || types.size() > 3) Fail("expected 1 to 3 results, got ", types.size());
    const odla_value_type& result_type = types[0];
    CheckInput(X, "X");
    CheckInput(R_o, "R_o");
    CheckInput(H0, "H0");
    CheckInput(C0, "C0");
    auto xs = Dims(X->type.shape), rs = Dims(R_o->type.shape);
    if (X->type.element_type != ODLA_INT8 || xs.size() != 3) Fail("X must be 3-D int8");
    if (rs.size() != 2) Fail("R_o must be 2-D");
    TfliteLstmShape s;
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
    odla_value w[4] = {W_i, W_f, W_c, W_o}, r[4] = {R_i, R_f, R_c, R_o},
               b[4] = {B_i, B_f, B_c, B_o};
    odla_value p[3] = {P_i, P_f, P_o};
    bool cifg = W_i == nullptr, peephole = P_o != nullptr;
    if (cifg != (R_i == nullptr)) Fail("W_i and R_i must be given together");
    if (peephole != (P_f != nullptr) || (!cifg && peephole != (P_i != nullptr)))
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
    size_t results = types.size();
    TfliteLstmQuant q;
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
    // Inputs in the op's order; absent ones stay null in KernelArgs.
    std::vector<odla_value> ins = {X,   W_i, W_f, W_c, W_o, R_i, R_f, R_c,        R_o,
                                   P_i, P_f, P_o, B_i, B_f, B_c, B_o, projection, projection_bias,
                                   H0,  C0};
    return ToValues(AddOp("TfliteQuantizedLSTM", ins, types, id, [=](const KernelArgs& a) {
      TfliteLstmData d;
      d.x = a.In<int8_t>(0);
      for (int k = 0; k < 4; ++k) {
        d.w[k] = a.In<int8_t>(1 + k);
        d.r[k] = a.In<int8_t>(5 + k);
        d.b[k] = a.In<int32_t>(12 + k);
      }
      for (int k = 0; k < 3; ++k) d.p[k] = a.In<int16_t>(9 + k);
      d.proj_w = a.In<int8_t>(16);
      d.proj_b = a.In<int32_t>(17);
      d.h0 = a.In<int8_t>(18);
      d.c0 = a.In<int16_t>(19);
      d.y = a.Out<int8_t>(0);
      if (results > 1) d.h_n = a.Out<int8_t>(1);
      if (results > 2) d.c_n = a.Out<int16_t>(2);
      TfliteLstm(s, q, d);
    }));
  });
}
