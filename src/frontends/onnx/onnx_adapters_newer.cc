// Version adapters for opsets 18 to 25 (PyTorch's exporter writes opset 20 since 2.9): the
// node forms that differ from those HALO's ops take. Most need none: the Reduce ops' axes
// input and Split's num_outputs (18) are HALO's own forms. Gelu (20), Mish (18), Swish (24)
// and GroupNormalization (18, 21) become the ops of their definitions; new attributes are
// taken at their defaults and refused otherwise, naming the attribute. The transformer ops
// of opset 23 are in onnx_adapters_attention.cc.
#include <algorithm>
#include <cmath>
#include <map>

#include "frontends/onnx/onnx_adapter_util.h"
#include "frontends/onnx/onnx_tensor.h"

namespace halo::onnx_fe {
namespace {

// Gelu-20: exact, or with approximate="tanh" (GeluOf).
void Gelu(Importer& im, PendingNode& p) {
  std::string approximate = "none";
  if (const onnx::AttributeProto* a = p.take_attr("approximate")) approximate = a->s();
  if (approximate != "none" && approximate != "tanh")
    im.Fail(p, "approximate must be 'none' or 'tanh', got '", approximate, "'");
  GeluOf(im, p, p.inputs.at(0), approximate == "tanh");
}

// Mish-18: x * tanh(softplus(x)).
void Mish(Importer& im, PendingNode& p) {
  Value* x = p.inputs.at(0);
  Finish(im, p, "Mul", {x, Step(im, p, "Tanh", {Step(im, p, "Softplus", {x})})});
}

// Pad-18: pads for the listed axes only (input 3): the others get none.
void Pad(Importer& im, PendingNode& p) {
  if (p.inputs.size() < 4 || !p.inputs[3]) return Finish(im, p, "Pad", p.inputs);
  const int64_t r = im.KnownType(p, p.inputs[0], "the input").Rank();
  std::vector<int64_t> axes = Axes(im, p, IntsInput(im, p, 3, "'axes'"), r);
  std::vector<int64_t> given = IntsInput(im, p, 1, "'pads'");
  if (given.size() != 2 * axes.size())
    im.Fail(p, "'pads' has ", given.size(), " entries for ", axes.size(), " axes");
  std::vector<int64_t> pads(static_cast<size_t>(2 * r), 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    pads[axes[i]] = given[i];
    pads[axes[i] + r] = given[i + axes.size()];
  }
  Value* full = im.graph().AddConstant(im.NewTensorName(p.name + "_pads"),
                                       Tensor::FromInts(pads, DataType::kInt64));
  Finish(im, p, "Pad", {p.inputs[0], full, p.inputs.size() > 2 ? p.inputs[2] : nullptr});
}

// Resize-18: antialias and keep_aspect_ratio_policy at their defaults; `axes` lists the axes
// that scales or sizes cover (the others keep their size).
void Resize(Importer& im, PendingNode& p) {
  TakeIntAt(im, p, "antialias", 0);
  if (const onnx::AttributeProto* a = p.take_attr("keep_aspect_ratio_policy"))
    if (a->s() != "stretch")
      im.Fail(p, "keep_aspect_ratio_policy '", a->s(), "' is not supported (only 'stretch')");
  const onnx::AttributeProto* axes_attr = p.take_attr("axes");
  if (!axes_attr) return Finish(im, p, "Resize", p.inputs);
  const Type& x = im.KnownType(p, p.inputs.at(0), "the input");
  const int64_t r = x.Rank();
  std::vector<int64_t> axes =
      Axes(im, p, std::vector<int64_t>(axes_attr->ints().begin(), axes_attr->ints().end()), r);
  if (p.inputs.size() > 1 && p.inputs[1] &&
      im.ConstantInput(p, p.inputs[1], "'roi'").type().NumElements() != 0)
    im.Fail(p, "'roi' with 'axes' is not supported");
  for (size_t slot : {size_t{2}, size_t{3}}) {  // scales, sizes
    if (p.inputs.size() <= slot || !p.inputs[slot]) continue;
    const char* what = slot == 2 ? "'scales'" : "'sizes'";
    const Tensor& t = im.ConstantInput(p, p.inputs[slot], what);
    if (t.type().NumElements() == 0) continue;
    if (t.type().NumElements() != static_cast<int64_t>(axes.size()))
      im.Fail(p, what, " has ", t.type().NumElements(), " entries for ", axes.size(), " axes");
    std::vector<double> full(static_cast<size_t>(r));
    for (int64_t d = 0; d < r; ++d) full[d] = slot == 2 ? 1.0 : static_cast<double>(x.shape[d]);
    for (size_t i = 0; i < axes.size(); ++i) full[axes[i]] = t.GetDouble(static_cast<int64_t>(i));
    Tensor ft(Type(slot == 2 ? DataType::kFloat32 : DataType::kInt64, {r}));
    for (int64_t d = 0; d < r; ++d) {
      if (slot == 2)
        ft.mutable_data<float>()[d] = static_cast<float>(full[d]);
      else
        ft.mutable_data<int64_t>()[d] = static_cast<int64_t>(full[d]);
    }
    p.inputs[slot] = im.graph().AddConstant(im.NewTensorName(p.name + "_full"), std::move(ft));
  }
  Finish(im, p, "Resize", p.inputs);
}

// LpPool-18: ceil_mode 0 and dilations 1 only; AveragePool-19: dilations 1 only.
void LpPool(Importer& im, PendingNode& p) {
  TakeIntAt(im, p, "ceil_mode", 0);
  TakeOnes(im, p, "dilations");
  im.Build(p);
}
void AveragePool(Importer& im, PendingNode& p) {
  TakeOnes(im, p, "dilations");
  im.Build(p);
}

// Cast-19, CastLike-19: `saturate` concerns conversions to float8 only, which HALO lacks;
// Cast-24's `round_mode` conversions to float8e8m0 only.
void Cast(Importer& im, PendingNode& p) {
  p.take_attr("saturate");
  p.take_attr("round_mode");
  im.Build(p);
}

// The element type an attribute `name` of p names (an ONNX TensorProto type), or kInvalid
// when absent; fails for a type HALO does not have.
DataType TakeDType(Importer& im, PendingNode& p, const std::string& name) {
  const onnx::AttributeProto* a = p.take_attr(name);
  if (!a || a->i() == 0) return DataType::kInvalid;
  DataType t = DataTypeFromOnnx(static_cast<int32_t>(a->i()));
  if (t == DataType::kInvalid)
    im.Fail(p, "attribute '", name, "' names element type ",
            OnnxTypeName(static_cast<int32_t>(a->i())), ", which HALO does not have");
  return t;
}

// s (the scale or zero point of blocked quantization: x's shape but ceil(d / block) on axis)
// with each entry repeated block times along axis, cut to d.
Value* Blocks(Importer& im, const PendingNode& p, Value* s, int64_t axis, int64_t block, int64_t d,
              const std::string& what) {
  const Type st = im.KnownType(p, s, what);
  Shape wide = st.shape;
  wide.insert(wide.begin() + axis + 1, block);
  Shape one = wide;
  one[axis + 1] = 1;
  Value* e = Step(im, p, "Expand", {Reshaped(im, p, s, one), IntsConst(im, p, wide)});
  Shape full = st.shape;
  full[axis] *= block;
  e = Reshaped(im, p, e, full);
  return full[axis] == d ? e : SliceAxis(im, p, e, axis, 0, d);
}

// The scale (input 1) and zero point (input 2, or nullptr) of p, made to broadcast against
// x (input 0): per tensor as they are, per axis ([C]) along the axis, blocked ones (block > 0:
// x's shape but ceil(d / block) on the axis) repeated; checked.
struct Spread {
  Value *scale, *zero;
};
Spread SpreadParams(Importer& im, PendingNode& p, int64_t block) {
  const Type xt = im.KnownType(p, p.inputs.at(0), "the input");
  const int64_t axis = Axes(im, p, {TakeInt(p, "axis", 1)}, std::max(xt.Rank(), 1))[0];
  Value *scale = p.inputs.at(1), *zp = OptInput(p, 2);
  const Type st = im.KnownType(p, scale, "the scale");
  for (Value* v : {scale, zp})
    if (v && im.KnownType(p, v, "the zero point").shape != st.shape)
      im.Fail(p, "the scale and zero point differ in shape");
  if (block > 0) {
    Shape want = xt.shape;
    want[axis] = (want[axis] + block - 1) / block;
    if (st.shape != want)
      im.Fail(p, "blocked quantization (block_size ", block, ") needs a scale and zero point of ",
              "shape [", ShapeToString(want), "], got ", st.ToString());
    const int64_t d = xt.shape[axis];
    return {Blocks(im, p, scale, axis, block, d, "the scale"),
            zp ? Blocks(im, p, zp, axis, block, d, "the zero point") : nullptr};
  }
  if (st.NumElements() == 1 && st.Rank() <= 1) return {scale, zp};
  if (st.Rank() != 1 || st.shape[0] != xt.shape[axis])
    im.Fail(p, "a per-axis scale must be [", xt.shape[axis], "], got ", st.ToString());
  std::vector<int64_t> along(static_cast<size_t>(xt.Rank()), 1);
  along[axis] = xt.shape[axis];
  return {Reshaped(im, p, scale, along), zp ? Reshaped(im, p, zp, along) : nullptr};
}

}  // namespace

// QuantizeLinear-19 to 25: per tensor, per axis, or in blocks of block_size along axis
// (saturate(round(x / scale) + zero point), rounding halves to even); output_dtype gives the
// quantized type when there is no zero point; precision must be the scale's type (its
// default meaning); saturate concerns float8 only. The IR's QuantizeLinear where it serves,
// else (blocks, uint16) the ops of the definition.
void QuantizeLinear19(Importer& im, PendingNode& p) {
  const int64_t block = TakeInt(p, "block_size", 0);
  p.take_attr("saturate");
  Value* scale = p.inputs.at(1);
  DataType scale_t = im.KnownType(p, scale, "'y_scale'").dtype;
  DataType precision = TakeDType(im, p, "precision");
  if (precision != DataType::kInvalid && precision != scale_t)
    im.Fail(p, "attribute 'precision' (", DataTypeName(precision),
            ") other than the scale's type (", DataTypeName(scale_t), ") is not supported");
  DataType out = TakeDType(im, p, "output_dtype");
  Value* zp = OptInput(p, 2);
  if (zp && im.IsFourBitConstant(zp))
    im.Fail(p, "a 4-bit zero point: HALO has no 4-bit element type to quantize to");
  if (out != DataType::kInvalid) {
    if (zp && im.KnownType(p, zp, "'y_zero_point'").dtype != out)
      im.Fail(p, "attribute 'output_dtype' (", DataTypeName(out),
              ") differs from the zero point's type");
    if (!zp) {
      p.inputs.resize(3);
      const Type& st = im.KnownType(p, scale, "'y_scale'");
      p.inputs[2] = TensorConst(im, p, Tensor(Type(out, st.shape)));  // zeros
    }
  }
  if (block < 0) im.Fail(p, "block_size ", block, " is negative");
  if (out == DataType::kInvalid)
    out = zp ? im.KnownType(p, zp, "'y_zero_point'").dtype : DataType::kUInt8;
  if (block == 0 && out != DataType::kUInt16) {
    im.Build(p);
    return;
  }
  const std::map<DataType, std::pair<double, double>> ranges = {{DataType::kInt8, {-128, 127}},
                                                                {DataType::kUInt8, {0, 255}},
                                                                {DataType::kInt16, {-32768, 32767}},
                                                                {DataType::kUInt16, {0, 65535}}};
  if (!ranges.count(out)) im.Fail(p, "quantizing to ", DataTypeName(out), " is not supported");
  const auto [lo, hi] = ranges.at(out);
  const Spread q = SpreadParams(im, p, block);
  Value* x = CastTo(im, p, p.inputs[0], DataType::kFloat32);
  Value* y =
      Step(im, p, "Round", {Step(im, p, "Div", {x, CastTo(im, p, q.scale, DataType::kFloat32)})});
  if (q.zero) y = Step(im, p, "Add", {y, CastTo(im, p, q.zero, DataType::kFloat32)});
  y = Step(im, p, "Clip",
           {y, FilledConst(im, p, DataType::kFloat32, {}, lo),
            FilledConst(im, p, DataType::kFloat32, {}, hi)});
  p.attrs.clear();
  Finish(im, p, "Cast", {y}, {{"to", static_cast<int64_t>(out)}});
}

// DequantizeLinear-19 to 25: per tensor, per axis, or in blocks of block_size along axis
// ((x - zero point) * scale, in float32, then the scale's type); output_dtype must be the
// scale's type (its default). The IR's DequantizeLinear where it serves, else (blocks,
// uint16) the ops of the definition.
void DequantizeLinear19(Importer& im, PendingNode& p) {
  const int64_t block = TakeInt(p, "block_size", 0);
  DataType out = TakeDType(im, p, "output_dtype");
  DataType scale_t = im.KnownType(p, p.inputs.at(1), "'x_scale'").dtype;
  if (out != DataType::kInvalid && out != scale_t)
    im.Fail(p, "attribute 'output_dtype' (", DataTypeName(out), ") other than the scale's type (",
            DataTypeName(scale_t), ") is not supported");
  if (block < 0) im.Fail(p, "block_size ", block, " is negative");
  if (block == 0 && im.KnownType(p, p.inputs.at(0), "'x'").dtype != DataType::kUInt16) {
    im.Build(p);
    return;
  }
  const Spread q = SpreadParams(im, p, block);
  Value* y = CastTo(im, p, p.inputs[0], DataType::kFloat32);
  if (q.zero) y = Step(im, p, "Sub", {y, CastTo(im, p, q.zero, DataType::kFloat32)});
  y = Step(im, p, "Mul", {y, CastTo(im, p, q.scale, DataType::kFloat32)});
  p.attrs.clear();
  Finish(im, p, "Cast", {y}, {{"to", static_cast<int64_t>(scale_t)}});
}

namespace {

// Swish-24: x * sigmoid(alpha * x).
void Swish(Importer& im, PendingNode& p) {
  double alpha = TakeFloat(p, "alpha", 1.0);
  Value* x = p.inputs.at(0);
  Value* ax = alpha == 1.0 ? x : Step(im, p, "Mul", {x, Scalar(im, p, x, alpha)});
  Finish(im, p, "Mul", {x, Step(im, p, "Sigmoid", {ax})});
}

// GroupNormalization-18 and 21: X [N, C, ...] normalised over each of num_groups groups of
// channels (with their positions), as InstanceNormalization of X viewed as [N, G, rest].
// Opset 18 scales and shifts each group (scale, bias of [G]); 21 each channel ([C]).
// stash_type (21) is the type the statistics are computed in (float32 by default).
void GroupNormalization(Importer& im, PendingNode& p, bool per_channel) {
  const int64_t groups = TakeInt(p, "num_groups", 0);
  const double eps = TakeFloat(p, "epsilon", 1e-5);
  DataType stash = DataType::kFloat32;
  if (per_channel) {
    const int64_t s = TakeInt(p, "stash_type", 1);
    stash = DataTypeFromOnnx(static_cast<int32_t>(s));
    if (!IsFloat(stash)) im.Fail(p, "stash_type ", s, " is not a float type");
  }
  Value* x = p.inputs.at(0);
  const Type xt = im.KnownType(p, x, "the input");
  if (!IsFloat(xt.dtype)) im.Fail(p, "the input must be a float tensor, got ", xt.ToString());
  if (xt.Rank() < 2) im.Fail(p, "the input must have rank 2 or more, got ", xt.ToString());
  const int64_t n = xt.shape[0], c = xt.shape[1];
  if (groups <= 0 || c % groups != 0)
    im.Fail(p, "num_groups ", groups, " must divide the ", c, " channels");
  const int64_t want = per_channel ? c : groups;
  for (size_t i = 1; i <= 2; ++i) {
    const Type& t = im.KnownType(p, p.inputs.at(i), i == 1 ? "'scale'" : "'bias'");
    if (t.Rank() != 1 || t.shape[0] != want)
      im.Fail(p, i == 1 ? "'scale'" : "'bias'", " must have shape [", want, "] (",
              per_channel ? "the channels" : "the groups", ") at this opset, got ", t.ToString());
  }
  Value* xs = CastTo(im, p, x, stash);
  Value* scale = CastTo(im, p, p.inputs[1], stash);
  Value* bias = CastTo(im, p, p.inputs[2], stash);
  Value* grouped = Reshaped(im, p, xs, {n, groups, xt.NumElements() / (n * groups)});
  Value* y;
  if (per_channel) {
    Value* normed = Step(im, p, "InstanceNormalization",
                         {grouped, FilledConst(im, p, stash, {groups}, 1.0),
                          FilledConst(im, p, stash, {groups}, 0.0)},
                         {{"epsilon", eps}});
    std::vector<int64_t> per_c(static_cast<size_t>(xt.Rank() - 1), 1);
    per_c[0] = c;
    Value* shaped = Reshaped(im, p, normed, xt.shape);
    y = Step(im, p, "Add",
             {Step(im, p, "Mul", {shaped, Reshaped(im, p, scale, per_c)}),
              Reshaped(im, p, bias, per_c)});
  } else {
    y = Reshaped(im, p,
                 Step(im, p, "InstanceNormalization", {grouped, scale, bias}, {{"epsilon", eps}}),
                 xt.shape);
  }
  if (stash == xt.dtype) return Finish(im, p, "Identity", {y});
  Finish(im, p, "Cast", {y}, {{"to", static_cast<int64_t>(xt.dtype)}});
}
void GroupNormalization18(Importer& im, PendingNode& p) { GroupNormalization(im, p, false); }
void GroupNormalization21(Importer& im, PendingNode& p) { GroupNormalization(im, p, true); }

// DFT-20: the axis is input 2 (a scalar; -2, the last signal axis, when absent).
void Dft(Importer& im, PendingNode& p) {
  int64_t axis = -2;
  if (p.inputs.size() > 2 && p.inputs[2]) {
    const Tensor& t = im.ConstantInput(p, p.inputs[2], "'axis'");
    if (!IsInteger(t.type().dtype) || t.type().NumElements() != 1)
      im.Fail(p, "'axis' must be one integer, got ", t.type().ToString());
    axis = t.GetInt(0);
  }
  const int64_t r = im.KnownType(p, p.inputs.at(0), "the input").Rank();
  if (axis < -r || axis > r - 2 || axis == -1)
    im.Fail(p, "axis ", axis, " is out of range for an input of rank ", r);
  p.ir_attrs["axis"] = axis < 0 ? axis + r : axis;
  p.inputs.resize(std::min<size_t>(p.inputs.size(), 2));
  im.Build(p);
}

// GridSample-20: modes 'linear' and 'cubic' (16: 'bilinear' and 'bicubic').
void GridSample(Importer& im, PendingNode& p) {
  std::string mode = "linear";
  if (const onnx::AttributeProto* a = p.take_attr("mode")) mode = a->s();
  p.ir_attrs["mode"] = mode == "linear" ? "bilinear" : mode == "cubic" ? "bicubic" : mode;
  im.Build(p);
}

struct Entry {
  const char* op;
  int64_t min_opset;  // applies to models of this opset and newer
  Adapter fn;
};

const Entry kNewer[] = {
    {"Mish", 18, Mish},
    {"Pad", 18, Pad},
    {"Resize", 18, Resize},
    {"LpPool", 18, LpPool},
    {"AveragePool", 19, AveragePool},
    {"Cast", 19, Cast},
    {"CastLike", 19, Cast},
    {"Gelu", 20, Gelu},
    {"DFT", 20, Dft},
    {"GridSample", 20, GridSample},
    {"QuantizeLinear", 19, QuantizeLinear19},
    {"DequantizeLinear", 19, DequantizeLinear19},
    {"GroupNormalization", 21, GroupNormalization21},  // before 18's: the first match counts
    {"GroupNormalization", 18, GroupNormalization18},
    {"Attention", 23, Attention},
    {"RotaryEmbedding", 23, RotaryEmbedding},
    {"RMSNormalization", 23, RmsNormalization},
    {"Swish", 24, Swish},
    {"TensorScatter", 24, TensorScatter},
    {"CenterCropPad", 18, CenterCropPad},
    {"Col2Im", 18, Col2Im},
    {"AffineGrid", 20, AffineGrid},
    {"DeformConv", 19, DeformConv},
    {"SimplifiedLayerNormalization", 1, RmsNormalization},  // ONNX Runtime's, in this domain
};

// The ops whose form changed after kOnnxLibOpset (17), with the opset of the change, and the
// new ops HALO translates. The other changes of opsets 21 to 25 add element types only
// (4-bit, float8, 2-bit: HALO has none of them; bfloat16 in 22), which the checker, judging
// by the older schemas, does not look at.
const std::pair<const char*, int64_t> kChanged[] = {
    {"ReduceL1", 18},
    {"ReduceL2", 18},
    {"ReduceLogSum", 18},
    {"ReduceLogSumExp", 18},
    {"ReduceMax", 18},
    {"ReduceMean", 18},
    {"ReduceMin", 18},
    {"ReduceProd", 18},
    {"ReduceSumSquare", 18},
    {"Pad", 18},
    {"Resize", 18},
    {"ScatterElements", 18},
    {"ScatterND", 18},
    {"Split", 18},
    {"LpPool", 18},
    {"OptionalHasElement", 18},
    {"OptionalGetElement", 18},
    {"Mish", 18},
    {"AveragePool", 19},
    {"Cast", 19},
    {"CastLike", 19},
    {"DFT", 20},
    {"Gelu", 20},
    {"GridSample", 20},
    {"QuantizeLinear", 19},
    {"DequantizeLinear", 19},
    {"GroupNormalization", 18},
    {"Attention", 23},
    {"RMSNormalization", 23},
    {"RotaryEmbedding", 23},
    {"Swish", 24},
    {"TensorScatter", 24},
    {"CenterCropPad", 18},
    {"Col2Im", 18},
    {"AffineGrid", 20},
    {"DeformConv", 19},
    {"SimplifiedLayerNormalization", 1},
    {"BitwiseAnd", 18},
    {"BitwiseOr", 18},
    {"BitwiseXor", 18},
    {"BitwiseNot", 18},
};

}  // namespace

bool NewerForm(const std::string& op_type, int64_t opset) {
  for (const auto& [op, since] : kChanged)
    if (op_type == op && opset >= since) return true;
  return false;
}

Adapter FindNewerAdapter(const std::string& op_type, int64_t opset) {
  for (const Entry& e : kNewer)
    if (op_type == e.op && opset >= e.min_opset) return e.fn;
  return nullptr;
}

}  // namespace halo::onnx_fe
