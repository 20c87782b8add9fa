// The ops that write KV caches at per-entry rows: com.microsoft.GroupQueryAttention
// (onnx_contrib_ms_gqa.cc) against a reference computed here from ONNX Runtime's CPU
// semantics (cache rows from seqlens_k, rotary positions, the causal window), and ONNX's
// TensorScatter-24 (linear and circular); what they refuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "onnx_test_util.h"
#include "test_util.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT
using test::F32;

struct Case {
  const char* name;
  int b, s, p, t, window;
  std::vector<int32_t> seqlens;
};
constexpr int kN = 4, kKv = 2, kH = 4, kPositions = 8;

std::vector<float> Values(size_t n, double seed) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(std::sin(double(i) * 0.37 + seed));
  return v;
}

onnx::ModelProto GqaModel(const Case& c) {
  onnx::ModelProto m = MsModel();
  In(m, "q", {c.b, c.s, kN * kH});
  In(m, "k", {c.b, c.s, kKv * kH});
  In(m, "v", {c.b, c.s, kKv * kH});
  if (c.p) {
    In(m, "pk", {c.b, kKv, c.p, kH});
    In(m, "pv", {c.b, kKv, c.p, kH});
  }
  In(m, "seqlens", {c.b}, onnx::TensorProto::INT32);
  *m.mutable_graph()->add_initializer() = IntProto("total", onnx::TensorProto::INT32, {}, {c.t});
  *m.mutable_graph()->add_initializer() =
      FloatProto("cos", {kPositions, kH / 2}, Values(kPositions * kH / 2, 0.5));
  *m.mutable_graph()->add_initializer() =
      FloatProto("sin", {kPositions, kH / 2}, Values(kPositions * kH / 2, 1.5));
  onnx::NodeProto* n =
      Op(m, "GroupQueryAttention",
         {"q", "k", "v", c.p ? "pk" : "", c.p ? "pv" : "", "seqlens", "total", "cos", "sin"},
         {"y", "present_k", "present_v"}, "gqa");
  n->set_domain("com.microsoft");
  IntAttr(n, "num_heads", kN);
  IntAttr(n, "kv_num_heads", kKv);
  IntAttr(n, "do_rotary", 1);
  IntAttr(n, "local_window_size", c.window);
  for (const char* r : {"y", "present_k", "present_v"}) Out(m, r);
  return m;
}

// The reference: y [B, S, N * H] and the present caches [B, KV, L, H].
struct Want {
  std::vector<double> y, pk, pv;
};

Want Reference(const Case& c, const std::vector<float>& q, const std::vector<float>& k,
               const std::vector<float>& v, const std::vector<float>& pk,
               const std::vector<float>& pv) {
  const int len = std::max(c.t, c.p), half = kH / 2;
  const std::vector<float> cos = Values(kPositions * half, 0.5),
                           sin = Values(kPositions * half, 1.5);
  auto rotate = [&](const float* x, int pos, double* out) {
    for (int i = 0; i < half; ++i) {
      const double cs = cos[pos * half + i], sn = sin[pos * half + i];
      out[i] = x[i] * cs - x[i + half] * sn;
      out[i + half] = x[i + half] * cs + x[i] * sn;
    }
  };
  Want w;
  w.y.assign(size_t(c.b * c.s * kN * kH), 0);
  w.pk.assign(size_t(c.b * kKv * len * kH), 0);
  w.pv = w.pk;
  for (int b = 0; b < c.b; ++b) {
    const int past = c.s == c.t ? 0 : c.seqlens[b] + 1 - c.s;
    for (int g = 0; g < kKv; ++g)
      for (int j = 0; j < len; ++j) {
        double* rk = &w.pk[((b * kKv + g) * len + j) * kH];
        double* rv = &w.pv[((b * kKv + g) * len + j) * kH];
        if (j < past) {
          for (int e = 0; e < kH; ++e) {
            rk[e] = pk[((b * kKv + g) * c.p + j) * kH + e];
            rv[e] = pv[((b * kKv + g) * c.p + j) * kH + e];
          }
        } else if (j < past + c.s) {
          const int at = (b * c.s + j - past) * kKv * kH + g * kH;
          rotate(&k[at], j, rk);
          for (int e = 0; e < kH; ++e) rv[e] = v[at + e];
        }
      }
    for (int s = 0; s < c.s; ++s)
      for (int h = 0; h < kN; ++h) {
        const int a = past + s, g = h / (kN / kKv);
        double qr[kH];
        rotate(&q[(b * c.s + s) * kN * kH + h * kH], a, qr);
        const int from = c.window > 0 ? std::max(0, a - c.window + 1) : 0;
        std::vector<double> sc;
        double top = -1e300, sum = 0;
        for (int j = from; j <= a; ++j) {
          double dot = 0;
          for (int e = 0; e < kH; ++e) dot += qr[e] * w.pk[((b * kKv + g) * len + j) * kH + e];
          sc.push_back(dot / std::sqrt(double(kH)));
          top = std::max(top, sc.back());
        }
        for (double& x : sc) sum += (x = std::exp(x - top));
        for (int e = 0; e < kH; ++e) {
          double acc = 0;
          for (int j = from; j <= a; ++j)
            acc += sc[j - from] / sum * w.pv[((b * kKv + g) * len + j) * kH + e];
          w.y[(b * c.s + s) * kN * kH + h * kH + e] = acc;
        }
      }
  }
  return w;
}

void ExpectNear(const Tensor& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(size_t(got.type().NumElements()), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got.data<float>()[i], want[i], 2e-6) << what << " " << i;
}

// A decoding step of a padded batch (entries of 5 and 3 tokens in a cache of 4 rows), a
// subsequent prompt (3 tokens after 4), and a first prompt with right padding (the padding
// queries attend causally over the prompt's rows), with a local window of 2.
TEST(OnnxContribMsGqa, CacheRowsRotaryAndWindowAgainstReference) {
  const Case cases[] = {{"decode", 2, 1, 4, 5, -1, {4, 2}},
                        {"subsequent", 1, 3, 4, 7, -1, {6}},
                        {"first_prompt_window", 2, 3, 0, 3, 2, {2, 0}}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::vector<float> q = Values(size_t(c.b * c.s * kN * kH), 0.1),
                             k = Values(size_t(c.b * c.s * kKv * kH), 0.2),
                             v = Values(size_t(c.b * c.s * kKv * kH), 0.3),
                             pk = Values(size_t(c.b * kKv * c.p * kH), 0.4),
                             pv = Values(size_t(c.b * kKv * c.p * kH), 0.6);
    std::vector<Tensor> in = {F32({c.b, c.s, kN * kH}, q), F32({c.b, c.s, kKv * kH}, k),
                              F32({c.b, c.s, kKv * kH}, v)};
    if (c.p) {
      in.push_back(F32({c.b, kKv, c.p, kH}, pk));
      in.push_back(F32({c.b, kKv, c.p, kH}, pv));
    }
    Tensor seqlens(Type(DataType::kInt32, {c.b}));
    std::copy(c.seqlens.begin(), c.seqlens.end(), seqlens.mutable_data<int32_t>());
    in.push_back(seqlens);
    std::vector<Tensor> out = RunModel(GqaModel(c), std::string("gqa_") + c.name + ".onnx", in);
    const Want w = Reference(c, q, k, v, pk, pv);
    ExpectNear(out[0], w.y, "y");
    const int64_t len = std::max(c.t, c.p);
    EXPECT_EQ(out[1].type(), Type(DataType::kFloat32, {c.b, kKv, len, kH}));
    ExpectNear(out[1], w.pk, "present_k");
    ExpectNear(out[2], w.pv, "present_v");
  }
}

TEST(OnnxContribMsGqa, WhatIsRefused) {
  const Case c = {"refused", 1, 1, 4, 5, -1, {4}};
  onnx::ModelProto m = GqaModel(c);
  m.mutable_graph()->clear_initializer();
  In(m, "total", {1}, onnx::TensorProto::INT32);
  In(m, "cos", {kPositions, kH / 2});
  In(m, "sin", {kPositions, kH / 2});
  EXPECT_HAS(ImportError(Save(m, "gqa_total_input.onnx")),
             "node 'gqa' (GroupQueryAttention): 'total_sequence_length'");
  m = GqaModel(c);
  StrAttr(m.mutable_graph()->mutable_node(0), "k_quant_type", "PER_TENSOR");
  EXPECT_HAS(ImportError(Save(m, "gqa_quant.onnx")),
             "quantized KV caches (k_quant_type PER_TENSOR) are not supported");
  m = GqaModel(c);
  m.mutable_graph()->mutable_initializer(0)->set_int32_data(0, 0);
  EXPECT_HAS(ImportError(Save(m, "gqa_total.onnx")),
             "'total_sequence_length' must be one value of at least the 1 new tokens");
}

// TensorScatter: each entry's update rows at its write index, linearly and wrapping around.
TEST(OnnxTensorScatter, RowsAtWriteIndices) {
  const int64_t b = 2, heads = 2, len = 5, s = 2, d = 3;
  const std::vector<float> cache = Values(size_t(b * heads * len * d), 0.1),
                           update = Values(size_t(b * heads * s * d), 0.9);
  for (const std::string mode : {"linear", "circular"}) {
    SCOPED_TRACE(mode);
    const std::vector<int64_t> at =
        mode == "linear" ? std::vector<int64_t>{0, 3} : std::vector<int64_t>{3, 4};
    onnx::ModelProto m = Model(24);
    m.set_ir_version(11);
    In(m, "cache", {b, heads, len, d});
    In(m, "update", {b, heads, s, d});
    In(m, "at", {b}, onnx::TensorProto::INT64);
    StrAttr(Op(m, "TensorScatter", {"cache", "update", "at"}, {"y"}), "mode", mode);
    Out(m, "y");
    Tensor at_t(Type(DataType::kInt64, {b}));
    std::copy(at.begin(), at.end(), at_t.mutable_data<int64_t>());
    Tensor y = RunModel(m, "tensor_scatter_" + mode + ".onnx",
                        {F32({b, heads, len, d}, cache), F32({b, heads, s, d}, update), at_t})[0];
    std::vector<double> want(cache.begin(), cache.end());
    for (int64_t e = 0; e < b; ++e)
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < s; ++i)
          for (int64_t c = 0; c < d; ++c)
            want[((e * heads + h) * len + (at[e] + i) % len) * d + c] =
                update[((e * heads + h) * s + i) * d + c];
    ExpectNear(y, want, "y");
  }
  onnx::ModelProto m = Model(24);
  m.set_ir_version(11);
  In(m, "cache", {b, len});
  In(m, "update", {b, s});
  IntAttr(Op(m, "TensorScatter", {"cache", "update"}, {"y"}, "scatter"), "axis", 0);
  Out(m, "y");
  EXPECT_HAS(ImportError(Save(m, "tensor_scatter_axis0.onnx")),
             "node 'scatter' (TensorScatter): axis 0 is the batch axis");
}

}  // namespace
}  // namespace halo
