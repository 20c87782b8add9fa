// Resize (ONNX Resize / Upsample semantics): nearest, n-linear and n-cubic interpolation,
// computed axis by axis from per-axis tap tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../common/runtime.h"

namespace odla_rt {

struct ResizeSpec {
  std::string mode = "nearest";  // nearest, linear, cubic
  std::string coord = "half_pixel";
  std::string nearest = "round_prefer_floor";
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0.0;
  std::vector<double> roi;     // tf_crop_and_resize: [starts..., ends...]
  std::vector<double> scales;  // per axis; empty: output / input
};

// For one axis and output position: the input taps and their weights; `outside` marks
// tf_crop_and_resize positions that take the extrapolation value.
struct AxisTaps {
  int n = 0;                   // taps per position
  std::vector<int64_t> index;  // [out * n]
  std::vector<double> weight;  // [out * n]
  std::vector<char> outside;   // [out]
  bool identity = false;       // output position i reads input i with weight 1
};

// Validates the spec (throws RtError) and builds the tap tables of every axis.
std::vector<AxisTaps> ResizeTaps(const ResizeSpec& spec, const std::vector<int64_t>& in,
                                 const std::vector<int64_t>& out);

// Applies the taps: y has shape `out`.
template <typename T>
void Resize(const std::vector<AxisTaps>& taps, const std::vector<int64_t>& in,
            const std::vector<int64_t>& out, double extrapolation, const T* x, T* y);

}  // namespace odla_rt
