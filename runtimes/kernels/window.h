// The spatial geometry of convolution and pooling ops. 1-D and 2-D cases are padded at the
// front with unit dimensions so that every kernel loops over three spatial axes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "host_device.h"

namespace odla_rt {

struct Window3 {
  int64_t in[3] = {1, 1, 1};   // input D, H, W
  int64_t out[3] = {1, 1, 1};  // output D, H, W
  int64_t k[3] = {1, 1, 1};    // kernel
  int64_t stride[3] = {1, 1, 1};
  int64_t dil[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0};  // padding at the start
  int64_t pad_end[3] = {0, 0, 0};

  // From per-spatial-axis lists (pads: [begin..., end...]); empty strides/dilations mean 1.
  static Window3 Make(const std::vector<int64_t>& in, const std::vector<int64_t>& out,
                      const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                      const std::vector<int64_t>& dilations, const std::vector<int64_t>& pads) {
    Window3 w;
    size_t n = in.size(), off = 3 - n;
    for (size_t i = 0; i < n; ++i) {
      w.in[off + i] = in[i];
      w.out[off + i] = out[i];
      w.k[off + i] = kernel[i];
      if (!strides.empty()) w.stride[off + i] = strides[i];
      if (!dilations.empty()) w.dil[off + i] = dilations[i];
      if (!pads.empty()) {
        w.pad[off + i] = pads[i];
        w.pad_end[off + i] = pads[i + n];
      }
    }
    return w;
  }
  ODLA_HD int64_t InSize() const { return in[0] * in[1] * in[2]; }
  ODLA_HD int64_t OutSize() const { return out[0] * out[1] * out[2]; }
  ODLA_HD int64_t KSize() const { return k[0] * k[1] * k[2]; }

  // Kernel taps [lo, hi) of axis a that land inside the input for output position o (host and
  // device).
  ODLA_HD void Taps(int a, int64_t o, int64_t* lo, int64_t* hi) const {
    int64_t start = o * stride[a] - pad[a];
    int64_t l = start >= 0 ? 0 : (-start + dil[a] - 1) / dil[a];
    int64_t last = in[a] - 1 - start;  // the largest offset still inside
    int64_t h = last < 0 ? 0 : last / dil[a] + 1;
    *lo = l;
    *hi = h < k[a] ? h : k[a];
    if (*hi < *lo) *hi = *lo;
  }
};

}  // namespace odla_rt
