// Builders of the recurrent layers RNN, GRU and LSTM on the GPU, as the ref's (runtimes/kernels/
// rnn.cc): per direction the input projections of every step are one cuBLAS product (with the
// biases added by a kernel), and each step is one product of the state by R (GRU without
// linear_before_reset: two, the h gate's after r . h) and the cell's element-wise kernels
// (kernels_rnn.cu). float32. Rejected (run on the host by the shared builder, which also
// reports invalid arguments): other element types, anything MakeRnnSpec refuses, dimensions
// beyond int.
#include "../ref/rnn_spec.h"
#include "cuda_rt.h"
#include "gemm_call.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_rnn)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using odla_rt::RnnCell;

ODLA_REF_DECL(RNN)
ODLA_REF_DECL(GRU)
ODLA_REF_DECL(LSTM)

namespace {

// Where the kernel's scratch buffers start (bytes), and their total.
struct RnnScratch {
  size_t xw = 0, hr = 0, h = 0, c = 0, zr = 0, rh = 0, bad = 0, total = 0;
  explicit RnnScratch(const odla_rt::RnnSpec& s) {
    const size_t f = sizeof(float), GH = s.gates() * s.hidden;
    size_t at = 0;
    auto take = [&](size_t bytes) {
      size_t start = at;
      at += ScratchAligned(bytes);
      return start;
    };
    xw = take(s.seq * s.batch * GH * f);
    hr = take(s.batch * GH * f);
    h = take(s.batch * s.hidden * f);
    c = take(s.batch * s.hidden * f);
    zr = take(s.batch * 2 * s.hidden * f);
    rh = take(s.batch * s.hidden * f);
    bad = take(sizeof(int));
    total = at;
  }
};

odla_values BuildRnn(const char* op, RnnCell cell, const odla_rt::RnnInputs& in,
                     const odla_floats& alpha, const odla_floats& beta, const char* acts,
                     float clip, const char* direction, int64_t hidden, int64_t layout,
                     bool input_forget, bool linear_before_reset,
                     const odla_value_types& result_types, odla_value_id id) {
  std::vector<odla_value_type> types;
  const odla_rt::RnnSpec s = RejectFailures([&] {
    return odla_rt::MakeRnnSpec(op, cell, in, alpha, beta, acts, clip, direction, hidden, layout,
                                input_forget, linear_before_reset, result_types, &types);
  });
  if (in.x->type.element_type != ODLA_FLOAT32) Reject("element type");
  const int64_t H = s.hidden, GH = s.gates() * H, N = s.batch, S = s.seq, D = s.num_dir,
                I = s.input;
  if (S * N == 0 || H == 0) Reject("empty");
  // The products: X W^T per direction, H R^T per step (GRU's late h gate: (r.h) Rh^T).
  GemmCall xw, hr, hh;
  xw.tb = hr.tb = hh.tb = true;
  xw.m = IntDim(S * N), xw.n = IntDim(GH), xw.k = xw.lda = xw.ldb = IntDim(s.input);
  const bool late = cell == RnnCell::kGru && !linear_before_reset;
  hr.m = IntDim(N), hr.n = IntDim(late ? 2 * H : GH), hr.k = hr.lda = hr.ldb = IntDim(H),
  hr.ldy = IntDim(GH);
  hh.m = IntDim(N), hh.n = IntDim(H), hh.k = hh.lda = hh.ldb = IntDim(H), hh.ldy = IntDim(GH);
  xw.compute = hr.compute = hh.compute = CublasCompute();
  const RnnScratch sc(s);
  const size_t per_dir = cell == RnnCell::kRnn ? 1 : cell == RnnCell::kGru ? 2 : 3;
  const bool lens_checked = !in.seq_lens || in.seq_lens->const_data;
  if (in.seq_lens && in.seq_lens->const_data)
    for (int64_t b = 0; b < N; ++b) {
      const int32_t v = static_cast<const int32_t*>(in.seq_lens->const_data)[b];
      if (v < 0 || v > S) Reject("sequence_lens out of range");
    }
  // Each direction's geometry, activations and options (the buffers are set per run).
  std::vector<RnnStep> dirs(D);
  for (int64_t d = 0; d < D; ++d) {
    RnnStep& step = dirs[d];
    step.g = {S, N, H, s.gates(), D, d, D == 2 ? d == 1 : s.reverse, s.batch_major};
    for (size_t i = 0; i < per_dir; ++i) {
      const odla_rt::RnnActivation& act = s.acts[d * per_dir + i];
      step.acts.kind[i] = static_cast<int>(act.kind);
      step.acts.alpha[i] = act.alpha;
      step.acts.beta[i] = act.beta;
    }
    step.clip = s.clip, step.input_forget = s.input_forget, step.late = late;
  }
  const size_t nres = types.size();
  const std::string name = op;
  odla_rt::Kernel kernel = [=](const KernelArgs& a) {
    cudaStream_t st = CudaStream(a);
    char* scratch = static_cast<char*>(a.scratch);
    auto buf = [&](size_t at) { return reinterpret_cast<float*>(scratch + at); };
    int* bad = reinterpret_cast<int*>(scratch + sc.bad);
    const float *x = a.In<float>(0), *w = a.In<float>(1), *r = a.In<float>(2),
                *bias = a.In<float>(3);
    const int32_t* lens = a.In<int32_t>(4);
    float* y = a.Out<float>(0);
    if (y) ODLA_CUDA_CALL(cudaMemsetAsync, y, 0, S * D * N * H * sizeof(float), st);
    if (!lens_checked) {
      ODLA_CUDA_CALL(cudaMemsetAsync, bad, 0, sizeof(int), st);
      RnnCheckLens(st, lens, N, S, bad);
    }
    for (int64_t d = 0; d < D; ++d) {
      RnnStep step = dirs[d];
      step.xw = buf(sc.xw), step.hr = buf(sc.hr), step.h = buf(sc.h), step.c = buf(sc.c);
      step.zr = buf(sc.zr), step.rh = buf(sc.rh), step.y = y, step.lens = lens;
      step.p = a.in[7] ? a.In<float>(7) + d * 3 * H : nullptr;
      const float* rd = r + d * GH * H;
      xw.Run(a, x, w + d * GH * I, buf(sc.xw), 1.f, 0.f);
      if (bias) {
        const float* wb = bias + d * 2 * GH;
        // GRU with linear_before_reset keeps the h gate's recurrence bias apart (times r).
        const bool apart = cell == RnnCell::kGru && linear_before_reset;
        RnnAddBias(st, buf(sc.xw), S * N, GH, wb, wb + GH, apart ? 2 * H : GH);
        if (apart) step.rb_h = wb + GH + 2 * H;
      }
      if (cell == RnnCell::kGru && linear_before_reset && !bias) {
        ODLA_CUDA_CALL(cudaMemsetAsync, buf(sc.rh), 0, H * sizeof(float), st);
        step.rb_h = buf(sc.rh);  // no bias: zeros (rh is unused without the late h gate)
      }
      RnnState(st, buf(sc.h), a.In<float>(5), nullptr, step.g, false);
      if (cell == RnnCell::kLstm) RnnState(st, buf(sc.c), a.In<float>(6), nullptr, step.g, false);
      for (int64_t t = 0; t < S; ++t) {
        step.step = t;
        hr.Run(a, buf(sc.h), rd, buf(sc.hr), 1.f, 0.f);
        if (cell == RnnCell::kRnn) {
          RnnStepKernel(st, RnnStage::kRnn, step);
        } else if (cell == RnnCell::kLstm) {
          RnnStepKernel(st, RnnStage::kLstm, step);
        } else {
          RnnStepKernel(st, RnnStage::kGruGates, step);
          if (late) {
            RnnStepKernel(st, RnnStage::kGruReset, step);
            hh.Run(a, buf(sc.rh), rd + 2 * H * H, buf(sc.hr) + 2 * H, 1.f, 0.f);
          }
          RnnStepKernel(st, RnnStage::kGruOut, step);
        }
      }
      if (nres > 1) RnnState(st, buf(sc.h), nullptr, a.Out<float>(1), step.g, true);
      if (nres > 2) RnnState(st, buf(sc.c), nullptr, a.Out<float>(2), step.g, true);
    }
    if (lens_checked) return;
    int flag = 0;
    ODLA_CUDA_CALL(cudaMemcpyAsync, &flag, bad, sizeof(int), cudaMemcpyDeviceToHost, st);
    ODLA_CUDA_CALL(cudaStreamSynchronize, st);
    if (flag) odla_rt::Fail(name, ": a sequence length is out of range [0, ", S, "]");
  };
  auto results = AddCudaOp(op, {in.x, in.w, in.r, in.b, in.seq_lens, in.h0, in.c0, in.p}, types,
                           sc.total, id, std::move(kernel));
  if (!lens_checked)
    for (odla_value v : results) odla_rt::SetNotCapturable(v);
  return odla_rt::ToValues(results);
}

}  // namespace

extern "C" {

odla_values odla_RNN(odla_value X, odla_value W, odla_value R, odla_value B,
                     odla_value sequence_lens, odla_value initial_h, odla_floats activation_alpha,
                     odla_floats activation_beta, const char* activation_list, odla_float32 clip,
                     const char* direction, odla_int64 hidden_size, odla_int64 layout,
                     odla_value_types result_types, odla_value_id id) {
  return TryN(
      "RNN", id,
      [&] {
        return BuildRnn("RNN", RnnCell::kRnn,
                        {X, W, R, B, sequence_lens, initial_h, nullptr, nullptr}, activation_alpha,
                        activation_beta, activation_list, clip, direction, hidden_size, layout,
                        false, false, result_types, id);
      },
      [&] {
        return odla_ref_RNN(X, W, R, B, sequence_lens, initial_h, activation_alpha, activation_beta,
                            activation_list, clip, direction, hidden_size, layout, result_types,
                            id);
      });
}

odla_values odla_GRU(odla_value X, odla_value W, odla_value R, odla_value B,
                     odla_value sequence_lens, odla_value initial_h, odla_floats activation_alpha,
                     odla_floats activation_beta, const char* activation_list, odla_float32 clip,
                     const char* direction, odla_int64 hidden_size, odla_int64 layout,
                     odla_int64 linear_before_reset, odla_value_types result_types,
                     odla_value_id id) {
  return TryN(
      "GRU", id,
      [&] {
        return BuildRnn("GRU", RnnCell::kGru,
                        {X, W, R, B, sequence_lens, initial_h, nullptr, nullptr}, activation_alpha,
                        activation_beta, activation_list, clip, direction, hidden_size, layout,
                        false, linear_before_reset != 0, result_types, id);
      },
      [&] {
        return odla_ref_GRU(X, W, R, B, sequence_lens, initial_h, activation_alpha, activation_beta,
                            activation_list, clip, direction, hidden_size, layout,
                            linear_before_reset, result_types, id);
      });
}

odla_values odla_LSTM(odla_value X, odla_value W, odla_value R, odla_value B,
                      odla_value sequence_lens, odla_value initial_h, odla_value initial_c,
                      odla_value P, odla_floats activation_alpha, odla_floats activation_beta,
                      const char* activation_list, odla_float32 clip, const char* direction,
                      odla_int64 hidden_size, odla_int64 layout, odla_int64 input_forget,
                      odla_value_types result_types, odla_value_id id) {
  return TryN(
      "LSTM", id,
      [&] {
        return BuildRnn("LSTM", RnnCell::kLstm,
                        {X, W, R, B, sequence_lens, initial_h, initial_c, P}, activation_alpha,
                        activation_beta, activation_list, clip, direction, hidden_size, layout,
                        input_forget != 0, false, result_types, id);
      },
      [&] {
        return odla_ref_LSTM(X, W, R, B, sequence_lens, initial_h, initial_c, P, activation_alpha,
                             activation_beta, activation_list, clip, direction, hidden_size, layout,
                             input_forget, result_types, id);
      });
}

}  // extern "C"
