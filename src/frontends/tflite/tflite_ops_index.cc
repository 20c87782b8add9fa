// Indexing and rearranging operators: SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (the blocks
// of dilated convolutions as TensorFlow converts them), REVERSE_V2, CUMSUM, ONE_HOT,
// EMBEDDING_LOOKUP, FILL, RANGE, ATAN2, DYNAMIC_UPDATE_SLICE (the KV cache writes of TFLite
// LLMs), SCATTER_ND, MATRIX_DIAG, MATRIX_SET_DIAG, the segment reductions, BUCKETIZE,
// REVERSE_SEQUENCE and BITWISE_XOR.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "frontends/block_space.h"
#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {
namespace {

using B = tflite::BuiltinOperator;

// SPACE_TO_BATCH_ND (input, block_shape, paddings) and BATCH_TO_SPACE_ND (input,
// block_shape, crops): the Pad, Reshape, Transpose, Reshape (and Slice) of
// frontends/block_space.h.
void BlockSpace(OpContext& c, bool to_batch) {
  const BlockSpacePlan plan = (to_batch ? SpaceToBatchPlan : BatchToSpacePlan)(
      c.InShape(0), ToInts(c.ConstIn(1, "block_shape")),
      ToInts(c.ConstIn(2, to_batch ? "paddings" : "crops")));
  if (!plan.error.empty()) c.Fail(plan.error);
  Value* x = c.In(0);
  if (!plan.pads.empty()) x = c.Add1("Pad", {x, c.Ints(plan.pads)});
  x = c.Reshape(c.Transpose(c.Reshape(x, plan.split), plan.perm), plan.merged);
  if (!plan.axes.empty())
    x = c.Add1("Slice", {x, c.Ints(plan.starts), c.Ints(plan.ends), c.Ints(plan.axes)});
  c.SetOut(0, x);
}

// REVERSE_V2: a Slice with step -1 on each listed axis.
void ReverseV2(OpContext& c) {
  const size_t r = c.InShape(0).size();
  std::vector<int64_t> axes, starts, ends, steps;
  for (int64_t a : ToInts(c.ConstIn(1, "axis"))) {
    axes.push_back(Axis(c, a, r));
    starts.push_back(-1);
    ends.push_back(std::numeric_limits<int64_t>::min());
    steps.push_back(-1);
  }
  if (axes.empty()) return c.SetOut(0, c.Add1("Identity", {c.In(0)}));
  c.SetOut(0,
           c.Add1("Slice", {c.In(0), c.Ints(starts), c.Ints(ends), c.Ints(axes), c.Ints(steps)}));
}

// CUMSUM (exclusive, reverse) along the constant axis input.
void Cumsum(OpContext& c) {
  const auto* o = c.OptOptions<tflite::CumsumOptions>();
  const std::vector<int64_t> a = ToInts(c.ConstIn(1, "axis"));
  if (a.size() != 1) c.Fail("the axis must be one value");
  Node* n = c.Add("CumSum", {c.In(0), c.Ints({Axis(c, a[0], c.InShape(0).size())})});
  n->set_attr("exclusive", int64_t{o && o->exclusive() ? 1 : 0});
  n->set_attr("reverse", int64_t{o && o->reverse() ? 1 : 0});
  c.SetOut(0, n->output());
}

// ONE_HOT (indices, depth, on_value, off_value; axis): indices outside [0, depth) give a row
// of off_value (ONNX's OneHot counts negative ones from the end: they are moved past it).
void OneHot(OpContext& c) {
  const auto* o = c.OptOptions<tflite::OneHotOptions>();
  const std::vector<int64_t> depth = ToInts(c.ConstIn(1, "depth"));
  if (depth.size() != 1 || depth[0] <= 0) c.Fail("depth must be one positive value");
  const DataType it = c.InType(0);
  Value* idx = c.In(0);
  idx = c.Add1("Where",
               {c.Add1("Less", {idx, c.Scalar(it, 0)}), c.Scalar(it, double(depth[0])), idx});
  Node* values = c.Add("Concat", {c.Reshape(c.In(3), {1}), c.Reshape(c.In(2), {1})});
  values->set_attr("axis", int64_t{0});
  Node* n = c.Add("OneHot", {idx, c.Ints(depth), values->output()});
  n->set_attr("axis", o ? int64_t{o->axis()} : int64_t{-1});
  c.SetOut(0, n->output());
}

// EMBEDDING_LOOKUP (ids, params): rows of params.
void EmbeddingLookup(OpContext& c) {
  Node* n = c.Add("Gather", {c.In(1), c.In(0)});
  n->set_attr("axis", int64_t{0});
  c.SetOut(0, n->output());
}

// FILL (dims, value): value broadcast to dims.
void Fill(OpContext& c) {
  c.SetOut(0, c.Add1("Expand", {c.Reshape(c.In(1), {}), c.Ints(ToInts(c.ConstIn(0, "dims")))}));
}

// RANGE (start, limit, delta).
void RangeOp(OpContext& c) {
  c.SetOut(
      0, c.Add1("Range", {c.Reshape(c.In(0), {}), c.Reshape(c.In(1), {}), c.Reshape(c.In(2), {})}));
}

// ATAN2 (y, x): atan(y / x) moved by pi into the left half-plane; +-pi/2 or 0 where x is 0.
void Atan2(OpContext& c) {
  const DataType t = c.InType(0);
  Value *y = c.In(0), *x = c.In(1), *zero = c.Scalar(t, 0);
  Value* base = c.Add1("Atan", {c.Add1("Div", {y, x})});
  Value* y_neg = c.Add1("Less", {y, zero});
  Value* shift = c.Add1("Where", {y_neg, c.Scalar(t, -M_PI), c.Scalar(t, M_PI)});
  Value* left = c.Add1("Add", {base, shift});
  Value* axis = c.Add1(
      "Where", {y_neg, c.Scalar(t, -M_PI / 2),
                c.Add1("Where", {c.Add1("Greater", {y, zero}), c.Scalar(t, M_PI / 2), zero})});
  Value* r = c.Add1("Where", {c.Add1("Less", {x, zero}), left, axis});
  c.SetOut(0, c.Add1("Where", {c.Add1("Greater", {x, zero}), base, r}));
}

// DYNAMIC_UPDATE_SLICE (operand, update, start_indices): update written into operand at
// the start indices, each clamped so that the update fits (as TFLite's kernel). Along each
// axis the update's rows are gathered to the operand's positions; a Where keeps operand
// outside the window.
void DynamicUpdateSlice(OpContext& c) {
  const Shape os = c.InShape(0), us = c.InShape(1);
  if (us.size() != os.size()) c.Fail("the update must have the operand's rank");
  Value* start = c.InAs(2, DataType::kInt64);
  Value *placed = c.In(1), *mask = nullptr;
  for (size_t k = 0; k < os.size(); ++k) {
    if (us[k] > os[k]) c.Fail("the update is larger than the operand on axis ", k);
    if (us[k] == os[k]) continue;  // the start clamps to 0
    Value* s = c.Add1("Slice", {start, c.Ints({int64_t(k)}), c.Ints({int64_t(k) + 1})});
    s = c.Add1("Min", {c.Add1("Max", {s, c.Ints({0})}), c.Ints({os[k] - us[k]})});
    std::vector<int64_t> steps(static_cast<size_t>(os[k]));
    for (int64_t j = 0; j < os[k]; ++j) steps[static_cast<size_t>(j)] = j;
    Value* j = c.Ints(steps);
    Value* from = c.Add1("Sub", {j, s});
    Value* idx = c.Add1("Min", {c.Add1("Max", {from, c.Ints({0})}), c.Ints({us[k] - 1})});
    Node* g = c.Add("Gather", {placed, idx});
    g->set_attr("axis", int64_t(k));
    placed = g->output();
    Value* in = c.Add1("And", {c.Add1("GreaterOrEqual", {from, c.Ints({0})}),
                               c.Add1("Less", {from, c.Ints({us[k]})})});
    std::vector<int64_t> along(os.size(), 1);
    along[k] = os[k];
    in = c.Reshape(in, along);
    mask = mask ? c.Add1("And", {mask, in}) : in;
  }
  c.SetOut(0, mask ? c.Add1("Where", {mask, placed, c.In(0)}) : c.Add1("Identity", {placed}));
}

// SCATTER_ND (indices, updates, shape): zeros of shape with the updates added at the
// indices (repeated indices sum, as TFLite's kernel).
void ScatterNd(OpContext& c) {
  const std::vector<int64_t> shape = ToInts(c.ConstIn(2, "shape"));
  Value* zeros = c.Const(Tensor(Type(c.InType(1), shape)));
  Value* idx = c.InAs(0, DataType::kInt64);
  Node* n = c.Add("ScatterND", {zeros, idx, c.In(1)});
  n->set_attr("reduction", std::string("add"));
  c.SetOut(0, n->output());
}

// SEGMENT_SUM and UNSORTED_SEGMENT_SUM / PROD / MAX / MIN (data, segment_ids[, num_segments]):
// row i of data (over segment_ids' axes) goes into row segment_ids[i] of the output, which
// starts at 0, 1, the lowest or the highest value; negative ids are dropped. A ScatterND
// with that reduction, the dropped rows sent to row 0 as the reduction's neutral value.
void SegmentReduce(OpContext& c, const std::string& reduction) {
  const DataType t = c.InType(0);
  if (!IsFloat(t) && t != DataType::kInt32) c.Fail("the data must be float or int32");
  const double lo = t == DataType::kInt32 ? std::numeric_limits<int32_t>::lowest()
                                          : -std::numeric_limits<float>::max();
  const double hi = t == DataType::kInt32 ? std::numeric_limits<int32_t>::max()
                                          : std::numeric_limits<float>::max();
  const double init = reduction == "add"   ? 0
                      : reduction == "mul" ? 1
                      : reduction == "max" ? lo
                                           : hi;
  const Shape ds = c.InShape(0), is = c.InShape(1), os = c.OutShape(0);
  if (is.size() > ds.size() || !std::equal(is.begin(), is.end(), ds.begin()))
    c.Fail("segment_ids ", ShapeToString(is), " must be a prefix of the data's shape");
  Value* ids = c.Cast(c.In(1), DataType::kInt64);
  Value* dropped = c.Add1("Less", {ids, c.Ints({0})});
  ids = c.Add1("Where", {dropped, c.Ints({0}), ids});
  std::vector<int64_t> along(ds.size(), 1);
  std::copy(is.begin(), is.end(), along.begin());
  Value* upd = c.Add1("Where", {c.Reshape(dropped, along), c.Scalar(t, init), c.In(0)});
  Value* start = c.Add1("Expand", {c.Scalar(t, init), c.Ints(os)});
  Value* idx = c.Add1("Unsqueeze", {ids, c.Ints({-1})});
  Node* n = c.Add("ScatterND", {start, idx, upd});
  n->set_attr("reduction", reduction);
  c.SetOut(0, n->output());
}

// BUCKETIZE (boundaries): the number of boundaries at or below each value (int32).
void Bucketize(OpContext& c) {
  const auto& o = c.Options<tflite::BucketizeOptions>();
  if (c.InType(0) != DataType::kFloat32) c.Fail("the input must be float32");
  std::vector<float> b;
  if (o.boundaries()) b.assign(o.boundaries()->begin(), o.boundaries()->end());
  if (!std::is_sorted(b.begin(), b.end())) c.Fail("the boundaries must be sorted");
  if (b.empty()) return c.SetOut(0, c.Const(Tensor(Type(DataType::kInt32, c.InShape(0)))));
  Tensor bt(Type(DataType::kFloat32, {static_cast<int64_t>(b.size())}));
  std::copy(b.begin(), b.end(), bt.mutable_data<float>());
  Value* x = c.Add1("Unsqueeze", {c.In(0), c.Ints({-1})});
  Value* at_or_below =
      c.Cast(c.Add1("GreaterOrEqual", {x, c.Const(std::move(bt))}), DataType::kInt32);
  Node* n = c.Add("ReduceSum", {at_or_below, c.Ints({-1})});
  n->set_attr("keepdims", int64_t{0});
  c.SetOut(0, n->output());
}

// REVERSE_SEQUENCE (input, seq_lengths; seq_dim, batch_dim): the first seq_lengths[b]
// elements along seq_dim reversed in each batch entry b (the IR op on axes 0 and 1, with
// the two moved there).
void ReverseSequence(OpContext& c) {
  const auto& o = c.Options<tflite::ReverseSequenceOptions>();
  const size_t r = c.InShape(0).size();
  const int64_t seq = Axis(c, o.seq_dim(), r), batch = Axis(c, o.batch_dim(), r);
  if (seq == batch) c.Fail("seq_dim and batch_dim must differ");
  std::vector<int64_t> perm = {batch, seq};
  for (int64_t i = 0; i < static_cast<int64_t>(r); ++i)
    if (i != seq && i != batch) perm.push_back(i);
  std::vector<int64_t> back(r);
  for (size_t i = 0; i < r; ++i) back[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  Value* lens = c.InAs(1, DataType::kInt64);
  Node* n = c.Add("ReverseSequence", {c.Transpose(c.In(0), perm), lens});
  n->set_attr("batch_axis", int64_t{0});
  n->set_attr("time_axis", int64_t{1});
  c.SetOut(0, c.Transpose(n->output(), back));
}

// The bool [m, n] constant that is true on the main diagonal.
Value* Eye(OpContext& c, int64_t m, int64_t n) {
  Tensor t(Type(DataType::kBool, {m, n}));
  for (int64_t i = 0; i < std::min(m, n); ++i) t.mutable_data<uint8_t>()[i * n + i] = 1;
  return c.Const(std::move(t));
}

// MATRIX_DIAG (diagonal [..., N]): [..., N, N] with the diagonal, zeros elsewhere.
void MatrixDiag(OpContext& c) {
  const int64_t n = c.InShape(0).back();
  Value* d = c.Add1("Unsqueeze", {c.In(0), c.Ints({-1})});
  c.SetOut(0, c.Add1("Where", {Eye(c, n, n), d, c.Scalar(c.InType(0), 0)}));
}

// MATRIX_SET_DIAG (input [..., M, N], diagonal [..., min(M, N)]): input with its main
// diagonal replaced.
void MatrixSetDiag(OpContext& c) {
  const Shape s = c.InShape(0);
  if (s.size() < 2) c.Fail("the input must have rank 2 or more");
  const int64_t m = s[s.size() - 2], n = s.back(), k = std::min(m, n);
  Value* d = c.Add1("Unsqueeze", {c.In(1), c.Ints({-1})});  // [..., K, 1]
  if (m > k) {
    std::vector<int64_t> pads(2 * (s.size()), 0);
    pads[s.size() + s.size() - 2] = m - k;
    d = c.Add1("Pad", {d, c.Ints(pads)});
  }
  c.SetOut(0, c.Add1("Where", {Eye(c, m, n), d, c.In(0)}));
}

}  // namespace

void RegisterIndexOps(OpTable& t) {
  auto reg = [&](B code, Handler h) { t.builtin[static_cast<int>(code)] = h; };
  reg(B::SPACE_TO_BATCH_ND, [](OpContext& c) { BlockSpace(c, true); });
  reg(B::BATCH_TO_SPACE_ND, [](OpContext& c) { BlockSpace(c, false); });
  reg(B::REVERSE_V2, ReverseV2);
  reg(B::CUMSUM, Cumsum);
  reg(B::ONE_HOT, OneHot);
  reg(B::EMBEDDING_LOOKUP, EmbeddingLookup);
  reg(B::FILL, Fill);
  reg(B::RANGE, RangeOp);
  reg(B::ATAN2, Atan2);
  reg(B::DYNAMIC_UPDATE_SLICE, DynamicUpdateSlice);
  reg(B::SCATTER_ND, ScatterNd);
  reg(B::MATRIX_DIAG, MatrixDiag);
  reg(B::MATRIX_SET_DIAG, MatrixSetDiag);
  reg(B::BUCKETIZE, Bucketize);
  reg(B::REVERSE_SEQUENCE, ReverseSequence);
  reg(B::BITWISE_XOR, [](OpContext& c) { c.SetOut(0, c.Add1("BitwiseXor", {c.In(0), c.In(1)})); });
  reg(B::SEGMENT_SUM, [](OpContext& c) { SegmentReduce(c, "add"); });
  reg(B::UNSORTED_SEGMENT_SUM, [](OpContext& c) { SegmentReduce(c, "add"); });
  reg(B::UNSORTED_SEGMENT_PROD, [](OpContext& c) { SegmentReduce(c, "mul"); });
  reg(B::UNSORTED_SEGMENT_MAX, [](OpContext& c) { SegmentReduce(c, "max"); });
  reg(B::UNSORTED_SEGMENT_MIN, [](OpContext& c) { SegmentReduce(c, "min"); });
}

}  // namespace halo::tflite_fe
