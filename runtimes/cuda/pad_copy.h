// Padded copies of window ops' inputs on the GPU (pad_copy.cu), for pads cuDNN's descriptors
// cannot express.
#pragma once

#include "cuda_rt.h"

namespace odla_cuda {

// planes (batch times channels) of in[0] x in[1] x in[2] elements (unused leading axes 1)
// copied into planes of out[...] with begin[a] elements of `value` before and the rest after
// each axis.
struct PadGeometry {
  int64_t planes = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, begin[3] = {0, 0, 0};
};

void PadCopy(cudaStream_t s, const float* x, float* y, const PadGeometry& g, float value);

}  // namespace odla_cuda
