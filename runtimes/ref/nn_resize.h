// The ResizeSpec of the Resize and Upsample builders' arguments, shared by the runtimes that
// build these ops with their own kernels.
#pragma once

#include <string>
#include <vector>

#include "../kernels/resize.h"

namespace odla_rt {

inline std::vector<double> Doubles(const odla_floats& f) {
  auto v = FromFloats(f);
  return std::vector<double>(v.begin(), v.end());
}

inline ResizeSpec ResizeSpecOf(const char* coordinate_transformation_mode, float cubic_coeff_a,
                               int64_t exclude_outside, float extrapolation_value, const char* mode,
                               const char* nearest_mode, const odla_floats& roi,
                               const odla_floats& scales) {
  ResizeSpec s;
  s.mode = mode ? mode : "";
  s.coord = coordinate_transformation_mode ? coordinate_transformation_mode : "";
  s.nearest = nearest_mode ? nearest_mode : "";
  s.cubic_a = cubic_coeff_a;
  s.exclude_outside = exclude_outside != 0;
  s.extrapolation = extrapolation_value;
  s.roi = Doubles(roi);
  s.scales = Doubles(scales);
  return s;
}

// Upsample as Resize: asymmetric coordinates, nearest rounding down, "bilinear" as "linear".
inline ResizeSpec UpsampleSpecOf(const char* mode, const odla_floats& scales) {
  ResizeSpec s;
  std::string m = mode ? mode : "";
  s.mode = m == "bilinear" ? "linear" : m;
  s.coord = "asymmetric";
  s.nearest = "floor";
  s.scales = Doubles(scales);
  return s;
}

}  // namespace odla_rt
