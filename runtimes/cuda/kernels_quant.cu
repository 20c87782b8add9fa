// QuantizeLinear and DequantizeLinear kernels (ref: RoundToQ, QuantizeLinear and
// DequantizeLinear in runtimes/kernels/quant.h).
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

template <typename X, typename Q>
__global__ void QuantizeKernel(const X* x, const float* scale, const Q* zp, Q* y, int64_t len,
                               int64_t inner, bool away, int64_t n) {
  const float lo = static_cast<float>(cuda::std::numeric_limits<Q>::min());
  const float hi = static_cast<float>(cuda::std::numeric_limits<Q>::max());
  ODLA_CUDA_LOOP(i, n) {
    const int64_t c = i / inner % len;
    const float v = static_cast<float>(x[i]) / scale[c];
    float r = (away ? roundf(v) : rintf(v)) + static_cast<float>(zp ? int32_t(zp[c]) : 0);
    r = r < lo ? lo : r;  // as std::max(r, lo), then std::min(r, hi)
    r = hi < r ? hi : r;
    y[i] = static_cast<Q>(r);
  }
}

template <typename X>
__global__ void DequantizeKernel(const X* x, const float* scale, const X* zp, float* y, int64_t len,
                                 int64_t inner, int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    const int64_t c = i / inner % len;
    const int64_t z = zp ? static_cast<int64_t>(zp[c]) : 0;
    y[i] = static_cast<float>(static_cast<int64_t>(x[i]) - z) * scale[c];
  }
}

// f(tag) for int8, uint8, int16 and, with `int32`, int32; false for other types.
template <typename F>
bool ByQuantized(odla_element_type t, bool int32, F&& f) {
  if (t == ODLA_INT8) return f(int8_t{}), true;
  if (t == ODLA_UINT8) return f(uint8_t{}), true;
  if (t == ODLA_INT16) return f(int16_t{}), true;
  if (int32 && t == ODLA_INT32) return f(int32_t{}), true;
  return false;
}

}  // namespace

void QuantizeLinear(cudaStream_t s, odla_element_type xt, odla_element_type q, const void* x,
                    const float* scale, const void* zp, void* y, int64_t outer, int64_t len,
                    int64_t inner, bool away) {
  const int64_t n = outer * len * inner;
  if (n == 0) return;
  ByQuantized(q, false, [&](auto qtag) {
    using Q = decltype(qtag);
    auto launch = [&](auto xtag) {
      using X = decltype(xtag);
      QuantizeKernel<X, Q><<<GridFor(n), kBlock, 0, s>>>(static_cast<const X*>(x), scale,
                                                         static_cast<const Q*>(zp),
                                                         static_cast<Q*>(y), len, inner, away, n);
    };
    if (xt == ODLA_INT32)
      launch(int32_t{});
    else
      launch(float{});
  });
  CheckLaunch("QuantizeLinear");
}

void DequantizeLinear(cudaStream_t s, odla_element_type xt, const void* x, const float* scale,
                      const void* zp, float* y, int64_t outer, int64_t len, int64_t inner) {
  const int64_t n = outer * len * inner;
  if (n == 0) return;
  ByQuantized(xt, true, [&](auto tag) {
    using X = decltype(tag);
    DequantizeKernel<X><<<GridFor(n), kBlock, 0, s>>>(static_cast<const X*>(x), scale,
                                                      static_cast<const X*>(zp), y, len, inner, n);
  });
  CheckLaunch("DequantizeLinear");
}

}  // namespace odla_cuda
