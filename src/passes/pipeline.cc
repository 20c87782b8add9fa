#include "ir/error.h"
#include "passes/passes.h"

namespace halo {

// The order: shapes first (every later pass needs types, and it folds the weight
// transforms: Transpose/Reshape/Cast/Mul... of constants). simplify and cse shrink the
// graph so that the later patterns see one canonical producer per value (cse also merges
// the identical constants that simplify may leave). fold-batchnorm runs before fusion so that
// Conv + BatchNormalization + Relu becomes one fused op, and cancel-transposes before it
// so that Transpose pairs around element-wise ops do not hide a conv's users. The fusions
// come last among the rewrites; fold-constants then folds what the rewrites made constant
// (new weights are folded as they are made) and dce drops what they left unused.
const std::vector<Pass>& Pipeline() {
  static const std::vector<Pass> passes = {
      {"infer-shapes", [](Graph& g, const ProgressFn& p) { InferShapes(g, p); }, false},
      {"simplify", [](Graph& g, const ProgressFn&) { Simplify(g); }},
      {"cse", [](Graph& g, const ProgressFn&) { EliminateCommonSubexpressions(g); }},
      {"fold-batchnorm", [](Graph& g, const ProgressFn&) { FoldBatchNorm(g); }},
      {"cancel-transposes", [](Graph& g, const ProgressFn&) { CancelTransposes(g); }},
      {"fuse-conv", [](Graph& g, const ProgressFn&) { FuseConv(g); }},
      {"fuse-gemm", [](Graph& g, const ProgressFn&) { FuseGemm(g); }},
      {"fold-constants", [](Graph& g, const ProgressFn&) { FoldConstants(g); }},
      {"dce", [](Graph& g, const ProgressFn&) { EliminateDeadCode(g); }},
  };
  return passes;
}

std::vector<std::string> OptimizingPassNames() {
  std::vector<std::string> names;
  for (const Pass& p : Pipeline())
    if (p.optimizing) names.push_back(p.name);
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
