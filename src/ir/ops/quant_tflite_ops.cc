// Quantized ops in the style of ONNX Runtime's com.microsoft QLinear* ops (QLinearAdd,
// QLinearMul, QLinearLeakyRelu, QLinearSigmoid, QLinearSoftmax, QLinearAveragePool,
// QLinearReduceMean, and QLinearTanh after them), their subtraction counterpart
// QLinearSub, and Requantize (one quantized type to another). Each takes per-tensor scales (float32
// scalars) and zero points; `rounding` selects the arithmetic: "onnx" dequantizes to float,
// computes, and quantizes rounding halves to even (ONNX Runtime's reference); "tflite" uses
// the fixed-point multipliers of the TensorFlow Lite reference kernels (bit-exact with them).
#include <algorithm>

#include "ir/ops/rules.h"

namespace halo {
namespace {

bool IsQ(DataType t) {
  return t == DataType::kInt8 || t == DataType::kUInt8 || t == DataType::kInt16;
}

void CheckRounding(InferContext& c) {
  const std::string& r = c.node()->GetString("rounding");
  c.check(r == "onnx" || r == "tflite", "rounding must be onnx or tflite, got ", r);
}

// A float32 scale at input i and an optional zero point at i + 1 of type `t`, per tensor.
void CheckScaleZp(InferContext& c, size_t i, const char* what, DataType t) {
  const Type& s = c.in(i);
  c.check(s.dtype == DataType::kFloat32 && s.NumElements() == 1 && s.Rank() <= 1, what,
          "_scale must be a float32 scalar, got ", s.ToString());
  if (i + 1 < c.num_inputs() && c.has_input(i + 1)) {
    const Type& z = c.in(i + 1);
    c.check(z.dtype == t && z.NumElements() == 1 && z.Rank() <= 1, what, "_zero_point must be a ",
            DataTypeName(t), " scalar, got ", z.ToString());
  }
}

// The result type: that of the zero point at input i when given, else `t`.
DataType ResultType(InferContext& c, size_t i, DataType t) {
  return i < c.num_inputs() && c.has_input(i) ? c.in(i).dtype : t;
}

void QLinearBinaryRule(InferContext& c) {
  CheckRounding(c);
  const Type& a = c.in(0);
  const Type& b = c.in(3);
  c.check(IsQ(a.dtype) && b.dtype == a.dtype, "A and B must both be int8, uint8 or int16, got ",
          a.ToString(), " and ", b.ToString());
  CheckScaleZp(c, 1, "A", a.dtype);
  CheckScaleZp(c, 4, "B", a.dtype);
  CheckScaleZp(c, 6, "C", a.dtype);
  c.check(ResultType(c, 7, a.dtype) == a.dtype, "C_zero_point must have A's type");
  c.set_out(Type(a.dtype, BroadcastShapes(a.shape, b.shape)));
}

// X, its scale and zero point at 1, 2, Y's at 3, 4 (of X's type).
void CheckUnaryQ(InferContext& c) {
  CheckRounding(c);
  const Type& x = c.in(0);
  c.check(IsQ(x.dtype), "X must be int8, uint8 or int16, got ", x.ToString());
  CheckScaleZp(c, 1, "X", x.dtype);
  CheckScaleZp(c, 3, "Y", x.dtype);
  c.check(ResultType(c, 4, x.dtype) == x.dtype, "Y_zero_point must have X's type");
}

void QLinearLeakyReluRule(InferContext& c) {
  CheckUnaryQ(c);
  c.set_out(Type(c.in(0).dtype, c.in(0).shape));
}

void QLinearSoftmaxRule(InferContext& c) {
  CheckRounding(c);
  const Type& x = c.in(0);
  c.check(IsQ(x.dtype), "X must be int8, uint8 or int16, got ", x.ToString());
  c.check(x.Rank() >= 1, "X must have rank 1 or more");
  c.node()->set_attr("axis", NormalizeAxis(c.node()->GetInt("axis"), x.Rank()));
  CheckScaleZp(c, 1, "x", x.dtype);
  DataType y = ResultType(c, 4, x.dtype);
  c.check(IsQ(y), "y_zero_point must be int8, uint8 or int16");
  CheckScaleZp(c, 3, "y", y);
  c.set_out(Type(y, x.shape));
}

void QLinearUnaryRule(InferContext& c) {
  CheckUnaryQ(c);
  c.set_out(Type(c.in(0).dtype, c.in(0).shape));
}

void QLinearAveragePoolRule(InferContext& c) {
  CheckUnaryQ(c);
  Node* n = c.node();
  const Type& x = c.in(0);
  c.check(x.Rank() == 4, "X must be [N, C, H, W], got ", x.ToString());
  std::vector<int64_t> k = n->GetInts("kernel_shape"), s = n->GetInts("strides"),
                       p = n->GetInts("pads");
  if (s.empty()) s = {1, 1};
  if (p.empty()) p = {0, 0, 0, 0};
  c.check(k.size() == 2 && s.size() == 2 && p.size() == 4,
          "kernel_shape and strides need 2 entries, pads 4");
  Shape out{x.shape[0], x.shape[1], 0, 0};
  for (int i = 0; i < 2; ++i) {
    c.check(k[i] >= 1 && s[i] >= 1 && p[i] >= 0 && p[i + 2] >= 0,
            "kernel_shape and strides must be positive, pads not negative");
    out[i + 2] = (x.shape[i + 2] + p[i] + p[i + 2] - k[i]) / s[i] + 1;
    c.check(out[i + 2] >= 1, "the window is larger than the padded input");
  }
  n->set_attr("strides", s);
  n->set_attr("pads", p);
  n->set_attr("count_include_pad", int64_t{n->GetInt("count_include_pad") != 0});
  c.set_out(Type(x.dtype, out));
}

void QLinearReduceMeanRule(InferContext& c) {
  CheckUnaryQ(c);
  Node* n = c.node();
  const Type& x = c.in(0);
  std::vector<int64_t> axes = n->GetInts("axes");
  for (int64_t& a : axes) a = NormalizeAxis(a, x.Rank());
  std::sort(axes.begin(), axes.end());
  c.check(std::adjacent_find(axes.begin(), axes.end()) == axes.end(), "'axes' repeats an axis");
  n->set_attr("axes", axes);
  bool keep = n->GetInt("keepdims") != 0;
  n->set_attr("keepdims", int64_t{keep});
  for (int64_t a : axes) c.check(x.shape[a] > 0, "a reduced axis is empty");
  c.set_out(Type(x.dtype, ReducedShape(x.shape, axes, keep)));
}

void RequantizeRule(InferContext& c) {
  CheckRounding(c);
  const Type& x = c.in(0);
  auto ok = [](DataType t) { return IsQ(t) || t == DataType::kInt32; };
  c.check(ok(x.dtype), "x must be int8, uint8, int16 or int32, got ", x.ToString());
  DataType y = c.in(4).dtype;
  c.check(ok(y), "y_zero_point must be int8, uint8, int16 or int32, got ", DataTypeName(y));
  CheckScaleZp(c, 1, "x", x.dtype);
  CheckScaleZp(c, 3, "y", y);
  c.set_out(Type(y, x.shape));
}

const char* kRounding =
    "onnx: float arithmetic, results rounded half to even; tflite: the fixed-point arithmetic "
    "of the TensorFlow Lite reference kernels";

OpDef& Binary(OpDef& d) {
  return d.In("A")
      .In("A_scale", "float32 scalar")
      .OptIn("A_zero_point", "scalar of A's type (default 0)")
      .In("B", "of A's type; broadcasts with A (numpy rules)")
      .In("B_scale", "float32 scalar")
      .OptIn("B_zero_point", "scalar of A's type (default 0)")
      .In("C_scale", "float32 scalar")
      .OptIn("C_zero_point", "scalar of A's type (default 0)")
      .Str("rounding", "onnx", kRounding)
      .Out("C")
      .Rule(QLinearBinaryRule);
}

}  // namespace

void RegisterTfliteLstmOps(OpRegistry& r);  // lstm_tflite_ops.cc

void RegisterQuantTfliteOps(OpRegistry& r) {
  RegisterTfliteLstmOps(r);
  Binary(
      r.Add("QLinearAdd")
          .Doc(
              "Quantized addition (com.microsoft): C = quantize(dequantize(A) + dequantize(B)); "
              "int8, "
              "uint8 or int16. tflite rounding: TFLite's ADD (inputs shifted left 20 bits for "
              "8-bit "
              "types, 15 for int16, rescaled to twice the larger input scale, summed, rescaled)."));
  Binary(
      r.Add("QLinearSub")
          .Doc("Quantized subtraction, the counterpart of QLinearAdd: C = quantize(dequantize(A) - "
               "dequantize(B)). tflite rounding: TFLite's SUB (as QLinearAdd)."));
  Binary(r.Add("QLinearMul")
             .Doc("Quantized multiplication (com.microsoft): C = quantize(dequantize(A) * "
                  "dequantize(B)); int8, uint8 or int16. tflite rounding: TFLite's MUL "
                  "(reference_integer_ops::Mul: (A - A_zero_point) * (B - B_zero_point) in "
                  "int32, one fixed-point multiplier A_scale * B_scale / C_scale)."));
  r.Add("QLinearLeakyRelu")
      .Doc(
          "Quantized leaky relu (com.microsoft): Y = quantize(x >= 0 ? x : alpha * x) with x = "
          "dequantize(X); int8, uint8 or int16. tflite rounding: TFLite's LEAKY_RELU (one "
          "fixed-point multiplier for each sign).")
      .In("X")
      .In("X_scale", "float32 scalar")
      .OptIn("X_zero_point", "scalar of X's type (default 0)")
      .In("Y_scale", "float32 scalar")
      .OptIn("Y_zero_point", "scalar of X's type (default 0)")
      .Float("alpha", 0.01, "slope for negative inputs")
      .Str("rounding", "onnx", kRounding)
      .Out("Y")
      .Rule(QLinearLeakyReluRule);
  r.Add("QLinearSoftmax")
      .Doc(
          "Quantized softmax (com.microsoft, opset-13 semantics: over one axis): Y = "
          "quantize(softmax(dequantize(X), axis)); Y has y_zero_point's type (default X's). "
          "tflite rounding: TFLite's fixed-point 8-bit softmax when X and Y are int8 or uint8, "
          "y_scale is 1/256 and y_zero_point the type's minimum (as TFLite requires), or X is "
          "8-bit and Y int16 with y_scale 2^-16 and y_zero_point -32768; TFLite's int16 softmax "
          "(exp and 1 / (1 + x) tables) when X and Y are int16 with zero points 0 and y_scale "
          "2^-15; otherwise, and with onnx rounding, in float, rounding halves to even.")
      .In("X")
      .In("X_scale", "float32 scalar")
      .OptIn("x_zero_point", "scalar of X's type (default 0)")
      .In("y_scale", "float32 scalar")
      .OptIn("y_zero_point", "int8, uint8 or int16 scalar (default 0 of X's type)")
      .Int("axis", -1, "the softmax axis (non-negative once lowered)")
      .Str("rounding", "onnx", kRounding)
      .Out("Y")
      .Rule(QLinearSoftmaxRule);
  r.Add("QLinearAveragePool")
      .Doc(
          "Quantized 2-D average pooling (com.microsoft, NCHW, explicit pads, no auto_pad or "
          "ceil_mode): Y = quantize(AveragePool(dequantize(X))); int8, uint8 or int16. tflite "
          "rounding: TFLite's AVERAGE_POOL_2D (reference_integer_ops::AveragePool), which needs "
          "X and Y quantized alike: the int32 sum of the window's elements inside X divided by "
          "their count (padding never counts), rounding halves away from zero.")
      .In("X")
      .In("x_scale", "float32 scalar")
      .OptIn("x_zero_point", "scalar of X's type (default 0)")
      .In("y_scale", "float32 scalar")
      .OptIn("y_zero_point", "scalar of X's type (default 0)")
      .Int("count_include_pad", 0, "1: padding counts in the divisor (onnx rounding only)")
      .Ints("kernel_shape", {}, "window size [kh, kw]")
      .Required()
      .Ints("pads", {}, "[top, left, bottom, right] (default zeros)")
      .Ints("strides", {}, "[sh, sw] (default ones)")
      .Str("rounding", "onnx", kRounding)
      .Out("Y")
      .Rule(QLinearAveragePoolRule);
  r.Add("QLinearReduceMean")
      .Doc(
          "Quantized mean over axes (com.microsoft): reduced = quantize(ReduceMean(dequantize("
          "data))); int8, uint8 or int16. tflite rounding: TFLite's MEAN "
          "(reference_ops::QuantizedMeanOrSum as TFLite Micro runs it): the int32 sum less "
          "count * data_zero_point, one fixed-point multiplier data_scale / reduced_scale with "
          "1 / count folded in, plus reduced_zero_point.")
      .In("data")
      .In("data_scale", "float32 scalar")
      .OptIn("data_zero_point", "scalar of data's type (default 0)")
      .In("reduced_scale", "float32 scalar")
      .OptIn("reduced_zero_point", "scalar of data's type (default 0)")
      .Ints("axes", {}, "reduced axes (sorted and non-negative once lowered)")
      .Required()
      .Int("keepdims", 1, "1: keep reduced axes with length 1")
      .Str("rounding", "onnx", kRounding)
      .Out("reduced")
      .Rule(QLinearReduceMeanRule);
  for (const char* op : {"QLinearSigmoid", "QLinearTanh"}) {
    bool tanh = op[7] == 'T';
    r.Add(op)
        .Doc(tanh ? "Quantized tanh (in the style of com.microsoft's QLinearSigmoid): Y = "
                    "quantize(tanh(dequantize(X))); int8, uint8 or int16. tflite rounding: "
                    "TFLite's TANH (reference_integer_ops::Tanh): int8 with Y at scale 1/128, "
                    "zero point 0 (gemmlowp's fixed-point tanh on Q4.27); int16 with zero "
                    "points 0 and Y at scale 2^-15 (TFLite's interpolated sigmoid table). "
                    "Otherwise, and with onnx rounding, in float, rounding halves to even."
                  : "Quantized sigmoid (com.microsoft): Y = quantize(sigmoid(dequantize(X))); "
                    "int8, uint8 or int16. tflite rounding: TFLite's LOGISTIC "
                    "(reference_integer_ops::Logistic): int8 with Y at scale 1/256, zero "
                    "point -128 (gemmlowp's fixed-point logistic on Q4.27); int16 with zero "
                    "points 0 and Y at scale 2^-15 (TFLite's interpolated sigmoid table). "
                    "Otherwise, and with onnx rounding, in float, rounding halves to even.")
        .In("X")
        .In("X_scale", "float32 scalar")
        .OptIn("X_zero_point", "scalar of X's type (default 0)")
        .In("Y_scale", "float32 scalar")
        .OptIn("Y_zero_point", "scalar of X's type (default 0)")
        .Str("rounding", "onnx", kRounding)
        .Out("Y")
        .Rule(QLinearUnaryRule);
  }
  r.Add("Requantize")
      .Doc(
          "y = saturate(round((x - x_zero_point) * x_scale / y_scale) + y_zero_point) from one "
          "integer type (int8, uint8, int16, int32) to y_zero_point's. tflite rounding: TFLite's "
          "QUANTIZE between integer types (one fixed-point multiplier).")
      .In("x")
      .In("x_scale", "float32 scalar")
      .In("x_zero_point", "scalar of x's type")
      .In("y_scale", "float32 scalar")
      .In("y_zero_point", "scalar; its type is y's")
      .Str("rounding", "onnx", kRounding)
      .Out("y")
      .Rule(RequantizeRule);
}

}  // namespace halo
