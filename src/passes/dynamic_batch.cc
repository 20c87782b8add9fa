#include "passes/dynamic_batch.h"

#include <cstring>
#include <set>
#include <sstream>
#include <unordered_map>

#include "ir/op_registry.h"
#include "passes/passes.h"
#include "targets/lowering.h"

namespace halo {
namespace {

// Where a number the lowered code uses sits in the graph at batch size 1.
struct Slot {
  const Node* node;
  const Value* value;  // a dimension of this value's type, else an attribute
  int dim;
  std::string attr;
  size_t index;
  bool list;  // an ints attribute

  static Slot Dim(const Node* n, const Value* v, int d) { return {n, v, d, "", 0, false}; }
  static Slot Attr(const Node* n, const std::string& a, size_t i, bool list) {
    return {n, nullptr, 0, a, i, list};
  }
};

// "node 'NAME' (OP)".
std::string Label(const Node& n) {
  std::string l = NodeLabel(n);
  return l.substr(0, l.size() - 2);
}

// Whether two values of a lowered attribute that is not int or ints are the same.
bool SameAttr(const AttrValue& a, const AttrValue& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<double>(&a)) return *x == std::get<double>(b);
  if (const auto* x = std::get_if<std::string>(&a)) return *x == std::get<std::string>(b);
  if (const auto* x = std::get_if<std::vector<double>>(&a))
    return *x == std::get<std::vector<double>>(b);
  if (const auto* x = std::get_if<int64_t>(&a)) return *x == std::get<int64_t>(b);
  return false;  // tensors and string lists are never lowered
}

std::string Describe(const Slot& s) {
  std::ostringstream os;
  os << NodeLabel(*s.node);
  if (s.value)
    os << "dimension " << s.dim << " of '" << s.value->name() << "'";
  else
    os << "attribute '" << s.attr << "'" << (s.list ? "[" + std::to_string(s.index) + "]" : "");
  return os.str();
}

// Compares the graph `b` built at batch size `batch` with `a` (at batch size 1), node by
// node, and appends the numbers the lowered code uses: their slots in `a` and their values
// in `a` and in `b`. Throws Error at the first other difference.
class Comparer {
 public:
  Comparer(const Graph& a, const Graph& b, int64_t batch) : a_(a), b_(b), batch_(batch) {
    for (size_t i = 0; i < a.nodes().size(); ++i) index_a_[a.nodes()[i].get()] = i;
    for (size_t i = 0; i < b.nodes().size(); ++i) index_b_[b.nodes()[i].get()] = i;
  }

  void Run(std::vector<Slot>& slots, std::vector<int64_t>& in_a, std::vector<int64_t>& in_b) {
    slots_ = &slots, in_a_ = &in_a, in_b_ = &in_b;
    std::set<const Value*> runtime = RuntimeValues(a_);
    const auto &na = a_.nodes(), &nb = b_.nodes();
    for (size_t i = 0; i < na.size(); ++i) {
      if (i >= nb.size())
        throw Differ(*na[i], "it is missing at batch size " + std::to_string(batch_));
      CompareNode(*na[i], *nb[i], runtime);
    }
    if (nb.size() > na.size())
      throw Err("--dynamic-batch: the model's graph depends on the batch size: at batch size ",
                batch_, " it has ", Label(*nb[na.size()]), ", which it lacks at batch size 1");
    if (!SameValues(a_.inputs(), b_.inputs()) || !SameValues(a_.outputs(), b_.outputs()))
      throw Err("--dynamic-batch: the graph's inputs or outputs differ at batch sizes 1 and ",
                batch_);
  }

 private:
  Error Differ(const Node& n, const std::string& what) const {
    return Err("--dynamic-batch: the model's graph depends on the batch size: ", NodeLabel(n), what,
               " (compared at batch sizes 1 and ", batch_, ")");
  }

  // Values are the same when their producers are at the same place.
  bool SameValue(const Value* x, const Value* y) const {
    if (!x || !y) return x == y;
    return x->index() == y->index() && index_a_.at(x->producer()) == index_b_.at(y->producer());
  }
  bool SameValues(const std::vector<Value*>& x, const std::vector<Value*>& y) const {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!SameValue(x[i], y[i])) return false;
    return true;
  }

  void Add(Slot s, int64_t a, int64_t b) {
    slots_->push_back(std::move(s));
    in_a_->push_back(a);
    in_b_->push_back(b);
  }

  void CompareNode(const Node& a, const Node& b, const std::set<const Value*>& runtime) {
    if (a.op() != b.op() || a.name() != b.name())
      throw Differ(a, "at batch size " + std::to_string(batch_) + " its place holds " + Label(b));
    if (a.num_inputs() != b.num_inputs() || a.num_outputs() != b.num_outputs())
      throw Differ(a, "its number of inputs or results changes");
    for (size_t i = 0; i < a.num_inputs(); ++i)
      if (!SameValue(a.input(i), b.input(i)))
        throw Differ(a, "its input " + std::to_string(i) + " comes from another node");
    for (size_t r = 0; r < a.num_outputs(); ++r)
      if (a.output(r)->name() != b.output(r)->name())
        throw Differ(a, "its result " + std::to_string(r) + " is named differently");
    if (a.op() == "Constant") {
      if (runtime.count(a.output())) CompareConstant(a, b);
      return;
    }
    for (size_t r = 0; r < a.num_outputs(); ++r) {
      const Type &ta = a.output(r)->type(), &tb = b.output(r)->type();
      if (ta.dtype != tb.dtype || ta.Rank() != tb.Rank())
        throw Differ(a, "the type of '" + a.output(r)->name() + "' is " + ta.ToString() +
                            " at batch size 1 and " + tb.ToString() + " at batch size " +
                            std::to_string(batch_));
      for (int d = 0; d < ta.Rank(); ++d) {
        Add(Slot::Dim(&a, a.output(r), d), ta.shape[d], tb.shape[d]);
      }
    }
    if (a.op() != "Input") CompareAttrs(a, b);
  }

  void CompareConstant(const Node& a, const Node& b) {
    const Tensor &ta = a.GetTensor("value"), &tb = b.GetTensor("value");
    if (ta.type() != tb.type() ||
        (ta.byte_size() && std::memcmp(ta.bytes(), tb.bytes(), ta.byte_size()) != 0))
      throw Differ(a, "the constant '" + a.output()->name() +
                          "' depends on the batch size (it is " + tb.type().ToString() +
                          " at batch size " + std::to_string(batch_) + ", " + ta.type().ToString() +
                          " at batch size 1)");
  }

  void CompareAttrs(const Node& a, const Node& b) {
    for (const AttrSpec& spec : a.def().attrs) {
      if (!spec.lowered) continue;  // compile-time only: its effect shows in types and attrs
      auto ia = a.attrs().find(spec.name), ib = b.attrs().find(spec.name);
      if ((ia == a.attrs().end()) != (ib == b.attrs().end()))
        throw Differ(a, "its attribute '" + spec.name + "' is set at one batch size only");
      if (ia == a.attrs().end()) continue;
      const auto* ints_a = std::get_if<std::vector<int64_t>>(&ia->second);
      const auto* ints_b = std::get_if<std::vector<int64_t>>(&ib->second);
      if (spec.kind == AttrKind::kInt) {
        Add(Slot::Attr(&a, spec.name, 0, false), std::get<int64_t>(ia->second),
            std::get<int64_t>(ib->second));
      } else if (spec.kind == AttrKind::kInts && ints_a && ints_b) {
        if (ints_a->size() != ints_b->size())
          throw Differ(a, "its attribute '" + spec.name + "' has " +
                              std::to_string(ints_a->size()) + " entries at batch size 1 and " +
                              std::to_string(ints_b->size()) + " at batch size " +
                              std::to_string(batch_));
        for (size_t i = 0; i < ints_a->size(); ++i) {
          Add(Slot::Attr(&a, spec.name, i, true), (*ints_a)[i], (*ints_b)[i]);
        }
      } else if (!SameAttr(ia->second, ib->second)) {
        throw Differ(a, "its attribute '" + spec.name + "' depends on the batch size");
      }
    }
  }

  const Graph &a_, &b_;
  int64_t batch_;
  std::unordered_map<const Node*, size_t> index_a_, index_b_;
  std::vector<Slot>* slots_ = nullptr;
  std::vector<int64_t>*in_a_ = nullptr, *in_b_ = nullptr;
};

}  // namespace

BatchGraph AnalyzeBatch(const std::function<std::unique_ptr<Graph>(int64_t batch)>& load) {
  constexpr int64_t p0 = kBatchProbes[0], p1 = kBatchProbes[1], p2 = kBatchProbes[2];
  static_assert(p0 == 1 && p1 - p0 == 1, "forms are fitted at batch sizes 1 and 2");
  BatchGraph r;
  r.graph = load(p0);
  std::vector<Slot> slots;
  std::vector<int64_t> v0, v1, v2;
  {
    auto g = load(p1);
    Comparer(*r.graph, *g, p1).Run(slots, v0, v1);
  }
  {
    auto g = load(p2);
    slots.clear(), v0.clear();
    Comparer(*r.graph, *g, p2).Run(slots, v0, v2);
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    BatchAffine f{v1[i] - v0[i], 0};
    f.offset = v0[i] - f.scale * p0;
    if (f.At(p2) != v2[i])
      throw Err("--dynamic-batch: ", Describe(slots[i]), " is ", v0[i], ", ", v1[i], " and ", v2[i],
                " at batch sizes ", p0, ", ", p1, " and ", p2, ": not of the form a * batch + b");
    if (f.scale == 0) continue;
    if (slots[i].value && f.scale < 0)
      throw Err("--dynamic-batch: ", Describe(slots[i]), " shrinks as the batch size grows (",
                v0[i], ", ", v1[i], " and ", v2[i], " at batch sizes ", p0, ", ", p1, " and ", p2,
                ")");
    if (slots[i].value)
      r.forms.dims[slots[i].value][slots[i].dim] = f;
    else
      r.forms.attrs[slots[i].node][slots[i].attr][slots[i].index] = f;
  }
  bool any = false;
  for (const Value* v : r.graph->inputs()) any = any || !r.forms.DimsOf(v).empty();
  if (!any)
    throw Err("--dynamic-batch: no input depends on the batch size (none has an unknown first ",
              "dimension that --input-shape leaves open)");
  return r;
}

}  // namespace halo
