// The shared depthwise kernel (runtimes/kernels/depthwise.h): DepthwisePlanes (planes side by
// side, vectorized across them) against DepthwisePlane (one plane, vectorized along its rows),
// bit for bit, on 1-D, 2-D and 3-D windows with pads, strides 1 to 3 and dilations, with NaNs,
// infinities and signed zeros among the values; and against plain loops over the zero-padded
// input in the same order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "../../runtimes/kernels/conv.h"
#include "../../runtimes/kernels/depthwise.h"
#include "../runtime_test_util.h"

namespace {

using odla_rt::Window3;

// bias, then w * x for each tap in (z, y, x) order, x 0 in the pads: what both paths compute.
std::vector<float> Loops(const Window3& g, const float* x, const float* w, float bias) {
  std::vector<float> y(g.OutSize());
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh = 0; oh < g.out[1]; ++oh)
      for (int64_t ow = 0; ow < g.out[2]; ++ow) {
        float acc = bias;
        for (int64_t kz = 0; kz < g.k[0]; ++kz)
          for (int64_t ky = 0; ky < g.k[1]; ++ky)
            for (int64_t kx = 0; kx < g.k[2]; ++kx) {
              int64_t iz = od * g.stride[0] - g.pad[0] + kz * g.dil[0],
                      iy = oh * g.stride[1] - g.pad[1] + ky * g.dil[1],
                      ix = ow * g.stride[2] - g.pad[2] + kx * g.dil[2];
              bool inside =
                  iz >= 0 && iz < g.in[0] && iy >= 0 && iy < g.in[1] && ix >= 0 && ix < g.in[2];
              volatile float p = w[(kz * g.k[1] + ky) * g.k[2] + kx] *
                                 (inside ? x[(iz * g.in[1] + iy) * g.in[2] + ix] : 0.0f);
              acc += p;
            }
        y[(od * g.out[1] + oh) * g.out[2] + ow] = acc;
      }
  return y;
}

// The same bits, but for NaNs: which NaN a sum of two of them gives (infinity - infinity, a
// NaN of the input) depends on the order of the instruction's operands, which C++ leaves open.
void ExpectSameBits(const float* got, const std::vector<float>& want, const std::string& what) {
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(got[i]) && std::isnan(want[i])) continue;
    ASSERT_EQ(0, std::memcmp(&got[i], &want[i], sizeof(float)))
        << what << " at " << i << ": " << got[i] << " against " << want[i];
  }
}

int64_t OutLen(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
  return (in + pb + pe - (k - 1) * d - 1) / s + 1;
}

TEST(DepthwiseKernel, PlanesMatchOnePlaneAtATimeBitForBit) {
  struct Case {
    std::vector<int64_t> in, k, s, d, pads;
    int count;
    bool bias;
  };
  std::vector<Case> cases = {
      {{7, 7}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 16, true},  // MobileNet's last stage
      {{14, 14}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, 16, true},
      {{13, 9}, {3, 5}, {3, 3}, {2, 2}, {2, 1, 0, 3}, 5, true},
      {{6, 40}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 1, false},  // rows of 32 and more
      {{9, 75}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, 3, true},   // stride 2: even, odd columns
      {{6, 41}, {3, 4}, {2, 2}, {1, 2}, {1, 3, 0, 2}, 4, true},   // odd offsets only
      {{4, 5}, {5, 5}, {1, 2}, {1, 1}, {3, 4, 3, 4}, 16, true},   // taps wholly in the pads
      {{23}, {7}, {1}, {3}, {9, 9}, 11, true},
      {{3, 5, 6}, {2, 3, 3}, {1, 2, 1}, {2, 1, 1}, {1, 1, 1, 0, 1, 2}, 16, true},
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (size_t c = 0; c < cases.size(); ++c) {
    const Case& t = cases[c];
    size_t n = t.in.size();
    std::vector<int64_t> out(n);
    for (size_t a = 0; a < n; ++a)
      out[a] = OutLen(t.in[a], t.k[a], t.s[a], t.d[a], t.pads[a], t.pads[a + n]);
    Window3 g = Window3::Make(t.in, out, t.k, t.s, t.d, t.pads);
    auto x = odla_test::Random(t.count * g.InSize(), 70 + c);
    auto w = odla_test::Random(t.count * g.KSize(), 90 + c);
    auto b = odla_test::Random(t.count, 110 + c);
    for (size_t i = 5; i < x.size(); i += 37) x[i] = nan;
    for (size_t i = 9; i < x.size(); i += 41) x[i] = (i / 41) % 2 ? inf : -inf;
    for (size_t i = 2; i < x.size(); i += 3) x[i] = (i / 3) % 2 ? 0.0f : -0.0f;
    w[1] = -0.0f;
    b[0] = -0.0f;  // -0 + 0 is 0: a tap in the pads is added, not skipped
    std::vector<const float*> xs;
    for (int l = 0; l < t.count; ++l) xs.push_back(x.data() + l * g.InSize());
    std::vector<float> planes(t.count * g.OutSize());
    odla_rt::DepthwisePlanes(g, t.count, xs.data(), w.data(), t.bias ? b.data() : nullptr,
                             planes.data());
    for (int l = 0; l < t.count; ++l) {
      const float bias = t.bias ? b[l] : 0.0f;
      std::vector<float> one(g.OutSize());
      odla_rt::DepthwisePlane(g, xs[l], w.data() + l * g.KSize(), bias, one.data());
      std::string what = "case " + std::to_string(c) + " plane " + std::to_string(l);
      const float* got = planes.data() + l * g.OutSize();
      ExpectSameBits(got, one, what + " (planes against one plane)");
      ExpectSameBits(got, Loops(g, xs[l], w.data() + l * g.KSize(), bias),
                     what + " (planes against loops)");
    }
  }
}

// ConvF32 takes short rows 16 planes at a time: blocks that end inside an image (40 channels:
// 16, 16, 8), a channel multiplier of 2 (lanes that read the same input plane), two images,
// the residual sum and Clip after the bias; against each plane's DepthwisePlane, then the sum,
// then the Clip.
TEST(DepthwiseKernel, ConvTakesShortRowsInBlocksOfPlanes) {
  odla_rt::ConvShape s{2, 20, 40, 20,
                       Window3::Make({9, 9}, {5, 5}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1})};
  const Window3& g = s.w;
  auto x = odla_test::Random(s.n * s.c * g.InSize(), 1);
  auto w = odla_test::Random(s.m * g.KSize(), 2);
  auto b = odla_test::Random(s.m, 3);
  auto sum = odla_test::Random(s.n * s.m * g.OutSize(), 4);
  odla_rt::Activation clip{odla_rt::ActKind::kClip, -0.5f, 0.75f};
  std::vector<float> y(sum.size());
  odla_rt::ConvF32(s, x.data(), w.data(), b.data(), y.data(), sum.data(), clip);
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t m = 0; m < s.m; ++m) {
      std::vector<float> want(g.OutSize());
      odla_rt::DepthwisePlane(g, x.data() + (n * s.c + m / 2) * g.InSize(),
                              w.data() + m * g.KSize(), b[m], want.data());
      const float* sp = sum.data() + (n * s.m + m) * g.OutSize();
      for (int64_t i = 0; i < g.OutSize(); ++i)
        want[i] = std::min(std::max(want[i] + sp[i], -0.5f), 0.75f);
      ExpectSameBits(y.data() + (n * s.m + m) * g.OutSize(), want,
                     "image " + std::to_string(n) + " channel " + std::to_string(m));
    }
}

}  // namespace
