// Caffe layers of detection networks: Normalize, PriorBox (a constant: it depends on shapes
// only), DetectionOutput and ROIPooling.
#include <cmath>

#include "frontends/caffe/caffe_importer.h"

namespace halo::caffe_fe {
namespace {

using Ints = std::vector<int64_t>;

// SSD's Normalize: x / sqrt(sum of squares + eps) over C, H, W (across_spatial) or C, times
// a learned scale per channel (or one shared).
void Normalize(Importer& im) {
  const auto& p = im.layer().norm_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  int64_t rank = static_cast<int64_t>(xs.size());
  im.Check(rank >= 2, "needs a blob [N, C, ...], got ", ShapeToString(xs));
  Ints axes;
  if (p.across_spatial())
    for (int64_t a = 1; a < rank; ++a) axes.push_back(a);
  else
    axes.push_back(1);
  Value* sum = im.Op1("ReduceSumSquare", {x, im.Ints(axes)});
  Value* norm = im.Op1("Sqrt", {im.Op1("Add", {sum, im.Scalar(p.eps())})});
  Value* y = im.Op1("Div", {x, norm});
  Value* scale = p.channel_shared() ? im.BlobConst(0, {1}, "scale")
                                    : im.Align(im.BlobConst(0, {xs[1]}, "scale"), 1, rank);
  im.SetTop(0, im.Op1("Mul", {y, scale}));
}

void PriorBox(Importer& im) {
  const auto& p = im.layer().prior_box_param();
  const Shape& fs = im.ShapeOf(im.Bottom(0));
  const Shape& is = im.ShapeOf(im.Bottom(1));
  im.Check(fs.size() == 4 && is.size() == 4, "needs 4-D feature and image blobs");
  im.Check(p.min_size_size() > 0, "min_size is required");
  im.Check(p.max_size_size() == 0 || p.max_size_size() == p.min_size_size(),
           "needs as many max_size as min_size");
  int64_t lh = fs[2], lw = fs[3];
  float img_h = p.has_img_h() ? p.img_h() : p.has_img_size() ? p.img_size() : is[2];
  float img_w = p.has_img_w() ? p.img_w() : p.has_img_size() ? p.img_size() : is[3];
  float step_h = p.has_step_h() ? p.step_h() : p.has_step() ? p.step() : img_h / lh;
  float step_w = p.has_step_w() ? p.step_w() : p.has_step() ? p.step() : img_w / lw;
  std::vector<float> ars = {1.0f};
  for (float ar : p.aspect_ratio()) {
    bool seen = false;
    for (float a : ars) seen = seen || std::fabs(ar - a) < 1e-6f;
    if (seen) continue;
    ars.push_back(ar);
    if (p.flip()) ars.push_back(1.0f / ar);
  }
  std::vector<float> var;
  if (p.variance_size() == 0)
    var = {0.1f, 0.1f, 0.1f, 0.1f};
  else if (p.variance_size() == 1)
    var.assign(4, p.variance(0));
  else
    var.assign(p.variance().begin(), p.variance().end());
  im.Check(var.size() == 4, "needs 1 or 4 variances, got ", p.variance_size());
  for (float m : p.min_size()) im.Check(m > 0, "min_size must be positive");
  int64_t num = static_cast<int64_t>(ars.size()) * p.min_size_size() + p.max_size_size();
  int64_t total = lh * lw * num * 4;
  Tensor t(Type(DataType::kFloat32, {1, 2, total}));
  float* box = t.mutable_data<float>();
  int64_t k = 0;
  for (int64_t h = 0; h < lh; ++h)
    for (int64_t w = 0; w < lw; ++w) {
      float cx = (w + p.offset()) * step_w, cy = (h + p.offset()) * step_h;
      auto add = [&](float bw, float bh) {
        box[k++] = (cx - bw / 2) / img_w;
        box[k++] = (cy - bh / 2) / img_h;
        box[k++] = (cx + bw / 2) / img_w;
        box[k++] = (cy + bh / 2) / img_h;
      };
      for (int s = 0; s < p.min_size_size(); ++s) {
        float m = p.min_size(s);
        add(m, m);
        if (p.max_size_size()) {
          im.Check(p.max_size(s) > m, "max_size must exceed min_size");
          float side = std::sqrt(m * p.max_size(s));
          add(side, side);
        }
        for (float ar : ars) {
          if (std::fabs(ar - 1.0f) < 1e-6f) continue;
          add(m * std::sqrt(ar), m / std::sqrt(ar));
        }
      }
    }
  if (p.clip())
    for (int64_t i = 0; i < total; ++i) box[i] = std::min(std::max(box[i], 0.0f), 1.0f);
  for (int64_t i = 0; i < total; ++i) box[total + i] = var[i % 4];
  im.SetTop(0, im.Const(std::move(t)));
}

void DetectionOutput(Importer& im) {
  const auto& p = im.layer().detection_output_param();
  im.Check(im.NumBottoms() == 3, "needs 3 bottoms (loc, conf, priors), got ", im.NumBottoms());
  im.Check(p.normalized_bbox(), "only normalized boxes are supported");
  std::vector<Value*> ins;
  for (int i = 0; i < 3; ++i) {
    Value* v = im.Bottom(i);
    const Shape& s = im.ShapeOf(v);
    // loc and conf as [N, everything else]; priors as they come.
    if (i < 2) v = im.Reshape(v, {s.at(0), NumElements(s) / s.at(0)});
    ins.push_back(v);
  }
  const auto& nms = p.nms_param();
  im.SetTop(0, im.Op1("DetectionOutput", ins,
                      {{"num_classes", int64_t{p.num_classes()}},
                       {"share_location", int64_t{p.share_location()}},
                       {"background_label_id", int64_t{p.background_label_id()}},
                       {"nms_threshold", double{nms.nms_threshold()}},
                       {"top_k", int64_t{nms.has_top_k() ? nms.top_k() : -1}},
                       {"keep_top_k", int64_t{p.keep_top_k()}},
                       {"confidence_threshold",
                        p.has_confidence_threshold() ? double{p.confidence_threshold()} : -3.4e38},
                       {"code_type", int64_t{p.code_type()}},
                       {"variance_encoded_in_target", int64_t{p.variance_encoded_in_target()}},
                       {"clip", int64_t{p.clip()}}}));
}

void RoiPooling(Importer& im) {
  const auto& p = im.layer().roi_pooling_param();
  im.SetTop(0, im.Op1("MaxRoiPool", {im.Bottom(0), im.Bottom(1)},
                      {{"pooled_shape", Ints{p.pooled_h(), p.pooled_w()}},
                       {"spatial_scale", double{p.spatial_scale()}}}));
}

}  // namespace

void AddDetectionLayers(std::map<std::string, LayerFn>& t) {
  t["Normalize"] = Normalize;
  t["PriorBox"] = PriorBox;
  t["DetectionOutput"] = DetectionOutput;
  t["ROIPooling"] = RoiPooling;
}

}  // namespace halo::caffe_fe
