// Sampling kernels of vision ops (float types): GridSample and RoiAlign (their points are
// sample_point.h's, shared with libodla_cuda), MaxUnpool and LpNormalization.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../common/runtime.h"
#include "sample_point.h"

namespace odla_rt {

template <typename T>
void GridSample(const GridSampleSpec& s, const T* x, const T* grid, T* y) {
  ParallelFor(s.n * s.c, 1, [&](int64_t b, int64_t e) {
    for (int64_t nc = b; nc < e; ++nc) {
      const T* img = x + nc * s.h * s.w;
      const T* g = grid + nc / s.c * s.oh * s.ow * 2;
      T* out = y + nc * s.oh * s.ow;
      for (int64_t p = 0; p < s.oh * s.ow; ++p)
        out[p] = static_cast<T>(
            GridPoint(s, img, static_cast<double>(g[2 * p]), static_cast<double>(g[2 * p + 1])));
    }
  });
}

// batch indices are checked against n at run time.
template <typename T>
void RoiAlign(const RoiAlignSpec& s, int64_t n, const T* x, const T* rois, const int64_t* batch,
              T* y) {
  for (int64_t r = 0; r < s.num_rois; ++r)
    if (batch[r] < 0 || batch[r] >= n)
      Fail("batch_indices[", r, "] = ", batch[r], " is out of range [0, ", n, ")");
  ParallelFor(s.num_rois * s.c, 1, [&](int64_t b, int64_t e) {
    for (int64_t rc = b; rc < e; ++rc) {
      const int64_t r = rc / s.c, ch = rc % s.c;
      const T* img = x + (batch[r] * s.c + ch) * s.h * s.w;
      T* out = y + rc * s.oh * s.ow;
      for (int64_t ph = 0; ph < s.oh; ++ph)
        for (int64_t pw = 0; pw < s.ow; ++pw)
          out[ph * s.ow + pw] = static_cast<T>(RoiAlignPoint(s, img, rois + r * 4, ph, pw));
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
