// Ops of detection networks: MaxRoiPool (ONNX) and DetectionOutput (Caffe SSD's box
// decoding and per-class non-maximum suppression, which ONNX has no single op for).
#include "ir/ops/rules.h"

namespace halo {
namespace {

void MaxRoiPoolRule(InferContext& c) {
  Node* n = c.node();
  const Type& x = c.in(0);
  const Type& rois = c.in(1);
  c.check(x.dtype == DataType::kFloat32, "X must be float32, got ", x.ToString());
  c.check(x.Rank() == 4, "X must be [N, C, H, W], got ", x.ToString());
  c.check(rois.dtype == x.dtype && rois.Rank() == 2 && rois.shape[1] == 5,
          "rois must be [num_rois, 5] (batch index, x1, y1, x2, y2), got ", rois.ToString());
  const auto& ps = n->GetInts("pooled_shape");
  c.check(ps.size() == 2 && ps[0] >= 1 && ps[1] >= 1, "pooled_shape must be 2 positive sizes");
  c.set_out(Type(x.dtype, {rois.shape[0], x.shape[1], ps[0], ps[1]}));
}

void DetectionOutputRule(InferContext& c) {
  Node* n = c.node();
  const Type& loc = c.in(0);
  const Type& conf = c.in(1);
  const Type& prior = c.in(2);
  int64_t classes = n->GetInt("num_classes");
  bool share = n->GetInt("share_location") != 0;
  c.check(classes >= 1, "num_classes must be positive, got ", classes);
  for (const Type* t : {&loc, &conf, &prior})
    c.check(t->dtype == DataType::kFloat32, "inputs must be float32, got ", t->ToString());
  c.check(
      prior.Rank() == 3 && prior.shape[0] == 1 && prior.shape[1] == 2 && prior.shape[2] % 4 == 0,
      "priors must be [1, 2, num_priors * 4], got ", prior.ToString());
  int64_t priors = prior.shape[2] / 4;
  c.check(loc.Rank() == 2 && loc.shape[1] == priors * 4 * (share ? 1 : classes), "loc must be [N, ",
          priors * 4 * (share ? 1 : classes), "], got ", loc.ToString());
  c.check(conf.Rank() == 2 && conf.shape[0] == loc.shape[0] && conf.shape[1] == priors * classes,
          "conf must be [N, ", priors * classes, "], got ", conf.ToString());
  int64_t code = n->GetInt("code_type");
  c.check(code >= 1 && code <= 3,
          "code_type must be 1 (corner), 2 (center-size) or 3 "
          "(corner-size), got ",
          code);
  int64_t top_k = n->GetInt("top_k"), keep = n->GetInt("keep_top_k");
  int64_t per_class = top_k >= 0 ? std::min(top_k, priors) : priors;
  int64_t bound =
      loc.shape[0] * (keep >= 0 ? std::min(keep, classes * per_class) : classes * per_class);
  Type t(DataType::kFloat32, {1, 1, bound, 7});
  c.set_out(t.MarkDynamic(2));
}

}  // namespace

void RegisterDetectionOps(OpRegistry& r) {
  r.Add("MaxRoiPool")
      .Doc(
          "Max-pools each region of interest [batch index, x1, y1, x2, y2] (scaled by "
          "spatial_scale and rounded, inclusive corners) of X [N, C, H, W] into pooled_shape "
          "bins; an empty bin gives 0: Y [num_rois, C, pooled_h, pooled_w].")
      .In("X")
      .In("rois", "[num_rois, 5]")
      .Ints("pooled_shape", {}, "[pooled_h, pooled_w]")
      .Required()
      .Float("spatial_scale", 1.0, "scale from roi coordinates to X's")
      .Out("Y")
      .Rule(MaxRoiPoolRule);
  r.Add("DetectionOutput")
      .Doc(
          "SSD post-processing (Caffe's DetectionOutput layer): decodes the box offsets loc "
          "[N, P*4] (or [N, P*4*num_classes] without share_location) against the priors "
          "[1, 2, P*4] (boxes, then their variances), keeps per class (except "
          "background_label_id) the top_k boxes scoring above confidence_threshold in conf "
          "[N, P*num_classes] that survive greedy non-maximum suppression at nms_threshold, "
          "then the keep_top_k best of each image: rows [image, label, score, xmin, ymin, "
          "xmax, ymax] of Y [1, 1, K, 7], by image, then label, then descending score. K is "
          "known at run time only.")
      .In("loc")
      .In("conf")
      .In("priors")
      .Int("num_classes", 0, "classes, background included")
      .Int("share_location", 1, "1: one box per prior for all classes")
      .Int("background_label_id", 0, "the class that gives no detections (-1: none)")
      .Float("nms_threshold", 0.3, "suppress boxes overlapping a kept one by more (IoU)")
      .Int("top_k", -1, "candidates per class before suppression (-1: all)")
      .Int("keep_top_k", -1, "detections kept per image (-1: all)")
      .Float("confidence_threshold", -3.4e38, "scores must exceed it")
      .Int("code_type", 1, "box encoding: 1 corner, 2 center-size, 3 corner-size")
      .Int("variance_encoded_in_target", 0, "1: offsets are not scaled by the variances")
      .Int("clip", 0, "1: decoded boxes are clipped to [0, 1]")
      .Out("Y")
      .Rule(DetectionOutputRule);
}

}  // namespace halo
