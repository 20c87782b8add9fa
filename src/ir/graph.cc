#include "ir/graph.h"

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>

#include "ir/error.h"
#include "ir/op_registry.h"

namespace halo {

const std::string& Node::op() const { return def_->name; }

Value* Node::add_output() {
  outputs_.push_back(std::make_unique<Value>(this, static_cast<int>(outputs_.size())));
  return outputs_.back().get();
}

template <typename T>
static const T& GetAttr(const Node& n, const std::string& k) {
  auto it = n.attrs().find(k);
  if (it == n.attrs().end())
    throw Err("node '", n.name(), "' (", n.op(), ") has no attribute '", k, "'");
  const T* v = std::get_if<T>(&it->second);
  if (!v) throw Err("node '", n.name(), "' (", n.op(), "): attribute '", k, "' has the wrong kind");
  return *v;
}

int64_t Node::GetInt(const std::string& k) const { return GetAttr<int64_t>(*this, k); }
double Node::GetFloat(const std::string& k) const { return GetAttr<double>(*this, k); }
const std::string& Node::GetString(const std::string& k) const {
  return GetAttr<std::string>(*this, k);
}
const std::vector<int64_t>& Node::GetInts(const std::string& k) const {
  return GetAttr<std::vector<int64_t>>(*this, k);
}
const std::vector<double>& Node::GetFloats(const std::string& k) const {
  return GetAttr<std::vector<double>>(*this, k);
}
const Tensor& Node::GetTensor(const std::string& k) const { return GetAttr<Tensor>(*this, k); }
const std::vector<std::string>& Node::GetStrings(const std::string& k) const {
  return GetAttr<std::vector<std::string>>(*this, k);
}

std::string Graph::UniqueName(const std::string& base) {
  std::string b = base.empty() ? "v" : base;
  int& n = used_names_[b];
  std::string name = n == 0 ? b : b + "_" + std::to_string(n);
  ++n;
  while (n > 1 && used_names_.count(name)) name = b + "_" + std::to_string(n++);
  used_names_[name];
  return name;
}

Node* Graph::AddNode(const std::string& op, const std::string& name,
                     const std::vector<Value*>& inputs, int num_outputs) {
  const OpDef* def = OpRegistry::Get().Find(op);
  if (!def) throw Err("unknown IR operator '", op, "'");
  auto node = std::make_unique<Node>(def, name);
  for (Value* v : inputs) node->add_input(v);
  for (int i = 0; i < num_outputs; ++i) node->add_output();
  nodes_.push_back(std::move(node));
  return nodes_.back().get();
}

Value* Graph::AddInput(const std::string& name, const Type& type) {
  Node* n = AddNode("Input", name, {});
  n->output()->set_type(type);
  n->output()->set_name(name);
  inputs_.push_back(n->output());
  return n->output();
}

Value* Graph::AddConstant(const std::string& name, Tensor t) {
  Node* n = AddNode("Constant", name, {});
  n->output()->set_type(t.type());
  n->output()->set_name(name);
  n->set_attr("value", std::move(t));
  return n->output();
}

void Graph::AddState(const std::string& name, Value* input, Value* output, Tensor initial) {
  auto in = std::find(inputs_.begin(), inputs_.end(), input);
  if (in == inputs_.end()) throw Err("state '", name, "': its input is not a graph input");
  if (!(initial.type() == input->type()))
    throw Err("state '", name, "': the initial value is ", initial.type().ToString(),
              ", the input ", input->type().ToString());
  size_t index = static_cast<size_t>(in - inputs_.begin());
  if (!states_.empty() && index != states_.back().input + 1)
    throw Err("state '", name, "': the states' inputs must be consecutive graph inputs");
  outputs_.push_back(output);
  states_.push_back({name, index, outputs_.size() - 1, std::move(initial)});
}

void Graph::CheckStates() const {
  for (size_t k = 0; k < states_.size(); ++k)
    if (states_[k].input != num_model_inputs() + k || states_[k].output != num_model_outputs() + k)
      throw Err("state '", states_[k].name, "' does not take the last graph inputs and outputs");
}

void Graph::ReplaceAllUses(Value* from, Value* to) {
  for (auto& n : nodes_)
    for (size_t i = 0; i < n->num_inputs(); ++i)
      if (n->input(i) == from) n->set_input(i, to);
  for (auto& o : outputs_)
    if (o == from) o = to;
}

void Graph::TopoSort() {
  std::unordered_map<const Node*, int> state;  // 0 new, 1 visiting, 2 done
  std::unordered_map<const Node*, std::unique_ptr<Node>*> owner;
  for (auto& n : nodes_) owner[n.get()] = &n;
  std::vector<std::unique_ptr<Node>> sorted;
  std::function<void(Node*)> visit = [&](Node* n) {
    int& s = state[n];
    if (s == 2) return;
    if (s == 1) throw Err("the graph has a cycle through node '", n->name(), "' (", n->op(), ")");
    s = 1;
    for (Value* v : n->inputs())
      if (v && owner.count(v->producer())) visit(v->producer());
    s = 2;
    sorted.push_back(std::move(*owner[n]));
  };
  std::vector<Node*> order;
  for (auto& n : nodes_) order.push_back(n.get());
  for (Node* n : order) visit(n);
  nodes_ = std::move(sorted);
}

const char* PortKindName(Port::Kind k) {
  switch (k) {
    case Port::Kind::kTensor:
      return "tensor";
    case Port::Kind::kSequence:
      return "sequence";
    case Port::Kind::kOptional:
      return "optional";
  }
  return "?";
}

const Tensor* ConstantOf(const Value* v) {
  if (!v || v->producer()->op() != "Constant") return nullptr;
  return &v->producer()->GetTensor("value");
}

}  // namespace halo
