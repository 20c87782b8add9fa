// SVDF and QLinearSVDF steps (ref: runtimes/kernels/svdf.h, whose per-filter and per-unit
// functions run here, a thread each). Compiled with --fmad=false: the float sums are the
// host's to the bit.
#include "../kernels/svdf.h"
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

// A thread per (batch, filter): the filter's memory shifted by one with the new activation
// last, then its time reduction into red.
template <typename S, typename R, typename Act, typename Time>
__global__ void SvdfFilters(odla_rt::SvdfShape d, const S* state_in, S* state, R* red, Act act,
                            Time time, int64_t n) {
  ODLA_CUDA_LOOP(bf, n) {
    const int64_t b = bf / d.filters, f = bf - b * d.filters;
    const S* in = state_in + bf * d.memory;
    S* s = state + bf * d.memory;
    for (int64_t j = 0; j + 1 < d.memory; ++j) s[j] = in[j + 1];
    s[d.memory - 1] = act(b, f);
    red[bf] = time(s, f);
  }
}

// A thread per (batch, unit): y from the unit's reductions.
template <typename R, typename Y, typename Unit>
__global__ void SvdfUnits(odla_rt::SvdfShape d, const R* red, Y* y, Unit unit, int64_t n) {
  ODLA_CUDA_LOOP(bu, n) {
    const int64_t b = bu / d.units(), u = bu - b * d.units();
    y[bu] = unit(red + b * d.filters, u);
  }
}

// The float form's steps, as device functors.
struct FloatAct {
  odla_rt::SvdfShape d;
  const float *x, *wf;
  __device__ float operator()(int64_t b, int64_t f) const {
    return odla_rt::SvdfActivation(d, x, wf, b, f);
  }
};
struct FloatTime {
  odla_rt::SvdfShape d;
  const float* wt;
  __device__ float operator()(const float* s, int64_t f) const {
    return odla_rt::SvdfTime(d, wt, s, f);
  }
};
struct FloatUnit {
  odla_rt::SvdfShape d;
  const float* bias;
  __device__ float operator()(const float* red, int64_t u) const {
    return odla_rt::SvdfUnit(d, bias, red, u);
  }
};

// The integer form's, state type S.
template <typename S>
struct IntAct {
  odla_rt::SvdfShape d;
  odla_rt::SvdfQuant q;
  const int8_t *x, *wf;
  __device__ S operator()(int64_t b, int64_t f) const {
    return odla_rt::SvdfActivation<S>(d, q, x, wf, b, f);
  }
};
template <typename S>
struct IntTime {
  odla_rt::SvdfShape d;
  odla_rt::SvdfQuant q;
  const S* wt;
  __device__ int32_t operator()(const S* s, int64_t f) const {
    return odla_rt::SvdfTime<S>(d, q, wt, s, f);
  }
};
struct IntUnit {
  odla_rt::SvdfShape d;
  odla_rt::SvdfQuant q;
  const int32_t* bias;
  __device__ int8_t operator()(const int32_t* red, int64_t u) const {
    return odla_rt::SvdfUnit(d, q, bias, red, u);
  }
};

}  // namespace

void SvdfFloat(cudaStream_t s, const odla_rt::SvdfShape& d, const float* x, const float* wf,
               const float* wt, const float* bias, const float* state_in, float* y, float* state,
               float* red) {
  Launch("SVDF", s, d.batch * d.filters, SvdfFilters<float, float, FloatAct, FloatTime>, d,
         state_in, state, red, FloatAct{d, x, wf}, FloatTime{d, wt}, d.batch * d.filters);
  Launch("SVDF", s, d.batch * d.units(), SvdfUnits<float, float, FloatUnit>, d,
         static_cast<const float*>(red), y, FloatUnit{d, bias}, d.batch * d.units());
}

void SvdfInteger(cudaStream_t s, odla_element_type st, const odla_rt::SvdfShape& d,
                 const odla_rt::SvdfQuant& q, const int8_t* x, const int8_t* wf, const void* wt,
                 const int32_t* bias, const void* state_in, int8_t* y, void* state, int32_t* red) {
  auto run = [&](auto tag) {
    using S = decltype(tag);
    Launch("QLinearSVDF", s, d.batch * d.filters, SvdfFilters<S, int32_t, IntAct<S>, IntTime<S>>, d,
           static_cast<const S*>(state_in), static_cast<S*>(state), red, IntAct<S>{d, q, x, wf},
           IntTime<S>{d, q, static_cast<const S*>(wt)}, d.batch * d.filters);
  };
  if (st == ODLA_INT16)
    run(int16_t{});
  else if (st == ODLA_INT8)
    run(int8_t{});
  else
    throw odla_rt::RtError("libodla_cuda: QLinearSVDF state of an unsupported type");
  Launch("QLinearSVDF", s, d.batch * d.units(), SvdfUnits<int32_t, int8_t, IntUnit>, d,
         static_cast<const int32_t*>(red), y, IntUnit{d, q, bias}, d.batch * d.units());
}

}  // namespace odla_cuda
