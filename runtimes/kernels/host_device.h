// ODLA_HD marks a function that nvcc compiles for the host and the device, so that the ref's
// loops and libodla_cuda's kernels run the same code (sample_point.h, fixed_point.h, ...).
#pragma once

#include <stdint.h>

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

// A double as an int64 index or count, the same on host and device: NaN and values beyond the
// int64 range, whose conversion C++ leaves undefined (x86 gives INT64_MIN, the GPU saturates,
// NaN to 0), give kBadIndex, far below any range check yet safe to add small offsets to.
constexpr int64_t kBadIndex = -(int64_t{1} << 62);
ODLA_HD inline int64_t ToIndex(double v) {
  return v >= -0x1p62 && v < 0x1p62 ? static_cast<int64_t>(v) : kBadIndex;
}
// A double as an int64 for a later saturation: beyond +-2^62 it stays at +-2^62; NaN gives
// kBadIndex.
ODLA_HD inline int64_t ToSaturatedInt(double v) {
  if (!(v == v)) return kBadIndex;
  constexpr int64_t kLimit = int64_t{1} << 62;
  return v <= -0x1p62 ? -kLimit : v >= 0x1p62 ? kLimit : static_cast<int64_t>(v);
}
