// One output value of GridSample and of RoiAlign, as functions of the host and (compiled by
// nvcc) the device: the ref's loops (sample.h) and libodla_cuda's kernels run the same code.
#pragma once

#include <math.h>

#include <cstdint>

#include "host_device.h"

namespace odla_rt {

enum class GridMode { kBilinear, kNearest, kBicubic };
enum class GridPad { kZeros, kBorder, kReflection };

struct GridSampleSpec {
  int64_t n, c, h, w, oh, ow;
  GridMode mode;
  GridPad pad;
  bool align_corners;
};

struct RoiAlignSpec {
  int64_t c, h, w, num_rois, oh, ow, sampling_ratio;
  bool half_pixel, max_mode;
  float spatial_scale;
};

// std::max, std::min and std::clamp's choices.
ODLA_HD inline double MaxOf(double a, double b) { return a < b ? b : a; }
ODLA_HD inline int64_t ClampTo(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : hi < v ? hi : v;
}
ODLA_HD inline double ClampTo(double v, double lo, double hi) {
  return v < lo ? lo : hi < v ? hi : v;
}

// Reflects x into [lo, hi] (repeatedly, as a mirror).
ODLA_HD inline double GridReflect(double x, double lo, double hi) {
  double range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    double d = lo - x;
    int64_t k = static_cast<int64_t>(d / range);
    double r = d - static_cast<double>(k) * range;
    return k % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    double d = x - hi;
    int64_t k = static_cast<int64_t>(d / range);
    double r = d - static_cast<double>(k) * range;
    return k % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

// Cubic convolution weights (A = -0.75) of the 4 taps around a point at fraction t.
ODLA_HD inline double CubicNear(double x) {
  const double a = -0.75;
  return ((a + 2) * x - (a + 3)) * x * x + 1;
}
ODLA_HD inline double CubicFar(double x) {
  const double a = -0.75;
  return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
}
ODLA_HD inline void CubicWeights(double t, double w[4]) {
  w[0] = CubicFar(t + 1);
  w[1] = CubicNear(t);
  w[2] = CubicNear(1 - t);
  w[3] = CubicFar(2 - t);
}

// The pixel of img [h, w] at integer (r, col) after GridSample's padding.
template <typename T>
ODLA_HD double GridPixel(const GridSampleSpec& s, const T* img, int64_t r, int64_t col) {
  const double xmin = s.align_corners ? 0 : -0.5, xmax = s.align_corners ? s.w - 1 : s.w - 0.5;
  const double ymin = s.align_corners ? 0 : -0.5, ymax = s.align_corners ? s.h - 1 : s.h - 0.5;
  if (s.pad == GridPad::kZeros) {
    if (col < 0 || col >= s.w || r < 0 || r >= s.h) return 0;
  } else if (s.pad == GridPad::kBorder) {
    col = ClampTo(col, int64_t{0}, s.w - 1);
    r = ClampTo(r, int64_t{0}, s.h - 1);
  } else {
    col = static_cast<int64_t>(GridReflect(static_cast<double>(col), xmin, xmax));
    r = static_cast<int64_t>(GridReflect(static_cast<double>(r), ymin, ymax));
    col = ClampTo(col, int64_t{0}, s.w - 1);
    r = ClampTo(r, int64_t{0}, s.h - 1);
  }
  return static_cast<double>(img[r * s.w + col]);
}

// GridSample's value of img [h, w] at grid point (gx, gy) in [-1, 1] coordinates.
template <typename T>
ODLA_HD double GridPoint(const GridSampleSpec& s, const T* img, double gx, double gy) {
  const double xmin = s.align_corners ? 0 : -0.5, xmax = s.align_corners ? s.w - 1 : s.w - 0.5;
  const double ymin = s.align_corners ? 0 : -0.5, ymax = s.align_corners ? s.h - 1 : s.h - 0.5;
  double px = s.align_corners ? (gx + 1) / 2 * static_cast<double>(s.w - 1)
                              : ((gx + 1) * static_cast<double>(s.w) - 1) / 2;
  double py = s.align_corners ? (gy + 1) / 2 * static_cast<double>(s.h - 1)
                              : ((gy + 1) * static_cast<double>(s.h) - 1) / 2;
  if (px < xmin || px > xmax || py < ymin || py > ymax) {
    if (s.pad == GridPad::kBorder) {
      px = ClampTo(px, 0.0, static_cast<double>(s.w - 1));
      py = ClampTo(py, 0.0, static_cast<double>(s.h - 1));
    } else if (s.pad == GridPad::kReflection) {
      px = GridReflect(px, xmin, xmax);
      py = GridReflect(py, ymin, ymax);
    }
  }
  if (s.mode == GridMode::kNearest)
    return GridPixel(s, img, ToIndex(nearbyint(py)), ToIndex(nearbyint(px)));
  const double fx = floor(px), fy = floor(py);
  if (s.mode == GridMode::kBilinear) {
    const int64_t x0 = ToIndex(fx), y0 = ToIndex(fy);
    const double dx = px - fx, dy = py - fy;
    return (1 - dy) * ((1 - dx) * GridPixel(s, img, y0, x0) + dx * GridPixel(s, img, y0, x0 + 1)) +
           dy * ((1 - dx) * GridPixel(s, img, y0 + 1, x0) + dx * GridPixel(s, img, y0 + 1, x0 + 1));
  }
  const int64_t x0 = ToIndex(fx) - 1, y0 = ToIndex(fy) - 1;
  double wx[4], wy[4], v = 0;
  CubicWeights(px - fx, wx);
  CubicWeights(py - fy, wy);
  for (int i = 0; i < 4; ++i) {
    double row = 0;
    for (int j = 0; j < 4; ++j) row += wx[j] * GridPixel(s, img, y0 + i, x0 + j);
    v += wy[i] * row;
  }
  return v;
}

// RoiAlign's value of bin (ph, pw) of `roi` (x0, y0, x1, y1) over img [h, w].
template <typename T>
ODLA_HD double RoiAlignPoint(const RoiAlignSpec& s, const T* img, const T* roi, int64_t ph,
                             int64_t pw) {
  const double off = s.half_pixel ? 0.5 : 0.0;
  const double x0 = roi[0] * s.spatial_scale - off, y0 = roi[1] * s.spatial_scale - off;
  double rw = roi[2] * s.spatial_scale - off - x0, rh = roi[3] * s.spatial_scale - off - y0;
  if (!s.half_pixel) {
    rw = MaxOf(rw, 1.0);
    rh = MaxOf(rh, 1.0);
  }
  const double bw = rw / static_cast<double>(s.ow), bh = rh / static_cast<double>(s.oh);
  // Samples per bin; a NaN or huge region samples nothing.
  auto samples = [&](double extent, int64_t bins) -> int64_t {
    if (s.sampling_ratio > 0) return s.sampling_ratio;
    const int64_t n = ToIndex(ceil(extent / bins));
    return n > 0 ? n : 0;
  };
  const int64_t gh = samples(rh, s.oh), gw = samples(rw, s.ow);
  const double count = static_cast<double>(gh * gw > 1 ? gh * gw : 1);
  double acc = 0;
  bool first = true;
  for (int64_t iy = 0; iy < gh; ++iy)
    for (int64_t ix = 0; ix < gw; ++ix) {
      double yy = y0 + ph * bh + (iy + 0.5) * bh / static_cast<double>(gh);
      double xx = x0 + pw * bw + (ix + 0.5) * bw / static_cast<double>(gw);
      double v[4] = {0, 0, 0, 0}, wt[4] = {0, 0, 0, 0};
      if (yy >= -1.0 && yy <= s.h && xx >= -1.0 && xx <= s.w) {  // NaN: outside
        yy = MaxOf(yy, 0.0);
        xx = MaxOf(xx, 0.0);
        int64_t ylo = static_cast<int64_t>(yy), xlo = static_cast<int64_t>(xx), yhi, xhi;
        if (ylo >= s.h - 1) {
          yhi = ylo = s.h - 1;
          yy = static_cast<double>(ylo);
        } else {
          yhi = ylo + 1;
        }
        if (xlo >= s.w - 1) {
          xhi = xlo = s.w - 1;
          xx = static_cast<double>(xlo);
        } else {
          xhi = xlo + 1;
        }
        const double ly = yy - ylo, lx = xx - xlo, hy = 1 - ly, hx = 1 - lx;
        wt[0] = hy * hx, wt[1] = hy * lx, wt[2] = ly * hx, wt[3] = ly * lx;
        v[0] = img[ylo * s.w + xlo], v[1] = img[ylo * s.w + xhi];
        v[2] = img[yhi * s.w + xlo], v[3] = img[yhi * s.w + xhi];
      }
      if (s.max_mode) {  // the largest weighted corner (as onnxruntime)
        const double m =
            MaxOf(MaxOf(wt[0] * v[0], wt[1] * v[1]), MaxOf(wt[2] * v[2], wt[3] * v[3]));
        acc = first ? m : MaxOf(acc, m);
        first = false;
      } else {
        acc += wt[0] * v[0] + wt[1] * v[1] + wt[2] * v[2] + wt[3] * v[3];
      }
    }
  return s.max_mode ? acc : acc / count;
}

}  // namespace odla_rt
