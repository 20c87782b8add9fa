// Rollback: removes the nodes built after a Mark, with their bindings and evaluations.
#include <algorithm>
#include <unordered_set>

#include "frontends/onnx/onnx_importer.h"

namespace halo::onnx_fe {

void Importer::Rollback(const Mark& m) {
  std::unordered_set<const Node*> removed;
  for (size_t i = m.nodes; i < g_.nodes().size(); ++i) removed.insert(g_.nodes()[i].get());
  auto gone = [&](const Value* v) { return v && removed.count(v->producer()); };
  eval_.EraseIf(gone);
  auto holds_gone = [&](const OnnxValue& v) {
    return gone(v.tensor) || std::any_of(v.elements.begin(), v.elements.end(), gone);
  };
  for (auto it = values_.begin(); it != values_.end();)
    it = holds_gone(it->second) ? values_.erase(it) : std::next(it);
  needed_.resize(m.needed);
  g_.RemoveNodesIf([&](const Node* n) { return removed.count(n) != 0; });
  inferred_nodes_ = std::min(inferred_nodes_, m.nodes);
}

}  // namespace halo::onnx_fe
