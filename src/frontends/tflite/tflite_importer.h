// TFLite -> IR: the importer's state and what operator handlers work with.
//
// Every TFLite tensor becomes one IR value of the same shape and layout (NHWC stays NHWC);
// handlers of NCHW-only IR ops (Conv, pooling, Resize, ...) transpose around them and the
// cancel-transposes pass removes the pairs between consecutive ops. Constant tensors become
// Constant nodes; layout changes of weights are Transpose nodes that FoldConstants folds.
//
// Dispatch: OpTable maps a builtin code (or a custom code) to a handler. An operator that
// touches a quantized tensor (an integer tensor with a scale) goes to the `quantized` map
// instead; with no entry there it is an error "quantized X is not supported".
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "frontends/frontend.h"
#include "frontends/tflite/tflite_model.h"
#include "ir/error.h"
#include "ir/graph.h"

namespace halo::tflite_fe {

class OpContext;
using Handler = void (*)(OpContext&);

struct OpTable {
  std::map<int, Handler> builtin;         // by BuiltinOperator code
  std::map<std::string, Handler> custom;  // CUSTOM operators by custom_code
  std::map<int, Handler> quantized;       // builtins on quantized tensors
  // Whether an operator is supported, as the report tells (quantized: on quantized tensors).
  bool Supports(int code, const std::string& custom_code, bool quantized) const;
};

// The table, filled once by the Register*Ops functions of the handler files.
const OpTable& Ops();
void RegisterConvOps(OpTable& t);         // tflite_ops_conv.cc
void RegisterElementwiseOps(OpTable& t);  // tflite_ops_elementwise.cc
void RegisterTensorOps(OpTable& t);       // tflite_ops_tensor.cc
void RegisterIndexOps(OpTable& t);        // tflite_ops_index.cc
void RegisterReduceOps(OpTable& t);       // tflite_ops_reduce.cc
void RegisterSequenceOps(OpTable& t);     // tflite_ops_sequence.cc
void RegisterQuantOps(OpTable& t);        // tflite_quant.cc
void RegisterSvdfOps(OpTable& t);         // tflite_ops_svdf.cc

// One subgraph being imported.
class Importer {
 public:
  Importer(const ModelFile& file, const tflite::SubGraph& sg, Graph& g);
  const ModelFile& file() const { return file_; }
  const TensorView& tensors() const { return tensors_; }
  Graph& graph() { return g_; }

  // The IR value of tensor i: an earlier result, a graph input, or its constant.
  Value* ValueOf(int i, const std::string& user);
  void Bind(int i, Value* v) { values_[i] = v; }
  // The graph-unique name of tensor i's value (reserved up front, so that the names of
  // intermediate values never take a tensor's).
  const std::string& ValueName(int i) const { return value_names_.at(i); }
  bool IsBound(int i) const { return values_.count(i) != 0; }
  std::string NewName(const std::string& base) { return g_.UniqueName(base); }

  // Whether operator `op` reads or writes a quantized tensor (integer with a scale).
  bool IsQuantized(const tflite::Operator& op) const;

  // Model state (Graph::State): variable tensor i, which nothing before produced, read by a
  // stateful operator (LSTM, SVDF) becomes a graph input holding the state, `initial` before
  // the first call. SetNewState gives the state's value after the operator.
  Value* StateInput(int i, Tensor initial);
  bool IsState(int i) const { return state_of_.count(i) != 0; }
  void SetNewState(int i, Value* v);
  // Adds the states to the graph; after the model's outputs.
  void AddStates();

 private:
  struct PendingState {
    int tensor;
    Value* input;
    Value* output;
    Tensor initial;
  };
  std::vector<PendingState> states_;
  std::map<int, size_t> state_of_;  // tensor -> index in states_
  const ModelFile& file_;
  TensorView tensors_;
  Graph& g_;
  std::map<int, Value*> values_;
  std::vector<std::string> value_names_;
};

// What a handler sees of one operator.
class OpContext {
 public:
  OpContext(Importer& im, const tflite::Operator& op, int index, std::string op_name);

  Importer& importer() { return im_; }
  Graph& graph() { return im_.graph(); }
  const TensorView& tensors() const { return im_.tensors(); }
  const tflite::Operator& op() const { return op_; }
  const std::string& op_name() const { return op_name_; }  // "CONV_2D"
  const std::string& node_name() const { return node_name_; }

  // Inputs: tflite tensor indices (-1 absent); the IR value (nullptr if absent).
  int num_inputs() const;
  int input_index(int i) const;  // -1 when absent or beyond the list
  bool has_input(int i) const { return input_index(i) >= 0; }
  Value* In(int i);  // throws when absent
  Value* OptIn(int i) { return has_input(i) ? In(i) : nullptr; }
  // Input i as type t (cast when it has another).
  Value* InAs(int i, DataType t) { return InType(i) == t ? In(i) : Cast(In(i), t); }
  // Input i's constant data; throws naming `what` when it is not a constant.
  const Tensor& ConstIn(int i, const std::string& what);
  DataType InType(int i) const { return tensors().Dtype(input_index(i)); }
  Shape InShape(int i) const { return tensors().GetShape(input_index(i)); }
  QuantParams InQuant(int i) const { return tensors().Quant(input_index(i)); }

  int num_outputs() const;
  int output_index(int i) const;
  DataType OutType(int i) const { return tensors().Dtype(output_index(i)); }
  Shape OutShape(int i) const { return tensors().GetShape(output_index(i)); }
  QuantParams OutQuant(int i) const { return tensors().Quant(output_index(i)); }
  // Input i as a state of the model when it is a variable tensor that nothing produced
  // (Importer::StateInput; `initial` its value before the first call), else In(i). SetState
  // gives its value after this operator (nothing when it is no state).
  Value* StateIn(int i, Tensor initial);
  void SetState(int i, Value* v);
  // Binds output i to v and names v after the tensor.
  void SetOut(int i, Value* v);

  // The builtin options as table T; throws when they are missing or of another type.
  template <typename T>
  const T& Options() const {
    const T* o = op_.builtin_options_as<T>();
    if (!o) Fail("builtin options are missing or of the wrong type");
    return *o;
  }
  // Optional builtin options (nullptr when absent: the defaults apply).
  template <typename T>
  const T* OptOptions() const {
    return op_.builtin_options_as<T>();
  }

  // Node building. Names derive from the operator's first output.
  Node* Add(const std::string& ir_op, const std::vector<Value*>& inputs, int num_outputs = 1);
  Value* Add1(const std::string& ir_op, const std::vector<Value*>& inputs) {
    return Add(ir_op, inputs)->output();
  }
  Value* Const(Tensor t);
  Value* Ints(const std::vector<int64_t>& v);  // an int64 vector constant
  Value* Scalar(DataType t, double v);         // a rank-0 constant
  Value* Transpose(Value* v, const std::vector<int64_t>& perm);
  Value* ToNCHW(Value* v) { return Transpose(v, {0, 3, 1, 2}); }
  Value* ToNHWC(Value* v) { return Transpose(v, {0, 2, 3, 1}); }
  Value* Reshape(Value* v, const std::vector<int64_t>& shape);
  Value* Cast(Value* v, DataType to);
  // The fused activation after an op's result.
  Value* Activation(Value* v, tflite::ActivationFunctionType f);

  template <typename... Args>
  [[noreturn]] void Fail(const Args&... args) const {
    throw Err("node '", node_name_, "' (", op_name_, "): ", args...);
  }

 private:
  Importer& im_;
  const tflite::Operator& op_;
  int index_;
  std::string op_name_;
  std::string node_name_;
};

// The ints of a constant (any integer type).
std::vector<int64_t> ToInts(const Tensor& t);
// axis (negative: from the end) checked against rank, made non-negative.
int64_t Axis(OpContext& c, int64_t axis, size_t rank);

// A reducer's axes (input 1): repeats and negatives allowed in TFLite; sorted, distinct and
// non-negative here (tflite_ops_reduce.cc).
std::vector<int64_t> ReduceAxes(OpContext& c);

// The integer (8x8_16) UNIDIRECTIONAL_SEQUENCE_LSTM as TfliteQuantizedLSTM; false when the
// operator is not one (tflite_quant_lstm.cc).
bool QIntegerLstm(OpContext& c);

}  // namespace halo::tflite_fe
