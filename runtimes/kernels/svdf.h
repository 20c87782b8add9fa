// TFLite's SVDF (singular value decomposition filter): one step of a rank-`rank` filter bank
// with a memory of `memory` steps. The activation state holds, per batch and filter, the
// feature activations of the last `memory` steps (oldest first). A step shifts the state by
// one, appends the new activations (weights_feature . x), reduces the state against
// weights_time per filter, sums `rank` filters per unit and adds the bias. Written from
// TFLite Micro's svdf_common.cc (EvalFloatSvdfReference, EvalIntegerSvdfReference).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "quant_tflite.h"

namespace odla_rt {

struct SvdfShape {
  int64_t batch = 1, input = 1, filters = 1, memory = 1, rank = 1;
  int64_t units() const { return filters / rank; }
};

// Copies `in` (the state before the step) to `out`, each filter's memory shifted left by one;
// the last slot of each filter is left for the new activation.
template <typename S>
void SvdfShiftState(const SvdfShape& d, const S* in, S* out) {
  for (int64_t bf = 0; bf < d.batch * d.filters; ++bf)
    std::copy(in + bf * d.memory + 1, in + (bf + 1) * d.memory, out + bf * d.memory);
}

// Float SVDF (EvalFloatSvdfReference without the fused activation): sums in TFLite's order.
inline void SvdfFloat(const SvdfShape& d, const float* x, const float* wf, const float* wt,
                      const float* bias, const float* state_in, float* y, float* state) {
  SvdfShiftState(d, state_in, state);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t f = 0; f < d.filters; ++f) {
      float dot = 0.0f;
      for (int64_t k = 0; k < d.input; ++k) dot += wf[f * d.input + k] * x[b * d.input + k];
      state[(b * d.filters + f) * d.memory + d.memory - 1] = dot;
    }
  std::vector<float> scratch(d.filters);
  for (int64_t b = 0; b < d.batch; ++b) {
    for (int64_t f = 0; f < d.filters; ++f) {
      const float* s = state + (b * d.filters + f) * d.memory;
      float dot = 0.0f;
      for (int64_t j = 0; j < d.memory; ++j) dot += wt[f * d.memory + j] * s[j];
      scratch[f] = dot;
    }
    for (int64_t u = 0; u < d.units(); ++u) {
      float v = bias ? bias[u] : 0.0f;
      for (int64_t r = 0; r < d.rank; ++r) v += scratch[u * d.rank + r];
      y[b * d.units() + u] = v;
    }
  }
}

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

// Integer SVDF (EvalIntegerSvdfReference): int8 x and weights_feature, state and weights_time
// of type S (int16 or int8), int32 bias, int8 y. The new activation is rescaled by m1, offset
// by the state's zero point and saturated to S; the time reduction uses state - zero point;
// the int32 sum is rescaled by m2, offset by y's zero point and saturated to int8 (TFLite
// applies no fused activation here).
template <typename S>
void SvdfInteger(const SvdfShape& d, const SvdfQuant& q, const int8_t* x, const int8_t* wf,
                 const S* wt, const int32_t* bias, const S* state_in, int8_t* y, S* state) {
  SvdfShiftState(d, state_in, state);
  const int32_t lo = std::numeric_limits<S>::min(), hi = std::numeric_limits<S>::max();
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t f = 0; f < d.filters; ++f) {
      int32_t dot = 0;
      for (int64_t k = 0; k < d.input; ++k)
        dot += int32_t{wf[f * d.input + k]} * (int32_t{x[b * d.input + k]} - q.x_zp);
      dot = MultiplyByQuantizedMultiplier(dot, q.m1) + q.state_zp;
      state[(b * d.filters + f) * d.memory + d.memory - 1] =
          static_cast<S>(std::min(std::max(dot, lo), hi));
    }
  std::vector<int32_t> scratch(d.filters);
  for (int64_t b = 0; b < d.batch; ++b) {
    for (int64_t f = 0; f < d.filters; ++f) {
      const S* s = state + (b * d.filters + f) * d.memory;
      int32_t dot = 0;
      for (int64_t j = 0; j < d.memory; ++j)
        dot += int32_t{wt[f * d.memory + j]} * (int32_t{s[j]} - q.state_zp);
      scratch[f] = dot;
    }
    for (int64_t u = 0; u < d.units(); ++u) {
      int32_t v = bias ? bias[u] : 0;
      for (int64_t r = 0; r < d.rank; ++r) v += scratch[u * d.rank + r];
      int32_t o = MultiplyByQuantizedMultiplier(v, q.m2) + q.y_zp;
      y[b * d.units() + u] = static_cast<int8_t>(std::min(std::max(o, -128), 127));
    }
  }
}

}  // namespace odla_rt
