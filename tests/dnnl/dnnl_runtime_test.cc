// libodla_dnnl, linked statically (its builders must override the shared ones): results
// against plain loops, blocked layouts between oneDNN ops and plain copies for the others,
// fallbacks to the ref builders, contexts running at once, the shared kernels on OpenMP.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <odla/odla.h>
#include <odla/odla_ops.h>
#include <omp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <oneapi/dnnl/dnnl.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "../../runtimes/common/runtime.h"
#include "../runtime_test_util.h"

namespace {

using namespace odla_test;

TEST(Dnnl, OverridesTheSharedBuilders) { EXPECT_STREQ(odla_GetRuntimeName(), "dnnl"); }

// Conv -> Relu -> Conv stay in oneDNN's blocked layout; Reshape (ref) and the outputs get
// plain copies.
TEST(Dnnl, BlockedLayoutBetweenOneDnnOps) {
  std::vector<int64_t> xd{1, 3, 8, 8}, wd{16, 3, 3, 3}, w2d{16, 16, 1, 1}, yd{1, 16, 8, 8};
  auto x = Random(3 * 64, 1), w = Random(16 * 27, 2), b = Random(16, 3), w2 = Random(256, 4);
  Computation c;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  odla_value wv = odla_CreateConstant(Type(wd), w.data(), "w");
  odla_value bv = odla_CreateConstant(Type({16}), b.data(), "b");
  odla_value w2v = odla_CreateConstant(Type(w2d), w2.data(), "w2");
  odla_value y =
      odla_Conv(in, wv, bv, Ints({1, 1}), 1, Ints({1, 1, 1, 1}), Ints({1, 1}), Type(yd), "y");
  odla_value r = odla_Relu(y, Type(yd), "r");
  odla_value z =
      odla_Conv(r, w2v, nullptr, Ints({1, 1}), 1, Ints({0, 0, 0, 0}), Ints({1, 1}), Type(yd), "z");
  ASSERT_TRUE(y && r && z) << odla_GetLastErrorText();
  EXPECT_NE(y->layout, nullptr);
  EXPECT_NE(r->layout, nullptr);
  EXPECT_EQ(y->plain, nullptr);
  EXPECT_EQ(r->plain, nullptr);
  odla_value flat = odla_Reshape(r, Type({16, 64}), "flat");
  EXPECT_NE(r->plain, nullptr);
  c.Output(z);
  c.Output(flat);
  c.Output(r);
  auto out = c.Run(x.data());

  auto want_y = NaiveConv(x, xd, w, wd, b, yd, 1, 1, 1, 1, false);
  for (float& v : want_y) v = std::max(v, 0.0f);
  ExpectNear(out[1], want_y);
  ExpectNear(out[2], want_y);
  ExpectNear(out[0], NaiveConv(want_y, yd, w2, w2d, {}, yd, 1, 1, 0, 1, false));
}

// 20 channels: blocked layouts pad them (to 24 or 32). Each op reads its input in the
// layout of the one before; the result is compared in plain loops.
TEST(Dnnl, OpsOnPaddedBlockedLayouts) {
  const int64_t C = 20, H = 6, HW = H * H;
  std::vector<int64_t> xd{1, 3, H, H}, wd{C, 3, 3, 3}, yd{1, C, H, H}, pd{1, C, 3, 3};
  auto x = Random(3 * HW, 20), w = Random(C * 27, 21), c = Random(C, 22);
  auto scale = Random(C, 23), bias = Random(C, 24), mean = Random(C, 25), var = Random(C, 26);
  for (float& v : var) v = v * v + 0.5f;
  Computation comp;
  auto cst = [](std::vector<int64_t> d, std::vector<float>& v, const char* id) {
    return odla_CreateConstant(Type(d), v.data(), id);
  };
  odla_value in = odla_CreateArgument(Type(xd), "x");
  odla_value y = odla_Conv(in, cst(wd, w, "w"), nullptr, Ints({1, 1}), 1, Ints({1, 1, 1, 1}),
                           Ints({1, 1}), Type(yd), "y");
  odla_value s = odla_Sub(y, cst({C, 1, 1}, c, "c"), Type(yd), "s");
  odla_value m = odla_Mul(s, y, Type(yd), "m");
  odla_value e = odla_Sigmoid(m, Type(yd), "e");
  odla_value bn =
      odla_BatchNormalization(e, cst({C}, scale, "scale"), cst({C}, bias, "bias"),
                              cst({C}, mean, "mean"), cst({C}, var, "var"), 1e-5f, Type(yd), "bn");
  odla_value sm = odla_Softmax(bn, 1, 0, Type(yd), "sm");
  odla_value ap =
      odla_AveragePool(sm, 0, 0, Ints({3, 3}), Ints({1, 1, 1, 1}), Ints({2, 2}), Type(pd), "ap");
  odla_value_types mp_type{};
  mp_type.size = 1;
  mp_type.types[0] = Type(pd);
  odla_values mp = odla_MaxPool(sm, 0, Ints({1, 1}), Ints({3, 3}), Ints({1, 1, 1, 1}), 0,
                                Ints({2, 2}), mp_type, "mp");
  ASSERT_TRUE(y && s && m && e && bn && sm && ap && mp.size == 1) << odla_GetLastErrorText();
  // oneDNN picks the layout (NHWC, blocked with 8 or 16 channels a block, or plain, by
  // instruction set); the binary ops keep it.
  EXPECT_EQ(y->layout != nullptr, m->layout != nullptr);
  EXPECT_EQ(y->plain, nullptr);  // no plain consumer
  odla_values cat_in{};
  cat_in.size = 2;
  cat_in.values[0] = ap;
  cat_in.values[1] = mp.values[0];
  odla_value cat = odla_Concat(cat_in, 1, Type({1, 2 * C, 3, 3}), "cat");
  comp.Output(odla_Transpose(cat, Ints({0, 2, 3, 1}), Type({1, 3, 3, 2 * C}), "t"));
  comp.Output(sm);
  auto out = comp.Run(x.data());

  auto want = NaiveConv(x, xd, w, wd, {}, yd, 1, 1, 1, 1, false);
  for (int64_t i = 0; i < C * HW; ++i) {
    int64_t ch = i / HW;
    float v = (want[i] - c[ch]) * want[i];
    v = 1 / (1 + std::exp(-v));
    want[i] = (v - mean[ch]) / std::sqrt(var[ch] + 1e-5f) * scale[ch] + bias[ch];
  }
  for (int64_t p = 0; p < HW; ++p) {  // softmax over channels
    float sum = 0;
    for (int64_t ch = 0; ch < C; ++ch) sum += std::exp(want[ch * HW + p]);
    for (int64_t ch = 0; ch < C; ++ch) want[ch * HW + p] = std::exp(want[ch * HW + p]) / sum;
  }
  ExpectNear(out[1], want, 1e-5f);
  std::vector<float> t(9 * 2 * C);  // [1, 3, 3, 2C]: average pools then max pools
  for (int64_t ch = 0; ch < C; ++ch)
    for (int64_t oy = 0; oy < 3; ++oy)
      for (int64_t ox = 0; ox < 3; ++ox) {
        float sum = 0, mx = -1e30f;
        int count = 0;
        for (int64_t iy = oy * 2 - 1; iy <= oy * 2 + 1; ++iy)
          for (int64_t ix = ox * 2 - 1; ix <= ox * 2 + 1; ++ix) {
            if (iy < 0 || ix < 0 || iy >= H || ix >= H) continue;
            float v = want[ch * HW + iy * H + ix];
            sum += v, mx = std::max(mx, v), ++count;
          }
        t[(oy * 3 + ox) * 2 * C + ch] = sum / count;
        t[(oy * 3 + ox) * 2 * C + C + ch] = mx;
      }
  ExpectNear(out[0], t, 1e-5f);
}

TEST(Dnnl, FusedConvAddsSumThenActivation) {
  std::vector<int64_t> xd{2, 8, 5, 5}, wd{8, 2, 3, 3}, yd{2, 8, 3, 3};
  auto x = Random(2 * 8 * 25, 5), w = Random(8 * 2 * 9, 6), b = Random(8, 7);
  auto s = Random(2 * 8 * 9, 8);
  for (const char* act : {"Relu", "HardSigmoid", "Clip"}) {
    Computation c;
    odla_value in = odla_CreateArgument(Type(xd), "x");
    odla_value sum = odla_CreateConstant(Type(yd), s.data(), "s");
    odla_value y =
        odla_FusedConv(in, odla_CreateConstant(Type(wd), w.data(), "w"),
                       odla_CreateConstant(Type({8}), b.data(), "b"), sum, Ints({2, 2}), 4,
                       Ints({2, 2, 2, 2}), Ints({2, 2}), act, 0.2f, 0.4f, Type(yd), "y");
    c.Output(y);
    auto want = NaiveConv(x, xd, w, wd, b, yd, 4, 2, 2, 2, false);
    for (size_t i = 0; i < want.size(); ++i) {
      float v = want[i] + s[i];
      if (std::string(act) == "Relu") want[i] = std::max(v, 0.0f);
      if (std::string(act) == "HardSigmoid")
        want[i] = std::max(0.0f, std::min(1.0f, 0.2f * v + 0.4f));
      if (std::string(act) == "Clip") want[i] = std::max(0.2f, std::min(0.4f, v));
    }
    ExpectNear(c.Run(x.data())[0], want);
  }
}

// 3x3 stride-1 convolutions with 64 channels and more run Winograd's kernels where the CPU
// has them (direct ones elsewhere): within fp32 rounding of the plain loops.
TEST(Dnnl, Winograd3x3ConvMatchesLoops) {
  std::vector<int64_t> xd{1, 64, 9, 9}, wd{64, 64, 3, 3}, yd{1, 64, 9, 9};
  auto x = Random(64 * 81, 40), w = Random(64 * 64 * 9, 41), b = Random(64, 42);
  Computation c;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  odla_value y =
      odla_FusedConv(in, odla_CreateConstant(Type(wd), w.data(), "w"),
                     odla_CreateConstant(Type({64}), b.data(), "b"), nullptr, Ints({1, 1}), 1,
                     Ints({1, 1, 1, 1}), Ints({1, 1}), "Relu", 0, 0, Type(yd), "y");
  c.Output(y);
  auto want = NaiveConv(x, xd, w, wd, b, yd, 1, 1, 1, 1, false);
  for (float& v : want) v = std::max(v, 0.0f);
  ExpectNear(c.Run(x.data())[0], want, 1e-3f);
}

// Convolutions with whole channel blocks joined on the channels, 2 images: the result keeps
// the blocked layout (each image's runs copied in turn).
TEST(Dnnl, ConcatOfBlockedConvolutions) {
  std::vector<int64_t> xd{2, 3, 5, 5}, ad{16, 3, 3, 3}, bd{32, 3, 3, 3};
  std::vector<int64_t> yad{2, 16, 5, 5}, ybd{2, 32, 5, 5}, yd{2, 48, 5, 5};
  auto x = Random(2 * 75, 50), wa = Random(16 * 27, 51), wb = Random(32 * 27, 52);
  Computation c;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  auto conv = [&](std::vector<int64_t> wd, std::vector<float>& w, std::vector<int64_t> od,
                  const char* w_id, const char* id) {
    return odla_Conv(in, odla_CreateConstant(Type(wd), w.data(), w_id), nullptr, Ints({1, 1}), 1,
                     Ints({1, 1, 1, 1}), Ints({1, 1}), Type(od), id);
  };
  odla_value ya = conv(ad, wa, yad, "wa", "a"), yb = conv(bd, wb, ybd, "wb", "b");
  odla_values cat_in{};
  cat_in.size = 2;
  cat_in.values[0] = ya;
  cat_in.values[1] = yb;
  odla_value cat = odla_Concat(cat_in, 1, Type(yd), "cat");
  ASSERT_TRUE(ya && yb && cat) << odla_GetLastErrorText();
  EXPECT_EQ(cat->layout != nullptr, ya->layout != nullptr);
  c.Output(cat);
  auto want_a = NaiveConv(x, xd, wa, ad, {}, yad, 1, 1, 1, 1, false);
  auto want_b = NaiveConv(x, xd, wb, bd, {}, ybd, 1, 1, 1, 1, false);
  std::vector<float> want;
  for (int n = 0; n < 2; ++n) {
    want.insert(want.end(), want_a.begin() + n * 16 * 25, want_a.begin() + (n + 1) * 16 * 25);
    want.insert(want.end(), want_b.begin() + n * 32 * 25, want_b.begin() + (n + 1) * 32 * 25);
  }
  ExpectNear(c.Run(x.data())[0], want);
}

// A computed residual Sum (another convolution's result) with Relu after it, 20 channels
// (padded blocks): read in place by the kernel or copied into the result first.
TEST(Dnnl, FusedConvAddsComputedSum) {
  std::vector<int64_t> xd{1, 3, 6, 6}, wd{20, 3, 3, 3}, yd{1, 20, 6, 6};
  auto x = Random(3 * 36, 60), w1 = Random(20 * 27, 61), w2 = Random(20 * 27, 62);
  auto b = Random(20, 63);
  Computation c;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  odla_value s = odla_Conv(in, odla_CreateConstant(Type(wd), w1.data(), "w1"), nullptr,
                           Ints({1, 1}), 1, Ints({1, 1, 1, 1}), Ints({1, 1}), Type(yd), "s");
  odla_value y = odla_FusedConv(in, odla_CreateConstant(Type(wd), w2.data(), "w2"),
                                odla_CreateConstant(Type({20}), b.data(), "b"), s, Ints({1, 1}), 1,
                                Ints({1, 1, 1, 1}), Ints({1, 1}), "Relu", 0, 0, Type(yd), "y");
  ASSERT_TRUE(s && y) << odla_GetLastErrorText();
  c.Output(y);
  c.Output(s);
  auto want_s = NaiveConv(x, xd, w1, wd, {}, yd, 1, 1, 1, 1, false);
  auto want = NaiveConv(x, xd, w2, wd, b, yd, 1, 1, 1, 1, false);
  for (size_t i = 0; i < want.size(); ++i) want[i] = std::max(want[i] + want_s[i], 0.0f);
  auto out = c.Run(x.data());
  ExpectNear(out[0], want);
  ExpectNear(out[1], want_s);
}

TEST(Dnnl, ConvTransposeWithGroupsAndOutputPadding) {
  std::vector<int64_t> xd{1, 4, 3, 3}, wd{4, 3, 3, 3}, yd{1, 6, 6, 6};
  auto x = Random(36, 9), w = Random(4 * 27, 10), b = Random(6, 11);
  Computation c;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  odla_value y = odla_ConvTranspose(in, odla_CreateConstant(Type(wd), w.data(), "w"),
                                    odla_CreateConstant(Type({6}), b.data(), "b"), Ints({1, 1}), 2,
                                    Ints({1, 1}), Ints({1, 1, 1, 1}), Ints({2, 2}), Type(yd), "y");
  c.Output(y);
  ExpectNear(c.Run(x.data())[0], NaiveConv(x, xd, w, wd, b, yd, 2, 2, 1, 1, true));
}

TEST(Dnnl, GemmScalesAndTransposes) {
  auto a = Random(3 * 4, 12), bm = Random(5 * 4, 13), cv = Random(5, 14);
  Computation c;
  odla_value A = odla_CreateArgument(Type({3, 4}), "a");
  odla_value y = odla_Gemm(A, odla_CreateConstant(Type({5, 4}), bm.data(), "b"),
                           odla_CreateConstant(Type({5}), cv.data(), "c"), 0.5f, 2.0f, 0, 1,
                           Type({3, 5}), "y");
  c.Output(y);
  std::vector<float> want(15);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) {
      float s = 0;
      for (int k = 0; k < 4; ++k) s += a[i * 4 + k] * bm[j * 4 + k];
      want[i * 5 + j] = 0.5f * s + 2.0f * cv[j];
    }
  ExpectNear(c.Run(a.data())[0], want);
}

TEST(Dnnl, MatMulBroadcastsBatches) {
  auto a = Random(2 * 4 * 3, 15), bm = Random(3 * 3 * 5, 16);
  Computation c;
  odla_value A = odla_CreateArgument(Type({2, 1, 4, 3}), "a");
  c.Output(odla_MatMul(A, odla_CreateConstant(Type({3, 3, 5}), bm.data(), "b"), Type({2, 3, 4, 5}),
                       "y"));
  std::vector<float> want(2 * 3 * 4 * 5);
  for (int p = 0; p < 2; ++p)
    for (int q = 0; q < 3; ++q)
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 5; ++j) {
          float s = 0;
          for (int k = 0; k < 3; ++k) s += a[(p * 4 + i) * 3 + k] * bm[(q * 3 + k) * 5 + j];
          want[((p * 3 + q) * 4 + i) * 5 + j] = s;
        }
  ExpectNear(c.Run(a.data())[0], want);
}

// float64, MaxPool's indices: not oneDNN's; the ref builders compute them.
TEST(Dnnl, UnsupportedCasesFallBackToRef) { ExpectFloat64ReluMaxPoolFallsBackToRef(); }

// The shared kernels' ParallelFor runs on OpenMP's threads (oneDNN's), not on a pool of its
// own; an exception thrown in a chunk reaches the caller, and later calls still run on all
// the threads.
TEST(Dnnl, SharedKernelsRunOnOpenMpThreads) {
  if (odla_rt::NumThreads() < 2) GTEST_SKIP() << "one thread (ODLA_NUM_THREADS)";
  auto expect_on_openmp = [] {
    std::atomic<int> chunks{0}, in_openmp{0};
    odla_rt::ParallelFor(64, 1, [&](int64_t, int64_t) {
      ++chunks;
      if (omp_in_parallel()) ++in_openmp;
    });
    EXPECT_GT(chunks.load(), 1);
    EXPECT_EQ(in_openmp.load(), chunks.load());
  };
  expect_on_openmp();
  EXPECT_THROW(odla_rt::ParallelFor(64, 1,
                                    [](int64_t, int64_t) {  // long enough for every thread
                                      std::this_thread::sleep_for(std::chrono::milliseconds(5));
                                      throw std::runtime_error("chunk");
                                    }),
               std::runtime_error);
  expect_on_openmp();
}

// Each context has its own scratch memory (reordered inputs, oneDNN scratchpads).
TEST(Dnnl, ContextsRunAtOnce) { ExpectContextsRunAtOnce(odla_Sigmoid, 4); }

}  // namespace

namespace odla_dnnl {
bool CpuHasBf16();
dnnl::engine& Engine();
}  // namespace odla_dnnl

namespace {

using namespace odla_test;

// y = relu(A x B + bias + s), A [2, 3, 4], B [4, 5] or [1, 4, 5]: computed as one [6, 4] x
// [4, 5] product.
TEST(Dnnl, MatMulByUnbatchedWeightsIsOneProduct) {
  auto a = Random(24, 20), bm = Random(20, 21), bias = Random(5, 22), s = Random(30, 23);
  std::vector<float> want(30);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 5; ++j) {
      float v = bias[j] + s[i * 5 + j];
      for (int k = 0; k < 4; ++k) v += a[i * 4 + k] * bm[k * 5 + j];
      want[i * 5 + j] = std::max(v, 0.0f);
    }
  for (std::vector<int64_t> bd : {std::vector<int64_t>{4, 5}, std::vector<int64_t>{1, 4, 5}}) {
    Computation c;
    odla_value A = odla_CreateArgument(Type({2, 3, 4}), "a");
    c.Output(odla_FusedMatMul(A, odla_CreateConstant(Type(bd), bm.data(), "b"),
                              odla_CreateConstant(Type({5}), bias.data(), "bias"),
                              odla_CreateConstant(Type({2, 3, 5}), s.data(), "s"), "Relu", 0, 0,
                              Type({2, 3, 5}), "y"));
    ExpectNear(c.Run(a.data())[0], want);
  }
}

// The exact GELU fused after a product (oneDNN's gelu_erf post-op).
TEST(Dnnl, FusedMatMulWithGelu) {
  auto a = Random(6 * 8, 24), bm = Random(8 * 5, 25), bias = Random(5, 26);
  std::vector<float> want(30);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 5; ++j) {
      double v = bias[j];
      for (int k = 0; k < 8; ++k) v += a[i * 8 + k] * bm[k * 5 + j];
      want[i * 5 + j] = static_cast<float>(v * (std::erf(v / std::sqrt(2.0)) + 1) * 0.5);
    }
  Computation c;
  odla_value A = odla_CreateArgument(Type({2, 3, 8}), "a");
  c.Output(odla_FusedMatMul(A, odla_CreateConstant(Type({8, 5}), bm.data(), "b"),
                            odla_CreateConstant(Type({5}), bias.data(), "bias"), nullptr, "Gelu", 0,
                            0, Type({2, 3, 5}), "y"));
  ExpectNear(c.Run(a.data())[0], want);
}

// LayerNormalization over the last axis of [2, 3, 8] and legacy Softmax from axis 1 compute
// on [6, 8] and [2, 24] views; their results are plain [2, 3, 8] for the oneDNN MatMuls.
TEST(Dnnl, NormalisedViewsFeedAProduct) {
  auto x = Random(48, 27), scale = Random(8, 28), bm = Random(8 * 5, 29);
  std::vector<float> ln(48), sm(48);
  for (int r = 0; r < 6; ++r) {
    const float* v = &x[r * 8];
    double mean = 0, var = 0;
    for (int k = 0; k < 8; ++k) mean += v[k] / 8.0;
    for (int k = 0; k < 8; ++k) var += (v[k] - mean) * (v[k] - mean) / 8.0;
    for (int k = 0; k < 8; ++k)
      ln[r * 8 + k] = static_cast<float>((v[k] - mean) / std::sqrt(var + 1e-5) * scale[k]);
  }
  for (int b = 0; b < 2; ++b) {
    double sum = 0;
    for (int k = 0; k < 24; ++k) sum += std::exp(x[b * 24 + k]);
    for (int k = 0; k < 24; ++k) sm[b * 24 + k] = static_cast<float>(std::exp(x[b * 24 + k]) / sum);
  }
  auto product = [&](const std::vector<float>& a) {
    std::vector<float> y(30, 0);
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 5; ++j)
        for (int k = 0; k < 8; ++k) y[i * 5 + j] += a[i * 8 + k] * bm[k * 5 + j];
    return y;
  };
  Computation c;
  odla_value X = odla_CreateArgument(Type({2, 3, 8}), "x");
  odla_value_types one{1, {Type({2, 3, 8})}};
  odla_values n = odla_LayerNormalization(X, odla_CreateConstant(Type({8}), scale.data(), "s"),
                                          nullptr, -1, 1e-5f, one, "ln");
  ASSERT_EQ(n.size, 1) << odla_GetLastErrorText();
  odla_value s = odla_Softmax(X, 1, 1, Type({2, 3, 8}), "sm");
  odla_value B = odla_CreateConstant(Type({8, 5}), bm.data(), "b");
  c.Output(odla_MatMul(n.values[0], B, Type({2, 3, 5}), "y"));
  c.Output(odla_MatMul(s, B, Type({2, 3, 5}), "z"));
  auto out = c.Run(x.data());
  ExpectNear(out[0], product(ln), 1e-4f);
  ExpectNear(out[1], product(sm), 1e-4f);
}

// --precision bf16: Conv and Gemm with bf16 operands (float32 accumulation) where the CPU
// has bf16 instructions: close to the float32 loops, and not equal to float32's results.
TEST(Dnnl, Bf16ProductsWhereTheCpuHasThem) {
  std::vector<int64_t> xd{1, 16, 6, 6}, wd{8, 16, 3, 3}, yd{1, 8, 4, 4};
  auto x = Random(16 * 36, 30), w = Random(8 * 16 * 9, 31), b = Random(8, 32);
  auto gb = Random(128 * 10, 33);
  auto want = NaiveConv(x, xd, w, wd, b, yd, 1, 1, 0, 1, false);
  std::vector<float> want_g(10, 0);
  for (int j = 0; j < 10; ++j)
    for (int k = 0; k < 128; ++k) want_g[j] += want[k] * gb[k * 10 + j];
  std::vector<std::vector<float>> got[2];
  for (int bf16 = 0; bf16 < 2; ++bf16) {
    Computation c;
    odla_precision p = bf16 ? ODLA_PRECISION_BF16 : ODLA_PRECISION_FP32;
    ASSERT_EQ(odla_SetComputationPrecision(c.comp, p), ODLA_SUCCESS);
    EXPECT_EQ(odla_rt::CurrentPrecision(),
              bf16 && odla_dnnl::CpuHasBf16() ? ODLA_PRECISION_BF16 : ODLA_PRECISION_FP32);
    odla_value in = odla_CreateArgument(Type(xd), "x");
    odla_value y = odla_Conv(in, odla_CreateConstant(Type(wd), w.data(), "w"),
                             odla_CreateConstant(Type({8}), b.data(), "b"), Ints({1, 1}), 1,
                             Ints({0, 0, 0, 0}), Ints({1, 1}), Type(yd), "y");
    odla_value flat = odla_Reshape(y, Type({1, 128}), "flat");
    c.Output(y);
    c.Output(odla_Gemm(flat, odla_CreateConstant(Type({128, 10}), gb.data(), "gb"), nullptr, 1, 1,
                       0, 0, Type({1, 10}), "g"));
    got[bf16] = c.Run(x.data());
  }
  ExpectNear(got[0][0], want);
  ExpectNear(got[0][1], want_g, 1e-3);
  ExpectNear(got[1][0], want, 0.05f);  // values of about 1 to 5: bf16's 8 bits
  ExpectNear(got[1][1], want_g, 0.5f);
  bool same = got[0][0] == got[1][0] && got[0][1] == got[1][1];
  EXPECT_EQ(same, !odla_dnnl::CpuHasBf16());
}

}  // namespace

namespace {

using namespace odla_test;

// Whether oneDNN takes the weights of a [2, k] x [k, n] float32 product in another layout than
// the plain one, as libodla_dnnl asks it (weights in any layout): AVX-512's brgemm blocks them,
// AVX2's gemm:jit (oneDNN 2.6) takes them as they are.
bool MatMulReordersWeights(int64_t k, int64_t n) {
  using dnnl::memory;
  const auto f32 = memory::data_type::f32;
  memory::desc a({2, k}, f32, memory::format_tag::ab), w({k, n}, f32, memory::format_tag::any),
      y({2, n}, f32, memory::format_tag::any);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, w, y), attr, odla_dnnl::Engine());
  return pd.weights_desc() != memory::desc({k, n}, f32, memory::format_tag::ab);
}

// Weights in a file mapping (as a compiled model's): once reordered for oneDNN, their plain
// pages leave the resident set, and a ref op that reads them at run time still gets them.
// Where oneDNN takes them plain (no copy), the mapping is the weights: its pages stay.
TEST(Dnnl, ReorderedConstantsLeaveTheResidentSet) {
  const int64_t K = 512, N = 1024;
  const bool reordered = MatMulReordersWeights(K, N);
  auto a = Random(2 * K, 40), w = Random(K * N, 41);
  size_t bytes = w.size() * sizeof(float);
  const float* map = MapFloats(w);
  ASSERT_NE(map, nullptr);
  std::vector<float> want(2 * N, 0);
  for (int i = 0; i < 2; ++i)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < N; ++j) want[i * N + j] += a[i * K + k] * w[k * N + j];
  std::vector<float> heap = w;  // not a file's: kept as it is
  for (const void* data : {static_cast<const void*>(map), static_cast<const void*>(heap.data())}) {
    Computation c;
    odla_value A = odla_CreateArgument(Type({2, K}), "a");
    odla_value W = odla_CreateConstant(Type({K, N}), data, "w");
    odla_value y = odla_Gemm(A, W, nullptr, 1, 1, 0, 0, Type({2, N}), "y");
    ASSERT_NE(y, nullptr) << odla_GetLastErrorText();
    if (data == map && reordered) {
      EXPECT_LT(MappingRssKb(map), static_cast<long>(bytes / 1024 / 8));
    } else if (data == map) {
      EXPECT_GT(MappingRssKb(map), static_cast<long>(bytes / 1024 / 2));
    }
    c.Output(y);
    c.Output(odla_Reshape(W, Type({K * N}), "flat"));  // a ref op reading the plain weights
    auto out = c.Run(a.data());
    ExpectNear(out[0], want, 1e-3);
    EXPECT_EQ(out[1], w);
  }
  munmap(const_cast<float*>(map), bytes);
}

}  // namespace
