// Ops whose result shapes depend on the input values: NonZero, Unique, NonMaxSuppression.
// Their rules give each data-dependent dimension a static upper bound (Type::MarkDynamic);
// the kernel reports the actual extent at run time.
#include <algorithm>
#include <limits>

#include "ir/ops/tensor_rules.h"

namespace halo {
namespace {

void NonZeroRule(InferContext& c) {
  const Type& x = c.in(0);
  // A scalar counts as a one-element list, as in numpy.
  Type t(DataType::kInt64, {std::max(x.Rank(), 1), x.NumElements()});
  c.set_out(t.MarkDynamic(1));
}

void UniqueRule(InferContext& c) {
  Node* n = c.node();
  const Type& x = c.in(0);
  c.check(!IsHalfFloat(x.dtype), "X of type ", DataTypeName(x.dtype), " is not supported");
  int64_t axis = n->GetInt("axis");
  bool flat = axis == kNoAxis;
  if (!flat) {
    c.check(x.Rank() >= 1, "a scalar has no axis to take unique slices along");
    axis = NormalizeAxis(axis, x.Rank());
    n->set_attr("axis", axis);
  }
  int64_t len = flat ? x.NumElements() : x.shape[axis];
  Type y = flat ? Type(x.dtype, {len}) : Type(x.dtype, x.shape);
  y.MarkDynamic(flat ? 0 : static_cast<int>(axis));
  Type per_unique(DataType::kInt64, {len});
  per_unique.MarkDynamic(0);
  const Type results[] = {y, per_unique, Type(DataType::kInt64, {len}), per_unique};
  c.check(n->num_outputs() <= 4, "Unique has 4 results, not ", n->num_outputs());
  for (size_t i = 0; i < n->num_outputs(); ++i) c.set_out(i, results[i]);
}

double ScalarFloat(InferContext& c, const Tensor& t, const char* what) {
  c.check(t.type().NumElements() == 1, what, " must hold one value, got ", t.type().ToString());
  return t.GetDouble(0);
}

void NonMaxSuppressionRule(InferContext& c) {
  Node* n = c.node();
  const Type& boxes = c.in(0);
  const Type& scores = c.in(1);
  c.check(boxes.dtype == DataType::kFloat32 || boxes.dtype == DataType::kFloat64,
          "'boxes' must be f32 or f64, got ", boxes.ToString());
  c.check(boxes.Rank() == 3 && boxes.shape[2] == 4,
          "'boxes' must be [num_batches, spatial_dimension, 4], got ", boxes.ToString());
  c.check(scores.dtype == boxes.dtype && scores.Rank() == 3 && scores.shape[0] == boxes.shape[0] &&
              scores.shape[2] == boxes.shape[1],
          "'scores' must be [num_batches, num_classes, spatial_dimension] = [", boxes.shape[0],
          ", C, ", boxes.shape[1], "] of the type of 'boxes', got ", scores.ToString());
  if (c.has_input(2))
    n->set_attr("max_output_boxes_per_class",
                ScalarInt(c, c.require_const(2), "max_output_boxes_per_class"));
  if (c.has_input(3))
    n->set_attr("iou_threshold", ScalarFloat(c, c.require_const(3), "iou_threshold"));
  if (c.has_input(4))
    n->set_attr("score_threshold", ScalarFloat(c, c.require_const(4), "score_threshold"));
  int64_t cpb = n->GetInt("center_point_box");
  c.check(cpb == 0 || cpb == 1, "center_point_box must be 0 or 1, got ", cpb);
  int64_t max_out = std::max<int64_t>(n->GetInt("max_output_boxes_per_class"), 0);
  n->set_attr("max_output_boxes_per_class", max_out);
  int64_t bound = boxes.shape[0] * scores.shape[1] * std::min(max_out, boxes.shape[1]);
  Type t(DataType::kInt64, {bound, 3});
  c.set_out(t.MarkDynamic(0));
}

}  // namespace

void RegisterDataDependentOps(OpRegistry& r) {
  r.Add("NonZero")
      .Doc(
          "The indices of the non-zero elements of X, in row-major order, as an int64 matrix "
          "[rank, count] (a scalar counts as rank 1). count is data-dependent: the result "
          "type bounds it by the number of elements.")
      .In("X")
      .Out("Y")
      .Rule(NonZeroRule);
  r.Add("Unique")
      .Doc(
          "The unique slices of X along axis (or the unique elements of the flattened X): Y, "
          "the index of the first occurrence of each (indices), the position in Y of each "
          "slice of X (inverse_indices) and the number of occurrences of each (counts). The "
          "number of unique slices is data-dependent: the result types bound it by the number "
          "of slices. Slices compare lexicographically, NaN above every number and equal to "
          "NaN.")
      .In("X")
      .Int("axis", kNoAxis, "non-negative, or -2147483648 for the flattened input")
      .Int("sorted", 1, "1: Y in ascending order; 0: in the order of first occurrence")
      .Out("Y")
      .Out("indices")
      .Out("inverse_indices")
      .Out("counts")
      .Rule(UniqueRule);
  r.Add("NonMaxSuppression")
      .Doc(
          "Greedy non-maximum suppression for each batch and class: the boxes whose score "
          "exceeds score_threshold, by descending score (equal scores: lower index first), "
          "each kept unless its intersection over union with a kept box exceeds "
          "iou_threshold, at most max_output_boxes_per_class of them. The result lists them as "
          "int64 rows [batch, class, box] by batch, class and selection; the number of rows is "
          "data-dependent: the result type bounds it by num_batches * num_classes * "
          "min(max_output_boxes_per_class, spatial_dimension).")
      .In("boxes", "[num_batches, spatial_dimension, 4], f32 or f64")
      .In("scores", "[num_batches, num_classes, spatial_dimension]")
      .ConstIn("max_output_boxes_per_class", "one integer, moved into the attribute")
      .ConstIn("iou_threshold", "one float, moved into the attribute")
      .ConstIn("score_threshold", "one float, moved into the attribute")
      .Int("center_point_box", 0,
           "0: boxes are [y1, x1, y2, x2], any two opposite corners; 1: [x_center, y_center, "
           "width, height]")
      .Int("max_output_boxes_per_class", 0, "the most boxes kept per batch and class")
      .Float("iou_threshold", 0, "boxes overlapping a kept one by more are suppressed")
      .Float("score_threshold", -std::numeric_limits<double>::infinity(),
             "only boxes scoring above it are considered (-inf: all)")
      .Out("selected_indices")
      .Rule(NonMaxSuppressionRule);
}

}  // namespace halo
