// float32 exp and erf over arrays, in loops that compile to SIMD code for the instruction set
// KernelIsaOfCpu picks (a polynomial each, branch-free; the same results on every instruction
// set: the file is compiled without FMA contraction). Softmax and Gelu use them.
// Accuracy against the correctly rounded values (tests/unit/vmath_test.cc): exp within 1 ulp,
// erf within 2 ulp.
#pragma once

#include <cstdint>

namespace odla_rt {

// y[i] = exp(x[i]) for i < n (y may be x). Under -104 gives 0, over 88.72 infinity, NaN NaN.
void ExpF32(const float* x, float* y, int64_t n);
// y[i] = erf(x[i]) for i < n (y may be x).
void ErfF32(const float* x, float* y, int64_t n);
// y[i] = x * (erf(x / sqrt(2)) + 1) * 0.5 with x = y[i], in this order (the exported Gelu's
// operations).
void GeluF32(float* y, int64_t n);

}  // namespace odla_rt
