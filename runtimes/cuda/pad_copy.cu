// Padded copies of window ops' inputs, for the pads cuDNN's descriptors cannot express
// (different at the two ends of an axis): the op then runs unpadded on the copy.
#include "pad_copy.h"

namespace odla_cuda {

namespace {

__global__ void PadCopyKernel(const float* x, float* y, int64_t n, PadGeometry g, float value) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < n; o += step) {
    int64_t rest = o, pos[3];
    bool inside = true;
    for (int a = 2; a >= 0; --a) {
      pos[a] = rest % g.out[a] - g.begin[a];
      rest /= g.out[a];
      inside = inside && pos[a] >= 0 && pos[a] < g.in[a];
    }
    // rest is now the plane (batch and channel).
    int64_t src = ((rest * g.in[0] + pos[0]) * g.in[1] + pos[1]) * g.in[2] + pos[2];
    y[o] = inside ? x[src] : value;
  }
}

}  // namespace

void PadCopy(cudaStream_t s, const float* x, float* y, const PadGeometry& g, float value) {
  int64_t n = g.planes * g.out[0] * g.out[1] * g.out[2];
  Launch("PadCopyKernel", s, n, PadCopyKernel, x, y, n, g, value);
}

}  // namespace odla_cuda
