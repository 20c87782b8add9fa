#include "depthwise.h"

#include <algorithm>
#include <cstring>
#include <vector>

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

// kDepthwiseLanes planes interleaved ([position][lane]), so that rows too short to vectorize
// along vectorize across planes: each lane does what Plane does to its plane, in its order.
typedef float Lane16 __attribute__((vector_size(64)));
static_assert(kDepthwiseLanes * sizeof(float) == sizeof(Lane16), "one vector per position");

DW_INLINE void Load16(Lane16* v, const float* p) { std::memcpy(v, p, sizeof(*v)); }

template <int S>
DW_INLINE void Lanes(const Window3& g, const float* x, const float* w, const float* bias,
                     float* y) {
  const int64_t stride = S > 0 ? S : g.stride[2];
  Lane16 b;
  Load16(&b, bias);
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      float* yr = y + (od * g.out[1] + oh) * g.out[2] * kDepthwiseLanes;
      for (int64_t ow = 0; ow < g.out[2]; ++ow)
        std::memcpy(yr + ow * kDepthwiseLanes, &b, sizeof(b));
      for (int64_t kz = 0; kz < g.k[0]; ++kz) {
        const int64_t iz = od * g.stride[0] - g.pad[0] + kz * g.dil[0];
        if (iz < 0 || iz >= g.in[0]) continue;
        for (int64_t ky = 0; ky < g.k[1]; ++ky) {
          const int64_t iy = oh * g.stride[1] - g.pad[1] + ky * g.dil[1];
          if (iy < 0 || iy >= g.in[1]) continue;
          for (int64_t kx = 0; kx < g.k[2]; ++kx) {
            Lane16 wv;
            Load16(&wv, w + ((kz * g.k[1] + ky) * g.k[2] + kx) * kDepthwiseLanes);
            const int64_t xoff = kx * g.dil[2] - g.pad[2];
            const int64_t lo = xoff >= 0 ? 0 : (-xoff + stride - 1) / stride;
            const int64_t hi =
                std::min(g.out[2], g.in[2] - 1 - xoff < 0 ? 0 : (g.in[2] - 1 - xoff) / stride + 1);
            const float* xr = x + ((iz * g.in[1] + iy) * g.in[2] + xoff) * kDepthwiseLanes;
            for (int64_t ow = lo; ow < hi; ++ow) {
              Lane16 acc, xv;
              Load16(&acc, yr + ow * kDepthwiseLanes);
              Load16(&xv, xr + ow * stride * kDepthwiseLanes);
              acc += wv * xv;
              std::memcpy(yr + ow * kDepthwiseLanes, &acc, sizeof(acc));
            }
          }
        }
      }
    }
}

DW_INLINE void DispatchLanes(const Window3& g, const float* x, const float* w, const float* bias,
                             float* y) {
  if (g.stride[2] == 1)
    Lanes<1>(g, x, w, bias, y);
  else if (g.stride[2] == 2)
    Lanes<2>(g, x, w, bias, y);
  else
    Lanes<0>(g, x, w, bias, y);
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
using LanesFn = void (*)(const Window3&, const float*, const float*, const float*, float*);

void Generic(const Window3& g, const float* x, const float* w, float bias, float* y) {
  Dispatch(g, x, w, bias, y);
}
void GenericLanes(const Window3& g, const float* x, const float* w, const float* b, float* y) {
  DispatchLanes(g, x, w, b, y);
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
__attribute__((target("avx2"))) void Avx2Lanes(const Window3& g, const float* x, const float* w,
                                               const float* b, float* y) {
  DispatchLanes(g, x, w, b, y);
}
__attribute__((target("avx512f"))) void Avx512Lanes(const Window3& g, const float* x,
                                                    const float* w, const float* b, float* y) {
  DispatchLanes(g, x, w, b, y);
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

LanesFn PickLanes() {
  switch (KernelIsaOfCpu()) {
#if defined(__x86_64__) && defined(__GNUC__)
    case KernelIsa::kAvx512:
      return Avx512Lanes;
    case KernelIsa::kAvx2:
      return Avx2Lanes;
#endif
    default:
      return GenericLanes;
  }
}

}  // namespace

void DepthwisePlanes(const Window3& g, int count, const float* const* x, const float* w,
                     const float* bias, float* y) {
  static const LanesFn fn = PickLanes();
  const int64_t in = g.InSize(), out = g.OutSize(), taps = g.KSize();
  thread_local std::vector<float> buf;
  buf.assign((in + out + taps + 1) * kDepthwiseLanes, 0.0f);
  float* xi = buf.data();
  float* yi = xi + in * kDepthwiseLanes;
  float* wi = yi + out * kDepthwiseLanes;
  float* bi = wi + taps * kDepthwiseLanes;
  for (int l = 0; l < count; ++l) {
    for (int64_t p = 0; p < in; ++p) xi[p * kDepthwiseLanes + l] = x[l][p];
    for (int64_t t = 0; t < taps; ++t) wi[t * kDepthwiseLanes + l] = w[l * taps + t];
    bi[l] = bias ? bias[l] : 0.0f;
  }
  fn(g, xi, wi, bi, yi);
  for (int l = 0; l < count; ++l)
    for (int64_t p = 0; p < out; ++p) y[l * out + p] = yi[p * kDepthwiseLanes + l];
}

void DepthwisePlane(const Window3& g, const float* x, const float* w, float bias, float* y) {
  static const Fn wide = Pick(false), narrow = Pick(true);
  (g.out[2] < 32 ? narrow : wide)(g, x, w, bias, y);
}

}  // namespace odla_rt
