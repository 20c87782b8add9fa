// Kernels that generate data: fills, the identity matrix and ranges (ref: runtimes/kernels/
// fill.h). Compiled with --fmad=false: a float range's start + i * delta is rounded twice,
// as the host rounds it.
#include <cstring>

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

// f(tag) for the types Range handles.
template <typename F>
bool ByRangeType(odla_element_type t, F&& f) {
  switch (t) {
    case ODLA_FLOAT32:
      return f(float{}), true;
    case ODLA_FLOAT64:
      return f(double{}), true;
    case ODLA_INT8:
      return f(int8_t{}), true;
    case ODLA_UINT8:
      return f(uint8_t{}), true;
    case ODLA_INT16:
      return f(int16_t{}), true;
    case ODLA_UINT16:
      return f(uint16_t{}), true;
    case ODLA_INT32:
      return f(int32_t{}), true;
    case ODLA_UINT32:
      return f(uint32_t{}), true;
    case ODLA_INT64:
      return f(int64_t{}), true;
    case ODLA_UINT64:
      return f(uint64_t{}), true;
    default:
      return false;
  }
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

bool RangeTypeHandled(odla_element_type t) {
  return ByRangeType(t, [](auto) {});
}

void Range(cudaStream_t s, odla_element_type t, void* dst, int64_t n, const void* start,
           const void* delta) {
  const bool handled = ByRangeType(t, [&](auto tag) {
    using T = decltype(tag);
    Launch("Range", s, n, RangeKernel<T>, static_cast<T*>(dst), static_cast<const T*>(start),
           static_cast<const T*>(delta), n);
  });
  if (!handled) throw odla_rt::RtError("libodla_cuda: Range of an unsupported type");
}

}  // namespace odla_cuda
