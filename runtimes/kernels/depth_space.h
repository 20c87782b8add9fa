// DepthToSpace and SpaceToDepth: block rearrangements between channels and space of
// [N, C, H, W] tensors, on elements of any type T.
#pragma once

#include <cstdint>

#include "../common/runtime.h"

namespace odla_rt {

// y [n, c / b^2, h * b, w * b] from x [n, c, h, w]; crd picks the CRD channel order.
template <typename T>
void DepthToSpace(int64_t n, int64_t c, int64_t h, int64_t w, int64_t b, bool crd, const T* x,
                  T* y) {
  int64_t oc = c / (b * b), oh = h * b, ow = w * b;
  ParallelFor(n * oc * oh, std::max<int64_t>(1, 16384 / std::max<int64_t>(ow, 1)),
              [&](int64_t s, int64_t e) {
                for (int64_t r = s; r < e; ++r) {
                  int64_t yy = r % oh, ch = r / oh % oc, bn = r / (oh * oc);
                  int64_t i = yy % b, iy = yy / b;
                  T* out = y + r * ow;
                  for (int64_t xx = 0; xx < ow; ++xx) {
                    int64_t j = xx % b, ix = xx / b;
                    int64_t ic = crd ? (ch * b + i) * b + j : (i * b + j) * oc + ch;
                    out[xx] = x[((bn * c + ic) * h + iy) * w + ix];
                  }
                }
              });
}

// y [n, c * b^2, h / b, w / b] from x [n, c, h, w].
template <typename T>
void SpaceToDepth(int64_t n, int64_t c, int64_t h, int64_t w, int64_t b, const T* x, T* y) {
  int64_t oc = c * b * b, oh = h / b, ow = w / b;
  ParallelFor(n * oc * oh, std::max<int64_t>(1, 16384 / std::max<int64_t>(ow, 1)),
              [&](int64_t s, int64_t e) {
                for (int64_t r = s; r < e; ++r) {
                  int64_t yy = r % oh, ch = r / oh % oc, bn = r / (oh * oc);
                  int64_t ic = ch % c, blk = ch / c, i = blk / b, j = blk % b;
                  T* out = y + r * ow;
                  const T* in = x + ((bn * c + ic) * h + yy * b + i) * w + j;
                  for (int64_t xx = 0; xx < ow; ++xx) out[xx] = in[xx * b];
                }
              });
}

}  // namespace odla_rt
