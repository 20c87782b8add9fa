// Sampling kernels of vision ops (float types): GridSample, RoiAlign, MaxUnpool and
// LpNormalization.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../common/runtime.h"

namespace odla_rt {

enum class GridMode { kBilinear, kNearest, kBicubic };
enum class GridPad { kZeros, kBorder, kReflection };

struct GridSampleSpec {
  int64_t n, c, h, w, oh, ow;
  GridMode mode;
  GridPad pad;
  bool align_corners;
};

// Reflects x into [lo, hi] (repeatedly, as a mirror).
inline double GridReflect(double x, double lo, double hi) {
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
inline void CubicWeights(double t, double w[4]) {
  const double a = -0.75;
  auto near = [&](double x) { return ((a + 2) * x - (a + 3)) * x * x + 1; };
  auto far = [&](double x) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; };
  w[0] = far(t + 1);
  w[1] = near(t);
  w[2] = near(1 - t);
  w[3] = far(2 - t);
}

template <typename T>
void GridSample(const GridSampleSpec& s, const T* x, const T* grid, T* y) {
  const double xmin = s.align_corners ? 0 : -0.5, xmax = s.align_corners ? s.w - 1 : s.w - 0.5;
  const double ymin = s.align_corners ? 0 : -0.5, ymax = s.align_corners ? s.h - 1 : s.h - 0.5;
  auto denorm = [&](double v, int64_t len) {
    return s.align_corners ? (v + 1) / 2 * static_cast<double>(len - 1)
                           : ((v + 1) * static_cast<double>(len) - 1) / 2;
  };
  ParallelFor(s.n * s.c, 1, [&](int64_t b, int64_t e) {
    for (int64_t nc = b; nc < e; ++nc) {
      int64_t n = nc / s.c;
      const T* img = x + nc * s.h * s.w;
      const T* g = grid + n * s.oh * s.ow * 2;
      T* out = y + nc * s.oh * s.ow;
      // The pixel at integer (r, col) after padding.
      auto pixel = [&](int64_t r, int64_t col) -> double {
        if (s.pad == GridPad::kZeros) {
          if (col < 0 || col >= s.w || r < 0 || r >= s.h) return 0;
        } else if (s.pad == GridPad::kBorder) {
          col = std::clamp<int64_t>(col, 0, s.w - 1);
          r = std::clamp<int64_t>(r, 0, s.h - 1);
        } else {
          col = static_cast<int64_t>(GridReflect(static_cast<double>(col), xmin, xmax));
          r = static_cast<int64_t>(GridReflect(static_cast<double>(r), ymin, ymax));
          col = std::clamp<int64_t>(col, 0, s.w - 1);
          r = std::clamp<int64_t>(r, 0, s.h - 1);
        }
        return static_cast<double>(img[r * s.w + col]);
      };
      for (int64_t p = 0; p < s.oh * s.ow; ++p) {
        double px = denorm(static_cast<double>(g[2 * p]), s.w);
        double py = denorm(static_cast<double>(g[2 * p + 1]), s.h);
        if (px < xmin || px > xmax || py < ymin || py > ymax) {
          if (s.pad == GridPad::kBorder) {
            px = std::clamp(px, 0.0, static_cast<double>(s.w - 1));
            py = std::clamp(py, 0.0, static_cast<double>(s.h - 1));
          } else if (s.pad == GridPad::kReflection) {
            px = GridReflect(px, xmin, xmax);
            py = GridReflect(py, ymin, ymax);
          }
        }
        double v = 0;
        if (s.mode == GridMode::kNearest) {
          v = pixel(static_cast<int64_t>(std::nearbyint(py)),
                    static_cast<int64_t>(std::nearbyint(px)));
        } else if (s.mode == GridMode::kBilinear) {
          double fx = std::floor(px), fy = std::floor(py);
          int64_t x0 = static_cast<int64_t>(fx), y0 = static_cast<int64_t>(fy);
          double dx = px - fx, dy = py - fy;
          v = (1 - dy) * ((1 - dx) * pixel(y0, x0) + dx * pixel(y0, x0 + 1)) +
              dy * ((1 - dx) * pixel(y0 + 1, x0) + dx * pixel(y0 + 1, x0 + 1));
        } else {
          double fx = std::floor(px), fy = std::floor(py);
          int64_t x0 = static_cast<int64_t>(fx) - 1, y0 = static_cast<int64_t>(fy) - 1;
          double wx[4], wy[4];
          CubicWeights(px - fx, wx);
          CubicWeights(py - fy, wy);
          for (int i = 0; i < 4; ++i) {
            double row = 0;
            for (int j = 0; j < 4; ++j) row += wx[j] * pixel(y0 + i, x0 + j);
            v += wy[i] * row;
          }
        }
        out[p] = static_cast<T>(v);
      }
    }
  });
}

struct RoiAlignSpec {
  int64_t c, h, w, num_rois, oh, ow, sampling_ratio;
  bool half_pixel, max_mode;
  float spatial_scale;
};

// batch indices are checked against n at run time.
template <typename T>
void RoiAlign(const RoiAlignSpec& s, int64_t n, const T* x, const T* rois, const int64_t* batch,
              T* y) {
  for (int64_t r = 0; r < s.num_rois; ++r)
    if (batch[r] < 0 || batch[r] >= n)
      Fail("batch_indices[", r, "] = ", batch[r], " is out of range [0, ", n, ")");
  ParallelFor(s.num_rois * s.c, 1, [&](int64_t b, int64_t e) {
    for (int64_t rc = b; rc < e; ++rc) {
      int64_t r = rc / s.c, ch = rc % s.c;
      const T* img = x + (batch[r] * s.c + ch) * s.h * s.w;
      const T* roi = rois + r * 4;
      double off = s.half_pixel ? 0.5 : 0.0;
      double x0 = roi[0] * s.spatial_scale - off, y0 = roi[1] * s.spatial_scale - off;
      double rw = roi[2] * s.spatial_scale - off - x0, rh = roi[3] * s.spatial_scale - off - y0;
      if (!s.half_pixel) {
        rw = std::max(rw, 1.0);
        rh = std::max(rh, 1.0);
      }
      double bw = rw / static_cast<double>(s.ow), bh = rh / static_cast<double>(s.oh);
      int64_t gh =
          s.sampling_ratio > 0 ? s.sampling_ratio : static_cast<int64_t>(std::ceil(rh / s.oh));
      int64_t gw =
          s.sampling_ratio > 0 ? s.sampling_ratio : static_cast<int64_t>(std::ceil(rw / s.ow));
      double count = static_cast<double>(std::max<int64_t>(gh * gw, 1));
      T* out = y + rc * s.oh * s.ow;
      for (int64_t ph = 0; ph < s.oh; ++ph)
        for (int64_t pw = 0; pw < s.ow; ++pw) {
          double acc = 0;
          bool first = true;
          for (int64_t iy = 0; iy < gh; ++iy)
            for (int64_t ix = 0; ix < gw; ++ix) {
              double yy = y0 + ph * bh + (iy + 0.5) * bh / static_cast<double>(gh);
              double xx = x0 + pw * bw + (ix + 0.5) * bw / static_cast<double>(gw);
              double v[4] = {0, 0, 0, 0}, wt[4] = {0, 0, 0, 0};
              if (!(yy < -1.0 || yy > s.h || xx < -1.0 || xx > s.w)) {
                yy = std::max(yy, 0.0);
                xx = std::max(xx, 0.0);
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
                double ly = yy - ylo, lx = xx - xlo, hy = 1 - ly, hx = 1 - lx;
                wt[0] = hy * hx, wt[1] = hy * lx, wt[2] = ly * hx, wt[3] = ly * lx;
                v[0] = img[ylo * s.w + xlo], v[1] = img[ylo * s.w + xhi];
                v[2] = img[yhi * s.w + xlo], v[3] = img[yhi * s.w + xhi];
              }
              if (s.max_mode) {  // the largest weighted corner (as onnxruntime)
                double m = std::max(std::max(wt[0] * v[0], wt[1] * v[1]),
                                    std::max(wt[2] * v[2], wt[3] * v[3]));
                acc = first ? m : std::max(acc, m);
                first = false;
              } else {
                acc += wt[0] * v[0] + wt[1] * v[1] + wt[2] * v[2] + wt[3] * v[3];
              }
            }
          out[ph * s.ow + pw] = static_cast<T>(s.max_mode ? acc : acc / count);
        }
    }
  });
}

// y = 0 except at the flat indices idx (into def_shape, as MaxPool gives them): x there.
template <typename T>
void MaxUnpool(int64_t in_n, const std::vector<int64_t>& def_shape,
               const std::vector<int64_t>& out_shape, const T* x, const int64_t* idx, T* y) {
  int64_t def_n = 1, out_n = 1;
  for (int64_t d : def_shape) def_n *= d;
  for (int64_t d : out_shape) out_n *= d;
  std::fill_n(y, out_n, T(0));
  for (int64_t i = 0; i < in_n; ++i) {
    if (idx[i] < 0 || idx[i] >= def_n) Fail("index ", idx[i], " is out of range [0, ", def_n, ")");
    // Same coordinates in the (possibly larger) result as in the default shape.
    int64_t rest = idx[i], flat = 0, stride = 1;
    for (int d = static_cast<int>(def_shape.size()) - 1; d >= 0; --d) {
      flat += (rest % def_shape[d]) * stride;
      rest /= def_shape[d];
      stride *= out_shape[d];
    }
    y[flat] = x[i];
  }
}

// x viewed as [outer, len, inner], normalised along len by its L1 (p = 1) or L2 norm.
template <typename T>
void LpNormalize(int64_t outer, int64_t len, int64_t inner, int64_t p, const T* x, T* y) {
  ParallelFor(outer * inner, 64, [&](int64_t b, int64_t e) {
    for (int64_t q = b; q < e; ++q) {
      int64_t o = q / inner, i = q % inner;
      const T* xp = x + o * len * inner + i;
      T* yp = y + o * len * inner + i;
      double norm = 0;
      for (int64_t k = 0; k < len; ++k) {
        double v = static_cast<double>(xp[k * inner]);
        norm += p == 1 ? std::fabs(v) : v * v;
      }
      if (p == 2) norm = std::sqrt(norm);
      for (int64_t k = 0; k < len; ++k)
        yp[k * inner] = norm == 0 ? T(0) : static_cast<T>(xp[k * inner] / norm);
    }
  });
}

}  // namespace odla_rt
