// fold-batchnorm: y = s[c] * x + t[c] per output channel c, where x is the only use of a
// Conv, ConvTranspose, Gemm or MatMul result with constant weights, or of a FusedConv,
// FusedGemm or FusedMatMul with neither Sum nor activation, folds into new weights W * s and
// bias B * s + t (computed in double, rounded once). The affine ops are inference
// BatchNormalization (s = scale / sqrt(var + eps), t = B - mean * s), and Mul and Div by a
// per-channel constant (t = 0; s = 1 / c for Div, and a power of two gives the same bits:
// attention's query divided by sqrt(64)). A BatchNormalization that follows none of them
// stays: it is one pass over memory already, which Mul + Add would make two. The pipeline runs
// it before fusion and again after it, for the scales that follow a fused bias.
#include <cmath>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace halo {
namespace {

struct Affine {
  std::vector<double> s, t;  // t empty: zero
};

bool IsConv(const std::string& op) { return op == "Conv" || op == "FusedConv"; }
bool IsGemm(const std::string& op) { return op == "Gemm" || op == "FusedGemm"; }
bool IsMatMul(const std::string& op) { return op == "MatMul" || op == "FusedMatMul"; }

// The channel axis of a producer's result: 1 for convolutions, the last for products.
int ChannelAxis(const Node& p) {
  return IsConv(p.op()) || p.op() == "ConvTranspose" ? 1 : p.output()->type().Rank() - 1;
}

// Whether p's result may take an affine map into its weights: a fused op only with neither
// Sum nor activation.
bool Foldable(const Node& p) {
  const std::string& op = p.op();
  if (op == "Conv" || op == "ConvTranspose" || op == "Gemm" || op == "MatMul") return true;
  if (op != "FusedConv" && op != "FusedGemm" && op != "FusedMatMul") return false;
  return !p.input(3) && p.GetString("activation").empty();
}

bool IsFloatType(const Type& t) {
  return t.dtype == DataType::kFloat32 || t.dtype == DataType::kFloat64;
}

// The affine map of a BatchNormalization or Mul node over the result of `p`.
bool AffineOf(const Node& n, const Node& p, Affine* a) {
  const Type& out = p.output()->type();
  int axis = ChannelAxis(p);
  if (n.op() == "Mul") {
    const Value* c = n.input(0) == p.output() ? n.input(1) : n.input(0);
    return n.output()->type() == out && ChannelValues(c, out, axis, &a->s);
  }
  if (n.op() == "Div") {  // x / c: s = 1 / c where that is finite and not zero
    if (n.input(0) != p.output() || n.output()->type() != out ||
        !ChannelValues(n.input(1), out, axis, &a->s))
      return false;
    for (double& s : a->s) {
      s = 1.0 / s;
      if (!std::isfinite(s) || s == 0) return false;
    }
    return true;
  }
  if (axis != 1) return false;  // BatchNormalization's channels are dimension 1
  std::vector<double> v[4];     // scale, B, mean, var: [C] each
  for (int i = 0; i < 4; ++i) {
    const Tensor* t = ConstantOf(n.input(i + 1));
    if (!t) return false;
    v[i] = Doubles(*t);
  }
  // epsilon is a float attribute in ONNX, and travels to the runtime as one.
  double eps = static_cast<float>(n.GetFloat("epsilon"));
  a->s.resize(v[0].size());
  a->t.resize(v[0].size());
  for (size_t c = 0; c < v[0].size(); ++c) {
    a->s[c] = v[0][c] / std::sqrt(v[3][c] + eps);
    a->t[c] = v[1][c] - v[2][c] * a->s[c];
  }
  return true;
}

// Scales the weights W of p by s along its output channels; nullptr when p does not fit.
Value* ScaledWeights(Rewriter& rw, const Node& p, const std::vector<double>& s) {
  const std::string& op = p.op();
  Value* w = p.input(1);
  const Tensor* wt = ConstantOf(w);
  if (!wt || !IsFloatType(wt->type()) || wt->type().Rank() < 2) return nullptr;
  std::vector<double> v = Doubles(*wt);
  const Shape& ws = wt->type().shape;
  int64_t m = static_cast<int64_t>(s.size()), rows = ws[0];
  int64_t per_row = static_cast<int64_t>(v.size()) / rows;  // elements per W[i]
  if (IsConv(op)) {
    for (size_t i = 0; i < v.size(); ++i) v[i] *= s[i / per_row];
  } else if (op == "ConvTranspose") {  // W [C, M/group, k...]
    int64_t group = p.GetInt("group"), mg = m / group, cg = rows / group, ks = per_row / mg;
    for (size_t i = 0; i < v.size(); ++i) {
      int64_t c = static_cast<int64_t>(i) / per_row, j = static_cast<int64_t>(i) / ks % mg;
      v[i] *= s[c / cg * mg + j];
    }
  } else {
    if (wt->type().Rank() != 2) return nullptr;
    bool trans = IsGemm(op) && p.GetInt("transB") != 0;  // B [N, K] or [K, N]
    for (size_t i = 0; i < v.size(); ++i) v[i] *= s[trans ? i / per_row : i % per_row];
  }
  return rw.AddConst(w->name() + "_folded", FloatTensor(wt->type().dtype, ws, v));
}

// The bias of p scaled and shifted (b * s + t; b as a [M] vector), as a new constant; `beta`
// multiplies Gemm's C. *none: p has no bias and t is zero. False when p's bias does not fit.
bool NewBias(Rewriter& rw, const Node& p, const Affine& a, Value** bias) {
  const size_t bi = 2;
  const Type& out = p.output()->type();
  std::vector<double> b(a.s.size(), 0.0);
  *bias = nullptr;
  if (Value* old = p.input(bi)) {
    if (IsGemm(p.op())) {  // C broadcasts to [M, N]: it must vary along N only
      if (!ChannelValues(old, out, 1, &b)) return false;
      for (double& e : b) e *= p.GetFloat("beta");
    } else {  // a convolution's B [M], FusedMatMul's Bias [N]
      const Tensor* t = ConstantOf(old);
      if (!t || t->type().NumElements() != static_cast<int64_t>(a.s.size())) return false;
      b = Doubles(*t);
    }
  } else if (a.t.empty()) {
    return true;
  }
  for (size_t c = 0; c < b.size(); ++c) b[c] = b[c] * a.s[c] + (a.t.empty() ? 0.0 : a.t[c]);
  *bias = rw.AddConst(p.name() + "_bias", FloatTensor(out.dtype, {out.shape[ChannelAxis(p)]}, b));
  return true;
}

// Folds the affine node n into its producer p; returns the new node's result or nullptr.
Value* Fold(Rewriter& rw, const Node& n, const Node& p) {
  const std::string& op = p.op();
  if (IsMatMul(op) && p.input(1)->type().Rank() != 2) return nullptr;
  if (IsMatMul(op) && n.op() == "BatchNormalization" && p.input(0)->type().Rank() != 2)
    return nullptr;
  Affine a;
  if (!IsFloatType(p.output()->type()) || !ConstantOf(p.input(1)) || !AffineOf(n, p, &a))
    return nullptr;
  Value* bias = nullptr;
  if (op != "MatMul" && !NewBias(rw, p, a, &bias)) return nullptr;
  Value* w = ScaledWeights(rw, p, a.s);
  if (!w) return nullptr;
  std::vector<Value*> in = p.inputs();
  in[1] = w;
  if (op == "MatMul") {
    if (a.t.empty()) return rw.Add("MatMul", p.name(), in)->output();
    bias = rw.AddConst(p.name() + "_bias", FloatTensor(p.output()->type().dtype,
                                                       {static_cast<int64_t>(a.t.size())}, a.t));
    return rw.Add("Gemm", p.name(), {in[0], w, bias})->output();
  }
  in.resize(op == "Conv" || op == "ConvTranspose" || op == "Gemm" ? 3 : 4);
  in[2] = bias;
  auto attrs = p.attrs();
  if (IsGemm(op)) attrs["beta"] = 1.0;
  return rw.Add(op, p.name(), in, attrs)->output();
}

}  // namespace

bool FoldBatchNorm(Graph& g) {
  Rewriter rw(g);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node* n = g.nodes()[i].get();
    const std::string& aop = n->op();
    if ((aop != "BatchNormalization" && aop != "Mul" && aop != "Div") || !rw.Live(n)) continue;
    for (size_t k = 0; k < (aop == "Mul" ? 2u : 1u); ++k) {
      Value* x = n->input(k);
      if (!x->producer() || !Foldable(*x->producer()) || rw.Sole(x) != n ||
          (aop != "BatchNormalization" && n->input(0) == n->input(1)))
        continue;
      Value* y = Fold(rw, *n, *x->producer());
      if (!y) continue;
      rw.Replace(n->output(), y, true);
      break;
    }
  }
  return rw.Finish();
}

}  // namespace halo
