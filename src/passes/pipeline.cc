#include "passes/passes.h"

namespace halo {

const std::vector<Pass>& Pipeline() {
  static const std::vector<Pass> passes = {
      {"infer-shapes", InferShapes},
      {"fold-constants", [](Graph& g) { FoldConstants(g); }},
      {"dce", [](Graph& g) { EliminateDeadCode(g); }},
  };
  return passes;
}

void RunPipeline(Graph& g) {
  for (const Pass& p : Pipeline()) p.run(g);
}

}  // namespace halo
