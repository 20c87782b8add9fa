// Builder of TfliteQuantizedLSTM (TFLite's integer LSTM) on the GPU: the ref's checks
// (lstm_tflite_spec.h) and Prepare's parameters, made at build time from the constant weights
// and biases (the folded biases uploaded then); a block per batch element runs the ref's
// per-cell steps (kernels_qlstm.cu), so the results are the host's to the bit. Rejected (run
// on the host by the shared builder, which also reports invalid arguments): weights or biases
// that are not constants, empty values.
#include <memory>
#include <vector>

#include "../ref/lstm_tflite_spec.h"
#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_qlstm)

using namespace odla_cuda;
using odla_rt::KernelArgs;

ODLA_REF_DECL(TfliteQuantizedLSTM)

namespace {

odla_values BuildQLstm(const odla_value (&in)[odla_rt::kTfliteLstmInputs],
                       const odla_rt::TfliteLstmSpec& spec, odla_value_id id) {
  const odla_rt::TfliteLstmShape s = spec.shape;
  if (s.batch * s.steps * s.input * s.cell * s.output == 0) Reject("empty");
  // Prepare's parameters from the weights and biases (all but X, H0 and C0), read here on the
  // host.
  const void* host_in[odla_rt::kTfliteLstmInputs] = {};
  for (int i = 1; i < 18; ++i) {
    if (in[i] && !in[i]->const_data) Reject("weights or biases that are not constants");
    host_in[i] = in[i] ? in[i]->const_data : nullptr;
  }
  const odla_rt::TfliteLstmData host = odla_rt::TfliteLstmInputs(host_in);
  const odla_rt::TfliteLstmPrep prep(s, spec.quant, host);
  const std::vector<int32_t> biases = prep.Biases();
  RequireDevice();
  std::shared_ptr<void> table =
      biases.empty() ? nullptr : UploadTable(biases.data(), biases.size() * sizeof(int32_t));
  const odla_rt::TfliteLstmParams p = prep.Rebased(static_cast<const int32_t*>(table.get()));
  // The biases are folded into p's: the device reads the other tensors only, and the kernel
  // finds the biases' inputs null.
  std::vector<odla_value> inputs(in, in + odla_rt::kTfliteLstmInputs);
  for (int i : {12, 13, 14, 15, 17}) inputs[i] = nullptr;
  const size_t results = spec.types.size();
  const QLstmScratch scratch(s);
  auto kernel = [s, p, table, results](const KernelArgs& a) {
    QLstm(CudaStream(a), s, p, odla_rt::TfliteLstmTensors(a, results), a.scratch);
  };
  return odla_rt::ToValues(
      AddCudaOp("TfliteQuantizedLSTM", inputs, spec.types, scratch.total, id, kernel));
}

}  // namespace

extern "C" {

odla_values odla_TfliteQuantizedLSTM(
    odla_value X, odla_value W_i, odla_value W_f, odla_value W_c, odla_value W_o, odla_value R_i,
    odla_value R_f, odla_value R_c, odla_value R_o, odla_value P_i, odla_value P_f, odla_value P_o,
    odla_value B_i, odla_value B_f, odla_value B_c, odla_value B_o, odla_value projection,
    odla_value projection_bias, odla_value H0, odla_value C0, odla_float32 x_scale,
    odla_int64 x_zero_point, odla_floats w_scales, odla_floats p_scales,
    odla_float32 projection_scale, odla_float32 h_scale, odla_int64 h_zero_point,
    odla_float32 c_scale, odla_float32 hidden_scale, odla_int64 hidden_zero_point,
    odla_float32 cell_clip, odla_float32 proj_clip, odla_int64 time_major,
    odla_value_types result_types, odla_value_id id) {
  return TryN(
      "TfliteQuantizedLSTM", id,
      [&] {
        const odla_value in[odla_rt::kTfliteLstmInputs] = {
            X,   W_i, W_f, W_c, W_o, R_i, R_f, R_c,        R_o,
            P_i, P_f, P_o, B_i, B_f, B_c, B_o, projection, projection_bias,
            H0,  C0};
        const odla_rt::TfliteLstmSpec spec = RejectFailures([&] {
          return odla_rt::MakeTfliteLstmSpec(in, x_scale, x_zero_point, w_scales, p_scales,
                                             projection_scale, h_scale, h_zero_point, c_scale,
                                             hidden_scale, hidden_zero_point, cell_clip, proj_clip,
                                             time_major, result_types);
        });
        return BuildQLstm(in, spec, id);
      },
      [&] {
        return odla_ref_TfliteQuantizedLSTM(
            X, W_i, W_f, W_c, W_o, R_i, R_f, R_c, R_o, P_i, P_f, P_o, B_i, B_f, B_c, B_o,
            projection, projection_bias, H0, C0, x_scale, x_zero_point, w_scales, p_scales,
            projection_scale, h_scale, h_zero_point, c_scale, hidden_scale, hidden_zero_point,
            cell_clip, proj_clip, time_major, result_types, id);
      });
}

}  // extern "C"
