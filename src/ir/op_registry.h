// The operator registry: for each op its inputs, attributes, results, documentation and
// type/shape rule, in one place. The ODLA builder signature of an op derives from it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ir/error.h"
#include "ir/graph.h"

namespace halo {

// kTensor and kStrings attributes are compile-time only (they cannot be lowered).
enum class AttrKind { kInt, kFloat, kString, kInts, kFloats, kTensor, kDType, kStrings };

struct AttrSpec {
  std::string name;
  AttrKind kind;
  AttrValue default_value;
  bool required = false;
  bool lowered = true;  // passed to the ODLA builder (false: compile-time only)
  std::string doc;
};

struct InputSpec {
  std::string name;
  bool optional = false;
  bool variadic = false;  // the last input may be variadic: lowered as odla_values
  bool lowered = true;    // false: must be constant; its rule moves it into an attribute
  std::string doc;
};

class InferContext;
using InferFn = std::function<void(InferContext&)>;
// The floating-point operations of a node with known types (a multiply-add counts 2).
using FlopsFn = std::function<double(const Node&)>;

struct OpDef {
  std::string name;
  std::string doc;
  std::vector<InputSpec> inputs;
  std::vector<std::string> outputs;  // result names
  bool variadic_outputs = false;     // number of results set per node
  std::vector<AttrSpec> attrs;
  InferFn infer;
  bool foldable = true;  // constant folding may evaluate it
  bool lowered = true;   // has an ODLA builder (Input/Constant do not)
  // Memory planning. in_place: the inputs that result 0 may overwrite when it has their
  // type (shape and element type) and they are read for the last time: the kernel computes
  // each result element from the input elements of the same index only. view: result 0 holds
  // input 0's bytes unchanged (a reshape), so the two may share one buffer.
  std::vector<int> in_place;
  bool view = false;
  FlopsFn flops;       // empty: 0
  int odla_minor = 0;  // the ODLA API version 1.odla_minor that added its builder

  // Builder-style declaration helpers.
  OpDef& Doc(std::string d) {
    doc = std::move(d);
    return *this;
  }
  OpDef& In(std::string n, std::string d = "") {
    inputs.push_back({std::move(n), false, false, true, std::move(d)});
    return *this;
  }
  OpDef& OptIn(std::string n, std::string d = "") {
    inputs.push_back({std::move(n), true, false, true, std::move(d)});
    return *this;
  }
  OpDef& VarIn(std::string n, std::string d = "") {
    inputs.push_back({std::move(n), false, true, true, std::move(d)});
    return *this;
  }
  // An optional input that must be constant and that the rule folds into an attribute.
  OpDef& ConstIn(std::string n, std::string d = "") {
    inputs.push_back({std::move(n), true, false, false, std::move(d)});
    return *this;
  }
  OpDef& Out(std::string n) {
    outputs.push_back(std::move(n));
    return *this;
  }
  OpDef& VarOut(std::string n) {
    outputs.push_back(std::move(n));
    variadic_outputs = true;
    return *this;
  }
  OpDef& Attr(std::string n, AttrKind k, AttrValue def, std::string d = "", bool lowered = true) {
    attrs.push_back({std::move(n), k, std::move(def), false, lowered, std::move(d)});
    return *this;
  }
  OpDef& Int(std::string n, int64_t def, std::string d = "") {
    return Attr(std::move(n), AttrKind::kInt, def, std::move(d));
  }
  OpDef& Float(std::string n, double def, std::string d = "") {
    return Attr(std::move(n), AttrKind::kFloat, def, std::move(d));
  }
  OpDef& Str(std::string n, std::string def, std::string d = "") {
    return Attr(std::move(n), AttrKind::kString, std::move(def), std::move(d));
  }
  OpDef& Ints(std::string n, std::vector<int64_t> def, std::string d = "") {
    return Attr(std::move(n), AttrKind::kInts, std::move(def), std::move(d));
  }
  OpDef& Floats(std::string n, std::vector<double> def, std::string d = "") {
    return Attr(std::move(n), AttrKind::kFloats, std::move(def), std::move(d));
  }
  OpDef& DType(std::string n, DataType def, std::string d = "") {
    return Attr(std::move(n), AttrKind::kDType, static_cast<int64_t>(def), std::move(d));
  }
  // A compile-time attribute (not passed to ODLA).
  OpDef& Meta(std::string n, AttrKind k, AttrValue def, std::string d = "") {
    return Attr(std::move(n), k, std::move(def), std::move(d), false);
  }
  OpDef& Required() {
    attrs.back().required = true;
    return *this;
  }
  OpDef& Rule(InferFn f) {
    infer = std::move(f);
    return *this;
  }
  OpDef& NoFold() {
    foldable = false;
    return *this;
  }
  OpDef& InPlace(std::vector<int> inputs) {
    in_place = std::move(inputs);
    return *this;
  }
  OpDef& View() {
    view = true;
    return *this;
  }
  OpDef& Flops(FlopsFn f) {
    flops = std::move(f);
    return *this;
  }
  OpDef& OdlaSince(int minor) {
    odla_minor = minor;
    return *this;
  }

  const AttrSpec* FindAttr(const std::string& n) const;
  bool multi_result() const { return variadic_outputs || outputs.size() > 1; }
};

class OpRegistry {
 public:
  static const OpRegistry& Get();
  const OpDef* Find(const std::string& name) const;
  // All ops in name order.
  std::vector<const OpDef*> All() const;
  OpDef& Add(std::string name);

 private:
  OpRegistry();
  std::map<std::string, OpDef> ops_;
};

// What a type/shape rule sees: the node, its input types and constant inputs.
class InferContext {
 public:
  explicit InferContext(Node* n) : node_(n) {}
  Node* node() const { return node_; }
  size_t num_inputs() const { return node_->num_inputs(); }
  bool has_input(size_t i) const { return node_->input(i) != nullptr; }
  const Type& in(size_t i) const;               // throws if absent
  const Tensor* const_in(size_t i) const;       // nullptr if absent or not constant
  const Tensor& require_const(size_t i) const;  // throws if not constant
  void set_out(size_t i, Type t);
  void set_out(Type t) { set_out(0, std::move(t)); }
  // Throws an error about this node.
  template <typename... Args>
  [[noreturn]] void fail(const Args&... args) const {
    throw Err(args...);
  }
  template <typename... Args>
  void check(bool ok, const Args&... args) const {
    if (!ok) fail(args...);
  }

 private:
  Node* node_;
};

// Checks a node against its definition (input count, attribute kinds), fills default
// attributes, then runs the op's rule. Throws Error with the reason.
void VerifyAndInfer(Node* n);

// Op families register themselves here (one function per file under ir/ops/).
void RegisterCoreOps(OpRegistry& r);
void RegisterElementwiseOps(OpRegistry& r);
void RegisterReduceOps(OpRegistry& r);
void RegisterNNOps(OpRegistry& r);
void RegisterNNConvOps(OpRegistry& r);
void RegisterNNFusedOps(OpRegistry& r);
void RegisterNNNormOps(OpRegistry& r);
void RegisterNNResizeOps(OpRegistry& r);
void RegisterNNRnnOps(OpRegistry& r);
void RegisterLinalgOps(OpRegistry& r);
void RegisterQuantOps(OpRegistry& r);
void RegisterQuantTfliteOps(OpRegistry& r);
void RegisterSvdfOps(OpRegistry& r);
void RegisterNNSampleOps(OpRegistry& r);
void RegisterTensorOps(OpRegistry& r);
void RegisterTensorShapeOps(OpRegistry& r);
void RegisterTensorIndexOps(OpRegistry& r);
void RegisterSignalOps(OpRegistry& r);
void RegisterTextOps(OpRegistry& r);
void RegisterDataDependentOps(OpRegistry& r);
void RegisterDetectionOps(OpRegistry& r);

}  // namespace halo
