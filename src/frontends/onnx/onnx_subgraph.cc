// Inlining subgraphs: lexical scopes and the import of a body in place.
#include "frontends/onnx/onnx_subgraph.h"

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

const onnx::GraphProto& GraphAttr(Importer& im, PendingNode& p, const std::string& name) {
  const onnx::AttributeProto* a = p.take_attr(name);
  if (!a || AttrType(*a) != onnx::AttributeProto::GRAPH)
    im.Fail(p, "attribute '", name, "' (a graph) is missing");
  return a->g();
}

std::vector<Value*> InlineSubgraph(Importer& im, const PendingNode& p, const onnx::GraphProto& body,
                                   const std::vector<Value*>& inputs, const std::string& tag,
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
      im.Bind(body.input(static_cast<int>(i)).name(), inputs[i]);
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
  std::vector<Value*> outs;
  for (const auto& o : body.output()) {
    Value* v = im.Find(o.name());
    if (!v) im.Fail(p, what, " does not compute its output '", o.name(), "'");
    outs.push_back(v);
  }
  return outs;
}

}  // namespace halo::onnx_fe
