// TFLite's SVDF (singular value decomposition filter): one step of a rank-`rank` filter bank
// with a memory of `memory` steps. The activation state holds, per batch and filter, the
// feature activations of the last `memory` steps (oldest first). A step shifts the state by
// one, appends the new activations (weights_feature . x), reduces the state against
// weights_time per filter, sums `rank` filters per unit and adds the bias. Written from
// TFLite Micro's svdf_common.cc (EvalFloatSvdfReference, EvalIntegerSvdfReference).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "fixed_point.h"
#include "host_device.h"

namespace odla_rt {

struct SvdfShape {
  int64_t batch = 1, input = 1, filters = 1, memory = 1, rank = 1;
  ODLA_HD int64_t units() const { return filters / rank; }
};

// The integer SVDF's parameters (TFLite Micro's PrepareSvdf): m1 from x_scale *
// weights_feature_scale / state_scale, m2 from state_scale * weights_time_scale / y_scale
// (each computed in float, then widened to double as TFLite does).
struct SvdfQuant {
  QMultiplier m1, m2;
  int32_t x_zp = 0, state_zp = 0, y_zp = 0;
};
inline SvdfQuant MakeSvdfQuant(float xs, float wfs, float wts, float ss, float ys, int32_t x_zp,
                               int32_t state_zp, int32_t y_zp) {
  SvdfQuant q;
  q.m1 = QuantizeMultiplier(static_cast<double>(xs * wfs / ss));
  q.m2 = QuantizeMultiplier(static_cast<double>(ss * wts / ys));
  q.x_zp = x_zp;
  q.state_zp = state_zp;
  q.y_zp = y_zp;
  return q;
}

// The steps of one SVDF step, per filter or unit: the host loops below and libodla_cuda's
// kernels (a thread each) run these. Float sums in TFLite's order (compiled without FMA
// contraction on the device).
//
// Filter f's new activation for batch b: weights_feature[f] . x[b].
ODLA_HD inline float SvdfActivation(const SvdfShape& d, const float* x, const float* wf, int64_t b,
                                    int64_t f) {
  float dot = 0.0f;
  for (int64_t k = 0; k < d.input; ++k) dot += wf[f * d.input + k] * x[b * d.input + k];
  return dot;
}
// The integer one: the int32 dot product rescaled by m1, offset by the state's zero point and
// saturated to S (int16 or int8).
template <typename S>
ODLA_HD S SvdfActivation(const SvdfShape& d, const SvdfQuant& q, const int8_t* x, const int8_t* wf,
                         int64_t b, int64_t f) {
  int32_t dot = 0;
  for (int64_t k = 0; k < d.input; ++k)
    dot += int32_t{wf[f * d.input + k]} * (int32_t{x[b * d.input + k]} - q.x_zp);
  dot = MultiplyByQuantizedMultiplier(dot, q.m1) + q.state_zp;
  const int32_t lo = sizeof(S) == 2 ? -32768 : -128, hi = sizeof(S) == 2 ? 32767 : 127;
  return static_cast<S>(dot < lo ? lo : dot > hi ? hi : dot);
}
// Filter f's reduction of its memory s (the state after the step) against weights_time[f]
// (integer: of s - the state's zero point).
ODLA_HD inline float SvdfTime(const SvdfShape& d, const float* wt, const float* s, int64_t f) {
  float dot = 0.0f;
  for (int64_t j = 0; j < d.memory; ++j) dot += wt[f * d.memory + j] * s[j];
  return dot;
}
template <typename S>
ODLA_HD int32_t SvdfTime(const SvdfShape& d, const SvdfQuant& q, const S* wt, const S* s,
                         int64_t f) {
  int32_t dot = 0;
  for (int64_t j = 0; j < d.memory; ++j)
    dot += int32_t{wt[f * d.memory + j]} * (int32_t{s[j]} - q.state_zp);
  return dot;
}
// Unit u's output: its bias plus the reductions `red` of its rank filters (integer: rescaled
// by m2, offset by y's zero point and saturated to int8; TFLite applies no fused activation).
ODLA_HD inline float SvdfUnit(const SvdfShape& d, const float* bias, const float* red, int64_t u) {
  float v = bias ? bias[u] : 0.0f;
  for (int64_t r = 0; r < d.rank; ++r) v += red[u * d.rank + r];
  return v;
}
ODLA_HD inline int8_t SvdfUnit(const SvdfShape& d, const SvdfQuant& q, const int32_t* bias,
                               const int32_t* red, int64_t u) {
  int32_t v = bias ? bias[u] : 0;
  for (int64_t r = 0; r < d.rank; ++r) v += red[u * d.rank + r];
  const int32_t o = MultiplyByQuantizedMultiplier(v, q.m2) + q.y_zp;
  return static_cast<int8_t>(o < -128 ? -128 : o > 127 ? 127 : o);
}

// Copies `in` (the state before the step) to `out`, each filter's memory shifted left by one;
// the last slot of each filter is left for the new activation.
template <typename S>
void SvdfShiftState(const SvdfShape& d, const S* in, S* out) {
  for (int64_t bf = 0; bf < d.batch * d.filters; ++bf)
    std::copy(in + bf * d.memory + 1, in + (bf + 1) * d.memory, out + bf * d.memory);
}

// Float SVDF (EvalFloatSvdfReference without the fused activation).
inline void SvdfFloat(const SvdfShape& d, const float* x, const float* wf, const float* wt,
                      const float* bias, const float* state_in, float* y, float* state) {
  SvdfShiftState(d, state_in, state);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t f = 0; f < d.filters; ++f)
      state[(b * d.filters + f) * d.memory + d.memory - 1] = SvdfActivation(d, x, wf, b, f);
  std::vector<float> red(d.filters);
  for (int64_t b = 0; b < d.batch; ++b) {
    for (int64_t f = 0; f < d.filters; ++f)
      red[f] = SvdfTime(d, wt, state + (b * d.filters + f) * d.memory, f);
    for (int64_t u = 0; u < d.units(); ++u) y[b * d.units() + u] = SvdfUnit(d, bias, red.data(), u);
  }
}

// Integer SVDF (EvalIntegerSvdfReference): int8 x and weights_feature, state and weights_time
// of type S (int16 or int8), int32 bias, int8 y.
template <typename S>
void SvdfInteger(const SvdfShape& d, const SvdfQuant& q, const int8_t* x, const int8_t* wf,
                 const S* wt, const int32_t* bias, const S* state_in, int8_t* y, S* state) {
  SvdfShiftState(d, state_in, state);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t f = 0; f < d.filters; ++f)
      state[(b * d.filters + f) * d.memory + d.memory - 1] = SvdfActivation<S>(d, q, x, wf, b, f);
  std::vector<int32_t> red(d.filters);
  for (int64_t b = 0; b < d.batch; ++b) {
    for (int64_t f = 0; f < d.filters; ++f)
      red[f] = SvdfTime<S>(d, q, wt, state + (b * d.filters + f) * d.memory, f);
    for (int64_t u = 0; u < d.units(); ++u)
      y[b * d.units() + u] = SvdfUnit(d, q, bias, red.data(), u);
  }
}

}  // namespace odla_rt
