#include "depthwise.h"

#include <algorithm>

#include "gemm.h"

#define DW_INLINE inline __attribute__((always_inline))

namespace odla_rt {
namespace {

// In blocks of output rows (about 4096 outputs, which stay in cache): each block starts at the
// bias and takes the taps in turn. Columns whose input column ow * stride + xoff falls outside
// [0, in) skip the tap.
template <int S>
DW_INLINE void Plane(const Window3& g, const float* x, const float* w, float bias, float* y) {
  const int64_t stride = S > 0 ? S : g.stride[2];
  constexpr int kMaxK = 32;
  int64_t lo[kMaxK], hi[kMaxK];
  const int64_t kw = std::min<int64_t>(g.k[2], kMaxK);
  for (int64_t kx = 0; kx < kw; ++kx) {
    const int64_t xoff = kx * g.dil[2] - g.pad[2];
    lo[kx] = xoff >= 0 ? 0 : (-xoff + stride - 1) / stride;
    hi[kx] = g.in[2] - 1 - xoff < 0 ? 0 : (g.in[2] - 1 - xoff) / stride + 1;
    hi[kx] = std::min(hi[kx], g.out[2]);
  }
  const int64_t block = std::max<int64_t>(1, 4096 / std::max<int64_t>(g.out[2], 1));
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh0 = 0; oh0 < g.out[1]; oh0 += block) {
      const int64_t oh1 = std::min(g.out[1], oh0 + block);
      float* yb = y + (od * g.out[1] + oh0) * g.out[2];
      for (int64_t i = 0; i < (oh1 - oh0) * g.out[2]; ++i) yb[i] = bias;
      for (int64_t kz = 0; kz < g.k[0]; ++kz) {
        const int64_t iz = od * g.stride[0] - g.pad[0] + kz * g.dil[0];
        if (iz < 0 || iz >= g.in[0]) continue;
        for (int64_t ky = 0; ky < g.k[1]; ++ky)
          for (int64_t kx = 0; kx < g.k[2]; ++kx) {
            const float wv = w[(kz * g.k[1] + ky) * g.k[2] + kx];
            const int64_t xoff = kx * g.dil[2] - g.pad[2];
            int64_t l, h;
            if (kx < kMaxK) {
              l = lo[kx];
              h = hi[kx];
            } else {
              l = xoff >= 0 ? 0 : (-xoff + stride - 1) / stride;
              h = g.in[2] - 1 - xoff < 0 ? 0 : (g.in[2] - 1 - xoff) / stride + 1;
              h = std::min(h, g.out[2]);
            }
            for (int64_t oh = oh0; oh < oh1; ++oh) {
              const int64_t iy = oh * g.stride[1] - g.pad[1] + ky * g.dil[1];
              if (iy < 0 || iy >= g.in[1]) continue;
              float* yr = y + (od * g.out[1] + oh) * g.out[2];
              const float* xr = x + (iz * g.in[1] + iy) * g.in[2] + xoff;
              for (int64_t ow = l; ow < h; ++ow) yr[ow] += wv * xr[ow * stride];
            }
          }
      }
    }
}

DW_INLINE void Dispatch(const Window3& g, const float* x, const float* w, float bias, float* y) {
  if (g.stride[2] == 1)
    Plane<1>(g, x, w, bias, y);
  else if (g.stride[2] == 2)
    Plane<2>(g, x, w, bias, y);
  else
    Plane<0>(g, x, w, bias, y);
}

using Fn = void (*)(const Window3&, const float*, const float*, float, float*);

void Generic(const Window3& g, const float* x, const float* w, float bias, float* y) {
  Dispatch(g, x, w, bias, y);
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) void Avx2(const Window3& g, const float* x, const float* w,
                                          float bias, float* y) {
  Dispatch(g, x, w, bias, y);
}
__attribute__((target("avx512f"))) void Avx512(const Window3& g, const float* x, const float* w,
                                               float bias, float* y) {
  Dispatch(g, x, w, bias, y);
}
#endif

// Rows shorter than 32 outputs take 8 lanes, not 16: the loops over them would run mostly in
// their scalar remainders.
Fn Pick(bool short_rows) {
  switch (KernelIsaOfCpu()) {
#if defined(__x86_64__) && defined(__GNUC__)
    case KernelIsa::kAvx512:
      return short_rows ? Avx2 : Avx512;
    case KernelIsa::kAvx2:
      return Avx2;
#endif
    default:
      return Generic;
  }
}

}  // namespace

void DepthwisePlane(const Window3& g, const float* x, const float* w, float bias, float* y) {
  static const Fn wide = Pick(false), narrow = Pick(true);
  (g.out[2] < 32 ? narrow : wide)(g, x, w, bias, y);
}

}  // namespace odla_rt
