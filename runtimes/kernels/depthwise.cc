#include "depthwise.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"

#define DW_INLINE inline __attribute__((always_inline))

namespace odla_rt {
namespace {

// The input zero-padded to what the outputs read, `cols` outputs per row: [phases][d][h][w],
// padded column c in phase c % phases at c / phases.
struct Padded {
  int64_t d, h, w, phases;
  int64_t Row(int64_t z, int64_t y) const { return (z * h + y) * w; }
  // Each tap's offset (z, y, x order) from its output's first tap, in units of `unit` floats.
  void Taps(const Window3& g, int64_t unit, std::vector<int64_t>* off) const {
    off->clear();
    for (int64_t kz = 0; kz < g.k[0]; ++kz)
      for (int64_t ky = 0; ky < g.k[1]; ++ky)
        for (int64_t kx = 0; kx < g.k[2]; ++kx) {
          const int64_t c = kx * g.dil[2];
          off->push_back((c % phases * d * h * w + Row(kz * g.dil[0], ky * g.dil[1]) + c / phases) *
                         unit);
        }
  }
};

Padded Extents(const Window3& g, int64_t cols, int64_t phases) {
  Padded p;
  p.d = (g.out[0] - 1) * g.stride[0] + (g.k[0] - 1) * g.dil[0] + 1;
  p.h = (g.out[1] - 1) * g.stride[1] + (g.k[1] - 1) * g.dil[1] + 1;
  p.w = ((cols - 1) * g.stride[2] + (g.k[2] - 1) * g.dil[2] + 1 + phases - 1) / phases;
  p.phases = phases;
  return p;
}

// Copies planes into the zero-filled padded buffer b: x[0] alone (lanes 0), or x[0..lanes)
// interleaved, kDepthwiseLanes floats per position (one phase).
void Fill(const Window3& g, const Padded& p, const float* const* x, int lanes, float* b) {
  const int64_t x0 = std::max<int64_t>(0, -g.pad[2]),
                x1 = std::min(g.in[2], p.w * p.phases - g.pad[2]);
  const int64_t z1 = std::min(g.in[0], p.d - g.pad[0]), y1 = std::min(g.in[1], p.h - g.pad[1]);
  for (int64_t z = std::max<int64_t>(0, -g.pad[0]); z < z1; ++z)
    for (int64_t y = std::max<int64_t>(0, -g.pad[1]); y < y1; ++y) {
      const int64_t from = (z * g.in[1] + y) * g.in[2];
      const int64_t row = p.Row(z + g.pad[0], y + g.pad[1]);
      if (lanes > 0) {
        float* dst = b + (row + g.pad[2]) * kDepthwiseLanes;
        for (int64_t q = x0; q < x1; ++q)
          for (int l = 0; l < lanes; ++l) dst[q * kDepthwiseLanes + l] = x[l][from + q];
        continue;
      }
      const float* src = x[0] + from;
      if (p.phases == 1) {
        if (x1 > x0) std::memcpy(b + row + g.pad[2] + x0, src + x0, (x1 - x0) * sizeof(float));
        continue;
      }
      // Two phases (unit 1): padded columns c in pairs (c even, c + 1).
      float* even = b + row;
      float* odd = even + p.d * p.h * p.w;
      const float* s = src - g.pad[2];  // s[c]: padded column c
      int64_t c = x0 + g.pad[2], c1 = x1 + g.pad[2];
      if (c < c1 && c % 2) odd[c / 2] = s[c], ++c;
      for (; c + 1 < c1; c += 2) {
        even[c / 2] = s[c];
        odd[c / 2] = s[c + 1];
      }
      if (c < c1) even[c / 2] = s[c];
    }
}

// A thread's buffer of n floats for padded inputs of g in one of the two layouts (planes side
// by side or not): zeros but where Fill writes. Fill writes the same floats for every plane of
// one geometry, so the buffer is zeroed only when the geometry, layout or n changes.
float* PaddedBuffer(const Window3& g, bool lanes, size_t n) {
  thread_local std::vector<float> buf;
  thread_local Window3 last;
  thread_local bool last_lanes = false;
  thread_local size_t last_n = 0;
  if (n != last_n || lanes != last_lanes || std::memcmp(&g, &last, sizeof(g)) != 0) {
    buf.assign(n, 0.0f);
    last = g;
    last_lanes = lanes;
    last_n = n;
  }
  return buf.data();
}

DW_INLINE void Axpy(float* __restrict y, const float* __restrict x, float w, int64_t n,
                    int64_t step) {
  for (int64_t i = 0; i < n; ++i) y[i] += w * x[i * step];
}

// In blocks of output rows (about 4096 outputs, which stay in cache), each row rounded up to
// kRound outputs, the vector width (no scalar remainders): each block starts at the bias and takes
// the taps in turn over the padded input. Stride 2 along x reads the even or odd padded columns
// (phases), so that consecutive outputs read consecutive floats.
template <int S, int64_t kRound>
DW_INLINE void Plane(const Window3& g, const float* x, const float* w, float bias, float* y) {
  const int64_t phases = S == 2 ? 2 : 1, step = S == 0 ? g.stride[2] : 1;
  const int64_t wo = (g.out[2] + kRound - 1) / kRound * kRound;
  const Padded p = Extents(g, wo, phases);
  thread_local std::vector<float> rows;
  thread_local std::vector<int64_t> off;
  float* buf = PaddedBuffer(g, false, phases * p.d * p.h * p.w);
  Fill(g, p, &x, 0, buf);
  p.Taps(g, 1, &off);
  const int64_t block = std::max<int64_t>(1, 4096 / wo), taps = g.KSize();
  rows.resize(std::min(block, g.out[1]) * wo);
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh0 = 0; oh0 < g.out[1]; oh0 += block) {
      const int64_t oh1 = std::min(g.out[1], oh0 + block);
      std::fill(rows.begin(), rows.begin() + (oh1 - oh0) * wo, bias);
      for (int64_t t = 0; t < taps; ++t)
        for (int64_t oh = oh0; oh < oh1; ++oh)
          Axpy(rows.data() + (oh - oh0) * wo,
               buf + p.Row(od * g.stride[0], oh * g.stride[1]) + off[t], w[t], wo, step);
      for (int64_t oh = oh0; oh < oh1; ++oh)
        std::memcpy(y + (od * g.out[1] + oh) * g.out[2], rows.data() + (oh - oh0) * wo,
                    g.out[2] * sizeof(float));
    }
}

// kDepthwiseLanes planes interleaved ([position][lane]) and zero-padded, so that rows too short
// to vectorize along vectorize across planes: each lane does what Plane does to its plane.
typedef float Lane16 __attribute__((vector_size(64)));
static_assert(kDepthwiseLanes * sizeof(float) == sizeof(Lane16), "one vector per position");

DW_INLINE void Load16(Lane16* v, const float* p) { std::memcpy(v, p, sizeof(*v)); }

template <int S>
DW_INLINE void Lanes(const Window3& g, const Padded& p, const float* x, const int64_t* off,
                     const float* w, float* y) {
  constexpr int64_t kL = kDepthwiseLanes;
  const int64_t step = (S > 0 ? S : g.stride[2]) * kL, taps = g.KSize();
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      float* yr = y + (od * g.out[1] + oh) * g.out[2] * kL;
      const float* xr = x + p.Row(od * g.stride[0], oh * g.stride[1]) * kL;
      for (int64_t ow = 0; ow < g.out[2]; ++ow)
        std::memcpy(yr + ow * kL, w + taps * kL, sizeof(Lane16));
      for (int64_t t = 0; t < taps; ++t) {
        Lane16 wv;
        Load16(&wv, w + t * kL);
        const float* xt = xr + off[t];
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          Lane16 acc, xv;
          Load16(&acc, yr + ow * kL);
          Load16(&xv, xt + ow * step);
          acc += wv * xv;
          std::memcpy(yr + ow * kL, &acc, sizeof(acc));
        }
      }
    }
}

DW_INLINE void DispatchLanes(const Window3& g, const Padded& p, const float* x, const int64_t* off,
                             const float* w, float* y) {
  if (g.stride[2] == 1)
    Lanes<1>(g, p, x, off, w, y);
  else if (g.stride[2] == 2)
    Lanes<2>(g, p, x, off, w, y);
  else
    Lanes<0>(g, p, x, off, w, y);
}

template <int64_t kRound>
DW_INLINE void Dispatch(const Window3& g, const float* x, const float* w, float bias, float* y) {
  if (g.stride[2] == 1)
    Plane<1, kRound>(g, x, w, bias, y);
  else if (g.stride[2] == 2)
    Plane<2, kRound>(g, x, w, bias, y);
  else
    Plane<0, kRound>(g, x, w, bias, y);
}

using Fn = void (*)(const Window3&, const float*, const float*, float, float*);
using LanesFn = void (*)(const Window3&, const Padded&, const float*, const int64_t*, const float*,
                         float*);

void Generic(const Window3& g, const float* x, const float* w, float bias, float* y) {
  Dispatch<8>(g, x, w, bias, y);
}
void GenericLanes(const Window3& g, const Padded& p, const float* x, const int64_t* off,
                  const float* w, float* y) {
  DispatchLanes(g, p, x, off, w, y);
}
#ifdef ODLA_KERNEL_ISAS
__attribute__((target("avx2"))) void Avx2(const Window3& g, const float* x, const float* w,
                                          float bias, float* y) {
  Dispatch<8>(g, x, w, bias, y);
}
__attribute__((target("avx512f"))) void Avx512(const Window3& g, const float* x, const float* w,
                                               float bias, float* y) {
  Dispatch<16>(g, x, w, bias, y);
}
__attribute__((target("avx2"))) void Avx2Lanes(const Window3& g, const Padded& p, const float* x,
                                               const int64_t* off, const float* w, float* y) {
  DispatchLanes(g, p, x, off, w, y);
}
__attribute__((target("avx512f"))) void Avx512Lanes(const Window3& g, const Padded& p,
                                                    const float* x, const int64_t* off,
                                                    const float* w, float* y) {
  DispatchLanes(g, p, x, off, w, y);
}
#endif

}  // namespace

void DepthwisePlanes(const Window3& g, int count, const float* const* x, const float* w,
                     const float* bias, float* y) {
  static const LanesFn fn = ODLA_BY_ISA(GenericLanes, Avx2Lanes, Avx512Lanes);
  if (count <= 0) return;
  constexpr int64_t kL = kDepthwiseLanes;
  const Padded p = Extents(g, g.out[2], 1);
  const int64_t in = p.d * p.h * p.w, out = g.OutSize(), taps = g.KSize();
  thread_local std::vector<int64_t> off;
  // Lanes from count on, and the outputs, may hold an earlier call's floats: harmless.
  float* xi = PaddedBuffer(g, true, (in + out + taps + 1) * kL);
  float* yi = xi + in * kL;
  float* wi = yi + out * kL;
  Fill(g, p, x, count, xi);
  for (int l = 0; l < count; ++l) {
    for (int64_t t = 0; t < taps; ++t) wi[t * kL + l] = w[l * taps + t];
    wi[taps * kL + l] = bias ? bias[l] : 0.0f;
  }
  p.Taps(g, kL, &off);
  fn(g, p, xi, off.data(), wi, yi);
  for (int l = 0; l < count; ++l)
    for (int64_t q = 0; q < out; ++q) y[l * out + q] = yi[q * kL + l];
}

void DepthwisePlane(const Window3& g, const float* x, const float* w, float bias, float* y) {
  static const Fn fn = ODLA_BY_ISA(Generic, Avx2, Avx512);
  fn(g, x, w, bias, y);
}

}  // namespace odla_rt
