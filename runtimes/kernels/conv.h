// Convolution kernels. float32 runs on the packed GEMM (an implicit im2col feeds it, 1x1
// convolutions use the input directly, depthwise convolutions a direct loop) whose epilogue
// adds the bias, and for fused ops the sum and activation, to each tile of the result while it
// is in cache; other types use plain loops.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "../common/runtime.h"
#include "epilogue.h"
#include "window.h"

namespace odla_rt {

// X [n, c, in...], W [m, c/group, k...] (conv) or [c, m/group, k...] (transposed),
// Y [n, m, out...].
struct ConvShape {
  int64_t n, c, m, group;
  Window3 w;
};

class GemmPacked;
// Constant weights packed once for ConvF32's GEMM, one matrix per group; PackConvWeights
// returns null for depthwise convolutions, which do not use the GEMM.
struct ConvPackedWeights {
  std::vector<std::shared_ptr<const GemmPacked>> groups;
};
std::shared_ptr<const ConvPackedWeights> PackConvWeights(const ConvShape& s, const float* w);

// Y = act(conv(X, W) + bias + sum) (bias and sum [n, m, out...] may be null); with `packed`
// (PackConvWeights of W) the GEMM reads W's packed copy.
void ConvF32(const ConvShape& s, const float* x, const float* w, const float* bias, float* y,
             const float* sum = nullptr, const Activation& act = {},
             const ConvPackedWeights* packed = nullptr);
// Y = conv_transpose(X, W) + bias.
void ConvTransposeF32(const ConvShape& s, const float* x, const float* w, const float* bias,
                      float* y);

template <typename T>
void ConvLoop(const ConvShape& s, const T* x, const T* w, const T* bias, T* y) {
  const Window3& g = s.w;
  int64_t cg = s.c / s.group, mg = s.m / s.group, in = g.InSize(), out = g.OutSize(),
          ks = g.KSize();
  ParallelFor(s.n * s.m, 1, [&](int64_t b, int64_t e) {
    for (int64_t nm = b; nm < e; ++nm) {
      int64_t n = nm / s.m, m = nm % s.m, grp = m / mg;
      T* yp = y + nm * out;
      for (int64_t od = 0; od < g.out[0]; ++od)
        for (int64_t oh = 0; oh < g.out[1]; ++oh)
          for (int64_t ow = 0; ow < g.out[2]; ++ow) {
            T acc = bias ? bias[m] : T(0);
            for (int64_t ci = 0; ci < cg; ++ci) {
              const T* xp = x + (n * s.c + grp * cg + ci) * in;
              const T* wp = w + (m * cg + ci) * ks;
              for (int64_t kz = 0; kz < g.k[0]; ++kz) {
                int64_t iz = od * g.stride[0] - g.pad[0] + kz * g.dil[0];
                if (iz < 0 || iz >= g.in[0]) continue;
                for (int64_t ky = 0; ky < g.k[1]; ++ky) {
                  int64_t iy = oh * g.stride[1] - g.pad[1] + ky * g.dil[1];
                  if (iy < 0 || iy >= g.in[1]) continue;
                  for (int64_t kx = 0; kx < g.k[2]; ++kx) {
                    int64_t ix = ow * g.stride[2] - g.pad[2] + kx * g.dil[2];
                    if (ix < 0 || ix >= g.in[2]) continue;
                    acc += xp[(iz * g.in[1] + iy) * g.in[2] + ix] *
                           wp[(kz * g.k[1] + ky) * g.k[2] + kx];
                  }
                }
              }
            }
            yp[(od * g.out[1] + oh) * g.out[2] + ow] = acc;
          }
    }
  });
}

template <typename T>
void ConvTransposeLoop(const ConvShape& s, const T* x, const T* w, const T* bias, T* y) {
  const Window3& g = s.w;
  int64_t cg = s.c / s.group, mg = s.m / s.group, in = g.InSize(), out = g.OutSize(),
          ks = g.KSize();
  ParallelFor(s.n * s.m, 1, [&](int64_t b, int64_t e) {
    for (int64_t nm = b; nm < e; ++nm) {
      int64_t n = nm / s.m, m = nm % s.m, grp = m / mg, ml = m % mg;
      T* yp = y + nm * out;
      std::fill(yp, yp + out, bias ? bias[m] : T(0));
      for (int64_t ci = 0; ci < cg; ++ci) {
        int64_t c = grp * cg + ci;
        const T* xp = x + (n * s.c + c) * in;
        const T* wp = w + (c * mg + ml) * ks;
        for (int64_t id = 0; id < g.in[0]; ++id)
          for (int64_t ih = 0; ih < g.in[1]; ++ih)
            for (int64_t iw = 0; iw < g.in[2]; ++iw) {
              T xv = xp[(id * g.in[1] + ih) * g.in[2] + iw];
              for (int64_t kz = 0; kz < g.k[0]; ++kz) {
                int64_t oz = id * g.stride[0] - g.pad[0] + kz * g.dil[0];
                if (oz < 0 || oz >= g.out[0]) continue;
                for (int64_t ky = 0; ky < g.k[1]; ++ky) {
                  int64_t oy = ih * g.stride[1] - g.pad[1] + ky * g.dil[1];
                  if (oy < 0 || oy >= g.out[1]) continue;
                  for (int64_t kx = 0; kx < g.k[2]; ++kx) {
                    int64_t ox = iw * g.stride[2] - g.pad[2] + kx * g.dil[2];
                    if (ox < 0 || ox >= g.out[2]) continue;
                    yp[(oz * g.out[1] + oy) * g.out[2] + ox] +=
                        xv * wp[(kz * g.k[1] + ky) * g.k[2] + kx];
                  }
                }
              }
            }
      }
    }
  });
}

template <typename T>
void Conv(const ConvShape& s, const T* x, const T* w, const T* bias, T* y, const T* sum = nullptr,
          const Activation& act = {}, const ConvPackedWeights* packed = nullptr) {
  if constexpr (std::is_same_v<T, float>) {
    ConvF32(s, x, w, bias, y, sum, act, packed);
  } else {
    ConvLoop(s, x, w, bias, y);
    if (!sum && act.kind == ActKind::kNone) return;
    Epilogue<T> e;
    e.sum = sum;
    e.ld_sum = s.w.OutSize();
    e.act = act;
    e.Apply(y, s.w.OutSize(), s.n * s.m, s.w.OutSize());
  }
}

template <typename T>
void ConvTranspose(const ConvShape& s, const T* x, const T* w, const T* bias, T* y) {
  if constexpr (std::is_same_v<T, float>)
    ConvTransposeF32(s, x, w, bias, y);
  else
    ConvTransposeLoop(s, x, w, bias, y);
}

}  // namespace odla_rt
