// Graph passes and the pipeline that lists them.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/progress.h"

namespace halo {

// Verifies every node and infers result types in topological order. A node whose inputs
// are all constant (or whose result depends only on input types, like Shape) is folded
// on the spot, so shape arguments computed in the graph become constants. Reports the
// nodes visited to `progress`.
void InferShapes(Graph& g, const ProgressFn& progress = {});

// Replaces nodes whose inputs are all constant by constants. Returns true on a change.
bool FoldConstants(Graph& g);

// Removes nodes that no graph output depends on. Returns true on a change.
bool EliminateDeadCode(Graph& g);
// Removes those of the first `prefix` nodes that neither a graph output nor a later node
// depends on; the later nodes keep their order. Returns how many it removed.
size_t EliminateDeadPrefix(Graph& g, size_t prefix);

// The optimising passes run after InferShapes; each returns true on a change. They keep
// the graph's meaning; only folding weights and fusing may round differently.
// simplify: removes algebraic identities that are exact (x*1, x/1, x-0, x+(-0), Identity,
// inference Dropout, Cast to the same type, Expand/Slice/Pad/Tile/Concat/Split/Sum that
// change nothing, Neg(Neg(x))) and makes Pow(x, 2) x*x.
bool Simplify(Graph& g);
// cse: merges nodes of the same op, inputs and attributes, and constants of equal contents.
bool EliminateCommonSubexpressions(Graph& g);
// fold-batchnorm: folds inference BatchNormalization, and Mul by a per-channel constant,
// after Conv/ConvTranspose/Gemm/MatMul with constant weights into new weights and bias.
bool FoldBatchNorm(Graph& g);
// cancel-transposes: composes Transpose of Transpose and chains of reshapes (Reshape, Flatten,
// Squeeze, Unsqueeze), drops those that change nothing, and sinks a Transpose through
// element-wise ops and Concats (with constant operands, or operands transposed alike) to a
// Transpose it then cancels with; a Transpose that moves only dimensions of size 1 becomes a
// Reshape.
bool CancelTransposes(Graph& g);
// merge-transposes: moves a Transpose, with the Reshapes next to it, across ops on the rows
// of the last axis (products by a constant matrix, biases), unary element-wise ops and
// Slices of whole dimensions to another Transpose, and makes the two one (between Reshapes)
// where that leaves fewer Transposes: attention's per-head Transposes absorb the layer's.
bool MergeTransposes(Graph& g);
// fuse-conv / fuse-gemm: Conv, Gemm or MatMul followed by bias Adds, a residual Add and an
// activation become one FusedConv / FusedGemm / FusedMatMul (a Conv or Gemm when only a
// bias was added).
bool FuseConv(Graph& g);
bool FuseGemm(Graph& g);
// split-products: a product by a constant matrix whose every use is a Slice of columns, or
// a Split of them, becomes one product per part with those columns of the weights and bias
// (a fused QKV projection cut into Q, K and V computes them apart, without the copies).
bool SplitProducts(Graph& g);
// fuse-layernorm: ReduceMean, Sub, Mul, ReduceMean, Add epsilon, Sqrt, Div and the optional
// Scale Mul and B Add over trailing axes become one LayerNormalization.
bool FuseLayerNorm(Graph& g);

// split-wide-ops: a Concat, Sum, Max or Min of more than 64 inputs, or a Split into more
// than 64 parts (ODLA's list size), becomes nodes within the limit with the same results.
bool SplitWideOps(Graph& g);

struct Pass {
  std::string name;
  std::function<void(Graph&, const ProgressFn&)> run;
  bool optimizing = true;  // false: always runs (--no-opt and --disable-pass keep it)
};

// The compiler's pipeline, in order.
const std::vector<Pass>& Pipeline();
// Runs the pipeline: without `optimize` only the passes that are not optimizing, and never
// those named in `disabled` (each must be an optimizing pass: Error otherwise).
void RunPipeline(Graph& g, const ProgressFn& progress = {}, bool optimize = true,
                 const std::set<std::string>& disabled = {});
// The names of the optimizing passes, in pipeline order.
std::vector<std::string> OptimizingPassNames();

// "node 'NAME' (OP): " for error messages.
std::string NodeLabel(const Node& n);

}  // namespace halo
