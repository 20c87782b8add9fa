// Inlining subgraphs: lexical scopes, the import of a body in place, and the helpers the
// control-flow translations share.
#include "frontends/onnx/onnx_subgraph.h"

#include <set>

#include "frontends/onnx/onnx_tensor.h"

namespace halo::onnx_fe {

Importer::Scope::Scope(Importer& im, const std::vector<std::string>& defined, std::string prefix)
    : im_(im),
      defined_(defined.begin(), defined.end()),
      prefix_(std::move(prefix)),
      outer_prefix_(im.node_prefix_),
      outer_(im.scope_) {
  // The enclosing bindings of the names the body defines are set aside until it ends.
  for (const std::string& name : defined_) {
    auto node = im_.values_.extract(name);
    if (!node.empty()) hidden_.push_back(std::move(node));
  }
  im_.scope_ = this;
  im_.node_prefix_ = prefix_;
}

Importer::Scope::~Scope() {
  for (const std::string& name : defined_) im_.values_.erase(name);
  for (auto& node : hidden_) im_.values_.insert(std::move(node));
  im_.scope_ = outer_;
  im_.node_prefix_ = outer_prefix_;
}

std::string Importer::ValueName(const std::string& name) {
  if (!scope_ || !scope_->defines(name)) return name;
  std::string n = scope_->prefix() + name;  // unique unless a generated name took it
  if (tensor_names_.count(n)) return NewTensorName(n);
  tensor_names_.insert(n);
  return n;
}

std::vector<OnnxValue> InlineSubgraph(Importer& im, const PendingNode& p,
                                      const onnx::GraphProto& body,
                                      const std::vector<OnnxValue>& inputs, const std::string& tag,
                                      int64_t opset) {
  const std::string what = "its subgraph '" + body.name() + "'";
  if (static_cast<size_t>(body.input_size()) != inputs.size())
    im.Fail(p, what, " takes ", body.input_size(), " inputs; ", p.onnx_op, " gives it ",
            inputs.size());
  if (body.sparse_initializer_size()) im.Fail(p, what, " has sparse initializers");
  std::vector<std::string> defined;
  for (const auto& vi : body.input()) defined.push_back(vi.name());
  for (const auto& t : body.initializer()) defined.push_back(t.name());
  for (const auto& n : body.node())
    for (const auto& o : n.output())
      if (!o.empty()) defined.push_back(o);

  Importer::Scope scope(im, defined, p.name + "/" + tag + "/");
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!body.input(static_cast<int>(i)).name().empty())
      im.BindValue(body.input(static_cast<int>(i)).name(), inputs[i]);
  for (const auto& t : body.initializer()) {
    Tensor value;
    try {
      value = TensorFromProto(t, im.base_dir());
    } catch (const Error& e) {
      im.Fail(p, what, ": initializer '", t.name(), "': ", e.what());
    }
    Value* v = im.graph().AddConstant(im.NewNodeName(scope.prefix() + t.name()), value);
    v->set_name(im.ValueName(t.name()));
    im.Bind(t.name(), v);
  }
  for (const auto& n : body.node()) ImportNode(im, n, opset);
  std::vector<OnnxValue> outs;
  for (const auto& o : body.output()) {
    const OnnxValue* v = im.Lookup(o.name());
    if (!v) im.Fail(p, what, " does not compute its output '", o.name(), "'");
    outs.push_back(*v);
  }
  return outs;
}

std::vector<int64_t> IntsAttr(Importer& im, PendingNode& p, const std::string& name, size_t count,
                              int64_t dflt) {
  const onnx::AttributeProto* a = p.take_attr(name);
  if (!a) return std::vector<int64_t>(count, dflt);
  if (AttrType(*a) != onnx::AttributeProto::INTS || static_cast<size_t>(a->ints_size()) != count)
    im.Fail(p, "attribute '", name, "' must be INTS with ", count, " entries");
  return {a->ints().begin(), a->ints().end()};
}

const onnx::GraphProto& GraphAttr(Importer& im, PendingNode& p, const std::string& name) {
  const onnx::AttributeProto* a = p.take_attr(name);
  if (!a || AttrType(*a) != onnx::AttributeProto::GRAPH)
    im.Fail(p, "attribute '", name, "' (a graph) is missing");
  return a->g();
}

void RejectOtherAttrs(Importer& im, const PendingNode& p) {
  if (!p.attrs.empty())
    im.Fail(p, "attribute '", p.attrs[0]->name(), "' of ", p.onnx_op, " is not supported");
}

Value* Const(Importer& im, const std::string& name, Tensor t) {
  return im.graph().AddConstant(im.NewTensorName(name), std::move(t));
}

Value* Int64Scalar(Importer& im, const std::string& name, int64_t v) {
  return Const(im, name, Tensor::FromInts({v}, DataType::kInt64, {}));
}

Value* AddOp(Importer& im, const PendingNode& p, const std::string& op, const std::string& name,
             const std::vector<Value*>& inputs, std::map<std::string, AttrValue> attrs) {
  PendingNode q;
  q.onnx_op = p.onnx_op;
  q.op = op;
  q.name = im.NewNodeName(name);
  q.inputs = inputs;
  q.ir_attrs = std::move(attrs);
  q.outputs = {""};
  return im.Build(q)->output(0);
}

Value* TensorOf(Importer& im, const PendingNode& p, const OnnxValue& v, const std::string& what) {
  if (v.kind != OnnxValue::Kind::kTensor || !v.tensor)
    im.Fail(p, what, " is ", v.kind == OnnxValue::Kind::kTensor ? "missing" : v.Describe(), "; ",
            p.onnx_op, " takes a tensor there");
  return v.tensor;
}

Type StaticType(Importer& im, const PendingNode& p, Value* v, const std::string& what) {
  const Type& t = im.Evaluate(v).type;
  if (!t.known) im.Fail(p, "the type of ", what, " ('", v->name(), "') is not known");
  return t;
}

std::optional<int64_t> ConstScalar(Importer& im, const PendingNode& p, Value* v,
                                   const std::string& what) {
  const Tensor* t = im.ConstantValue(v);
  if (!t) return std::nullopt;
  if (t->type().NumElements() != 1)
    im.Fail(p, what, " must have one element, got ", t->type().ToString());
  return t->GetInt(0);
}

Value* Stack(Importer& im, const PendingNode& p, const std::vector<Value*>& parts, int64_t axis,
             const std::string& name) {
  Value* axes = Const(im, name + "_axes", Tensor::FromInts({axis}));
  std::vector<Value*> expanded;
  for (Value* v : parts) expanded.push_back(AddOp(im, p, "Unsqueeze", name, {v, axes}));
  if (expanded.size() == 1) return expanded[0];
  return AddOp(im, p, "Concat", name, expanded, {{"axis", axis}});
}

Value* EmptyStack(Importer& im, const PendingNode& p, const Type& t, int64_t axis,
                  const std::string& name) {
  int64_t rank = t.Rank() + 1;
  if (axis < -rank || axis >= rank)
    im.Fail(p, "axis ", axis, " is out of range for stacking ", t.ToString());
  Shape shape = t.shape;
  shape.insert(shape.begin() + (axis < 0 ? axis + rank : axis), 0);
  return Const(im, name, Tensor(Type(t.dtype, shape)));
}

std::vector<Type> BodyOutputTypes(Importer& im, const PendingNode& p, const onnx::GraphProto& body,
                                  const std::vector<OnnxValue>& inputs, size_t first,
                                  int64_t opset) {
  Importer::Mark mark = im.MarkNodes();
  std::vector<OnnxValue> outs = InlineSubgraph(im, p, body, inputs, "types", opset);
  std::vector<Type> types;
  for (size_t i = first; i < outs.size(); ++i) {
    std::string what = "output '" + body.output(static_cast<int>(i)).name() + "' of the body";
    types.push_back(StaticType(im, p, TensorOf(im, p, outs[i], what), what));
  }
  // In the first import of input specialisation the copy stays (that graph only tells which
  // inputs are needed), so that what it needs constant is frozen for the final import.
  if (!im.speculative) im.Rollback(mark);
  return types;
}

void BindResults(Importer& im, const PendingNode& p, const std::vector<OnnxValue>& values,
                 const Importer::Mark& start) {
  std::set<const Node*> created;
  for (size_t i = start.nodes; i < im.graph().nodes().size(); ++i)
    created.insert(im.graph().nodes()[i].get());
  std::set<const Value*> renamed;
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    const std::string& o = p.outputs[i];
    if (o.empty()) continue;
    if (i >= values.size())
      im.Fail(p, "result ", i, " ('", o, "') is not computed by its subgraph (it gives ",
              values.size(), " results)");
    if (im.IsDefined(o)) im.Fail(p, "tensor '", o, "' is defined twice");
    Value* v = values[i].kind == OnnxValue::Kind::kTensor ? values[i].tensor : nullptr;
    if (v && created.count(v->producer()) && renamed.insert(v).second) v->set_name(im.ValueName(o));
    im.BindValue(o, values[i]);
  }
}

}  // namespace halo::onnx_fe
