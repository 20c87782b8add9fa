// split-wide-ops: ODLA passes a node's variadic inputs and its results in lists of at most
// kOdlaMaxValues (64) values. A wider node becomes nodes within that limit with the same
// results bit for bit: a Concat of partial Concats, a Split into groups of parts and then
// each group into its parts (PyTorch's stack and unbind over long sequences), and Sum, Max
// or Min as a chain, each node taking the previous one's result first (the order in which
// the runtimes fold the inputs). Sum of 16-bit floats (rounded once at the end by the
// runtimes), Mean and Einsum are left as they are: lowering then names the node and the
// limit.
#include "passes/passes.h"
#include "passes/rewrite.h"
#include "targets/lowering.h"

namespace halo {
namespace {

constexpr size_t kMax = kOdlaMaxValues;

// The name of a node the pass adds for n (the graph numbers repeats: n_part, n_part_1, ...).
std::string PartName(const Node& n) { return n.name() + "_part"; }

// A Concat of `ins` (any number) along n's axis: partial Concats of kMax values, then a
// Concat of those, as deep as needed.
Value* ConcatOf(Rewriter& rw, const Node& n, std::vector<Value*> ins) {
  while (ins.size() > kMax) {
    std::vector<Value*> joined;
    for (size_t i = 0; i < ins.size(); i += kMax) {
      std::vector<Value*> chunk(ins.begin() + i, ins.begin() + std::min(ins.size(), i + kMax));
      joined.push_back(
          chunk.size() == 1
              ? chunk[0]
              : rw.Add("Concat", PartName(n), chunk, {{"axis", n.GetInt("axis")}})->output());
    }
    ins = std::move(joined);
  }
  return rw.Add("Concat", n.name(), ins, {{"axis", n.GetInt("axis")}})->output();
}

// The parts of `x` along `axis` of the given sizes: a Split into at most kMax groups of
// consecutive parts (itself split so when the groups are more), then each group into its
// parts.
std::vector<Value*> SplitOf(Rewriter& rw, const Node& n, Value* x, int64_t axis,
                            const std::vector<int64_t>& sizes) {
  auto split = [&](Value* v, const std::vector<int64_t>& s) -> std::vector<Value*> {
    if (s.size() == 1) return {v};
    Node* p = rw.Add("Split", PartName(n), {v}, {{"axis", axis}, {"split", s}},
                     static_cast<int>(s.size()));
    std::vector<Value*> r;
    for (size_t i = 0; i < p->num_outputs(); ++i) r.push_back(p->output(i));
    return r;
  };
  if (sizes.size() <= kMax) return split(x, sizes);
  std::vector<std::vector<int64_t>> groups;
  std::vector<int64_t> group_sizes;
  for (size_t i = 0; i < sizes.size(); i += kMax) {
    groups.emplace_back(sizes.begin() + i, sizes.begin() + std::min(sizes.size(), i + kMax));
    int64_t total = 0;
    for (int64_t s : groups.back()) total += s;
    group_sizes.push_back(total);
  }
  std::vector<Value*> group_values = SplitOf(rw, n, x, axis, group_sizes);
  std::vector<Value*> r;
  for (size_t g = 0; g < groups.size(); ++g)
    for (Value* v : split(group_values[g], groups[g])) r.push_back(v);
  return r;
}

// Sum, Max or Min as a chain: the first kMax inputs, then the result and the next kMax - 1.
Value* ChainOf(Rewriter& rw, const Node& n) {
  const std::vector<Value*>& ins = n.inputs();
  std::vector<Value*> chunk(ins.begin(), ins.begin() + kMax);
  for (size_t i = kMax;; i += kMax - 1) {
    const bool last = i >= ins.size();
    Value* r = rw.Add(n.op(), last ? n.name() : PartName(n), chunk)->output();
    if (last) return r;
    chunk.assign(1, r);
    chunk.insert(chunk.end(), ins.begin() + i, ins.begin() + std::min(ins.size(), i + kMax - 1));
  }
}

bool SplitOne(Rewriter& rw, Node* n) {
  const std::string& op = n->op();
  if (op == "Concat" && n->num_inputs() > kMax) {
    rw.Replace(n->output(), ConcatOf(rw, *n, n->inputs()), true);
    return true;
  }
  if (op == "Split" && n->num_outputs() > kMax) {
    std::vector<Value*> r = SplitOf(rw, *n, n->input(0), n->GetInt("axis"), n->GetInts("split"));
    for (size_t i = 0; i < r.size(); ++i) rw.Replace(n->output(i), r[i], true);
    return true;
  }
  const DataType t = n->output()->type().dtype;
  const bool rounds_once = op == "Sum" && (t == DataType::kFloat16 || t == DataType::kBFloat16);
  if ((op == "Sum" || op == "Max" || op == "Min") && n->num_inputs() > kMax && !rounds_once) {
    rw.Replace(n->output(), ChainOf(rw, *n), true);
    return true;
  }
  return false;
}

}  // namespace

bool SplitWideOps(Graph& g) {
  return RewriteEach(g, [](Rewriter& rw, Node* n) { SplitOne(rw, n); });
}

}  // namespace halo
