// ONNX Runtime's com.microsoft operators that HALO translates (onnx_contrib_ms*.cc), with
// references computed here from their definitions, and the errors for the others.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "onnx_test_util.h"
#include "test_util.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT
using test::F32;

template <typename T>
onnx::TensorProto Raw(const std::string& name, int type, const std::vector<int64_t>& dims,
                      const std::vector<T>& v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)));
  return t;
}

std::vector<float> Values(int n, double seed) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[i] = static_cast<float>(std::sin(i * 0.61 + seed));
  return v;
}

// SkipLayerNormalization's output and its sum result; BiasAdd; FusedMatMul with transposes.
TEST(OnnxContribMs, SkipLayerNormBiasAddFusedMatMul) {
  onnx::ModelProto m = MsModel();
  In(m, "x", {2, 4});
  In(m, "skip", {2, 4});
  *m.mutable_graph()->add_initializer() = FloatProto("g", {4}, {1, 2, 0.5f, -1});
  *m.mutable_graph()->add_initializer() = FloatProto("b", {4}, {0.1f, 0, -0.2f, 0.3f});
  Attr(MsOp(m, "SkipLayerNormalization", {"x", "skip", "g", "", "b"}, {"y", "", "", "sum"}),
       "epsilon", onnx::AttributeProto::FLOAT)
      ->set_f(1e-5f);
  MsOp(m, "BiasAdd", {"x", "b", "skip"}, {"z"});
  auto* mm = MsOp(m, "FusedMatMul", {"x", "skip"}, {"p"});
  IntAttr(mm, "transB", 1);
  Attr(mm, "alpha", onnx::AttributeProto::FLOAT)->set_f(0.5f);
  for (const char* o : {"y", "sum", "z", "p"}) Out(m, o);
  std::vector<float> x = Values(8, 0.2), skip = Values(8, 1.3);
  std::vector<Tensor> out = RunModel(m, "skip_ln.onnx", {F32({2, 4}, x), F32({2, 4}, skip)});
  const float g[4] = {1, 2, 0.5f, -1}, b[4] = {0.1f, 0, -0.2f, 0.3f};
  for (int r = 0; r < 2; ++r) {
    double s[4], mean = 0, var = 0;
    for (int i = 0; i < 4; ++i) mean += s[i] = double(x[r * 4 + i]) + skip[r * 4 + i] + b[i];
    mean /= 4;
    for (double v : s) var += (v - mean) * (v - mean) / 4;
    for (int i = 0; i < 4; ++i) {
      EXPECT_NEAR(out[0].data<float>()[r * 4 + i], (s[i] - mean) / std::sqrt(var + 1e-5) * g[i],
                  1e-5);
      EXPECT_NEAR(out[1].data<float>()[r * 4 + i], s[i], 1e-6);
      EXPECT_NEAR(out[2].data<float>()[r * 4 + i], s[i], 1e-6);
    }
    for (int c = 0; c < 2; ++c) {
      double dot = 0;
      for (int i = 0; i < 4; ++i) dot += double(x[r * 4 + i]) * skip[c * 4 + i];
      EXPECT_NEAR(out[3].data<float>()[r * 2 + c], 0.5 * dot, 1e-6);
    }
  }
}

// QLinearAdd: dequantized, added, quantized (rounding halves to even, saturating).
TEST(OnnxContribMs, QLinearAdd) {
  onnx::ModelProto m = MsModel();
  In(m, "a", {4}, onnx::TensorProto::UINT8);
  In(m, "b", {4}, onnx::TensorProto::UINT8);
  *m.mutable_graph()->add_initializer() = FloatProto("sa", {}, {0.5f});
  *m.mutable_graph()->add_initializer() = FloatProto("sc", {}, {1.0f});
  *m.mutable_graph()->add_initializer() = Raw<uint8_t>("za", onnx::TensorProto::UINT8, {}, {10});
  MsOp(m, "QLinearAdd", {"a", "sa", "za", "b", "sa", "za", "sc", "za"}, {"y"});
  Out(m, "y", onnx::TensorProto::UINT8);
  Tensor a(Type(DataType::kUInt8, {4})), b(Type(DataType::kUInt8, {4}));
  const uint8_t av[4] = {10, 13, 255, 0}, bv[4] = {10, 12, 255, 0};
  for (int i = 0; i < 4; ++i) {
    a.mutable_data<uint8_t>()[i] = av[i];
    b.mutable_data<uint8_t>()[i] = bv[i];
  }
  Tensor y = RunModel(m, "qlinear_add.onnx", {a, b})[0];
  ASSERT_EQ(y.type(), Type(DataType::kUInt8, {4}));
  // (a - 10) * 0.5 + (b - 10) * 0.5 + 10: 10, 12.5 -> 12, 255 saturated, 0 (10 - 10 = 0).
  const uint8_t want[4] = {10, 12, 255, 0};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y.data<uint8_t>()[i], want[i]) << i;
}

// MatMulNBits: 4-bit weights of K = 20 (two blocks of 16, the second partly used), N = 2,
// packed zero points; the product against the unpacked weights, which stay packed in the IR.
TEST(OnnxContribMs, MatMulNBits) {
  const int k = 20, n = 2, block = 16, blocks = 2, blob = block / 2;
  std::vector<uint8_t> packed(n * blocks * blob), zp = {0x53, 0x9a};  // col 0: 3, 5; col 1: 10, 9
  for (size_t i = 0; i < packed.size(); ++i) packed[i] = static_cast<uint8_t>(i * 37 + 11);
  const std::vector<float> scales = {0.5f, 0.25f, 0.125f, 2.0f};
  onnx::ModelProto m = MsModel();
  In(m, "a", {1, k});
  *m.mutable_graph()->add_initializer() =
      Raw<uint8_t>("b", onnx::TensorProto::UINT8, {n, blocks, blob}, packed);
  *m.mutable_graph()->add_initializer() = FloatProto("s", {n, blocks}, scales);
  *m.mutable_graph()->add_initializer() = Raw<uint8_t>("z", onnx::TensorProto::UINT8, {n, 1}, zp);
  auto* op = MsOp(m, "MatMulNBits", {"a", "b", "s", "z"}, {"y"});
  IntAttr(op, "K", k);
  IntAttr(op, "N", n);
  IntAttr(op, "bits", 4);
  IntAttr(op, "block_size", block);
  Out(m, "y");
  std::vector<float> a = Values(k, 0.7);
  // The weights stay packed: after the pipeline, one MatMulNBits on the uint8 B.
  auto g = ImportOnnx(Save(m, "matmul_nbits.onnx"), {});
  RunPipeline(*g);
  int products = 0;
  for (const auto& node : g->nodes()) {
    ASSERT_NE(node->op(), "MatMul");
    if (node->op() != "MatMulNBits") continue;
    ++products;
    EXPECT_EQ(node->input(1)->type(), Type(DataType::kUInt8, {n, blocks, blob}));
  }
  EXPECT_EQ(products, 1);
  Tensor y = Executor(*g).Run({F32({1, k}, a)})[0];
  for (int c = 0; c < n; ++c) {
    double want = 0;
    for (int i = 0; i < k; ++i) {
      const int bl = i / block, at = i % block;
      const uint8_t byte = packed[(c * blocks + bl) * blob + at / 2];
      const int q = at % 2 ? byte >> 4 : byte & 15;
      const int zero = bl ? zp[c] >> 4 : zp[c] & 15;
      want += a[i] * (q - zero) * scales[c * blocks + bl];
    }
    EXPECT_NEAR(y.data<float>()[c], want, 1e-4) << c;
  }
}

// GatherBlockQuantized: rows of a table of 4-bit values packed in uint8 [3, 10] (20 a row:
// two blocks of 16, the second partly used), with packed zero points; index -1 is the last.
// The table stays packed in the IR.
TEST(OnnxContribMs, GatherBlockQuantized) {
  const int rows = 3, cols = 20, block = 16;
  std::vector<uint8_t> packed(rows * cols / 2), zp = {0x53, 0x9a, 0x08};
  for (size_t i = 0; i < packed.size(); ++i) packed[i] = static_cast<uint8_t>(i * 53 + 7);
  const std::vector<float> scales = {0.5f, 0.25f, 0.125f, 2.0f, 1.0f, 0.75f};
  onnx::ModelProto m = MsModel();
  In(m, "ids", {2}, onnx::TensorProto::INT64);
  *m.mutable_graph()->add_initializer() =
      Raw<uint8_t>("t", onnx::TensorProto::UINT8, {rows, cols / 2}, packed);
  *m.mutable_graph()->add_initializer() = FloatProto("s", {rows, 2}, scales);
  *m.mutable_graph()->add_initializer() =
      Raw<uint8_t>("z", onnx::TensorProto::UINT8, {rows, 1}, zp);
  IntAttr(MsOp(m, "GatherBlockQuantized", {"t", "ids", "s", "z"}, {"y"}), "block_size", block);
  Out(m, "y");
  Tensor ids(Type(DataType::kInt64, {2}));
  ids.mutable_data<int64_t>()[0] = 1;
  ids.mutable_data<int64_t>()[1] = -1;
  // The table stays packed: the rows are gathered from the uint8 table, then dequantized.
  auto g = ImportOnnx(Save(m, "gather_block_quantized.onnx"), {});
  RunPipeline(*g);
  int packed_gathers = 0;
  for (const auto& node : g->nodes()) {
    if (node->op() == "Constant") {
      EXPECT_NE(node->output()->type(), Type(DataType::kFloat32, {rows, cols}));
    }
    if (node->op() == "Gather" &&
        node->input(0)->type() == Type(DataType::kUInt8, {rows, cols / 2}))
      ++packed_gathers;
  }
  EXPECT_EQ(packed_gathers, 1);
  Tensor y = Executor(*g).Run({ids})[0];
  ASSERT_EQ(y.type(), Type(DataType::kFloat32, {2, cols}));
  for (int r = 0; r < 2; ++r) {
    const int row = r ? rows - 1 : 1;
    for (int c = 0; c < cols; ++c) {
      const uint8_t byte = packed[(row * cols + c) / 2];
      const int q = c % 2 ? byte >> 4 : byte & 15, bl = c / block;
      const int zero = bl ? zp[row] >> 4 : zp[row] & 15;
      EXPECT_EQ(y.data<float>()[r * cols + c], (q - zero) * scales[row * 2 + bl]) << r << " " << c;
    }
  }
}

// com.microsoft.GridSample (PyTorch's export before opset 16) is ONNX's GridSample-16: a grid
// on the pixel centres (align_corners) samples the input back; one outside it reads the
// border (padding_mode border).
TEST(OnnxContribMs, GridSample) {
  onnx::ModelProto m = MsModel(13);
  In(m, "x", {1, 1, 2, 3});
  // (x, y) in [-1, 1]: the six pixels, then (3, 0) outside on the right.
  *m.mutable_graph()->add_initializer() =
      FloatProto("g", {1, 1, 7, 2}, {-1, -1, 0, -1, 1, -1, -1, 1, 0, 1, 1, 1, 3, -1});
  auto* n = MsOp(m, "GridSample", {"x", "g"}, {"y"});
  IntAttr(n, "align_corners", 1);
  StrAttr(n, "padding_mode", "border");
  Out(m, "y");
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  Tensor y = RunModel(m, "ms_grid_sample.onnx", {F32({1, 1, 2, 3}, x)})[0];
  ASSERT_EQ(y.type(), Type(DataType::kFloat32, {1, 1, 1, 7}));
  const float want[7] = {1, 2, 3, 4, 5, 6, 3};
  for (int i = 0; i < 7; ++i) EXPECT_FLOAT_EQ(y.data<float>()[i], want[i]) << i;
}

// com.microsoft.Attention: the packed QKV product, 2 heads, and the masks of mask_index as
// ONNX Runtime applies them: a raw [B, T] mask, and [2B] ends and starts; masked keys get
// mask_filter_value (-10000) added.
TEST(OnnxContribMs, AttentionMasks) {
  const int s = 3, d = 4, heads = 2, hs = d / heads;
  const std::vector<float> x = Values(s * d, 0.1), w = Values(d * 3 * d, 0.2),
                           b = Values(3 * d, 0.3);
  auto run = [&](const std::vector<int32_t>& mask, const std::string& name) {
    onnx::ModelProto m = MsModel();
    In(m, "x", {1, s, d});
    *m.mutable_graph()->add_initializer() = FloatProto("w", {d, 3 * d}, w);
    *m.mutable_graph()->add_initializer() = FloatProto("b", {3 * d}, b);
    *m.mutable_graph()->add_initializer() =
        Raw<int32_t>("m", onnx::TensorProto::INT32,
                     mask.size() == 2 ? std::vector<int64_t>{2} : std::vector<int64_t>{1, s}, mask);
    IntAttr(MsOp(m, "Attention", {"x", "w", "b", "m"}, {"y"}), "num_heads", heads);
    Out(m, "y");
    return RunModel(m, name, {F32({1, s, d}, x)})[0];
  };
  // keep[j]: whether key j is kept.
  auto reference = [&](const std::vector<bool>& keep) {
    std::vector<double> qkv(static_cast<size_t>(s * 3 * d)), y(static_cast<size_t>(s * d));
    for (int i = 0; i < s; ++i)
      for (int c = 0; c < 3 * d; ++c) {
        double acc = b[c];
        for (int k = 0; k < d; ++k) acc += double(x[i * d + k]) * w[k * 3 * d + c];
        qkv[i * 3 * d + c] = acc;
      }
    for (int h = 0; h < heads; ++h)
      for (int i = 0; i < s; ++i) {
        std::vector<double> sc(s);
        double top = -1e300, sum = 0;
        for (int j = 0; j < s; ++j) {
          double dot = 0;
          for (int e = 0; e < hs; ++e)
            dot += qkv[i * 3 * d + h * hs + e] * qkv[j * 3 * d + d + h * hs + e];
          sc[j] = dot / std::sqrt(double(hs)) + (keep[j] ? 0 : -10000);
          top = std::max(top, sc[j]);
        }
        for (double& v : sc) sum += (v = std::exp(v - top));
        for (int e = 0; e < hs; ++e) {
          double acc = 0;
          for (int j = 0; j < s; ++j) acc += sc[j] / sum * qkv[j * 3 * d + 2 * d + h * hs + e];
          y[i * d + h * hs + e] = acc;
        }
      }
    return y;
  };
  const std::vector<std::pair<std::vector<int32_t>, std::vector<bool>>> cases = {
      {{1, 1, 0}, {true, true, false}},  // raw [B, T]
      {{3, 1}, {false, true, true}},     // [2B]: ends 3, starts 1
  };
  for (size_t c = 0; c < cases.size(); ++c) {
    Tensor y = run(cases[c].first, "ms_attention" + std::to_string(c) + ".onnx");
    std::vector<double> want = reference(cases[c].second);
    ASSERT_EQ(y.type(), Type(DataType::kFloat32, {1, s, d}));
    for (int i = 0; i < s * d; ++i) EXPECT_NEAR(y.data<float>()[i], want[i], 1e-5) << c << " " << i;
  }
}

// ONNX Runtime's SimplifiedLayerNormalization sits in the default domain: ONNX's checker
// does not know it, HALO reads it; other com.microsoft ops and other domains are named.
TEST(OnnxContribMs, SimplifiedLayerNormAndWhatIsRefused) {
  onnx::ModelProto m = Model(17);
  In(m, "x", {2, 3});
  *m.mutable_graph()->add_initializer() = FloatProto("g", {3}, {1, 2, 3});
  Op(m, "SimplifiedLayerNormalization", {"x", "g"}, {"y"});
  Out(m, "y");
  std::vector<float> x = Values(6, 0.4);
  Tensor y = RunModel(m, "simplified_ln.onnx", {F32({2, 3}, x)})[0];
  for (int r = 0; r < 2; ++r) {
    double sq = 0;
    for (int i = 0; i < 3; ++i) sq += double(x[r * 3 + i]) * x[r * 3 + i];
    for (int i = 0; i < 3; ++i)
      EXPECT_NEAR(y.data<float>()[r * 3 + i], x[r * 3 + i] / std::sqrt(sq / 3 + 1e-5) * (i + 1),
                  1e-5);
  }
  onnx::ModelProto bad = MsModel();
  In(bad, "x", {2});
  MsOp(bad, "PackedAttention", {"x"}, {"y"});
  Out(bad, "y");
  EXPECT_HAS(ImportError(Save(bad, "packed_attention.onnx")),
             "node 'PackedAttention' (PackedAttention): ONNX Runtime's operator "
             "com.microsoft.PackedAttention is not supported");
  bad.mutable_graph()->mutable_node(0)->set_domain("org.example");
  EXPECT_HAS(ImportError(Save(bad, "example.onnx")), "operator domain 'org.example'");
}

}  // namespace
}  // namespace halo
