#include "ir/op_registry.h"

namespace halo {

const AttrSpec* OpDef::FindAttr(const std::string& n) const {
  for (const auto& a : attrs)
    if (a.name == n) return &a;
  return nullptr;
}

OpRegistry::OpRegistry() {
  RegisterCoreOps(*this);
  RegisterElementwiseOps(*this);
  RegisterReduceOps(*this);
  RegisterNNOps(*this);
  RegisterNNConvOps(*this);
  RegisterNNFusedOps(*this);
  RegisterNNNormOps(*this);
  RegisterNNResizeOps(*this);
  RegisterNNRnnOps(*this);
  RegisterLinalgOps(*this);
  RegisterQuantOps(*this);
  RegisterQuantTfliteOps(*this);
  RegisterSvdfOps(*this);
  RegisterNNSampleOps(*this);
  RegisterTensorOps(*this);
  RegisterTensorShapeOps(*this);
  RegisterTensorIndexOps(*this);
  RegisterSignalOps(*this);
  RegisterTextOps(*this);
  RegisterDataDependentOps(*this);
  RegisterDetectionOps(*this);
}

const OpRegistry& OpRegistry::Get() {
  static const OpRegistry registry;
  return registry;
}

const OpDef* OpRegistry::Find(const std::string& name) const {
  auto it = ops_.find(name);
  return it == ops_.end() ? nullptr : &it->second;
}

std::vector<const OpDef*> OpRegistry::All() const {
  std::vector<const OpDef*> v;
  for (const auto& kv : ops_) v.push_back(&kv.second);
  return v;
}

OpDef& OpRegistry::Add(std::string name) {
  OpDef& d = ops_[name];
  d.name = std::move(name);
  return d;
}

const Type& InferContext::in(size_t i) const {
  Value* v = node_->input(i);
  if (!v) fail("input ", i, " is missing");
  if (!v->type().known) fail("input ", i, " has no known type");
  return v->type();
}

const Tensor* InferContext::const_in(size_t i) const { return ConstantOf(node_->input(i)); }

const Tensor& InferContext::require_const(size_t i) const {
  const Tensor* t = const_in(i);
  if (!t) {
    std::string name =
        i < node_->def().inputs.size() ? node_->def().inputs[i].name : std::to_string(i);
    fail("input '", name, "' must be a constant (computed values are not supported there)");
  }
  return *t;
}

void InferContext::set_out(size_t i, Type t) {
  for (int64_t d : t.shape)
    if (d < 0)
      fail("result ", i, " would have a negative dimension (", ShapeToString(t.shape), ")");
  t.known = true;
  node_->output(i)->set_type(std::move(t));
}

static bool KindMatches(AttrKind k, const AttrValue& v) {
  switch (k) {
    case AttrKind::kInt:
    case AttrKind::kDType:
      return std::holds_alternative<int64_t>(v);
    case AttrKind::kFloat:
      return std::holds_alternative<double>(v);
    case AttrKind::kString:
      return std::holds_alternative<std::string>(v);
    case AttrKind::kInts:
      return std::holds_alternative<std::vector<int64_t>>(v);
    case AttrKind::kFloats:
      return std::holds_alternative<std::vector<double>>(v);
    case AttrKind::kTensor:
      return std::holds_alternative<Tensor>(v);
    case AttrKind::kStrings:
      return std::holds_alternative<std::vector<std::string>>(v);
  }
  return false;
}

void VerifyAndInfer(Node* n) {
  const OpDef& d = n->def();
  size_t declared = d.inputs.size();
  bool variadic = declared && d.inputs.back().variadic;
  size_t required = 0;
  for (size_t i = 0; i < declared; ++i)
    if (!d.inputs[i].optional) required = i + 1;
  if (n->num_inputs() < required || (!variadic && n->num_inputs() > declared))
    throw Err("expects ", required == declared ? "" : "from ", required,
              required == declared ? "" : " to " + std::to_string(declared), " inputs, got ",
              n->num_inputs());
  for (size_t i = 0; i < n->num_inputs(); ++i) {
    const InputSpec& s = d.inputs[std::min(i, declared - 1)];
    if (!n->input(i) && !s.optional) throw Err("input '", s.name, "' is missing");
    // Kernels are static: a value whose shape is known at run time only ends the graph.
    const Value* v = n->input(i);
    if (v && v->type().HasDynamicDims())
      throw Err("input '", s.name, "' ('", v->name(), "': ", v->type().ToString(),
                ") has a data-dependent shape, which ", d.name,
                " does not accept (such a value can only be a graph output)");
  }
  for (const auto& kv : n->attrs()) {
    const AttrSpec* s = d.FindAttr(kv.first);
    if (!s) throw Err("unknown attribute '", kv.first, "'");
    if (!KindMatches(s->kind, kv.second))
      throw Err("attribute '", kv.first, "' has the wrong kind");
  }
  for (const AttrSpec& s : d.attrs) {
    if (n->has_attr(s.name)) continue;
    if (s.required) throw Err("attribute '", s.name, "' is required");
    n->set_attr(s.name, s.default_value);
  }
  if (d.infer) {
    InferContext ctx(n);
    d.infer(ctx);
  }
  for (size_t i = 0; i < n->num_outputs(); ++i)
    if (!n->output(i)->type().known) throw Err("result ", i, " has no type after inference");
}

}  // namespace halo
