// Coordinates and weights follow the ONNX reference implementation of Resize: the output
// coordinate maps to x_original; nearest picks one input index, linear / cubic use the 2 / 4
// nearest indices (the lower one on ties) with edge values beyond the input.
#include "resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace odla_rt {
namespace {

double CubicCoeff(double t, double a) {  // t = distance in [0, 2]
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
}

AxisTaps AxisTable(const ResizeSpec& s, int axis, int rank, int64_t in, int64_t out) {
  AxisTaps t;
  t.n = s.mode == "nearest" ? 1 : s.mode == "linear" ? 2 : 4;
  t.index.assign(out * t.n, 0);
  t.weight.assign(out * t.n, 0.0);
  t.outside.assign(out, 0);
  double scale =
      s.scales.empty() ? static_cast<double>(out) / static_cast<double>(in) : s.scales[axis];
  double width = scale * static_cast<double>(in);  // as the reference: scale * input length
  bool identity = in == out;
  for (int64_t x = 0; x < out; ++x) {
    double xo;
    const std::string& c = s.coord;
    if (c == "align_corners") {
      xo = width == 1 ? 0.0 : x * (in - 1) / (width - 1);
    } else if (c == "asymmetric") {
      xo = x / scale;
    } else if (c == "tf_crop_and_resize") {
      double start = s.roi[axis], end = s.roi[axis + rank];
      xo = width == 1 ? (end - start) * (in - 1) / 2 : x * (end - start) * (in - 1) / (width - 1);
      xo += start * (in - 1);
      if (xo < 0 || xo > in - 1) {
        t.outside[x] = 1;
        identity = false;
        continue;
      }
    } else if (c == "pytorch_half_pixel") {
      xo = width == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    } else if (c == "tf_half_pixel_for_nn") {
      xo = (x + 0.5) / scale;
    } else {  // half_pixel
      xo = (x + 0.5) / scale - 0.5;
    }
    double fl = std::floor(xo);
    bool integral = xo == fl;
    int64_t* idx = &t.index[x * t.n];
    double* w = &t.weight[x * t.n];
    if (t.n == 1) {
      double r = xo - fl;
      bool up = integral || (s.nearest == "round_prefer_floor"  ? r > 0.5
                             : s.nearest == "round_prefer_ceil" ? r >= 0.5
                                                                : s.nearest == "ceil");
      idx[0] = static_cast<int64_t>(fl) + (up && !integral ? 1 : 0);
      w[0] = 1.0;
    } else {
      double ratio = integral ? 1.0 : xo - fl;
      int64_t first = static_cast<int64_t>(std::ceil(xo)) - t.n / 2;
      if (t.n == 2) {
        w[0] = 1 - ratio;
        w[1] = ratio;
      } else {
        w[0] = CubicCoeff(ratio + 1, s.cubic_a);
        w[1] = CubicCoeff(ratio, s.cubic_a);
        w[2] = CubicCoeff(1 - ratio, s.cubic_a);
        w[3] = CubicCoeff(2 - ratio, s.cubic_a);
      }
      double sum = 0;
      for (int k = 0; k < t.n; ++k) {
        idx[k] = first + k;
        if (s.exclude_outside && (idx[k] < 0 || idx[k] >= in)) w[k] = 0;
        sum += w[k];
      }
      if (s.exclude_outside && sum != 0)
        for (int k = 0; k < t.n; ++k) w[k] /= sum;
    }
    for (int k = 0; k < t.n; ++k) {
      idx[k] = std::clamp<int64_t>(idx[k], 0, in - 1);
      if (w[k] != 0 && (w[k] != 1 || idx[k] != x)) identity = false;
    }
  }
  t.identity = identity;
  return t;
}

}  // namespace

std::vector<AxisTaps> ResizeTaps(const ResizeSpec& s, const std::vector<int64_t>& in,
                                 const std::vector<int64_t>& out) {
  int rank = static_cast<int>(in.size());
  if (out.size() != in.size()) Fail("result rank ", out.size(), " differs from input rank ", rank);
  if (s.mode != "nearest" && s.mode != "linear" && s.mode != "cubic")
    Fail("unknown mode '", s.mode, "'");
  const char* coords[] = {"half_pixel",    "asymmetric",         "pytorch_half_pixel",
                          "align_corners", "tf_crop_and_resize", "tf_half_pixel_for_nn"};
  if (std::find_if(std::begin(coords), std::end(coords),
                   [&](const char* c) { return s.coord == c; }) == std::end(coords))
    Fail("unknown coordinate_transformation_mode '", s.coord, "'");
  if (s.nearest != "round_prefer_floor" && s.nearest != "round_prefer_ceil" &&
      s.nearest != "floor" && s.nearest != "ceil")
    Fail("unknown nearest_mode '", s.nearest, "'");
  if (!s.scales.empty() && static_cast<int>(s.scales.size()) != rank)
    Fail("scales has ", s.scales.size(), " entries for rank ", rank);
  if (s.coord == "tf_crop_and_resize" && static_cast<int>(s.roi.size()) != 2 * rank)
    Fail("roi needs ", 2 * rank, " entries, got ", s.roi.size());
  std::vector<AxisTaps> taps;
  for (int a = 0; a < rank; ++a) {
    if (in[a] <= 0 && out[a] > 0) Fail("cannot resize an empty axis to ", out[a]);
    if (!s.scales.empty() && s.scales[a] <= 0) Fail("scales must be positive");
    taps.push_back(in[a] > 0 ? AxisTable(s, a, rank, in[a], out[a]) : AxisTaps{});
    if (in[a] <= 0) taps.back().identity = true;
  }
  return taps;
}

template <typename T>
void Resize(const std::vector<AxisTaps>& taps, const std::vector<int64_t>& in,
            const std::vector<int64_t>& out, double extrapolation, const T* x, T* y) {
  int rank = static_cast<int>(in.size());
  int64_t total = 1;
  for (int64_t d : out) total *= d;
  if (total == 0) return;
  std::vector<int64_t> cur = in;
  // Axes are resized from the last to the first; intermediate results are kept in T for
  // nearest (an exact gather) and in double otherwise.
  bool exact = true;
  for (const AxisTaps& t : taps) exact = exact && (t.n <= 1);
  std::vector<double> bufd[2];
  std::vector<T> buft[2];
  const void* src = x;
  bool src_is_x = true;
  int which = 0;
  int last = -1;  // the last (outermost) axis that needs a pass
  for (int a = 0; a < rank; ++a)
    if (!taps[a].identity) {
      last = a;
      break;
    }
  if (last < 0) {
    std::memcpy(y, x, sizeof(T) * total);
    return;
  }
  for (int a = rank - 1; a >= 0; --a) {
    const AxisTaps& t = taps[a];
    if (t.identity) continue;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < a; ++d) outer *= cur[d];
    for (int d = a + 1; d < rank; ++d) inner *= cur[d];
    int64_t len = cur[a], olen = out[a];
    bool final_pass = a == last;
    void* dst;
    if (final_pass) {
      dst = y;
    } else if (exact) {
      buft[which].resize(outer * olen * inner);
      dst = buft[which].data();
    } else {
      bufd[which].resize(outer * olen * inner);
      dst = bufd[which].data();
    }
    auto run = [&](auto* out_ptr, auto in_tag) {
      using In = decltype(in_tag);
      using Out = std::remove_pointer_t<decltype(out_ptr)>;
      const In* sp = static_cast<const In*>(src);
      ParallelFor(outer * olen, std::max<int64_t>(1, 8192 / std::max<int64_t>(inner * t.n, 1)),
                  [&](int64_t b, int64_t e) {
                    for (int64_t r = b; r < e; ++r) {
                      int64_t o = r / olen, xo = r % olen;
                      Out* d = out_ptr + r * inner;
                      if (t.outside[xo]) {
                        for (int64_t i = 0; i < inner; ++i) d[i] = static_cast<Out>(extrapolation);
                        continue;
                      }
                      const int64_t* idx = &t.index[xo * t.n];
                      const double* w = &t.weight[xo * t.n];
                      if (t.n == 1) {
                        const In* s0 = sp + (o * len + idx[0]) * inner;
                        for (int64_t i = 0; i < inner; ++i) d[i] = static_cast<Out>(s0[i]);
                        continue;
                      }
                      for (int64_t i = 0; i < inner; ++i) {
                        double acc = 0;
                        for (int k = 0; k < t.n; ++k)
                          acc += w[k] * sp[(o * len + idx[k]) * inner + i];
                        d[i] = static_cast<Out>(acc);
                      }
                    }
                  });
    };
    if (exact) {
      run(static_cast<T*>(dst), T{});
    } else if (src_is_x) {
      if (final_pass)
        run(static_cast<T*>(dst), T{});
      else
        run(static_cast<double*>(dst), T{});
    } else {
      if (final_pass)
        run(static_cast<T*>(dst), double{});
      else
        run(static_cast<double*>(dst), double{});
    }
    cur[a] = olen;
    src = dst;
    src_is_x = false;
    which ^= 1;
  }
}

#define ODLA_RESIZE_INSTANCE(T)                                                      \
  template void Resize<T>(const std::vector<AxisTaps>&, const std::vector<int64_t>&, \
                          const std::vector<int64_t>&, double, const T*, T*);
ODLA_RESIZE_INSTANCE(float)
ODLA_RESIZE_INSTANCE(double)
ODLA_RESIZE_INSTANCE(int8_t)
ODLA_RESIZE_INSTANCE(uint8_t)
ODLA_RESIZE_INSTANCE(int16_t)
ODLA_RESIZE_INSTANCE(uint16_t)
ODLA_RESIZE_INSTANCE(int32_t)
ODLA_RESIZE_INSTANCE(uint32_t)
ODLA_RESIZE_INSTANCE(int64_t)
ODLA_RESIZE_INSTANCE(uint64_t)
#undef ODLA_RESIZE_INSTANCE

}  // namespace odla_rt
