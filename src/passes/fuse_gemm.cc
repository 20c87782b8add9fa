// fuse-gemm: Gemm or MatMul + bias Adds + a residual Add + an activation -> FusedGemm or
// FusedMatMul (a Gemm with the summed C when only bias Adds follow a Gemm). A Gemm's C
// takes a bias only when it varies along the columns alone; it then becomes
// beta * C + bias with beta 1. A Reshape that keeps the columns may stand between the
// product and what it absorbs.
#include "passes/fuse_tail.h"
#include "passes/passes.h"

namespace halo {
namespace {

// The Reshape that is the product's only use, when it keeps the last axis (the columns), so
// that a tail after it can be fused; else nullptr.
Node* ColumnKeepingReshape(const Rewriter& rw, const Value* product) {
  Node* r = rw.Sole(product);
  if (!r || r->op() != "Reshape") return nullptr;
  const Shape &from = product->type().shape, &to = r->output()->type().shape;
  return !from.empty() && !to.empty() && from.back() == to.back() ? r : nullptr;
}

bool FuseOne(Rewriter& rw, Node* n) {
  const Type& out = n->output()->type();
  if (out.dtype != DataType::kFloat32 && out.dtype != DataType::kFloat64) return false;
  bool gemm = n->op() == "Gemm";
  Value* c = n->input(2);
  std::vector<double> cv;
  bool bias_ok = gemm ? !c || ChannelValues(c, out, 1, &cv) : n->input(1)->type().Rank() >= 2;
  FusedTail t = MatchTail(rw, n->output(), out.Rank() - 1, bias_ok);
  // Gemm [s*b, n] -> Reshape [b, s, n] -> Add residual (PyTorch's attention output): the tail
  // after the Reshape, its Sum reshaped to the product's shape, the fused result reshaped back.
  Node* reshape = nullptr;
  if (!t.last && (reshape = ColumnKeepingReshape(rw, n->output()))) {
    Value* r = reshape->output();
    t = MatchTail(rw, r, r->type().Rank() - 1, bias_ok);
    if (t.sum)
      t.sum =
          rw.Add("Reshape", t.sum->name() + "_rows", {t.sum}, ReshapeAttrs(out.shape))->output();
  }
  if (!t.last) return false;
  auto attrs = n->attrs();
  if (!t.bias.empty()) {
    if (gemm && c) {
      double beta = n->GetFloat("beta");
      for (size_t j = 0; j < t.bias.size(); ++j) t.bias[j] += beta * cv[j];
    }
    if (gemm) attrs["beta"] = 1.0;
    c = rw.AddConst(n->name() + "_bias", FloatTensor(out.dtype, {out.shape.back()}, t.bias));
  }
  Node* f;
  if (gemm && !t.sum && t.act.empty()) {
    f = rw.Add("Gemm", n->name(), {n->input(0), n->input(1), c}, attrs);
  } else {
    SetActivation(t, &attrs);
    const char* op = gemm ? "FusedGemm" : "FusedMatMul";
    f = rw.Add(op, n->name(), {n->input(0), n->input(1), c, t.sum}, AttrsFor(op, attrs));
  }
  Value* result = f->output();
  if (reshape)
    result =
        rw.Add("Reshape", reshape->name(), {result}, ReshapeAttrs(reshape->output()->type().shape))
            ->output();
  rw.Replace(t.last, result, true);
  return true;
}

}  // namespace

bool FuseGemm(Graph& g) {
  return RewriteEach(g, [](Rewriter& rw, Node* n) {
    if (n->op() == "Gemm" || n->op() == "MatMul") FuseOne(rw, n);
  });
}

}  // namespace halo
