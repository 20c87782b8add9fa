// Kernels that generate data: fills, the identity matrix and ranges (ref: runtimes/kernels/
// fill.h). Compiled with --fmad=false: a float range's start + i * delta is rounded twice,
// as the host rounds it.
#include <cstring>

#include "../kernels/dispatch.h"
#include "../kernels/fill.h"
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

template <typename E>
__global__ void FillKernel(E* dst, E value, int64_t n) {
  ODLA_CUDA_LOOP(i, n) dst[i] = value;
}

template <typename E>
__global__ void EyeKernel(E* dst, E one, int64_t cols, int64_t k, int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    const int64_t r = i / cols, c = i - r * cols;
    dst[i] = c - r == k ? one : E(0);
  }
}

template <typename T>
__global__ void RangeKernel(T* dst, const T* start, const T* delta, int64_t n) {
  const T s = *start, d = *delta;
  ODLA_CUDA_LOOP(i, n) dst[i] = odla_rt::RangeAt(s, d, i);
}

}  // namespace

void Fill(cudaStream_t s, void* dst, size_t es, int64_t n, const void* value) {
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    E v;
    std::memcpy(&v, value, sizeof v);
    Launch("Fill", s, n, FillKernel<E>, static_cast<E*>(dst), v, n);
  });
}

void Eye(cudaStream_t s, void* dst, size_t es, int64_t rows, int64_t cols, int64_t k,
         const void* one) {
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    E v;
    std::memcpy(&v, one, sizeof v);
    Launch("EyeLike", s, rows * cols, EyeKernel<E>, static_cast<E*>(dst), v, cols, k, rows * cols);
  });
}

void Range(cudaStream_t s, odla_element_type t, void* dst, int64_t n, const void* start,
           const void* delta) {
  odla_rt::DispatchNumeric(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Launch("Range", s, n, RangeKernel<T>, static_cast<T*>(dst), static_cast<const T*>(start),
           static_cast<const T*>(delta), n);
  });
}

}  // namespace odla_cuda
