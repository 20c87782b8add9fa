#include "passes/passes.h"

namespace halo {

const std::vector<Pass>& Pipeline() {
  static const std::vector<Pass> passes = {
      {"infer-shapes", [](Graph& g, const ProgressFn& p) { InferShapes(g, p); }},
      {"fold-constants", [](Graph& g, const ProgressFn&) { FoldConstants(g); }},
      {"dce", [](Graph& g, const ProgressFn&) { EliminateDeadCode(g); }},
  };
  return passes;
}

void RunPipeline(Graph& g, const ProgressFn& progress) {
  for (const Pass& p : Pipeline()) p.run(g, progress);
}

}  // namespace halo
