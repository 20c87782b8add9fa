// Scan, unrolled: the sequence length is static (read from the scan inputs' shapes), so
// step t becomes a copy of the body that takes element t of each scan input and the state
// of step t - 1; the scan outputs of the steps are stacked.
#include <algorithm>

#include "frontends/onnx/onnx_subgraph.h"

namespace halo::onnx_fe {
namespace {

std::string Str(int64_t i) { return std::to_string(i); }

struct ScanAttrs {
  std::vector<int64_t> in_axes, in_dirs, out_axes, out_dirs;
};

// The scan of opset 9 on. Step t takes element t of each scan input along its axis (from
// the end for a reverse direction) with a Gather of index t, which drops that axis as
// Slice and Squeeze would. Returns the final states, then the scan outputs stacked along
// their axes (in reverse order for a reverse direction).
std::vector<Value*> UnrollScan(Importer& im, const PendingNode& p, const onnx::GraphProto& body,
                               std::vector<Value*> states, const std::vector<Value*>& xs,
                               const ScanAttrs& a, const std::string& tag, int64_t opset) {
  const size_t state_n = states.size();
  if (static_cast<size_t>(body.input_size()) != state_n + xs.size())
    im.Fail(p, "its body takes ", body.input_size(), " inputs for ", state_n, " states and ",
            xs.size(), " scan inputs");
  if (static_cast<size_t>(body.output_size()) < state_n)
    im.Fail(p, "its body gives ", body.output_size(), " outputs for ", state_n, " states");
  const size_t scan_n = body.output_size() - state_n;
  if (a.out_axes.size() != scan_n || a.out_dirs.size() != scan_n)
    im.Fail(p, "'scan_output_axes' and 'scan_output_directions' need ", scan_n, " entries");
  int64_t len = -1;
  std::vector<int64_t> axes;
  std::vector<Type> elem_types;  // of one element of each scan input
  for (size_t j = 0; j < xs.size(); ++j) {
    std::string what = "scan input " + Str(static_cast<int64_t>(j));
    if (!xs[j]) im.Fail(p, what, " is missing");
    const Type t = StaticType(im, p, xs[j], what);
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
    std::vector<OnnxValue> ins;
    for (Value* s : states) ins.push_back(OnnxValue::OfTensor(s));
    for (size_t j = 0; j < xs.size(); ++j) {
      std::string name = p.name + "/" + step + "/" + body.input(state_n + j).name();
      Value* index = Int64Scalar(im, name + "_index", a.in_dirs[j] ? len - 1 - t : t);
      Value* x = AddOp(im, p, "Gather", name, {xs[j], index}, {{"axis", axes[j]}});
      ins.push_back(OnnxValue::OfTensor(x));
    }
    std::vector<OnnxValue> outs = InlineSubgraph(im, p, body, ins, step, opset);
    for (size_t i = 0; i < outs.size(); ++i) {
      Value* v = TensorOf(im, p, outs[i], "output '" + body.output(i).name() + "' of the body");
      if (i < state_n)
        states[i] = v;
      else
        scans[i - state_n].push_back(v);
    }
  }

  std::vector<Value*> results = states;
  std::vector<Type> empty;
  if (len == 0 && scan_n) {
    std::vector<OnnxValue> ins;
    for (Value* s : states) ins.push_back(OnnxValue::OfTensor(s));
    for (const Type& t : elem_types)
      ins.push_back(OnnxValue::OfTensor(Const(im, p.name + "/placeholder", Tensor(t))));
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

// The scan of opset 8: every input has a batch axis 0 (the scan inputs' sequence axis is
// 1) and the body sees one batch entry; each entry is scanned on its own (Gather of the
// entry) and the results stacked along the batch axis.
std::vector<Value*> UnrollScan8(Importer& im, PendingNode& p, const onnx::GraphProto& body,
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
    const Type t = StaticType(im, p, ins[j], what);
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
    const Tensor& t = im.ConstantInput(p, lens, "'sequence_lens'");
    for (int64_t v : t.ToInts())
      if (v != len)
        im.Fail(p, "'sequence_lens' holds ", v, "; HALO supports only the full length ", len);
  }
  const size_t scan_out_n = std::max<int>(body.output_size() - static_cast<int>(state_n), 0);
  ScanAttrs a{std::vector<int64_t>(scan_in_n, 0), dirs, std::vector<int64_t>(scan_out_n, 0),
              std::vector<int64_t>(scan_out_n, 0)};
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
    for (const auto& entry : per_batch) parts.push_back(entry[r]);
    results.push_back(
        Stack(im, p, parts, 0, p.name + "/" + body.output(static_cast<int>(r)).name()));
  }
  return results;
}

}  // namespace

void ImportScan(Importer& im, PendingNode& p, int64_t opset) {
  const onnx::GraphProto& body = GraphAttr(im, p, "body");
  const onnx::AttributeProto* n_attr = p.take_attr("num_scan_inputs");
  if (!n_attr || AttrType(*n_attr) != onnx::AttributeProto::INT || n_attr->i() < 1)
    im.Fail(p, "attribute 'num_scan_inputs' (a positive INT) is missing");
  const auto scan_in_n = static_cast<size_t>(n_attr->i());
  Importer::Mark start = im.MarkNodes();
  std::vector<Value*> results;
  if (opset < 9) {
    results = UnrollScan8(im, p, body, scan_in_n, opset);
  } else {
    if (p.inputs.size() < scan_in_n) im.Fail(p, "has fewer inputs than num_scan_inputs");
    const size_t state_n = p.inputs.size() - scan_in_n;
    const size_t scan_out_n = std::max<int>(body.output_size() - static_cast<int>(state_n), 0);
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
  std::vector<OnnxValue> values;
  for (Value* v : results) values.push_back(OnnxValue::OfTensor(v));
  BindResults(im, p, values, start);
}

}  // namespace halo::onnx_fe
