// The shared MaxPool kernel (runtimes/kernels/pool.h): its row-wise path (no indices, no
// dilations) against its per-output path (taken when indices are asked for), bit for bit, on
// 1-D, 2-D and 3-D windows with pads, ceil-mode ends and strides 1, 2 and 3, with NaNs and
// signed zeros among the values; and against plain loops.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "../../runtimes/kernels/pool.h"
#include "../runtime_test_util.h"

namespace {

using odla_rt::Window3;

// Output length of one axis, floor or ceil mode, as ONNX has it (a ceil-mode window that would
// start in the end padding is dropped).
int64_t OutLen(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe, bool ceil_mode) {
  int64_t span = in + pb + pe - k;
  int64_t n = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (n - 1) * s >= in + pb) --n;
  return n;
}

// The maximum over each window by plain loops: the first tap in (z, y, x) order, replaced by any
// later one greater than it.
std::vector<float> Loops(const Window3& g, int64_t planes, const std::vector<float>& x) {
  std::vector<float> y(planes * g.OutSize());
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t od = 0; od < g.out[0]; ++od)
      for (int64_t oh = 0; oh < g.out[1]; ++oh)
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          float best = std::numeric_limits<float>::lowest();
          bool first = true;
          for (int64_t kz = 0; kz < g.k[0]; ++kz)
            for (int64_t ky = 0; ky < g.k[1]; ++ky)
              for (int64_t kx = 0; kx < g.k[2]; ++kx) {
                int64_t iz = od * g.stride[0] - g.pad[0] + kz,
                        iy = oh * g.stride[1] - g.pad[1] + ky,
                        ix = ow * g.stride[2] - g.pad[2] + kx;
                if (iz < 0 || iz >= g.in[0] || iy < 0 || iy >= g.in[1] || ix < 0 || ix >= g.in[2])
                  continue;
                float v = x[p * g.InSize() + (iz * g.in[1] + iy) * g.in[2] + ix];
                if (first || v > best) best = v;
                first = false;
              }
          y[p * g.OutSize() + (od * g.out[1] + oh) * g.out[2] + ow] = best;
        }
  return y;
}

void ExpectSameBits(const std::vector<float>& got, const std::vector<float>& want,
                    const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(0, std::memcmp(&got[i], &want[i], sizeof(float)))
        << what << " at " << i << ": " << got[i] << " against " << want[i];
}

TEST(PoolKernel, MaxPoolRowsMatchPerOutputPathBitForBit) {
  struct Case {
    std::vector<int64_t> in, k, s, pads;
    bool ceil_mode;
  };
  std::vector<Case> cases = {
      {{111, 111}, {3, 3}, {2, 2}, {0, 0, 0, 0}, true},   // SqueezeNet's
      {{112, 112}, {3, 3}, {2, 2}, {1, 1, 1, 1}, false},  // ResNet's
      {{9, 13}, {2, 3}, {1, 1}, {0, 1, 1, 0}, false},
      {{10, 11}, {3, 2}, {3, 3}, {1, 0, 2, 1}, true},
      {{7, 8}, {4, 4}, {2, 3}, {2, 2, 2, 2}, true},
      {{5, 5}, {5, 5}, {1, 1}, {0, 0, 0, 0}, false},
      {{3, 4}, {4, 4}, {1, 1}, {3, 3, 3, 3}, false},  // windows partly or wholly in the pads
      {{17}, {3}, {2}, {1, 1}, true},
      {{31}, {1}, {1}, {0, 0}, false},
      {{5, 6, 7}, {2, 3, 2}, {2, 1, 2}, {1, 0, 1, 0, 1, 1}, true},
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (size_t c = 0; c < cases.size(); ++c) {
    const Case& t = cases[c];
    size_t n = t.in.size();
    std::vector<int64_t> out(n);
    for (size_t a = 0; a < n; ++a)
      out[a] = OutLen(t.in[a], t.k[a], t.s[a], t.pads[a], t.pads[a + n], t.ceil_mode);
    // Ceil mode reads past the end padding: the kernel gets it as extra end padding.
    std::vector<int64_t> pads = t.pads;
    for (size_t a = 0; a < n; ++a)
      pads[a + n] = std::max(pads[a + n], (out[a] - 1) * t.s[a] + t.k[a] - t.in[a] - t.pads[a]);
    Window3 g = Window3::Make(t.in, out, t.k, t.s, {}, pads);
    const int64_t planes = 3;
    auto x = odla_test::Random(planes * g.InSize(), 40 + c);
    for (size_t i = 0; i < x.size(); i += 7) x[i] = nan;  // NaNs at various taps
    for (size_t i = 3; i < x.size(); i += 11) x[i] = (i / 11) % 2 ? 0.0f : -0.0f;
    std::vector<float> rows(planes * g.OutSize()), per_output(rows.size());
    std::vector<int64_t> indices(rows.size());
    odla_rt::MaxPool<float>(g, planes, x.data(), rows.data(), nullptr, false);
    odla_rt::MaxPool<float>(g, planes, x.data(), per_output.data(), indices.data(), false);
    std::string what = "case " + std::to_string(c);
    ExpectSameBits(rows, per_output, what + " (rows against per output)");
    ExpectSameBits(rows, Loops(g, planes, x), what + " (rows against loops)");
  }
}

TEST(PoolKernel, MaxPoolRowsOnIntegers) {
  Window3 g = Window3::Make({6, 9}, {3, 4}, {3, 3}, {2, 2}, {}, {1, 0, 1, 1});
  std::vector<int32_t> x(2 * g.InSize());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int32_t>((i * 7919) % 101) - 50;
  std::vector<int32_t> rows(2 * g.OutSize()), per_output(rows.size());
  std::vector<int64_t> indices(rows.size());
  odla_rt::MaxPool<int32_t>(g, 2, x.data(), rows.data(), nullptr, false);
  odla_rt::MaxPool<int32_t>(g, 2, x.data(), per_output.data(), indices.data(), false);
  EXPECT_EQ(rows, per_output);
}

}  // namespace
