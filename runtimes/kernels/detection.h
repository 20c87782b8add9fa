// Detection kernels (float32): MaxRoiPool and SSD's DetectionOutput.
#pragma once

#include <cstdint>

namespace odla_rt {

// Y [R, C, ph, pw] from X [N, C, H, W] and rois [R, 5] (batch index, x1, y1, x2, y2).
void MaxRoiPool(const float* x, const float* rois, int64_t n, int64_t c, int64_t h, int64_t w,
                int64_t r, int64_t ph, int64_t pw, float spatial_scale, float* y);

struct DetectionOutputSpec {
  int64_t batch, priors, classes;
  bool share_location;
  int64_t background, top_k, keep_top_k;
  float nms_threshold, confidence_threshold;
  int code_type;  // 1 corner, 2 center-size, 3 corner-size
  bool variance_encoded, clip;
};

// Writes the rows [image, label, score, xmin, ymin, xmax, ymax] to out; returns how many.
int64_t DetectionOutput(const DetectionOutputSpec& s, const float* loc, const float* conf,
                        const float* priors, float* out);

}  // namespace odla_rt
