#include "detection.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "../common/runtime.h"
#include "nms.h"

namespace odla_rt {

void MaxRoiPool(const RoiPoolSpec& s, const float* x, const float* rois, int64_t r, float* y) {
  int64_t bins = s.ph * s.pw;
  ParallelFor(r * s.c, 1, [&](int64_t begin, int64_t end) {
    for (int64_t rc = begin; rc < end; ++rc)
      for (int64_t k = 0; k < bins; ++k)
        y[rc * bins + k] =
            MaxRoiPoolPoint(s, x, rois + 5 * (rc / s.c), rc % s.c, k / s.pw, k % s.pw);
  });
}

namespace {

// A decoded box as [xmin, ymin, xmax, ymax].
struct Rect {
  float x1, y1, x2, y2;
};

Rect Decode(const DetectionOutputSpec& s, const float* prior, const float* var, const float* d) {
  float pw = prior[2] - prior[0], ph = prior[3] - prior[1];
  float v[4] = {1, 1, 1, 1};
  if (!s.variance_encoded) std::copy(var, var + 4, v);
  Rect r;
  if (s.code_type == 1) {
    r = {prior[0] + v[0] * d[0], prior[1] + v[1] * d[1], prior[2] + v[2] * d[2],
         prior[3] + v[3] * d[3]};
  } else if (s.code_type == 3) {
    r = {prior[0] + v[0] * d[0] * pw, prior[1] + v[1] * d[1] * ph, prior[2] + v[2] * d[2] * pw,
         prior[3] + v[3] * d[3] * ph};
  } else {
    float pcx = (prior[0] + prior[2]) / 2, pcy = (prior[1] + prior[3]) / 2;
    float cx = v[0] * d[0] * pw + pcx, cy = v[1] * d[1] * ph + pcy;
    float bw = std::exp(v[2] * d[2]) * pw, bh = std::exp(v[3] * d[3]) * ph;
    r = {cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2};
  }
  if (s.clip) {
    auto c = [](float f) { return std::min(std::max(f, 0.0f), 1.0f); };
    r = {c(r.x1), c(r.y1), c(r.x2), c(r.y2)};
  }
  return r;
}

// Caffe's ApplyNMSFast: the top_k candidates above the threshold by descending score, each
// kept unless it overlaps a kept one by more than nms_threshold.
std::vector<int64_t> Nms(const DetectionOutputSpec& s, const std::vector<Box<float>>& boxes,
                         const std::vector<float>& scores) {
  std::vector<int64_t> cand;
  for (int64_t p = 0; p < static_cast<int64_t>(scores.size()); ++p)
    if (scores[p] > s.confidence_threshold) cand.push_back(p);
  std::stable_sort(cand.begin(), cand.end(),
                   [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  if (s.top_k >= 0 && static_cast<int64_t>(cand.size()) > s.top_k) cand.resize(s.top_k);
  std::vector<int64_t> kept;
  for (int64_t c : cand) {
    bool keep = std::none_of(kept.begin(), kept.end(), [&](int64_t k) {
      return OverlapsMore(boxes[c], boxes[k], s.nms_threshold);
    });
    if (keep) kept.push_back(c);
  }
  return kept;
}

}  // namespace

int64_t DetectionOutput(const DetectionOutputSpec& s, const float* loc, const float* conf,
                        const float* priors, float* out) {
  int64_t rows = 0;
  int64_t loc_classes = s.share_location ? 1 : s.classes;
  const float* var = priors + s.priors * 4;
  for (int64_t i = 0; i < s.batch; ++i) {
    // Boxes by location class, then prior.
    std::vector<std::vector<Box<float>>> boxes(loc_classes, std::vector<Box<float>>(s.priors));
    std::vector<std::vector<Rect>> rects(loc_classes, std::vector<Rect>(s.priors));
    for (int64_t p = 0; p < s.priors; ++p)
      for (int64_t lc = 0; lc < loc_classes; ++lc) {
        const float* d = loc + ((i * s.priors + p) * loc_classes + lc) * 4;
        Rect r = Decode(s, priors + 4 * p, var + 4 * p, d);
        rects[lc][p] = r;
        boxes[lc][p] = {std::min(r.y1, r.y2), std::min(r.x1, r.x2), std::max(r.y1, r.y2),
                        std::max(r.x1, r.x2)};
      }
    std::vector<std::pair<int64_t, int64_t>> kept;  // (label, prior)
    std::vector<float> scores(s.priors);
    std::map<int64_t, std::vector<int64_t>> by_label;
    for (int64_t c = 0; c < s.classes; ++c) {
      if (c == s.background) continue;
      for (int64_t p = 0; p < s.priors; ++p) scores[p] = conf[(i * s.priors + p) * s.classes + c];
      for (int64_t p : Nms(s, boxes[s.share_location ? 0 : c], scores)) kept.push_back({c, p});
    }
    auto score = [&](const std::pair<int64_t, int64_t>& k) {
      return conf[(i * s.priors + k.second) * s.classes + k.first];
    };
    if (s.keep_top_k >= 0 && static_cast<int64_t>(kept.size()) > s.keep_top_k) {
      std::stable_sort(kept.begin(), kept.end(),
                       [&](const auto& a, const auto& b) { return score(a) > score(b); });
      kept.resize(s.keep_top_k);
    }
    // By label, then descending score within it.
    std::stable_sort(kept.begin(), kept.end(), [&](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : score(a) > score(b);
    });
    for (const auto& k : kept) {
      const Rect& r = rects[s.share_location ? 0 : k.first][k.second];
      float* row = out + 7 * rows++;
      row[0] = static_cast<float>(i);
      row[1] = static_cast<float>(k.first);
      row[2] = score(k);
      row[3] = r.x1;
      row[4] = r.y1;
      row[5] = r.x2;
      row[6] = r.y2;
    }
  }
  return rows;
}

}  // namespace odla_rt
