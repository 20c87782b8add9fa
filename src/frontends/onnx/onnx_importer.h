// Internal to the ONNX frontend: the state of one import, shared by the graph walk
// (onnx_importer.cc), node building (onnx_node.cc), function expansion (onnx_functions.cc)
// and the version adapters (onnx_adapters.cc).
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "frontends/import_eval.h"
#include "ir/error.h"
#include "ir/graph.h"
#include "ir/op_registry.h"

namespace halo {
struct ImportOptions;
}

namespace halo::onnx_fe {

// The newest default-domain opset HALO reads, and the oldest one read directly (older models
// go through the ONNX version converter first). libonnx (1.12) knows opsets up to
// kOnnxLibOpset: the nodes of newer models whose form changed after it are checked by
// HALO's adapters and op rules instead of ONNX's checker (onnx_adapters_newer.cc).
constexpr int64_t kMaxOpset = 25;
constexpr int64_t kMinOpset = 7;
constexpr int64_t kOnnxLibOpset = 17;

// An imported ONNX value: a tensor (an IR value), a sequence of tensors, or an optional
// holding a tensor, a sequence or nothing. Sequences and optionals exist at compile time
// only: the IR sees their tensors (Port in ir/graph.h says how graph inputs and outputs
// flatten them).
struct OnnxValue {
  using Kind = Port::Kind;
  Kind kind = Kind::kTensor;
  Value* tensor = nullptr;              // kTensor, or a kOptional's tensor
  std::vector<Value*> elements;         // kSequence, or a kOptional's sequence
  DataType dtype = DataType::kInvalid;  // a sequence's or optional's element type, if known
  Kind content = Kind::kTensor;         // kOptional: the kind of its value
  bool present = false;                 // kOptional: whether it holds a value

  static OnnxValue OfTensor(Value* v);
  static OnnxValue OfSequence(std::vector<Value*> elements, DataType dtype);
  // An optional holding v (a tensor or a sequence).
  static OnnxValue OfOptional(const OnnxValue& v);
  static OnnxValue EmptyOptional(Kind content, DataType dtype);
  // The value a present optional holds.
  OnnxValue Contents() const;
  // "a tensor", "a sequence of 3 tensors", "an empty optional", ...
  std::string Describe() const;
};

// One ONNX node on its way to the IR. Adapters may rewrite it before it is built.
struct PendingNode {
  std::string onnx_op;                             // for messages
  std::string op;                                  // the IR op; initially onnx_op
  std::string name;                                // the IR node name (unique)
  std::vector<Value*> inputs;                      // nullptr: absent optional input
  std::vector<const onnx::AttributeProto*> attrs;  // ONNX attributes still to convert
  std::map<std::string, AttrValue> ir_attrs;       // IR attributes set by adapters
  std::vector<std::string> outputs;                // ONNX result names; "" = absent

  const onnx::AttributeProto* attr(const std::string& n) const;
  // Removes the ONNX attribute `n` and returns it (nullptr if absent).
  const onnx::AttributeProto* take_attr(const std::string& n);
};

// The weights of a model, taken out of its ModelProto before the graph walk, so that they
// are in memory once however many times the graph is imported.
struct Weights {
  std::vector<Tensor> initializers;  // in the graph's order
  // The `value` tensors of the main graph's Constant nodes, by their TensorProto.
  std::unordered_map<const onnx::TensorProto*, Tensor> constants;
};

class Importer {
 public:
  Importer(Graph& g, std::string file, std::string base_dir, const onnx::ModelProto& model,
           const Weights* weights = nullptr);

  Graph& graph() { return g_; }
  const onnx::ModelProto& model() const { return model_; }
  const std::string& base_dir() const { return base_dir_; }
  const std::string& file() const { return file_; }

  // Throws "FILE: node 'NAME' (OP): <message>".
  template <typename... Args>
  [[noreturn]] void Fail(const PendingNode& p, const Args&... args) const {
    throw Err(file_, ": node '", p.name, "' (", p.onnx_op, "): ", args...);
  }

  // Names: every ONNX tensor name is reserved up front so generated ones never clash.
  void ReserveTensorName(const std::string& n) { tensor_names_.insert(n); }
  bool IsTensorName(const std::string& n) const { return tensor_names_.count(n) != 0; }
  std::string NewTensorName(const std::string& base);
  std::string NewNodeName(const std::string& base) { return g_.UniqueName(base); }

  // Values by ONNX name. Bind(name, v) binds a tensor.
  void Bind(const std::string& name, Value* v) { BindValue(name, OnnxValue::OfTensor(v)); }
  void BindValue(const std::string& name, OnnxValue v);
  bool IsDefined(const std::string& name) const { return values_.count(name) != 0; }
  // The value of that name, or nullptr when undefined (or "").
  const OnnxValue* Lookup(const std::string& name) const;
  // The tensor of that name; nullptr when undefined, "" or not a tensor.
  Value* Find(const std::string& name) const;
  // The tensor that input `name` of p gives: nullptr for "" (an absent optional input); fails
  // naming the input when it is undefined or no tensor.
  Value* TensorInput(const PendingNode& p, const std::string& name) const;
  // Input `name` of p, of any kind; fails when it is undefined.
  const OnnxValue& AnyInput(const PendingNode& p, const std::string& name) const;

  // A value that must be known at compile time (`what`, e.g. "the position"): its
  // constant tensor, else fails saying why it is not one (a graph input: use
  // --const-input; computed at run time by a node). Remembers the constants read so that
  // input specialisation freezes them (compile_time_constants()).
  const Tensor& ConstantInput(const PendingNode& p, Value* v, const std::string& what);
  const std::set<std::string>& compile_time_constants() const { return compile_time_; }
  // The type of v from the nodes built so far (inferred as needed): fails when it is not
  // known at this point (e.g. a shape that only constant folding would reveal).
  const Type& KnownType(const PendingNode& p, Value* v, const std::string& what);
  // The IR name of a value bound to the ONNX name `name`: the name itself, or in an inlined
  // subgraph that defines it, a unique name under the subgraph's prefix ("loop/iter3/y").
  std::string ValueName(const std::string& name);

  // A lexical scope for an inlined subgraph (onnx_subgraph.cc): while it lives, the names
  // it defines hide the enclosing bindings of those names (the body sees every other name
  // of the enclosing scopes), and the nodes imported are named under `prefix`.
  class Scope {
   public:
    Scope(Importer& im, const std::vector<std::string>& defined, std::string prefix);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    bool defines(const std::string& name) const { return defined_.count(name) != 0; }
    const std::string& prefix() const { return prefix_; }

   private:
    Importer& im_;
    std::set<std::string> defined_;
    std::string prefix_;
    std::vector<std::unordered_map<std::string, OnnxValue>::node_type> hidden_;
    std::string outer_prefix_;
    const Scope* outer_;
  };
  // The prefix of the nodes imported now ("" outside subgraphs and in function bodies,
  // which name their nodes after the calling node themselves).
  const std::string& node_prefix() const { return node_prefix_; }
  void set_node_prefix(std::string p) { node_prefix_ = std::move(p); }

  // Import-time evaluation (frontends/import_eval.h): the type of a value and its constant
  // value when it has one, as the InferShapes pass would find them (folding what it can).
  // Control flow is unrolled with it. Throws what InferShapes would throw on the nodes
  // involved.
  using Known = ImportEval::Known;
  const Known& Evaluate(Value* v) { return eval_.Evaluate(v); }
  const Tensor* ConstantValue(Value* v) {
    const Known& k = Evaluate(v);
    return k.value ? &*k.value : nullptr;
  }
  // Records that the translation required v to be constant (a Loop's trip count, ...), for
  // input specialisation (NeededConstants).
  void NeedConstant(const Value* v) {
    if (v) needed_.push_back(v);
  }
  const std::vector<const Value*>& needed() const { return needed_; }
  // The constants read from 4-bit tensors (widened to int8 / uint8: IsFourBit), which
  // QuantizeLinear must not take as its zero point.
  void MarkFourBitConstant(const Value* v) { four_bit_.insert(v); }
  bool IsFourBitConstant(const Value* v) const { return four_bit_.count(v) != 0; }
  // True in the first import of input specialisation, where the candidates are all frozen:
  // translations then also check whether a value they found constant must be so.
  bool speculative = false;

  // The nodes built so far; Rollback removes those built after a Mark (a subgraph imported
  // only to learn its types), with their bindings and evaluations.
  struct Mark {
    size_t nodes, needed;
  };
  Mark MarkNodes() const { return {g_.nodes().size(), needed_.size()}; }
  void Rollback(const Mark& m);
  bool IsUsed(const std::string& name) const { return used_.count(name) != 0; }
  void MarkUsed(const std::string& name) { used_.insert(name); }

  // The ONNX type of a tensor for ONNX's context-dependent function builders: from HALO's
  // type of its value (inferring the nodes built so far where needed), else from ONNX's
  // shape inference of the model. An empty TypeProto when neither knows it.
  onnx::TypeProto TypeOf(const std::string& name);
  // Records ONNX's inferred types of a graph's tensors (an inlined function body's).
  void AddOnnxTypes(const onnx::GraphProto& g);

  // Nesting depth of function expansion (a guard against recursive function bodies).
  int function_depth = 0;

  // Builds the IR node for p: converts its attributes, binds its results to their ONNX
  // names (generated ones for absent results) and returns it.
  Node* Build(PendingNode& p);
  // The translation of an ONNX Constant node.
  void BuildConstant(const onnx::NodeProto& n, const PendingNode& p);

 private:
  // Infers the types of the nodes built since the last call; failures leave types unknown.
  void InferBuiltNodes();
  AttrValue ConvertAttr(const PendingNode& p, const onnx::AttributeProto& a, const AttrSpec& s);
  Tensor AttrAsTensor(const PendingNode& p, const onnx::AttributeProto& a);

  Graph& g_;
  std::string file_;
  std::string base_dir_;
  const onnx::ModelProto& model_;
  const Weights* weights_;
  size_t inferred_nodes_ = 0;  // nodes [0, inferred_nodes_) had their types inferred
  bool onnx_inferred_ = false;
  std::unordered_map<std::string, onnx::TypeProto> onnx_types_;  // ONNX's value_info
  std::unordered_map<std::string, OnnxValue> values_;
  std::set<std::string> compile_time_;
  const Scope* scope_ = nullptr;  // the innermost subgraph scope
  std::string node_prefix_;
  ImportEval eval_{/*record_errors=*/false};
  std::vector<const Value*> needed_;
  std::set<const Value*> four_bit_;
  std::set<std::string> tensor_names_;
  std::set<std::string> used_;
};

// The graph's inputs (onnx_graph_io.cc): Input nodes in model order, Constant nodes for
// ImportOptions::const_inputs, sequences and optionals flattened as ImportOptions says;
// then the initializers as Constant nodes. Returns the model's input ports.
std::vector<Port> ImportInputs(Importer& im, const std::string& path, const onnx::GraphProto& gp,
                               const Weights& weights, const ImportOptions& opts);
// Adds the graph's outputs, sequences and optionals flattened; returns the output ports.
std::vector<Port> ImportOutputs(Importer& im, const std::string& path, const onnx::GraphProto& gp);

// Translates one ONNX node of a default-domain opset `opset` (the model's, or a function
// body's) into IR nodes: Constant, a version adapter, a HALO op, or the inlined ONNX function
// body of an op HALO does not have.
void ImportNode(Importer& im, const onnx::NodeProto& n, int64_t opset);

// Translates n when it is an ONNX op on sequences or optionals (SequenceEmpty ...
// OptionalGetElement, onnx_sequence.cc), or an Identity of one; returns false otherwise.
// These build no IR nodes of their own but plain tensor ops (Concat, Split, ...) and
// constants (SequenceLength, OptionalHasElement).
bool ImportSequenceNode(Importer& im, const onnx::NodeProto& n, PendingNode& p);

// The ONNX type of an imported sequence or optional (tensor elements typed when known).
onnx::TypeProto OnnxTypeOf(const OnnxValue& v);

// Inlines the ONNX function body of p's op (the node n) when its schema at `opset` has one,
// plain or context-dependent. Returns false when the op has no function.
bool ExpandFunction(Importer& im, const onnx::NodeProto& n, const PendingNode& p, int64_t opset);

// Inlines the body of the model-local function that n calls (FunctionProto of n's domain and
// op type) with the node's attributes, or those the function declares by default. Returns
// false when the model defines no such function.
bool ExpandLocalFunction(Importer& im, const onnx::NodeProto& n, const PendingNode& p,
                         int64_t opset);

// True when HALO has an op of this name that the frontend can build.
bool HaloHasOp(const std::string& op_type);

// The names of the Constant values that g needs at compile time: those reaching an input
// slot that must be constant, directly or through nodes that must then be folded: those
// named in `read` (the constants the import itself read) and those `seeds` (values the
// import required constant) depend on included.
std::set<std::string> NeededConstants(const Graph& g, const std::set<std::string>& read = {},
                                      const std::vector<const Value*>& seeds = {});

// The ONNX attribute type, inferred from the populated field for old models without one.
onnx::AttributeProto::AttributeType AttrType(const onnx::AttributeProto& a);

// Whether d names the default ONNX domain.
inline bool IsDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

// Version adapters: rewrite an ONNX node whose form at the model's opset differs from the
// form HALO's ops mirror (opset 17's, with some of 18's) in a way attribute names cannot
// express. An adapter rewrites the pending node and builds it (Importer::Build).
using Adapter = void (*)(Importer&, PendingNode&);
// The adapter for op_type at the given opset, or nullptr.
Adapter FindAdapter(const std::string& op_type, int64_t opset);
// The adapter of a form new in opsets 18 to 25 (onnx_adapters_newer.cc), or nullptr.
Adapter FindNewerAdapter(const std::string& op_type, int64_t opset);
// Whether ONNX's checker (libonnx, kOnnxLibOpset) cannot judge a node of op_type in a model
// of this opset: its form changed after kOnnxLibOpset, the op is newer, or ONNX Runtime
// defines it in the default domain (SimplifiedLayerNormalization).
bool NewerForm(const std::string& op_type, int64_t opset);

// The adapter of an operator of another domain that HALO translates (ONNX Runtime's
// com.microsoft operators, onnx_contrib_ms.cc), or nullptr.
Adapter FindContribAdapter(const std::string& domain, const std::string& op_type);
// The error for an operator of another domain that HALO does not translate.
std::string UnsupportedDomainOp(const std::string& domain, const std::string& op_type);

// Fixes a model older than kMinOpset for the ONNX version converter, where the converter
// would change its meaning. The model carries ONNX's inferred shapes (value_info).
void AdaptBeforeUpgrade(onnx::ModelProto& m);

}  // namespace halo::onnx_fe
