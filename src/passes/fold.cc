#include "passes/fold.h"

#include "ir/op_registry.h"
#include "targets/executor.h"

namespace halo {

static bool TypeOnly(const Node& n) { return n.op() == "Shape" || n.op() == "Size"; }

// Results over this many bytes stay computed at run time rather than stored as weights.
static constexpr size_t kMaxFoldedBytes = 64 << 20;

bool CanFold(const Node& n) {
  if (!n.def().foldable || !n.def().lowered) return false;
  for (size_t i = 0; i < n.num_outputs(); ++i)
    if (!n.output(i)->type().known || n.output(i)->type().ByteSize() > kMaxFoldedBytes)
      return false;
  if (TypeOnly(n)) return n.input(0) && n.input(0)->type().known;
  for (Value* v : n.inputs())
    if (v && !ConstantOf(v)) return false;
  return true;
}

void FoldNode(Graph& g, Node* n) {
  std::vector<const Tensor*> ins;
  std::vector<Tensor> placeholders;
  placeholders.reserve(n->num_inputs());
  for (Value* v : n->inputs()) {
    if (v && !ConstantOf(v)) {  // type-only ops: any data of the right type
      placeholders.emplace_back(v->type());
      ins.push_back(&placeholders.back());
    } else {
      ins.push_back(v ? ConstantOf(v) : nullptr);
    }
  }
  std::vector<Tensor> outs = EvaluateNode(*n, ins);
  for (size_t i = 0; i < outs.size(); ++i) {
    Value* old = n->output(i);
    std::string name = old->name().empty() ? g.UniqueName(n->name() + "_folded") : old->name();
    Value* k = g.AddConstant(name, std::move(outs[i]));
    old->set_name(g.UniqueName(name + "_dead"));
    g.ReplaceAllUses(old, k);
  }
}

}  // namespace halo
