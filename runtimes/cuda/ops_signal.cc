// Builders of DFT and STFT on the GPU: the ref's transform plan (runtimes/kernels/fft.h: radix
// 2, a direct sum or Bluestein's algorithm) is made at build time and its tables uploaded;
// a block per line then runs the ref's double arithmetic (kernels_fft.cu), so the results
// are the host's to the bit. float32 and float64. Rejected (run on the host by the shared
// builder, which also reports invalid arguments): other element types, empty values, the
// arguments the ref refuses.
#include <memory>
#include <vector>

#include "../kernels/fft.h"
#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_signal)

using namespace odla_cuda;
using odla_rt::KernelArgs;

ODLA_REF_DECL(DFT)
ODLA_REF_DECL(STFT)

namespace {

void RequireFloat(odla_value v) {
  if (!v) Reject("no input");
  const odla_element_type t = v->type.element_type;
  if (t != ODLA_FLOAT32 && t != ODLA_FLOAT64)
    Reject("element type ", odla_rt::TypeToString(v->type));
  if (odla_rt::NumElements(v->type.shape) == 0) Reject("empty input");
}

odla_value AddFftOp(const char* op, const std::vector<odla_value>& inputs,
                    const odla_value_type& rt, odla_value_id id, int64_t n, bool inverse,
                    const FftLines& g) {
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty result");
  RequireDevice();
  auto plan = std::make_shared<const FftDevicePlan>(odla_rt::FftPlan(n, inverse));
  const odla_element_type t = rt.element_type;
  const bool windowed = inputs.size() > 1 && inputs[1];
  return AddCudaOp1(
      op, inputs, rt, plan->ScratchBytes(g.lines), id, [plan, t, g, windowed](const KernelArgs& a) {
        plan->Run(CudaStream(a), t, g, a.in[0], windowed ? a.in[1] : nullptr, a.out[0], a.scratch);
      });
}

odla_value BuildDft(odla_value input, int64_t n, int64_t axis, bool inverse, bool onesided,
                    const odla_value_type& rt, odla_value_id id) {
  RequireFloat(input);
  const std::vector<int64_t> xs = ValueDims(input);
  const int64_t rank = static_cast<int64_t>(xs.size());
  if (rank < 2 || (xs.back() != 1 && xs.back() != 2)) Reject("input shape");
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank - 2 || n < 1) Reject("axis or dft_length");
  const int64_t c = xs.back();
  if (onesided && (c != 1 || inverse)) Reject("onesided");
  const int64_t keep = onesided ? n / 2 + 1 : n;
  std::vector<int64_t> ys = xs;
  ys[axis] = keep;
  ys.back() = 2;
  if (rt.element_type != input->type.element_type || TypeDims(rt) != ys) Reject("result type");
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= xs[i];
  for (int64_t i = axis + 1; i < rank - 1; ++i) inner *= xs[i];
  const int64_t len = xs[axis];
  FftLines g;
  g.lines = outer * inner, g.inner = inner, g.take = std::min(len, n), g.keep = keep, g.c = c;
  g.in_outer = len * inner * c, g.in_inner = c, g.in_step = inner * c;
  g.out_outer = keep * inner * 2, g.out_inner = 2, g.out_step = inner * 2;
  g.scale = inverse ? 1.0 / static_cast<double>(n) : 1.0;
  return AddFftOp("DFT", {input}, rt, id, n, inverse, g);
}

odla_value BuildStft(odla_value signal, odla_value window, bool onesided, int64_t step, int64_t n,
                     const odla_value_type& rt, odla_value_id id) {
  RequireFloat(signal);
  const std::vector<int64_t> xs = ValueDims(signal);
  if (xs.size() != 3 || (xs[2] != 1 && xs[2] != 2)) Reject("signal shape");
  if (step < 1 || n < 1 || n > xs[1]) Reject("frame_step or frame_length");
  if (window && (window->type.element_type != signal->type.element_type ||
                 ValueDims(window) != std::vector<int64_t>{n}))
    Reject("window");
  const int64_t c = xs[2];
  if (onesided && c != 1) Reject("onesided");
  const int64_t frames = (xs[1] - n) / step + 1, bins = onesided ? n / 2 + 1 : n;
  if (rt.element_type != signal->type.element_type ||
      TypeDims(rt) != std::vector<int64_t>{xs[0], frames, bins, 2})
    Reject("result type");
  FftLines g;
  g.lines = xs[0] * frames, g.inner = frames, g.take = n, g.keep = bins, g.c = c;
  g.in_outer = xs[1] * c, g.in_inner = step * c, g.in_step = c;
  g.out_outer = frames * bins * 2, g.out_inner = bins * 2, g.out_step = 2;
  return AddFftOp("STFT", {signal, window}, rt, id, n, false, g);
}

}  // namespace

extern "C" {

odla_value odla_DFT(odla_value input, odla_int64 dft_length, odla_int64 axis, odla_int64 inverse,
                    odla_int64 onesided, odla_value_type result_type, odla_value_id id) {
  return Try(
      "DFT", id,
      [&] {
        return BuildDft(input, dft_length, axis, inverse != 0, onesided != 0, result_type, id);
      },
      [&] { return odla_ref_DFT(input, dft_length, axis, inverse, onesided, result_type, id); });
}

odla_value odla_STFT(odla_value signal, odla_value window, odla_int64 onesided,
                     odla_int64 frame_step, odla_int64 frame_length, odla_value_type result_type,
                     odla_value_id id) {
  return Try(
      "STFT", id,
      [&] {
        return BuildStft(signal, window, onesided != 0, frame_step, frame_length, result_type, id);
      },
      [&] {
        return odla_ref_STFT(signal, window, onesided, frame_step, frame_length, result_type, id);
      });
}

}  // extern "C"
