// Cast and Where kernels.
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

// float16 and bfloat16 as their bits, converted exactly as the ref runtime converts them
// (HalfToFloat, FloatToHalf, BFloat16ToFloat, FloatToBFloat16 in runtimes/kernels/
// elementwise.cc: round to nearest even, NaN kept quiet with a fixed payload).
__device__ inline float BitsToFloat(uint32_t b) { return __uint_as_float(b); }
__device__ inline uint32_t FloatToBits(float f) { return __float_as_uint(f); }

struct Half {
  uint16_t bits;
  __device__ float ToFloat() const {
    uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
    uint32_t exp = (bits >> 10) & 0x1f, man = bits & 0x3ff, b;
    if (exp == 0x1f) {
      b = sign | 0x7f800000 | (man << 13);
    } else if (exp != 0) {
      b = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
      b = sign;
    } else {
      int e = -1;
      do {
        ++e;
        man <<= 1;
      } while (!(man & 0x400));
      b = sign | (static_cast<uint32_t>(112 - e) << 23) | ((man & 0x3ff) << 13);
    }
    return BitsToFloat(b);
  }
  __device__ static Half FromFloat(float f) {
    uint32_t x = FloatToBits(f);
    uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
    uint32_t abs = x & 0x7fffffff;
    if (abs >= 0x7f800000)
      return {static_cast<uint16_t>(sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0))};
    if (abs >= 0x477ff000) return {static_cast<uint16_t>(sign | 0x7c00)};
    if (abs < 0x38800000) {
      if (abs < 0x33000000) return {sign};
      uint32_t e = abs >> 23, man = (abs & 0x7fffff) | 0x800000, shift = 126 - e;
      uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1))) ++half;
      return {static_cast<uint16_t>(sign | half)};
    }
    uint32_t b = abs - 0x38000000, half = b >> 13, rem = b & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) ++half;
    return {static_cast<uint16_t>(sign | half)};
  }
};

struct BFloat16 {
  uint16_t bits;
  __device__ float ToFloat() const { return BitsToFloat(static_cast<uint32_t>(bits) << 16); }
  __device__ static BFloat16 FromFloat(float f) {
    uint32_t x = FloatToBits(f);
    if ((x & 0x7fffffff) > 0x7f800000) return {static_cast<uint16_t>((x >> 16) | 0x40)};
    x += 0x7fff + ((x >> 16) & 1);
    return {static_cast<uint16_t>(x >> 16)};
  }
};

template <typename T>
constexpr bool kHalfLike = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

// The ref's Convert: 16-bit floats through float (only float32 reaches one here).
template <typename To, typename From>
__device__ To Convert(From x) {
  if constexpr (kHalfLike<From> && kHalfLike<To>)
    return To::FromFloat(x.ToFloat());
  else if constexpr (kHalfLike<From>)
    return CastValue<To>(x.ToFloat());
  else if constexpr (kHalfLike<To>)
    return To::FromFloat(static_cast<float>(x));
  else
    return CastValue<To>(x);
}

template <typename F>
bool CastType(odla_element_type t, F&& f) {
  switch (t) {
    case ODLA_FLOAT32:
      return f(float{}), true;
    case ODLA_FLOAT64:
      return f(double{}), true;
    case ODLA_INT8:
      return f(int8_t{}), true;
    case ODLA_UINT8:
      return f(uint8_t{}), true;
    case ODLA_INT32:
      return f(int32_t{}), true;
    case ODLA_INT64:
      return f(int64_t{}), true;
    case ODLA_BOOL:
      return f(bool{}), true;
    case ODLA_FLOAT16:
      return f(Half{}), true;
    case ODLA_BFLOAT16:
      return f(BFloat16{}), true;
    default:
      return false;
  }
}

template <typename To, typename From>
__global__ void CastKernel(const From* x, To* y, int64_t n) {
  ODLA_CUDA_LOOP(i, n) { y[i] = Convert<To>(x[i]); }
}

struct WhereMap {
  int rank;
  int64_t dims[kMaxDims], c[kMaxDims], x[kMaxDims], y[kMaxDims];
};

template <typename E>
__global__ void WhereKernel(const uint8_t* cond, const E* x, const E* y, E* out, WhereMap m,
                            int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    int64_t r = i, oc = 0, ox = 0, oy = 0;
    for (int d = m.rank - 1; d >= 0; --d) {
      int64_t q = r / m.dims[d], k = r - q * m.dims[d];
      oc += k * m.c[d];
      ox += k * m.x[d];
      oy += k * m.y[d];
      r = q;
    }
    out[i] = cond[oc] ? x[ox] : y[oy];
  }
}

}  // namespace

bool CastSupports(odla_element_type from, odla_element_type to) {
  bool half_from = from == ODLA_FLOAT16 || from == ODLA_BFLOAT16;
  bool half_to = to == ODLA_FLOAT16 || to == ODLA_BFLOAT16;
  return CastType(from, [](auto) {}) && CastType(to, [](auto) {}) &&
         (!half_to || half_from || from == ODLA_FLOAT32);
}

void Cast(cudaStream_t s, odla_element_type from, odla_element_type to, const void* x, void* y,
          int64_t n) {
  if (n == 0) return;
  if (!CastSupports(from, to)) throw odla_rt::RtError("libodla_cuda: Cast of unsupported types");
  if (from == to) return DeviceCopy(s, y, x, n * odla_rt::ElementSize(from));  // as the ref
  CastType(from, [&](auto ftag) {
    using F = decltype(ftag);
    CastType(to, [&](auto ttag) {
      using T = decltype(ttag);
      // Only float32 and the 16-bit floats reach a 16-bit float (CastSupports).
      if constexpr (!kHalfLike<T> || kHalfLike<F> || std::is_same_v<F, float>)
        CastKernel<T, F>
            <<<GridFor(n), kBlock, 0, s>>>(static_cast<const F*>(x), static_cast<T*>(y), n);
    });
  });
  CheckLaunch("Cast");
}

void Where(cudaStream_t s, size_t es, const uint8_t* cond, const void* x, const void* y, void* out,
           const std::vector<int64_t>& dims, const std::vector<int64_t>& cs,
           const std::vector<int64_t>& xs, const std::vector<int64_t>& ys) {
  WhereMap m{};
  int64_t n = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    n *= dims[d];
    if (dims[d] == 1) continue;
    if (m.rank == kMaxDims) throw odla_rt::RtError("libodla_cuda: Where of more than 8 dims");
    m.dims[m.rank] = dims[d];
    m.c[m.rank] = cs[d];
    m.x[m.rank] = xs[d];
    m.y[m.rank] = ys[d];
    ++m.rank;
  }
  if (n == 0) return;
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    WhereKernel<E><<<GridFor(n), kBlock, 0, s>>>(
        cond, static_cast<const E*>(x), static_cast<const E*>(y), static_cast<E*>(out), m, n);
  });
  CheckLaunch("Where");
}

}  // namespace odla_cuda
