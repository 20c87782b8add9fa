// Helpers shared by the tests of the runtimes linked statically (tests/dnnl, tests/xnnpack):
// ODLA types and attribute lists, random data, a plain-loop 2-D convolution and a
// computation with one argument.
#pragma once

#include <gtest/gtest.h>
#include <odla/odla.h>

#include <cstdint>
#include <random>
#include <vector>

#include "../runtimes/common/runtime.h"

namespace odla_test {

inline odla_value_type Type(std::vector<int64_t> dims, odla_element_type et = ODLA_FLOAT32) {
  odla_value_type t{};
  t.element_type = et;
  t.shape = odla_rt::MakeShape(dims);
  return t;
}

inline odla_ints Ints(std::vector<int64_t> v) {
  odla_ints r{};
  r.size = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) r.data[i] = v[i];
  return r;
}

inline std::vector<float> Random(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = d(gen);
  return v;
}

// out[n][m][oy][ox] of a 2-D convolution (ConvTranspose when `transposed`), W as ONNX has it.
inline std::vector<float> NaiveConv(const std::vector<float>& x, std::vector<int64_t> xd,
                                    const std::vector<float>& w, std::vector<int64_t> wd,
                                    const std::vector<float>& b, std::vector<int64_t> yd,
                                    int64_t group, int64_t stride, int64_t pad, int64_t dil,
                                    bool transposed) {
  std::vector<float> y(yd[0] * yd[1] * yd[2] * yd[3]);
  int64_t cg = xd[1] / group, mg = yd[1] / group;
  for (int64_t n = 0; n < yd[0]; ++n)
    for (int64_t m = 0; m < yd[1]; ++m)
      for (int64_t c = m / mg * cg; c < (m / mg + 1) * cg; ++c)
        for (int64_t iy = 0; iy < (transposed ? xd[2] : yd[2]); ++iy)
          for (int64_t ix = 0; ix < (transposed ? xd[3] : yd[3]); ++ix)
            for (int64_t ky = 0; ky < wd[2]; ++ky)
              for (int64_t kx = 0; kx < wd[3]; ++kx) {
                int64_t sy = iy * stride - pad + ky * dil, sx = ix * stride - pad + kx * dil;
                int64_t wi = transposed ? ((c * mg + m % mg) * wd[2] + ky) * wd[3] + kx
                                        : ((m * cg + c % cg) * wd[2] + ky) * wd[3] + kx;
                if (transposed) {  // input (iy, ix) spreads to output (sy, sx)
                  if (sy < 0 || sy >= yd[2] || sx < 0 || sx >= yd[3]) continue;
                  y[((n * yd[1] + m) * yd[2] + sy) * yd[3] + sx] +=
                      x[((n * xd[1] + c) * xd[2] + iy) * xd[3] + ix] * w[wi];
                } else {
                  if (sy < 0 || sy >= xd[2] || sx < 0 || sx >= xd[3]) continue;
                  y[((n * yd[1] + m) * yd[2] + iy) * yd[3] + ix] +=
                      x[((n * xd[1] + c) * xd[2] + sy) * xd[3] + sx] * w[wi];
                }
              }
  int64_t plane = yd[2] * yd[3];
  if (!b.empty())
    for (size_t i = 0; i < y.size(); ++i) y[i] += b[i / plane % yd[1]];
  return y;
}

inline void ExpectNear(const std::vector<float>& got, const std::vector<float>& want,
                       float tol = 1e-4) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], tol) << "at " << i;
}

// A computation with one argument "x"; Run() executes it in a context of its own.
struct Computation {
  Computation() { EXPECT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS); }
  ~Computation() { odla_DestroyComputation(comp); }
  void Output(odla_value v) {
    ASSERT_NE(v, nullptr) << odla_GetLastErrorText();
    ASSERT_EQ(odla_SetValueAsOutput(v), ODLA_SUCCESS) << odla_GetLastErrorText();
    sizes.push_back(odla_rt::NumElements(v->type.shape));
  }
  std::vector<std::vector<float>> Run(const void* x) const {
    odla_context ctx;
    EXPECT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
    std::vector<std::vector<float>> out;
    for (int64_t n : sizes) out.emplace_back(n);
    EXPECT_EQ(odla_BindToArgument(ctx, 0, x), ODLA_SUCCESS);
    for (size_t i = 0; i < out.size(); ++i)
      EXPECT_EQ(odla_BindToOutput(ctx, i, out[i].data()), ODLA_SUCCESS);
    EXPECT_EQ(odla_ExecuteComputation(comp, ctx), ODLA_SUCCESS) << odla_GetLastErrorText();
    odla_DestroyContext(ctx);
    return out;
  }
  odla_computation comp = nullptr;
  std::vector<int64_t> sizes;
};

}  // namespace odla_test
