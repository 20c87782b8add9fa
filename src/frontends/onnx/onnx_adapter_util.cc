// Building blocks of the version adapters of newer opsets (onnx_adapter_util.h).
#include "frontends/onnx/onnx_adapter_util.h"

#include <cmath>
#include <cstring>

#include "frontends/onnx/onnx_subgraph.h"

namespace halo::onnx_fe {

void TakeIntAt(Importer& im, PendingNode& p, const std::string& name, int64_t ok) {
  const onnx::AttributeProto* a = p.take_attr(name);
  if (a && a->i() != ok)
    im.Fail(p, "attribute '", name, "' = ", a->i(), " is not supported (only ", ok, ")");
}

void TakeOnes(Importer& im, PendingNode& p, const std::string& name) {
  if (const onnx::AttributeProto* a = p.take_attr(name))
    for (int64_t v : a->ints())
      if (v != 1) im.Fail(p, "attribute '", name, "' other than 1 is not supported");
}

int64_t TakeInt(PendingNode& p, const std::string& name, int64_t def) {
  const onnx::AttributeProto* a = p.take_attr(name);
  return a ? a->i() : def;
}

double TakeFloat(PendingNode& p, const std::string& name, double def) {
  const onnx::AttributeProto* a = p.take_attr(name);
  return a ? static_cast<double>(a->f()) : def;
}

std::vector<int64_t> IntsInput(Importer& im, PendingNode& p, size_t i, const std::string& what) {
  const Tensor& t = im.ConstantInput(p, p.inputs[i], what);
  if (!IsInteger(t.type().dtype) || t.type().Rank() > 1)
    im.Fail(p, what, " must be a 1-D integer tensor, got ", t.type().ToString());
  return t.ToInts();
}

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

Value* OptInput(const PendingNode& p, size_t i) {
  return i < p.inputs.size() ? p.inputs[i] : nullptr;
}

Value* Step(Importer& im, const PendingNode& p, const std::string& op, std::vector<Value*> ins,
            std::map<std::string, AttrValue> attrs) {
  return AddOp(im, p, op, p.name + "/" + op, ins, std::move(attrs));
}

Value* StepWithAttrs(Importer& im, const PendingNode& p, const std::string& op,
                     std::vector<Value*> ins, bool (*keep)(const std::string&)) {
  PendingNode q;
  q.onnx_op = p.onnx_op;
  q.op = op;
  q.name = im.NewNodeName(p.name + "/" + op);
  q.inputs = std::move(ins);
  for (const onnx::AttributeProto* a : p.attrs)
    if (!keep || keep(a->name())) q.attrs.push_back(a);
  q.outputs = {""};
  return im.Build(q)->output();
}

Value* Scalar(Importer& im, const PendingNode& p, Value* x, double v) {
  DataType t = im.KnownType(p, x, "the input").dtype;
  if (!IsFloat(t)) im.Fail(p, "the input must be a float tensor, got ", DataTypeName(t));
  return FilledConst(im, p, t, {}, v);
}

Value* IntsConst(Importer& im, const PendingNode& p, const std::vector<int64_t>& v) {
  return TensorConst(im, p, Tensor::FromInts(v, DataType::kInt64));
}

Value* Positions(Importer& im, const PendingNode& p, int64_t n, std::vector<int64_t> shape) {
  std::vector<int64_t> steps(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) steps[i] = i;
  if (shape.empty()) shape = {1, n};
  return TensorConst(im, p, Tensor::FromInts(steps, DataType::kInt64, shape));
}

Value* FilledConst(Importer& im, const PendingNode& p, DataType t, const Shape& shape, double v) {
  if (t == DataType::kFloat16 || t == DataType::kBFloat16)  // constants hold float32: cast
    return CastTo(im, p, FilledConst(im, p, DataType::kFloat32, shape, v), t);
  const Tensor one = Tensor::Scalar(t, v);
  const size_t size = one.byte_size();
  std::vector<uint8_t> bytes(static_cast<size_t>(NumElements(shape)) * size);
  for (size_t i = 0; i < bytes.size(); i += size) std::memcpy(&bytes[i], one.bytes(), size);
  return TensorConst(im, p, Tensor(Type(t, shape), std::move(bytes)));
}

Value* TensorConst(Importer& im, const PendingNode& p, Tensor t) {
  return Const(im, p.name + "_const", std::move(t));
}

Value* Reshaped(Importer& im, const PendingNode& p, Value* x, const std::vector<int64_t>& shape) {
  return Step(im, p, "Reshape", {x, IntsConst(im, p, shape)});
}

Value* Transposed(Importer& im, const PendingNode& p, Value* x, const std::vector<int64_t>& perm) {
  return Step(im, p, "Transpose", {x}, {{"perm", perm}});
}

Value* CastTo(Importer& im, const PendingNode& p, Value* x, DataType dtype) {
  if (im.KnownType(p, x, "the input").dtype == dtype) return x;
  return Step(im, p, "Cast", {x}, {{"to", static_cast<int64_t>(dtype)}});
}

Value* PadEnd(Importer& im, const PendingNode& p, Value* x, int64_t axis, int64_t to, double v) {
  const Type t = im.KnownType(p, x, "the padded value");
  if (t.shape.at(static_cast<size_t>(axis)) == to) return x;
  std::vector<int64_t> pads(2 * t.shape.size(), 0);
  pads[t.shape.size() + static_cast<size_t>(axis)] = to - t.shape[static_cast<size_t>(axis)];
  return Step(im, p, "Pad", {x, IntsConst(im, p, pads), FilledConst(im, p, t.dtype, {}, v)});
}

Value* SliceAxis(Importer& im, const PendingNode& p, Value* x, int64_t axis, int64_t begin,
                 int64_t end, int64_t step) {
  return Step(im, p, "Slice",
              {x, IntsConst(im, p, {begin}), IntsConst(im, p, {end}), IntsConst(im, p, {axis}),
               IntsConst(im, p, {step})});
}

void Finish(Importer& im, PendingNode& p, const std::string& op, std::vector<Value*> ins,
            std::map<std::string, AttrValue> attrs) {
  p.op = op;
  p.inputs = std::move(ins);
  for (auto& [k, v] : attrs) p.ir_attrs[k] = std::move(v);
  for (size_t i = 1; i < p.outputs.size(); ++i)
    if (!p.outputs[i].empty() && im.IsUsed(p.outputs[i]))
      im.Fail(p, "result ", i, " ('", p.outputs[i], "') is not supported");
  p.outputs.resize(1);
  im.Build(p);
}

Value* RowsAt(Importer& im, const PendingNode& p, Value* rows, Value* at) {
  const Type rt = im.KnownType(p, rows, "the rows");
  const int64_t s = rt.shape[2];
  Value* hit = Step(im, p, "Equal", {at, Positions(im, p, s, {1, 1, 1, s})});
  return Step(im, p, "MatMul", {CastTo(im, p, hit, rt.dtype), rows});
}

void AddedAttrs::Int(PendingNode& p, const std::string& name, int64_t v) {
  onnx::AttributeProto& a = Add(p, name);
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(v);
}

void AddedAttrs::Float(PendingNode& p, const std::string& name, double v) {
  onnx::AttributeProto& a = Add(p, name);
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(static_cast<float>(v));
}

onnx::AttributeProto& AddedAttrs::Add(PendingNode& p, const std::string& name) {
  onnx::AttributeProto& a = store_.emplace_back();
  a.set_name(name);
  p.attrs.push_back(&a);
  return a;
}

void GeluOf(Importer& im, PendingNode& p, Value* x, bool tanh_form) {
  Value* inner;
  if (!tanh_form) {
    inner = Step(im, p, "Erf", {Step(im, p, "Div", {x, Scalar(im, p, x, std::sqrt(2.0))})});
  } else {
    constexpr double kPi = 3.14159265358979323846;
    Value* cube = Step(im, p, "Mul", {Step(im, p, "Mul", {x, x}), x});
    Value* sum = Step(im, p, "Add", {x, Step(im, p, "Mul", {cube, Scalar(im, p, x, 0.044715)})});
    inner =
        Step(im, p, "Tanh", {Step(im, p, "Mul", {sum, Scalar(im, p, x, std::sqrt(2.0 / kPi))})});
  }
  Value* half = Step(im, p, "Mul", {x, Step(im, p, "Add", {inner, Scalar(im, p, x, 1.0)})});
  Finish(im, p, "Mul", {half, Scalar(im, p, x, 0.5)});
}

}  // namespace halo::onnx_fe
