// Internal to the TensorFlow frontend: the state of one GraphDef import, shared by the
// graph walk (tf_graph.cc) and the operator translators (tf_*_ops.cc).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "frontends/import_eval.h"
#include "frontends/tensorflow/graph.pb.h"
#include "ir/error.h"
#include "ir/graph.h"

namespace halo::tf_fe {

// The element type of a TensorFlow DataType (reference types as their plain ones, the
// quantized ones as their storage type).
DataType DTypeOf(int tf_type);
// A TensorProto's value; throws Error on a malformed or unsupported tensor.
Tensor TensorFromProto(const halo_tf::TensorProto& t);

class Importer;

// One TensorFlow node being translated: its definition and its data inputs as IR values.
struct TfNode {
  const halo_tf::NodeDef& def;
  std::vector<Value*> in;
  const std::string& name() const { return def.name(); }
  const std::string& op() const { return def.op(); }

  // Attributes, with a default where one is given; missing required ones fail.
  const halo_tf::AttrValue* Find(const std::string& a) const;
  int64_t Int(const std::string& a, std::optional<int64_t> def = std::nullopt) const;
  float Float(const std::string& a, std::optional<float> def = std::nullopt) const;
  bool Bool(const std::string& a, bool def = false) const;
  std::string Str(const std::string& a, std::optional<std::string> def = std::nullopt) const;
  std::vector<int64_t> Ints(const std::string& a,
                            std::optional<std::vector<int64_t>> def = std::nullopt) const;
  DataType Type(const std::string& a) const;

  Importer* im = nullptr;
};

// A translator builds the IR for one node and returns its results (result i of the node).
using Translator = std::vector<Value*> (*)(Importer&, TfNode&);
using TranslatorMap = std::map<std::string, Translator>;
void AddMathTranslators(TranslatorMap& m);   // tf_math_ops.cc
void AddNnTranslators(TranslatorMap& m);     // tf_nn_ops.cc
void AddArrayTranslators(TranslatorMap& m);  // tf_array_ops.cc
void AddRnnTranslators(TranslatorMap& m);    // tf_rnn_ops.cc
const TranslatorMap& Translators();

class Importer {
 public:
  Importer(Graph& g, std::string file) : g_(g), file_(std::move(file)) {}
  Graph& graph() { return g_; }
  const std::string& file() const { return file_; }

  // Throws "FILE: node 'NAME' (OP): <message>".
  template <typename... Args>
  [[noreturn]] void Fail(const TfNode& n, const Args&... args) const {
    throw Err(file_, ": node '", n.name(), "' (", n.op(), "): ", args...);
  }

  // Builds an IR node for the TensorFlow node n (named after it) and returns its results.
  Node* AddNode(const TfNode& n, const std::string& op, const std::vector<Value*>& inputs,
                const std::map<std::string, AttrValue>& attrs = {}, int num_outputs = 1);
  Value* Add(const TfNode& n, const std::string& op, const std::vector<Value*>& inputs,
             const std::map<std::string, AttrValue>& attrs = {}) {
    return AddNode(n, op, inputs, attrs)->output();
  }
  Value* Constant(const TfNode& n, Tensor t);
  // A 1-D int64 constant (the form of ONNX's shape-like inputs).
  Value* Ints(const TfNode& n, const std::vector<int64_t>& v);
  Value* Scalar(const TfNode& n, DataType t, double v);
  Value* Transpose(const TfNode& n, Value* v, const std::vector<int64_t>& perm);
  Value* Reshape(const TfNode& n, Value* v, const std::vector<int64_t>& shape);
  // Casts v to t unless it is of that type already.
  Value* CastTo(const TfNode& n, Value* v, DataType t);

  // What InferShapes will know of v: its type (fails when unknown at import) and its
  // constant value, folding what it can (fails when it is not constant).
  const halo::Type& TypeOf(const TfNode& n, Value* v, const std::string& what);
  const Tensor& ValueOf(const TfNode& n, Value* v, const std::string& what);
  std::vector<int64_t> IntsOf(const TfNode& n, Value* v, const std::string& what) {
    return ValueOf(n, v, what).ToInts();
  }

 private:
  Graph& g_;
  std::string file_;
  ImportEval eval_{/*record_errors=*/true};  // InferShapes' errors go into TypeOf's message
};

// NHWC <-> NCHW of a 4-D (or N-D: channels last <-> first) value.
Value* ToChannelsFirst(Importer& im, const TfNode& n, Value* v, int rank = 4);
Value* ToChannelsLast(Importer& im, const TfNode& n, Value* v, int rank = 4);
// The H and W entries of a 4-element attribute (strides, dilations, ksize) by data_format.
std::vector<int64_t> Spatial(const TfNode& n, const std::vector<int64_t>& v);
bool IsNchw(const TfNode& n);

}  // namespace halo::tf_fe
