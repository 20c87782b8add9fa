// libodla_xnnpack, linked statically (its builders must override the shared ones): results
// against plain loops, NHWC between XNNPACK ops and plain copies for the others,
// fallbacks to the ref builders, contexts running at once.
#include <gtest/gtest.h>
#include <odla/odla.h>
#include <odla/odla_ops.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "../../runtimes/xnnpack/xnn_rt.h"
#include "../runtime_test_util.h"

namespace {

using namespace odla_test;

TEST(Xnn, OverridesTheSharedBuilders) { EXPECT_STREQ(odla_GetRuntimeName(), "xnnpack"); }

TEST(Xnn, NhwcConversionsAreInverse) {
  const int64_t n = 2, c = 3, hw = 5;
  std::vector<float> x(n * c * hw), nhwc(x.size()), back(x.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  odla_xnn::NchwToNhwc(x.data(), nhwc.data(), n, c, hw);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t p = 0; p < hw; ++p)
        ASSERT_EQ(nhwc[(b * hw + p) * c + k], x[(b * c + k) * hw + p]) << b << " " << k << " " << p;
  odla_xnn::NhwcToNchw(nhwc.data(), back.data(), n, c, hw);
  EXPECT_EQ(back, x);
}

TEST(Xnn, NhwcLayoutConvertsToPlain) {
  odla_xnn::NhwcLayout layout({1, 2, 1, 3});
  EXPECT_GE(layout.Bytes(), 6 * sizeof(float) + XNN_EXTRA_BYTES);
  std::vector<float> nhwc{0, 10, 1, 11, 2, 12}, plain(6);
  const void* in[] = {nhwc.data()};
  void* out[] = {plain.data()};
  layout.ToPlain(Type({1, 2, 1, 3}))(odla_rt::KernelArgs{in, out, nullptr});
  EXPECT_EQ(plain, (std::vector<float>{0, 1, 2, 10, 11, 12}));
}

// Conv -> Relu -> Conv stay in NHWC; Reshape (ref) and the outputs get plain copies.
TEST(Xnn, NhwcBetweenXnnpackOps) {
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
  EXPECT_TRUE(odla_xnn::IsNhwc(y));
  EXPECT_TRUE(odla_xnn::IsNhwc(r));
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

// A Fire module: two convolutions (NHWC) concatenated along the channels with the plain input
// stay NHWC for the next convolution; a concatenation along another axis, or of plain values
// alone, is ref's.
TEST(Xnn, ConcatOfChannelsKeepsNhwc) {
  std::vector<int64_t> xd{2, 3, 5, 5}, w1d{4, 3, 1, 1}, w2d{6, 3, 3, 3}, cd{2, 13, 5, 5},
      w3d{7, 13, 1, 1}, zd{2, 7, 5, 5};
  auto x = Random(2 * 3 * 25, 21), w1 = Random(4 * 3, 22), w2 = Random(6 * 27, 23),
       w3 = Random(7 * 13, 24);
  Computation c;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  auto conv = [&](odla_value v, const std::vector<float>& w, std::vector<int64_t> wd,
                  std::vector<int64_t> yd, int64_t pad, const char* id) {
    return odla_Conv(v, odla_CreateConstant(Type(wd), w.data(), (std::string(id) + "w").c_str()),
                     nullptr, Ints({1, 1}), 1, Ints({pad, pad, pad, pad}), Ints({1, 1}), Type(yd),
                     id);
  };
  odla_value e1 = conv(in, w1, w1d, {2, 4, 5, 5}, 0, "e1");
  odla_value e2 = conv(in, w2, w2d, {2, 6, 5, 5}, 1, "e2");
  odla_values parts{};
  parts.size = 3;
  parts.values[0] = e1;
  parts.values[1] = in;  // plain: copied into NHWC
  parts.values[2] = e2;
  odla_value cat = odla_Concat(parts, 1, Type(cd), "cat");
  odla_value z = conv(cat, w3, w3d, zd, 0, "z");
  ASSERT_TRUE(e1 && e2 && cat && z) << odla_GetLastErrorText();
  EXPECT_TRUE(odla_xnn::IsNhwc(cat));
  EXPECT_EQ(e1->plain, nullptr);  // no plain copies: the concatenation reads NHWC
  EXPECT_EQ(e2->plain, nullptr);
  odla_values plain{};
  plain.size = 2;
  plain.values[0] = in;
  plain.values[1] = in;
  odla_value both = odla_Concat(plain, 1, Type({2, 6, 5, 5}), "both");
  odla_values rows{};
  rows.size = 2;
  rows.values[0] = e1;
  rows.values[1] = e1;
  odla_value tall = odla_Concat(rows, 2, Type({2, 4, 10, 5}), "tall");
  ASSERT_TRUE(both && tall) << odla_GetLastErrorText();
  EXPECT_FALSE(odla_xnn::IsNhwc(both));
  EXPECT_FALSE(odla_xnn::IsNhwc(tall));
  c.Output(cat);
  c.Output(z);
  c.Output(tall);
  auto out = c.Run(x.data());

  auto y1 = NaiveConv(x, xd, w1, w1d, {}, {2, 4, 5, 5}, 1, 1, 0, 1, false);
  auto y2 = NaiveConv(x, xd, w2, w2d, {}, {2, 6, 5, 5}, 1, 1, 1, 1, false);
  std::vector<float> want_cat, want_tall;
  for (int64_t n = 0; n < 2; ++n) {
    want_cat.insert(want_cat.end(), y1.begin() + n * 100, y1.begin() + (n + 1) * 100);
    want_cat.insert(want_cat.end(), x.begin() + n * 75, x.begin() + (n + 1) * 75);
    want_cat.insert(want_cat.end(), y2.begin() + n * 150, y2.begin() + (n + 1) * 150);
    for (int64_t ch = 0; ch < 4; ++ch)
      for (int r = 0; r < 2; ++r)
        want_tall.insert(want_tall.end(), y1.begin() + (n * 4 + ch) * 25,
                         y1.begin() + (n * 4 + ch + 1) * 25);
  }
  ExpectNear(out[0], want_cat);
  ExpectNear(out[1], NaiveConv(want_cat, cd, w3, w3d, {}, zd, 1, 1, 0, 1, false));
  ExpectNear(out[2], want_tall);
}

TEST(Xnn, FusedConvAddsSumThenActivation) {
  std::vector<int64_t> xd{2, 8, 5, 5}, wd{8, 2, 3, 3}, yd{2, 8, 3, 3};
  auto x = Random(2 * 8 * 25, 5), w = Random(8 * 2 * 9, 6), b = Random(8, 7);
  auto s = Random(2 * 8 * 9, 8);
  for (const char* act : {"Relu", "HardSigmoid", "Clip", "", "Sigmoid", "LeakyRelu", "Elu"}) {
    Computation c;
    odla_value in = odla_CreateArgument(Type(xd), "x");
    odla_value sum = odla_CreateConstant(Type(yd), s.data(), "s");
    odla_value y =
        odla_FusedConv(in, odla_CreateConstant(Type(wd), w.data(), "w"),
                       odla_CreateConstant(Type({8}), b.data(), "b"), sum, Ints({2, 2}), 4,
                       Ints({2, 2, 2, 2}), Ints({2, 2}), act, 0.2f, 0.4f, Type(yd), "y");
    c.Output(y);
    EXPECT_EQ(odla_xnn::IsNhwc(y), std::string(act) != "HardSigmoid") << act;
    auto want = NaiveConv(x, xd, w, wd, b, yd, 4, 2, 2, 2, false);
    for (size_t i = 0; i < want.size(); ++i) {
      float v = want[i] + s[i];
      want[i] = v;
      if (std::string(act) == "Relu") want[i] = std::max(v, 0.0f);
      if (std::string(act) == "HardSigmoid")
        want[i] = std::max(0.0f, std::min(1.0f, 0.2f * v + 0.4f));
      if (std::string(act) == "Clip") want[i] = std::max(0.2f, std::min(0.4f, v));
      if (std::string(act) == "Sigmoid") want[i] = 1 / (1 + std::exp(-v));
      if (std::string(act) == "LeakyRelu") want[i] = v < 0 ? 0.2f * v : v;
      if (std::string(act) == "Elu") want[i] = v < 0 ? 0.2f * std::expm1(v) : v;
    }
    ExpectNear(c.Run(x.data())[0], want);
  }
}

// Pooling of an NHWC value and of a plain one; Add of NHWC and a per-channel constant.
TEST(Xnn, PoolingAndBroadcastingAdd) {
  std::vector<int64_t> xd{1, 2, 4, 4};
  auto x = Random(32, 20), bias = Random(2, 21);
  Computation c;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  odla_value mp = odla_MaxPool(in, 0, Ints({}), Ints({2, 2}), Ints({0, 0, 0, 0}), 0, Ints({2, 2}),
                               odla_value_types{1, {Type({1, 2, 2, 2})}}, "mp")
                      .values[0];
  odla_value ap =
      odla_AveragePool(in, 0, 0, Ints({3, 3}), Ints({1, 1, 1, 1}), Ints({1, 1}), Type(xd), "ap");
  odla_value add =
      odla_Add(ap, odla_CreateConstant(Type({2, 1, 1}), bias.data(), "b"), Type(xd), "add");
  odla_value gap = odla_GlobalAveragePool(add, Type({1, 2, 1, 1}), "gap");
  ASSERT_TRUE(mp && ap && add && gap) << odla_GetLastErrorText();
  EXPECT_TRUE(odla_xnn::IsNhwc(mp) && odla_xnn::IsNhwc(ap) && odla_xnn::IsNhwc(add));
  c.Output(mp);
  c.Output(add);
  c.Output(gap);
  auto out = c.Run(x.data());
  auto at = [&](int64_t ch, int64_t i, int64_t j) { return x[(ch * 4 + i) * 4 + j]; };
  std::vector<float> want_mp, want_add(32), want_gap(2, 0);
  for (int64_t ch = 0; ch < 2; ++ch)
    for (int64_t i = 0; i < 4; i += 2)
      for (int64_t j = 0; j < 4; j += 2)
        want_mp.push_back(std::max(std::max(at(ch, i, j), at(ch, i, j + 1)),
                                   std::max(at(ch, i + 1, j), at(ch, i + 1, j + 1))));
  for (int64_t ch = 0; ch < 2; ++ch)
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t j = 0; j < 4; ++j) {
        float s = 0;
        int count = 0;  // count_include_pad = 0
        for (int64_t di = -1; di <= 1; ++di)
          for (int64_t dj = -1; dj <= 1; ++dj)
            if (i + di >= 0 && i + di < 4 && j + dj >= 0 && j + dj < 4) {
              s += at(ch, i + di, j + dj);
              ++count;
            }
        want_add[(ch * 4 + i) * 4 + j] = s / count + bias[ch];
        want_gap[ch] += want_add[(ch * 4 + i) * 4 + j] / 16;
      }
  ExpectNear(out[0], want_mp);
  ExpectNear(out[1], want_add);
  ExpectNear(out[2], want_gap);
}

// HardSwish of an XNNPACK result keeps NHWC; of a plain value it is ref's.
TEST(Xnn, HardSwishKeepsNhwc) {
  std::vector<int64_t> xd{1, 2, 3, 3};
  auto x = Random(18, 30), w = Random(4, 31);
  for (float& v : x) v *= 6;
  Computation c;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  odla_value y = odla_Conv(in, odla_CreateConstant(Type({2, 2, 1, 1}), w.data(), "w"), nullptr,
                           Ints({}), 1, Ints({}), Ints({}), Type(xd), "y");
  odla_value h = odla_HardSwish(y, Type(xd), "h");
  odla_value plain = odla_HardSwish(in, Type(xd), "p");
  ASSERT_TRUE(h && plain) << odla_GetLastErrorText();
  EXPECT_TRUE(odla_xnn::IsNhwc(h));
  EXPECT_EQ(plain->layout, nullptr);
  c.Output(h);
  c.Output(plain);
  auto out = c.Run(x.data());
  auto hs = [](float v) { return v * std::max(0.0f, std::min(1.0f, v / 6 + 0.5f)); };
  std::vector<float> want_h(18), want_p(18);
  for (int64_t ch = 0; ch < 2; ++ch)
    for (int64_t p = 0; p < 9; ++p) {
      want_h[ch * 9 + p] = hs(w[ch * 2] * x[p] + w[ch * 2 + 1] * x[9 + p]);
      want_p[ch * 9 + p] = hs(x[ch * 9 + p]);
    }
  ExpectNear(out[0], want_h);
  ExpectNear(out[1], want_p);
}

TEST(Xnn, ConvTransposeWithGroupsAndOutputPadding) {
  std::vector<int64_t> xd{1, 4, 3, 3}, wd{4, 3, 3, 3}, yd{1, 6, 6, 6};
  auto x = Random(36, 9), w = Random(4 * 27, 10), b = Random(6, 11);
  Computation c;
  odla_value in = odla_CreateArgument(Type(xd), "x");
  odla_value y = odla_ConvTranspose(in, odla_CreateConstant(Type(wd), w.data(), "w"),
                                    odla_CreateConstant(Type({6}), b.data(), "b"), Ints({1, 1}), 2,
                                    Ints({1, 1}), Ints({1, 1, 1, 1}), Ints({2, 2}), Type(yd), "y");
  c.Output(y);
  EXPECT_TRUE(odla_xnn::IsNhwc(y));
  ExpectNear(c.Run(x.data())[0], NaiveConv(x, xd, w, wd, b, yd, 2, 2, 1, 1, true));
}

// Softmax over the last axis, and legacy_2d's over all axes from 1.
TEST(Xnn, SoftmaxOfTrailingAxes) {
  auto x = Random(2 * 3 * 4, 40);
  for (int legacy : {0, 1}) {
    Computation c;
    odla_value in = odla_CreateArgument(Type({2, 3, 4}), "x");
    c.Output(odla_Softmax(in, legacy ? 1 : -1, legacy, Type({2, 3, 4}), "y"));
    int64_t group = legacy ? 12 : 4;
    std::vector<float> want(x.size());
    for (size_t g = 0; g < x.size() / group; ++g) {
      float m = -INFINITY, s = 0;
      for (int64_t i = 0; i < group; ++i) m = std::max(m, x[g * group + i]);
      for (int64_t i = 0; i < group; ++i) s += std::exp(x[g * group + i] - m);
      for (int64_t i = 0; i < group; ++i) want[g * group + i] = std::exp(x[g * group + i] - m) / s;
    }
    ExpectNear(c.Run(x.data())[0], want, 1e-6f);
  }
}

TEST(Xnn, GemmScalesAndTransposes) {
  auto a = Random(3 * 4, 12), bm = Random(5 * 4, 13), cv = Random(5, 14);
  for (int trans_b : {0, 1}) {
    Computation c;
    odla_value A = odla_CreateArgument(Type({3, 4}), "a");
    odla_value y = odla_Gemm(
        A,
        odla_CreateConstant(Type(trans_b ? std::vector<int64_t>{5, 4} : std::vector<int64_t>{4, 5}),
                            bm.data(), "b"),
        odla_CreateConstant(Type({5}), cv.data(), "c"), 0.5f, 2.0f, 0, trans_b, Type({3, 5}), "y");
    c.Output(y);
    std::vector<float> want(15);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j) {
        float s = 0;
        for (int k = 0; k < 4; ++k) s += a[i * 4 + k] * (trans_b ? bm[j * 4 + k] : bm[k * 5 + j]);
        want[i * 5 + j] = 0.5f * s + 2.0f * cv[j];
      }
    ExpectNear(c.Run(a.data())[0], want);
  }
}

TEST(Xnn, FusedMatMulOfBatchesClips) {
  auto a = Random(2 * 3 * 4, 15), bm = Random(4 * 5, 16), bias = Random(5, 17);
  Computation c;
  odla_value A = odla_CreateArgument(Type({2, 3, 4}), "a");
  c.Output(odla_FusedMatMul(A, odla_CreateConstant(Type({4, 5}), bm.data(), "b"),
                            odla_CreateConstant(Type({5}), bias.data(), "bias"), nullptr, "Clip",
                            -0.5f, 0.5f, Type({2, 3, 5}), "y"));
  std::vector<float> want(30);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 5; ++j) {
      float s = bias[j];
      for (int k = 0; k < 4; ++k) s += a[i * 4 + k] * bm[k * 5 + j];
      want[i * 5 + j] = std::max(-0.5f, std::min(0.5f, s));
    }
  ExpectNear(c.Run(a.data())[0], want);
}

TEST(Xnn, UnsupportedCasesFallBackToRef) { ExpectFloat64ReluMaxPoolFallsBackToRef(); }

// The threads that run n tasks of `ms` milliseconds each through `run`.
template <typename Run>
std::set<std::thread::id> ThreadsOf(Run run) {
  std::mutex mu;
  std::set<std::thread::id> ids;
  run([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // long enough for every thread
    std::lock_guard<std::mutex> l(mu);
    ids.insert(std::this_thread::get_id());
  });
  return ids;
}

// The shared kernels' ParallelFor runs on XNNPACK's pthreadpool (or the caller), not on a
// pool of its own; an exception thrown in a chunk reaches the caller, and later calls still
// run on those threads.
TEST(Xnn, SharedKernelsRunOnPthreadpool) {
  if (odla_rt::NumThreads() < 2) GTEST_SKIP() << "one thread (ODLA_NUM_THREADS)";
  auto pool = ThreadsOf([](auto task) {
    auto fn = [](void* t, size_t) { (*static_cast<decltype(task)*>(t))(); };
    pthreadpool_parallelize_1d(odla_xnn::Pool(), fn, &task, 64, 0);
  });
  pool.insert(std::this_thread::get_id());
  auto expect_on_pool = [&] {
    auto used = ThreadsOf(
        [](auto task) { odla_rt::ParallelFor(64, 1, [&](int64_t, int64_t) { task(); }); });
    EXPECT_GT(used.size(), 1u);
    for (auto id : used) EXPECT_TRUE(pool.count(id)) << "a chunk ran off XNNPACK's threads";
  };
  expect_on_pool();
  EXPECT_THROW(odla_rt::ParallelFor(64, 1,
                                    [](int64_t, int64_t) {
                                      std::this_thread::sleep_for(std::chrono::milliseconds(5));
                                      throw std::runtime_error("chunk");
                                    }),
               std::runtime_error);
  expect_on_pool();
}

// XNNPACK operators hold their last setup's pointers: contexts running at once take turns.
TEST(Xnn, ContextsRunAtOnce) { ExpectContextsRunAtOnce(odla_Relu, 8); }

}  // namespace
