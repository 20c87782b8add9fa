// Data-movement ops: reshaping, transposing, joining, splitting, slicing, padding, tiling.
#include <algorithm>
#include <limits>

#include "ir/ops/tensor_rules.h"

namespace halo {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

void ReshapeRule(InferContext& c) {
  const Type& in = c.in(0);
  std::vector<int64_t> target = IntsFromInputOrAttr(c, 1, "shape");
  bool allowzero = c.node()->GetInt("allowzero") != 0;
  Shape out(target.size());
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == -1) {
      c.check(infer < 0, "the shape ", ShapeToString(target), " has more than one -1");
      infer = static_cast<int>(i);
      continue;
    }
    if (d == 0 && !allowzero) {
      c.check(i < in.shape.size(), "shape entry ", i, " is 0 (copy) but the input has rank ",
              in.Rank());
      d = in.shape[i];
    }
    c.check(d >= 0, "the shape has a negative entry ", d);
    out[i] = d;
    known *= d;
  }
  if (infer >= 0) {
    c.check(known != 0, "cannot infer the -1 entry next to a zero dimension");
    c.check(in.NumElements() % known == 0, "cannot reshape ", in.ToString(), " to ",
            ShapeToString(target));
    out[infer] = in.NumElements() / known;
  }
  c.check(NumElements(out) == in.NumElements(), "cannot reshape ", in.ToString(), " to ",
          ShapeToString(out), " (", in.NumElements(), " vs ", NumElements(out), " elements)");
  c.set_out(Type(in.dtype, out));
}

void SqueezeRule(InferContext& c) {
  const Type& in = c.in(0);
  std::vector<int64_t> axes = IntsFromInputOrAttr(c, 1, "axes");
  if (axes.empty()) {
    for (int i = 0; i < in.Rank(); ++i)
      if (in.shape[i] == 1) axes.push_back(i);
  }
  axes = NormalizeAxes(axes, in.Rank());
  Shape out;
  for (int i = 0; i < in.Rank(); ++i) {
    bool drop = std::find(axes.begin(), axes.end(), i) != axes.end();
    c.check(!drop || in.shape[i] == 1, "cannot squeeze dimension ", i, " of ", in.ToString(),
            ": it is not 1");
    if (!drop) out.push_back(in.shape[i]);
  }
  std::sort(axes.begin(), axes.end());
  c.node()->set_attr("axes", axes);
  c.set_out(Type(in.dtype, out));
}

void UnsqueezeRule(InferContext& c) {
  const Type& in = c.in(0);
  std::vector<int64_t> axes = IntsFromInputOrAttr(c, 1, "axes");
  c.check(!axes.empty(), "'axes' is required");
  int64_t rank = in.Rank() + static_cast<int64_t>(axes.size());
  axes = NormalizeAxes(axes, rank);
  std::sort(axes.begin(), axes.end());
  Shape out;
  size_t k = 0;
  for (int64_t i = 0; i < rank; ++i) {
    if (std::binary_search(axes.begin(), axes.end(), i))
      out.push_back(1);
    else
      out.push_back(in.shape[k++]);
  }
  c.node()->set_attr("axes", axes);
  c.set_out(Type(in.dtype, out));
}

void TransposeRule(InferContext& c) {
  const Type& in = c.in(0);
  std::vector<int64_t> perm = c.node()->GetInts("perm");
  if (perm.empty())
    for (int i = in.Rank() - 1; i >= 0; --i) perm.push_back(i);
  c.check(static_cast<int>(perm.size()) == in.Rank(), "'perm' has ", perm.size(),
          " entries for an input of rank ", in.Rank());
  std::vector<bool> seen(perm.size());
  Shape out;
  for (int64_t p : perm) {
    c.check(p >= 0 && p < in.Rank() && !seen[p], "'perm' is not a permutation of 0..",
            in.Rank() - 1);
    seen[p] = true;
    out.push_back(in.shape[p]);
  }
  c.node()->set_attr("perm", perm);
  c.set_out(Type(in.dtype, out));
}

void ConcatRule(InferContext& c) {
  c.check(c.num_inputs() >= 1, "needs at least one input");
  const Type& first = c.in(0);
  c.check(first.Rank() >= 1, "cannot concatenate scalars");
  int64_t axis = NormalizeAxis(c.node()->GetInt("axis"), first.Rank());
  Shape out = first.shape;
  out[axis] = 0;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    const Type& t = c.in(i);
    c.check(t.dtype == first.dtype, "inputs have different element types: ", first.ToString(),
            " and ", t.ToString());
    c.check(t.Rank() == first.Rank(), "inputs have different ranks: ", first.ToString(), " and ",
            t.ToString());
    for (int d = 0; d < t.Rank(); ++d)
      c.check(d == axis || t.shape[d] == first.shape[d], "input ", i, " (", t.ToString(),
              ") does not match ", first.ToString(), " outside axis ", axis);
    out[axis] += t.shape[axis];
  }
  c.node()->set_attr("axis", axis);
  c.set_out(Type(first.dtype, out));
}

void SplitRule(InferContext& c) {
  const Type& in = c.in(0);
  c.check(in.Rank() >= 1, "cannot split a scalar");
  int64_t axis = NormalizeAxis(c.node()->GetInt("axis"), in.Rank());
  int64_t dim = in.shape[axis];
  int64_t n = static_cast<int64_t>(c.node()->num_outputs());
  c.check(n >= 1, "needs at least one result");
  std::vector<int64_t> split = IntsFromInputOrAttr(c, 1, "split");
  if (split.empty()) {
    int64_t parts = c.node()->GetInt("num_outputs");
    if (parts > 0) {  // opset 18: the last part may be smaller
      c.check(parts == n, "'num_outputs' is ", parts, " but the node has ", n, " results");
      int64_t size = (dim + n - 1) / n;
      for (int64_t i = 0; i < n; ++i)
        split.push_back(std::max<int64_t>(0, std::min(size, dim - i * size)));
    } else {
      c.check(dim % n == 0, "dimension ", axis, " of ", in.ToString(), " does not split into ", n,
              " equal parts");
      split.assign(n, dim / n);
    }
  }
  c.check(static_cast<int64_t>(split.size()) == n, "'split' has ", split.size(),
          " entries but the node has ", n, " results");
  int64_t total = 0;
  for (int64_t s : split) {
    c.check(s >= 0, "'split' has a negative entry ", s);
    total += s;
  }
  c.check(total == dim, "'split' sums to ", total, " but dimension ", axis, " is ", dim);
  c.node()->set_attr("axis", axis);
  c.node()->set_attr("split", split);
  for (int64_t i = 0; i < n; ++i) {
    Shape s = in.shape;
    s[axis] = split[i];
    c.set_out(i, Type(in.dtype, s));
  }
}

// Slice: inputs (opset 10+) or attributes (opset 1-9) give starts/ends/axes/steps. The rule
// canonicalises to one entry per dimension: `starts` clamped and non-negative, `steps`,
// `axes` = 0..rank-1, and `ends` as given (the result shape carries the lengths).
void SliceRule(InferContext& c) {
  const Type& in = c.in(0);
  Node* n = c.node();
  int64_t rank = in.Rank();
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.has_input(1) || c.has_input(2)) {
    starts = IntsFromInputOrAttr(c, 1, "starts");
    ends = IntsFromInputOrAttr(c, 2, "ends");
    if (c.has_input(3)) axes = IntsFromInputOrAttr(c, 3, "axes");
    if (c.has_input(4)) steps = IntsFromInputOrAttr(c, 4, "steps");
  } else {
    starts = n->GetInts("starts");
    ends = n->GetInts("ends");
    axes = n->GetInts("axes");
    steps = n->GetInts("steps");
  }
  c.check(starts.size() == ends.size(), "'starts' has ", starts.size(), " entries but 'ends' has ",
          ends.size());
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  c.check(axes.size() == starts.size() && steps.size() == starts.size(),
          "'starts', 'ends', 'axes' and 'steps' must have the same length");
  axes = NormalizeAxes(axes, rank);
  std::vector<int64_t> s(rank, 0), e(rank, kMaxInt), st(rank, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    s[axes[i]] = starts[i];
    e[axes[i]] = ends[i];
    st[axes[i]] = steps[i];
  }
  Shape out(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = in.shape[d], step = st[d];
    c.check(step != 0, "'steps' has a zero entry");
    int64_t b = s[d] < 0 ? s[d] + dim : s[d], end = e[d] < 0 ? e[d] + dim : e[d];
    if (dim == 0) {
      b = 0, end = 0;
    } else if (step > 0) {
      b = std::clamp<int64_t>(b, 0, dim), end = std::clamp<int64_t>(end, 0, dim);
    } else {
      b = std::clamp<int64_t>(b, 0, dim - 1), end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    int64_t span = step > 0 ? end - b : b - end;  // no overflow: both are in -1..dim
    uint64_t mag = step > 0 ? uint64_t(step) : uint64_t(0) - uint64_t(step);
    out[d] = span <= 0 ? 0 : 1 + static_cast<int64_t>(uint64_t(span - 1) / mag);
    s[d] = b;
  }
  std::vector<int64_t> all(rank);
  for (int64_t d = 0; d < rank; ++d) all[d] = d;
  n->set_attr("starts", s);
  n->set_attr("ends", e);
  n->set_attr("axes", all);
  n->set_attr("steps", st);
  c.set_out(Type(in.dtype, out));
}

void PadRule(InferContext& c) {
  const Type& in = c.in(0);
  int64_t rank = in.Rank();
  std::vector<int64_t> pads = IntsFromInputOrAttr(c, 1, "pads");
  c.check(static_cast<int64_t>(pads.size()) == 2 * rank, "'pads' has ", pads.size(),
          " entries; an input of rank ", rank, " needs ", 2 * rank);
  const std::string& mode = c.node()->GetString("mode");
  c.check(mode == "constant" || mode == "reflect" || mode == "edge", "unsupported mode '", mode,
          "' (constant, reflect or edge)");
  if (c.has_input(2)) {
    const Type& v = c.in(2);
    c.check(v.dtype == in.dtype && v.NumElements() == 1,
            "'constant_value' must be one element of the input's type, got ", v.ToString());
  }
  Shape out(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t b = pads[d], e = pads[d + rank];
    out[d] = in.shape[d] + b + e;
    c.check(out[d] >= 0, "pads ", b, " and ", e, " remove more than dimension ", d, " holds");
    if (mode == "constant" || (b <= 0 && e <= 0)) continue;
    int64_t kept = in.shape[d] + std::min<int64_t>(b, 0) + std::min<int64_t>(e, 0);
    c.check(kept >= 1, "mode '", mode, "' cannot pad dimension ", d, " with nothing left of it");
    if (mode == "reflect")
      c.check(b < kept && e < kept, "mode 'reflect' pads dimension ", d, " (", kept,
              " kept) by more than it can mirror");
  }
  c.node()->set_attr("pads", pads);
  c.set_out(Type(in.dtype, out));
}

void TileRule(InferContext& c) {
  const Type& in = c.in(0);
  std::vector<int64_t> rep = IntsFromInputOrAttr(c, 1, "repeats");
  c.check(static_cast<int>(rep.size()) == in.Rank(), "'repeats' has ", rep.size(),
          " entries for an input of rank ", in.Rank());
  Shape out = in.shape;
  for (size_t d = 0; d < rep.size(); ++d) {
    c.check(rep[d] >= 0, "'repeats' has a negative entry ", rep[d]);
    out[d] *= rep[d];
  }
  c.node()->set_attr("repeats", rep);
  c.set_out(Type(in.dtype, out));
}

void ExpandRule(InferContext& c) {
  const Type& in = c.in(0);
  c.check(c.has_input(1), "input 'shape' is missing");
  std::vector<int64_t> shape = IntsFromInputOrAttr(c, 1, "");
  for (int64_t d : shape) c.check(d >= 0, "'shape' has a negative entry ", d);
  c.set_out(Type(in.dtype, BroadcastShapes(in.shape, shape)));
}

void TriluRule(InferContext& c) {
  const Type& in = c.in(0);
  c.check(in.Rank() >= 2, "needs an input of rank 2 or more, got ", in.ToString());
  if (c.has_input(1)) c.node()->set_attr("k", ScalarInt(c, c.require_const(1), "'k'"));
  c.set_out(in);
}

void ReverseSequenceRule(InferContext& c) {
  const Type& in = c.in(0);
  const Type& lens = c.in(1);
  c.check(in.Rank() >= 2, "needs an input of rank 2 or more, got ", in.ToString());
  int64_t b = c.node()->GetInt("batch_axis"), t = c.node()->GetInt("time_axis");
  c.check((b == 0 && t == 1) || (b == 1 && t == 0),
          "'batch_axis' and 'time_axis' must be 0 and 1 in some order");
  c.check(lens.dtype == DataType::kInt64 && lens.shape == Shape{in.shape[b]},
          "'sequence_lens' must be i64[", in.shape[b], "], got ", lens.ToString());
  c.set_out(in);
}

// Compress keeps a number of slices that only a constant condition tells at compile time.
void CompressRule(InferContext& c) {
  const Type& in = c.in(0);
  const Tensor& cond = c.require_const(1);
  c.check(cond.type().dtype == DataType::kBool && cond.type().Rank() == 1,
          "'condition' must be a bool list, got ", cond.type().ToString());
  int64_t axis = c.node()->GetInt("axis");
  bool flat = axis == kNoAxis;
  if (!flat) axis = NormalizeAxis(axis, in.Rank());
  c.check(flat || axis < in.Rank(), "cannot compress a scalar along an axis");
  int64_t dim = flat ? in.NumElements() : in.shape[axis];
  int64_t len = cond.type().NumElements();
  c.check(len <= dim, "'condition' has ", len, " entries for ", dim, " slices");
  int64_t kept = 0;
  for (int64_t i = 0; i < len; ++i) kept += cond.GetInt(i) != 0;
  Shape out = flat ? Shape{kept} : in.shape;
  if (!flat) out[axis] = kept;
  c.node()->set_attr("axis", axis);
  c.set_out(Type(in.dtype, out));
}

}  // namespace

void RegisterTensorOps(OpRegistry& r) {
  r.Add("Reshape")
      .Doc("The input with a new shape (same elements in row-major order).")
      .In("data")
      .ConstIn("shape")
      .Meta("allowzero", AttrKind::kInt, int64_t{0}, "1: a 0 in 'shape' is a zero dimension")
      .Meta("shape", AttrKind::kInts, std::vector<int64_t>{}, "the shape (opset 1)")
      .Out("reshaped")
      .View()
      .Rule(ReshapeRule);
  r.Add("Squeeze")
      .Doc("The input without the given dimensions of size 1.")
      .In("data")
      .ConstIn("axes")
      .Meta("axes", AttrKind::kInts, std::vector<int64_t>{}, "dimensions to remove (opset < 13)")
      .Out("squeezed")
      .View()
      .Rule(SqueezeRule);
  r.Add("Unsqueeze")
      .Doc("The input with dimensions of size 1 inserted.")
      .In("data")
      .ConstIn("axes")
      .Meta("axes", AttrKind::kInts, std::vector<int64_t>{}, "result dimensions to insert")
      .Out("expanded")
      .View()
      .Rule(UnsqueezeRule);
  r.Add("Transpose")
      .Doc("Permutes the dimensions of the input.")
      .In("data")
      .Ints("perm", {}, "result dimension i is input dimension perm[i]")
      .Out("transposed")
      .Rule(TransposeRule);
  r.Add("Concat")
      .Doc("Joins the inputs along one axis.")
      .VarIn("inputs")
      .Int("axis", 0, "the axis to join along, non-negative")
      .Required()
      .Out("concat_result")
      .Rule(ConcatRule);
  r.Add("Split")
      .Doc(
          "Splits the input into consecutive parts along one axis; the result types give the "
          "part sizes.")
      .In("input")
      .ConstIn("split")
      .Int("axis", 0, "the axis to split, non-negative")
      .Meta("split", AttrKind::kInts, std::vector<int64_t>{}, "part sizes")
      .Meta("num_outputs", AttrKind::kInt, int64_t{0}, "number of equal parts (opset 18)")
      .VarOut("outputs")
      .Rule(SplitRule);
  r.Add("Slice")
      .Doc(
          "Takes every steps[d]-th element from starts[d] along each dimension d; the result "
          "type gives the lengths.")
      .In("data")
      .ConstIn("starts")
      .ConstIn("ends")
      .ConstIn("axes")
      .ConstIn("steps")
      .Ints("starts", {}, "one start per dimension, in range")
      .Meta("ends", AttrKind::kInts, std::vector<int64_t>{}, "ends (opset < 10)")
      .Meta("axes", AttrKind::kInts, std::vector<int64_t>{}, "axes (opset < 10)")
      .Ints("steps", {}, "one step per dimension, non-zero")
      .Out("output")
      .Rule(SliceRule);
  r.Add("Pad")
      .Doc("Pads (or crops, where negative) each dimension of the input.")
      .In("data")
      .ConstIn("pads")
      .OptIn("constant_value", "the padding value of mode constant (one element)")
      .Str("mode", "constant", "constant, reflect or edge")
      .Ints("pads", {}, "all begin pads, then all end pads")
      .Float("value", 0.0, "the padding value when 'constant_value' is NULL")
      .Out("output")
      .Rule(PadRule);
  r.Add("Tile")
      .Doc("Repeats the input repeats[d] times along each dimension d.")
      .In("input")
      .ConstIn("repeats")
      .Ints("repeats", {}, "repetitions per dimension")
      .Out("output")
      .Rule(TileRule);
  r.Add("Expand")
      .Doc("Broadcasts the input to the result shape.")
      .In("input")
      .ConstIn("shape")
      .Out("output")
      .Rule(ExpandRule);
  r.Add("Trilu")
      .Doc("Keeps the upper or lower triangle of the last two dimensions, zeroing the rest.")
      .In("input")
      .ConstIn("k")
      .Int("upper", 1, "1: keep j - i >= k; 0: keep j - i <= k")
      .Int("k", 0, "the diagonal offset")
      .Out("output")
      .Rule(TriluRule);
  r.Add("ReverseSequence")
      .Doc("Reverses the first sequence_lens[b] elements along the time axis of each batch b.")
      .In("input")
      .In("sequence_lens", "int64 lengths, one per batch entry")
      .Int("batch_axis", 1, "0 or 1")
      .Int("time_axis", 0, "1 or 0")
      .Out("Y")
      .Rule(ReverseSequenceRule);
  r.Add("Compress")
      .Doc(
          "Keeps the slices along an axis (or elements of the flattened input) whose condition "
          "is true.")
      .In("input")
      .In("condition", "bool list; the compiler requires a constant")
      .Int("axis", kNoAxis, "non-negative, or -2147483648 for the flattened input")
      .Out("output")
      .Rule(CompressRule);
}

}  // namespace halo
