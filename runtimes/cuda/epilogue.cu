// The epilogue of fused convolutions and matrix products on the GPU: bias, residual sum and
// activation in one pass over the result, computing what runtimes/kernels/epilogue.h does.
#include "../kernels/epilogue.h"
#include "cuda_rt.h"
#include "index_map.h"

ODLA_CUDA_FILE(epilogue)

namespace odla_cuda {

namespace {

// alpha * x + beta without contraction into an FMA, as the host computes it.
__device__ float Affine(float alpha, float x, float beta) {
  return __fadd_rn(__fmul_rn(alpha, x), beta);
}

__device__ float HardSigmoid(float x, float alpha, float beta) {
  return fmaxf(0.f, fminf(1.f, Affine(alpha, x, beta)));
}

__device__ float Act(float x, const CudaAct& a) {
  using K = odla_rt::ActKind;
  switch (static_cast<K>(a.kind)) {
    case K::kRelu:
      return x > 0.f ? x : 0.f;
    case K::kLeakyRelu:
      return x < 0.f ? __fmul_rn(a.alpha, x) : x;
    case K::kClip: {
      float v = x < a.alpha ? a.alpha : x;
      return v > a.beta ? a.beta : v;
    }
    case K::kSigmoid:
      if (x >= 0.f) return 1.f / (1.f + expf(-x));
      return expf(x) / (1.f + expf(x));
    case K::kTanh:
      return tanhf(x);
    case K::kHardSigmoid:
      return HardSigmoid(x, a.alpha, a.beta);
    case K::kHardSwish:
      return __fmul_rn(x, HardSigmoid(x, a.alpha, a.beta));
    case K::kElu:
      return x < 0.f ? __fmul_rn(a.alpha, expm1f(x)) : x;
    case K::kGelu:
      return __fmul_rn(__fmul_rn(x, erff(x / 1.4142135623730951f) + 1.f), 0.5f);
    default:
      return x;
  }
}

__global__ void EpilogueKernel(float* y, int64_t n, const float* bias, int64_t channels,
                               int64_t inner, const float* sum, CudaAct act) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    float v = y[i];
    if (bias) v += bias[(i / inner) % channels];
    if (sum) v += sum[i];
    y[i] = Act(v, act);
  }
}

// The same over n < 2^31 elements, the bias's channel found with 32-bit FastDivs.
__global__ void SmallEpilogueKernel(float* y, uint32_t n, const float* bias, FastDiv inner,
                                    FastDiv channels, const float* sum, CudaAct act) {
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    float v = y[i];
    if (bias) {
      const uint32_t t = inner.Div(i);
      v += bias[t - channels.Div(t) * channels.d];
    }
    if (sum) v += sum[i];
    y[i] = Act(v, act);
  }
}

}  // namespace

void Epilogue(cudaStream_t s, float* y, int64_t n, const float* bias, int64_t channels,
              int64_t inner, const float* sum, const CudaAct& act) {
  if (!bias && !sum && act.kind == static_cast<int>(odla_rt::ActKind::kNone)) return;
  if (channels < 1) channels = 1;
  if (inner < 1) inner = 1;
  if (n < (int64_t(1) << 31))
    Launch("EpilogueKernel", s, n, SmallEpilogueKernel, y, static_cast<uint32_t>(n), bias,
           FastDiv(static_cast<uint32_t>(inner)), FastDiv(static_cast<uint32_t>(channels)), sum,
           act);
  else
    Launch("EpilogueKernel", s, n, EpilogueKernel, y, n, bias, channels, inner, sum, act);
}

}  // namespace odla_cuda
