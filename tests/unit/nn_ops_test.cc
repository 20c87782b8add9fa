// Neural-network ops: type/shape rules, and numbers through the executor (the ref runtime)
// against naive loops written here.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ir/op_registry.h"
#include "passes/passes.h"
#include "targets/executor.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;
using test::Floats;

Tensor Random(const Shape& s, int seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(NumElements(s));
  for (float& x : v) x = d(gen);
  return F32(s, v);
}

// Builds a one-node graph over graph inputs (plus optional constant inputs), infers types.
struct OneNode {
  Graph g;
  Node* node = nullptr;
  std::vector<Tensor> feeds;

  Value* In(const Tensor& t) {
    feeds.push_back(t);
    return g.AddInput("in" + std::to_string(feeds.size()), t.type());
  }
  Value* Const(const Tensor& t) { return g.AddConstant(g.UniqueName("k"), t); }
  Node* Add(const std::string& op, const std::vector<Value*>& ins, int outs = 1) {
    node = g.AddNode(op, "n", ins, outs);
    for (int i = 0; i < outs; ++i) g.AddOutput(node->output(i));
    return node;
  }
  Type Infer() {
    InferShapes(g);
    return node->output(0)->type();
  }
  std::vector<Tensor> Run() {
    RunPipeline(g);
    Executor ex(g);
    return ex.Run(feeds);
  }
};

std::string InferError(OneNode& t) {
  try {
    t.Infer();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-4f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tol * (1 + std::fabs(want[i]))) << "at " << i;
}

// ---- Rules ----

TEST(NNRules, ConvAutoPad) {
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
    OneNode t;
    t.Add("Conv", {t.In(Random({1, 2, 8, 7}, 1)), t.In(Random({4, 2, 2, 3}, 2))});
    t.node->set_attr("auto_pad", std::string(mode));
    t.node->set_attr("strides", std::vector<int64_t>{2, 2});
    EXPECT_EQ(t.Infer(), Type(DataType::kFloat32, {1, 4, 4, 4}));
    // H: out 4, total pad (4-1)*2+2-8 = 0; W: out 4, total (4-1)*2+3-7 = 2 -> 1 / 1.
    EXPECT_EQ(t.node->GetInts("pads"), (std::vector<int64_t>{0, 1, 0, 1})) << mode;
  }
  OneNode odd;
  odd.Add("Conv", {odd.In(Random({1, 1, 5}, 1)), odd.In(Random({1, 1, 2}, 2))});
  odd.node->set_attr("auto_pad", std::string("SAME_LOWER"));
  EXPECT_EQ(odd.Infer(), Type(DataType::kFloat32, {1, 1, 5}));
  EXPECT_EQ(odd.node->GetInts("pads"), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(odd.node->GetInts("strides"), (std::vector<int64_t>{1}));
  EXPECT_EQ(odd.node->GetInts("kernel_shape"), (std::vector<int64_t>{2}));
}

TEST(NNRules, ConvExplicitGeometryAndErrors) {
  OneNode t;
  t.Add("Conv",
        {t.In(Random({2, 6, 10, 9}, 1)), t.In(Random({8, 3, 3, 3}, 2)), t.In(Random({8}, 3))});
  t.node->set_attr("group", int64_t{2});
  t.node->set_attr("pads", std::vector<int64_t>{1, 0, 2, 1});
  t.node->set_attr("dilations", std::vector<int64_t>{2, 1});
  t.node->set_attr("strides", std::vector<int64_t>{1, 2});
  // H: (10 + 3 - 5) / 1 + 1 = 9; W: (9 + 1 - 3) / 2 + 1 = 4.
  EXPECT_EQ(t.Infer(), Type(DataType::kFloat32, {2, 8, 9, 4}));

  OneNode bad_channels;
  bad_channels.Add(
      "Conv", {bad_channels.In(Random({1, 5, 4, 4}, 1)), bad_channels.In(Random({4, 2, 1, 1}, 2))});
  bad_channels.node->set_attr("group", int64_t{2});
  EXPECT_NE(InferError(bad_channels).find("channels"), std::string::npos)
      << InferError(bad_channels);

  OneNode bad_group;
  bad_group.Add("Conv",
                {bad_group.In(Random({1, 4, 4, 4}, 1)), bad_group.In(Random({3, 2, 1, 1}, 2))});
  bad_group.node->set_attr("group", int64_t{2});
  EXPECT_NE(InferError(bad_group).find("divisible by group"), std::string::npos);

  OneNode bad_kernel;
  bad_kernel.Add("Conv",
                 {bad_kernel.In(Random({1, 1, 4, 4}, 1)), bad_kernel.In(Random({1, 1, 3, 3}, 2))});
  bad_kernel.node->set_attr("kernel_shape", std::vector<int64_t>{2, 2});
  EXPECT_NE(InferError(bad_kernel).find("kernel_shape"), std::string::npos);

  OneNode bad_bias;
  bad_bias.Add("Conv", {bad_bias.In(Random({1, 1, 4, 4}, 1)), bad_bias.In(Random({2, 1, 3, 3}, 2)),
                        bad_bias.In(Random({3}, 3))});
  EXPECT_NE(InferError(bad_bias).find("B must be"), std::string::npos);
}

TEST(NNRules, ConvTransposeOutputShape) {
  OneNode t;
  t.Add("ConvTranspose", {t.In(Random({1, 2, 3, 3}, 1)), t.In(Random({2, 3, 3, 3}, 2))});
  t.node->set_attr("strides", std::vector<int64_t>{2, 2});
  t.node->set_attr("output_shape", std::vector<int64_t>{6, 5});
  EXPECT_EQ(t.Infer(), Type(DataType::kFloat32, {1, 3, 6, 5}));
  // Full 7x7: H crops 1 (start 1, end 0), W crops 2 (1 / 1).
  EXPECT_EQ(t.node->GetInts("pads"), (std::vector<int64_t>{1, 1, 0, 1}));

  OneNode p;
  p.Add("ConvTranspose", {p.In(Random({1, 4, 3}, 1)), p.In(Random({4, 1, 3}, 2))});
  p.node->set_attr("group", int64_t{2});
  p.node->set_attr("strides", std::vector<int64_t>{3});
  p.node->set_attr("output_padding", std::vector<int64_t>{1});
  EXPECT_EQ(p.Infer(), Type(DataType::kFloat32, {1, 2, 10}));
}

TEST(NNRules, PoolShapes) {
  OneNode t;
  t.Add("MaxPool", {t.In(Random({1, 3, 5, 5}, 1))}, 2);
  t.node->set_attr("kernel_shape", std::vector<int64_t>{2, 2});
  t.node->set_attr("strides", std::vector<int64_t>{2, 2});
  t.node->set_attr("ceil_mode", int64_t{1});
  EXPECT_EQ(t.Infer(), Type(DataType::kFloat32, {1, 3, 3, 3}));
  EXPECT_EQ(t.node->output(1)->type(), Type(DataType::kInt64, {1, 3, 3, 3}));

  OneNode missing;
  missing.Add("AveragePool", {missing.In(Random({1, 3, 5, 5}, 1))});
  EXPECT_NE(InferError(missing).find("kernel_shape"), std::string::npos);

  OneNode g;
  g.Add("GlobalAveragePool", {g.In(Random({2, 3, 4, 5, 6}, 1))});
  EXPECT_EQ(g.Infer(), Type(DataType::kFloat32, {2, 3, 1, 1, 1}));
}

TEST(NNRules, GemmMatMulFlatten) {
  OneNode g;
  g.Add("Gemm", {g.In(Random({4, 3}, 1)), g.In(Random({5, 4}, 2)), g.In(Random({5}, 3))});
  g.node->set_attr("transA", int64_t{1});
  g.node->set_attr("transB", int64_t{1});
  EXPECT_EQ(g.Infer(), Type(DataType::kFloat32, {3, 5}));
  OneNode bad;
  bad.Add("Gemm", {bad.In(Random({4, 3}, 1)), bad.In(Random({4, 5}, 2))});
  EXPECT_NE(InferError(bad).find("inner dimensions"), std::string::npos);

  OneNode m;
  m.Add("MatMul", {m.In(Random({2, 1, 5, 7}, 1)), m.In(Random({3, 7, 4}, 2))});
  EXPECT_EQ(m.Infer(), Type(DataType::kFloat32, {2, 3, 5, 4}));
  OneNode v;
  v.Add("MatMul", {v.In(Random({7}, 1)), v.In(Random({2, 7, 4}, 2))});
  EXPECT_EQ(v.Infer(), Type(DataType::kFloat32, {2, 4}));

  OneNode f;
  f.Add("Flatten", {f.In(Random({2, 3, 4}, 1))});
  f.node->set_attr("axis", int64_t{-1});
  EXPECT_EQ(f.Infer(), Type(DataType::kFloat32, {6, 4}));
}

TEST(NNRules, ResizeAndTopKReadConstantInputs) {
  OneNode r;
  r.Add("Resize",
        {r.In(Random({1, 1, 3, 4}, 1)), nullptr, nullptr, r.Const(Tensor::FromInts({1, 1, 7, 2}))});
  EXPECT_EQ(r.Infer(), Type(DataType::kFloat32, {1, 1, 7, 2}));
  EXPECT_TRUE(r.node->GetFloats("scales").empty());

  OneNode s;
  s.Add("Resize", {s.In(Random({1, 1, 3, 4}, 1)), nullptr, s.Const(F32({4}, {1, 1, 2.5f, 0.6f}))});
  EXPECT_EQ(s.Infer(), Type(DataType::kFloat32, {1, 1, 7, 2}));

  OneNode k;
  k.Add("TopK", {k.In(Random({3, 5}, 1)), k.Const(Tensor::FromInts({2}))}, 2);
  EXPECT_EQ(k.Infer(), Type(DataType::kFloat32, {3, 2}));
  EXPECT_EQ(k.node->output(1)->type(), Type(DataType::kInt64, {3, 2}));
  EXPECT_EQ(k.node->GetInt("axis"), 1);

  OneNode big;
  big.Add("TopK", {big.In(Random({3, 5}, 1)), big.Const(Tensor::FromInts({6}))}, 2);
  EXPECT_NE(InferError(big).find("exceeds"), std::string::npos);
}

// ---- Numbers ----

std::vector<float> NaiveConv(const Tensor& x, const Tensor& w, const float* bias, int64_t group,
                             const std::vector<int64_t>& pads, const std::vector<int64_t>& strides,
                             const std::vector<int64_t>& dil, const Shape& ys) {
  const Shape& xs = x.type().shape;
  const Shape& ws = w.type().shape;
  int64_t cg = xs[1] / group, mg = ws[0] / group;
  std::vector<float> y(NumElements(ys));
  for (int64_t n = 0; n < ys[0]; ++n)
    for (int64_t m = 0; m < ys[1]; ++m)
      for (int64_t oy = 0; oy < ys[2]; ++oy)
        for (int64_t ox = 0; ox < ys[3]; ++ox) {
          double acc = bias ? bias[m] : 0;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t ky = 0; ky < ws[2]; ++ky)
              for (int64_t kx = 0; kx < ws[3]; ++kx) {
                int64_t iy = oy * strides[0] - pads[0] + ky * dil[0];
                int64_t ix = ox * strides[1] - pads[1] + kx * dil[1];
                if (iy < 0 || iy >= xs[2] || ix < 0 || ix >= xs[3]) continue;
                int64_t ci = m / mg * cg + c;
                acc += x.data<float>()[((n * xs[1] + ci) * xs[2] + iy) * xs[3] + ix] *
                       w.data<float>()[((m * cg + c) * ws[2] + ky) * ws[3] + kx];
              }
          y[((n * ys[1] + m) * ys[2] + oy) * ys[3] + ox] = static_cast<float>(acc);
        }
  return y;
}

TEST(NNNumeric, Conv2DVariants) {
  struct Case {
    Shape x, w;
    int64_t group;
    std::vector<int64_t> pads, strides, dil;
    bool bias;
  };
  std::vector<Case> cases = {
      {{1, 16, 20, 19}, {24, 16, 3, 3}, 1, {1, 1, 1, 1}, {1, 1}, {1, 1}, true},  // im2col GEMM
      {{2, 6, 11, 9}, {8, 3, 3, 2}, 2, {1, 0, 2, 1}, {2, 1}, {1, 2}, true},      // groups
      {{1, 8, 9, 10}, {8, 1, 3, 3}, 8, {1, 1, 1, 1}, {2, 1}, {1, 1}, true},      // depthwise
      {{1, 4, 7, 6}, {8, 1, 3, 3}, 4, {0, 1, 2, 0}, {1, 2}, {2, 1}, false},      // multiplier 2
      // Depthwise with rows of 32 outputs and more, in two blocks of rows; strides 3, dilations.
      {{1, 3, 70, 80}, {3, 1, 3, 3}, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, true},
      {{1, 2, 40, 100}, {2, 1, 3, 5}, 2, {2, 1, 0, 3}, {3, 3}, {2, 2}, true},
      {{2, 32, 7, 7}, {20, 32, 1, 1}, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, true},    // pointwise
      {{1, 300, 5, 6}, {7, 300, 1, 1}, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, false},  // K > block
  };
  int seed = 10;
  for (const Case& c : cases) {
    Tensor x = Random(c.x, seed++), w = Random(c.w, seed++), b = Random({c.w[0]}, seed++);
    OneNode t;
    std::vector<Value*> ins{t.In(x), t.In(w)};
    if (c.bias) ins.push_back(t.In(b));
    t.Add("Conv", ins);
    t.node->set_attr("group", c.group);
    t.node->set_attr("pads", c.pads);
    t.node->set_attr("strides", c.strides);
    t.node->set_attr("dilations", c.dil);
    auto out = t.Run();
    auto want = NaiveConv(x, w, c.bias ? b.data<float>() : nullptr, c.group, c.pads, c.strides,
                          c.dil, out[0].type().shape);
    ExpectNear(Floats(out[0]), want);
  }
}

TEST(NNNumeric, Conv3DAndDouble) {
  // A 3-D conv with a 1-deep kernel equals a 2-D conv per depth slice.
  Tensor x = Random({1, 3, 2, 6, 5}, 1), w = Random({4, 3, 1, 3, 3}, 2);
  OneNode t;
  t.Add("Conv", {t.In(x), t.In(w)});
  t.node->set_attr("pads", std::vector<int64_t>{0, 1, 1, 0, 1, 1});
  auto out = t.Run();
  ASSERT_EQ(out[0].type().shape, (Shape{1, 4, 2, 6, 5}));
  Tensor w2 = F32({4, 3, 3, 3}, Floats(w));
  for (int d = 0; d < 2; ++d) {
    std::vector<float> slice;
    for (int c = 0; c < 3; ++c)
      for (int i = 0; i < 30; ++i) slice.push_back(x.data<float>()[(c * 2 + d) * 30 + i]);
    auto want = NaiveConv(F32({1, 3, 6, 5}, slice), w2, nullptr, 1, {1, 1, 1, 1}, {1, 1}, {1, 1},
                          {1, 4, 6, 5});
    for (int m = 0; m < 4; ++m)
      for (int i = 0; i < 30; ++i)
        ASSERT_NEAR(out[0].data<float>()[(m * 2 + d) * 30 + i], want[m * 30 + i], 1e-4);
  }
  // float64 goes through the loop kernel.
  Tensor xd(Type(DataType::kFloat64, {1, 1, 3, 3})), wd(Type(DataType::kFloat64, {1, 1, 2, 2}));
  for (int i = 0; i < 9; ++i) xd.mutable_data<double>()[i] = i;
  for (int i = 0; i < 4; ++i) wd.mutable_data<double>()[i] = 1;
  OneNode d;
  d.Add("Conv", {d.In(xd), d.In(wd)});
  auto od = d.Run();
  std::vector<double> got(od[0].data<double>(), od[0].data<double>() + 4);
  EXPECT_EQ(got, (std::vector<double>{8, 12, 20, 24}));
}

TEST(NNNumeric, ConvTransposeMatchesScatter) {
  Tensor x = Random({2, 4, 3, 4}, 1), w = Random({4, 3, 3, 2}, 2), b = Random({6}, 3);
  OneNode t;
  t.Add("ConvTranspose", {t.In(x), t.In(w), t.In(b)});
  t.node->set_attr("group", int64_t{2});
  t.node->set_attr("strides", std::vector<int64_t>{2, 3});
  t.node->set_attr("pads", std::vector<int64_t>{1, 0, 0, 1});
  t.node->set_attr("dilations", std::vector<int64_t>{1, 2});
  auto out = t.Run();
  const Shape& ys = out[0].type().shape;
  // H: 2*2 + 3 - 1 = 6; W: 3*3 + 2*1 + 1 - 1 = 11.
  ASSERT_EQ(ys, (Shape{2, 6, 6, 11}));
  std::vector<float> want(NumElements(ys));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t m = 0; m < 6; ++m)
      for (int64_t i = 0; i < 66; ++i) want[(n * 6 + m) * 66 + i] = b.data<float>()[m];
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 4; ++c)
      for (int64_t ml = 0; ml < 3; ++ml)
        for (int64_t iy = 0; iy < 3; ++iy)
          for (int64_t ix = 0; ix < 4; ++ix)
            for (int64_t ky = 0; ky < 3; ++ky)
              for (int64_t kx = 0; kx < 2; ++kx) {
                int64_t oy = iy * 2 - 1 + ky, ox = ix * 3 + kx * 2;
                if (oy < 0 || oy >= 6 || ox < 0 || ox >= 11) continue;
                int64_t m = c / 2 * 3 + ml;
                want[((n * 6 + m) * 6 + oy) * 11 + ox] +=
                    x.data<float>()[((n * 4 + c) * 3 + iy) * 4 + ix] *
                    w.data<float>()[((c * 3 + ml) * 3 + ky) * 2 + kx];
              }
  ExpectNear(Floats(out[0]), want);
}

TEST(NNNumeric, GemmAndMatMul) {
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      int64_t m = 37, n = 53, k = 300;
      Tensor a = Random(ta ? Shape{k, m} : Shape{m, k}, 1 + ta),
             bm = Random(tb ? Shape{n, k} : Shape{k, n}, 3 + tb);
      Tensor c = Random({n}, 5);
      OneNode t;
      t.Add("Gemm", {t.In(a), t.In(bm), t.In(c)});
      t.node->set_attr("transA", int64_t{ta});
      t.node->set_attr("transB", int64_t{tb});
      t.node->set_attr("alpha", 0.5);
      t.node->set_attr("beta", 2.0);
      auto out = t.Run();
      std::vector<float> want(m * n);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double s = 0;
          for (int64_t p = 0; p < k; ++p)
            s += a.data<float>()[ta ? p * m + i : i * k + p] *
                 bm.data<float>()[tb ? j * k + p : p * n + j];
          want[i * n + j] = static_cast<float>(0.5 * s + 2.0 * c.data<float>()[j]);
        }
      ExpectNear(Floats(out[0]), want);
    }
  // Batched MatMul with broadcasting batch dimensions.
  Tensor a = Random({2, 1, 5, 7}, 7), b = Random({3, 7, 4}, 8);
  OneNode t;
  t.Add("MatMul", {t.In(a), t.In(b)});
  auto out = t.Run();
  std::vector<float> want(2 * 3 * 5 * 4);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int r = 0; r < 5; ++r)
        for (int q = 0; q < 4; ++q) {
          double s = 0;
          for (int p = 0; p < 7; ++p)
            s += a.data<float>()[(i * 5 + r) * 7 + p] * b.data<float>()[(j * 7 + p) * 4 + q];
          want[((i * 3 + j) * 5 + r) * 4 + q] = static_cast<float>(s);
        }
  ExpectNear(Floats(out[0]), want);
}

TEST(NNNumeric, Pools) {
  Tensor x = Random({1, 2, 5, 6}, 3);
  OneNode mp;
  mp.Add("MaxPool", {mp.In(x)}, 2);
  mp.node->set_attr("kernel_shape", std::vector<int64_t>{3, 2});
  mp.node->set_attr("strides", std::vector<int64_t>{2, 2});
  mp.node->set_attr("pads", std::vector<int64_t>{1, 0, 1, 0});
  auto out = mp.Run();
  OneNode ap;
  ap.Add("AveragePool", {ap.In(x)});
  ap.node->set_attr("kernel_shape", std::vector<int64_t>{3, 2});
  ap.node->set_attr("strides", std::vector<int64_t>{2, 2});
  ap.node->set_attr("pads", std::vector<int64_t>{1, 0, 1, 0});
  ap.node->set_attr("count_include_pad", int64_t{1});
  auto avg = ap.Run();
  ASSERT_EQ(out[0].type().shape, (Shape{1, 2, 3, 3}));
  for (int c = 0; c < 2; ++c)
    for (int oy = 0; oy < 3; ++oy)
      for (int ox = 0; ox < 3; ++ox) {
        float best = -1e30f;
        int64_t arg = -1;
        double sum = 0;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 2; ++kx) {
            int iy = oy * 2 - 1 + ky, ix = ox * 2 + kx;
            if (iy < 0 || iy >= 5) continue;
            float v = x.data<float>()[(c * 5 + iy) * 6 + ix];
            sum += v;
            if (v > best) best = v, arg = (c * 5 + iy) * 6 + ix;
          }
        int o = (c * 3 + oy) * 3 + ox;
        EXPECT_EQ(out[0].data<float>()[o], best);
        EXPECT_EQ(out[1].data<int64_t>()[o], arg);
        EXPECT_NEAR(avg[0].data<float>()[o], sum / 6, 1e-5);
      }
}

TEST(NNNumeric, Normalizations) {
  Tensor x = Random({2, 3, 4}, 1), s = Random({3}, 2), b = Random({3}, 3), mean = Random({3}, 4);
  Tensor var = F32({3}, {0.5f, 1.5f, 2.0f});
  OneNode bn;
  bn.Add("BatchNormalization", {bn.In(x), bn.In(s), bn.In(b), bn.In(mean), bn.In(var)});
  auto got = Floats(bn.Run()[0]);
  std::vector<float> want;
  for (int i = 0; i < 24; ++i) {
    int c = i / 4 % 3;
    want.push_back((x.data<float>()[i] - mean.data<float>()[c]) /
                       std::sqrt(var.data<float>()[c] + 1e-5f) * s.data<float>()[c] +
                   b.data<float>()[c]);
  }
  ExpectNear(got, want);

  // LayerNorm over the last two axes, with a Scale that broadcasts and the statistics.
  Tensor sc = Random({4}, 5);
  OneNode ln;
  ln.Add("LayerNormalization", {ln.In(x), ln.In(sc)}, 3);
  ln.node->set_attr("axis", int64_t{-2});
  auto outs = ln.Run();
  ASSERT_EQ(outs[1].type(), Type(DataType::kFloat32, {2, 1, 1}));
  for (int r = 0; r < 2; ++r) {
    double m = 0, v = 0;
    for (int i = 0; i < 12; ++i) m += x.data<float>()[r * 12 + i];
    m /= 12;
    for (int i = 0; i < 12; ++i) v += std::pow(x.data<float>()[r * 12 + i] - m, 2);
    double inv = 1 / std::sqrt(v / 12 + 1e-5);
    EXPECT_NEAR(outs[1].data<float>()[r], m, 1e-5);
    EXPECT_NEAR(outs[2].data<float>()[r], inv, 1e-4);
    for (int i = 0; i < 12; ++i)
      EXPECT_NEAR(outs[0].data<float>()[r * 12 + i],
                  (x.data<float>()[r * 12 + i] - m) * inv * sc.data<float>()[i % 4], 1e-4);
  }
}

TEST(NNNumeric, BatchNormTrainingMode) {
  Tensor x = Random({2, 3, 2, 2}, 11), s = Random({3}, 12), b = Random({3}, 13);
  Tensor mean = Random({3}, 14), var = F32({3}, {0.5f, 1.5f, 2.0f});
  OneNode bn;
  bn.Add("BatchNormalizationTraining", {bn.In(x), bn.In(s), bn.In(b), bn.In(mean), bn.In(var)}, 3);
  bn.node->set_attr("momentum", 0.8);
  bn.node->set_attr("epsilon", 1e-2);
  auto outs = bn.Run();
  ASSERT_EQ(outs.size(), 3u);
  ASSERT_EQ(outs[1].type(), Type(DataType::kFloat32, {3}));
  const float* xv = x.data<float>();
  for (int c = 0; c < 3; ++c) {
    // The batch mean and biased variance over n and the spatial positions.
    double m = 0, v = 0;
    for (int n = 0; n < 2; ++n)
      for (int i = 0; i < 4; ++i) m += xv[(n * 3 + c) * 4 + i];
    m /= 8;
    for (int n = 0; n < 2; ++n)
      for (int i = 0; i < 4; ++i) v += std::pow(xv[(n * 3 + c) * 4 + i] - m, 2);
    v /= 8;
    for (int n = 0; n < 2; ++n)
      for (int i = 0; i < 4; ++i) {
        int k = (n * 3 + c) * 4 + i;
        EXPECT_NEAR(outs[0].data<float>()[k],
                    (xv[k] - m) / std::sqrt(v + 1e-2) * s.data<float>()[c] + b.data<float>()[c],
                    1e-5);
      }
    EXPECT_NEAR(outs[1].data<float>()[c], mean.data<float>()[c] * 0.8 + m * 0.2, 1e-6);
    EXPECT_NEAR(outs[2].data<float>()[c], var.data<float>()[c] * 0.8 + v * 0.2, 1e-6);
  }
  // The inference op has one result.
  OneNode inf;
  inf.Add("BatchNormalization", {inf.In(x), inf.In(s), inf.In(b), inf.In(mean), inf.In(var)}, 3);
  EXPECT_NE(InferError(inf).find("BatchNormalizationTraining"), std::string::npos);
}

TEST(NNNumeric, ResizeLinearAndNearest) {
  // The ONNX example "resize_upsample_scales_linear" (half_pixel).
  OneNode lin;
  lin.Add("Resize",
          {lin.In(F32({1, 1, 2, 2}, {1, 2, 3, 4})), nullptr, lin.Const(F32({4}, {1, 1, 2, 2}))});
  lin.node->set_attr("mode", std::string("linear"));
  ExpectNear(Floats(lin.Run()[0]),
             {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
  // Nearest, asymmetric + floor, sizes given.
  OneNode nn;
  nn.Add("Resize", {nn.In(F32({1, 1, 1, 3}, {1, 2, 3})), nullptr, nullptr,
                    nn.Const(Tensor::FromInts({1, 1, 2, 5}))});
  nn.node->set_attr("coordinate_transformation_mode", std::string("asymmetric"));
  nn.node->set_attr("nearest_mode", std::string("floor"));
  ExpectNear(Floats(nn.Run()[0]), {1, 1, 2, 2, 3, 1, 1, 2, 2, 3});
}

TEST(NNNumeric, TopKAndDepthToSpace) {
  OneNode t;
  t.Add("TopK", {t.In(F32({2, 4}, {3, 1, 3, 2, -1, 5, 0, 5})), t.Const(Tensor::FromInts({3}))}, 2);
  auto out = t.Run();
  EXPECT_EQ(Floats(out[0]), (std::vector<float>{3, 3, 2, 5, 5, 0}));
  std::vector<int64_t> idx(out[1].data<int64_t>(), out[1].data<int64_t>() + 6);
  EXPECT_EQ(idx, (std::vector<int64_t>{0, 2, 3, 1, 3, 2}));

  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[i] = static_cast<float>(i);
  for (const char* mode : {"DCR", "CRD"}) {
    OneNode d;
    d.Add("DepthToSpace", {d.In(F32({1, 8, 1, 2}, v))});
    d.node->set_attr("blocksize", int64_t{2});
    d.node->set_attr("mode", std::string(mode));
    auto y = Floats(d.Run()[0]);
    ASSERT_EQ(y.size(), 16u);
    bool crd = std::string(mode) == "CRD";
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 4; ++w) {
          int i = h % 2, j = w % 2, ic = crd ? c * 4 + i * 2 + j : (i * 2 + j) * 2 + c;
          EXPECT_EQ(y[(c * 2 + h) * 4 + w], v[ic * 2 + w / 2]) << mode;
        }
    if (crd) continue;
    OneNode back;  // SpaceToDepth inverts DepthToSpace in DCR order
    back.Add("SpaceToDepth", {back.In(F32({1, 2, 2, 4}, y))});
    back.node->set_attr("blocksize", int64_t{2});
    EXPECT_EQ(Floats(back.Run()[0]), v);
  }
}

}  // namespace
}  // namespace halo
