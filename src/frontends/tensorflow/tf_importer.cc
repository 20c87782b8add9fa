// The import state: node building helpers, attribute access and import-time evaluation
// (what InferShapes will know of a value, for translations that need a shape or a constant).
#include "frontends/tensorflow/tf_importer.h"

#include "passes/passes.h"

namespace halo::tf_fe {

const halo_tf::AttrValue* TfNode::Find(const std::string& a) const {
  auto it = def.attr().find(a);
  return it == def.attr().end() ? nullptr : &it->second;
}

namespace {

template <typename T>
T Need(const TfNode& n, const std::string& a, const std::optional<T>& def) {
  if (!def) n.im->Fail(n, "attribute '", a, "' is missing");
  return *def;
}

}  // namespace

int64_t TfNode::Int(const std::string& a, std::optional<int64_t> def) const {
  const auto* v = Find(a);
  return v && v->value_case() == halo_tf::AttrValue::kI ? v->i() : Need(*this, a, def);
}

float TfNode::Float(const std::string& a, std::optional<float> def) const {
  const auto* v = Find(a);
  return v && v->value_case() == halo_tf::AttrValue::kF ? v->f() : Need(*this, a, def);
}

bool TfNode::Bool(const std::string& a, bool def) const {
  const auto* v = Find(a);
  return v && v->value_case() == halo_tf::AttrValue::kB ? v->b() : def;
}

std::string TfNode::Str(const std::string& a, std::optional<std::string> def) const {
  const auto* v = Find(a);
  return v && v->value_case() == halo_tf::AttrValue::kS ? v->s() : Need(*this, a, def);
}

std::vector<int64_t> TfNode::Ints(const std::string& a,
                                  std::optional<std::vector<int64_t>> def) const {
  const auto* v = Find(a);
  if (v && v->value_case() == halo_tf::AttrValue::kList && v->list().i_size() != 0)
    return {v->list().i().begin(), v->list().i().end()};
  if (v && v->value_case() == halo_tf::AttrValue::kList && def) return *def;
  if (v && v->value_case() == halo_tf::AttrValue::kList) return {};
  return Need(*this, a, def);
}

DataType TfNode::Type(const std::string& a) const {
  const auto* v = Find(a);
  if (!v || v->value_case() != halo_tf::AttrValue::kType)
    im->Fail(*this, "attribute '", a, "' (a type) is missing");
  DataType t = DTypeOf(v->type());
  if (t == DataType::kInvalid)
    im->Fail(*this, "element type ", halo_tf::DataType_Name(v->type()), " is not supported");
  return t;
}

Node* Importer::AddNode(const TfNode& n, const std::string& op, const std::vector<Value*>& inputs,
                        const std::map<std::string, AttrValue>& attrs, int num_outputs) {
  // The node's first result later takes n's name (NameResults in tf_graph.cc).
  std::string name = g_.UniqueName(n.name() + "/halo");
  Node* node = g_.AddNode(op, name, inputs, num_outputs);
  for (const auto& [k, v] : attrs) node->set_attr(k, v);
  for (size_t i = 0; i < node->num_outputs(); ++i)
    node->output(i)->set_name(i == 0 ? name : name + ":" + std::to_string(i));
  return node;
}

Value* Importer::Constant(const TfNode& n, Tensor t) {
  return g_.AddConstant(g_.UniqueName(n.name() + "/const"), std::move(t));
}

Value* Importer::Ints(const TfNode& n, const std::vector<int64_t>& v) {
  return Constant(n, Tensor::FromInts(v, DataType::kInt64, {static_cast<int64_t>(v.size())}));
}

Value* Importer::Scalar(const TfNode& n, DataType t, double v) {
  return Constant(n, Tensor::Scalar(t, v));
}

Value* Importer::Transpose(const TfNode& n, Value* v, const std::vector<int64_t>& perm) {
  return Add(n, "Transpose", {v}, {{"perm", perm}});
}

Value* Importer::Reshape(const TfNode& n, Value* v, const std::vector<int64_t>& shape) {
  return Add(n, "Reshape", {v, Ints(n, shape)}, {{"allowzero", int64_t{1}}});
}

Value* Importer::CastTo(const TfNode& n, Value* v, DataType t) {
  if (TypeOf(n, v, "the operand").dtype == t) return v;
  return Add(n, "Cast", {v}, {{"to", static_cast<int64_t>(t)}});
}

const halo::Type& Importer::TypeOf(const TfNode& n, Value* v, const std::string& what) {
  const Known& k = Evaluate(v);
  if (!k.type.known)
    Fail(n, "the shape of ", what, " is not known at compile time",
         k.error.empty() ? "" : " (" + k.error + ")");
  return k.type;
}

const Tensor& Importer::ValueOf(const TfNode& n, Value* v, const std::string& what) {
  const Known& k = Evaluate(v);
  if (!k.value)
    Fail(n, what, " must be a constant (or computed from constants and shapes) at compile time",
         k.error.empty() ? "" : " (" + k.error + ")");
  return *k.value;
}

// The nodes v depends on, down to constants, inputs and values evaluated before, are copied
// into a scratch graph where InferShapes infers their types and folds those whose inputs
// are constant (as the ONNX frontend's evaluation does). The graph itself is left alone.
const Importer::Known& Importer::Evaluate(Value* v) {
  auto found = known_.find(v);
  if (found != known_.end()) return found->second;
  Graph scratch("evaluate");
  std::unordered_map<const Value*, Value*> copy;
  std::vector<const Value*> computed;
  auto leaf = [&](const Value* orig, const halo::Type& type, const Tensor* value) {
    std::string name = scratch.UniqueName(orig->producer()->name());
    copy[orig] = value ? scratch.AddConstant(name, *value) : scratch.AddInput(name, type);
  };
  std::vector<std::pair<Node*, bool>> stack;  // (node, inputs pushed already)
  auto push = [&](Value* x) {
    if (!x || copy.count(x)) return;
    auto k = known_.find(x);
    if (k != known_.end()) {
      leaf(x, k->second.type, k->second.value ? &*k->second.value : nullptr);
      return;
    }
    Node* p = x->producer();
    if (p->op() == "Constant" || p->op() == "Input") {
      const Tensor* t = ConstantOf(x);
      known_[x] = {x->type(), t ? std::optional<Tensor>(*t) : std::nullopt, {}};
      leaf(x, x->type(), t);
      return;
    }
    stack.emplace_back(p, false);
  };
  push(v);
  while (!stack.empty()) {
    auto [n, ready] = stack.back();
    if (copy.count(n->output(0))) {
      stack.pop_back();
      continue;
    }
    if (!ready) {
      stack.back().second = true;
      for (Value* in : n->inputs()) push(in);
      continue;
    }
    stack.pop_back();
    std::vector<Value*> ins;
    for (Value* in : n->inputs()) ins.push_back(in ? copy.at(in) : nullptr);
    Node* c = scratch.AddNode(n->op(), n->name(), ins, static_cast<int>(n->num_outputs()));
    for (const auto& [k, a] : n->attrs()) c->set_attr(k, a);
    for (size_t i = 0; i < n->num_outputs(); ++i) {
      c->output(i)->set_name(n->output(i)->name());
      copy[n->output(i)] = c->output(i);
      computed.push_back(n->output(i));
      scratch.AddOutput(c->output(i));
    }
  }
  if (!computed.empty()) {
    try {
      InferShapes(scratch);
    } catch (const Error& e) {
      for (const Value* c : computed) known_[c] = {{}, std::nullopt, e.what()};
      return known_.at(v);
    }
  }
  for (size_t i = 0; i < computed.size(); ++i) {
    const Value* r = scratch.outputs()[i];
    const Tensor* t = ConstantOf(r);
    known_[computed[i]] = {r->type(), t ? std::optional<Tensor>(*t) : std::nullopt, {}};
  }
  return known_.at(v);
}

bool IsNchw(const TfNode& n) { return n.Str("data_format", "NHWC") == "NCHW"; }

std::vector<int64_t> Spatial(const TfNode& n, const std::vector<int64_t>& v) {
  if (v.size() != 4) n.im->Fail(n, "expected 4 values in a strides/ksize/dilations attribute");
  return IsNchw(n) ? std::vector<int64_t>{v[2], v[3]} : std::vector<int64_t>{v[1], v[2]};
}

Value* ToChannelsFirst(Importer& im, const TfNode& n, Value* v, int rank) {
  std::vector<int64_t> perm = {0, rank - 1};
  for (int i = 1; i < rank - 1; ++i) perm.push_back(i);
  return im.Transpose(n, v, perm);
}

Value* ToChannelsLast(Importer& im, const TfNode& n, Value* v, int rank) {
  std::vector<int64_t> perm = {0};
  for (int i = 2; i < rank; ++i) perm.push_back(i);
  perm.push_back(1);
  return im.Transpose(n, v, perm);
}

}  // namespace halo::tf_fe
