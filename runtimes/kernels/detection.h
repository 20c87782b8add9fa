// Detection kernels (float32): MaxRoiPool and SSD's DetectionOutput.
#pragma once

#include <math.h>

#include <cstdint>

#include "host_device.h"

namespace odla_rt {

struct RoiPoolSpec {
  int64_t n, c, h, w, ph, pw;
  float spatial_scale;
};

// Output (i, j) of channel ci of one roi (batch index, x1, y1, x2, y2): the maximum of its
// bin, 0 for an empty bin or a batch index outside X (host and device: libodla_cuda runs it).
ODLA_HD inline float MaxRoiPoolPoint(const RoiPoolSpec& s, const float* x, const float* roi,
                                     int64_t ci, int64_t i, int64_t j) {
  const int64_t b = ToIndex(roi[0]);
  if (b < 0 || b >= s.n) return 0.0f;
  auto clamp = [](int64_t v, int64_t hi) { return v < 0 ? 0 : v > hi ? hi : v; };
  // llroundf, with NaN and huge coordinates as ToIndex has them.
  int64_t x1 = ToIndex(roundf(roi[1] * s.spatial_scale)),
          y1 = ToIndex(roundf(roi[2] * s.spatial_scale));
  int64_t x2 = ToIndex(roundf(roi[3] * s.spatial_scale)),
          y2 = ToIndex(roundf(roi[4] * s.spatial_scale));
  int64_t rh = y2 - y1 + 1 > 1 ? y2 - y1 + 1 : 1, rw = x2 - x1 + 1 > 1 ? x2 - x1 + 1 : 1;
  float bh = static_cast<float>(rh) / s.ph, bw = static_cast<float>(rw) / s.pw;
  int64_t hs = clamp(static_cast<int64_t>(floorf(i * bh)) + y1, s.h);
  int64_t he = clamp(static_cast<int64_t>(ceilf((i + 1) * bh)) + y1, s.h);
  int64_t ws = clamp(static_cast<int64_t>(floorf(j * bw)) + x1, s.w);
  int64_t we = clamp(static_cast<int64_t>(ceilf((j + 1) * bw)) + x1, s.w);
  if (he <= hs || we <= ws) return 0.0f;
  const float* plane = x + (b * s.c + ci) * s.h * s.w;
  float m = -INFINITY;
  for (int64_t yy = hs; yy < he; ++yy)
    for (int64_t xx = ws; xx < we; ++xx) {
      float v = plane[yy * s.w + xx];
      m = m < v ? v : m;  // std::max(m, v)
    }
  return m;
}

// Y [R, C, ph, pw] from X [N, C, H, W] and rois [R, 5].
void MaxRoiPool(const RoiPoolSpec& s, const float* x, const float* rois, int64_t r, float* y);

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
