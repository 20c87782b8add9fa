#include <algorithm>

#include "ir/error.h"
#include "passes/passes.h"

namespace halo {

// The order: infer-shapes first: every later pass needs types, and it folds the transforms
// of constant weights (Transpose, Reshape, Cast, Mul... of constants) as it goes. simplify
// and cse then drop no-op nodes and duplicates, so that the patterns below see a value's
// real users (an Identity or a second, equal Relu would hide them). fold-batchnorm comes
// before fusion so that Conv + BatchNormalization + Relu ends as one fused op, and so does
// cancel-transposes: a Transpose pair between a Conv and its activation would hide the
// activation. merge-transposes comes after the fusions: a bias Add is then part of its
// FusedMatMul or Gemm, so a Transpose crosses a projection and its bias in one step, and a
// Transpose it leaves after a product cannot come between the product and the residual Add
// or activation that fuse-gemm fuses into it. split-products comes after fuse-gemm too (the
// bias it splits is then part of the product) and before merge-transposes, which moves a
// Transpose through each part as through the whole. fuse-gemm runs once more after it: a Transpose
// it moved away can leave a product, a Reshape and a residual Add next to each other (a
// PyTorch encoder's attention output at batch > 1). fold-batchnorm runs once more then: a
// scale that followed a bias Add (attention's query / sqrt(head size)) now follows the fused
// product and goes into its weights. These are the last rewrites;
// fold-constants then folds what the rewrites left constant, and dce drops what they left
// unused. split-wide-ops comes last and always runs: it keeps nodes within ODLA's lists for
// lowering. A pass listed twice is one name (--disable-pass skips both runs).
const std::vector<Pass>& Pipeline() {
  static const std::vector<Pass> passes = {
      {"infer-shapes", [](Graph& g, const ProgressFn& p) { InferShapes(g, p); }, false},
      {"simplify", [](Graph& g, const ProgressFn&) { Simplify(g); }},
      {"cse", [](Graph& g, const ProgressFn&) { EliminateCommonSubexpressions(g); }},
      {"fold-batchnorm", [](Graph& g, const ProgressFn&) { FoldBatchNorm(g); }},
      {"cancel-transposes", [](Graph& g, const ProgressFn&) { CancelTransposes(g); }},
      {"fuse-layernorm", [](Graph& g, const ProgressFn&) { FuseLayerNorm(g); }},
      {"fuse-conv", [](Graph& g, const ProgressFn&) { FuseConv(g); }},
      {"fuse-gemm", [](Graph& g, const ProgressFn&) { FuseGemm(g); }},
      {"split-products", [](Graph& g, const ProgressFn&) { SplitProducts(g); }},
      {"merge-transposes", [](Graph& g, const ProgressFn&) { MergeTransposes(g); }},
      {"fuse-gemm", [](Graph& g, const ProgressFn&) { FuseGemm(g); }},
      {"fold-batchnorm", [](Graph& g, const ProgressFn&) { FoldBatchNorm(g); }},
      {"fold-constants", [](Graph& g, const ProgressFn&) { FoldConstants(g); }},
      {"dce", [](Graph& g, const ProgressFn&) { EliminateDeadCode(g); }},
      {"split-wide-ops", [](Graph& g, const ProgressFn&) { SplitWideOps(g); }, false},
  };
  return passes;
}

std::vector<std::string> OptimizingPassNames() {
  std::vector<std::string> names;
  for (const Pass& p : Pipeline())
    if (p.optimizing && std::find(names.begin(), names.end(), p.name) == names.end())
      names.push_back(p.name);
  return names;
}

void RunPipeline(Graph& g, const ProgressFn& progress, bool optimize,
                 const std::set<std::string>& disabled) {
  for (const std::string& d : disabled) {
    bool known = false;
    for (const std::string& n : OptimizingPassNames()) known = known || n == d;
    if (!known) throw Err("unknown optimizing pass '", d, "'");
  }
  for (const Pass& p : Pipeline())
    if (!p.optimizing || (optimize && !disabled.count(p.name))) p.run(g, progress);
}

}  // namespace halo
