// cse: a node with the op, inputs and attributes of an earlier one computes the same
// results (no op of the IR is random), so its results are replaced by the earlier node's.
// Constants of equal type and bytes are merged likewise.
#include <cstring>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace halo {
namespace {

size_t HashBytes(const Tensor& t) {
  return std::hash<std::string_view>()(
      std::string_view(reinterpret_cast<const char*>(t.bytes()), t.byte_size()));
}

bool SameTensor(const Tensor& a, const Tensor& b) {
  return a.type() == b.type() && a.byte_size() == b.byte_size() &&
         (a.byte_size() == 0 || std::memcmp(a.bytes(), b.bytes(), a.byte_size()) == 0);
}

bool SameAttr(const AttrValue& a, const AttrValue& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, Tensor>)
          return SameTensor(x, y);
        else if constexpr (std::is_same_v<T, double>)  // bitwise: a NaN matches itself
          return std::memcmp(&x, &y, sizeof(double)) == 0;
        else
          return x == y;
      },
      a);
}

bool SameNode(const Node& a, const Node& b) {
  if (a.op() != b.op() || a.inputs() != b.inputs() || a.num_outputs() != b.num_outputs() ||
      a.attrs().size() != b.attrs().size())
    return false;
  for (size_t i = 0; i < a.num_outputs(); ++i)
    if (a.output(i)->type() != b.output(i)->type()) return false;
  auto ia = a.attrs().begin(), ib = b.attrs().begin();
  for (; ia != a.attrs().end(); ++ia, ++ib)
    if (ia->first != ib->first || !SameAttr(ia->second, ib->second)) return false;
  return true;
}

// A hash key: equal nodes have equal keys.
std::string Key(const Node& n) {
  std::ostringstream os;
  os << n.op() << '/' << n.num_outputs();
  if (n.op() == "Constant") {
    const Tensor& t = n.GetTensor("value");
    os << '/' << t.type().ToString() << '/' << HashBytes(t);
    return os.str();
  }
  for (const Value* v : n.inputs()) os << '/' << v;
  for (const auto& [k, v] : n.attrs()) os << '/' << k << ':' << v.index();
  return os.str();
}

}  // namespace

bool EliminateCommonSubexpressions(Graph& g) {
  g.TopoSort();
  Rewriter rw(g);
  std::unordered_map<std::string, std::vector<Node*>> seen;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node* n = g.nodes()[i].get();
    if (n->op() == "Input" || !rw.Live(n)) continue;
    std::vector<Node*>& same = seen[Key(*n)];
    Node* earlier = nullptr;
    for (Node* m : same)
      if (SameNode(*m, *n)) earlier = m;
    bool replaceable = earlier != nullptr;
    for (size_t r = 0; replaceable && r < n->num_outputs(); ++r)
      replaceable = rw.CanReplace(n->output(r), earlier->output(r));
    if (!replaceable) {
      same.push_back(n);
      continue;
    }
    for (size_t r = 0; r < n->num_outputs(); ++r) rw.Replace(n->output(r), earlier->output(r));
  }
  return rw.Finish();
}

}  // namespace halo
