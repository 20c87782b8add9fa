#include "quant.h"

namespace odla_rt {

void DynamicQuantizeLinear(int64_t n, const float* x, uint8_t* y, float* scale, uint8_t* zp) {
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  float s = (hi - lo) / 255.0f;
  // An all-zero input has scale 0: every value quantizes to the zero point 0.
  float z = s == 0 ? 0.0f : std::nearbyint(std::max(0.0f, std::min(255.0f, -lo / s)));
  *scale = s;
  *zp = static_cast<uint8_t>(z);
  for (int64_t i = 0; i < n; ++i)
    y[i] = s == 0 ? uint8_t{0} : RoundToQ<uint8_t>(x[i] / s, static_cast<int32_t>(z));
}

}  // namespace odla_rt
