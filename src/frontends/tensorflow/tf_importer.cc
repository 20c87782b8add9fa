// The import state: node building helpers, attribute access and import-time evaluation
// (what InferShapes will know of a value, for translations that need a shape or a constant).
#include "frontends/tensorflow/tf_importer.h"

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
  const ImportEval::Known& k = eval_.Evaluate(v);
  if (!k.type.known)
    Fail(n, "the shape of ", what, " is not known at compile time",
         k.error.empty() ? "" : " (" + k.error + ")");
  return k.type;
}

const Tensor& Importer::ValueOf(const TfNode& n, Value* v, const std::string& what) {
  const ImportEval::Known& k = eval_.Evaluate(v);
  if (!k.value)
    Fail(n, what, " must be a constant (or computed from constants and shapes) at compile time",
         k.error.empty() ? "" : " (" + k.error + ")");
  return *k.value;
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
