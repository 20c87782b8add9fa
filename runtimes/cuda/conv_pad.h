// Zero padding of a convolution's input on the GPU (conv_pad.cu).
#pragma once

#include "cuda_rt.h"

namespace odla_cuda {

// planes (batch times channels) of in[0] x in[1] x in[2] elements (unused leading axes 1)
// copied into planes of out[...] with begin[a] zeros before and the rest after each axis.
struct PadGeometry {
  int64_t planes = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, begin[3] = {0, 0, 0};
};

void ZeroPad(cudaStream_t s, const float* x, float* y, const PadGeometry& g);

}  // namespace odla_cuda
