// ONNX Runtime's quantized com.microsoft operators of the QOperator format and of
// quantize_dynamic on optimized transformers: QLinearSoftmax and QLinearWhere against
// references computed here; QAttention and QEmbedLayerNormalization against
// com.microsoft.Attention and EmbedLayerNormalization on the dequantized values.
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
Tensor Of(DataType dt, const Shape& s, const std::vector<int>& v) {
  Tensor t(Type(dt, s));
  for (size_t i = 0; i < v.size(); ++i) t.mutable_data<T>()[i] = static_cast<T>(v[i]);
  return t;
}

// QLinearSoftmax (uint8, opset 13, the last axis): round(e * floor(1 / y_scale) / sum e) + zp
// with e = exp(x_scale * (x - max x)); QLinearWhere requantizes the chosen value.
TEST(OnnxContribMsQuant, QLinearSoftmaxAndWhere) {
  onnx::ModelProto m = MsModel();
  In(m, "x", {2, 3}, onnx::TensorProto::UINT8);
  In(m, "c", {2, 1}, onnx::TensorProto::BOOL);
  *m.mutable_graph()->add_initializer() = FloatProto("xs", {}, {0.1f});
  *m.mutable_graph()->add_initializer() = FloatProto("ys", {}, {1.0f / 255});
  *m.mutable_graph()->add_initializer() = FloatProto("zs", {}, {0.2f});
  *m.mutable_graph()->add_initializer() = IntProto("xz", onnx::TensorProto::UINT8, {}, {7});
  *m.mutable_graph()->add_initializer() = IntProto("yz", onnx::TensorProto::UINT8, {}, {3});
  IntAttr(MsOp(m, "QLinearSoftmax", {"x", "xs", "xz", "ys", "yz"}, {"p"}), "opset", 13);
  MsOp(m, "QLinearWhere", {"c", "x", "xs", "xz", "p", "ys", "yz", "zs", "xz"}, {"w"});
  Out(m, "p", onnx::TensorProto::UINT8);
  Out(m, "w", onnx::TensorProto::UINT8);
  const std::vector<int> x = {0, 20, 40, 250, 251, 100};
  std::vector<Tensor> out = RunModel(
      m, "qlinear_softmax_where.onnx",
      {Of<uint8_t>(DataType::kUInt8, {2, 3}, x), Of<uint8_t>(DataType::kBool, {2, 1}, {1, 0})});
  const float steps = std::floor(1.0f / (1.0f / 255));
  std::vector<int> p(6);
  for (int r = 0; r < 2; ++r) {
    const int top = *std::max_element(x.begin() + r * 3, x.begin() + r * 3 + 3);
    float e[3], sum = 0;
    for (int i = 0; i < 3; ++i) sum += e[i] = std::exp(0.1f * float(x[r * 3 + i] - top));
    for (int i = 0; i < 3; ++i)
      p[r * 3 + i] = std::min(255, static_cast<int>(std::nearbyint(e[i] * steps / sum)) + 3);
  }
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(out[0].data<uint8_t>()[i], p[i]) << i;
    // In float32, as the definition: row 0 takes x, row 1 the softmax.
    const float v = i < 3 ? float(x[i] - 7) * 0.1f : float(p[i] - 3) * (1.0f / 255);
    const float q = std::clamp(std::nearbyint(v / 0.2f) + 7, 0.0f, 255.0f);
    EXPECT_EQ(out[1].data<uint8_t>()[i], q) << i;
  }
}

// QAttention (uint8 input, int8 weights with per-column scales and zero points, a raw mask)
// equals com.microsoft.Attention on the dequantized input and weights.
TEST(OnnxContribMsQuant, QAttentionIsAttentionOfTheDequantized) {
  const int s = 3, d = 4, n = 3 * d;
  std::vector<int> xq(s * d), wq(d * n), wz(n);
  std::vector<float> ws(n), bias(n), xf(s * d), wf(d * n);
  for (int i = 0; i < s * d; ++i) xq[i] = (i * 37 + 11) % 256;
  for (int i = 0; i < d * n; ++i) wq[i] = (i * 53 + 5) % 256 - 128;
  for (int j = 0; j < n; ++j) {
    wz[j] = j % 5 - 2;
    ws[j] = 0.002f * float(j + 1);
    bias[j] = 0.1f * float(j % 3) - 0.1f;
  }
  for (int i = 0; i < s * d; ++i) xf[i] = float(xq[i] - 120) * 0.02f;
  for (int i = 0; i < d * n; ++i) wf[i] = float(wq[i] - wz[i % n]) * ws[i % n];
  onnx::ModelProto q = MsModel(), f = MsModel();
  for (onnx::ModelProto* m : {&q, &f}) {
    *m->mutable_graph()->add_initializer() = FloatProto("b", {n}, bias);
    *m->mutable_graph()->add_initializer() =
        IntProto("m", onnx::TensorProto::INT32, {1, s}, {1, 1, 0});
    Out(*m, "y");
  }
  In(q, "x", {1, s, d}, onnx::TensorProto::UINT8);
  *q.mutable_graph()->add_initializer() = IntProto("w", onnx::TensorProto::INT8, {d, n}, wq);
  *q.mutable_graph()->add_initializer() = FloatProto("xs", {}, {0.02f});
  *q.mutable_graph()->add_initializer() = FloatProto("ws", {n}, ws);
  *q.mutable_graph()->add_initializer() = IntProto("xz", onnx::TensorProto::UINT8, {}, {120});
  *q.mutable_graph()->add_initializer() = IntProto("wz", onnx::TensorProto::INT8, {n}, wz);
  IntAttr(MsOp(q, "QAttention", {"x", "w", "b", "xs", "ws", "m", "xz", "wz"}, {"y"}), "num_heads",
          2);
  In(f, "x", {1, s, d});
  *f.mutable_graph()->add_initializer() = FloatProto("w", {d, n}, wf);
  IntAttr(MsOp(f, "Attention", {"x", "w", "b", "m"}, {"y"}), "num_heads", 2);
  Tensor yq = RunModel(q, "qattention.onnx", {Of<uint8_t>(DataType::kUInt8, {1, s, d}, xq)})[0];
  Tensor yf = RunModel(f, "qattention_float.onnx", {F32({1, s, d}, xf)})[0];
  ASSERT_EQ(yq.type(), yf.type());
  for (int i = 0; i < s * d; ++i) EXPECT_NEAR(yq.data<float>()[i], yf.data<float>()[i], 1e-5) << i;
}

// QEmbedLayerNormalization (int8 tables, per-tensor scales and zero points) equals
// EmbedLayerNormalization on the dequantized tables; mask_index counts the mask's ones.
TEST(OnnxContribMsQuant, QEmbedLayerNormIsEmbedLayerNormOfTheDequantized) {
  const int s = 4, h = 3, vocab = 5;
  const char* names[] = {"we", "pe", "ga", "be"};
  const std::vector<int64_t> dims[] = {{vocab, h}, {s, h}, {h}, {h}};
  onnx::ModelProto q = MsModel(), f = MsModel();
  for (int t = 0; t < 4; ++t) {
    const int64_t count = dims[t].size() == 2 ? dims[t][0] * dims[t][1] : dims[t][0];
    std::vector<int> v(static_cast<size_t>(count));
    std::vector<float> deq(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = static_cast<int>((i * 29 + t * 7) % 256) - 128;
      deq[i] = float(v[i] - (t - 1)) * (0.01f * float(t + 1));
    }
    *q.mutable_graph()->add_initializer() = IntProto(names[t], onnx::TensorProto::INT8, dims[t], v);
    *q.mutable_graph()->add_initializer() =
        FloatProto(std::string(names[t]) + "_s", {}, {0.01f * float(t + 1)});
    *q.mutable_graph()->add_initializer() =
        IntProto(std::string(names[t]) + "_z", onnx::TensorProto::INT8, {}, {t - 1});
    *f.mutable_graph()->add_initializer() = FloatProto(names[t], dims[t], deq);
  }
  for (onnx::ModelProto* m : {&q, &f}) {
    In(*m, "ids", {1, s}, onnx::TensorProto::INT32);
    In(*m, "mask", {1, s}, onnx::TensorProto::INT32);
    Out(*m, "y");
    Out(*m, "mi", onnx::TensorProto::INT32);
  }
  MsOp(q, "QEmbedLayerNormalization",
       {"ids", "", "we", "pe", "", "ga", "be", "mask", "we_s", "pe_s", "", "ga_s", "be_s", "we_z",
        "pe_z", "", "ga_z", "be_z"},
       {"y", "mi"});
  MsOp(f, "EmbedLayerNormalization", {"ids", "", "we", "pe", "", "ga", "be", "mask"}, {"y", "mi"});
  const std::vector<Tensor> in = {Of<int32_t>(DataType::kInt32, {1, s}, {4, 0, 2, 2}),
                                  Of<int32_t>(DataType::kInt32, {1, s}, {1, 1, 1, 0})};
  std::vector<Tensor> yq = RunModel(q, "qembed.onnx", in), yf = RunModel(f, "qembed_f.onnx", in);
  for (int i = 0; i < s * h; ++i)
    EXPECT_NEAR(yq[0].data<float>()[i], yf[0].data<float>()[i], 1e-6) << i;
  EXPECT_EQ(yq[1].data<int32_t>()[0], 3);
}

}  // namespace
}  // namespace halo
