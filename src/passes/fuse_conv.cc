// fuse-conv: Conv + bias Adds + a residual Add + an activation -> FusedConv (or a Conv
// with the summed bias when only bias Adds follow). The bias constants add up in double.
#include "passes/fuse_tail.h"
#include "passes/passes.h"

namespace halo {

bool FuseConv(Graph& g) {
  Rewriter rw(g);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node* n = g.nodes()[i].get();
    if (n->op() != "Conv" || !rw.Live(n)) continue;
    const Type& out = n->output()->type();
    if (out.dtype != DataType::kFloat32 && out.dtype != DataType::kFloat64) continue;
    Value* b = n->input(2);
    FusedTail t = MatchTail(rw, n->output(), 1, !b || ConstantOf(b));
    if (!t.last) continue;
    if (!t.bias.empty()) {
      if (b) {
        std::vector<double> old = Doubles(*ConstantOf(b));
        for (size_t c = 0; c < t.bias.size(); ++c) t.bias[c] += old[c];
      }
      b = rw.AddConst(n->name() + "_bias", FloatTensor(out.dtype, {out.shape[1]}, t.bias));
    }
    auto attrs = n->attrs();
    Node* f;
    if (!t.sum && t.act.empty()) {
      f = rw.Add("Conv", n->name(), {n->input(0), n->input(1), b}, attrs);
    } else {
      SetActivation(t, &attrs);
      f = rw.Add("FusedConv", n->name(), {n->input(0), n->input(1), b, t.sum},
                 AttrsFor("FusedConv", attrs));
    }
    rw.Replace(t.last, f->output(), true);
  }
  return rw.Finish();
}

}  // namespace halo
