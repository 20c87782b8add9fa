// Shape and data-movement operators: reshape, squeeze, concat, split, slice, pad,
// transpose, gather, cast, shape, tile, select.
#include <cstdint>
#include <limits>

#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {

int64_t Axis(OpContext& c, int64_t axis, size_t rank) {
  int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) c.Fail("axis ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + r : axis;
}

namespace {

using B = tflite::BuiltinOperator;

// The new shape: a constant input, a computed one (SHAPE, STRIDED_SLICE, PACK...: shape
// inference folds it), the options' new_shape, or the output's shape.
void ReshapeOp(OpContext& c) {
  std::vector<int64_t> shape;
  if (c.has_input(1) && !c.tensors().Constant(c.input_index(1))) {
    Value* s = c.InAs(1, DataType::kInt64);
    Node* n = c.Add("Reshape", {c.In(0), s});
    n->set_attr("allowzero", int64_t{1});
    c.SetOut(0, n->output());
    return;
  }
  if (c.has_input(1)) {
    shape = ToInts(c.ConstIn(1, "the new shape"));
  } else if (const auto* o = c.OptOptions<tflite::ReshapeOptions>(); o && o->new_shape()) {
    shape.assign(o->new_shape()->begin(), o->new_shape()->end());
  } else {
    shape = c.OutShape(0);
  }
  c.SetOut(0, c.Reshape(c.In(0), shape));
}

void Squeeze(OpContext& c) {
  const auto* o = c.OptOptions<tflite::SqueezeOptions>();
  std::vector<int64_t> axes;
  Shape s = c.InShape(0);
  if (o && o->squeeze_dims() && o->squeeze_dims()->size()) {
    for (int32_t a : *o->squeeze_dims()) axes.push_back(Axis(c, a, s.size()));
  } else {
    for (size_t d = 0; d < s.size(); ++d)
      if (s[d] == 1) axes.push_back(static_cast<int64_t>(d));
  }
  c.SetOut(0, c.Add1("Squeeze", {c.In(0), c.Ints(axes)}));
}

void ExpandDims(OpContext& c) {
  std::vector<int64_t> a = ToInts(c.ConstIn(1, "axis"));
  if (a.size() != 1) c.Fail("axis must have one element");
  int64_t axis = Axis(c, a[0], c.InShape(0).size() + 1);
  c.SetOut(0, c.Add1("Unsqueeze", {c.In(0), c.Ints({axis})}));
}

void Concatenation(OpContext& c) {
  const auto& o = c.Options<tflite::ConcatenationOptions>();
  std::vector<Value*> in;
  for (int i = 0; i < c.num_inputs(); ++i) in.push_back(c.In(i));
  Node* n = c.Add("Concat", in);
  n->set_attr("axis", Axis(c, o.axis(), c.InShape(0).size()));
  c.SetOut(0, c.Activation(n->output(), o.fused_activation_function()));
}

void Pack(OpContext& c) {
  const auto& o = c.Options<tflite::PackOptions>();
  int64_t axis = Axis(c, o.axis(), c.InShape(0).size() + 1);
  std::vector<Value*> in;
  for (int i = 0; i < c.num_inputs(); ++i)
    in.push_back(c.Add1("Unsqueeze", {c.In(i), c.Ints({axis})}));
  Node* n = c.Add("Concat", in);
  n->set_attr("axis", axis);
  c.SetOut(0, n->output());
}

// Split into `sizes` along axis (non-negative), then optionally squeeze the axis away.
void SplitInto(OpContext& c, Value* x, int64_t axis, const std::vector<int64_t>& sizes,
               bool squeeze) {
  if (static_cast<int>(sizes.size()) != c.num_outputs())
    c.Fail(sizes.size(), " parts but ", c.num_outputs(), " outputs");
  Node* n = c.Add("Split", {x, c.Ints(sizes)}, static_cast<int>(sizes.size()));
  n->set_attr("axis", axis);
  for (size_t i = 0; i < sizes.size(); ++i) {
    Value* v = n->output(i);
    if (squeeze) v = c.Add1("Squeeze", {v, c.Ints({axis})});
    c.SetOut(static_cast<int>(i), v);
  }
}

void Unpack(OpContext& c) {
  const auto& o = c.Options<tflite::UnpackOptions>();
  Shape s = c.InShape(0);
  int64_t axis = Axis(c, o.axis(), s.size());
  SplitInto(c, c.In(0), axis, std::vector<int64_t>(s[axis], 1), true);
}

void Split(OpContext& c) {  // inputs: axis, value
  std::vector<int64_t> a = ToInts(c.ConstIn(0, "axis"));
  Shape s = c.InShape(1);
  if (a.size() != 1) c.Fail("axis must have one element");
  int64_t axis = Axis(c, a[0], s.size());
  int64_t n = c.num_outputs();
  if (n <= 0 || s[axis] % n) c.Fail("dimension ", s[axis], " does not split into ", n, " parts");
  SplitInto(c, c.In(1), axis, std::vector<int64_t>(n, s[axis] / n), false);
}

void SplitV(OpContext& c) {  // inputs: value, size_splits, axis
  std::vector<int64_t> sizes = ToInts(c.ConstIn(1, "size_splits"));
  std::vector<int64_t> a = ToInts(c.ConstIn(2, "axis"));
  Shape s = c.InShape(0);
  if (a.size() != 1) c.Fail("axis must have one element");
  int64_t axis = Axis(c, a[0], s.size()), known = 0, unknown = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1) {
      if (unknown >= 0) c.Fail("size_splits has more than one -1");
      unknown = static_cast<int64_t>(i);
    } else {
      known += sizes[i];
    }
  }
  if (unknown >= 0) sizes[unknown] = s[axis] - known;
  SplitInto(c, c.In(0), axis, sizes, false);
}

Value* SliceNode(OpContext& c, Value* x, const std::vector<int64_t>& starts,
                 const std::vector<int64_t>& ends, const std::vector<int64_t>& steps) {
  std::vector<int64_t> axes(starts.size());
  for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int64_t>(i);
  return c.Add1("Slice", {x, c.Ints(starts), c.Ints(ends), c.Ints(axes), c.Ints(steps)});
}

void SliceOp(OpContext& c) {
  std::vector<int64_t> begin = ToInts(c.ConstIn(1, "begin"));
  std::vector<int64_t> size = ToInts(c.ConstIn(2, "size"));
  Shape s = c.InShape(0);
  if (begin.size() != s.size() || size.size() != s.size())
    c.Fail("begin and size need ", s.size(), " entries");
  std::vector<int64_t> ends(s.size());
  for (size_t i = 0; i < s.size(); ++i) ends[i] = size[i] < 0 ? s[i] : begin[i] + size[i];
  c.SetOut(0, SliceNode(c, c.In(0), begin, ends, std::vector<int64_t>(s.size(), 1)));
}

void StridedSlice(OpContext& c) {
  const auto& o = c.Options<tflite::StridedSliceOptions>();
  std::vector<int64_t> begin = ToInts(c.ConstIn(1, "begin"));
  std::vector<int64_t> end = ToInts(c.ConstIn(2, "end"));
  std::vector<int64_t> strides =
      c.has_input(3) ? ToInts(c.ConstIn(3, "strides")) : std::vector<int64_t>(begin.size(), 1);
  Shape s = c.InShape(0);
  if (o.ellipsis_mask() || o.new_axis_mask())
    c.Fail("ellipsis_mask and new_axis_mask are not supported");
  size_t n = begin.size();
  if (end.size() != n || strides.size() != n || n > s.size())
    c.Fail("begin, end and strides need the same length, at most the rank");
  const int64_t big = std::numeric_limits<int64_t>::max(),
                small = std::numeric_limits<int64_t>::min();
  std::vector<int64_t> starts(n), ends(n), squeeze;
  for (size_t i = 0; i < n; ++i) {
    if (strides[i] == 0) c.Fail("stride ", i, " is 0");
    bool fwd = strides[i] > 0;
    starts[i] = (o.begin_mask() >> i) & 1 ? (fwd ? 0 : big) : begin[i];
    ends[i] = (o.end_mask() >> i) & 1 ? (fwd ? big : small)
              : o.offset()            ? begin[i] + end[i]
                                      : end[i];
    if ((o.shrink_axis_mask() >> i) & 1) {
      int64_t b = begin[i] < 0 ? begin[i] + s[i] : begin[i];
      starts[i] = b;
      ends[i] = b + 1;
      strides[i] = 1;
      squeeze.push_back(static_cast<int64_t>(i));
    }
  }
  Value* y = SliceNode(c, c.In(0), starts, ends, strides);
  if (!squeeze.empty()) y = c.Add1("Squeeze", {y, c.Ints(squeeze)});
  c.SetOut(0, y);
}

std::vector<int64_t> OnnxPads(OpContext& c, int input) {
  std::vector<int64_t> p = ToInts(c.ConstIn(input, "paddings"));
  size_t r = c.InShape(0).size();
  if (p.size() != 2 * r) c.Fail("paddings must be [", r, ", 2]");
  std::vector<int64_t> pads(2 * r);
  for (size_t i = 0; i < r; ++i) pads[i] = p[2 * i], pads[r + i] = p[2 * i + 1];
  return pads;
}

void Pad(OpContext& c) {
  Node* n = c.Add("Pad", {c.In(0), c.Ints(OnnxPads(c, 1)), c.OptIn(2)});
  c.SetOut(0, n->output());
}

// REFLECT is the IR Pad's reflect mode; SYMMETRIC (the border repeats) gathers the mirrored
// rows of each padded axis and concatenates them around the input.
void MirrorPad(OpContext& c) {
  const auto& o = c.Options<tflite::MirrorPadOptions>();
  std::vector<int64_t> pads = OnnxPads(c, 1);
  if (o.mode() == tflite::MirrorPadMode::REFLECT) {
    Node* n = c.Add("Pad", {c.In(0), c.Ints(pads), nullptr});
    n->set_attr("mode", std::string("reflect"));
    c.SetOut(0, n->output());
    return;
  }
  Shape s = c.InShape(0);
  size_t r = s.size();
  Value* v = c.In(0);
  for (size_t d = 0; d < r; ++d) {
    int64_t before = pads[d], after = pads[r + d], n = s[d];
    if (before < 0 || after < 0 || before > n || after > n)
      c.Fail("symmetric padding of ", before, " and ", after, " does not fit dimension ", n);
    if (!before && !after) continue;
    std::vector<int64_t> head, tail;
    for (int64_t k = before - 1; k >= 0; --k) head.push_back(k);
    for (int64_t k = n - 1; k >= n - after; --k) tail.push_back(k);
    auto gather = [&](const std::vector<int64_t>& idx) {
      Node* g = c.Add("Gather", {v, c.Ints(idx)});
      g->set_attr("axis", static_cast<int64_t>(d));
      return g->output();
    };
    std::vector<Value*> parts;
    if (before) parts.push_back(gather(head));
    parts.push_back(v);
    if (after) parts.push_back(gather(tail));
    Node* cat = c.Add("Concat", parts);
    cat->set_attr("axis", static_cast<int64_t>(d));
    v = cat->output();
  }
  c.SetOut(0, v);
}

void TransposeOp(OpContext& c) { c.SetOut(0, c.Transpose(c.In(0), ToInts(c.ConstIn(1, "perm")))); }

void Gather(OpContext& c) {
  const auto* o = c.OptOptions<tflite::GatherOptions>();
  if (o && o->batch_dims() != 0) c.Fail("batch_dims ", o->batch_dims(), " is not supported");
  Node* n = c.Add("Gather", {c.In(0), c.In(1)});
  n->set_attr("axis", Axis(c, o ? o->axis() : 0, c.InShape(0).size()));
  c.SetOut(0, n->output());
}

void GatherNd(OpContext& c) {  // the IR op takes int64 indices
  Value* idx = c.InAs(1, DataType::kInt64);
  c.SetOut(0, c.Add1("GatherND", {c.In(0), idx}));
}

void CastOp(OpContext& c) { c.SetOut(0, c.Cast(c.In(0), c.OutType(0))); }

void ShapeOp(OpContext& c) {
  Value* s = c.Add1("Shape", {c.In(0)});
  c.SetOut(0, c.OutType(0) == DataType::kInt64 ? s : c.Cast(s, c.OutType(0)));
}

void Tile(OpContext& c) {
  c.SetOut(0, c.Add1("Tile", {c.In(0), c.Ints(ToInts(c.ConstIn(1, "multiples")))}));
}

void BroadcastTo(OpContext& c) {
  c.SetOut(0, c.Add1("Expand", {c.In(0), c.Ints(ToInts(c.ConstIn(1, "shape")))}));
}

// SELECT (v1): a rank-1 condition picks whole rows of higher-rank operands.
void Select(OpContext& c, bool v2) {
  Value* cond = c.In(0);
  Shape cs = c.InShape(0), xs = c.InShape(1);
  if (!v2 && cs.size() == 1 && xs.size() > 1) {
    std::vector<int64_t> shape(xs.size(), 1);
    shape[0] = cs[0];
    cond = c.Reshape(cond, shape);
  }
  c.SetOut(0, c.Add1("Where", {cond, c.In(1), c.In(2)}));
}

void ZerosLike(OpContext& c) { c.SetOut(0, c.Add1("Mul", {c.In(0), c.Scalar(c.InType(0), 0)})); }

}  // namespace

void RegisterTensorOps(OpTable& t) {
  auto reg = [&](B code, Handler h) { t.builtin[static_cast<int>(code)] = h; };
  reg(B::RESHAPE, ReshapeOp);
  reg(B::SQUEEZE, Squeeze);
  reg(B::EXPAND_DIMS, ExpandDims);
  reg(B::CONCATENATION, Concatenation);
  reg(B::PACK, Pack);
  reg(B::UNPACK, Unpack);
  reg(B::SPLIT, Split);
  reg(B::SPLIT_V, SplitV);
  reg(B::SLICE, SliceOp);
  reg(B::STRIDED_SLICE, StridedSlice);
  reg(B::PAD, Pad);
  reg(B::PADV2, Pad);
  reg(B::MIRROR_PAD, MirrorPad);
  reg(B::TRANSPOSE, TransposeOp);
  reg(B::GATHER, Gather);
  reg(B::GATHER_ND, GatherNd);
  reg(B::CAST, CastOp);
  reg(B::SHAPE, ShapeOp);
  reg(B::TILE, Tile);
  reg(B::BROADCAST_TO, BroadcastTo);
  reg(B::SELECT, [](OpContext& c) { Select(c, false); });
  reg(B::SELECT_V2, [](OpContext& c) { Select(c, true); });
  reg(B::ZEROS_LIKE, ZerosLike);
}

}  // namespace halo::tflite_fe
