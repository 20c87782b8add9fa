#include "targets/c_memory_plan.h"

#include <sstream>

namespace halo {

const char* const kMemoryPlanNames[2] = {"plan", "p"};

std::string MemoryPlanStatements(const Graph& g, const MemoryPlan& plan,
                                 const std::function<std::string(const Value*)>& ref,
                                 const std::string& comp,
                                 const std::function<std::string(const std::string&)>& api,
                                 const std::string& fail) {
  if (plan.buffers.empty()) return "";
  std::ostringstream os;
  size_t values = plan.buffer_of.size(), shared = plan.NumShared();
  os << "\n  // The memory plan: the intermediate values (" << values << ") lie in an arena of "
     << plan.arena_bytes << " bytes\n  // (at most " << plan.lower_bound
     << " bytes are live at once)";
  if (shared) os << "; " << shared << " take the place of an input";
  os << ".\n  if (" << api("SetComputationArenaSize") << "(" << comp << ", " << plan.arena_bytes
     << ") != ODLA_SUCCESS)\n"
     << "    return " << fail << "(\"the memory plan\");\n"
     << "  const struct {\n    odla_value value;\n    odla_uint64 offset;\n  } plan[] = {\n";
  for (const auto& n : g.nodes())
    for (size_t i = 0; i < n->num_outputs(); ++i)
      if (plan.Planned(n->output(i)))
        os << "      {" << ref(n->output(i)) << ", " << plan.OffsetOf(n->output(i)) << "},\n";
  os << "  };\n"
     << "  for (const auto& p : plan)\n"
     << "    if (" << api("SetValueArenaOffset") << "(p.value, p.offset) != ODLA_SUCCESS)\n"
     << "      return " << fail << "(\"the memory plan\");\n";
  return os.str();
}

}  // namespace halo
