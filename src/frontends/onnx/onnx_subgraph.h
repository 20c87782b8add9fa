// Subgraphs of control-flow nodes (If's branches, Loop's, Scan's and SequenceMap's bodies):
// HALO's IR is static and has no control flow, so the frontend inlines their bodies,
// unrolling loops, and the helpers here build what the translations share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_importer.h"

namespace halo::onnx_fe {

// Imports the subgraph `body` of node p in place and returns the values of its outputs
// (tensors, or the sequences and optionals of onnx_sequence.cc). Its formal inputs are
// bound to `inputs`, in a lexical scope: the body sees the names of the enclosing scopes,
// its own names shadow them, and its nodes and values are named "P/TAG/..." after the node
// P, so that every inlined copy has its own names. Nested control flow is translated the
// same way.
std::vector<OnnxValue> InlineSubgraph(Importer& im, const PendingNode& p,
                                      const onnx::GraphProto& body,
                                      const std::vector<OnnxValue>& inputs, const std::string& tag,
                                      int64_t opset);

// Translates n when it is If, Loop, Scan or SequenceMap (onnx_control_flow.cc); returns
// false otherwise.
bool ImportControlFlow(Importer& im, const onnx::NodeProto& n, PendingNode& p, int64_t opset);
// Scan (onnx_scan.cc); p.inputs holds its tensors.
void ImportScan(Importer& im, PendingNode& p, int64_t opset);

// ---- Shared by the translations ----

// Unrolling stops here: a loop this long is better left to a runtime with control flow.
constexpr int64_t kMaxUnrolled = 10000;

// The GRAPH attribute `name` of p, taken from p.attrs; fails naming the node when absent.
const onnx::GraphProto& GraphAttr(Importer& im, PendingNode& p, const std::string& name);
// The INTS attribute `name` of p with `count` entries (all `dflt` when absent), taken from
// p.attrs; fails naming the node when it has another count.
std::vector<int64_t> IntsAttr(Importer& im, PendingNode& p, const std::string& name, size_t count,
                              int64_t dflt);
// Fails on an ONNX attribute of p that the translation did not take.
void RejectOtherAttrs(Importer& im, const PendingNode& p);

// A Constant node.
Value* Const(Importer& im, const std::string& name, Tensor t);
Value* Int64Scalar(Importer& im, const std::string& name, int64_t v);
// One node of an IR op in p's translation, built as the importer builds any node; returns
// its first result.
Value* AddOp(Importer& im, const PendingNode& p, const std::string& op, const std::string& name,
             const std::vector<Value*>& inputs, std::map<std::string, AttrValue> attrs = {});
// The tensor of an input or output of a subgraph; fails naming `what` when it is none.
Value* TensorOf(Importer& im, const PendingNode& p, const OnnxValue& v, const std::string& what);

// The static type of v (with Importer::Evaluate, which leaves the graph as it is); fails
// naming `what` when it is not known.
Type StaticType(Importer& im, const PendingNode& p, Value* v, const std::string& what);
// A one-element operand when it is known at compile time (with Importer::Evaluate).
std::optional<int64_t> ConstScalar(Importer& im, const PendingNode& p, Value* v,
                                   const std::string& what);

// Tensors stacked along a new axis (Unsqueeze each, then Concat): a scan output.
Value* Stack(Importer& im, const PendingNode& p, const std::vector<Value*>& parts, int64_t axis,
             const std::string& name);
// The stack of no tensors of type t: a constant with a 0 dimension at `axis`.
Value* EmptyStack(Importer& im, const PendingNode& p, const Type& t, int64_t axis,
                  const std::string& name);
// The types of the outputs [first, end) of a body given these inputs: it is inlined once to
// find them and removed again (a loop that runs no iteration still has scan outputs of a
// definite type); Importer::speculative keeps it.
std::vector<Type> BodyOutputTypes(Importer& im, const PendingNode& p, const onnx::GraphProto& body,
                                  const std::vector<OnnxValue>& inputs, size_t first,
                                  int64_t opset);

// Binds p's results to `values`. Tensors that the translation created (the nodes after
// `start`) take the result's name, so that a graph output keeps its ONNX name; others (an
// outer value passed through) keep theirs.
void BindResults(Importer& im, const PendingNode& p, const std::vector<OnnxValue>& values,
                 const Importer::Mark& start);

}  // namespace halo::onnx_fe
