// Quantization: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, and the integer
// and quantized forms of MatMul and Conv (MatMulInteger, ConvInteger, QLinearMatMul,
// QLinearConv), and MatMulNBits (float32 products with block-quantized 2/4/8-bit weights).
// Quantized values are int8 or uint8; integer products accumulate in int32.
#include "ir/ops/rules.h"

namespace halo {
namespace {

bool IsQuant(DataType t) { return t == DataType::kInt8 || t == DataType::kUInt8; }
// int16 as well (ONNX opset 21 QuantizeLinear / DequantizeLinear, TFLite's int16x8 kernels).
bool IsQuant16(DataType t) { return IsQuant(t) || t == DataType::kInt16; }

// A scale or zero point: one value (per tensor) or `n` values (per axis / row / column).
void CheckParam(InferContext& c, size_t i, const char* what, DataType dt, int64_t n) {
  const Type& t = c.in(i);
  c.check(t.dtype == dt, what, " must be ", DataTypeName(dt), ", got ", t.ToString());
  bool one = t.Rank() <= 1 && t.NumElements() == 1;
  c.check(one || (t.Rank() == 1 && t.shape[0] == n), what, " must be a scalar or have ", n,
          " elements, got ", t.ToString());
}

bool PerTensor(const Type& t) { return t.Rank() <= 1 && t.NumElements() == 1; }

// Scale and optional zero point of QuantizeLinear / DequantizeLinear: per tensor, or per
// axis along the normalised axis attribute.
void CheckAxisParams(InferContext& c, const Type& x, DataType zp_type) {
  const Type& scale = c.in(1);
  c.check(scale.dtype == DataType::kFloat32, "the scale must be float32, got ", scale.ToString());
  int64_t n = 1;
  if (!PerTensor(scale)) {
    c.check(scale.Rank() == 1, "the scale must be a scalar or 1-D, got ", scale.ToString());
    int64_t axis = NormalizeAxis(c.node()->GetInt("axis"), x.Rank());
    c.node()->set_attr("axis", axis);
    n = x.shape[axis];
    c.check(scale.shape[0] == n, "per-axis scale ", scale.ToString(), " does not match axis ", axis,
            " of ", x.ToString());
  }
  if (c.has_input(2)) {
    const Type& zp = c.in(2);
    c.check(zp.dtype == zp_type, "the zero point must be ", DataTypeName(zp_type), ", got ",
            zp.ToString());
    c.check(zp.NumElements() == scale.NumElements() && zp.Rank() <= 1,
            "the zero point must match the scale ", scale.ToString(), ", got ", zp.ToString());
  }
}

void QuantizeLinearRule(InferContext& c) {
  const Type& x = c.in(0);
  c.check(x.dtype == DataType::kFloat32 || x.dtype == DataType::kInt32,
          "x must be float32 or int32, got ", x.ToString());
  DataType out = c.has_input(2) ? c.in(2).dtype : DataType::kUInt8;
  c.check(IsQuant16(out), "the zero point must be int8 or uint8 (or int16), got ",
          DataTypeName(out));
  CheckAxisParams(c, x, out);
  const std::string& rounding = c.node()->GetString("rounding");
  c.check(rounding == "onnx" || rounding == "tflite", "rounding must be onnx or tflite, got ",
          rounding);
  c.set_out(Type(out, x.shape));
}

void DequantizeLinearRule(InferContext& c) {
  const Type& x = c.in(0);
  c.check(IsQuant16(x.dtype) || x.dtype == DataType::kInt32,
          "x must be int8, uint8 or int32 (or int16), got ", x.ToString());
  CheckAxisParams(c, x, x.dtype);
  c.set_out(Type(DataType::kFloat32, x.shape));
}

void DynamicQuantizeLinearRule(InferContext& c) {
  const Type& x = c.in(0);
  c.check(x.dtype == DataType::kFloat32, "x must be float32, got ", x.ToString());
  c.check(c.node()->num_outputs() == 3, "DynamicQuantizeLinear has 3 results");
  c.set_out(0, Type(DataType::kUInt8, x.shape));
  c.set_out(1, Type(DataType::kFloat32, {}));
  c.set_out(2, Type(DataType::kUInt8, {}));
}

// The numpy matmul shape of a x b; sets m (rows of a) and n (columns of b).
Shape MatMulShape(InferContext& c, const Type& a, const Type& b, int64_t* m, int64_t* n) {
  c.check(a.Rank() >= 1 && b.Rank() >= 1, "operands must have rank 1 or more");
  Shape as = a.shape, bs = b.shape;
  if (a.Rank() == 1) as.insert(as.begin(), 1);
  if (b.Rank() == 1) bs.push_back(1);
  c.check(as.back() == bs[bs.size() - 2], "inner dimensions differ: ", a.ToString(), " x ",
          b.ToString());
  Shape out = BroadcastShapes(Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2));
  *m = as[as.size() - 2];
  *n = bs.back();
  if (a.Rank() > 1) out.push_back(*m);
  if (b.Rank() > 1) out.push_back(*n);
  return out;
}

void MatMulIntegerRule(InferContext& c) {
  const Type& a = c.in(0);
  const Type& b = c.in(1);
  c.check(IsQuant(a.dtype) && IsQuant(b.dtype), "A and B must be int8 or uint8, got ", a.ToString(),
          " and ", b.ToString());
  int64_t m, n;
  Shape out = MatMulShape(c, a, b, &m, &n);
  if (c.has_input(2)) CheckParam(c, 2, "a_zero_point", a.dtype, m);
  if (c.has_input(3)) CheckParam(c, 3, "b_zero_point", b.dtype, n);
  c.set_out(Type(DataType::kInt32, out));
}

void QLinearMatMulRule(InferContext& c) {
  const Type& a = c.in(0);
  const Type& b = c.in(3);
  const Type& yzp = c.in(7);
  c.check(IsQuant(a.dtype) && IsQuant(b.dtype) && IsQuant(yzp.dtype),
          "a, b and y_zero_point must be int8 or uint8");
  int64_t m, n;
  Shape out = MatMulShape(c, a, b, &m, &n);
  CheckParam(c, 1, "a_scale", DataType::kFloat32, m);
  CheckParam(c, 2, "a_zero_point", a.dtype, m);
  CheckParam(c, 4, "b_scale", DataType::kFloat32, n);
  CheckParam(c, 5, "b_zero_point", b.dtype, n);
  CheckParam(c, 6, "y_scale", DataType::kFloat32, 1);
  CheckParam(c, 7, "y_zero_point", yzp.dtype, 1);
  c.set_out(Type(yzp.dtype, out));
}

// MatMulNBits: A [..., K] (float32), B uint8 [N, blocks, blob] (blocks = ceil(K /
// block_size), blob = block_size * bits / 8), scales [N * blocks] in any shape, zero points
// packed uint8 (N rows of ceil(blocks * bits / 8) bytes) or float32 [N * blocks].
void MatMulNBitsRule(InferContext& c) {
  const Type& a = c.in(0);
  const Type& b = c.in(1);
  const int64_t bits = c.node()->GetInt("bits"), block = c.node()->GetInt("block_size");
  c.check(bits == 2 || bits == 4 || bits == 8, "bits must be 2, 4 or 8, got ", bits);
  c.check(block >= 16 && (block & (block - 1)) == 0,
          "block_size must be a power of 2 from 16 up, got ", block);
  c.check(a.dtype == DataType::kFloat32 && a.Rank() >= 1, "A must be float32 [..., K], got ",
          a.ToString());
  const int64_t k = a.shape.back(), blocks = (k + block - 1) / block, blob = block * bits / 8;
  c.check(
      b.dtype == DataType::kUInt8 && b.Rank() == 3 && b.shape[1] == blocks && b.shape[2] == blob,
      "B must be uint8 [N, ", blocks, ", ", blob, "] for K ", k, ", got ", b.ToString());
  const int64_t n = b.shape[0];
  const Type& s = c.in(2);
  c.check(s.dtype == DataType::kFloat32 && s.NumElements() == n * blocks,
          "scales must be float32 with ", n * blocks, " values, got ", s.ToString());
  if (c.has_input(3)) {
    const Type& z = c.in(3);
    const int64_t packed = n * ((blocks * bits + 7) / 8);
    c.check((z.dtype == DataType::kUInt8 && z.NumElements() == packed) ||
                (z.dtype == DataType::kFloat32 && z.NumElements() == n * blocks),
            "zero_points must be uint8 with ", packed, " values or float32 with ", n * blocks,
            ", got ", z.ToString());
  }
  Shape out = a.shape;
  out.back() = n;
  c.set_out(Type(DataType::kFloat32, out));
}

double MatMulNBitsFlops(const Node& n) {
  return 2 * static_cast<double>(n.input(0)->type().shape.back()) *
         static_cast<double>(n.output()->type().NumElements());
}

// x at input 0, w at w_index; returns [N, M, out...].
Shape ConvShape(InferContext& c, size_t w_index) {
  const Type& x = c.in(0);
  const Type& w = c.in(w_index);
  // int16 x with int8 w: TFLite's int16x8 convolution (tflite rounding only).
  bool x16 = x.dtype == DataType::kInt16 && w.dtype == DataType::kInt8 && w_index == 3 &&
             c.node()->GetString("rounding") == "tflite";
  c.check((IsQuant(x.dtype) || x16) && IsQuant(w.dtype),
          "x and w must be int8 or uint8 (int16 x with int8 w under tflite rounding), got ",
          x.ToString(), " and ", w.ToString());
  c.check(x.Rank() >= 3 && x.Rank() <= 5 && w.Rank() == x.Rank(),
          "x must be [N, C, D1..Dn] (1 to 3 spatial dimensions) and w of its rank, got ",
          x.ToString(), " and ", w.ToString());
  int64_t group = c.node()->GetInt("group");
  c.check(group >= 1 && x.shape[1] == w.shape[1] * group && w.shape[0] % group == 0, "x has ",
          x.shape[1], " channels, w ", w.ToString(), " and group ", group, " do not fit");
  std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  const auto& given = c.node()->GetInts("kernel_shape");
  c.check(given.empty() || given == kernel, "kernel_shape ", ShapeToString(given),
          " does not match w ", w.ToString());
  auto spatial = ResolveConvWindow(c, kernel);
  Shape out{x.shape[0], w.shape[0]};
  out.insert(out.end(), spatial.begin(), spatial.end());
  return out;
}

void ConvIntegerRule(InferContext& c) {
  Shape out = ConvShape(c, 1);
  if (c.has_input(2)) CheckParam(c, 2, "x_zero_point", c.in(0).dtype, 1);
  if (c.has_input(3)) CheckParam(c, 3, "w_zero_point", c.in(1).dtype, out[1]);
  c.set_out(Type(DataType::kInt32, out));
}

void QLinearConvRule(InferContext& c) {
  const std::string& rounding = c.node()->GetString("rounding");
  c.check(rounding == "onnx" || rounding == "tflite", "rounding must be onnx or tflite, got ",
          rounding);
  Shape out = ConvShape(c, 3);
  const Type& yzp = c.in(7);
  bool x16 = c.in(0).dtype == DataType::kInt16;
  c.check(x16 ? yzp.dtype == DataType::kInt16 : IsQuant(yzp.dtype),
          "y_zero_point must be int8 or uint8 (int16 with int16 x), got ", yzp.ToString());
  CheckParam(c, 1, "x_scale", DataType::kFloat32, 1);
  CheckParam(c, 2, "x_zero_point", c.in(0).dtype, 1);
  CheckParam(c, 4, "w_scale", DataType::kFloat32, out[1]);
  CheckParam(c, 5, "w_zero_point", c.in(3).dtype, out[1]);
  CheckParam(c, 6, "y_scale", DataType::kFloat32, 1);
  CheckParam(c, 7, "y_zero_point", yzp.dtype, 1);
  if (c.has_input(8)) {
    const Type& b = c.in(8);
    DataType bt = x16 ? DataType::kInt64 : DataType::kInt32;
    c.check(b.dtype == bt && b.shape == Shape{out[1]}, "B must be ", DataTypeName(bt), "[", out[1],
            "], got ", b.ToString());
  }
  c.set_out(Type(yzp.dtype, out));
}

const char* kAutoPad =
    "NOTSET (explicit pads), SAME_UPPER, SAME_LOWER or VALID; resolved into pads";

OpDef& ConvAttrs(OpDef& d) {
  return d.Meta("auto_pad", AttrKind::kString, std::string("NOTSET"), kAutoPad)
      .Ints("dilations", {}, "dilation per spatial axis")
      .Int("group", 1, "number of channel groups")
      .Meta("kernel_shape", AttrKind::kInts, std::vector<int64_t>{}, "the spatial dims of w")
      .Ints("pads", {}, "[begin..., end...] per spatial axis")
      .Ints("strides", {}, "stride per spatial axis");
}

}  // namespace

void RegisterQuantOps(OpRegistry& r) {
  r.Add("QuantizeLinear")
      .Doc(
          "y = saturate(round(x / y_scale) + y_zero_point), rounding halves to even; per tensor "
          "(scalar scale) or per axis (1-D scale). y has the zero point's type (int8, uint8 or "
          "int16; default uint8).")
      .In("x", "float32 or int32")
      .In("y_scale", "float32 scalar or [x.shape[axis]]")
      .OptIn("y_zero_point", "int8, uint8 or int16, shaped as y_scale (default uint8 0)")
      .Int("axis", 1, "the per-axis dimension (non-negative once lowered)")
      .Str("rounding", "onnx",
           "onnx: halves round to even; tflite: away from zero (TFLite's QUANTIZE)")
      .Out("y")
      .Rule(QuantizeLinearRule);
  r.Add("DequantizeLinear")
      .Doc("y = (x - x_zero_point) * x_scale as float32; per tensor or per axis.")
      .In("x", "int8, uint8, int16 or int32")
      .In("x_scale", "float32 scalar or [x.shape[axis]]")
      .OptIn("x_zero_point", "of x's type, shaped as x_scale (default 0)")
      .Int("axis", 1, "the per-axis dimension (non-negative once lowered)")
      .Out("y")
      .Rule(DequantizeLinearRule);
  r.Add("DynamicQuantizeLinear")
      .Doc(
          "Quantizes float32 x to uint8 with a scale and zero point from its range (widened to "
          "include 0): y_scale = (max - min) / 255, y_zero_point = saturate(round(-min / "
          "y_scale)).")
      .In("x")
      .Out("y")
      .Out("y_scale")
      .Out("y_zero_point")
      .Rule(DynamicQuantizeLinearRule);
  r.Add("MatMulInteger")
      .Doc(
          "int32 matrix product (numpy semantics) of (A - a_zero_point) and (B - b_zero_point); "
          "int8 or uint8 operands.")
      .In("A")
      .In("B")
      .OptIn("a_zero_point", "scalar, or per row of A ([M])")
      .OptIn("b_zero_point", "scalar, or per column of B ([N])")
      .Out("Y")
      .Rule(MatMulIntegerRule);
  r.Add("QLinearMatMul")
      .Doc(
          "Quantized matrix product: y = saturate(round((a - a_zero_point) x (b - b_zero_point) "
          "* a_scale * b_scale / y_scale) + y_zero_point), accumulating in int32.")
      .In("a")
      .In("a_scale", "scalar, or per row of a ([M])")
      .In("a_zero_point", "scalar, or per row of a ([M])")
      .In("b")
      .In("b_scale", "scalar, or per column of b ([N])")
      .In("b_zero_point", "scalar, or per column of b ([N])")
      .In("y_scale", "scalar")
      .In("y_zero_point", "scalar; its type (int8 or uint8) is y's")
      .Out("y")
      .Rule(QLinearMatMulRule);
  ConvAttrs(r.Add("ConvInteger")
                .Doc("int32 convolution of (x - x_zero_point) [N, C, D...] with (w - "
                     "w_zero_point) [M, C/group, k...]; int8 or uint8 operands.")
                .In("x")
                .In("w")
                .OptIn("x_zero_point", "scalar")
                .OptIn("w_zero_point", "scalar or per output channel ([M])"))
      .Out("y")
      .Rule(ConvIntegerRule);
  ConvAttrs(r.Add("QLinearConv")
                .Doc("Quantized convolution: y = saturate(round((conv(x - x_zero_point, w - "
                     "w_zero_point) + B) * x_scale * w_scale / y_scale) + y_zero_point), "
                     "accumulating in int32. tflite rounding: TFLite's integer convolution, "
                     "the scale applied as a fixed-point multiplier per output channel; there "
                     "x may also be int16 with int8 w, int64 B and int16 y (int64 "
                     "accumulation, TFLite's int16x8 kernels).")
                .In("x")
                .In("x_scale", "scalar")
                .In("x_zero_point", "scalar")
                .In("w")
                .In("w_scale", "scalar or per output channel ([M])")
                .In("w_zero_point", "scalar or per output channel ([M])")
                .In("y_scale", "scalar")
                .In("y_zero_point", "scalar; its type (int8 or uint8) is y's")
                .OptIn("B", "int32 bias [M] (int64 for int16 x), scale x_scale * w_scale")
                .Str("rounding", "onnx",
                     "onnx: the float scale, rounding halves to even; tflite: TFLite's "
                     "fixed-point requantization"))
      .Out("y")
      .Rule(QLinearConvRule);
  r.Add("MatMulNBits")
      .Doc(
          "A [..., K] (float32) times the block-quantized weights [K, N]: W[k, n] = (q - zero) * "
          "scale, q the `bits`-bit value k of row n of B (uint8 [N, ceil(K / block_size), "
          "block_size * bits / 8], packed from the low bits up), scale and zero those of its "
          "block of block_size values. Result [..., N], float32.")
      .In("A")
      .In("B")
      .In("scales", "float32, N * ceil(K / block_size) values, row n's blocks in order")
      .OptIn("zero_points",
             "uint8 packed as B (ceil(blocks * bits / 8) bytes per row) or float32 as scales; "
             "default 2^(bits - 1)")
      .Int("bits", 4, "2, 4 or 8")
      .Int("block_size", 32, "values per block, a power of 2 from 16 up")
      .Out("Y")
      .Flops(MatMulNBitsFlops)
      .Rule(MatMulNBitsRule)
      .OdlaSince(6);
}

}  // namespace halo
