// Which constants a graph needs at compile time (ImportOptions::auto_const_inputs).
#include <algorithm>
#include <vector>

#include "frontends/onnx/onnx_importer.h"

namespace halo::onnx_fe {

std::set<std::string> NeededConstants(const Graph& g, const std::set<std::string>& read,
                                      const std::vector<const Value*>& seeds) {
  // Seeds: the values at input slots that must be constant: the unlowered inputs of the op
  // registry (InputSpec::lowered == false) but CastLike's target_type, of which only the
  // type counts, and the lowered inputs whose values the rules of Range (the result
  // length) and Compress (the kept slices) read. A value needed constant that a node
  // computes needs that node folded, hence all its inputs constant, except for Shape and
  // Size, which read only their input's type. The import adds its own seeds: the values
  // that unrolling control flow required constant (a Loop's trip count and conditions, an
  // If's condition where its branches cannot be selected at run time).
  std::vector<const Value*> work = seeds;
  for (const auto& n : g.nodes()) {
    const std::vector<InputSpec>& specs = n->def().inputs;
    for (size_t i = 0; i < n->num_inputs() && !specs.empty(); ++i) {
      const InputSpec& spec = specs[std::min(i, specs.size() - 1)];
      bool value_read = (!spec.lowered && n->op() != "CastLike") || n->op() == "Range" ||
                        (n->op() == "Compress" && i == 1);
      if (n->input(i) && value_read) work.push_back(n->input(i));
    }
  }
  std::set<const Value*> seen;
  std::set<std::string> names = read;
  while (!work.empty()) {
    const Value* v = work.back();
    work.pop_back();
    if (!seen.insert(v).second) continue;
    const Node* p = v->producer();
    if (!p || p->op() == "Input" || p->op() == "Shape" || p->op() == "Size") continue;
    if (p->op() == "Constant") {
      names.insert(v->name());
      continue;
    }
    for (const Value* in : p->inputs())
      if (in) work.push_back(in);
  }
  return names;
}

}  // namespace halo::onnx_fe
