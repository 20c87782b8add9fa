// If, Loop and Scan. HALO's IR is static-shaped and has no control flow, so translating
// them means inlining their subgraphs (onnx_subgraph.cc): a branch chosen at compile time,
// or both branches and a Where selecting between their results; loops unrolled, iteration
// by iteration, with trip counts and conditions evaluated while importing.
#include <algorithm>
#include <optional>
#include <set>

#include "frontends/onnx/onnx_subgraph.h"

namespace halo::onnx_fe {
namespace {

// Unrolling stops here: a loop this long is better left to a runtime with control flow.
constexpr int64_t kMaxUnrolled = 10000;

std::string Str(int64_t i) { return std::to_string(i); }

Value* Const(Importer& im, const std::string& name, Tensor t) {
  return im.graph().AddConstant(im.NewTensorName(name), std::move(t));
}

Value* Int64Scalar(Importer& im, const std::string& name, int64_t v) {
  return Const(im, name, Tensor::FromInts({v}, DataType::kInt64, {}));
}

// One IR node of p's translation; returns its (first) result.
Value* AddOp(Importer& im, const PendingNode& p, const std::string& op, const std::string& name,
             const std::vector<Value*>& inputs, std::map<std::string, AttrValue> attrs = {}) {
  PendingNode q;
  q.onnx_op = p.onnx_op;
  q.op = op;
  q.name = im.NewNodeName(name);
  q.inputs = inputs;
  q.ir_attrs = std::move(attrs);
  q.outputs = {""};
  return im.Build(q)->output(0);
}

void RejectOtherAttrs(Importer& im, const PendingNode& p) {
  if (!p.attrs.empty())
    im.Fail(p, "attribute '", p.attrs[0]->name(), "' of ", p.onnx_op, " is not supported");
}

// An INTS attribute with one entry per `count` (all `dflt` when absent).
std::vector<int64_t> IntsAttr(Importer& im, PendingNode& p, const std::string& name, size_t count,
                              int64_t dflt) {
  const onnx::AttributeProto* a = p.take_attr(name);
  if (!a) return std::vector<int64_t>(count, dflt);
  if (AttrType(*a) != onnx::AttributeProto::INTS || static_cast<size_t>(a->ints_size()) != count)
    im.Fail(p, "attribute '", name, "' must be INTS with ", count, " entries");
  return {a->ints().begin(), a->ints().end()};
}

// The value of a one-element operand when it is known at compile time.
std::optional<int64_t> ConstScalar(Importer& im, const PendingNode& p, Value* v,
                                   const std::string& what) {
  const Tensor* t = im.ConstantValue(v);
  if (!t) return std::nullopt;
  if (t->type().NumElements() != 1)
    im.Fail(p, what, " must have one element, got ", t->type().ToString());
  return t->GetInt(0);
}

// The same for an operand that unrolling needs at compile time, recorded for input
// specialisation; fails with `why` when it depends on run-time data.
template <typename... Why>
int64_t NeededScalar(Importer& im, const PendingNode& p, Value* v, const std::string& what,
                     const Why&... why) {
  std::optional<int64_t> c = ConstScalar(im, p, v, what);
  if (!c) im.Fail(p, why...);
  im.NeedConstant(v);
  return *c;
}

const Type& KnownType(Importer& im, const PendingNode& p, Value* v, const std::string& what) {
  const Type& t = im.Evaluate(v).type;
  if (!t.known) im.Fail(p, "the type of ", what, " is not known");
  return t;
}

// Values stacked along a new axis (Unsqueeze each, then Concat): a scan output.
Value* Stack(Importer& im, const PendingNode& p, const std::vector<Value*>& parts, int64_t axis,
             const std::string& name) {
  Value* axes = Const(im, name + "_axes", Tensor::FromInts({axis}));
  std::vector<Value*> expanded;
  for (Value* v : parts) expanded.push_back(AddOp(im, p, "Unsqueeze", name, {v, axes}));
  if (expanded.size() == 1) return expanded[0];
  return AddOp(im, p, "Concat", name, expanded, {{"axis", axis}});
}

// The stack of no values of type t: a constant with a 0 dimension at `axis`.
Value* EmptyStack(Importer& im, const PendingNode& p, const Type& t, int64_t axis,
                  const std::string& name) {
  int64_t rank = t.Rank() + 1;
  if (axis < -rank || axis >= rank)
    im.Fail(p, "axis ", axis, " is out of range for stacking ", t.ToString());
  Shape shape = t.shape;
  shape.insert(shape.begin() + (axis < 0 ? axis + rank : axis), 0);
  return Const(im, name, Tensor(Type(t.dtype, shape)));
}

// The types of some outputs of a body: it is inlined once for them and removed again (a
// loop that runs no iteration still has scan outputs of a definite type).
std::vector<Type> BodyOutputTypes(Importer& im, const PendingNode& p, const onnx::GraphProto& body,
                                  const std::vector<Value*>& inputs, size_t first, int64_t opset) {
  Importer::Mark mark = im.MarkNodes();
  std::vector<Value*> outs = InlineSubgraph(im, p, body, inputs, "types", opset);
  std::vector<Type> types;
  for (size_t i = first; i < outs.size(); ++i)
    types.push_back(
        KnownType(im, p, outs[i],
                  "output '" + body.output(static_cast<int>(i)).name() + "' of the subgraph"));
  im.Rollback(mark);
  return types;
}

// Binds p's results. Values that the translation created take the result's name (so that a
// graph output keeps its ONNX name); others (an outer value passed through) keep theirs.
void BindResults(Importer& im, const PendingNode& p, const std::vector<Value*>& values,
                 const Importer::Mark& start) {
  std::set<const Node*> created;
  for (size_t i = start.nodes; i < im.graph().nodes().size(); ++i)
    created.insert(im.graph().nodes()[i].get());
  std::set<const Value*> renamed;
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    const std::string& o = p.outputs[i];
    if (o.empty()) continue;
    if (i >= values.size())
      im.Fail(p, "result ", i, " ('", o, "') is not computed by its subgraph (it gives ",
              values.size(), " results)");
    if (im.Find(o)) im.Fail(p, "tensor '", o, "' is defined twice");
    Value* v = values[i];
    if (created.count(v->producer()) && renamed.insert(v).second) v->set_name(im.ValueName(o));
    im.Bind(o, v);
  }
}

// ---- If ----

// Whether the branch not taken could be imported too with results of the same types as
// `taken`, so that a run-time condition could select between them. It is imported only to
// see, then removed.
bool SelectableAtRunTime(Importer& im, const PendingNode& p, const std::vector<Value*>& taken,
                         const onnx::GraphProto& other, const std::string& tag, int64_t opset) {
  Importer::Mark mark = im.MarkNodes();
  bool same = false;
  try {
    std::vector<Value*> results = InlineSubgraph(im, p, other, {}, tag, opset);
    same = results.size() == taken.size();
    for (size_t i = 0; same && i < results.size(); ++i) {
      const Type& a = im.Evaluate(taken[i]).type;
      same = a.known && a == im.Evaluate(results[i]).type;
    }
  } catch (const Error&) {
  }
  im.Rollback(mark);
  return same;
}

void ImportIf(Importer& im, PendingNode& p, int64_t opset) {
  const onnx::GraphProto& then_g = GraphAttr(im, p, "then_branch");
  const onnx::GraphProto& else_g = GraphAttr(im, p, "else_branch");
  RejectOtherAttrs(im, p);
  Value* cond = p.inputs.empty() ? nullptr : p.inputs[0];
  if (!cond || p.inputs.size() != 1) im.Fail(p, "takes exactly one input, the condition");
  Importer::Mark start = im.MarkNodes();
  std::vector<Value*> results;
  if (std::optional<int64_t> c = ConstScalar(im, p, cond, "the condition")) {
    // Known at compile time: only the branch taken is imported.
    bool then = *c != 0;
    results = InlineSubgraph(im, p, then ? then_g : else_g, {}, then ? "then" : "else", opset);
    // Input specialisation freezes the condition only where a run-time one cannot work.
    if (im.speculative &&
        !SelectableAtRunTime(im, p, results, then ? else_g : then_g, then ? "else" : "then", opset))
      im.NeedConstant(cond);
  } else {
    // Known at run time only: both branches are computed and Where selects each result.
    std::vector<Value*> then_r = InlineSubgraph(im, p, then_g, {}, "then", opset);
    std::vector<Value*> else_r = InlineSubgraph(im, p, else_g, {}, "else", opset);
    if (then_r.size() != else_r.size())
      im.Fail(p, "its branches give ", then_r.size(), " and ", else_r.size(), " results");
    if (KnownType(im, p, cond, "the condition").Rank() != 0)  // one element: a scalar
      cond = AddOp(im, p, "Reshape", p.name + "/condition",
                   {cond, Const(im, p.name + "/scalar", Tensor::FromInts({}, DataType::kInt64))});
    for (size_t i = 0; i < then_r.size(); ++i) {
      std::string what = "result " + Str(static_cast<int64_t>(i)) + " ('" +
                         (i < p.outputs.size() ? p.outputs[i] : "") + "')";
      const Type& a = KnownType(im, p, then_r[i], what + " of then_branch");
      const Type& b = KnownType(im, p, else_r[i], what + " of else_branch");
      if (a != b)
        im.Fail(p, "its condition depends on run-time data and its branches give ", what,
                " different types (", a.ToString(), " and ", b.ToString(), "); HALO selects ",
                "between branches at run time only when their results have the same type and ",
                "shape (the condition can be given at compile time with --const-input)");
      results.push_back(then_r[i] == else_r[i] ? then_r[i]
                                               : AddOp(im, p, "Where", p.name + "/select",
                                                       {cond, then_r[i], else_r[i]}));
    }
  }
  BindResults(im, p, results, start);
}

// ---- Loop ----

void ImportLoop(Importer& im, PendingNode& p, int64_t opset) {
  const onnx::GraphProto& body = GraphAttr(im, p, "body");
  RejectOtherAttrs(im, p);
  if (p.inputs.size() < 2) im.Fail(p, "takes inputs M and cond (either may be empty)");
  const size_t carried_n = p.inputs.size() - 2;
  if (static_cast<size_t>(body.output_size()) < 1 + carried_n)
    im.Fail(p, "its body gives ", body.output_size(), " outputs; it needs the condition and ",
            carried_n, " loop-carried values");
  const size_t scan_n = body.output_size() - 1 - carried_n;
  std::vector<Value*> carried(p.inputs.begin() + 2, p.inputs.end());
  for (size_t i = 0; i < carried_n; ++i)
    if (!carried[i]) im.Fail(p, "loop-carried input ", i, " is missing");
  Importer::Mark start = im.MarkNodes();

  // The trip count and the condition must be known at compile time.
  const char* const kRunTimeCond =
      "Loop's condition depends on run-time data; HALO needs a trip count known at compile time";
  std::optional<int64_t> trip;  // none: until the condition is false
  if (p.inputs[0])
    trip = NeededScalar(im, p, p.inputs[0], "the trip count M",
                        "the trip count M depends on run-time data; HALO unrolls loops and ",
                        "needs it known at compile time (it can be given with --const-input)");
  Value* cond = p.inputs[1];
  bool go = true;
  if (cond) {
    go = NeededScalar(im, p, cond, "the condition", kRunTimeCond) != 0;
  } else {
    cond = Const(im, p.name + "/cond", Tensor::Scalar(DataType::kBool, 1));
  }

  // Unrolled: iteration i is a copy of the body, given i, the condition and the values
  // the previous one computed.
  std::vector<std::vector<Value*>> scans(scan_n);
  int64_t i = 0;
  for (; go && (!trip || i < *trip); ++i) {
    if (i == kMaxUnrolled)
      im.Fail(p, "runs more than ", kMaxUnrolled, " iterations; HALO unrolls loops at compile ",
              "time and stops there");
    std::string tag = "iter" + Str(i);
    std::vector<Value*> ins = {Int64Scalar(im, p.name + "/" + tag + "/iteration_num", i), cond};
    ins.insert(ins.end(), carried.begin(), carried.end());
    std::vector<Value*> outs = InlineSubgraph(im, p, body, ins, tag, opset);
    cond = outs[0];
    std::copy(outs.begin() + 1, outs.begin() + 1 + static_cast<std::ptrdiff_t>(carried_n),
              carried.begin());
    for (size_t k = 0; k < scan_n; ++k) scans[k].push_back(outs[1 + carried_n + k]);
    if (trip && i + 1 >= *trip) continue;  // the last one: its condition is not needed
    // Whether to go on must be known now: the condition the body computed must fold.
    go = NeededScalar(im, p, cond, "the condition", kRunTimeCond) != 0;
  }

  // Results: the final loop-carried values, then each scan output stacked along a new
  // first axis.
  std::vector<Value*> results = carried;
  std::vector<Type> empty;
  if (i == 0 && scan_n) {
    std::vector<Value*> ins = {Int64Scalar(im, p.name + "/iteration_num", 0), cond};
    ins.insert(ins.end(), carried.begin(), carried.end());
    empty = BodyOutputTypes(im, p, body, ins, 1 + carried_n, opset);
  }
  for (size_t k = 0; k < scan_n; ++k) {
    std::string name = p.name + "/" + body.output(static_cast<int>(1 + carried_n + k)).name();
    results.push_back(i == 0 ? EmptyStack(im, p, empty[k], 0, name)
                             : Stack(im, p, scans[k], 0, name));
  }
  BindResults(im, p, results, start);
}

// ---- Scan ----

struct ScanAttrs {
  std::vector<int64_t> in_axes, in_dirs, out_axes, out_dirs;
};

// Scan of opset 9 on: the sequence length is static, read from the scan inputs' shapes;
// unrolled, step t takes element t of each scan input (counting from the end for reverse
// directions) and the state of step t - 1. Returns the final states, then the scan
// outputs stacked (in reverse order for reverse directions).
std::vector<Value*> UnrollScan(Importer& im, const PendingNode& p, const onnx::GraphProto& body,
                               std::vector<Value*> states, const std::vector<Value*>& xs,
                               const ScanAttrs& a, const std::string& tag, int64_t opset) {
  const size_t state_n = states.size();
  if (static_cast<size_t>(body.output_size()) < state_n)
    im.Fail(p, "its body gives ", body.output_size(), " outputs for ", state_n, " states");
  const size_t scan_n = body.output_size() - state_n;
  if (static_cast<size_t>(body.input_size()) != state_n + xs.size())
    im.Fail(p, "its body takes ", body.input_size(), " inputs for ", state_n, " states and ",
            xs.size(), " scan inputs");
  if (a.out_axes.size() != scan_n || a.out_dirs.size() != scan_n)
    im.Fail(p, "'scan_output_axes' and 'scan_output_directions' need ", scan_n, " entries");
  int64_t len = -1;
  std::vector<int64_t> axes;
  std::vector<Type> elem_types;  // of one element of each scan input
  for (size_t j = 0; j < xs.size(); ++j) {
    std::string what = "scan input " + Str(static_cast<int64_t>(j));
    if (!xs[j]) im.Fail(p, what, " is missing");
    const Type& t = KnownType(im, p, xs[j], what);
    int64_t axis = a.in_axes[j];
    if (axis < -t.Rank() || axis >= t.Rank())
      im.Fail(p, what, " (", t.ToString(), ") has no axis ", axis);
    if (axis < 0) axis += t.Rank();
    if (len >= 0 && t.shape[axis] != len)
      im.Fail(p, "the scan inputs have different lengths (", len, " and ", t.shape[axis], ")");
    len = t.shape[axis];
    axes.push_back(axis);
    Shape elem = t.shape;
    elem.erase(elem.begin() + axis);
    elem_types.emplace_back(t.dtype, elem);
  }
  if (len > kMaxUnrolled)
    im.Fail(p, "scans ", len, " steps; HALO unrolls scans at compile time up to ", kMaxUnrolled);

  std::vector<std::vector<Value*>> scans(scan_n);
  for (int64_t t = 0; t < len; ++t) {
    std::string step = tag + "iter" + Str(t);
    std::vector<Value*> ins = states;
    for (size_t j = 0; j < xs.size(); ++j) {
      std::string name = p.name + "/" + step + "/" + body.input(state_n + j).name();
      Value* index = Int64Scalar(im, name + "_index", a.in_dirs[j] ? len - 1 - t : t);
      ins.push_back(AddOp(im, p, "Gather", name, {xs[j], index}, {{"axis", axes[j]}}));
    }
    std::vector<Value*> outs = InlineSubgraph(im, p, body, ins, step, opset);
    std::copy(outs.begin(), outs.begin() + static_cast<std::ptrdiff_t>(state_n), states.begin());
    for (size_t k = 0; k < scan_n; ++k) scans[k].push_back(outs[state_n + k]);
  }

  std::vector<Value*> results = states;
  std::vector<Type> empty;
  if (len == 0 && scan_n) {
    std::vector<Value*> ins = states;
    for (size_t j = 0; j < xs.size(); ++j)
      ins.push_back(Const(im, p.name + "/placeholder", Tensor(elem_types[j])));
    empty = BodyOutputTypes(im, p, body, ins, state_n, opset);
  }
  for (size_t k = 0; k < scan_n; ++k) {
    std::string name = p.name + "/" + tag + body.output(static_cast<int>(state_n + k)).name();
    if (a.out_dirs[k]) std::reverse(scans[k].begin(), scans[k].end());
    results.push_back(len == 0 ? EmptyStack(im, p, empty[k], a.out_axes[k], name)
                               : Stack(im, p, scans[k], a.out_axes[k], name));
  }
  return results;
}

// Scan of opset 8: every input has a batch axis 0 (the scan inputs' sequence axis is 1) and
// the body sees one batch entry; each entry is scanned on its own and the results stacked.
std::vector<Value*> ImportScan8(Importer& im, PendingNode& p, const onnx::GraphProto& body,
                                size_t scan_in_n, int64_t opset) {
  std::vector<int64_t> dirs = IntsAttr(im, p, "directions", scan_in_n, 0);
  RejectOtherAttrs(im, p);
  if (p.inputs.size() < 1 + scan_in_n) im.Fail(p, "has fewer inputs than num_scan_inputs + 1");
  std::vector<Value*> ins(p.inputs.begin() + 1, p.inputs.end());
  const size_t state_n = ins.size() - scan_in_n;
  int64_t batch = -1, len = -1;
  for (size_t j = 0; j < ins.size(); ++j) {
    std::string what = "input " + Str(static_cast<int64_t>(j + 1));
    if (!ins[j]) im.Fail(p, what, " is missing");
    const Type& t = KnownType(im, p, ins[j], what);
    bool scanned = j >= state_n;
    if (t.Rank() < (scanned ? 2 : 1))
      im.Fail(p, what, " (", t.ToString(), ") lacks the batch", scanned ? " and sequence" : "",
              " axis");
    if (batch >= 0 && t.shape[0] != batch)
      im.Fail(p, "the inputs have different batch sizes (", batch, " and ", t.shape[0], ")");
    batch = t.shape[0];
    if (scanned) len = t.shape[1];
  }
  if (batch == 0) im.Fail(p, "the batch is empty");
  if (Value* lens = p.inputs[0]) {
    // Lengths shorter than the sequence would leave the outputs padded: not supported.
    const Tensor* t = im.ConstantValue(lens);
    if (!t) im.Fail(p, "'sequence_lens' must be known at compile time");
    im.NeedConstant(lens);
    for (int64_t v : t->ToInts())
      if (v != len)
        im.Fail(p, "'sequence_lens' holds ", v, "; HALO supports only the full length ", len);
  }
  ScanAttrs a{std::vector<int64_t>(scan_in_n, 0), dirs, {}, {}};
  size_t scan_out_n = std::max<int>(body.output_size() - static_cast<int>(state_n), 0);
  a.out_axes.assign(scan_out_n, 0);
  a.out_dirs.assign(scan_out_n, 0);
  std::vector<std::vector<Value*>> per_batch;
  for (int64_t b = 0; b < batch; ++b) {
    std::string tag = "batch" + Str(b);
    Value* index = Int64Scalar(im, p.name + "/" + tag + "/index", b);
    std::vector<Value*> entry;
    for (Value* v : ins)
      entry.push_back(
          AddOp(im, p, "Gather", p.name + "/" + tag + "/" + v->name(), {v, index}, {{"axis", 0}}));
    std::vector<Value*> xs(entry.begin() + static_cast<std::ptrdiff_t>(state_n), entry.end());
    entry.resize(state_n);
    per_batch.push_back(UnrollScan(im, p, body, entry, xs, a, tag + "/", opset));
  }
  std::vector<Value*> results;
  for (size_t r = 0; r < per_batch[0].size(); ++r) {
    std::vector<Value*> parts;
    for (const auto& pb : per_batch) parts.push_back(pb[r]);
    results.push_back(
        Stack(im, p, parts, 0, p.name + "/" + body.output(static_cast<int>(r)).name()));
  }
  return results;
}

void ImportScan(Importer& im, PendingNode& p, int64_t opset) {
  const onnx::GraphProto& body = GraphAttr(im, p, "body");
  const onnx::AttributeProto* n_attr = p.take_attr("num_scan_inputs");
  if (!n_attr || AttrType(*n_attr) != onnx::AttributeProto::INT || n_attr->i() < 1)
    im.Fail(p, "attribute 'num_scan_inputs' (a positive INT) is missing");
  const size_t scan_in_n = static_cast<size_t>(n_attr->i());
  Importer::Mark start = im.MarkNodes();
  std::vector<Value*> results;
  if (opset < 9) {
    results = ImportScan8(im, p, body, scan_in_n, opset);
  } else {
    if (p.inputs.size() < scan_in_n) im.Fail(p, "has fewer inputs than num_scan_inputs");
    const size_t state_n = p.inputs.size() - scan_in_n;
    size_t scan_out_n = std::max<int>(body.output_size() - static_cast<int>(state_n), 0);
    ScanAttrs a;
    a.in_axes = IntsAttr(im, p, "scan_input_axes", scan_in_n, 0);
    a.in_dirs = IntsAttr(im, p, "scan_input_directions", scan_in_n, 0);
    a.out_axes = IntsAttr(im, p, "scan_output_axes", scan_out_n, 0);
    a.out_dirs = IntsAttr(im, p, "scan_output_directions", scan_out_n, 0);
    RejectOtherAttrs(im, p);
    std::vector<Value*> states(p.inputs.begin(), p.inputs.begin() + state_n);
    for (size_t j = 0; j < state_n; ++j)
      if (!states[j]) im.Fail(p, "state input ", j, " is missing");
    std::vector<Value*> xs(p.inputs.begin() + state_n, p.inputs.end());
    results = UnrollScan(im, p, body, states, xs, a, "", opset);
  }
  BindResults(im, p, results, start);
}

}  // namespace

bool IsControlFlow(const std::string& op_type) {
  return op_type == "If" || op_type == "Loop" || op_type == "Scan";
}

void ImportControlFlow(Importer& im, PendingNode& p, int64_t opset) {
  if (p.onnx_op == "If")
    ImportIf(im, p, opset);
  else if (p.onnx_op == "Loop")
    ImportLoop(im, p, opset);
  else
    ImportScan(im, p, opset);
}

}  // namespace halo::onnx_fe
