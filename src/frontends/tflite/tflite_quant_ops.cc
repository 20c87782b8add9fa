// Operators on quantized tensors (int8, uint8, int16 activations; int32 for QUANTIZE): TFLite
// integer semantics through the IR's quantized ops with rounding "tflite": QLinearConv for
// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, QLinearAdd/QLinearSub/QLinearMul,
// QLinearLeakyRelu, QLinearAveragePool, QLinearReduceMean, QLinearSoftmax, QLinearSigmoid and
// QLinearTanh (TFLite's int8 and int16 kernels), Requantize; fused activations as Clip
// on the quantized values (TFLite's CalculateActivationRangeQuantized), PAD with the zero
// point. UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite's integer LSTM (TfliteQuantizedLSTM), other
// quantized LSTMs through float (dequantize, compute, quantize). Layout operators (RESHAPE,
// TRANSPOSE, ...) whose input and output share their quantization run the float handler unchanged.
#include <cmath>

#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {
namespace {

using A = tflite::ActivationFunctionType;
using B = tflite::BuiltinOperator;

QuantParams InQ(OpContext& c, int i) {
  QuantParams q = c.InQuant(i);
  if (!q.present()) c.Fail("input ", i, " has no quantization parameters");
  return q;
}

QuantParams OutQ(OpContext& c, int i) {
  QuantParams q = c.OutQuant(i);
  if (!q.present()) c.Fail("output ", i, " has no quantization parameters");
  return q;
}

void CheckPerTensor(OpContext& c, const QuantParams& q, const char* what) {
  if (q.per_axis()) c.Fail(what, " must be quantized per tensor, got ", q.scale.size(), " scales");
}

int64_t ZeroPoint(const QuantParams& q, size_t i = 0) {
  return q.zero_point.empty() ? 0 : q.zero_point[q.zero_point.size() == 1 ? 0 : i];
}

// The scale (a float32 scalar, or [n] per axis) and zero point (of type t, shaped alike).
Value* ScaleOf(OpContext& c, const QuantParams& q) {
  if (!q.per_axis()) return c.Scalar(DataType::kFloat32, q.scale[0]);
  int64_t n = static_cast<int64_t>(q.scale.size());
  Tensor t(Type(DataType::kFloat32, {n}));
  for (int64_t i = 0; i < n; ++i) t.mutable_data<float>()[i] = q.scale[i];
  return c.Const(std::move(t));
}

Value* ZeroPointOf(OpContext& c, const QuantParams& q, DataType t) {
  if (!q.per_axis()) return c.Scalar(t, static_cast<double>(ZeroPoint(q)));
  int64_t n = static_cast<int64_t>(q.scale.size());
  Tensor z(Type(t, {n}));
  for (int64_t i = 0; i < n; ++i) switch (t) {
      case DataType::kInt8:
        z.mutable_data<int8_t>()[i] = static_cast<int8_t>(ZeroPoint(q, i));
        break;
      case DataType::kUInt8:
        z.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(ZeroPoint(q, i));
        break;
      case DataType::kInt16:
        z.mutable_data<int16_t>()[i] = static_cast<int16_t>(ZeroPoint(q, i));
        break;
      default:
        c.Fail("per-axis zero points of type ", DataTypeName(t), " are not supported");
    }
  return c.Const(std::move(z));
}

void TypeRange(OpContext& c, DataType t, double* lo, double* hi) {
  switch (t) {
    case DataType::kInt8:
      *lo = -128, *hi = 127;
      return;
    case DataType::kUInt8:
      *lo = 0, *hi = 255;
      return;
    case DataType::kInt16:
      *lo = -32768, *hi = 32767;
      return;
    default:
      c.Fail("element type ", DataTypeName(t), " is not a quantized type");
  }
}

// A fused activation on quantized values: Clip to TFLite's quantized activation range.
Value* QActivation(OpContext& c, Value* v, A f, const QuantParams& q, DataType t) {
  if (f == A::NONE) return v;
  double lo, hi;
  TypeRange(c, t, &lo, &hi);
  int64_t zp = ZeroPoint(q);
  auto quant = [&](float x) { return zp + static_cast<int64_t>(std::round(x / q.scale[0])); };
  switch (f) {
    case A::RELU:
      lo = std::max<double>(lo, quant(0));
      break;
    case A::RELU6:
      lo = std::max<double>(lo, quant(0));
      hi = std::min<double>(hi, quant(6));
      break;
    case A::RELU_N1_TO_1:
      lo = std::max<double>(lo, quant(-1));
      hi = std::min<double>(hi, quant(1));
      break;
    default:
      c.Fail("fused activation ", tflite::EnumNameActivationFunctionType(f),
             " is not supported on quantized tensors");
  }
  return c.Add1("Clip", {v, c.Scalar(t, lo), c.Scalar(t, hi)});
}

// QLinearConv (rounding tflite) of x [N, C, ...] and w [M, C/group, ...] (both IR values in
// NCHW / OIHW), with input 0, 1, 2 of the operator giving the quantization and bias.
Node* QLinearConv(OpContext& c, Value* x, Value* w, int64_t m) {
  QuantParams xq = InQ(c, 0), wq = InQ(c, 1), yq = OutQ(c, 0);
  CheckPerTensor(c, xq, "the input");
  CheckPerTensor(c, yq, "the output");
  if (wq.per_axis() && static_cast<int64_t>(wq.scale.size()) != m)
    c.Fail("the filter has ", wq.scale.size(), " scales for ", m, " output channels");
  Node* n = c.Add("QLinearConv", {x, ScaleOf(c, xq), ZeroPointOf(c, xq, c.InType(0)), w,
                                  ScaleOf(c, wq), ZeroPointOf(c, wq, c.InType(1)), ScaleOf(c, yq),
                                  ZeroPointOf(c, yq, c.OutType(0)), c.OptIn(2)});
  n->set_attr("rounding", std::string("tflite"));
  return n;
}

const char* AutoPad(tflite::Padding p) {
  return p == tflite::Padding::SAME ? "SAME_UPPER" : "VALID";
}

void Rank4(OpContext& c, int i, const char* what) {
  if (c.InShape(i).size() != 4) c.Fail(what, " must be 4-D, got rank ", c.InShape(i).size());
}

template <typename Opts>
void ConvAttrs(Node* n, const Opts& o, int64_t group) {
  n->set_attr("auto_pad", std::string(AutoPad(o.padding())));
  n->set_attr("strides", std::vector<int64_t>{o.stride_h(), o.stride_w()});
  n->set_attr("dilations", std::vector<int64_t>{o.dilation_h_factor(), o.dilation_w_factor()});
  n->set_attr("group", group);
}

void QConv2D(OpContext& c) {
  const auto& o = c.Options<tflite::Conv2DOptions>();
  Rank4(c, 0, "the input");
  Rank4(c, 1, "the filter");
  int64_t in_c = c.InShape(0)[3], w_c = c.InShape(1)[3], m = c.InShape(1)[0];
  if (w_c <= 0 || in_c % w_c) c.Fail("input channels ", in_c, " are not a multiple of ", w_c);
  if (c.InQuant(1).per_axis() && c.InQuant(1).quantized_dimension != 0)
    c.Fail("the filter must be quantized along dimension 0");
  Node* n = QLinearConv(c, c.ToNCHW(c.In(0)), c.Transpose(c.In(1), {0, 3, 1, 2}), m);
  ConvAttrs(n, o, in_c / w_c);
  Value* y = c.ToNHWC(n->output());
  c.SetOut(0, QActivation(c, y, o.fused_activation_function(), OutQ(c, 0), c.OutType(0)));
}

void QDepthwiseConv2D(OpContext& c) {
  const auto& o = c.Options<tflite::DepthwiseConv2DOptions>();
  Rank4(c, 0, "the input");
  Rank4(c, 1, "the filter");
  int64_t in_c = c.InShape(0)[3], m = c.InShape(1)[3];
  if (c.InShape(1)[0] != 1 || in_c == 0 || m % in_c)
    c.Fail("filter ", ShapeToString(c.InShape(1)), " does not fit ", in_c, " input channels");
  if (c.InQuant(1).per_axis() && c.InQuant(1).quantized_dimension != 3)
    c.Fail("the filter must be quantized along dimension 3");
  Node* n = QLinearConv(c, c.ToNCHW(c.In(0)), c.Transpose(c.In(1), {3, 0, 1, 2}), m);
  ConvAttrs(n, o, in_c);
  Value* y = c.ToNHWC(n->output());
  c.SetOut(0, QActivation(c, y, o.fused_activation_function(), OutQ(c, 0), c.OutType(0)));
}

// FULLY_CONNECTED as a 1-D convolution with kernel 1: x [rows, K, 1], w [M, K, 1].
void QFullyConnected(OpContext& c) {
  const auto* o = c.OptOptions<tflite::FullyConnectedOptions>();
  if (o && o->weights_format() != tflite::FullyConnectedOptionsWeightsFormat::DEFAULT)
    c.Fail("shuffled weights are not supported");
  Shape w = c.InShape(1), x = c.InShape(0);
  if (w.size() != 2) c.Fail("the weights must be 2-D, got ", ShapeToString(w));
  int64_t m = w[0], k = w[1], count = NumElements(x);
  if (k == 0 || count % k)
    c.Fail("input ", ShapeToString(x), " does not fit weights ", ShapeToString(w));
  if (c.InQuant(1).per_axis() && c.InQuant(1).quantized_dimension != 0)
    c.Fail("the weights must be quantized along dimension 0");
  int64_t rows = count / k;
  Node* n = QLinearConv(c, c.Reshape(c.In(0), {rows, k, 1}), c.Reshape(c.In(1), {m, k, 1}), m);
  Shape out{rows, m};
  if (o && o->keep_num_dims() && x.size() != 2) {
    out = x;
    out.back() = m;
  }
  Value* y = c.Reshape(n->output(), out);
  A act = o ? o->fused_activation_function() : A::NONE;
  c.SetOut(0, QActivation(c, y, act, OutQ(c, 0), c.OutType(0)));
}

// ADD, SUB, MUL: QLinearAdd, QLinearSub, QLinearMul on per-tensor quantized operands of one type.
void QAddSub(OpContext& c, const char* ir_op, A act) {
  QuantParams aq = InQ(c, 0), bq = InQ(c, 1), yq = OutQ(c, 0);
  CheckPerTensor(c, aq, "input 0");
  CheckPerTensor(c, bq, "input 1");
  CheckPerTensor(c, yq, "the output");
  DataType t = c.OutType(0);
  if (c.InType(0) != t || c.InType(1) != t) c.Fail("inputs and output must have one type");
  Node* n = c.Add(ir_op, {c.In(0), ScaleOf(c, aq), ZeroPointOf(c, aq, t), c.In(1), ScaleOf(c, bq),
                          ZeroPointOf(c, bq, t), ScaleOf(c, yq), ZeroPointOf(c, yq, t)});
  n->set_attr("rounding", std::string("tflite"));
  c.SetOut(0, QActivation(c, n->output(), act, yq, t));
}

void QAdd(OpContext& c) {
  const auto* o = c.OptOptions<tflite::AddOptions>();
  QAddSub(c, "QLinearAdd", o ? o->fused_activation_function() : A::NONE);
}

void QSub(OpContext& c) {
  const auto* o = c.OptOptions<tflite::SubOptions>();
  QAddSub(c, "QLinearSub", o ? o->fused_activation_function() : A::NONE);
}

void QMul(OpContext& c) {
  const auto* o = c.OptOptions<tflite::MulOptions>();
  QAddSub(c, "QLinearMul", o ? o->fused_activation_function() : A::NONE);
}

void QLeakyRelu(OpContext& c) {
  const auto* o = c.OptOptions<tflite::LeakyReluOptions>();
  QuantParams xq = InQ(c, 0), yq = OutQ(c, 0);
  CheckPerTensor(c, xq, "the input");
  CheckPerTensor(c, yq, "the output");
  DataType t = c.InType(0);
  Node* n = c.Add("QLinearLeakyRelu", {c.In(0), ScaleOf(c, xq), ZeroPointOf(c, xq, t),
                                       ScaleOf(c, yq), ZeroPointOf(c, yq, t)});
  n->set_attr("alpha", static_cast<double>(o ? o->alpha() : 0.0f));
  n->set_attr("rounding", std::string("tflite"));
  c.SetOut(0, n->output());
}

// PAD / PADV2: constant padding with the zero point (PAD) or the given quantized value.
void QPad(OpContext& c) {
  std::vector<int64_t> p = ToInts(c.ConstIn(1, "paddings"));
  size_t r = c.InShape(0).size();
  if (p.size() != 2 * r) c.Fail("paddings must be [", r, ", 2]");
  std::vector<int64_t> pads(2 * r);
  for (size_t i = 0; i < r; ++i) pads[i] = p[2 * i], pads[r + i] = p[2 * i + 1];
  Value* value = c.has_input(2) ? c.In(2) : c.Scalar(c.InType(0), ZeroPoint(OutQ(c, 0)));
  c.SetOut(0, c.Add1("Pad", {c.In(0), c.Ints(pads), value}));
}

// QUANTIZE: float -> integer (QuantizeLinear), or integer -> integer (Requantize).
void QQuantize(OpContext& c) {
  QuantParams yq = OutQ(c, 0);
  DataType t = c.OutType(0);
  if (c.InType(0) == DataType::kFloat32) {
    Node* n = c.Add("QuantizeLinear", {c.In(0), ScaleOf(c, yq), ZeroPointOf(c, yq, t)});
    n->set_attr("axis", int64_t{yq.quantized_dimension});
    n->set_attr("rounding", std::string("tflite"));
    c.SetOut(0, n->output());
    return;
  }
  QuantParams xq = InQ(c, 0);
  CheckPerTensor(c, xq, "the input");
  CheckPerTensor(c, yq, "the output");
  DataType xt = c.InType(0);
  Node* n = c.Add("Requantize", {c.In(0), ScaleOf(c, xq), ZeroPointOf(c, xq, xt), ScaleOf(c, yq),
                                 ZeroPointOf(c, yq, t)});
  n->set_attr("rounding", std::string("tflite"));
  c.SetOut(0, n->output());
}

Value* Dequantize(OpContext& c, int i) {
  QuantParams q = InQ(c, i);
  Node* n = c.Add("DequantizeLinear", {c.In(i), ScaleOf(c, q), ZeroPointOf(c, q, c.InType(i))});
  n->set_attr("axis", int64_t{q.quantized_dimension});
  return n->output();
}

Value* Quantize(OpContext& c, Value* v) {
  QuantParams q = OutQ(c, 0);
  CheckPerTensor(c, q, "the output");
  return c.Add1("QuantizeLinear", {v, ScaleOf(c, q), ZeroPointOf(c, q, c.OutType(0))});
}

void QDequantize(OpContext& c) { c.SetOut(0, Dequantize(c, 0)); }

// AVERAGE_POOL_2D: QLinearAveragePool with tflite rounding (TFLite's integer average; input
// and output must share their quantization). SAME padding puts the odd row or column at the
// end, as TFLite's ComputePaddingHeightWidth does.
void QAveragePool(OpContext& c) {
  const auto& o = c.Options<tflite::Pool2DOptions>();
  Rank4(c, 0, "the input");
  QuantParams xq = InQ(c, 0), yq = OutQ(c, 0);
  CheckPerTensor(c, xq, "the input");
  CheckPerTensor(c, yq, "the output");
  if (xq.scale != yq.scale || ZeroPoint(xq) != ZeroPoint(yq))
    c.Fail("the input and the output are quantized differently");
  const std::vector<int64_t>& in = c.InShape(0);  // NHWC
  std::vector<int64_t> k{o.filter_height(), o.filter_width()}, s{o.stride_h(), o.stride_w()};
  std::vector<int64_t> pads(4, 0);
  if (o.padding() == tflite::Padding::SAME)
    for (int i = 0; i < 2; ++i) {
      if (s[i] < 1) c.Fail("strides must be positive");
      int64_t out = (in[i + 1] + s[i] - 1) / s[i];
      int64_t total = std::max<int64_t>((out - 1) * s[i] + k[i] - in[i + 1], 0);
      pads[i] = total / 2;
      pads[i + 2] = total - total / 2;
    }
  DataType t = c.InType(0);
  Node* n = c.Add("QLinearAveragePool", {c.ToNCHW(c.In(0)), ScaleOf(c, xq), ZeroPointOf(c, xq, t),
                                         ScaleOf(c, yq), ZeroPointOf(c, yq, t)});
  n->set_attr("kernel_shape", k);
  n->set_attr("strides", s);
  n->set_attr("pads", pads);
  n->set_attr("rounding", std::string("tflite"));
  Value* y = c.ToNHWC(n->output());
  c.SetOut(0, QActivation(c, y, o.fused_activation_function(), yq, t));
}

// MEAN: QLinearReduceMean with tflite rounding (TFLite's integer mean with rescaling).
void QMean(OpContext& c) {
  std::vector<int64_t> norm = ReduceAxes(c);
  const auto* o = c.OptOptions<tflite::ReducerOptions>();
  QuantParams xq = InQ(c, 0), yq = OutQ(c, 0);
  CheckPerTensor(c, xq, "the input");
  CheckPerTensor(c, yq, "the output");
  DataType t = c.InType(0);
  if (c.OutType(0) != t) c.Fail("the output type differs from the input's");
  Node* n = c.Add("QLinearReduceMean", {c.In(0), ScaleOf(c, xq), ZeroPointOf(c, xq, t),
                                        ScaleOf(c, yq), ZeroPointOf(c, yq, t)});
  n->set_attr("axes", norm);
  n->set_attr("keepdims", int64_t{o && o->keep_dims()});
  n->set_attr("rounding", std::string("tflite"));
  c.SetOut(0, n->output());
}

// LOGISTIC, TANH: QLinearSigmoid / QLinearTanh with tflite rounding (TFLite's int8 and int16
// kernels where the quantization is the one TFLite requires; in float otherwise).
void QSigmoidTanh(OpContext& c, const char* ir_op) {
  QuantParams xq = InQ(c, 0), yq = OutQ(c, 0);
  CheckPerTensor(c, xq, "the input");
  CheckPerTensor(c, yq, "the output");
  DataType t = c.InType(0);
  if (c.OutType(0) != t) c.Fail("the output type differs from the input's");
  Node* n = c.Add(ir_op, {c.In(0), ScaleOf(c, xq), ZeroPointOf(c, xq, t), ScaleOf(c, yq),
                          ZeroPointOf(c, yq, t)});
  n->set_attr("rounding", std::string("tflite"));
  c.SetOut(0, n->output());
}

// SOFTMAX: softmax(beta * x) with beta folded into the input scale.
void QSoftmax(OpContext& c) {
  const auto* o = c.OptOptions<tflite::SoftmaxOptions>();
  QuantParams xq = InQ(c, 0), yq = OutQ(c, 0);
  CheckPerTensor(c, xq, "the input");
  CheckPerTensor(c, yq, "the output");
  float beta = o ? o->beta() : 1.0f;
  Node* n = c.Add("QLinearSoftmax", {c.In(0), c.Scalar(DataType::kFloat32, xq.scale[0] * beta),
                                     ZeroPointOf(c, xq, c.InType(0)), ScaleOf(c, yq),
                                     ZeroPointOf(c, yq, c.OutType(0))});
  n->set_attr("axis", int64_t{-1});
  n->set_attr("rounding", std::string("tflite"));
  c.SetOut(0, n->output());
}

// Operators that only move values: the float handler, when every quantized input and the
// output share one scale and zero point (TFLite requires it of these kernels).
void SameQuant(OpContext& c) {
  QuantParams yq = OutQ(c, 0);
  for (int i = 0; i < c.num_inputs(); ++i) {
    if (!c.has_input(i) || c.InType(i) != c.OutType(0)) continue;
    QuantParams q = c.InQuant(i);
    if (q.present() && (q.scale != yq.scale || ZeroPoint(q) != ZeroPoint(yq)))
      c.Fail("input ", i, " and the output are quantized differently");
  }
  int code = c.importer().file().BuiltinCode(c.op().opcode_index());
  Ops().builtin.at(code)(c);
}

// CONCATENATION. As TFLite: int8 and int16 inputs must share the output's scale and zero
// point (TFLite's Prepare requires it of int8; its int16 kernel copies without rescaling);
// uint8 inputs quantized differently are rescaled as reference_ops::ConcatenationWithScaling
// does, in float: saturate(round(x * scale + bias) + y_zp) with scale = x_scale * (1 /
// y_scale) and bias = -x_zp * scale, rounding halves away from zero. That is Cast, Mul, Add
// and QuantizeLinear (scale 1, tflite rounding) before the float handler's Concat.
void QConcatenation(OpContext& c) {
  QuantParams yq = OutQ(c, 0);
  DataType t = c.OutType(0);
  if (t != DataType::kUInt8) return SameQuant(c);
  CheckPerTensor(c, yq, "the output");
  Importer& im = c.importer();
  std::vector<std::pair<int, Value*>> saved;  // tensor, its value before rescaling
  for (int i = 0; i < c.num_inputs(); ++i) {
    QuantParams q = InQ(c, i);
    CheckPerTensor(c, q, "an input");
    if (c.InType(i) != t) c.Fail("input ", i, " is not uint8");
    if (q.scale == yq.scale && ZeroPoint(q) == ZeroPoint(yq)) continue;
    int tensor = c.input_index(i);
    bool seen = false;
    for (const auto& p : saved) seen = seen || p.first == tensor;
    if (seen) continue;
    float scale = q.scale[0] * (1.f / yq.scale[0]);
    float bias = -static_cast<float>(ZeroPoint(q)) * scale;
    Value* f =
        c.Add1("Mul", {c.Cast(c.In(i), DataType::kFloat32), c.Scalar(DataType::kFloat32, scale)});
    f = c.Add1("Add", {f, c.Scalar(DataType::kFloat32, bias)});
    Node* n =
        c.Add("QuantizeLinear", {f, c.Scalar(DataType::kFloat32, 1.0), ZeroPointOf(c, yq, t)});
    n->set_attr("rounding", std::string("tflite"));
    saved.push_back({tensor, c.In(i)});
    im.Bind(tensor, n->output());
  }
  Ops().builtin.at(static_cast<int>(B::CONCATENATION))(c);
  for (const auto& p : saved) im.Bind(p.first, p.second);
}

// UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite's integer LSTM (int8 with an int16 cell state) as
// TfliteQuantizedLSTM (tflite_quant_lstm.cc); any other quantized LSTM in float: the inputs
// (input, weights, biases, states) are dequantized, the float handler builds the LSTM, and
// its result is quantized to the output's parameters.
void QSequenceLstm(OpContext& c) {
  if (QIntegerLstm(c)) return;
  Importer& im = c.importer();
  std::vector<std::pair<int, Value*>> saved;  // tensor, its quantized value
  for (int i = 0; i < c.num_inputs(); ++i) {
    if (!c.has_input(i) || !c.InQuant(i).present()) continue;
    int t = c.input_index(i);
    bool seen = false;
    for (const auto& p : saved) seen = seen || p.first == t;
    if (seen) continue;
    Value* q = c.In(i);
    Value* f = Dequantize(c, i);
    saved.push_back({t, q});
    im.Bind(t, f);
  }
  Ops().builtin.at(static_cast<int>(B::UNIDIRECTIONAL_SEQUENCE_LSTM))(c);
  for (const auto& p : saved) im.Bind(p.first, p.second);
  int out = c.output_index(0);
  Value* y = im.ValueOf(out, c.node_name());
  std::string name = y->name();
  y->set_name(im.NewName(name + "_float"));
  Value* q = Quantize(c, y);
  q->set_name(name);
  im.Bind(out, q);
}

}  // namespace

void RegisterQuantizedOps(OpTable& t) {
  auto reg = [&](B b, Handler h) { t.quantized[static_cast<int>(b)] = h; };
  reg(B::CONV_2D, QConv2D);
  reg(B::DEPTHWISE_CONV_2D, QDepthwiseConv2D);
  reg(B::FULLY_CONNECTED, QFullyConnected);
  reg(B::ADD, QAdd);
  reg(B::SUB, QSub);
  reg(B::MUL, QMul);
  reg(B::LEAKY_RELU, QLeakyRelu);
  reg(B::PAD, QPad);
  reg(B::PADV2, QPad);
  reg(B::QUANTIZE, QQuantize);
  reg(B::DEQUANTIZE, QDequantize);
  reg(B::AVERAGE_POOL_2D, QAveragePool);
  reg(B::MEAN, QMean);
  reg(B::SOFTMAX, QSoftmax);
  reg(B::UNIDIRECTIONAL_SEQUENCE_LSTM, QSequenceLstm);
  reg(B::LOGISTIC, [](OpContext& c) { QSigmoidTanh(c, "QLinearSigmoid"); });
  reg(B::TANH, [](OpContext& c) { QSigmoidTanh(c, "QLinearTanh"); });
  for (B b : {B::RESHAPE, B::TRANSPOSE, B::SQUEEZE, B::EXPAND_DIMS, B::STRIDED_SLICE, B::SLICE,
              B::GATHER, B::SPLIT, B::MAX_POOL_2D})
    if (t.builtin.count(static_cast<int>(b))) reg(b, SameQuant);
  reg(B::CONCATENATION, QConcatenation);
}

}  // namespace halo::tflite_fe
