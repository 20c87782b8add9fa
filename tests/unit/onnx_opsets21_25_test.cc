// Models of opsets 21 to 25: GroupNormalization (18 and 21 meanings), the transformer ops of
// opset 23 (Attention, RotaryEmbedding, RMSNormalization), Swish (24), the newer attributes
// of QuantizeLinear and DequantizeLinear, and what is refused (TensorScatter: in
// onnx_kv_cache_test.cc). The references are computed
// here in double from the ONNX definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "onnx_test_util.h"
#include "targets/cpp_emitter.h"
#include "test_util.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT
using test::F32;

void FloatAttr(onnx::NodeProto* n, const std::string& name, float v) {
  Attr(n, name, onnx::AttributeProto::FLOAT)->set_f(v);
}

// Deterministic values in about [-2, 2].
std::vector<float> Values(int64_t n, double seed) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(2 * std::sin(i * 0.73 + seed));
  return v;
}

int64_t Count(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

Tensor Arg(const Shape& s, double seed) { return F32(s, Values(Count(s), seed)); }

void ExpectNear(const Tensor& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.type().NumElements(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got.data<float>()[i], want[i], tol * (1 + std::fabs(want[i]))) << "at " << i;
}

TEST(OnnxOpsets21To25, OpsetsUpTo25AreRead) {
  for (int opset : {21, 22, 23, 24, 25}) {
    onnx::ModelProto m = Model(opset);
    m.set_ir_version(11);
    In(m, "x", {2, 3});
    Op(m, "Relu", {"x"}, {"r"});
    auto* t = Op(m, "Transpose", {"r"}, {"y"});
    IntsAttr(t, "perm", {1, 0});
    Out(m, "y");
    EXPECT_EQ(ImportError(Save(m, "relu" + std::to_string(opset) + ".onnx")), "");
  }
  onnx::ModelProto m = Model(26);
  In(m, "x", {2});
  Op(m, "Relu", {"x"}, {"y"});
  Out(m, "y");
  EXPECT_HAS(ImportError(Save(m, "relu26.onnx")),
             "ONNX opset 26 is newer than HALO supports (7 to 25)");
}

// GroupNormalization over 2 groups of 2 channels: opset 18 scales each group, 21 each
// channel.
TEST(OnnxOpsets21To25, GroupNormalization) {
  const int64_t n = 2, c = 4, hw = 3, groups = 2;
  Tensor x = Arg({n, c, hw}, 0.5);
  for (int opset : {18, 21}) {
    const int64_t k = opset == 18 ? groups : c;
    std::vector<float> scale = Values(k, 1.5), bias = Values(k, 2.5);
    onnx::ModelProto m = Model(opset);
    In(m, "x", {n, c, hw});
    *m.mutable_graph()->add_initializer() = FloatProto("s", {k}, scale);
    *m.mutable_graph()->add_initializer() = FloatProto("b", {k}, bias);
    auto* g = Op(m, "GroupNormalization", {"x", "s", "b"}, {"y"});
    IntAttr(g, "num_groups", groups);
    FloatAttr(g, "epsilon", 1e-3f);
    Out(m, "y");
    Tensor y = RunModel(m, "group_norm" + std::to_string(opset) + ".onnx", {x})[0];
    std::vector<double> want(static_cast<size_t>(n * c * hw));
    const float* v = x.data<float>();
    const int64_t per = c / groups * hw;
    for (int64_t b = 0; b < n; ++b)
      for (int64_t gi = 0; gi < groups; ++gi) {
        const float* xs = v + (b * groups + gi) * per;
        double mean = 0, var = 0;
        for (int64_t i = 0; i < per; ++i) mean += xs[i];
        mean /= per;
        for (int64_t i = 0; i < per; ++i) var += (xs[i] - mean) * (xs[i] - mean);
        var /= per;
        for (int64_t i = 0; i < per; ++i) {
          const int64_t ch = gi * (c / groups) + i / hw, at = opset == 18 ? gi : ch;
          want[(b * groups + gi) * per + i] =
              (xs[i] - mean) / std::sqrt(var + 1e-3) * scale[at] + bias[at];
        }
      }
    ExpectNear(y, want, 1e-5);
  }
}

// RMSNormalization over the last two axes; Swish with alpha.
TEST(OnnxOpsets21To25, RmsNormalizationAndSwish) {
  onnx::ModelProto m = Model(24);
  In(m, "x", {2, 3, 4});
  *m.mutable_graph()->add_initializer() = FloatProto("s", {3, 4}, Values(12, 3.0));
  auto* r = Op(m, "RMSNormalization", {"x", "s"}, {"y"});
  IntAttr(r, "axis", -2);
  FloatAttr(r, "epsilon", 1e-4f);
  FloatAttr(Op(m, "Swish", {"x"}, {"z"}), "alpha", 1.5f);
  Out(m, "y");
  Out(m, "z");
  Tensor x = Arg({2, 3, 4}, 0.1);
  std::vector<Tensor> out = RunModel(m, "rms_swish.onnx", {x});
  const float* v = x.data<float>();
  std::vector<float> s = Values(12, 3.0);
  std::vector<double> want(24), swish(24);
  for (int b = 0; b < 2; ++b) {
    double sq = 0;
    for (int i = 0; i < 12; ++i) sq += double(v[b * 12 + i]) * v[b * 12 + i];
    for (int i = 0; i < 12; ++i)
      want[b * 12 + i] = v[b * 12 + i] / std::sqrt(sq / 12 + 1e-4) * s[i];
  }
  for (int i = 0; i < 24; ++i) swish[i] = v[i] / (1 + std::exp(-1.5 * v[i]));
  ExpectNear(out[0], want, 1e-5);
  ExpectNear(out[1], swish, 1e-5);
}

// RotaryEmbedding of [B, S, H * D] with position_ids, rotating the first 4 of 6 values of
// each head: in halves, and interleaved.
TEST(OnnxOpsets21To25, RotaryEmbedding) {
  const int64_t b = 2, s = 3, h = 2, d = 6, rot = 4, positions = 5;
  Tensor x = Arg({b, s, h * d}, 0.2);
  const std::vector<float> cos = Values(positions * rot / 2, 1.0), sin = Values(positions * 2, 2.0);
  const std::vector<int64_t> pos = {4, 0, 2, 1, 1, 3};
  for (int interleaved : {0, 1}) {
    onnx::ModelProto m = Model(23);
    In(m, "x", {b, s, h * d});
    *m.mutable_graph()->add_initializer() = FloatProto("c", {positions, rot / 2}, cos);
    *m.mutable_graph()->add_initializer() = FloatProto("s", {positions, rot / 2}, sin);
    onnx::TensorProto p;
    p.set_name("p");
    p.set_data_type(onnx::TensorProto::INT64);
    p.add_dims(b);
    p.add_dims(s);
    for (int64_t v : pos) p.add_int64_data(v);
    *m.mutable_graph()->add_initializer() = p;
    auto* n = Op(m, "RotaryEmbedding", {"x", "c", "s", "p"}, {"y"});
    IntAttr(n, "interleaved", interleaved);
    IntAttr(n, "num_heads", h);
    IntAttr(n, "rotary_embedding_dim", rot);
    Out(m, "y");
    Tensor y = RunModel(m, "rope" + std::to_string(interleaved) + ".onnx", {x})[0];
    const float* v = x.data<float>();
    std::vector<double> want(v, v + b * s * h * d);
    for (int64_t bs = 0; bs < b * s; ++bs)
      for (int64_t hi = 0; hi < h; ++hi)
        for (int64_t i = 0; i < rot / 2; ++i) {
          const int64_t base = (bs * h + hi) * d;
          const int64_t i1 = interleaved ? base + 2 * i : base + i;
          const int64_t i2 = interleaved ? base + 2 * i + 1 : base + i + rot / 2;
          const double c = cos[pos[bs] * rot / 2 + i], sn = sin[pos[bs] * rot / 2 + i];
          want[i1] = c * v[i1] - sn * v[i2];
          want[i2] = sn * v[i1] + c * v[i2];
        }
    ExpectNear(y, want, 1e-5);
  }
}

// Reference attention on [B, H, S, D] arrays: GQA (query head h reads KV head h / reps), the
// KV cache prepended, a causal bias and a bool mask over [S, L] (padded with false).
std::vector<double> RefAttention(const std::vector<float>& q, const std::vector<float>& k,
                                 const std::vector<float>& v, int64_t b, int64_t hq, int64_t hkv,
                                 int64_t s, int64_t l, int64_t d, double scale, bool causal,
                                 int64_t past, const std::vector<bool>* mask, int64_t mask_l) {
  std::vector<double> y(static_cast<size_t>(b * hq * s * d));
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t h = 0; h < hq; ++h) {
      const int64_t kh = h / (hq / hkv);
      for (int64_t i = 0; i < s; ++i) {
        std::vector<double> sc(static_cast<size_t>(l));
        double top = -INFINITY;
        for (int64_t j = 0; j < l; ++j) {
          double dot = 0;
          for (int64_t e = 0; e < d; ++e)
            dot +=
                double(q[((bi * hq + h) * s + i) * d + e]) * k[((bi * hkv + kh) * l + j) * d + e];
          sc[j] = dot * scale;
          if (causal && j > i + past) sc[j] = -INFINITY;
          if (mask && (j >= mask_l || !(*mask)[i * mask_l + j])) sc[j] = -INFINITY;
          top = std::max(top, sc[j]);
        }
        double sum = 0;
        for (double& x : sc) sum += (x = std::exp(x - top));
        for (int64_t e = 0; e < d; ++e) {
          double acc = 0;
          for (int64_t j = 0; j < l; ++j) acc += sc[j] / sum * v[((bi * hkv + kh) * l + j) * d + e];
          y[((bi * hq + h) * s + i) * d + e] = acc;
        }
      }
    }
  return y;
}

// Attention with 3-D inputs: 4 query heads over 2 KV heads, causal, with a KV cache of 2
// positions; present_key is the cache with the new keys.
TEST(OnnxOpsets21To25, AttentionGroupedCausalWithCache) {
  const int64_t b = 2, hq = 4, hkv = 2, s = 3, past = 2, d = 4, l = past + s;
  onnx::ModelProto m = Model(23);
  In(m, "q", {b, s, hq * d});
  In(m, "k", {b, s, hkv * d});
  In(m, "v", {b, s, hkv * d});
  In(m, "pk", {b, hkv, past, d});
  In(m, "pv", {b, hkv, past, d});
  auto* n = Op(m, "Attention", {"q", "k", "v", "", "pk", "pv"}, {"y", "present_k"});
  IntAttr(n, "q_num_heads", hq);
  IntAttr(n, "kv_num_heads", hkv);
  IntAttr(n, "is_causal", 1);
  Out(m, "y");
  Out(m, "present_k");
  Tensor q = Arg({b, s, hq * d}, 0.1), k = Arg({b, s, hkv * d}, 0.2), v = Arg({b, s, hkv * d}, 0.3),
         pk = Arg({b, hkv, past, d}, 0.4), pv = Arg({b, hkv, past, d}, 0.5);
  std::vector<Tensor> out = RunModel(m, "attention_gqa.onnx", {q, k, v, pk, pv});
  // To [B, H, S, D], the cache prepended.
  auto heads = [&](const Tensor& t, int64_t hn, int64_t len) {
    std::vector<float> r(static_cast<size_t>(b * hn * len * d));
    for (int64_t bi = 0; bi < b; ++bi)
      for (int64_t i = 0; i < len; ++i)
        for (int64_t h = 0; h < hn; ++h)
          for (int64_t e = 0; e < d; ++e)
            r[((bi * hn + h) * len + i) * d + e] =
                t.data<float>()[((bi * len + i) * hn + h) * d + e];
    return r;
  };
  auto cat = [&](const Tensor& cache, const std::vector<float>& now) {
    std::vector<float> r(static_cast<size_t>(b * hkv * l * d));
    for (int64_t bh = 0; bh < b * hkv; ++bh)
      for (int64_t j = 0; j < l; ++j)
        for (int64_t e = 0; e < d; ++e)
          r[(bh * l + j) * d + e] = j < past ? cache.data<float>()[(bh * past + j) * d + e]
                                             : now[(bh * s + j - past) * d + e];
    return r;
  };
  std::vector<float> kc = cat(pk, heads(k, hkv, s)), vc = cat(pv, heads(v, hkv, s));
  std::vector<double> y4 = RefAttention(heads(q, hq, s), kc, vc, b, hq, hkv, s, l, d,
                                        1 / std::sqrt(double(d)), true, past, nullptr, 0);
  std::vector<double> want(y4.size());  // back to [B, S, H * D]
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t h = 0; h < hq; ++h)
      for (int64_t i = 0; i < s; ++i)
        for (int64_t e = 0; e < d; ++e)
          want[((bi * s + i) * hq + h) * d + e] = y4[((bi * hq + h) * s + i) * d + e];
  ASSERT_EQ(out[0].type(), Type(DataType::kFloat32, {b, s, hq * d}));
  ExpectNear(out[0], want, 1e-5);
  ASSERT_EQ(out[1].type(), Type(DataType::kFloat32, {b, hkv, l, d}));
  ExpectNear(out[1], std::vector<double>(kc.begin(), kc.end()), 0);
}

// A bool mask shorter than the keys: the keys it does not cover are masked out (ONNX's
// definition pads it with false); scale given.
TEST(OnnxOpsets21To25, AttentionShortBoolMask) {
  const int64_t b = 1, h = 2, s = 3, l = 5, d = 4, mask_l = 4;
  onnx::ModelProto m = Model(23);
  In(m, "q", {b, h, s, d});
  In(m, "k", {b, h, l, d});
  In(m, "v", {b, h, l, d});
  In(m, "mask", {s, mask_l}, onnx::TensorProto::BOOL);
  FloatAttr(Op(m, "Attention", {"q", "k", "v", "mask"}, {"y"}), "scale", 0.4f);
  Out(m, "y");
  std::vector<bool> mask(static_cast<size_t>(s * mask_l));
  Tensor mt(Type(DataType::kBool, {s, mask_l}));
  for (int64_t i = 0; i < s * mask_l; ++i) {
    mask[i] = (i * 7 + 3) % 5 != 0;
    mt.mutable_data<bool>()[i] = mask[i];
  }
  Tensor q = Arg({b, h, s, d}, 0.6), k = Arg({b, h, l, d}, 0.7), v = Arg({b, h, l, d}, 0.8);
  Tensor y = RunModel(m, "attention_mask.onnx", {q, k, v, mt})[0];
  auto vec = [](const Tensor& t) {
    return std::vector<float>(t.data<float>(), t.data<float>() + t.type().NumElements());
  };
  ExpectNear(y,
             RefAttention(vec(q), vec(k), vec(v), b, h, h, s, l, d, 0.4, false, 0, &mask, mask_l),
             1e-5);
}

// Attention-24's nonpad_kv_seqlen, causal: batch b keeps key j for query i where
// j <= i + nonpad[b] - S.
TEST(OnnxOpsets21To25, AttentionNonPadCausal) {
  const int64_t b = 2, h = 2, s = 3, l = 6, d = 4;
  const std::vector<int64_t> nonpad = {5, 3};
  onnx::ModelProto m = Model(24);
  In(m, "q", {b, h, s, d});
  In(m, "k", {b, h, l, d});
  In(m, "v", {b, h, l, d});
  In(m, "n", {b}, onnx::TensorProto::INT64);
  IntAttr(Op(m, "Attention", {"q", "k", "v", "", "", "", "n"}, {"y"}), "is_causal", 1);
  Out(m, "y");
  Tensor q = Arg({b, h, s, d}, 0.9), k = Arg({b, h, l, d}, 1.1), v = Arg({b, h, l, d}, 1.2);
  Tensor n(Type(DataType::kInt64, {b}));
  for (int64_t i = 0; i < b; ++i) n.mutable_data<int64_t>()[i] = nonpad[i];
  Tensor y = RunModel(m, "attention_nonpad.onnx", {q, k, v, n})[0];
  std::vector<double> want;
  for (int64_t bi = 0; bi < b; ++bi) {
    auto part = [&](const Tensor& t, int64_t len) {
      const float* at = t.data<float>() + bi * h * len * d;
      return std::vector<float>(at, at + h * len * d);
    };
    std::vector<bool> mask(static_cast<size_t>(s * l));
    for (int64_t i = 0; i < s; ++i)
      for (int64_t j = 0; j < l; ++j) mask[i * l + j] = j <= i + nonpad[bi] - s;
    std::vector<double> one = RefAttention(part(q, s), part(k, l), part(v, l), 1, h, h, s, l, d,
                                           1 / std::sqrt(double(d)), false, 0, &mask, l);
    want.insert(want.end(), one.begin(), one.end());
  }
  ExpectNear(y, want, 1e-5);
}

onnx::TensorProto Ints(const std::string& name, const std::vector<int64_t>& v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_dims(static_cast<int64_t>(v.size()));
  for (int64_t x : v) t.add_int64_data(x);
  return t;
}

// CenterCropPad-18 pads one axis (the odd element at the end) and crops the other; AffineGrid
// maps the base grid by theta; Col2Im sums overlapping blocks.
TEST(OnnxOpsets21To25, CenterCropPadAffineGridCol2Im) {
  onnx::ModelProto m = Model(20);
  In(m, "x", {3, 5});
  In(m, "theta", {1, 2, 3});
  In(m, "cols", {1, 2, 4});
  *m.mutable_graph()->add_initializer() = Ints("crop", {4, 2});
  *m.mutable_graph()->add_initializer() = Ints("size", {1, 1, 2, 3});
  *m.mutable_graph()->add_initializer() = Ints("image", {2, 3});
  *m.mutable_graph()->add_initializer() = Ints("block", {1, 2});
  Op(m, "CenterCropPad", {"x", "crop"}, {"cropped"});
  Op(m, "AffineGrid", {"theta", "size"}, {"grid"});
  Op(m, "Col2Im", {"cols", "image", "block"}, {"image_out"});
  for (const char* o : {"cropped", "grid", "image_out"}) Out(m, o);
  Tensor x = Arg({3, 5}, 0.3), cols = Arg({1, 2, 4}, 0.4);
  const std::vector<float> th = {0.5f, -1, 0.25f, 2, 0.75f, -0.5f};
  std::vector<Tensor> out = RunModel(m, "spatial.onnx", {x, F32({1, 2, 3}, th), cols});
  ASSERT_EQ(out[0].type(), Type(DataType::kFloat32, {4, 2}));
  std::vector<double> crop(8, 0.0);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 2; ++c) crop[r * 2 + c] = x.data<float>()[r * 5 + c + 1];
  ExpectNear(out[0], crop, 0);
  ASSERT_EQ(out[1].type(), Type(DataType::kFloat32, {1, 2, 3, 2}));
  std::vector<double> grid;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      const double gx = -1 + (2.0 * j + 1) / 3, gy = -1 + (2.0 * i + 1) / 2;
      grid.push_back(th[0] * gx + th[1] * gy + th[2]);
      grid.push_back(th[3] * gx + th[4] * gy + th[5]);
    }
  ExpectNear(out[1], grid, 1e-6);
  // Blocks of 1x2 at the 2x2 positions of a 2x3 image: column j of block (r, c) lands on
  // pixel (r, c + j).
  std::vector<double> image(6, 0.0);
  const float* v = cols.data<float>();
  for (int j = 0; j < 2; ++j)
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 2; ++c) image[r * 3 + c + j] += v[j * 4 + r * 2 + c];
  ASSERT_EQ(out[2].type(), Type(DataType::kFloat32, {1, 1, 2, 3}));
  ExpectNear(out[2], image, 1e-6);
}

// DeformConv-19 with zero offsets and no mask samples the taps where Conv reads them: the
// same results as Conv (grouped, padded, strided, dilated); offsets of the wrong shape are
// named.
TEST(OnnxOpsets21To25, DeformConvWithoutOffsetsIsConv) {
  onnx::ModelProto m = Model(19);
  In(m, "x", {1, 4, 7, 6});
  In(m, "off", {1, 2 * 3 * 2 * 2, 4, 6});
  *m.mutable_graph()->add_initializer() = FloatProto("w", {6, 2, 3, 2}, Values(72, 0.3));
  *m.mutable_graph()->add_initializer() = FloatProto("b", {6}, Values(6, 0.9));
  for (const char* op : {"DeformConv", "Conv"}) {
    auto* n = op[0] == 'D' ? Op(m, op, {"x", "w", "off", "b"}, {"deformed"})
                           : Op(m, op, {"x", "w", "b"}, {"plain"});
    IntsAttr(n, "pads", {1, 0, 1, 2});
    IntsAttr(n, "strides", {2, 1});
    IntsAttr(n, "dilations", {1, 2});
    IntAttr(n, "group", 2);
    if (op[0] == 'D') IntAttr(n, "offset_group", 2);
  }
  Out(m, "deformed");
  Out(m, "plain");
  std::vector<Tensor> out =
      RunModel(m, "deform_conv.onnx",
               {Arg({1, 4, 7, 6}, 0.5), F32({1, 24, 4, 6}, std::vector<float>(96, 0.0f))});
  ASSERT_EQ(out[0].type(), out[1].type());
  ExpectNear(out[0], std::vector<double>(out[1].data<float>(), out[1].data<float>() + 144), 1e-5);
  m.mutable_graph()
      ->mutable_input(1)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(3)
      ->set_dim_value(5);
  EXPECT_HAS(ImportError(Save(m, "deform_conv_bad.onnx")),
             "'offset' f32[1x24x4x5] does not fit the input, kernel and attributes");
}

// The Bitwise ops of opset 18 on int32 and uint8, and the ODLA API version (1.5) that the
// generated code then asks for.
TEST(OnnxOpsets21To25, BitwiseOpsAndTheirApiVersion) {
  onnx::ModelProto m = Model(18);
  In(m, "a", {3}, onnx::TensorProto::INT32);
  In(m, "b", {1}, onnx::TensorProto::INT32);
  In(m, "u", {2}, onnx::TensorProto::UINT8);
  Op(m, "BitwiseAnd", {"a", "b"}, {"band"});
  Op(m, "BitwiseOr", {"a", "b"}, {"bor"});
  Op(m, "BitwiseXor", {"a", "b"}, {"bxor"});
  Op(m, "BitwiseNot", {"u"}, {"unot"});
  for (const char* o : {"band", "bor", "bxor"}) Out(m, o, onnx::TensorProto::INT32);
  Out(m, "unot", onnx::TensorProto::UINT8);
  auto g = ImportOnnx(Save(m, "bitwise18.onnx"), {});
  RunPipeline(*g);
  Tensor a = Tensor::FromInts({-1, 12, 0x7f00ff}, DataType::kInt32, {3});
  Tensor b = Tensor::FromInts({0x0f0f}, DataType::kInt32, {1});
  Tensor u(Type(DataType::kUInt8, {2}));
  u.mutable_data<uint8_t>()[1] = 0x5a;
  std::vector<Tensor> out = Executor(*g).Run({a, b, u});
  const int32_t av[3] = {-1, 12, 0x7f00ff};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out[0].data<int32_t>()[i], av[i] & 0x0f0f);
    EXPECT_EQ(out[1].data<int32_t>()[i], av[i] | 0x0f0f);
    EXPECT_EQ(out[2].data<int32_t>()[i], av[i] ^ 0x0f0f);
  }
  EXPECT_EQ(out[3].data<uint8_t>()[0], 0xff);
  EXPECT_EQ(out[3].data<uint8_t>()[1], 0xa5);
  EmitOptions o;
  o.output_cc = "out/bitwise.cc";
  std::string code;
  for (const auto& [file, text] : EmitCppSources(*g, o)) code += text;
  EXPECT_HAS(code, "odla_BitwiseXor(");
  EXPECT_HAS(code, "odla_CheckVersion(1, 5)");
}

// QuantizeLinear-21's output_dtype without a zero point; the attributes HALO refuses.
TEST(OnnxOpsets21To25, QuantizeOutputDtypeAndWhatIsRefused) {
  {
    onnx::ModelProto m = Model(21);
    In(m, "x", {4});
    *m.mutable_graph()->add_initializer() = FloatProto("s", {}, {0.5f});
    IntAttr(Op(m, "QuantizeLinear", {"x", "s"}, {"y"}), "output_dtype", onnx::TensorProto::INT8);
    Out(m, "y", onnx::TensorProto::INT8);
    Tensor y = RunModel(m, "quantize21.onnx", {F32({4}, {-70, -1.25f, 0.75f, 3})})[0];
    ASSERT_EQ(y.type(), Type(DataType::kInt8, {4}));
    EXPECT_EQ(y.data<int8_t>()[0], -128);  // saturated
    EXPECT_EQ(y.data<int8_t>()[1], -2);    // -2.5 rounds to even
    EXPECT_EQ(y.data<int8_t>()[2], 2);     // 1.5 rounds to even
    EXPECT_EQ(y.data<int8_t>()[3], 6);
  }
  auto error = [](int opset, const std::string& op, const std::vector<std::string>& ins,
                  const std::function<void(onnx::NodeProto*)>& attrs) {
    onnx::ModelProto m = Model(opset);
    m.set_ir_version(11);
    In(m, "x", {1, 2, 4, 8});
    In(m, "i", {1, 2, 4, 8}, onnx::TensorProto::INT8);
    In(m, "n", {1}, onnx::TensorProto::INT64);
    *m.mutable_graph()->add_initializer() = FloatProto("s", {}, {0.5f});
    attrs(Op(m, op, ins, {"y"}, "node"));
    Out(m, "y");
    try {
      RunPipeline(*ImportOnnx(Save(m, "refused21.onnx"), {}));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  auto none = [](onnx::NodeProto*) {};
  EXPECT_HAS(error(21, "QuantizeLinear", {"x", "s"},
                   [](onnx::NodeProto* n) { IntAttr(n, "block_size", 2); }),
             "node 'node' (QuantizeLinear): blocked quantization (block_size 2) needs a scale and "
             "zero point of shape [1x1x4x8]");
  EXPECT_HAS(
      error(23, "DequantizeLinear", {"i", "s"},
            [](onnx::NodeProto* n) { IntAttr(n, "output_dtype", onnx::TensorProto::FLOAT16); }),
      "attribute 'output_dtype' (f16) other than the scale's type (f32)");
  EXPECT_HAS(error(21, "QuantizeLinear", {"x", "s"},
                   [](onnx::NodeProto* n) { IntAttr(n, "output_dtype", 22 /* INT4 */); }),
             "names element type INT4, which HALO does not have");
  EXPECT_HAS(error(24, "Attention", {"x", "x", "x", "", "x", "x", "n"}, none),
             "node 'node' (Attention): 'nonpad_kv_seqlen' with 'past_key' and 'past_value' is "
             "not supported");
  EXPECT_HAS(error(24, "Attention", {"x", "x", "x", "", "", "", "i"}, none),
             "'nonpad_kv_seqlen' must be i64[1], got i8[1x2x4x8]");
  EXPECT_HAS(error(23, "Attention", {"x", "x", "x"},
                   [](onnx::NodeProto* n) {
                     FloatAttr(n, "softcap", 3);
                     n->add_output("");
                     n->add_output("");
                     n->add_output("qk");
                   }),
             "qk_matmul_output_mode 0 with a softcap is not supported");
  EXPECT_HAS(error(23, "RotaryEmbedding", {"x", "x", "x"}, none),
             "the cos and sin values must be f32[B, S, 4]");
  EXPECT_HAS(error(21, "GroupNormalization", {"x", "s", "s"},
                   [](onnx::NodeProto* n) { IntAttr(n, "num_groups", 2); }),
             "'scale' must have shape [2] (the channels) at this opset, got f32[]");
  EXPECT_HAS(error(24, "TensorScatter", {"x", "i"}, none),
             "node 'node' (TensorScatter): 'update' must be 'past_cache' but for at most 4 rows "
             "on axis 2");
  // An op of the translation that the element type rules out: the file and that node.
  onnx::ModelProto f16 = Model(23);
  for (const char* in : {"q", "k", "v"}) In(f16, in, {1, 2, 3, 4}, onnx::TensorProto::FLOAT16);
  Op(f16, "Attention", {"q", "k", "v"}, {"y"}, "attention");
  Out(f16, "y", onnx::TensorProto::FLOAT16);
  const std::string path = Save(f16, "attention_f16.onnx");
  EXPECT_HAS(ImportError(path), path + ": node 'attention/MatMul' (MatMul): element type f16");
}

}  // namespace
}  // namespace halo
