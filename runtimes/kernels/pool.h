// Pooling kernels over [planes = N * C, D, H, W] (see window.h), parallel over planes.
#pragma once

#include <math.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "../common/runtime.h"
#include "window.h"

namespace odla_rt {

namespace pool_detail {

// Calls fn(od, oh, ow, zlo, zhi, ylo, yhi, xlo, xhi) for every output position of a plane
// with the kernel tap ranges that land inside the input.
template <typename F>
void ForEachWindow(const Window3& g, F fn) {
  for (int64_t od = 0; od < g.out[0]; ++od) {
    int64_t zl, zh;
    g.Taps(0, od, &zl, &zh);
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      int64_t yl, yh;
      g.Taps(1, oh, &yl, &yh);
      for (int64_t ow = 0; ow < g.out[2]; ++ow) {
        int64_t xl, xh;
        g.Taps(2, ow, &xl, &xh);
        fn((od * g.out[1] + oh) * g.out[2] + ow, od, oh, ow, zl, zh, yl, yh, xl, xh);
      }
    }
  }
}

// The sum of f(x) over the taps [zl, zh) x [yl, yh) x [xl, xh) of output (od, oh, ow) of
// plane xp (undilated windows).
template <typename T, typename F>
ODLA_HD double SumTaps(const Window3& g, const T* xp, int64_t od, int64_t oh, int64_t ow,
                       int64_t zl, int64_t zh, int64_t yl, int64_t yh, int64_t xl, int64_t xh,
                       F f) {
  double sum = 0;
  for (int64_t kz = zl; kz < zh; ++kz) {
    int64_t iz = od * g.stride[0] - g.pad[0] + kz;
    for (int64_t ky = yl; ky < yh; ++ky) {
      int64_t iy = oh * g.stride[1] - g.pad[1] + ky;
      const T* row = xp + (iz * g.in[1] + iy) * g.in[2] + ow * g.stride[2] - g.pad[2];
      for (int64_t kx = xl; kx < xh; ++kx) sum += f(row[kx]);
    }
  }
  return sum;
}

// The maximum over the taps [zl, zh) x [yl, yh) x [xl, xh) of output (od, oh, ow) of plane xp:
// the first tap, then any later one greater than it (lowest() when there is none). *arg gets
// its flattened index in the plane, row-major or (col_major) column-major (-1 for none).
template <typename T>
T MaxTaps(const Window3& g, const T* xp, int64_t od, int64_t oh, int64_t ow, int64_t zl, int64_t zh,
          int64_t yl, int64_t yh, int64_t xl, int64_t xh, bool col_major, int64_t* arg) {
  T best = std::numeric_limits<T>::lowest();
  *arg = -1;
  for (int64_t kz = zl; kz < zh; ++kz) {
    int64_t iz = od * g.stride[0] - g.pad[0] + kz * g.dil[0];
    for (int64_t ky = yl; ky < yh; ++ky) {
      int64_t iy = oh * g.stride[1] - g.pad[1] + ky * g.dil[1];
      for (int64_t kx = xl; kx < xh; ++kx) {
        int64_t ix = ow * g.stride[2] - g.pad[2] + kx * g.dil[2];
        T v = xp[(iz * g.in[1] + iy) * g.in[2] + ix];
        if (*arg < 0 || v > best) {
          best = v;
          *arg =
              col_major ? (ix * g.in[1] + iy) * g.in[0] + iz : (iz * g.in[1] + iy) * g.in[2] + ix;
        }
      }
    }
  }
  return best;
}

template <typename F>
void ForPlanes(int64_t planes, const Window3& g, F fn) {
  int64_t work = g.OutSize() * g.KSize();
  ParallelFor(planes, std::max<int64_t>(1, 16384 / std::max<int64_t>(work, 1)),
              [&](int64_t b, int64_t e) {
                for (int64_t p = b; p < e; ++p) fn(p);
              });
}

}  // namespace pool_detail

// Max pooling of one plane without dilations: each output row's interior (the outputs whose
// window rows lie wholly inside the input) a tap at a time across the row, so that the loops
// over outputs vectorize; the taps of each output in the same order as MaxPool's, and the same
// comparison, so the results are the same, NaNs and signed zeros included.
template <typename T, int64_t S>
void MaxPoolRowsInterior(const T* const* rows, int64_t nrows, int64_t k, int64_t stride,
                         int64_t start, int64_t b, int64_t e, T* y) {
  const int64_t s = S > 0 ? S : stride;
  for (int64_t r = 0; r < nrows; ++r) {
    const T* row = rows[r] + start;
    for (int64_t kx = 0; kx < k; ++kx) {
      const T* in = row + kx;
      if (r == 0 && kx == 0) {
        for (int64_t o = b; o < e; ++o) y[o] = in[o * s];
      } else {
        for (int64_t o = b; o < e; ++o) {
          T v = in[o * s];
          y[o] = v > y[o] ? v : y[o];
        }
      }
    }
  }
}

template <typename T>
void MaxPoolPlaneUndilated(const Window3& g, const T* xp, T* yp) {
  // The columns whose taps all land inside the input.
  int64_t b = g.out[2], e = g.out[2];
  for (int64_t ow = 0; ow < g.out[2]; ++ow) {
    int64_t xl, xh;
    g.Taps(2, ow, &xl, &xh);
    if (xl == 0 && xh == g.k[2]) {
      if (b == g.out[2]) b = ow;
      e = ow + 1;
    }
  }
  const T* rows[64];
  for (int64_t od = 0; od < g.out[0]; ++od) {
    int64_t zl, zh;
    g.Taps(0, od, &zl, &zh);
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      int64_t yl, yh;
      g.Taps(1, oh, &yl, &yh);
      int64_t nrows = (zh - zl) * (yh - yl);
      T* y = yp + (od * g.out[1] + oh) * g.out[2];
      int64_t ib = nrows > 0 && nrows <= 64 ? b : g.out[2], ie = ib < g.out[2] ? e : ib;
      if (ib < ie) {
        int64_t n = 0;
        for (int64_t kz = zl; kz < zh; ++kz)
          for (int64_t ky = yl; ky < yh; ++ky)
            rows[n++] = xp + ((od * g.stride[0] - g.pad[0] + kz) * g.in[1] + oh * g.stride[1] -
                              g.pad[1] + ky) *
                                 g.in[2];
        int64_t start = -g.pad[2];
        if (g.stride[2] == 1)
          MaxPoolRowsInterior<T, 1>(rows, n, g.k[2], 1, start, ib, ie, y);
        else if (g.stride[2] == 2)
          MaxPoolRowsInterior<T, 2>(rows, n, g.k[2], 2, start, ib, ie, y);
        else
          MaxPoolRowsInterior<T, 0>(rows, n, g.k[2], g.stride[2], start, ib, ie, y);
      }
      for (int64_t ow = 0; ow < g.out[2]; ++ow) {
        if (ow == ib) ow = ie;
        if (ow >= g.out[2]) break;
        int64_t xl, xh, arg;
        g.Taps(2, ow, &xl, &xh);
        y[ow] = pool_detail::MaxTaps(g, xp, od, oh, ow, zl, zh, yl, yh, xl, xh, false, &arg);
      }
    }
  }
}

// Max pooling; `indices` (may be null) gets the flattened input index of each maximum,
// row-major or (col_major) column-major within the plane, plus plane * plane size.
template <typename T>
void MaxPool(const Window3& g, int64_t planes, const T* x, T* y, int64_t* indices, bool col_major) {
  bool undilated = g.dil[0] == 1 && g.dil[1] == 1 && g.dil[2] == 1;
  pool_detail::ForPlanes(planes, g, [&](int64_t p) {
    const T* xp = x + p * g.InSize();
    T* yp = y + p * g.OutSize();
    if (!indices && undilated) return MaxPoolPlaneUndilated(g, xp, yp);
    pool_detail::ForEachWindow(g, [&](int64_t o, int64_t od, int64_t oh, int64_t ow, int64_t zl,
                                      int64_t zh, int64_t yl, int64_t yh, int64_t xl, int64_t xh) {
      int64_t arg;
      yp[o] = pool_detail::MaxTaps(g, xp, od, oh, ow, zl, zh, yl, yh, xl, xh, col_major, &arg);
      if (indices) indices[p * g.OutSize() + o] = p * g.InSize() + (arg < 0 ? 0 : arg);
    });
  });
}

// Average pooling. The divisor counts the taps inside the input, or with count_include_pad
// those inside the padded input [-pad, in + pad_end).
template <typename T>
void AveragePool(const Window3& g, int64_t planes, const T* x, T* y, bool count_include_pad) {
  pool_detail::ForPlanes(planes, g, [&](int64_t p) {
    const T* xp = x + p * g.InSize();
    T* yp = y + p * g.OutSize();
    pool_detail::ForEachWindow(g, [&](int64_t o, int64_t od, int64_t oh, int64_t ow, int64_t zl,
                                      int64_t zh, int64_t yl, int64_t yh, int64_t xl, int64_t xh) {
      double sum = pool_detail::SumTaps(g, xp, od, oh, ow, zl, zh, yl, yh, xl, xh,
                                        [](T v) { return static_cast<double>(v); });
      int64_t count = (zh - zl) * (yh - yl) * (xh - xl);
      if (count_include_pad) {
        int64_t pos[3] = {od, oh, ow};
        count = 1;
        for (int a = 0; a < 3; ++a) {
          int64_t s = pos[a] * g.stride[a] - g.pad[a];
          int64_t lo = std::max<int64_t>(s, -g.pad[a]);
          int64_t hi = std::min<int64_t>(s + g.k[a], g.in[a] + g.pad_end[a]);
          count *= std::max<int64_t>(hi - lo, 0);
        }
      }
      yp[o] = static_cast<T>(sum / static_cast<double>(count));
    });
  });
}

// Lp pooling: (sum |x|^p)^(1/p) over the taps inside the input.
// LpPool's term |v|^p and its result sum^(1/p) (p 1 and 2 exactly), in double (host and device:
// libodla_cuda's LpPool runs them).
ODLA_HD inline double LpTerm(double v, int64_t pw) {
  double a = fabs(v);
  return pw == 1 ? a : pw == 2 ? MulRounded(a, a) : pow(a, static_cast<double>(pw));
}
ODLA_HD inline double LpRoot(double sum, int64_t pw) {
  return pw == 1 ? sum : pw == 2 ? sqrt(sum) : pow(sum, 1.0 / pw);
}

template <typename T>
void LpPool(const Window3& g, int64_t planes, const T* x, T* y, int64_t pw) {
  pool_detail::ForPlanes(planes, g, [&](int64_t p) {
    const T* xp = x + p * g.InSize();
    T* yp = y + p * g.OutSize();
    pool_detail::ForEachWindow(g, [&](int64_t o, int64_t od, int64_t oh, int64_t ow, int64_t zl,
                                      int64_t zh, int64_t yl, int64_t yh, int64_t xl, int64_t xh) {
      double sum = pool_detail::SumTaps(g, xp, od, oh, ow, zl, zh, yl, yh, xl, xh,
                                        [pw](T v) { return LpTerm(static_cast<double>(v), pw); });
      yp[o] = static_cast<T>(LpRoot(sum, pw));
    });
  });
}

// Mean (or maximum) of each plane of `size` elements.
template <typename T>
void GlobalPool(int64_t planes, int64_t size, const T* x, T* y, bool max) {
  ParallelFor(planes, std::max<int64_t>(1, 16384 / std::max<int64_t>(size, 1)),
              [&](int64_t b, int64_t e) {
                for (int64_t p = b; p < e; ++p) {
                  const T* xp = x + p * size;
                  if (max) {
                    T m = size ? xp[0] : T(0);
                    for (int64_t i = 1; i < size; ++i) m = xp[i] > m ? xp[i] : m;
                    y[p] = m;
                  } else {
                    double s = 0;
                    for (int64_t i = 0; i < size; ++i) s += xp[i];
                    y[p] = static_cast<T>(s / static_cast<double>(size));
                  }
                }
              });
}

}  // namespace odla_rt
