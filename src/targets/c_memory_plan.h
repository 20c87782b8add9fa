// The memory plan as statements of the generated code.
#pragma once

#include <functional>
#include <string>

#include "ir/graph.h"
#include "targets/memory_plan.h"

namespace halo {

// Names the statements declare, to reserve in the scope they go into.
extern const char* const kMemoryPlanNames[2];

// Statements that hand `plan` to the runtime: the arena size of computation `comp`, then a
// table of the planned values' offsets, in node order; `ref` names a value, `api` the
// runtime function NAME as the code calls it ("odla_NAME" for the plain API). "" when
// nothing is planned. Failures return `fail`("the memory plan").
std::string MemoryPlanStatements(const Graph& g, const MemoryPlan& plan,
                                 const std::function<std::string(const Value*)>& ref,
                                 const std::string& comp,
                                 const std::function<std::string(const std::string&)>& api,
                                 const std::string& fail);

}  // namespace halo
