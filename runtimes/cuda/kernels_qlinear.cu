// Quantized sigmoid and tanh (tables), SOFTMAX, AVERAGE_POOL_2D and MEAN of the TFLite import
// (ref: runtimes/ref/quant_tflite.cc). The integer forms run the ref's own functions
// (gemmlowp.h, fixed_point.h, quant_tflite.h); the float forms use the _rn intrinsics, as the
// ref rounds, or tables of the host's exp made at build time.
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

template <typename T>
__global__ void TableKernel(const T* x, T* y, int64_t n, const T* table) {
  ODLA_CUDA_LOOP(i, n) { y[i] = table[int32_t{x[i]} - odla_rt::QRange<T>::lo]; }
}

// A thread per row for each softmax form.
template <typename X, typename Y>
__global__ void SoftmaxKernel(const X* x, Y* y, int64_t outer, int64_t len, int64_t inner,
                              odla_rt::TfliteSoftmaxParams p) {
  ODLA_CUDA_LOOP(r, outer * inner) {
    const int64_t base = r / inner * len * inner + r % inner;
    odla_rt::TfliteSoftmaxRow(x + base, y + base, len, inner, p);
  }
}

__global__ void SoftmaxInt16Kernel(const int16_t* x, int16_t* y, int64_t outer, int64_t len,
                                   int64_t inner, odla_rt::TfliteSoftmaxInt16Params p,
                                   const int16_t* exp_lut, const int16_t* recip_lut) {
  ODLA_CUDA_LOOP(r, outer * inner) {
    const int64_t base = r / inner * len * inner + r % inner;
    odla_rt::TfliteSoftmaxInt16Row(x + base, y + base, len, inner, p, exp_lut, recip_lut);
  }
}

template <typename X, typename Y>
__global__ void SoftmaxFloatKernel(const X* x, Y* y, int64_t outer, int64_t len, int64_t inner,
                                   const float* exp_table, float ys, int32_t yz) {
  auto exp_of = [exp_table](int32_t d) { return exp_table[-d]; };
  ODLA_CUDA_LOOP(r, outer * inner) {
    const int64_t base = r / inner * len * inner + r % inner;
    odla_rt::QSoftmaxFloatRow(x + base, y + base, len, inner, exp_of, ys, yz);
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

void QTableLookup(cudaStream_t s, const char* op, odla_element_type t, const void* x, void* y,
                  int64_t n, const void* table) {
  ForQuantized<true, false>(op, t, [&](auto tag) {
    using T = decltype(tag);
    Launch(op, s, n, TableKernel<T>, static_cast<const T*>(x), static_cast<T*>(y), n,
           static_cast<const T*>(table));
  });
}

void QSoftmax(cudaStream_t s, odla_element_type xt, odla_element_type yt, const void* x, void* y,
              int64_t outer, int64_t len, int64_t inner, const odla_rt::TfliteSoftmaxParams& p) {
  ForQuantized<false, false>("QLinearSoftmax", xt, [&](auto xtag) {
    using X = decltype(xtag);
    ForQuantized<true, false>("QLinearSoftmax", yt, [&](auto ytag) {
      using Y = decltype(ytag);
      Launch("QLinearSoftmax", s, outer * inner, SoftmaxKernel<X, Y>, static_cast<const X*>(x),
             static_cast<Y*>(y), outer, len, inner, p);
    });
  });
}

void QSoftmaxInt16(cudaStream_t s, const int16_t* x, int16_t* y, int64_t outer, int64_t len,
                   int64_t inner, const odla_rt::TfliteSoftmaxInt16Params& p,
                   const int16_t* exp_lut, const int16_t* recip_lut) {
  Launch("QLinearSoftmax", s, outer * inner, SoftmaxInt16Kernel, x, y, outer, len, inner, p,
         exp_lut, recip_lut);
}

void QSoftmaxFloat(cudaStream_t s, odla_element_type xt, odla_element_type yt, const void* x,
                   void* y, int64_t outer, int64_t len, int64_t inner, const float* exp_table,
                   float ys, int32_t yz) {
  ForQuantized<true, false>("QLinearSoftmax", xt, [&](auto xtag) {
    using X = decltype(xtag);
    ForQuantized<true, false>("QLinearSoftmax", yt, [&](auto ytag) {
      using Y = decltype(ytag);
      Launch("QLinearSoftmax", s, outer * inner, SoftmaxFloatKernel<X, Y>, static_cast<const X*>(x),
             static_cast<Y*>(y), outer, len, inner, exp_table, ys, yz);
    });
  });
}

void QAveragePool(cudaStream_t s, odla_element_type t, const void* x, void* y,
                  const odla_rt::Pool2D& pool, const QElementwise& q, bool include_pad) {
  ForQuantized<true, false>("QLinearAveragePool", t, [&](auto tag) {
    using T = decltype(tag);
    Launch("QLinearAveragePool", s, pool.n * pool.c * pool.oh * pool.ow, AveragePoolKernel<T>,
           static_cast<const T*>(x), static_cast<T*>(y), pool, q, include_pad);
  });
}

void QReduceMean(cudaStream_t s, odla_element_type t, const void* x, void* y, const QMeanPlan& m,
                 const QElementwise& q, odla_rt::QMultiplier q_over_count) {
  ForQuantized<true, false>("QLinearReduceMean", t, [&](auto tag) {
    using T = decltype(tag);
    Launch("QLinearReduceMean", s, m.outputs, ReduceMeanKernel<T>, static_cast<const T*>(x),
           static_cast<T*>(y), m, q, q_over_count);
  });
}

}  // namespace odla_cuda
