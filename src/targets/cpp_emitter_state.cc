// The states of a model (Graph::State: TFLite's variable tensors) in NAME.cc: one static
// buffer per state that each call reads and, after a successful execution, replaces by the
// state's new value; NAME_init() and NAME_reset() set them to their initial values.
#include <sstream>

#include "targets/c_literals.h"
#include "targets/cpp_emitter_model.h"

namespace halo {
namespace cpp_emit {

std::string StateDefinitions(const Model& m) {
  if (m.states.empty()) return "";
  std::ostringstream os;
  os << "// The model's states, carried from call to call (g_mutex guards them): each call\n"
     << "// reads the first buffer and writes the second, copied back after it succeeds.\n";
  for (const StateCode& s : m.states)
    os << "// '" << CommentText(s.name) << "'\n"
       << "static " << s.ctype << " " << s.buffer << "[" << s.elements << "];\n"
       << "static " << s.ctype << " " << s.next << "[" << s.elements << "];\n";
  os << "\n// Sets the states to their initial values (in the weights). Needs g_mutex.\n"
     << "static void ResetStates(void) {\n";
  for (const StateCode& s : m.states)
    os << "  memcpy(" << s.buffer << ", g_weights + " << s.offset << ", " << s.bytes << ");\n";
  os << "}\n\n";
  return os.str();
}

std::string ResetDefinition(const Model& m) {
  if (m.states.empty()) return "";
  return "void " + m.name +
         "_reset(void) {\n"
         "  pthread_mutex_lock(&g_mutex);\n"
         "  ResetStates();\n"
         "  pthread_mutex_unlock(&g_mutex);\n}\n\n";
}

}  // namespace cpp_emit
}  // namespace halo
