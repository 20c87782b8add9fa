// ONNX sequences and optionals: compile-time structures of the frontend. A sequence is a
// list of IR values, an optional holds a tensor, a sequence or nothing. The ops on them
// resolve at import time: positions and split sizes must be constants (graph inputs that
// reach them are frozen by input specialisation), lengths and presence become constants,
// and the tensor work (ConcatFromSequence, SplitToSequence) becomes plain IR ops.
#include <algorithm>
#include <map>

#include "frontends/onnx/onnx_importer.h"
#include "frontends/onnx/onnx_tensor.h"

namespace halo::onnx_fe {

using Kind = OnnxValue::Kind;

OnnxValue OnnxValue::OfTensor(Value* v) {
  OnnxValue r;
  r.kind = Kind::kTensor;
  r.tensor = v;
  return r;
}

OnnxValue OnnxValue::OfSequence(std::vector<Value*> elements, DataType dtype) {
  OnnxValue r;
  r.kind = Kind::kSequence;
  r.elements = std::move(elements);
  r.dtype = dtype;
  return r;
}

OnnxValue OnnxValue::OfOptional(const OnnxValue& v) {
  OnnxValue r = v;
  r.kind = Kind::kOptional;
  r.content = v.kind;
  r.present = true;
  if (v.kind == Kind::kTensor && v.tensor->type().known) r.dtype = v.tensor->type().dtype;
  return r;
}

OnnxValue OnnxValue::EmptyOptional(Kind content, DataType dtype) {
  OnnxValue r;
  r.kind = Kind::kOptional;
  r.content = content;
  r.dtype = dtype;
  return r;
}

OnnxValue OnnxValue::Contents() const {
  OnnxValue r = *this;
  r.kind = content;
  r.present = false;
  r.content = Kind::kTensor;
  return r;
}

std::string OnnxValue::Describe() const {
  auto sequence = [&] {
    return "a sequence of " + std::to_string(elements.size()) +
           (elements.size() == 1 ? " tensor" : " tensors");
  };
  switch (kind) {
    case Kind::kTensor:
      return "a tensor";
    case Kind::kSequence:
      return sequence();
    case Kind::kOptional:
      if (!present)
        return std::string("an empty optional ") +
               (content == Kind::kTensor ? "tensor" : "sequence");
      return "an optional holding " + (content == Kind::kTensor ? "a tensor" : sequence());
  }
  return "?";
}

namespace {

using Translator = void (*)(Importer&, const onnx::NodeProto&, PendingNode&);

bool Given(const onnx::NodeProto& n, int i) { return i < n.input_size() && !n.input(i).empty(); }

// Fails on attributes outside `known` (ONNX's checker has vetted their types).
void CheckAttrs(Importer& im, const PendingNode& p, std::initializer_list<const char*> known) {
  for (const onnx::AttributeProto* a : p.attrs) {
    bool ok = false;
    for (const char* k : known) ok = ok || a->name() == k;
    if (!ok) im.Fail(p, "attribute '", a->name(), "' of ", p.onnx_op, " is not supported");
  }
}

int64_t IntAttr(const PendingNode& p, const char* name, int64_t fallback) {
  const onnx::AttributeProto* a = p.attr(name);
  return a ? a->i() : fallback;
}

const OnnxValue& SequenceInput(Importer& im, const onnx::NodeProto& n, const PendingNode& p,
                               int i) {
  if (!Given(n, i)) im.Fail(p, "input ", i, " (a sequence) is missing");
  const OnnxValue& v = im.AnyInput(p, n.input(i));
  if (v.kind != Kind::kSequence)
    im.Fail(p, "input '", n.input(i), "' is ", v.Describe(), "; ", p.onnx_op,
            " takes a sequence there");
  return v;
}

// The element type of t, checked against the sequence's (when both are known; the import
// infers no types for this: the pipeline checks the tensors where they are used).
DataType ElementType(Importer& im, const PendingNode& p, Value* t, DataType seq) {
  DataType dt = t->type().known ? t->type().dtype : DataType::kInvalid;
  if (dt != DataType::kInvalid && seq != DataType::kInvalid && dt != seq)
    im.Fail(p, "tensor '", t->name(), "' is ", DataTypeName(dt), " but the sequence holds ",
            DataTypeName(seq));
  return seq != DataType::kInvalid ? seq : dt;
}

// A position in a sequence of `length` elements, from the constant input i: -length ..
// length - 1, or .. length for an insertion (the end). Returns it non-negative.
int64_t Position(Importer& im, const onnx::NodeProto& n, const PendingNode& p, int i, size_t length,
                 bool insert) {
  const Tensor& t = im.ConstantInput(p, im.TensorInput(p, n.input(i)), "the position");
  if (!IsInteger(t.type().dtype) || t.type().NumElements() != 1)
    im.Fail(p, "the position ('", n.input(i), "') must be one integer, got ", t.type().ToString());
  int64_t pos = t.GetInt(0);
  auto len = static_cast<int64_t>(length);
  int64_t hi = insert ? len : len - 1;
  if (pos < -len || pos > hi)
    im.Fail(p, "position ", pos, " is out of range for a sequence of ", length,
            length == 1 ? " tensor" : " tensors", " (", -len, " to ", hi, ")");
  return pos < 0 ? pos + len : pos;
}

void BindResult(Importer& im, const PendingNode& p, OnnxValue v) {
  if (p.outputs.empty() || p.outputs[0].empty()) return;  // an unused result
  if (im.IsDefined(p.outputs[0])) im.Fail(p, "tensor '", p.outputs[0], "' is defined twice");
  im.BindValue(p.outputs[0], std::move(v));
}

// A node of a plain IR op, named after p; its results get generated names.
Node* AddOp(Importer& im, const PendingNode& p, const std::string& op, std::vector<Value*> ins,
            int num_outputs = 1) {
  Node* node = im.graph().AddNode(op, im.NewNodeName(p.name + "/" + op), ins, num_outputs);
  for (size_t i = 0; i < node->num_outputs(); ++i)
    node->output(i)->set_name(im.NewTensorName(node->name() + "_" + std::to_string(i)));
  return node;
}

void SequenceEmpty(Importer& im, const onnx::NodeProto&, PendingNode& p) {
  CheckAttrs(im, p, {"dtype"});
  int64_t onnx_type = IntAttr(p, "dtype", onnx::TensorProto::FLOAT);
  DataType dt = DataTypeFromOnnx(static_cast<int32_t>(onnx_type));
  if (dt == DataType::kInvalid)
    im.Fail(p, "unsupported element type ", OnnxTypeName(static_cast<int32_t>(onnx_type)));
  BindResult(im, p, OnnxValue::OfSequence({}, dt));
}

void SequenceConstruct(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  CheckAttrs(im, p, {});
  std::vector<Value*> elements;
  DataType dt = DataType::kInvalid;
  for (const auto& in : n.input()) {
    Value* t = im.TensorInput(p, in);
    if (!t) im.Fail(p, "an input is missing (every input is an element)");
    dt = ElementType(im, p, t, dt);
    elements.push_back(t);
  }
  BindResult(im, p, OnnxValue::OfSequence(std::move(elements), dt));
}

void SequenceInsert(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  CheckAttrs(im, p, {});
  OnnxValue seq = SequenceInput(im, n, p, 0);
  Value* t = Given(n, 1) ? im.TensorInput(p, n.input(1)) : nullptr;
  if (!t) im.Fail(p, "input 1 (the tensor to insert) is missing");
  seq.dtype = ElementType(im, p, t, seq.dtype);
  size_t pos = seq.elements.size();
  if (Given(n, 2)) pos = static_cast<size_t>(Position(im, n, p, 2, seq.elements.size(), true));
  seq.elements.insert(seq.elements.begin() + static_cast<std::ptrdiff_t>(pos), t);
  BindResult(im, p, std::move(seq));
}

void SequenceErase(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  CheckAttrs(im, p, {});
  OnnxValue seq = SequenceInput(im, n, p, 0);
  if (seq.elements.empty()) im.Fail(p, "cannot erase from an empty sequence");
  size_t pos = seq.elements.size() - 1;
  if (Given(n, 1)) pos = static_cast<size_t>(Position(im, n, p, 1, seq.elements.size(), false));
  seq.elements.erase(seq.elements.begin() + static_cast<std::ptrdiff_t>(pos));
  BindResult(im, p, std::move(seq));
}

void SequenceAt(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  CheckAttrs(im, p, {});
  const OnnxValue& seq = SequenceInput(im, n, p, 0);
  if (!Given(n, 1)) im.Fail(p, "input 1 (the position) is missing");
  if (seq.elements.empty()) im.Fail(p, "the sequence '", n.input(0), "' is empty");
  size_t pos = static_cast<size_t>(Position(im, n, p, 1, seq.elements.size(), false));
  BindResult(im, p, OnnxValue::OfTensor(seq.elements[pos]));
}

void SequenceLength(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  CheckAttrs(im, p, {});
  const OnnxValue& seq = SequenceInput(im, n, p, 0);
  if (p.outputs.empty() || p.outputs[0].empty()) return;
  auto length = static_cast<int64_t>(seq.elements.size());
  Value* v = im.graph().AddConstant(p.name, Tensor::FromInts({length}, DataType::kInt64, {}));
  v->set_name(im.ValueName(p.outputs[0]));
  BindResult(im, p, OnnxValue::OfTensor(v));
}

void ConcatFromSequence(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  CheckAttrs(im, p, {"axis", "new_axis"});
  const OnnxValue& seq = SequenceInput(im, n, p, 0);
  if (!p.attr("axis")) im.Fail(p, "attribute 'axis' is required");
  int64_t axis = IntAttr(p, "axis", 0);
  int64_t new_axis = IntAttr(p, "new_axis", 0);
  if (new_axis != 0 && new_axis != 1) im.Fail(p, "'new_axis' is ", new_axis, "; expected 0 or 1");
  if (seq.elements.empty()) im.Fail(p, "cannot concatenate an empty sequence");
  std::vector<Value*> parts = seq.elements;
  if (new_axis)  // stack: a new dimension of size 1 at `axis` in each, then concatenate
    for (Value*& part : parts) {
      Node* u = AddOp(im, p, "Unsqueeze", {part});
      u->set_attr("axes", std::vector<int64_t>{axis});
      part = u->output();
    }
  Node* concat = im.graph().AddNode("Concat", p.name, parts);
  concat->set_attr("axis", axis);
  concat->output()->set_name(p.outputs.empty() || p.outputs[0].empty()
                                 ? im.NewTensorName(p.name + "_concat_result")
                                 : im.ValueName(p.outputs[0]));
  BindResult(im, p, OnnxValue::OfTensor(concat->output()));
}

// The part sizes of SplitToSequence: size-1 parts without `split`, equal parts of a scalar
// split (the last one smaller), or the sizes of a 1-D split.
std::vector<int64_t> SplitSizes(Importer& im, const onnx::NodeProto& n, const PendingNode& p,
                                int64_t dim) {
  if (!Given(n, 1)) return std::vector<int64_t>(static_cast<size_t>(dim), 1);
  const Tensor& t = im.ConstantInput(p, im.TensorInput(p, n.input(1)), "'split'");
  if (!IsInteger(t.type().dtype) || t.type().Rank() > 1)
    im.Fail(p, "'split' must be an integer scalar or 1-D tensor, got ", t.type().ToString());
  std::vector<int64_t> sizes;
  if (t.type().Rank() == 0) {
    int64_t size = t.GetInt(0);
    if (size <= 0) im.Fail(p, "'split' is ", size, "; a scalar split must be positive");
    for (int64_t at = 0; at < dim; at += size) sizes.push_back(std::min(size, dim - at));
    return sizes;
  }
  sizes = t.ToInts();
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0) im.Fail(p, "'split' has a negative entry ", s);
    total += s;
  }
  if (total != dim) im.Fail(p, "'split' sums to ", total, " but the axis has size ", dim);
  return sizes;
}

void SplitToSequence(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  CheckAttrs(im, p, {"axis", "keepdims"});
  Value* in = Given(n, 0) ? im.TensorInput(p, n.input(0)) : nullptr;
  if (!in) im.Fail(p, "input 0 (the tensor to split) is missing");
  const Type type = im.KnownType(p, in, "the input");
  int64_t rank = type.Rank();
  int64_t axis = IntAttr(p, "axis", 0);
  if (rank == 0) im.Fail(p, "cannot split a scalar");
  if (axis < -rank || axis >= rank)
    im.Fail(p, "'axis' ", axis, " is out of range for ", type.ToString());
  if (axis < 0) axis += rank;
  std::vector<int64_t> sizes = SplitSizes(im, n, p, type.shape[axis]);
  // keepdims = 0 drops the split axis, only without 'split' (the parts then have size 1).
  bool squeeze = !Given(n, 1) && IntAttr(p, "keepdims", 1) == 0;
  std::vector<Value*> parts;
  if (!sizes.empty()) {
    Node* split = AddOp(im, p, "Split", {in}, static_cast<int>(sizes.size()));
    split->set_attr("axis", axis);
    split->set_attr("split", sizes);
    for (size_t i = 0; i < sizes.size(); ++i) {
      Value* part = split->output(i);
      if (squeeze) {
        Node* s = AddOp(im, p, "Squeeze", {part});
        s->set_attr("axes", std::vector<int64_t>{axis});
        part = s->output();
      }
      parts.push_back(part);
    }
  }
  BindResult(im, p, OnnxValue::OfSequence(std::move(parts), type.dtype));
}

// The kind and element type of an ONNX type attribute (Optional's 'type').
OnnxValue EmptyOf(Importer& im, const PendingNode& p, const onnx::TypeProto& t) {
  const onnx::TypeProto* tensor = &t;
  Kind content = Kind::kTensor;
  if (t.has_sequence_type()) {
    content = Kind::kSequence;
    tensor = &t.sequence_type().elem_type();
  }
  if (!tensor->has_tensor_type())
    im.Fail(p, "attribute 'type' must be a tensor or a sequence of tensors");
  DataType dt = DataTypeFromOnnx(tensor->tensor_type().elem_type());
  if (dt == DataType::kInvalid)
    im.Fail(p, "unsupported element type ", OnnxTypeName(tensor->tensor_type().elem_type()));
  return OnnxValue::EmptyOptional(content, dt);
}

void Optional(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  CheckAttrs(im, p, {"type"});
  if (!Given(n, 0)) {
    const onnx::AttributeProto* a = p.attr("type");
    if (!a || !a->has_tp()) im.Fail(p, "without an input, attribute 'type' is required");
    BindResult(im, p, EmptyOf(im, p, a->tp()));
    return;
  }
  const OnnxValue& v = im.AnyInput(p, n.input(0));
  if (v.kind == Kind::kOptional) im.Fail(p, "input '", n.input(0), "' is already an optional");
  BindResult(im, p, OnnxValue::OfOptional(v));
}

void OptionalHasElement(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  CheckAttrs(im, p, {});
  bool has = false;
  if (Given(n, 0)) {
    const OnnxValue& v = im.AnyInput(p, n.input(0));
    has = v.kind != Kind::kOptional || v.present;
  }
  if (p.outputs.empty() || p.outputs[0].empty()) return;
  Value* r = im.graph().AddConstant(p.name, Tensor::Scalar(DataType::kBool, has ? 1 : 0));
  r->set_name(im.ValueName(p.outputs[0]));
  BindResult(im, p, OnnxValue::OfTensor(r));
}

void OptionalGetElement(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  CheckAttrs(im, p, {});
  if (!Given(n, 0)) im.Fail(p, "input 0 (the optional) is missing");
  const OnnxValue& v = im.AnyInput(p, n.input(0));
  if (v.kind != Kind::kOptional) {  // a tensor or sequence (opset 18) is its own value
    BindResult(im, p, v);
    return;
  }
  if (!v.present) im.Fail(p, "the optional '", n.input(0), "' is empty");
  BindResult(im, p, v.Contents());
}

const std::map<std::string, Translator>& Translators() {
  static const std::map<std::string, Translator> ops = {
      {"SequenceEmpty", SequenceEmpty},
      {"SequenceConstruct", SequenceConstruct},
      {"SequenceInsert", SequenceInsert},
      {"SequenceErase", SequenceErase},
      {"SequenceAt", SequenceAt},
      {"SequenceLength", SequenceLength},
      {"ConcatFromSequence", ConcatFromSequence},
      {"SplitToSequence", SplitToSequence},
      {"Optional", Optional},
      {"OptionalHasElement", OptionalHasElement},
      {"OptionalGetElement", OptionalGetElement},
  };
  return ops;
}

}  // namespace

bool ImportSequenceNode(Importer& im, const onnx::NodeProto& n, PendingNode& p) {
  auto it = Translators().find(n.op_type());
  if (it != Translators().end()) {
    it->second(im, n, p);
    return true;
  }
  // Identity passes a sequence or optional on as it is.
  if (n.op_type() != "Identity" || !Given(n, 0)) return false;
  const OnnxValue* v = im.Lookup(n.input(0));
  if (!v || v->kind == Kind::kTensor) return false;
  CheckAttrs(im, p, {});
  BindResult(im, p, *v);
  return true;
}

}  // namespace halo::onnx_fe
