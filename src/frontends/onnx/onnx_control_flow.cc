// If, Loop and SequenceMap (Scan: onnx_scan.cc). HALO's IR is static-shaped and has no
// control flow, so translating them means inlining their subgraphs (onnx_subgraph.cc): the
// branch taken when the condition is known at compile time, else both branches and a
// Where selecting each result; loops unrolled iteration by iteration, with trip counts and
// conditions evaluated while importing (Importer::Evaluate); SequenceMap's body once per
// element of the compile-time sequences.
#include "frontends/onnx/onnx_subgraph.h"
#include "frontends/onnx/onnx_tensor.h"

namespace halo::onnx_fe {
namespace {

using Kind = OnnxValue::Kind;

std::string Str(size_t i) { return std::to_string(i); }

// ---- If ----

// Whether two branch results have the same structure and tensor types (then a run-time
// condition can select between them).
bool Selectable(Importer& im, const PendingNode& p, const OnnxValue& a, const OnnxValue& b) {
  if (a.kind != b.kind) return false;
  auto same = [&](Value* x, Value* y) {
    return StaticType(im, p, x, "a result") == StaticType(im, p, y, "a result");
  };
  switch (a.kind) {
    case Kind::kTensor:
      return same(a.tensor, b.tensor);
    case Kind::kSequence:
      if (a.elements.size() != b.elements.size()) return false;
      for (size_t i = 0; i < a.elements.size(); ++i)
        if (!same(a.elements[i], b.elements[i])) return false;
      return true;
    case Kind::kOptional:
      return a.present == b.present && a.content == b.content &&
             (!a.present || Selectable(im, p, a.Contents(), b.Contents()));
  }
  return false;
}

// What a branch result is, for messages: "f32[2]", "a sequence of 2 tensors", ...
std::string Describe(Importer& im, const PendingNode& p, const OnnxValue& v) {
  if (v.kind != Kind::kTensor) return v.Describe();
  return StaticType(im, p, v.tensor, "a result").ToString();
}

// Whether the branch not taken could be imported too with results that a run-time
// condition could select from. It is imported to see; where it could, its nodes stay (this
// is the first import of input specialisation, whose graph only tells which inputs are
// needed): what they need at compile time is frozen for the final import, which computes
// both branches.
bool SelectableAtRunTime(Importer& im, const PendingNode& p, const std::vector<OnnxValue>& taken,
                         const onnx::GraphProto& other, const std::string& tag, int64_t opset) {
  Importer::Mark mark = im.MarkNodes();
  bool same = false;
  try {
    std::vector<OnnxValue> results = InlineSubgraph(im, p, other, {}, tag, opset);
    same = results.size() == taken.size();
    for (size_t i = 0; same && i < results.size(); ++i)
      same = Selectable(im, p, taken[i], results[i]);
  } catch (const Error&) {
  }
  if (!same) im.Rollback(mark);
  return same;
}

// The Where selecting between the branches' results (each tensor of a sequence or an
// optional on its own).
OnnxValue Select(Importer& im, const PendingNode& p, Value* cond, const OnnxValue& a,
                 const OnnxValue& b) {
  auto where = [&](Value* x, Value* y) {
    return x == y ? x : AddOp(im, p, "Where", p.name + "/select", {cond, x, y});
  };
  OnnxValue r = a;
  if (a.kind == Kind::kTensor) {
    r.tensor = where(a.tensor, b.tensor);
  } else if (a.kind == Kind::kSequence) {
    for (size_t i = 0; i < a.elements.size(); ++i)
      r.elements[i] = where(a.elements[i], b.elements[i]);
  } else if (a.present) {
    r = OnnxValue::OfOptional(Select(im, p, cond, a.Contents(), b.Contents()));
  }
  return r;
}

void ImportIf(Importer& im, const onnx::NodeProto& n, PendingNode& p, int64_t opset) {
  const onnx::GraphProto& then_g = GraphAttr(im, p, "then_branch");
  const onnx::GraphProto& else_g = GraphAttr(im, p, "else_branch");
  RejectOtherAttrs(im, p);
  if (n.input_size() != 1 || n.input(0).empty())
    im.Fail(p, "takes exactly one input, the condition");
  Value* cond = im.TensorInput(p, n.input(0));
  Importer::Mark start = im.MarkNodes();
  std::vector<OnnxValue> results;
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
    std::vector<OnnxValue> then_r = InlineSubgraph(im, p, then_g, {}, "then", opset);
    std::vector<OnnxValue> else_r = InlineSubgraph(im, p, else_g, {}, "else", opset);
    if (then_r.size() != else_r.size())
      im.Fail(p, "its branches give ", then_r.size(), " and ", else_r.size(), " results");
    if (StaticType(im, p, cond, "the condition").Rank() != 0)  // one element: a scalar
      cond = AddOp(im, p, "Reshape", p.name + "/condition",
                   {cond, Const(im, p.name + "/scalar", Tensor::FromInts({}, DataType::kInt64))});
    for (size_t i = 0; i < then_r.size(); ++i) {
      if (!Selectable(im, p, then_r[i], else_r[i]))
        im.Fail(p, "its condition depends on run-time data and its branches give result ", i, " ('",
                i < p.outputs.size() ? p.outputs[i] : "", "') as ", Describe(im, p, then_r[i]),
                " and ", Describe(im, p, else_r[i]),
                "; HALO selects between branches at run time only when their results have the ",
                "same type and shape (the condition can be given at compile time with ",
                "--const-input)");
      results.push_back(Select(im, p, cond, then_r[i], else_r[i]));
    }
  }
  BindResults(im, p, results, start);
}

// ---- Loop ----

constexpr const char* kRunTimeCondition =
    "Loop's condition depends on run-time data; HALO needs a trip count known at compile time";

// A trip count or condition that unrolling needs at compile time, recorded for input
// specialisation.
int64_t LoopScalar(Importer& im, const PendingNode& p, Value* v, const std::string& what) {
  std::optional<int64_t> c = ConstScalar(im, p, v, what);
  if (!c && what == "the condition") im.Fail(p, kRunTimeCondition);
  if (!c)
    im.Fail(p, what, " depends on run-time data; HALO unrolls loops and needs it known at ",
            "compile time (it can be given with --const-input)");
  im.NeedConstant(v);
  return *c;
}

void ImportLoop(Importer& im, const onnx::NodeProto& n, PendingNode& p, int64_t opset) {
  const onnx::GraphProto& body = GraphAttr(im, p, "body");
  RejectOtherAttrs(im, p);
  if (n.input_size() < 2) im.Fail(p, "takes inputs M and cond (either may be empty)");
  std::vector<OnnxValue> carried;
  for (int i = 2; i < n.input_size(); ++i) {
    if (n.input(i).empty()) im.Fail(p, "loop-carried input ", i - 2, " is missing");
    carried.push_back(im.AnyInput(p, n.input(i)));
  }
  const size_t carried_n = carried.size();
  if (static_cast<size_t>(body.output_size()) < 1 + carried_n)
    im.Fail(p, "its body gives ", body.output_size(), " outputs; it needs the condition and ",
            carried_n, " loop-carried values");
  const size_t scan_n = body.output_size() - 1 - carried_n;
  Importer::Mark start = im.MarkNodes();

  // The trip count and the condition must be known at compile time.
  std::optional<int64_t> trip;  // none: until the condition is false
  if (Value* m = im.TensorInput(p, n.input(0))) trip = LoopScalar(im, p, m, "the trip count M");
  Value* cond = im.TensorInput(p, n.input(1));
  bool go = true;
  if (cond)
    go = LoopScalar(im, p, cond, "the condition") != 0;
  else
    cond = Const(im, p.name + "/cond", Tensor::Scalar(DataType::kBool, 1));

  // Unrolled: iteration i is a copy of the body, given i, the condition and the values
  // the previous one computed.
  std::vector<std::vector<Value*>> scans(scan_n);
  int64_t i = 0;
  auto body_inputs = [&](const std::string& tag) {
    std::vector<OnnxValue> ins = {
        OnnxValue::OfTensor(Int64Scalar(im, p.name + "/" + tag + "/iteration_num", i)),
        OnnxValue::OfTensor(cond)};
    ins.insert(ins.end(), carried.begin(), carried.end());
    return ins;
  };
  for (; go && (!trip || i < *trip); ++i) {
    if (i == kMaxUnrolled)
      im.Fail(p, "runs more than ", kMaxUnrolled, " iterations; HALO unrolls loops at compile ",
              "time and stops there");
    std::string tag = "iter" + std::to_string(i);
    std::vector<OnnxValue> outs = InlineSubgraph(im, p, body, body_inputs(tag), tag, opset);
    cond = TensorOf(im, p, outs[0], "the condition its body gives");
    std::copy(outs.begin() + 1, outs.begin() + 1 + static_cast<std::ptrdiff_t>(carried_n),
              carried.begin());
    for (size_t k = 0; k < scan_n; ++k)
      scans[k].push_back(TensorOf(im, p, outs[1 + carried_n + k], "scan output " + Str(k)));
    if (trip && i + 1 >= *trip) continue;  // the last one: its condition is not needed
    // Whether to go on must be known now: the condition the body computed must fold.
    go = LoopScalar(im, p, cond, "the condition") != 0;
  }

  // Results: the final loop-carried values, then each scan output stacked along a new
  // first axis.
  std::vector<OnnxValue> results = carried;
  std::vector<Type> empty;
  if (i == 0 && scan_n)
    empty = BodyOutputTypes(im, p, body, body_inputs("types"), 1 + carried_n, opset);
  for (size_t k = 0; k < scan_n; ++k) {
    std::string name = p.name + "/" + body.output(static_cast<int>(1 + carried_n + k)).name();
    results.push_back(OnnxValue::OfTensor(i == 0 ? EmptyStack(im, p, empty[k], 0, name)
                                                 : Stack(im, p, scans[k], 0, name)));
  }
  BindResults(im, p, results, start);
}

// ---- SequenceMap ----

// The body runs once per element of the sequences (compile-time lists of tensors, all of
// the same length); each output collects one element per run.
void ImportSequenceMap(Importer& im, const onnx::NodeProto& n, PendingNode& p, int64_t opset) {
  const onnx::GraphProto& body = GraphAttr(im, p, "body");
  RejectOtherAttrs(im, p);
  std::vector<OnnxValue> ins;
  for (int i = 0; i < n.input_size(); ++i) {
    if (n.input(i).empty()) im.Fail(p, "input ", i, " is missing");
    ins.push_back(im.AnyInput(p, n.input(i)));
    const OnnxValue& v = ins.back();
    if (v.kind == Kind::kOptional || (i == 0 && v.kind != Kind::kSequence))
      im.Fail(p, "input '", n.input(i), "' is ", v.Describe(), "; SequenceMap takes ",
              i == 0 ? "a sequence" : "sequences and tensors", " there");
    if (v.kind == Kind::kSequence && v.elements.size() != ins[0].elements.size())
      im.Fail(p, "its sequences have different lengths (", ins[0].elements.size(), " and ",
              v.elements.size(), ")");
  }
  if (ins.empty()) im.Fail(p, "takes at least one input, a sequence");
  Importer::Mark start = im.MarkNodes();
  std::vector<std::vector<Value*>> outs(body.output_size());
  for (size_t e = 0; e < ins[0].elements.size(); ++e) {
    std::vector<OnnxValue> args;
    for (const OnnxValue& v : ins)
      args.push_back(v.kind == Kind::kSequence ? OnnxValue::OfTensor(v.elements[e]) : v);
    std::vector<OnnxValue> r = InlineSubgraph(im, p, body, args, "iter" + Str(e), opset);
    for (size_t k = 0; k < r.size(); ++k)
      outs[k].push_back(
          TensorOf(im, p, r[k], "output '" + body.output(k).name() + "' of the body"));
  }
  std::vector<OnnxValue> results;
  for (size_t k = 0; k < outs.size(); ++k) {
    // The element type: the one the body declares, else (where the declaration leaves it
    // open) the elements' when known.
    DataType dt =
        DataTypeFromOnnx(body.output(static_cast<int>(k)).type().tensor_type().elem_type());
    if (dt == DataType::kInvalid && !outs[k].empty() && outs[k][0]->type().known)
      dt = outs[k][0]->type().dtype;
    results.push_back(OnnxValue::OfSequence(outs[k], dt));
  }
  BindResults(im, p, results, start);
}

}  // namespace

bool ImportControlFlow(Importer& im, const onnx::NodeProto& n, PendingNode& p, int64_t opset) {
  const std::string& op = n.op_type();
  if (op == "If") {
    ImportIf(im, n, p, opset);
  } else if (op == "Loop") {
    ImportLoop(im, n, p, opset);
  } else if (op == "SequenceMap") {
    ImportSequenceMap(im, n, p, opset);
  } else if (op == "Scan") {
    for (const auto& in : n.input()) p.inputs.push_back(im.TensorInput(p, in));
    ImportScan(im, p, opset);
  } else {
    return false;
  }
  return true;
}

}  // namespace halo::onnx_fe
