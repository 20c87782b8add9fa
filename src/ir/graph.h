// The HALO IR: a graph of operator nodes whose values have static types.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "ir/types.h"

namespace halo {

class Node;
struct OpDef;

// One result of a node.
class Value {
 public:
  Value(Node* producer, int index) : producer_(producer), index_(index) {}
  Node* producer() const { return producer_; }
  int index() const { return index_; }
  const Type& type() const { return type_; }
  void set_type(Type t) { type_ = std::move(t); }
  const std::string& name() const { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }

 private:
  Node* producer_;
  int index_;
  Type type_;
  std::string name_;
};

// Attribute values. kDType attributes hold a DataType stored as int64.
using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>,
                               std::vector<double>, Tensor, std::vector<std::string>>;

class Node {
 public:
  Node(const OpDef* def, std::string name) : def_(def), name_(std::move(name)) {}
  const OpDef& def() const { return *def_; }
  const std::string& op() const;
  const std::string& name() const { return name_; }

  // Inputs; nullptr marks an absent optional input.
  const std::vector<Value*>& inputs() const { return inputs_; }
  Value* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  size_t num_inputs() const { return inputs_.size(); }
  void set_input(size_t i, Value* v) { inputs_.at(i) = v; }
  void add_input(Value* v) { inputs_.push_back(v); }
  void resize_inputs(size_t n) { inputs_.resize(n, nullptr); }

  size_t num_outputs() const { return outputs_.size(); }
  Value* output(size_t i = 0) const { return outputs_.at(i).get(); }
  Value* add_output();

  // Attributes: any attribute the op's definition declares; defaults fill in at creation.
  const std::map<std::string, AttrValue>& attrs() const { return attrs_; }
  bool has_attr(const std::string& k) const { return attrs_.count(k) != 0; }
  void set_attr(const std::string& k, AttrValue v) { attrs_[k] = std::move(v); }
  int64_t GetInt(const std::string& k) const;
  double GetFloat(const std::string& k) const;
  const std::string& GetString(const std::string& k) const;
  const std::vector<int64_t>& GetInts(const std::string& k) const;
  const std::vector<double>& GetFloats(const std::string& k) const;
  const Tensor& GetTensor(const std::string& k) const;
  const std::vector<std::string>& GetStrings(const std::string& k) const;
  DataType GetDType(const std::string& k) const { return static_cast<DataType>(GetInt(k)); }

 private:
  const OpDef* def_;
  std::string name_;
  std::vector<Value*> inputs_;
  std::vector<std::unique_ptr<Value>> outputs_;
  std::map<std::string, AttrValue> attrs_;
};

// How one input or output of the source model maps onto the graph's tensor inputs or
// outputs. A tensor takes one; an ONNX sequence of L tensors takes L consecutive ones named
// NAME.0 ... NAME.(L-1) (the structure is fixed at compile time); an optional takes those of
// its value (NAME for a tensor, NAME.0 ... for a sequence), none when empty. Set by the
// frontend; passes leave it alone. Inputs frozen into constants take none.
struct Port {
  enum class Kind { kTensor, kSequence, kOptional };
  std::string name;  // the model's name
  Kind kind = Kind::kTensor;
  Kind content = Kind::kTensor;         // kOptional: the kind of its value
  bool present = true;                  // kOptional: whether it holds a value
  DataType dtype = DataType::kInvalid;  // the tensors' element type, kInvalid if unknown
  size_t count = 1;                     // the graph inputs or outputs it takes
};

// A state of the model that persists across its calls (TFLite's variable tensors: LSTM and
// SVDF states). Graph input `input` holds its value before a call, graph output `output` its
// value after; `initial` is its value before the first call (and after a reset). States take
// the last graph inputs and outputs, after those of the ports, in the same order, and are no
// part of the model's interface: a target keeps them between calls. Passes see plain graph
// inputs and outputs.
struct State {
  std::string name;
  size_t input = 0;   // index into Graph::inputs()
  size_t output = 0;  // index into Graph::outputs()
  Tensor initial;
};

// "tensor", "sequence", "optional".
const char* PortKindName(Port::Kind k);

// A graph: nodes in a topological order. Model inputs are "Input" nodes, constants are
// "Constant" nodes (attribute "value").
class Graph {
 public:
  explicit Graph(std::string name = "model") : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  // Adds a node of a registered op; unknown ops throw. Attributes the caller does not set
  // take the registry's defaults when shape inference first visits the node.
  Node* AddNode(const std::string& op, const std::string& name, const std::vector<Value*>& inputs,
                int num_outputs = 1);
  Value* AddInput(const std::string& name, const Type& type);
  Value* AddConstant(const std::string& name, Tensor t);

  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  void AddOutput(Value* v) { outputs_.push_back(v); }
  void set_output(size_t i, Value* v) { outputs_.at(i) = v; }

  // The model's inputs and outputs as ports, in model order. Empty: each graph input and
  // output is a tensor of the model of the same name.
  const std::vector<Port>& input_ports() const { return input_ports_; }
  const std::vector<Port>& output_ports() const { return output_ports_; }
  void set_ports(std::vector<Port> inputs, std::vector<Port> outputs) {
    input_ports_ = std::move(inputs);
    output_ports_ = std::move(outputs);
  }

  // States (see State). AddState makes `input` (a graph input after the previous state's)
  // and `output` (appended to the graph outputs) a state; call it after the model's own
  // inputs and outputs are added.
  const std::vector<State>& states() const { return states_; }
  void AddState(const std::string& name, Value* input, Value* output, Tensor initial);
  // The graph inputs and outputs that are the model's own (the first ones; the rest are states).
  size_t num_model_inputs() const { return inputs_.size() - states_.size(); }
  size_t num_model_outputs() const { return outputs_.size() - states_.size(); }
  // Throws unless the states take the last graph inputs and outputs, in order.
  void CheckStates() const;

  // Replaces every use of `from` (node inputs and graph outputs) by `to`.
  void ReplaceAllUses(Value* from, Value* to);
  // Removes nodes for which keep(node) is false. Their values must be unused.
  template <typename F>
  void RemoveNodesIf(F remove) {
    std::vector<std::unique_ptr<Node>> kept;
    for (auto& n : nodes_)
      if (!remove(n.get())) kept.push_back(std::move(n));
    nodes_ = std::move(kept);
  }
  // Re-sorts nodes topologically (stable); throws on a cycle.
  void TopoSort();
  // A name not used by any node or value yet, built from `base`.
  std::string UniqueName(const std::string& base);

 private:
  std::string name_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::vector<Port> input_ports_;
  std::vector<Port> output_ports_;
  std::vector<State> states_;
  std::map<std::string, int> used_names_;
};

// Helpers for rules: the constant tensor behind a value, or nullptr.
const Tensor* ConstantOf(const Value* v);

}  // namespace halo
