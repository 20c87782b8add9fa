// 4-bit tensors (INT4, UINT4: read widened to int8 / uint8), blocked quantization
// (QuantizeLinear and DequantizeLinear with block_size, opset 21) and uint16 quantization
// (ONNX Runtime's com.microsoft QuantizeLinear / DequantizeLinear), against references
// computed here from the ONNX definitions; and what is refused.
#include <gtest/gtest.h>

#include <cmath>

#include "onnx_test_util.h"
#include "test_util.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT
using test::F32;

constexpr int kUInt4 = 21, kInt4 = 22;

// A 4-bit tensor: two values a byte, the first in the low bits; in raw_data, or a byte per
// int32_data element.
onnx::TensorProto FourBit(const std::string& name, int type, const std::vector<int64_t>& dims,
                          const std::vector<int>& v, bool int32_data) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  std::string bytes((v.size() + 1) / 2, '\0');
  for (size_t i = 0; i < v.size(); ++i)
    bytes[i / 2] |= static_cast<char>((v[i] & 15) << (4 * (i % 2)));
  if (int32_data) {
    for (char b : bytes) t.add_int32_data(static_cast<uint8_t>(b));
  } else {
    t.set_raw_data(bytes);
  }
  return t;
}

onnx::ModelProto Model21() {
  onnx::ModelProto m = Model(21);
  m.set_ir_version(10);
  return m;
}

// W (INT4 [5, 3], an odd count of values, in raw_data or int32_data) dequantized in blocks of
// 2 rows with INT4 zero points, and a UINT4 W per column: (w - zp) * scale.
TEST(OnnxFourBit, BlockedAndPerAxisDequantize) {
  const std::vector<int> w = {-8, 7, -1, 3, 0, -5, 6, -2, 1, 4, -7, 2, -3, 5, -6};
  const std::vector<int> zp = {1, -1, 0, 2, -2, 3, -4, 0, 1};  // [3, 3]: ceil(5 / 2) blocks
  const std::vector<float> scale = {0.5f, 0.25f, 1, 2, 0.125f, 0.75f, 1.5f, 0.5f, 0.25f};
  for (bool int32_data : {false, true}) {
    onnx::ModelProto m = Model21();
    *m.mutable_graph()->add_initializer() = FourBit("w", kInt4, {5, 3}, w, int32_data);
    *m.mutable_graph()->add_initializer() = FourBit("zp", kInt4, {3, 3}, zp, int32_data);
    *m.mutable_graph()->add_initializer() = FloatProto("s", {3, 3}, scale);
    auto* dq = Op(m, "DequantizeLinear", {"w", "s", "zp"}, {"y"});
    IntAttr(dq, "axis", 0);
    IntAttr(dq, "block_size", 2);
    const std::vector<int> u = {15, 0, 8, 9, 1, 14};
    *m.mutable_graph()->add_initializer() = FourBit("u", kUInt4, {2, 3}, u, int32_data);
    *m.mutable_graph()->add_initializer() = FloatProto("su", {3}, {0.5f, 1, 2});
    Op(m, "DequantizeLinear", {"u", "su"}, {"yu"});  // per axis 1, zero point 0
    Out(m, "y");
    Out(m, "yu");
    std::vector<Tensor> out = RunModel(m, "four_bit.onnx", {});
    ASSERT_EQ(out[0].type(), Type(DataType::kFloat32, {5, 3}));
    for (int r = 0; r < 5; ++r)
      for (int c = 0; c < 3; ++c)
        EXPECT_EQ(out[0].data<float>()[r * 3 + c],
                  (w[r * 3 + c] - zp[r / 2 * 3 + c]) * scale[r / 2 * 3 + c])
            << int32_data << " " << r << " " << c;
    const float su[3] = {0.5f, 1, 2};
    for (int i = 0; i < 6; ++i) EXPECT_EQ(out[1].data<float>()[i], u[i] * su[i % 3]) << i;
  }
}

// QuantizeLinear in blocks of 3 along axis 1 (the last block partial): round halves to even,
// add the zero point, saturate.
TEST(OnnxFourBit, BlockedQuantize) {
  onnx::ModelProto m = Model21();
  In(m, "x", {2, 5});
  *m.mutable_graph()->add_initializer() = FloatProto("s", {2, 2}, {0.5f, 2, 0.25f, 1});
  *m.mutable_graph()->add_initializer() =
      IntProto("zp", onnx::TensorProto::INT8, {2, 2}, {1, -2, 0, 100});
  auto* q = Op(m, "QuantizeLinear", {"x", "s", "zp"}, {"q"});
  IntAttr(q, "block_size", 3);
  Out(m, "q", onnx::TensorProto::INT8);
  const std::vector<float> x = {1.25f, -0.75f, 100, 3, -5, 0.125f, -0.375f, 1, 29.5f, 27.5f};
  Tensor y = RunModel(m, "quantize_blocked.onnx", {F32({2, 5}, x)})[0];
  ASSERT_EQ(y.type(), Type(DataType::kInt8, {2, 5}));
  const float s[2][2] = {{0.5f, 2}, {0.25f, 1}};
  const int z[2][2] = {{1, -2}, {0, 100}};
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 5; ++c) {
      const double v = std::nearbyint(x[r * 5 + c] / s[r][c / 3]) + z[r][c / 3];
      EXPECT_EQ(y.data<int8_t>()[r * 5 + c], std::fmin(127, std::fmax(-128, v))) << r << " " << c;
    }
}

// com.microsoft.QuantizeLinear to uint16 per axis 1 (saturating at 0 and 65535), and back.
TEST(OnnxFourBit, MsUInt16PerAxis) {
  onnx::ModelProto m = MsModel();
  In(m, "x", {2, 3});
  *m.mutable_graph()->add_initializer() = FloatProto("s", {3}, {0.5f, 0.001f, 2});
  *m.mutable_graph()->add_initializer() =
      IntProto("zp", onnx::TensorProto::UINT16, {3}, {10, 32768, 65530});
  for (const char* op : {"QuantizeLinear", "DequantizeLinear"}) {
    auto* n = Op(m, op, {op[0] == 'Q' ? "x" : "q", "s", "zp"}, {op[0] == 'Q' ? "q" : "y"});
    n->set_domain("com.microsoft");
  }
  Out(m, "q", onnx::TensorProto::UINT16);
  Out(m, "y");
  const std::vector<float> x = {-7.25f, 0.0105f, 13, 1.25f, -40, 100};
  std::vector<Tensor> out = RunModel(m, "ms_uint16.onnx", {F32({2, 3}, x)});
  ASSERT_EQ(out[0].type(), Type(DataType::kUInt16, {2, 3}));
  const double s[3] = {0.5, 0.001, 2}, z[3] = {10, 32768, 65530};
  for (int i = 0; i < 6; ++i) {
    const double q = std::fmin(65535, std::fmax(0, std::nearbyint(x[i] / s[i % 3]) + z[i % 3]));
    EXPECT_EQ(out[0].data<uint16_t>()[i], q) << i;
    EXPECT_FLOAT_EQ(out[1].data<float>()[i], static_cast<float>((q - z[i % 3]) * s[i % 3])) << i;
  }
}

TEST(OnnxFourBit, WhatIsRefused) {
  onnx::ModelProto m = Model21();
  In(m, "x", {4});
  *m.mutable_graph()->add_initializer() = FloatProto("s", {}, {0.5f});
  *m.mutable_graph()->add_initializer() = FourBit("zp", kInt4, {}, {1}, false);
  Op(m, "QuantizeLinear", {"x", "s", "zp"}, {"q"}, "quantize");
  Out(m, "q", onnx::TensorProto::INT8);
  EXPECT_HAS(ImportError(Save(m, "quantize_int4.onnx")),
             "node 'quantize' (QuantizeLinear): a 4-bit zero point: HALO has no 4-bit element type "
             "to quantize to");
  onnx::ModelProto in = Model21();
  In(in, "w", {4}, kInt4);
  Op(in, "Identity", {"w"}, {"y"});
  Out(in, "y", kInt4);
  EXPECT_HAS(ImportError(Save(in, "int4_input.onnx")), "INT4");
  onnx::ModelProto blocked = Model21();
  In(blocked, "x", {2, 6});
  *blocked.mutable_graph()->add_initializer() = FloatProto("s", {2, 2}, {1, 1, 1, 1});
  IntAttr(Op(blocked, "QuantizeLinear", {"x", "s"}, {"q"}, "quantize"), "block_size", 2);
  Out(blocked, "q", onnx::TensorProto::UINT8);
  EXPECT_HAS(ImportError(Save(blocked, "blocked_scale.onnx")),
             "blocked quantization (block_size 2) needs a scale and zero point of shape [2x3]");
}

}  // namespace
}  // namespace halo
