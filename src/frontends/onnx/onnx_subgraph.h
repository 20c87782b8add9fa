// Subgraphs of control-flow nodes (If's branches, Loop's and Scan's bodies): HALO's IR is
// static and has no control flow, so the frontend inlines their bodies, unrolling loops.
#pragma once

#include <string>
#include <vector>

#include "frontends/onnx/onnx_importer.h"

namespace halo::onnx_fe {

// Imports the subgraph `body` of node p in place and returns the values of its outputs.
// Its formal inputs are bound to `inputs`, in a lexical scope: the body sees the names of
// the enclosing scopes, its own names shadow them, and its nodes and values are named
// "P/TAG/..." after the node P, so that every inlined copy has its own names. Nested
// control flow is translated the same way.
std::vector<Value*> InlineSubgraph(Importer& im, const PendingNode& p, const onnx::GraphProto& body,
                                   const std::vector<Value*>& inputs, const std::string& tag,
                                   int64_t opset);

// The GRAPH attribute `name` of p; fails naming the node when absent.
const onnx::GraphProto& GraphAttr(Importer& im, PendingNode& p, const std::string& name);

// If, Loop and Scan: translated by ImportControlFlow (onnx_control_flow.cc).
bool IsControlFlow(const std::string& op_type);
void ImportControlFlow(Importer& im, PendingNode& p, int64_t opset);

}  // namespace halo::onnx_fe
