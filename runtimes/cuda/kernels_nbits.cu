// MatMulNBits kernels (ref: runtimes/kernels/nbits.cc): the 2, 4 or 8-bit block-quantized
// weights dequantized as the ref does, (q - zero) * scale in float32 with the _rn
// intrinsics; products of a few rows accumulate in float32 per lane, then across the warp.
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

struct Weights {
  const uint8_t* q;
  const float* scales;
  const uint8_t* zp_packed;
  const float* zp_float;
  int64_t k, blocks, blob, zp_row;
  int bits, block;
};

Weights DeviceWeights(const odla_rt::NBitsWeights& w) {
  const int64_t blocks = w.blocks();
  return {w.q,
          w.scales,
          w.zp_packed,
          w.zp_float,
          w.k,
          blocks,
          w.block * w.bits / 8,
          (blocks * w.bits + 7) / 8,
          static_cast<int>(w.bits),
          static_cast<int>(w.block)};
}

// Weight i of row `row`.
__device__ float WeightAt(const Weights& w, int64_t row, int64_t i) {
  const int64_t b = i / w.block, at = i - b * w.block;
  const int per_byte = 8 / w.bits, mask = (1 << w.bits) - 1;
  const int q =
      (w.q[(row * w.blocks + b) * w.blob + at / per_byte] >> ((at % per_byte) * w.bits)) & mask;
  float zero = static_cast<float>(1 << (w.bits - 1));
  if (w.zp_float)
    zero = w.zp_float[row * w.blocks + b];
  else if (w.zp_packed)
    zero = static_cast<float>(
        (w.zp_packed[row * w.zp_row + b / per_byte] >> ((b % per_byte) * w.bits)) & mask);
  return __fmul_rn(__fsub_rn(static_cast<float>(q), zero), w.scales[row * w.blocks + b]);
}

__global__ void DequantizeKernel(Weights w, float* out, int64_t total) {
  ODLA_CUDA_LOOP(i, total) { out[i] = WeightAt(w, i / w.k, i % w.k); }
}

// One warp per column (a grid stride over columns); lane l takes k = l, l + 32, ...
__global__ void GemvKernel(Weights w, const float* a, int m, int64_t n, float* y) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * blockDim.x / 32;
  for (int64_t col = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) / 32; col < n;
       col += warps) {
    float acc[kNBitsGemvRows] = {};
    for (int64_t i = lane; i < w.k; i += 32) {
      const float v = WeightAt(w, col, i);
#pragma unroll
      for (int r = 0; r < kNBitsGemvRows; ++r)
        if (r < m) acc[r] = __fadd_rn(acc[r], __fmul_rn(a[r * w.k + i], v));
    }
#pragma unroll
    for (int r = 0; r < kNBitsGemvRows; ++r) {
      float v = acc[r];
      for (int o = 16; o > 0; o /= 2) v += __shfl_down_sync(0xffffffffu, v, o);
      if (lane == 0 && r < m) y[r * n + col] = v;
    }
  }
}

}  // namespace

void NBitsDequantize(cudaStream_t s, const odla_rt::NBitsWeights& w, float* out) {
  Launch("MatMulNBits dequantize", s, w.n * w.k, DequantizeKernel, DeviceWeights(w), out,
         w.n * w.k);
}

void NBitsGemv(cudaStream_t s, const odla_rt::NBitsWeights& w, const float* a, int64_t m,
               float* y) {
  if (w.n <= 0 || m <= 0) return;
  const int64_t warps_per_block = kBlock / 32;
  const int64_t blocks = std::min<int64_t>((w.n + warps_per_block - 1) / warps_per_block, 65535);
  GemvKernel<<<static_cast<unsigned>(blocks), kBlock, 0, s>>>(DeviceWeights(w), a,
                                                              static_cast<int>(m), w.n, y);
  CheckLaunch("MatMulNBits gemv");
}

}  // namespace odla_cuda
