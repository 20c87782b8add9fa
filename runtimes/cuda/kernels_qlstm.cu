// TFLite's integer LSTM (ref: TfliteLstm in runtimes/kernels/lstm_tflite.cc): a block per batch
// element runs the steps in turn; in each, a thread per cell runs the ref's per-cell functions
// (gates, cell state, hidden value), then a thread per output the projection, with a barrier
// between: the host's results to the bit. The states live in device scratch memory.
#include "../kernels/lstm_tflite.h"
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

__global__ void QLstmKernel(odla_rt::TfliteLstmShape s, odla_rt::TfliteLstmParams p,
                            odla_rt::TfliteLstmData d, int8_t* h_all, int16_t* c_all,
                            int8_t* hidden_all) {
  for (int64_t b = blockIdx.x; b < s.batch; b += gridDim.x) {
    int8_t* h = h_all + b * s.output;
    int16_t* c = c_all + b * s.cell;
    int8_t* hidden = hidden_all + b * s.cell;
    for (int64_t j = threadIdx.x; j < s.output; j += blockDim.x) h[j] = d.h0[b * s.output + j];
    for (int64_t i = threadIdx.x; i < s.cell; i += blockDim.x) c[i] = d.c0[b * s.cell + i];
    __syncthreads();
    for (int64_t t = 0; t < s.steps; ++t) {
      const int64_t row = s.time_major ? t * s.batch + b : b * s.steps + t;
      const int8_t* x = d.x + row * s.input;
      for (int64_t i = threadIdx.x; i < s.cell; i += blockDim.x) {
        const int16_t ig = p.cifg ? int16_t{0} : odla_rt::TfliteLstmGate(s, p, d, 0, i, x, h, c[i]);
        const int16_t fg = odla_rt::TfliteLstmGate(s, p, d, 1, i, x, h, c[i]);
        const int16_t gg = odla_rt::TfliteLstmGate(s, p, d, 2, i, x, h, c[i]);
        c[i] = odla_rt::TfliteLstmCell(p, ig, fg, gg, c[i]);
        const int16_t og = odla_rt::TfliteLstmGate(s, p, d, 3, i, x, h, c[i]);
        hidden[i] = odla_rt::TfliteLstmHidden(p, og, c[i]);
      }
      __syncthreads();  // every cell has read h
      int8_t* y = d.y + row * s.output;
      for (int64_t r = threadIdx.x; r < s.output; r += blockDim.x) {
        h[r] = d.proj_w ? odla_rt::TfliteLstmProject(s, p, d, r, hidden) : hidden[r];
        y[r] = h[r];
      }
      __syncthreads();  // h is whole again, hidden free
    }
    for (int64_t j = threadIdx.x; d.h_n && j < s.output; j += blockDim.x)
      d.h_n[b * s.output + j] = h[j];
    for (int64_t i = threadIdx.x; d.c_n && i < s.cell; i += blockDim.x)
      d.c_n[b * s.cell + i] = c[i];
  }
}

}  // namespace

QLstmScratch::QLstmScratch(const odla_rt::TfliteLstmShape& s) {
  h = 0;
  c = ScratchAligned(s.batch * s.output);
  hidden = c + ScratchAligned(s.batch * s.cell * sizeof(int16_t));
  total = hidden + ScratchAligned(s.batch * s.cell);
}

void QLstm(cudaStream_t st, const odla_rt::TfliteLstmShape& s, const odla_rt::TfliteLstmParams& p,
           const odla_rt::TfliteLstmData& d, void* scratch) {
  if (s.batch < 1 || s.steps < 1) return;
  const QLstmScratch at(s);
  char* base = static_cast<char*>(scratch);
  const unsigned blocks = static_cast<unsigned>(s.batch < 65535 ? s.batch : 65535);
  QLstmKernel<<<blocks, kBlock, 0, st>>>(s, p, d, reinterpret_cast<int8_t*>(base + at.h),
                                         reinterpret_cast<int16_t*>(base + at.c),
                                         reinterpret_cast<int8_t*>(base + at.hidden));
  CheckLaunch("TfliteQuantizedLSTM");
}

}  // namespace odla_cuda
