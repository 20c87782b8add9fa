// ONNX Runtime's quantized com.microsoft operators, which its quantization tools write
// (quantize_static's QOperator format, quantize_dynamic, 4-bit weight quantization),
// translated into the IR ops of their definitions: dequantize, compute in float, quantize
// again; the integer products of dynamic quantization as ONNX Runtime computes them; and
// MatMulNBits (HALO's op of that name, weights kept packed).
#include <cmath>
#include <string>

#include "frontends/onnx/onnx_adapter_util.h"

namespace halo::onnx_fe {
namespace {

// The zero point of a quantized value: zp, or (absent) a zero of the value's type.
Value* ZeroPoint(Importer& im, const PendingNode& p, Value* zp, Value* like) {
  if (zp) return zp;
  return FilledConst(im, p, im.KnownType(p, like, "a quantized input").dtype, {}, 0.0);
}

Value* Dequantized(Importer& im, const PendingNode& p, Value* x, Value* scale, Value* zp) {
  return Step(im, p, "DequantizeLinear", {x, scale, ZeroPoint(im, p, zp, x)});
}

// p's result: y quantized with scale and zero point zp (of `like`'s type when absent).
void FinishQuantized(Importer& im, PendingNode& p, Value* y, Value* scale, Value* zp, Value* like) {
  p.attrs.clear();
  Finish(im, p, "QuantizeLinear", {y, scale, ZeroPoint(im, p, zp, like)});
}

// QLinearAdd, QLinearMul: (A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale,
// C_zero_point).
void QLinearBinary(Importer& im, PendingNode& p, const char* op) {
  Value* a = Dequantized(im, p, p.inputs.at(0), p.inputs.at(1), OptInput(p, 2));
  Value* b = Dequantized(im, p, p.inputs.at(3), p.inputs.at(4), OptInput(p, 5));
  FinishQuantized(im, p, Step(im, p, op, {a, b}), p.inputs.at(6), OptInput(p, 7), p.inputs[0]);
}
void QLinearAdd(Importer& im, PendingNode& p) { QLinearBinary(im, p, "Add"); }
void QLinearMul(Importer& im, PendingNode& p) { QLinearBinary(im, p, "Mul"); }

// The unary ones: (X, X_scale, X_zero_point, Y_scale, Y_zero_point).
void QLinearUnary(Importer& im, PendingNode& p, const std::string& op,
                  std::map<std::string, AttrValue> attrs = {}) {
  Value* x = Dequantized(im, p, p.inputs.at(0), p.inputs.at(1), OptInput(p, 2));
  FinishQuantized(im, p, Step(im, p, op, {x}, std::move(attrs)), p.inputs.at(3), OptInput(p, 4),
                  p.inputs[0]);
}
void QLinearSigmoid(Importer& im, PendingNode& p) { QLinearUnary(im, p, "Sigmoid"); }
void QLinearLeakyRelu(Importer& im, PendingNode& p) {
  QLinearUnary(im, p, "LeakyRelu", {{"alpha", TakeFloat(p, "alpha", 0.01)}});
}

// QLinearGlobalAveragePool: the mean over the spatial axes (channels first or last).
void QLinearGlobalAveragePool(Importer& im, PendingNode& p) {
  const bool last = TakeInt(p, "channels_last", 0) != 0;
  Value* x = Dequantized(im, p, p.inputs.at(0), p.inputs.at(1), OptInput(p, 2));
  const int64_t r = im.KnownType(p, x, "'X'").Rank();
  if (r < 3) im.Fail(p, "'X' must have rank 3 or more");
  std::vector<int64_t> axes;
  for (int64_t a = last ? 1 : 2; a < (last ? r - 1 : r); ++a) axes.push_back(a);
  Value* mean =
      last ? Step(im, p, "ReduceMean", {x, IntsConst(im, p, axes)}, {{"keepdims", int64_t{1}}})
           : Step(im, p, "GlobalAveragePool", {x});
  FinishQuantized(im, p, mean, p.inputs.at(3), OptInput(p, 4), p.inputs[0]);
}

// QLinearAveragePool: AveragePool (its attributes) between dequantizing and quantizing.
void QLinearAveragePool(Importer& im, PendingNode& p) {
  TakeIntAt(im, p, "channels_last", 0);
  Value* y = StepWithAttrs(im, p, "AveragePool",
                           {Dequantized(im, p, p.inputs.at(0), p.inputs.at(1), OptInput(p, 2))});
  FinishQuantized(im, p, y, p.inputs.at(3), OptInput(p, 4), p.inputs[0]);
}

// QLinearWhere: (condition, X, x_scale, x_zero_point, Y, y_scale, y_zero_point, z_scale,
// z_zero_point): the chosen value requantized to Z's scale and zero point.
void QLinearWhere(Importer& im, PendingNode& p) {
  Value* x = Dequantized(im, p, p.inputs.at(1), p.inputs.at(2), OptInput(p, 3));
  Value* y = Dequantized(im, p, p.inputs.at(4), p.inputs.at(5), OptInput(p, 6));
  FinishQuantized(im, p, Step(im, p, "Where", {p.inputs.at(0), x, y}), p.inputs.at(7),
                  OptInput(p, 8), p.inputs[1]);
}

// QLinearSoftmax: (X, X_scale, x_zero_point, y_scale, y_zero_point), over `axis` (opset 13
// on) or the axes from `axis` on (before), as ONNX Runtime's kernel computes it:
// e = exp(X_scale * (X - max X)), then round(e * floor(1 / y_scale) / sum e) + y_zero_point,
// saturated (ONNX Runtime wraps int8 results above 127 around instead).
void QLinearSoftmax(Importer& im, PendingNode& p) {
  const int64_t opset = TakeInt(p, "opset", 0);
  int64_t axis = TakeInt(p, "axis", -1);
  if (opset <= 0) im.Fail(p, "needs the attribute 'opset' (the Softmax it follows)");
  Value* x = p.inputs.at(0);
  const Type xt = im.KnownType(p, x, "'X'");
  if (xt.dtype != DataType::kInt8 && xt.dtype != DataType::kUInt8)
    im.Fail(p, "'X' must be int8 or uint8, got ", xt.ToString());
  axis = Axes(im, p, {axis}, xt.Rank())[0];
  std::vector<int64_t> axes = {axis};
  for (int64_t a = axis + 1; opset < 13 && a < xt.Rank(); ++a) axes.push_back(a);
  const std::map<std::string, AttrValue> keep = {{"keepdims", int64_t{1}}};
  Value* xf = CastTo(im, p, x, DataType::kFloat32);
  Value* top = Step(im, p, "ReduceMax", {xf, IntsConst(im, p, axes)}, keep);
  Value* e =
      Step(im, p, "Exp", {Step(im, p, "Mul", {Step(im, p, "Sub", {xf, top}), p.inputs.at(1)})});
  Value* sum = Step(im, p, "ReduceSum", {e, IntsConst(im, p, axes)}, keep);
  Value* steps =
      Step(im, p, "Floor", {Step(im, p, "Div", {Scalar(im, p, e, 1.0), p.inputs.at(3)})});
  Value* q = Step(im, p, "Round", {Step(im, p, "Div", {Step(im, p, "Mul", {e, steps}), sum})});
  Value* zp = ZeroPoint(im, p, OptInput(p, 4), x);
  q = Step(im, p, "Add", {q, CastTo(im, p, zp, DataType::kFloat32)});
  const bool s8 = xt.dtype == DataType::kInt8;
  q = Step(im, p, "Clip", {q, Scalar(im, p, q, s8 ? -128 : 0), Scalar(im, p, q, s8 ? 127 : 255)});
  Finish(im, p, "Cast", {q}, {{"to", static_cast<int64_t>(xt.dtype)}});
}

// QLinearConcat: (Y_scale, Y_zero_point, then X, X_scale, X_zero_point per input).
void QLinearConcat(Importer& im, PendingNode& p) {
  const int64_t axis = TakeInt(p, "axis", 0);
  if (p.inputs.size() < 5 || (p.inputs.size() - 2) % 3 != 0)
    im.Fail(p, "needs Y_scale, Y_zero_point and triples (X, X_scale, X_zero_point), got ",
            p.inputs.size(), " inputs");
  std::vector<Value*> parts;
  for (size_t i = 2; i < p.inputs.size(); i += 3)
    parts.push_back(Dequantized(im, p, p.inputs[i], p.inputs[i + 1], p.inputs[i + 2]));
  const int64_t r = im.KnownType(p, parts[0], "the first input").Rank();
  Value* y = Step(im, p, "Concat", parts, {{"axis", Axes(im, p, {axis}, r)[0]}});
  FinishQuantized(im, p, y, p.inputs[0], p.inputs[1], p.inputs[2]);
}

// QGemm: alpha * A' B' + C' with A', B' dequantized (B per column), C int32 at scale
// alpha * a_scale * b_scale; quantized with y_scale, y_zero_point when given, else float.
void QGemm(Importer& im, PendingNode& p) {
  const double alpha = TakeFloat(p, "alpha", 1.0);
  const int64_t trans_a = TakeInt(p, "transA", 0), trans_b = TakeInt(p, "transB", 0);
  Value* a = Dequantized(im, p, p.inputs.at(0), p.inputs.at(1), p.inputs.at(2));
  Value *b_scale = p.inputs.at(4), *b_zp = OptInput(p, 5);
  Value* b = Step(im, p, "DequantizeLinear",
                  {p.inputs.at(3), b_scale, ZeroPoint(im, p, b_zp, p.inputs[3])},
                  {{"axis", trans_b ? int64_t{0} : int64_t{1}}});
  std::vector<Value*> ins = {a, b};
  if (Value* c = OptInput(p, 6)) {
    Value* scale = Step(im, p, "Mul", {p.inputs[1], b_scale});
    if (alpha != 1.0) scale = Step(im, p, "Mul", {scale, Scalar(im, p, scale, alpha)});
    ins.push_back(Step(im, p, "Mul", {CastTo(im, p, c, DataType::kFloat32), scale}));
  }
  Value* y = Step(im, p, "Gemm", ins, {{"alpha", alpha}, {"transA", trans_a}, {"transB", trans_b}});
  if (Value* y_scale = OptInput(p, 7))
    return FinishQuantized(im, p, y, y_scale, OptInput(p, 8), p.inputs[0]);
  Finish(im, p, "Identity", {y});
}

// p's result: the integer product of DynamicQuantizeMatMul and MatMulIntegerToFloat.
void IntegerProduct(Importer& im, PendingNode& p, Value* a, Value* a_scale, Value* a_zp, Value* b,
                    Value* b_scale, Value* b_zp, Value* bias) {
  Finish(im, p, "Identity", {IntegerProductOf(im, p, a, a_scale, a_zp, b, b_scale, b_zp, bias)});
}

// DynamicQuantizeMatMul: A quantized to uint8 by its range (DynamicQuantizeLinear), then
// the integer product with B.
void DynamicQuantizeMatMul(Importer& im, PendingNode& p) {
  PendingNode q;
  q.onnx_op = p.onnx_op;
  q.op = "DynamicQuantizeLinear";
  q.name = im.NewNodeName(p.name + "/DynamicQuantizeLinear");
  q.inputs = {p.inputs.at(0)};
  for (const char* r : {"/a_q", "/a_scale", "/a_zero_point"})
    q.outputs.push_back(im.NewTensorName(p.name + r));
  Node* n = im.Build(q);
  IntegerProduct(im, p, n->output(0), n->output(1), n->output(2), p.inputs.at(1), p.inputs.at(2),
                 OptInput(p, 3), OptInput(p, 4));
}

// MatMulIntegerToFloat: (A, B, a_scale, b_scale, a_zero_point, b_zero_point, bias).
void MatMulIntegerToFloat(Importer& im, PendingNode& p) {
  IntegerProduct(im, p, p.inputs.at(0), p.inputs.at(2), OptInput(p, 4), p.inputs.at(1),
                 p.inputs.at(3), OptInput(p, 5), OptInput(p, 6));
}

// MatMulNBits: A [..., K] times the weights [K, N] that B (uint8 [N, k_blocks, blob],
// `bits`-bit values packed from the low bits up), scales [N, k_blocks] and zero_points
// (packed uint8 [N, ceil(k_blocks * bits / 8)], or float [N, k_blocks]; default 2^(bits-1))
// give, + bias: HALO's MatMulNBits, which keeps the weights packed. A float16 A is
// computed in float32.
void MatMulNBits(Importer& im, PendingNode& p) {
  const int64_t k = TakeInt(p, "K", 0), n = TakeInt(p, "N", 0);
  const int64_t bits = TakeInt(p, "bits", 4), block = TakeInt(p, "block_size", 0);
  p.take_attr("accuracy_level");  // how ONNX Runtime may compute; HALO computes in float32
  TakeIntAt(im, p, "weight_prepacked", 0);
  if (bits != 2 && bits != 4 && bits != 8) im.Fail(p, "bits ", bits, " is not 2, 4 or 8");
  if (k <= 0 || n <= 0 || block < 16 || (block & (block - 1)) != 0)
    im.Fail(p, "needs K and N, and a block_size that is a power of 2 from 16 up");
  if (OptInput(p, 4)) im.Fail(p, "input 'g_idx' is not supported");
  const int64_t blocks = (k + block - 1) / block, blob = block * bits / 8;
  Value* a = p.inputs.at(0);
  const Type& at = im.KnownType(p, a, "'A'");
  if (at.Rank() == 0 || at.shape.back() != k)
    im.Fail(p, "'A' must be [..., ", k, "] (attribute K), got ", at.ToString());
  Value* b = p.inputs.at(1);
  const Type& bt = im.KnownType(p, b, "'B'");
  if (bt.dtype != DataType::kUInt8 || bt.NumElements() != n * blocks * blob)
    im.Fail(p, "'B' must be uint8 [", n, ", ", blocks, ", ", blob, "], got ", bt.ToString());
  std::vector<Value*> ins = {CastTo(im, p, a, DataType::kFloat32),
                             Reshaped(im, p, b, {n, blocks, blob}),
                             CastTo(im, p, p.inputs.at(2), DataType::kFloat32)};
  if (Value* zp = OptInput(p, 3)) {
    const DataType zt = im.KnownType(p, zp, "'zero_points'").dtype;
    ins.push_back(zt == DataType::kUInt8 ? zp : CastTo(im, p, zp, DataType::kFloat32));
  }
  Value* y = CastTo(im, p, Step(im, p, "MatMulNBits", ins, {{"bits", bits}, {"block_size", block}}),
                    at.dtype);
  if (Value* bias = OptInput(p, 5)) return Finish(im, p, "Add", {y, bias});
  Finish(im, p, "Identity", {y});
}

// x (uint8 of `shape`, `bits`-bit values packed from the low bits up) unpacked: uint8 with
// the last dimension 8 / bits times as long.
Value* UnpackedBits(Importer& im, const PendingNode& p, Value* x, Shape shape, int64_t bits) {
  const int64_t per_byte = 8 / bits;
  if (per_byte == 1) return x;
  shape.push_back(1);
  Tensor shifts(Type(DataType::kUInt8, {per_byte}));
  for (int64_t j = 0; j < per_byte; ++j) shifts.mutable_data<uint8_t>()[j] = j * bits;
  Value* shifted =
      Step(im, p, "BitShift", {Reshaped(im, p, x, shape), TensorConst(im, p, std::move(shifts))},
           {{"direction", std::string("RIGHT")}});
  Value* v = Step(im, p, "BitwiseAnd",
                  {shifted, FilledConst(im, p, DataType::kUInt8, {}, (1 << bits) - 1)});
  shape.pop_back();
  shape.back() *= per_byte;
  return Reshaped(im, p, v, shape);
}

// GatherBlockQuantized of packed uint8 data (`bits`-bit values along its last axis, the
// quantize axis; gather_axis 0), as genai's embedding tables: the rows gathered, then
// unpacked and dequantized, (q - zero) * scale in float32, so the table stays packed.
void GatherPackedBlocks(Importer& im, PendingNode& p, int64_t bits, int64_t block) {
  Value *data = p.inputs.at(0), *ids = p.inputs.at(1), *scales = p.inputs.at(2);
  const Type& dt = im.KnownType(p, data, "'data'");
  const Type& st = im.KnownType(p, scales, "'scales'");
  const int64_t r = dt.Rank(), per_byte = 8 / bits;
  if (dt.dtype != DataType::kUInt8 || r < 2 || (bits != 2 && bits != 4 && bits != 8))
    im.Fail(p, "'data' must be uint8 of rank 2 or more (with bits 2, 4 or 8) or a 4-bit type, got ",
            dt.ToString());
  const int64_t d = dt.shape.back() * per_byte, blocks = (d + block - 1) / block;
  Shape want = dt.shape;
  want.back() = blocks;
  if (st.shape != want)
    im.Fail(p, "'scales' must have shape [", ShapeToString(want), "], got ", st.ToString());
  // G: the gathered rows' dimensions but the last.
  Shape g = im.KnownType(p, ids, "'indices'").shape;
  g.insert(g.end(), dt.shape.begin() + 1, dt.shape.end() - 1);
  auto with = [&g](std::vector<int64_t> tail) {
    Shape s = g;
    s.insert(s.end(), tail.begin(), tail.end());
    return s;
  };
  auto gather = [&](Value* table) { return Step(im, p, "Gather", {table, ids}, {{"axis", 0}}); };
  Value* q = UnpackedBits(im, p, gather(data), with({dt.shape.back()}), bits);
  const int64_t last = static_cast<int64_t>(g.size());
  Value* values =
      Reshaped(im, p, PadEnd(im, p, CastTo(im, p, q, DataType::kFloat32), last, blocks * block, 0),
               with({blocks, block}));
  Value* zero = FilledConst(im, p, DataType::kFloat32, {}, 1 << (bits - 1));
  if (Value* zp = OptInput(p, 3)) {
    Shape zw = want;
    zw.back() = (blocks + per_byte - 1) / per_byte;
    const Type& zt = im.KnownType(p, zp, "'zero_points'");
    if (zt.dtype != DataType::kUInt8 || zt.shape != zw)
      im.Fail(p, "'zero_points' must be uint8 [", ShapeToString(zw), "], got ", zt.ToString());
    Value* z = UnpackedBits(im, p, gather(zp), with({zw.back()}), bits);
    z = SliceAxis(im, p, CastTo(im, p, z, DataType::kFloat32), last, 0, blocks);
    zero = Reshaped(im, p, z, with({blocks, 1}));
  }
  Value* scale =
      Reshaped(im, p, CastTo(im, p, gather(scales), DataType::kFloat32), with({blocks, 1}));
  Value* y = Step(im, p, "Mul", {Step(im, p, "Sub", {values, zero}), scale});
  y = SliceAxis(im, p, Reshaped(im, p, y, with({blocks * block})), last, 0, d);
  Finish(im, p, "Identity", {CastTo(im, p, y, st.dtype)});
}

// GatherBlockQuantized: Gather (gather_axis) of the table that data (uint8 with `bits`-bit
// values packed along its last axis, which is the quantize axis; or INT4 / UINT4, read
// widened), scales (data's shape but ceil(d / block_size) on quantize_axis) and zero_points
// (uint8: packed alike, default 2^(bits - 1); 4-bit: the scales' shape, default 0) give:
// (q - zero) * scale. Packed data stays packed (GatherPackedBlocks); a 4-bit table is a
// constant, dequantized here to float32.
void GatherBlockQuantized(Importer& im, PendingNode& p) {
  const int64_t bits = TakeInt(p, "bits", 4), block = TakeInt(p, "block_size", 128);
  int64_t gather_axis = TakeInt(p, "gather_axis", 0), qaxis = TakeInt(p, "quantize_axis", 1);
  if (block < 16 || (block & (block - 1)) != 0)
    im.Fail(p, "block_size ", block, " is not a power of 2 from 16 up");
  const int64_t r = im.KnownType(p, p.inputs.at(0), "'data'").Rank();
  gather_axis = Axes(im, p, {gather_axis}, r)[0];
  qaxis = Axes(im, p, {qaxis}, r)[0];
  if (!im.IsFourBitConstant(p.inputs[0])) {
    if (gather_axis != 0 || qaxis != r - 1)
      im.Fail(p, "packed uint8 'data' needs gather_axis 0 and the last axis as quantize_axis");
    return GatherPackedBlocks(im, p, bits, block);
  }
  if (bits != 4) im.Fail(p, "4-bit 'data' needs bits 4, got ", bits);
  const Tensor& data = im.ConstantInput(p, p.inputs.at(0), "'data'");
  const Tensor& scales = im.ConstantInput(p, p.inputs.at(2), "'scales'");
  const Tensor* zp = OptInput(p, 3) ? &im.ConstantInput(p, p.inputs[3], "'zero_points'") : nullptr;
  const Shape& shape = data.type().shape;
  const int64_t d = shape[qaxis], blocks = (d + block - 1) / block;
  Shape want = shape;
  want[qaxis] = blocks;
  if (scales.type().shape != want)
    im.Fail(p, "'scales' must have shape [", ShapeToString(want), "], got ",
            scales.type().ToString());
  if (zp && zp->type().shape != want)
    im.Fail(p, "'zero_points' must have shape [", ShapeToString(want), "], got ",
            zp->type().ToString());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < qaxis; ++i) outer *= shape[i];
  for (int64_t i = qaxis + 1; i < r; ++i) inner *= shape[i];
  Tensor table(Type(DataType::kFloat32, shape));
  float* out = table.mutable_data<float>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < d; ++j)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t at = (o * d + j) * inner + i, s = (o * blocks + j / block) * inner + i;
        const double zero = zp ? zp->GetDouble(s) : 0.0;
        out[at] = static_cast<float>((data.GetDouble(at) - zero) * scales.GetDouble(s));
      }
  Value* t = CastTo(im, p, TensorConst(im, p, std::move(table)), scales.type().dtype);
  Finish(im, p, "Gather", {t, p.inputs.at(1)}, {{"axis", gather_axis}});
}

struct Entry {
  const char* op;
  Adapter fn;
};

const Entry kQuant[] = {
    {"QLinearAdd", QLinearAdd},
    {"QLinearMul", QLinearMul},
    {"QLinearSigmoid", QLinearSigmoid},
    {"QLinearLeakyRelu", QLinearLeakyRelu},
    {"QLinearGlobalAveragePool", QLinearGlobalAveragePool},
    {"QLinearAveragePool", QLinearAveragePool},
    {"QLinearConcat", QLinearConcat},
    {"QLinearWhere", QLinearWhere},
    {"QLinearSoftmax", QLinearSoftmax},
    {"QGemm", QGemm},
    {"DynamicQuantizeMatMul", DynamicQuantizeMatMul},
    {"MatMulIntegerToFloat", MatMulIntegerToFloat},
    {"MatMulNBits", MatMulNBits},
    {"GatherBlockQuantized", GatherBlockQuantized},
    {"QuantizeLinear", QuantizeLinear19},  // as ONNX's (int16, uint16, int4 ... zero points)
    {"DequantizeLinear", DequantizeLinear19},
};

}  // namespace

Value* IntegerProductOf(Importer& im, const PendingNode& p, Value* a, Value* a_scale, Value* a_zp,
                        Value* b, Value* b_scale, Value* b_zp, Value* bias) {
  Value* prod = Step(im, p, "MatMulInteger", {a, b, a_zp, b_zp});
  Value* scale = Step(im, p, "Mul", {a_scale, b_scale});
  Value* y = Step(im, p, "Mul", {CastTo(im, p, prod, DataType::kFloat32), scale});
  return bias ? Step(im, p, "Add", {y, bias}) : y;
}

Adapter FindMsQuantAdapter(const std::string& op_type) {
  for (const Entry& e : kQuant)
    if (op_type == e.op) return e.fn;
  return nullptr;
}

}  // namespace halo::onnx_fe
