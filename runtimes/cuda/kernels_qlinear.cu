// Quantized LOGISTIC / TANH (int8), SOFTMAX, AVERAGE_POOL_2D and MEAN of the TFLite import
// (ref: runtimes/ref/quant_tflite.cc). The integer forms run the ref's own functions
// (gemmlowp.h, fixed_point.h); the float forms use the _rn intrinsics, as the ref rounds.
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

__global__ void SigmoidTanhKernel(const int8_t* x, int8_t* y, int64_t n,
                                  odla_rt::TfliteSigmoidTanhParams p, bool tanh) {
  ODLA_CUDA_LOOP(i, n) { y[i] = odla_rt::TfliteSigmoidTanhInt8(x[i], p, tanh); }
}

template <typename X, typename Y>
__global__ void SoftmaxKernel(const X* x, Y* y, int64_t outer, int64_t len, int64_t inner,
                              odla_rt::TfliteSoftmaxParams p) {
  ODLA_CUDA_LOOP(r, outer * inner) {
    const int64_t base = r / inner * len * inner + r % inner;
    odla_rt::TfliteSoftmaxRow(x + base, y + base, len, inner, p);
  }
}

// A thread per output: the window's sum and count of valid elements (the ref's PoolWindowSum),
// then TFLite's rounded mean or the float one.
template <typename T>
__global__ void AveragePoolKernel(const T* x, T* y, odla_rt::Pool2D p, QElementwise q,
                                  bool include_pad) {
  ODLA_CUDA_LOOP(i, p.n * p.c * p.oh * p.ow) {
    const int64_t ox = i % p.ow, oy = i / p.ow % p.oh, nc = i / (p.ow * p.oh);
    int32_t sum, count;
    odla_rt::PoolWindowSum(p, x + nc * p.h * p.w, oy, ox, &sum, &count);
    if (q.tflite) {
      y[i] = SaturateTo<T>(odla_rt::TfliteRoundedMean(sum, count));
      continue;
    }
    const int32_t d = include_pad ? static_cast<int32_t>(p.kh * p.kw) : count;
    if (d == 0) {
      y[i] = RoundToQ<T>(0.0f, q.zy);
      continue;
    }
    const float mean = static_cast<float>(sum) / static_cast<float>(d);
    // Padded elements count as real zeros (not the zero point) with count_include_pad.
    const float pad = __fmul_rn(static_cast<float>(q.za), static_cast<float>(count)) / d;
    const float real = __fmul_rn(__fsub_rn(mean, pad), q.sa);
    y[i] = RoundToQ<T>(real / q.sy, q.zy);
  }
}

template <typename T>
__global__ void ReduceMeanKernel(const T* x, T* y, QMeanPlan m, QElementwise q,
                                 odla_rt::QMultiplier q_over_count) {
  ODLA_CUDA_LOOP(j, m.outputs) {
    int64_t base = 0, rest = j;
    for (int a = m.kept - 1; a >= 0; --a) {
      base += rest % m.kept_dims[a] * m.kept_strides[a];
      rest /= m.kept_dims[a];
    }
    int64_t sum = 0;
    for (int64_t r = 0; r < m.count; ++r) {
      int64_t at = base, left = r;
      for (int a = m.reduced - 1; a >= 0; --a) {
        at += left % m.reduced_dims[a] * m.reduced_strides[a];
        left /= m.reduced_dims[a];
      }
      sum += x[at];
    }
    if (q.tflite) {
      y[j] = SaturateTo<T>(odla_rt::TfliteMeanUnsaturated(sum, m.count, q.za, q_over_count, q.zy));
    } else {
      const float mean = static_cast<float>(sum) / static_cast<float>(m.count);
      y[j] = RoundToQ<T>(__fmul_rn(__fsub_rn(mean, static_cast<float>(q.za)), q.sa) / q.sy, q.zy);
    }
  }
}

}  // namespace

void QSigmoidTanhInt8(cudaStream_t s, const int8_t* x, int8_t* y, int64_t n,
                      const odla_rt::TfliteSigmoidTanhParams& p, bool tanh) {
  Launch(tanh ? "QLinearTanh" : "QLinearSigmoid", s, n, SigmoidTanhKernel, x, y, n, p, tanh);
}

void QSoftmax(cudaStream_t s, odla_element_type xt, odla_element_type yt, const void* x, void* y,
              int64_t outer, int64_t len, int64_t inner, const odla_rt::TfliteSoftmaxParams& p) {
  ForQuantized("QLinearSoftmax", xt, true, false, [&](auto xtag) {
    using X = decltype(xtag);
    ForQuantized("QLinearSoftmax", yt, true, false, [&](auto ytag) {
      using Y = decltype(ytag);
      Launch("QLinearSoftmax", s, outer * inner, SoftmaxKernel<X, Y>, static_cast<const X*>(x),
             static_cast<Y*>(y), outer, len, inner, p);
    });
  });
}

void QAveragePool(cudaStream_t s, odla_element_type t, const void* x, void* y,
                  const odla_rt::Pool2D& pool, const QElementwise& q, bool include_pad) {
  ForQuantized("QLinearAveragePool", t, true, false, [&](auto tag) {
    using T = decltype(tag);
    Launch("QLinearAveragePool", s, pool.n * pool.c * pool.oh * pool.ow, AveragePoolKernel<T>,
           static_cast<const T*>(x), static_cast<T*>(y), pool, q, include_pad);
  });
}

void QReduceMean(cudaStream_t s, odla_element_type t, const void* x, void* y, const QMeanPlan& m,
                 const QElementwise& q, odla_rt::QMultiplier q_over_count) {
  ForQuantized("QLinearReduceMean", t, true, false, [&](auto tag) {
    using T = decltype(tag);
    Launch("QLinearReduceMean", s, m.outputs, ReduceMeanKernel<T>, static_cast<const T*>(x),
           static_cast<T*>(y), m, q, q_over_count);
  });
}

}  // namespace odla_cuda
