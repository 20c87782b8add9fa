// In-process execution (`halo run`, constant folding): builds an ODLA computation from the
// IR through the shared lowering, with the memory plan of the generated code (not for one
// node's evaluation), and runs it on the runtime linked into halo.
#pragma once

#include <memory>
#include <vector>

#include "ir/graph.h"
#include "targets/lowering.h"

namespace halo {

class Executor {
 public:
  // Builds the computation for `g` (its types must be known), requesting `precision` as
  // the generated code does. Throws Error.
  explicit Executor(const Graph& g, Precision precision = Precision::kFp32);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs once; `inputs` in graph input order, with the graph's input types. Outputs with
  // data-dependent dimensions come with their actual shapes. A model with states
  // (Graph::State) may be given its own inputs only: the states then start at their initial
  // values and only the model's own outputs come back.
  std::vector<Tensor> Run(const std::vector<Tensor>& inputs);

 private:
  const Graph& graph_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Evaluates one node on constant inputs (nullptr for absent optional inputs); results with
// data-dependent dimensions come with their actual shapes.
std::vector<Tensor> EvaluateNode(const Node& n, const std::vector<const Tensor*>& inputs);

}  // namespace halo
