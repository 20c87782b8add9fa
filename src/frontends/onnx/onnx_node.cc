// Building IR nodes from ONNX nodes: inputs, attribute conversion, result names.
#include "frontends/onnx/onnx_importer.h"
#include "frontends/onnx/onnx_tensor.h"

namespace halo::onnx_fe {

using onnx::AttributeProto;

const AttributeProto* PendingNode::attr(const std::string& n) const {
  for (const AttributeProto* a : attrs)
    if (a->name() == n) return a;
  return nullptr;
}

const AttributeProto* PendingNode::take_attr(const std::string& n) {
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (attrs[i]->name() != n) continue;
    const AttributeProto* a = attrs[i];
    attrs.erase(attrs.begin() + static_cast<std::ptrdiff_t>(i));
    return a;
  }
  return nullptr;
}

AttributeProto::AttributeType AttrType(const AttributeProto& a) {
  if (a.type() != AttributeProto::UNDEFINED) return a.type();
  if (a.has_f()) return AttributeProto::FLOAT;
  if (a.has_i()) return AttributeProto::INT;
  if (a.has_s()) return AttributeProto::STRING;
  if (a.has_t()) return AttributeProto::TENSOR;
  if (a.has_g()) return AttributeProto::GRAPH;
  if (a.floats_size()) return AttributeProto::FLOATS;
  if (a.ints_size()) return AttributeProto::INTS;
  if (a.strings_size()) return AttributeProto::STRINGS;
  return AttributeProto::UNDEFINED;
}

static std::string AttrTypeName(AttributeProto::AttributeType t) {
  return AttributeProto::AttributeType_Name(t);
}

static const char* KindName(AttrKind k) {
  switch (k) {
    case AttrKind::kInt:
      return "an INT";
    case AttrKind::kFloat:
      return "a FLOAT";
    case AttrKind::kString:
      return "a STRING";
    case AttrKind::kInts:
      return "INTS";
    case AttrKind::kFloats:
      return "FLOATS";
    case AttrKind::kTensor:
      return "a TENSOR";
    case AttrKind::kDType:
      return "an element type (INT)";
    case AttrKind::kStrings:
      return "STRINGS";
  }
  return "?";
}

Importer::Importer(Graph& g, std::string file, std::string base_dir, const onnx::ModelProto& model,
                   const Weights* weights)
    : g_(g),
      file_(std::move(file)),
      base_dir_(std::move(base_dir)),
      model_(model),
      weights_(weights) {}

std::string Importer::NewTensorName(const std::string& base) {
  std::string n = g_.UniqueName(base);
  while (tensor_names_.count(n)) n = g_.UniqueName(base);
  tensor_names_.insert(n);
  return n;
}

void Importer::BindValue(const std::string& name, OnnxValue v) { values_[name] = std::move(v); }

const OnnxValue* Importer::Lookup(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

Value* Importer::Find(const std::string& name) const {
  const OnnxValue* v = Lookup(name);
  return v && v->kind == OnnxValue::Kind::kTensor ? v->tensor : nullptr;
}

const OnnxValue& Importer::AnyInput(const PendingNode& p, const std::string& name) const {
  const OnnxValue* v = Lookup(name);
  if (!v)
    Fail(p, "input '", name, "' is not defined before the node (not a graph input, ",
         "initializer or earlier result)");
  return *v;
}

Value* Importer::TensorInput(const PendingNode& p, const std::string& name) const {
  if (name.empty()) return nullptr;
  const OnnxValue& v = AnyInput(p, name);
  if (v.kind != OnnxValue::Kind::kTensor)
    Fail(p, "input '", name, "' is ", v.Describe(), "; ", p.onnx_op, " takes a tensor there");
  return v.tensor;
}

const Tensor& Importer::ConstantInput(const PendingNode& p, Value* v, const std::string& what) {
  if (const Tensor* t = ConstantOf(v)) {
    compile_time_.insert(v->name());
    return *t;
  }
  if (const Tensor* t = ConstantValue(v)) {  // computed from constants (in an unrolled loop)
    NeedConstant(v);
    return *t;
  }
  const Node* n = v->producer();
  if (n->op() == "Input")
    Fail(p, what, " ('", v->name(), "') must be known at compile time, but it is the graph ",
         "input '", v->name(), "'; fix it with --const-input ", v->name(), "=FILE.npy");
  Fail(p, what, " ('", v->name(), "') must be known at compile time, but node '", n->name(), "' (",
       n->op(), ") computes it at run time");
}

void Importer::InferBuiltNodes() {
  // Nodes are built in order: infer those not yet visited.
  for (; inferred_nodes_ < g_.nodes().size(); ++inferred_nodes_) {
    Node* n = g_.nodes()[inferred_nodes_].get();
    if (n->op() == "Input" || n->op() == "Constant") continue;
    try {
      VerifyAndInfer(n);
    } catch (const Error&) {
    }
  }
}

const Type& Importer::KnownType(const PendingNode& p, Value* v, const std::string& what) {
  if (!v->type().known) InferBuiltNodes();
  if (!v->type().known) {
    try {
      if (Evaluate(v).type.known) return Evaluate(v).type;  // after folding
    } catch (const Error& e) {  // a node the value depends on is wrong: name the file too
      throw Err(file_, ": ", e.what());
    }
  }
  if (!v->type().known)
    Fail(p, "the type of ", what, " ('", v->name(), "') must be known when the node is ",
         "imported, but it depends on values only constant folding would compute");
  return v->type();
}

Tensor Importer::AttrAsTensor(const PendingNode& p, const AttributeProto& a) {
  switch (AttrType(a)) {
    case AttributeProto::INT:
      return Tensor::FromInts({a.i()}, DataType::kInt64, {});
    case AttributeProto::INTS:
      return Tensor::FromInts({a.ints().begin(), a.ints().end()});
    case AttributeProto::FLOAT:
      return Tensor::Scalar(DataType::kFloat32, a.f());
    case AttributeProto::FLOATS: {
      Tensor t(Type(DataType::kFloat32, {a.floats_size()}));
      for (int i = 0; i < a.floats_size(); ++i) t.mutable_data<float>()[i] = a.floats(i);
      return t;
    }
    case AttributeProto::TENSOR:
      if (weights_) {
        auto it = weights_->constants.find(&a.t());
        if (it != weights_->constants.end()) return it->second;
      }
      try {
        return TensorFromProto(a.t(), base_dir_);
      } catch (const Error& e) {
        Fail(p, "attribute '", a.name(), "': ", e.what());
      }
    default:
      Fail(p, "attribute '", a.name(), "' of type ", AttrTypeName(AttrType(a)),
           " is not supported");
  }
}

AttrValue Importer::ConvertAttr(const PendingNode& p, const AttributeProto& a, const AttrSpec& s) {
  AttributeProto::AttributeType t = AttrType(a);
  switch (s.kind) {
    case AttrKind::kInt:
      if (t == AttributeProto::INT) return a.i();
      break;
    case AttrKind::kFloat:
      if (t == AttributeProto::FLOAT) return static_cast<double>(a.f());
      if (t == AttributeProto::INT) return static_cast<double>(a.i());
      break;
    case AttrKind::kString:
      if (t == AttributeProto::STRING) return a.s();
      break;
    case AttrKind::kInts:
      if (t == AttributeProto::INTS) return std::vector<int64_t>(a.ints().begin(), a.ints().end());
      break;
    case AttrKind::kFloats:
      if (t == AttributeProto::FLOATS)
        return std::vector<double>(a.floats().begin(), a.floats().end());
      if (t == AttributeProto::INTS) return std::vector<double>(a.ints().begin(), a.ints().end());
      break;
    case AttrKind::kTensor:
      if (t == AttributeProto::TENSOR) return AttrAsTensor(p, a);
      break;
    case AttrKind::kStrings:
      if (t == AttributeProto::STRINGS)
        return std::vector<std::string>(a.strings().begin(), a.strings().end());
      break;
    case AttrKind::kDType:
      if (t == AttributeProto::INT) {
        DataType d = DataTypeFromOnnx(static_cast<int32_t>(a.i()));
        if (d == DataType::kInvalid)
          Fail(p, "attribute '", a.name(), "': unsupported element type ",
               OnnxTypeName(static_cast<int32_t>(a.i())));
        return static_cast<int64_t>(d);
      }
      break;
  }
  Fail(p, "attribute '", a.name(), "' has type ", AttrTypeName(t), "; ", p.op, " expects ",
       KindName(s.kind));
}

Node* Importer::Build(PendingNode& p) {
  const OpDef* def = OpRegistry::Get().Find(p.op);
  if (!def || !def->lowered) Fail(p, "unsupported operator");
  std::vector<Value*> ins = p.inputs;
  std::map<std::string, AttrValue> attrs;
  for (const AttributeProto* a : p.attrs) {
    const AttrSpec* s = def->FindAttr(a->name());
    if (!s) Fail(p, "attribute '", a->name(), "' of ", p.onnx_op, " is not supported");
    attrs[a->name()] = ConvertAttr(p, *a, *s);
  }
  for (auto& kv : p.ir_attrs) {
    if (!def->FindAttr(kv.first))
      Fail(p, "attribute '", kv.first, "' of ", p.op, " is not supported");
    attrs[kv.first] = kv.second;
  }
  while (!ins.empty() && !ins.back()) ins.pop_back();
  bool variadic_in = !def->inputs.empty() && def->inputs.back().variadic;
  if (!variadic_in && ins.size() > def->inputs.size())
    Fail(p, "has ", ins.size(), " inputs; ", p.op, " takes at most ", def->inputs.size());

  // Trailing absent results are dropped; results the op does not define must be unused.
  size_t n = p.outputs.size();
  while (n > 1 && p.outputs[n - 1].empty()) --n;
  if (!def->variadic_outputs && n > def->outputs.size()) {
    for (size_t i = def->outputs.size(); i < n; ++i)
      if (!p.outputs[i].empty() && IsUsed(p.outputs[i]))
        Fail(p, "result ", i, " ('", p.outputs[i], "') is not supported");
    n = std::max<size_t>(def->outputs.size(), 1);
  }
  n = std::max<size_t>(n, 1);
  Node* node = g_.AddNode(p.op, p.name, ins, static_cast<int>(n));
  for (auto& kv : attrs) node->set_attr(kv.first, std::move(kv.second));
  for (size_t i = 0; i < n; ++i) {
    std::string o = i < p.outputs.size() ? p.outputs[i] : "";
    Value* v = node->output(i);
    if (o.empty()) {
      std::string label = i < def->outputs.size() ? def->outputs[i] : std::to_string(i);
      v->set_name(NewTensorName(p.name + "_" + label));
      continue;
    }
    if (IsDefined(o)) Fail(p, "tensor '", o, "' is defined twice");
    v->set_name(ValueName(o));
    Bind(o, v);
  }
  return node;
}

void Importer::BuildConstant(const onnx::NodeProto& n, const PendingNode& p) {
  if (n.attribute_size() != 1) Fail(p, "expects exactly one attribute, got ", n.attribute_size());
  const AttributeProto& a = n.attribute(0);
  static const std::set<std::string> kForms = {"value", "value_float", "value_floats", "value_int",
                                               "value_ints"};
  if (!kForms.count(a.name())) Fail(p, "attribute '", a.name(), "' of Constant is not supported");
  if (n.output_size() != 1 || n.output(0).empty()) Fail(p, "expects one named result");
  if (IsDefined(n.output(0))) Fail(p, "tensor '", n.output(0), "' is defined twice");
  Value* v = g_.AddConstant(p.name, AttrAsTensor(p, a));
  v->set_name(ValueName(n.output(0)));
  if (a.has_t() && IsFourBit(a.t().data_type())) MarkFourBitConstant(v);
  Bind(n.output(0), v);
}

}  // namespace halo::onnx_fe
