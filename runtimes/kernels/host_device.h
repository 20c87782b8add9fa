// ODLA_HD marks a function that nvcc compiles for the host and the device, so that the ref's
// loops and libodla_cuda's kernels run the same code (sample_point.h, fixed_point.h, ...).
#pragma once

#ifdef __CUDACC__
#define ODLA_HD __host__ __device__
#else
#define ODLA_HD
#endif

// a * b rounded once, as host code computes it: on the device (nvcc contracts a product and a
// sum into an FMA by default) the intrinsic keeps a later sum from fusing with it.
ODLA_HD inline double MulRounded(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
