// Version adapters for opsets 18 to 20 (PyTorch's exporter writes opset 20 since 2.9): the
// node forms that differ from those HALO's ops take. Most need none: the Reduce ops' axes
// input and Split's num_outputs (18) are HALO's own forms. Gelu (20) and Mish (18) become
// the element-wise ops of their definitions; new attributes are taken at their defaults and
// refused otherwise, naming the attribute.
#include <cmath>

#include "frontends/onnx/onnx_importer.h"

namespace halo::onnx_fe {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Removes attribute `name` of p; fails unless it is absent or holds `ok` (an int).
void TakeIntAt(Importer& im, PendingNode& p, const std::string& name, int64_t ok) {
  const onnx::AttributeProto* a = p.take_attr(name);
  if (a && a->i() != ok)
    im.Fail(p, "attribute '", name, "' = ", a->i(), " is not supported (only ", ok, ")");
}

// Removes an ints attribute of p that must be all ones (dilations).
void TakeOnes(Importer& im, PendingNode& p, const std::string& name) {
  if (const onnx::AttributeProto* a = p.take_attr(name))
    for (int64_t v : a->ints())
      if (v != 1) im.Fail(p, "attribute '", name, "' other than 1 is not supported");
}

// The constant 1-D integer input i of p (`what` names it in errors).
std::vector<int64_t> IntsInput(Importer& im, PendingNode& p, size_t i, const std::string& what) {
  const Tensor& t = im.ConstantInput(p, p.inputs[i], what);
  if (!IsInteger(t.type().dtype) || t.type().Rank() > 1)
    im.Fail(p, what, " must be a 1-D integer tensor, got ", t.type().ToString());
  return t.ToInts();
}

// The axes of p's `axes` (as an input or attribute), non-negative for rank r, checked.
std::vector<int64_t> Axes(Importer& im, PendingNode& p, std::vector<int64_t> axes, int64_t r) {
  std::vector<bool> seen(static_cast<size_t>(r), false);
  for (int64_t& a : axes) {
    if (a < -r || a >= r) im.Fail(p, "axis ", a, " is out of range for rank ", r);
    if (a < 0) a += r;
    if (seen[static_cast<size_t>(a)]) im.Fail(p, "'axes' repeats axis ", a);
    seen[static_cast<size_t>(a)] = true;
  }
  return axes;
}

// A node of IR op `op` on `ins`, named after p; its result.
Value* Step(Importer& im, const PendingNode& p, const std::string& op, std::vector<Value*> ins) {
  PendingNode q;
  q.onnx_op = p.onnx_op;
  q.op = op;
  q.name = im.NewNodeName(p.name + "/" + op);
  q.inputs = std::move(ins);
  q.outputs = {""};
  return im.Build(q)->output();
}

// A scalar constant of x's element type.
Value* Scalar(Importer& im, const PendingNode& p, Value* x, double v) {
  DataType t = im.KnownType(p, x, "the input").dtype;
  if (!IsFloat(t)) im.Fail(p, "the input must be a float tensor, got ", DataTypeName(t));
  return im.graph().AddConstant(im.NewTensorName(p.name + "_const"), Tensor::Scalar(t, v));
}

// p becomes the last step: IR op `op` on `ins`, with p's result.
void Finish(Importer& im, PendingNode& p, const std::string& op, std::vector<Value*> ins) {
  p.op = op;
  p.inputs = std::move(ins);
  im.Build(p);
}

// Gelu-20: exact, x * (erf(x / sqrt(2)) + 1) * 0.5 (as PyTorch's TorchScript exporter wrote
// it, which fuse-gemm recognises), or with approximate="tanh",
// x * (tanh(sqrt(2 / pi) * (x + 0.044715 x^3)) + 1) * 0.5.
void Gelu(Importer& im, PendingNode& p) {
  std::string approximate = "none";
  if (const onnx::AttributeProto* a = p.take_attr("approximate")) approximate = a->s();
  Value* x = p.inputs.at(0);
  Value* inner;
  if (approximate == "none") {
    inner = Step(im, p, "Erf", {Step(im, p, "Div", {x, Scalar(im, p, x, std::sqrt(2.0))})});
  } else if (approximate == "tanh") {
    Value* cube = Step(im, p, "Mul", {Step(im, p, "Mul", {x, x}), x});
    Value* sum = Step(im, p, "Add", {x, Step(im, p, "Mul", {cube, Scalar(im, p, x, 0.044715)})});
    inner =
        Step(im, p, "Tanh", {Step(im, p, "Mul", {sum, Scalar(im, p, x, std::sqrt(2.0 / kPi))})});
  } else {
    im.Fail(p, "approximate must be 'none' or 'tanh', got '", approximate, "'");
  }
  Value* half = Step(im, p, "Mul", {x, Step(im, p, "Add", {inner, Scalar(im, p, x, 1.0)})});
  Finish(im, p, "Mul", {half, Scalar(im, p, x, 0.5)});
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

// Cast-19, CastLike-19: `saturate` concerns conversions to float8 only, which HALO lacks.
void Cast(Importer& im, PendingNode& p) {
  p.take_attr("saturate");
  im.Build(p);
}

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
};

// The ops whose form changed after kOnnxLibOpset (17), with the opset of the change, and the
// new ops HALO translates.
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
