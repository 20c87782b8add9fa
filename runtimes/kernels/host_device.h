// ODLA_HD marks a function that nvcc compiles for the host and the device, so that the ref's
// loops and libodla_cuda's kernels run the same code (sample_point.h, fixed_point.h).
#pragma once

#ifdef __CUDACC__
#define ODLA_HD __host__ __device__
#else
#define ODLA_HD
#endif
