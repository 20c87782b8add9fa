// split-products: a product by a constant matrix whose every use is a Slice of columns (the
// last axis), or a Split of them, becomes one product per part, with those columns of the
// weights and of the bias: a fused QKV projection that is cut into Q, K and V then computes
// them apart, and the copies of the Slices or the Split go. The products are MatMul and
// FusedMatMul, Gemm and FusedGemm (a C of one row or one value), without a Sum; an
// activation applies element by element, so each part keeps it. Each result element is the
// same dot product as before.
#include <cstring>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace halo {
namespace {

// The columns [*start, *start + *count) that Slice `s` keeps of its input, when it keeps every
// other dimension whole.
bool ColumnSlice(const Node& s, int64_t* start, int64_t* count) {
  const std::vector<int64_t>& starts = s.GetInts("starts");
  const std::vector<int64_t>& steps = s.GetInts("steps");
  const Shape& in = s.input(0)->type().shape;
  const Shape& out = s.output()->type().shape;
  const size_t rank = in.size();
  if (rank == 0 || starts.size() != rank || steps.size() != rank || out.size() != rank)
    return false;
  for (size_t d = 0; d + 1 < rank; ++d)
    if (starts[d] != 0 || steps[d] != 1 || out[d] != in[d]) return false;
  if (steps.back() != 1 || out.back() < 1) return false;
  *start = starts.back();
  *count = out.back();
  return *start >= 0 && *start + *count <= in.back();
}

// Columns [start, start + count) of a constant: of a [rows, N] matrix (rows of N elements),
// or rows [start, start + count) of it when `of_rows` ([N, K] stored: Gemm's transB).
Tensor Columns(const Tensor& t, int64_t start, int64_t count, bool of_rows) {
  const Shape& s = t.type().shape;
  const size_t es = t.byte_size() / std::max<int64_t>(1, NumElements(s));
  Shape shape = s;
  (of_rows ? shape.front() : shape.back()) = count;
  Tensor r(Type(t.type().dtype, shape));
  uint8_t* dst = r.mutable_bytes();
  if (of_rows || s.size() == 1) {  // one contiguous block
    const int64_t row = s.size() == 1 ? 1 : s.back();
    std::memcpy(dst, t.bytes() + start * row * es, count * row * es);
    return r;
  }
  const int64_t n = s.back(), rows = NumElements(s) / n;
  for (int64_t i = 0; i < rows; ++i)
    std::memcpy(dst + i * count * es, t.bytes() + (i * n + start) * es, count * es);
  return r;
}

// Whether product n can be split: constant 2-D weights, a bias of one value per column (or
// one value in all), no Sum.
bool Splittable(const Node& n) {
  const std::string& op = n.op();
  const Type& out = n.output()->type();
  if (out.dtype != DataType::kFloat32 && out.dtype != DataType::kFloat64) return false;
  if (out.Rank() < 1 || !ConstantOf(n.input(1)) || n.input(1)->type().Rank() != 2) return false;
  if (op == "MatMul") return true;
  if (!Absent(n, 3)) return false;
  const Value* c = Absent(n, 2) ? nullptr : n.input(2);
  if (c && !ConstantOf(c)) return false;
  if (op == "FusedMatMul") return !c || c->type().Rank() == 1;
  if (op != "Gemm" && op != "FusedGemm") return false;
  return !c || c->type().Rank() < 2 || c->type().shape[0] == 1;
}

// One part of a product's columns that a user takes: [start, start + count) as `result`.
struct Part {
  Value* result;
  int64_t start, count;
};

// The parts user u takes of y: a Slice of columns, or each result of a Split of the last
// axis (as PyTorch 2.9's exporter cuts a fused QKV projection); false for any other use.
bool PartsOf(Node* u, const Value* y, std::vector<Part>* parts) {
  if (u->input(0) != y) return false;
  if (u->op() == "Slice") {
    int64_t start = 0, count = 0;
    if (!ColumnSlice(*u, &start, &count)) return false;
    parts->push_back({u->output(), start, count});
    return true;
  }
  if (u->op() != "Split" || u->GetInt("axis") != y->type().Rank() - 1) return false;
  const std::vector<int64_t>& sizes = u->GetInts("split");
  int64_t start = 0;
  for (size_t i = 0; i < sizes.size(); start += sizes[i], ++i) {
    if (sizes[i] < 1) return false;
    parts->push_back({u->output(i), start, sizes[i]});
  }
  return true;
}

bool SplitOne(Rewriter& rw, Node* n) {
  Value* y = n->output();
  if (rw.IsOutput(y) || !Splittable(*n)) return false;
  std::vector<Part> parts;
  for (Node* u : rw.Users(y))
    if (!PartsOf(u, y, &parts)) return false;
  if (parts.size() < 2) return false;  // one Slice: nothing to save but a copy of one part
  const bool gemm = n->op() == "Gemm" || n->op() == "FusedGemm";
  const bool trans_b = gemm && n->GetInt("transB") != 0;
  const Tensor& w = *ConstantOf(n->input(1));
  const Value* c = Absent(*n, 2) ? nullptr : n->input(2);
  const bool slice_c = c && NumElements(c->type().shape) > 1;
  for (const Part& part : parts) {
    const std::string name = part.result->name();
    std::vector<Value*> ins = n->inputs();
    ins[1] = rw.AddConst(name + "_weights", Columns(w, part.start, part.count, trans_b));
    if (slice_c)
      ins[2] = rw.AddConst(name + "_bias", Columns(*ConstantOf(c), part.start, part.count, false));
    Node* product = rw.Add(n->op(), name, ins, n->attrs());
    rw.Replace(part.result, product->output(), true);
  }
  return true;
}

}  // namespace

bool SplitProducts(Graph& g) {
  return RewriteEach(g, [](Rewriter& rw, Node* n) { SplitOne(rw, n); });
}

}  // namespace halo
