// Fixed-point parameters of the TFLite reference kernels, computed as TFLite's Prepare does.
#include "quant_tflite.h"

#include <cmath>

namespace odla_rt {

QMultiplier QuantizeMultiplier(double real) {
  QMultiplier q;
  if (real == 0.0) return q;
  double frac = std::frexp(real, &q.shift);
  auto fixed = static_cast<int64_t>(std::round(frac * static_cast<double>(int64_t{1} << 31)));
  if (fixed == (int64_t{1} << 31)) {
    fixed /= 2;
    ++q.shift;
  }
  if (q.shift < -31) {
    q.shift = 0;
    fixed = 0;
  }
  q.mult = static_cast<int32_t>(fixed);
  return q;
}

TfliteAddParams MakeTfliteAddParams(float as, int32_t azp, float bs, int32_t bzp, float ys,
                                    int32_t yzp, bool wide) {
  TfliteAddParams p;
  p.azp = azp;
  p.bzp = bzp;
  p.yzp = yzp;
  p.left_shift = wide ? 15 : 20;
  double twice_max = 2 * static_cast<double>(std::max(as, bs));
  p.a = QuantizeMultiplier(static_cast<double>(as) / twice_max);
  p.b = QuantizeMultiplier(static_cast<double>(bs) / twice_max);
  p.y = QuantizeMultiplier(twice_max / ((1 << p.left_shift) * static_cast<double>(ys)));
  return p;
}

TfliteLeakyReluParams MakeTfliteLeakyReluParams(float xs, int32_t xzp, float ys, int32_t yzp,
                                                float alpha) {
  TfliteLeakyReluParams p;
  p.xzp = xzp;
  p.yzp = yzp;
  // As leaky_relu_common.cc: the ratios are computed in float, then widened.
  p.alpha = QuantizeMultiplier(static_cast<double>(xs * alpha / ys));
  p.identity = QuantizeMultiplier(static_cast<double>(xs / ys));
  return p;
}

}  // namespace odla_rt
