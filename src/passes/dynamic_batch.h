// --dynamic-batch: how a model's graph depends on its batch size. HALO's IR stays static:
// the model is built at a few batch sizes and the graphs are compared.
#pragma once

#include <functional>
#include <memory>

#include "ir/batch_forms.h"

namespace halo {

struct BatchGraph {
  std::unique_ptr<Graph> graph;  // at batch size kBatchProbes[0] = 1
  BatchForms forms;              // its numbers that depend on the batch size
};

// The batch sizes the graph is built at: the forms are fitted to the first two and checked
// at the third, so that a number like min(batch, 5) is caught.
inline constexpr int64_t kBatchProbes[3] = {1, 2, 7};

// Builds the graph at each probe batch size with `load` (import and pipeline; the batch
// size fills the inputs' unknown first dimension) and compares the graphs. They must have
// the same nodes (ops, names, edges, results) in the same order. Each number the lowered
// code uses (the dimensions of value types, lowered int and ints attributes) must be
// scale * batch + offset (scale >= 0 for dimensions); everything else the lowered code uses
// (other attributes, the constants it reads) must not change. Throws Error naming the
// first node that breaks this, or when no input depends on the batch size. Holds two
// graphs at a time.
BatchGraph AnalyzeBatch(const std::function<std::unique_ptr<Graph>(int64_t batch)>& load);

}  // namespace halo
