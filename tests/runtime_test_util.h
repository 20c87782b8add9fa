// Helpers shared by the tests of the runtimes (tests/dnnl, tests/xnnpack, tests/cuda) and of
// the shared runtime machinery (tests/unit/runtime_*_test.cc):
// ODLA types and attribute lists, random data, a plain-loop 2-D convolution, a computation
// with one argument, and constants in a file mapping.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <odla/odla.h>
#include <odla/odla_ops.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
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

// A computation whose Run() keeps one context from call to call (its memory is reused);
// argument 0 is bound to `in` and every output holds n floats.
struct OneContext {
  OneContext() { EXPECT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS); }
  ~OneContext() {
    if (ctx) odla_DestroyContext(ctx);
    odla_DestroyComputation(comp);
  }
  std::vector<std::vector<float>> Run(const std::vector<float>& in, int outputs, int64_t n) {
    if (!ctx) {
      EXPECT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
    }
    std::vector<std::vector<float>> out(outputs, std::vector<float>(n));
    EXPECT_EQ(odla_BindToArgument(ctx, 0, in.data()), ODLA_SUCCESS);
    for (int i = 0; i < outputs; ++i)
      EXPECT_EQ(odla_BindToOutput(ctx, i, out[i].data()), ODLA_SUCCESS);
    EXPECT_EQ(odla_ExecuteComputation(comp, ctx), ODLA_SUCCESS) << odla_GetLastErrorText();
    return out;
  }
  odla_computation comp = nullptr;
  odla_context ctx = nullptr;
};

// A float64 Relu and MaxPool's indices, which the fast runtimes leave to the ref builders:
// the Relu keeps the plain layout and both results are right.
inline void ExpectFloat64ReluMaxPoolFallsBackToRef() {
  Computation c;
  std::vector<double> x{1, -2, 3, -4};
  odla_value in = odla_CreateArgument(Type({1, 1, 2, 2}, ODLA_FLOAT64), "x");
  odla_value r = odla_Relu(in, Type({1, 1, 2, 2}, ODLA_FLOAT64), "r");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->layout, nullptr);
  odla_value_types types{};
  types.size = 2;
  types.types[0] = Type({1, 1, 1, 1}, ODLA_FLOAT64);
  types.types[1] = Type({1, 1, 1, 1}, ODLA_INT64);
  odla_values mp = odla_MaxPool(r, 0, Ints({1, 1}), Ints({2, 2}), Ints({0, 0, 0, 0}), 0,
                                Ints({1, 1}), types, "mp");
  ASSERT_EQ(mp.size, 2) << odla_GetLastErrorText();
  ASSERT_EQ(odla_SetValueAsOutput(mp.values[0]), ODLA_SUCCESS);
  ASSERT_EQ(odla_SetValueAsOutput(mp.values[1]), ODLA_SUCCESS);
  odla_context ctx;
  ASSERT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
  double y = 0;
  int64_t index = -1;
  odla_BindToArgument(ctx, 0, x.data());
  odla_BindToOutput(ctx, 0, &y);
  odla_BindToOutput(ctx, 1, &index);
  ASSERT_EQ(odla_ExecuteComputation(c.comp, ctx), ODLA_SUCCESS) << odla_GetLastErrorText();
  EXPECT_EQ(y, 3);
  EXPECT_EQ(index, 2);
  odla_DestroyContext(ctx);
}

// `threads` contexts of one computation (a 3x3 Conv, then `activation`) run at once, 20
// times each, and each gets what a lone run gives for its input.
template <typename Activation>
void ExpectContextsRunAtOnce(Activation activation, int threads) {
  std::vector<int64_t> xd{1, 5, 9, 9}, wd{24, 5, 3, 3}, yd{1, 24, 7, 7};
  auto w = Random(24 * 45, 17);
  Computation c;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  odla_value y = odla_Conv(in, odla_CreateConstant(Type(wd), w.data(), "w"), nullptr, Ints({1, 1}),
                           1, Ints({0, 0, 0, 0}), Ints({1, 1}), Type(yd), "y");
  c.Output(activation(y, Type(yd), "a"));
  std::vector<std::vector<float>> inputs, want;
  for (int t = 0; t < threads; ++t) {
    inputs.push_back(Random(5 * 81, 100 + t));
    want.push_back(c.Run(inputs.back().data())[0]);
  }
  std::vector<std::thread> pool;
  std::vector<int> ok(threads, 0);
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      odla_SetCurrentComputation(c.comp);  // odla_CreateContext's computation
      bool same = true;
      for (int i = 0; i < 20; ++i) same = same && c.Run(inputs[t].data())[0] == want[t];
      ok[t] = same;
    });
  for (auto& t : pool) t.join();
  EXPECT_EQ(ok, std::vector<int>(threads, 1));
}

// The resident KiB of the mapping that starts at p (its smaps "Rss:").
inline long MappingRssKb(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in = false;
  while (std::getline(smaps, line)) {
    unsigned long begin = 0;
    if (line.find('-') != std::string::npos && std::sscanf(line.c_str(), "%lx-", &begin) == 1 &&
        line.find(':') > line.find(' '))
      in = begin == reinterpret_cast<unsigned long>(p);
    long kb = 0;
    if (in && std::sscanf(line.c_str(), "Rss: %ld kB", &kb) == 1) return kb;
  }
  return -1;
}

// v in a private, read-only mapping of a file (as a compiled model's weights are), its pages
// resident; nullptr on failure. Unmap it with munmap(p, v.size() * sizeof(float)).
inline const float* MapFloats(const std::vector<float>& v) {
  std::string path = "odla_test_weights_" + std::to_string(getpid()) + ".bin";
  {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
    if (!f.good()) return nullptr;
  }
  int fd = open(path.c_str(), O_RDONLY);
  unlink(path.c_str());
  if (fd < 0) return nullptr;
  void* map = mmap(nullptr, v.size() * sizeof(float), PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return nullptr;
  volatile float sum = 0;
  for (size_t i = 0; i < v.size(); i += 1024) sum = sum + static_cast<const float*>(map)[i];
  return static_cast<const float*>(map);
}

}  // namespace odla_test
