#include "passes/rewrite.h"

#include <algorithm>
#include <set>

#include "ir/op_registry.h"
#include "passes/fold.h"
#include "passes/passes.h"

namespace halo {

Uses::Uses(const Graph& g) {
  std::vector<const Node*> work;
  for (const Value* v : g.outputs()) {
    ++outputs_[v];
    work.push_back(v->producer());
  }
  for (const Value* v : g.inputs()) work.push_back(v->producer());
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

const std::vector<Node*>& Uses::Users(const Value* v) const {
  static const std::vector<Node*> none;
  auto it = users_.find(v);
  return it == users_.end() ? none : it->second;
}

Node* Uses::Sole(const Value* v) const {
  const std::vector<Node*>& u = Users(v);
  return u.size() == 1 && !IsOutput(v) ? u[0] : nullptr;
}

Node* AddInferred(Graph& g, const std::string& op, const std::string& name,
                  const std::vector<Value*>& inputs,
                  const std::map<std::string, AttrValue>& attrs) {
  const OpDef* def = OpRegistry::Get().Find(op);
  int results = def && def->multi_result() ? static_cast<int>(def->outputs.size()) : 1;
  Node* n = g.AddNode(op, g.UniqueName(name), inputs, results);
  for (const auto& [k, v] : attrs) n->set_attr(k, v);
  for (size_t i = 0; i < n->num_outputs(); ++i)
    n->output(i)->set_name(i == 0 ? n->name() : g.UniqueName(n->name() + "_" + std::to_string(i)));
  try {
    VerifyAndInfer(n);
  } catch (const Error& e) {
    throw Err(NodeLabel(*n), e.what());
  }
  return n;
}

Value* AddFolded(Graph& g, const std::string& op, const std::string& name,
                 const std::vector<Value*>& inputs, const std::map<std::string, AttrValue>& attrs) {
  Node* n = AddInferred(g, op, name, inputs, attrs);
  if (n->num_outputs() != 1 || !CanFold(*n)) return n->output();
  FoldNode(g, n);
  return g.nodes().back()->output();  // the constant FoldNode appended
}

std::map<std::string, AttrValue> AttrsFor(const std::string& op,
                                          const std::map<std::string, AttrValue>& attrs) {
  const OpDef* def = OpRegistry::Get().Find(op);
  std::map<std::string, AttrValue> r;
  for (const auto& [k, v] : attrs)
    if (def && def->FindAttr(k)) r[k] = v;
  return r;
}

void ReserveNames(Graph& g) {
  std::set<std::string> names;
  for (const auto& n : g.nodes())
    for (size_t i = 0; i < n->num_outputs(); ++i) names.insert(n->output(i)->name());
  names.erase("");
  for (const std::string& n : names) g.UniqueName(n);
}

Value* AddConst(Graph& g, const std::string& base, Tensor t) {
  return g.AddConstant(g.UniqueName(base), std::move(t));
}

static bool IsGraphInput(const Graph& g, const Value* v) {
  return std::find(g.inputs().begin(), g.inputs().end(), v) != g.inputs().end();
}

bool CanReplace(const Graph& g, const Uses& uses, const Value* from, const Value* to) {
  return !uses.IsOutput(from) || (!IsGraphInput(g, to) && !uses.IsOutput(to));
}

void Replace(Graph& g, Value* from, Value* to, bool take_name) {
  auto is_output = [&](const Value* v) {
    return std::find(g.outputs().begin(), g.outputs().end(), v) != g.outputs().end();
  };
  bool rename = (take_name || is_output(from)) && !IsGraphInput(g, to) && !is_output(to);
  g.ReplaceAllUses(from, to);
  if (!rename) return;
  std::string name = from->name();
  from->set_name(g.UniqueName(name + "_dead"));
  to->set_name(name);
}

void Tidy(Graph& g) {
  EliminateDeadCode(g);
  g.TopoSort();
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

}  // namespace halo
