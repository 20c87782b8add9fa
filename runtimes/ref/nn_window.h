// Builder-side checks shared by the convolution and pooling builders of the ref runtime.
#pragma once

#include <vector>

#include "../common/builder.h"
#include "../kernels/conv.h"
#include "../kernels/window.h"

namespace odla_rt {

// The geometry of a window op from X [N, C, in...] and Y [N, M, out...]: checks ranks and
// list lengths, and (unless `transposed`) that out matches the window arithmetic with
// floor (or ceil, allowing one more) rounding.
inline Window3 MakeWindow(const std::vector<int64_t>& xs, const std::vector<int64_t>& ys,
                          const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                          const std::vector<int64_t>& dilations, const std::vector<int64_t>& pads,
                          bool transposed, bool allow_ceil) {
  size_t rank = xs.size();
  if (rank < 3 || rank > 5) Fail("input must be [N, C, D1..Dn] with 1 to 3 spatial dimensions");
  if (ys.size() != rank) Fail("result rank ", ys.size(), " differs from input rank ", rank);
  size_t n = rank - 2;
  auto check_len = [&](const std::vector<int64_t>& v, size_t len, const char* what) {
    if (!v.empty() && v.size() != len) Fail(what, " has ", v.size(), " entries, expected ", len);
    for (int64_t e : v)
      if (e < 0) Fail(what, " must not be negative");
  };
  check_len(kernel, n, "kernel_shape");
  check_len(strides, n, "strides");
  check_len(dilations, n, "dilations");
  check_len(pads, 2 * n, "pads");
  if (kernel.size() != n) Fail("kernel_shape is required");
  for (size_t i = 0; i < n; ++i) {
    if (kernel[i] < 1) Fail("kernel dimensions must be positive");
    if ((!strides.empty() && strides[i] < 1) || (!dilations.empty() && dilations[i] < 1))
      Fail("strides and dilations must be positive");
  }
  std::vector<int64_t> in(xs.begin() + 2, xs.end()), out(ys.begin() + 2, ys.end());
  Window3 w = Window3::Make(in, out, kernel, strides, dilations, pads);
  if (!transposed) {
    for (int a = 3 - static_cast<int>(n); a < 3; ++a) {
      int64_t avail = w.in[a] + w.pad[a] + w.pad_end[a] - ((w.k[a] - 1) * w.dil[a] + 1);
      int64_t floor_out = avail < 0 ? 0 : avail / w.stride[a] + 1;
      int64_t ceil_out = avail < 0 ? 0 : (avail + w.stride[a] - 1) / w.stride[a] + 1;
      if (w.out[a] != floor_out && !(allow_ceil && w.out[a] == ceil_out))
        Fail("result spatial size ", w.out[a], " does not match the window arithmetic (", floor_out,
             ")");
    }
  }
  return w;
}

// The shape of a convolution (or, with `transposed`, a transposed one) of X with W (and
// bias B, may be NULL) into `result`: checks ranks, channels, group and the window
// arithmetic, whatever the element types.
inline ConvShape ConvGeometry(odla_value X, odla_value W, odla_value B,
                              const odla_value_type& result, int64_t group,
                              const odla_ints& strides, const odla_ints& dilations,
                              const odla_ints& pads, bool transposed) {
  auto xs = Dims(X->type.shape), ws = Dims(W->type.shape), ys = Dims(result.shape);
  if (ws.size() != xs.size() || xs.size() < 3) Fail("W must have the rank of X (3 to 5)");
  if (group < 1) Fail("group must be positive");
  std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  ConvShape s{xs[0], xs[1], ys.size() > 1 ? ys[1] : 0, group,
              MakeWindow(xs, ys, kernel, FromInts(strides), FromInts(dilations), FromInts(pads),
                         transposed, false)};
  if (ys[0] != s.n) Fail("result batch ", ys[0], " differs from X's ", s.n);
  if (s.c % group || s.m % group)
    Fail("channels ", s.c, " -> ", s.m, " not divisible by group ", group);
  if (!transposed && (ws[0] != s.m || ws[1] * group != s.c))
    Fail("W ", TypeToString(W->type), " does not match ", s.c, " -> ", s.m, " channels");
  if (transposed && (ws[0] != s.c || ws[1] * group != s.m))
    Fail("W ", TypeToString(W->type), " does not match ", s.c, " -> ", s.m, " channels");
  if (B && Dims(B->type.shape) != std::vector<int64_t>{s.m}) Fail("B must be [", s.m, "]");
  return s;
}

}  // namespace odla_rt
