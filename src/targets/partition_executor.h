// In-process execution of a partitioned graph (`halo run --device ...`): one Executor per
// part, run in order; values crossing parts are copied from one part's outputs to the next
// part's inputs, as the generated code does. All parts run on the runtime linked into halo.
#pragma once

#include <memory>
#include <vector>

#include "passes/placement.h"
#include "targets/executor.h"

namespace halo {

class PartitionedExecutor {
 public:
  // Builds one computation per part of `p`, a partition of `g`, requesting `precision` for
  // the device parts (as the generated code does). Throws Error.
  PartitionedExecutor(const Graph& g, const Partition& p, Precision precision = Precision::kFp32);
  // Runs once; as Executor::Run.
  std::vector<Tensor> Run(const std::vector<Tensor>& inputs);

 private:
  const Graph& graph_;
  const Partition& partition_;
  std::vector<std::unique_ptr<Executor>> parts_;
};

}  // namespace halo
