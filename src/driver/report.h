// halo --report: per-layer FLOPs, parameters and activation sizes, and the memory plan.
#pragma once

#include <cstdint>
#include <string>

#include "ir/graph.h"

namespace halo {

struct ReportTotals {
  double flops = 0;        // a multiply-add counts 2 (OpDef::flops; 0 for other ops)
  int64_t parameters = 0;  // elements of the constants that operators read at run time
  int64_t weight_bytes = 0;
  int64_t activation_bytes = 0;  // every operator result in a buffer of its own
  int64_t arena_bytes = 0;       // the memory plan's arena (MemoryPlan)
  int64_t lower_bound = 0;
};

// The report of graph `g` (after the pipeline): a table with one line per operator node
// (name, op, result types, FLOPs, parameters, result bytes, arena offset), then the totals.
std::string Report(const Graph& g, const std::string& model_path, ReportTotals* totals = nullptr);

}  // namespace halo
