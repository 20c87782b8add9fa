// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear kernels (ref: RoundToQ,
// QuantizeLinear and DequantizeLinear in runtimes/kernels/quant.h, DynamicQuantizeLinear in
// quant.cc), and the quantized element-wise ops (ref: runtimes/ref/quant_tflite.cc). Float
// products and sums use the _rn intrinsics: the ref's rounding, no FMA contraction.
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

template <typename X, typename Q>
__global__ void QuantizeKernel(const X* x, const float* scale, const Q* zp, Q* y, int64_t len,
                               int64_t inner, bool away, int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    const int64_t c = i / inner % len;
    y[i] = RoundToQ<Q>(static_cast<float>(x[i]) / scale[c], zp ? int32_t(zp[c]) : 0, away);
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

constexpr int kRangeThreads = 1024;

// std::min and std::max: NaN never replaces a bound.
struct LowerOp {
  __device__ float operator()(float a, float b) const { return b < a ? b : a; }
};
struct HigherOp {
  __device__ float operator()(float a, float b) const { return a < b ? b : a; }
};

// One block: the range of x widened to 0, then the ref's scale and zero point.
__global__ void DynamicRangeKernel(const float* x, int64_t n, float* scale, uint8_t* zp) {
  float lo = 0, hi = 0;
  for (int64_t i = threadIdx.x; i < n; i += kRangeThreads) {
    lo = LowerOp{}(lo, x[i]);
    hi = HigherOp{}(hi, x[i]);
  }
  lo = BlockReduce(lo, LowerOp{}, 0.0f);
  hi = BlockReduce(hi, HigherOp{}, 0.0f);
  if (threadIdx.x == 0) {
    const float s = (hi - lo) / 255.0f;
    float z = -lo / s;
    z = z < 255.0f ? z : 255.0f;  // std::min(255.0f, z), then std::max(0.0f, z)
    z = 0.0f < z ? z : 0.0f;
    *scale = s;
    *zp = static_cast<uint8_t>(s == 0 ? 0.0f : rintf(z));
  }
}

__global__ void DynamicQuantizeKernel(const float* x, const float* scale, const uint8_t* zp,
                                      uint8_t* y, int64_t n) {
  const float s = *scale;
  const int32_t z = *zp;
  ODLA_CUDA_LOOP(i, n) { y[i] = s == 0 ? uint8_t{0} : RoundToQ<uint8_t>(x[i] / s, z); }
}

template <typename T>
__device__ T QBinaryOf(T x, T y, const QElementwise& p) {
  if (p.tflite && p.sign == 0)
    return SaturateTo<T>(int64_t{odla_rt::TfliteMul(x - p.za, y - p.zb, p.q)} + p.zy);
  if (p.tflite) return SaturateTo<T>(odla_rt::TfliteAddSub(x, y, p.add, p.sign));
  const float fx = __fmul_rn(static_cast<float>(int32_t{x} - p.za), p.sa);
  const float fy = __fmul_rn(static_cast<float>(int32_t{y} - p.zb), p.sb);
  const float r = p.sign > 0   ? __fadd_rn(fx, fy)
                  : p.sign < 0 ? __fsub_rn(fx, fy)
                               : __fmul_rn(fx, fy);
  return RoundToQ<T>(r / p.sy, p.zy);
}

template <typename T>
__global__ void QBinaryKernel(const T* a, const T* b, T* y, StridedMap m, int64_t n,
                              QElementwise p) {
  ODLA_CUDA_LOOP(i, n) {
    int64_t oa, ob;
    MapOffsets(m, i, &oa, &ob);
    y[i] = QBinaryOf(a[oa], b[ob], p);
  }
}

template <typename T>
__global__ void QLeakyReluKernel(const T* x, T* y, int64_t n, QElementwise p) {
  ODLA_CUDA_LOOP(i, n) {
    if (p.tflite) {
      y[i] = SaturateTo<T>(odla_rt::TfliteLeakyRelu(x[i], p.leaky));
    } else {
      const float f = __fmul_rn(static_cast<float>(int32_t{x[i]} - p.za), p.sa);
      y[i] = RoundToQ<T>((f >= 0 ? f : __fmul_rn(p.alpha, f)) / p.sy, p.zy);
    }
  }
}

template <typename X, typename Y>
__global__ void RequantizeKernel(const X* x, Y* y, int64_t n, QElementwise p, double ratio) {
  ODLA_CUDA_LOOP(i, n) {
    if (p.tflite) {
      const auto v = static_cast<int32_t>(static_cast<int64_t>(x[i]) - p.za);
      y[i] = SaturateTo<Y>(int64_t{odla_rt::MultiplyByQuantizedMultiplier(v, p.q)} + p.zy);
    } else {
      const double v = __dmul_rn(static_cast<double>(x[i]) - p.za, ratio);
      y[i] = SaturateTo<Y>(ToSaturatedInt(rint(v)) + p.zy);  // NaN, inf: as the ref
    }
  }
}

}  // namespace

void QuantizeLinear(cudaStream_t s, odla_element_type xt, odla_element_type q, const void* x,
                    const float* scale, const void* zp, void* y, int64_t outer, int64_t len,
                    int64_t inner, bool away) {
  const int64_t n = outer * len * inner;
  if (n == 0) return;
  ForQuantized<true, false>("QuantizeLinear", q, [&](auto qtag) {
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
  ForQuantized<true, true>("DequantizeLinear", xt, [&](auto tag) {
    using X = decltype(tag);
    DequantizeKernel<X><<<GridFor(n), kBlock, 0, s>>>(static_cast<const X*>(x), scale,
                                                      static_cast<const X*>(zp), y, len, inner, n);
  });
  CheckLaunch("DequantizeLinear");
}

void QLinearBinary(cudaStream_t s, odla_element_type t, const void* a, const void* b, void* y,
                   const StridedMap& m, const QElementwise& p) {
  const int64_t n = m.Count();
  ForQuantized<true, false>("QLinearBinary", t, [&](auto tag) {
    using T = decltype(tag);
    Launch("QLinearBinary", s, n, QBinaryKernel<T>, static_cast<const T*>(a),
           static_cast<const T*>(b), static_cast<T*>(y), m, n, p);
  });
}

void QLinearLeakyRelu(cudaStream_t s, odla_element_type t, const void* x, void* y, int64_t n,
                      const QElementwise& p) {
  ForQuantized<true, false>("QLinearLeakyRelu", t, [&](auto tag) {
    using T = decltype(tag);
    Launch("QLinearLeakyRelu", s, n, QLeakyReluKernel<T>, static_cast<const T*>(x),
           static_cast<T*>(y), n, p);
  });
}

void Requantize(cudaStream_t s, odla_element_type xt, odla_element_type yt, const void* x, void* y,
                int64_t n, const QElementwise& p) {
  // As the ref: x_scale / y_scale in double.
  const double ratio = static_cast<double>(p.sa) / p.sy;
  ForQuantized<true, true>("Requantize", xt, [&](auto xtag) {
    using X = decltype(xtag);
    ForQuantized<true, true>("Requantize", yt, [&](auto ytag) {
      using Y = decltype(ytag);
      Launch("Requantize", s, n, RequantizeKernel<X, Y>, static_cast<const X*>(x),
             static_cast<Y*>(y), n, p, ratio);
    });
  });
}

void DynamicQuantizeLinear(cudaStream_t s, const float* x, int64_t n, uint8_t* y, float* scale,
                           uint8_t* zp) {
  DynamicRangeKernel<<<1, kRangeThreads, 0, s>>>(x, n, scale, zp);
  CheckLaunch("DynamicQuantizeLinear range");
  Launch("DynamicQuantizeLinear", s, n, DynamicQuantizeKernel, x, scale, zp, y, n);
}

}  // namespace odla_cuda
