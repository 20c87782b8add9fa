// Helpers shared by the kernel files (kernels_*.cu): grid-stride loops, index maps, element
// types by size, the ref runtime's conversions. Launch sizes and checks are cuda_rt.h's.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cuda/std/limits>
#include <string>
#include <type_traits>

#include "cuda_rt.h"
#include "kernels.h"

namespace odla_cuda {

#define ODLA_CUDA_LOOP(i, n)                                                             \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

// The same over n < 2^31 indices in 32 bits (GridFor's grids stay below 2^24 threads, so
// i + stride cannot wrap).
#define ODLA_CUDA_LOOP32(i, n)                                                           \
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < static_cast<uint32_t>(n); \
       i += gridDim.x * blockDim.x)

// f(tag) for float32, int32 or int64 (a tag of that type); false for other types.
template <typename F>
bool ByNumber(odla_element_type t, F&& f) {
  if (t == ODLA_FLOAT32) return f(float{}), true;
  if (t == ODLA_INT32) return f(int32_t{}), true;
  if (t == ODLA_INT64) return f(int64_t{}), true;
  return false;
}

// An unsigned integer type of N bytes (copies move elements as these).
template <size_t N>
struct Bits;
template <>
struct Bits<1> {
  using type = uint8_t;
};
template <>
struct Bits<2> {
  using type = uint16_t;
};
template <>
struct Bits<4> {
  using type = uint32_t;
};
template <>
struct Bits<8> {
  using type = uint64_t;
};
template <>
struct Bits<16> {
  using type = uint4;  // 16-byte aligned: one load and one store
};

// f(Bits<es>) for es in 1, 2, 4, 8 (copies also take Bits<16>).
template <typename F>
void BySize(size_t es, F&& f) {
  switch (es) {
    case 1:
      return f(Bits<1>{});
    case 2:
      return f(Bits<2>{});
    case 4:
      return f(Bits<4>{});
    case 8:
      return f(Bits<8>{});
    default:
      throw odla_rt::RtError("libodla_cuda: element size " + std::to_string(es));
  }
}

// f(tag) for the element types of quantized values: int8, uint8, and int16 and int32 where the
// template arguments allow them (only those instantiate f); false for other types.
template <bool kInt16, bool kInt32, typename F>
bool ByQuantized(odla_element_type t, F&& f) {
  if (t == ODLA_INT8) return f(int8_t{}), true;
  if (t == ODLA_UINT8) return f(uint8_t{}), true;
  if constexpr (kInt16)
    if (t == ODLA_INT16) return f(int16_t{}), true;
  if constexpr (kInt32)
    if (t == ODLA_INT32) return f(int32_t{}), true;
  return false;
}
// The same where another type is the caller's error (its builder rejects it): RtError naming
// `op`.
template <bool kInt16, bool kInt32, typename F>
void ForQuantized(const char* op, odla_element_type t, F&& f) {
  if (!ByQuantized<kInt16, kInt32>(t, f))
    throw odla_rt::RtError(std::string("libodla_cuda: ") + op + " of an unexpected element type");
}

// The type integer arithmetic wraps in: unsigned for integers, T itself for floats.
template <typename T, bool = std::is_integral_v<T>>
struct WrapOf {
  using type = T;
};
template <typename T>
struct WrapOf<T, true> {
  using type = std::make_unsigned_t<T>;
};
template <typename T>
using Wrap = typename WrapOf<T>::type;

// Integer arithmetic wraps (as odla_rt::WrapAdd, ...); floats are unchanged.
template <typename T>
__device__ T WAdd(T a, T b) {
  return static_cast<T>(static_cast<Wrap<T>>(a) + static_cast<Wrap<T>>(b));
}
template <typename T>
__device__ T WSub(T a, T b) {
  return static_cast<T>(static_cast<Wrap<T>>(a) - static_cast<Wrap<T>>(b));
}
template <typename T>
__device__ T WMul(T a, T b) {
  return static_cast<T>(static_cast<Wrap<T>>(a) * static_cast<Wrap<T>>(b));
}

// CastValue of the ref runtime.
template <typename To, typename From>
__host__ __device__ To CastValue(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (x != x) return To(0);
    if (x <= static_cast<From>(cuda::std::numeric_limits<To>::lowest()))
      return cuda::std::numeric_limits<To>::lowest();
    if (x >= static_cast<From>(cuda::std::numeric_limits<To>::max()))
      return cuda::std::numeric_limits<To>::max();
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);
  }
}

using odla_rt::RoundToQ;  // the ref's (runtimes/kernels/fixed_point.h), host and device
using odla_rt::SaturateTo;

// Reduces v over the block (blockDim.x a multiple of 32, at most 1024; `identity` fills the
// unused lanes of the second stage); all threads get the result.
template <typename T, typename Op>
__device__ T BlockReduce(T v, Op op, T identity) {
  __shared__ T part[32];
  __shared__ T result;
  for (int o = 16; o > 0; o /= 2) v = op(v, __shfl_down_sync(0xffffffffu, v, o));
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) part[warp] = v;
  __syncthreads();
  if (warp == 0) {
    int warps = blockDim.x / 32;
    v = lane < warps ? part[lane] : identity;
    for (int o = 16; o > 0; o /= 2) v = op(v, __shfl_down_sync(0xffffffffu, v, o));
    if (lane == 0) result = v;
  }
  __syncthreads();
  T r = result;
  __syncthreads();  // part and result may be reused by the next call
  return r;
}

}  // namespace odla_cuda
