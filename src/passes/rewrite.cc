#include "passes/rewrite.h"

#include <algorithm>
#include <set>

#include "ir/op_registry.h"
#include "passes/fold.h"
#include "passes/passes.h"

namespace halo {

Rewriter::Rewriter(Graph& g) : g_(g) {
  // Graph::UniqueName must avoid the names values have now (the importer names some
  // values without it).
  std::set<std::string> names;
  for (const auto& n : g.nodes())
    for (size_t i = 0; i < n->num_outputs(); ++i) names.insert(n->output(i)->name());
  names.erase("");
  for (const std::string& n : names) g.UniqueName(n);

  std::vector<const Node*> work;
  for (const Value* v : g.outputs()) {
    ++outputs_[v];
    work.push_back(v->producer());
  }
  for (const Value* v : g.inputs()) {
    inputs_.insert(v);
    work.push_back(v->producer());
  }
  while (!work.empty()) {
    const Node* n = work.back();
    work.pop_back();
    if (!live_.insert(n).second) continue;
    for (const Value* v : n->inputs())
      if (v) work.push_back(v->producer());
  }
  for (const auto& n : g.nodes())
    if (live_.count(n.get()))
      for (const Value* v : n->inputs())
        if (v) users_[v].push_back(n.get());
}

const std::vector<Node*>& Rewriter::Users(const Value* v) const {
  static const std::vector<Node*> none;
  auto it = users_.find(v);
  return it == users_.end() ? none : it->second;
}

Node* Rewriter::Sole(const Value* v) const {
  const std::vector<Node*>& u = Users(v);
  return u.size() == 1 && !IsOutput(v) ? u[0] : nullptr;
}

void Rewriter::Register(Node* n) {
  live_.insert(n);
  for (const Value* v : n->inputs())
    if (v) users_[v].push_back(n);
  changed_ = true;
}

Node* Rewriter::Add(const std::string& op, const std::string& name,
                    const std::vector<Value*>& inputs,
                    const std::map<std::string, AttrValue>& attrs, int results) {
  const OpDef* def = OpRegistry::Get().Find(op);
  if (results == 0)
    results = def && def->multi_result() ? static_cast<int>(def->outputs.size()) : 1;
  Node* n = g_.AddNode(op, g_.UniqueName(name), inputs, results);
  for (const auto& [k, v] : attrs) n->set_attr(k, v);
  for (size_t i = 0; i < n->num_outputs(); ++i)
    n->output(i)->set_name(i == 0 ? n->name() : g_.UniqueName(n->name() + "_" + std::to_string(i)));
  try {
    VerifyAndInfer(n);
  } catch (const Error& e) {
    throw Err(NodeLabel(*n), e.what());
  }
  Register(n);
  return n;
}

Value* Rewriter::AddFolded(const std::string& op, const std::string& name,
                           const std::vector<Value*>& inputs,
                           const std::map<std::string, AttrValue>& attrs) {
  Node* n = Add(op, name, inputs, attrs);
  if (n->num_outputs() != 1 || !CanFold(*n)) return n->output();
  FoldNode(g_, n);
  Node* k = g_.nodes().back().get();  // the constant FoldNode appended
  Register(k);
  Release(n);
  return k->output();
}

Value* Rewriter::AddConst(const std::string& base, Tensor t) {
  Value* v = g_.AddConstant(g_.UniqueName(base), std::move(t));
  Register(v->producer());
  return v;
}

bool Rewriter::CanReplace(const Value* from, const Value* to) const {
  return !IsOutput(from) || (!inputs_.count(to) && !IsOutput(to));
}

void Rewriter::Replace(Value* from, Value* to, bool take_name) {
  bool rename = (take_name || IsOutput(from)) && !inputs_.count(to) && !IsOutput(to);
  std::vector<Node*> moved = std::move(users_[from]);
  users_.erase(from);
  for (Node* u : moved) {
    for (size_t i = 0; i < u->num_inputs(); ++i)
      if (u->input(i) == from) u->set_input(i, to);
  }
  std::vector<Node*>& to_users = users_[to];
  to_users.insert(to_users.end(), moved.begin(), moved.end());
  auto out = outputs_.find(from);
  if (out != outputs_.end()) {
    outputs_[to] += out->second;
    outputs_.erase(out);
    for (size_t i = 0; i < g_.outputs().size(); ++i)
      if (g_.outputs()[i] == from) g_.set_output(i, to);
  }
  if (rename) {
    std::string name = from->name();
    from->set_name(g_.UniqueName(name + "_dead"));
    to->set_name(name);
  }
  changed_ = true;
  Release(from->producer());
}

void Rewriter::Release(Node* first) {
  std::vector<Node*> work = {first};
  while (!work.empty()) {
    Node* n = work.back();
    work.pop_back();
    if (!live_.count(n) || n->op() == "Input") continue;
    bool used = false;
    for (size_t i = 0; i < n->num_outputs() && !used; ++i)
      used = !Users(n->output(i)).empty() || IsOutput(n->output(i));
    if (used) continue;
    live_.erase(n);
    for (Value* v : n->inputs()) {
      if (!v) continue;
      auto it = users_.find(v);
      if (it == users_.end()) continue;
      auto& list = it->second;
      list.erase(std::remove(list.begin(), list.end(), n), list.end());
      if (list.empty()) work.push_back(v->producer());
    }
  }
}

bool Rewriter::Finish() {
  if (changed_) {
    EliminateDeadCode(g_);
    g_.TopoSort();
  }
  return changed_;
}

bool RewriteEach(Graph& g, const std::function<void(Rewriter&, Node*)>& f) {
  Rewriter rw(g);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node* n = g.nodes()[i].get();
    if (rw.Live(n)) f(rw, n);
  }
  return rw.Finish();
}

std::map<std::string, AttrValue> AttrsFor(const std::string& op,
                                          const std::map<std::string, AttrValue>& attrs) {
  const OpDef* def = OpRegistry::Get().Find(op);
  std::map<std::string, AttrValue> r;
  for (const auto& [k, v] : attrs)
    if (def && def->FindAttr(k)) r[k] = v;
  return r;
}

bool ChannelValues(const Value* v, const Type& out, int axis, std::vector<double>* values) {
  const Tensor* t = ConstantOf(v);
  if (!t || t->type().dtype != out.dtype || t->type().Rank() > out.Rank()) return false;
  const Shape& s = t->type().shape;
  int64_t len = out.shape[axis];
  int skip = out.Rank() - t->type().Rank();  // leading dimensions broadcast from nothing
  for (int d = skip; d < out.Rank(); ++d) {
    int64_t e = s[d - skip];
    if (e != 1 && (d != axis || e != len)) return false;
  }
  bool along = axis >= skip && s[axis - skip] == len;
  values->resize(len);
  for (int64_t i = 0; i < len; ++i) (*values)[i] = t->GetDouble(along ? i : 0);
  return true;
}

Tensor FloatTensor(DataType t, Shape shape, const std::vector<double>& values) {
  Tensor r(Type(t, std::move(shape)));
  if (t == DataType::kFloat32) {
    float* p = r.mutable_data<float>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<float>(values[i]);
  } else {
    if (t != DataType::kFloat64) throw Err("FloatTensor: ", DataTypeName(t), " is not a float");
    double* p = r.mutable_data<double>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  }
  return r;
}

std::vector<double> Doubles(const Tensor& t) {
  int64_t n = t.type().NumElements();
  std::vector<double> r(n);
  if (t.type().dtype == DataType::kFloat32) {
    const float* p = t.data<float>();
    for (int64_t i = 0; i < n; ++i) r[i] = p[i];
  } else {
    for (int64_t i = 0; i < n; ++i) r[i] = t.GetDouble(i);
  }
  return r;
}

const std::string& ProducerOp(const Value* v) {
  static const std::string none;
  return v ? v->producer()->op() : none;
}

bool IsReshape(const std::string& op) {
  return op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze";
}

std::map<std::string, AttrValue> ReshapeAttrs(const Shape& shape) {
  return {{"shape", std::vector<int64_t>(shape)}, {"allowzero", int64_t{1}}};
}

bool IsUnary(const std::string& op) {
  static const std::set<std::string> unary = {
      "Abs",       "Acos",     "Acosh",      "Asin",  "Asinh",          "Atan",
      "Atanh",     "Cast",     "Ceil",       "Celu",  "Clip",           "Cos",
      "Cosh",      "Elu",      "Erf",        "Exp",   "Floor",          "HardSigmoid",
      "HardSwish", "Identity", "IsInf",      "IsNaN", "LeakyRelu",      "Log",
      "Neg",       "Not",      "Reciprocal", "Relu",  "Round",          "Selu",
      "Shrink",    "Sigmoid",  "Sign",       "Sin",   "Sinh",           "Softplus",
      "Softsign",  "Sqrt",     "Tan",        "Tanh",  "ThresholdedRelu"};
  return unary.count(op) != 0;
}

bool IsBinary(const std::string& op) {
  return op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" || op == "PRelu";
}

}  // namespace halo
