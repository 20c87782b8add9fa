#include "nms.h"

#include <algorithm>
#include <numeric>

#include "../common/runtime.h"

namespace odla_rt {

template <typename T>
Box<T> ReadBox(const T* p, bool center) {
  if (center) {
    T hw = p[2] / 2, hh = p[3] / 2;
    return {p[1] - hh, p[0] - hw, p[1] + hh, p[0] + hw};
  }
  return {std::min(p[0], p[2]), std::min(p[1], p[3]), std::max(p[0], p[2]), std::max(p[1], p[3])};
}

template <typename T>
bool OverlapsMore(const Box<T>& a, const Box<T>& b, T threshold) {
  T iy1 = std::max(a.y1, b.y1), ix1 = std::max(a.x1, b.x1);
  T iy2 = std::min(a.y2, b.y2), ix2 = std::min(a.x2, b.x2);
  if (iy2 <= iy1 || ix2 <= ix1) return false;
  T inter = (iy2 - iy1) * (ix2 - ix1);
  T area_a = (a.y2 - a.y1) * (a.x2 - a.x1), area_b = (b.y2 - b.y1) * (b.x2 - b.x1);
  T uni = area_a + area_b - inter;
  if (area_a <= 0 || area_b <= 0 || uni <= 0) return false;
  return inter / uni > threshold;
}

template <typename T>
std::vector<int64_t> GreedyNms(const Box<T>* boxes, const T* scores, int64_t n, T score_threshold,
                               T iou_threshold, int64_t max_keep) {
  std::vector<int64_t> candidates;
  for (int64_t i = 0; i < n; ++i)
    if (scores[i] > score_threshold) candidates.push_back(i);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  std::vector<int64_t> kept;
  for (int64_t c : candidates) {
    if (static_cast<int64_t>(kept.size()) >= max_keep) break;
    bool suppressed = std::any_of(kept.begin(), kept.end(), [&](int64_t k) {
      return OverlapsMore(boxes[c], boxes[k], iou_threshold);
    });
    if (!suppressed) kept.push_back(c);
  }
  return kept;
}

template <typename T>
int64_t NonMaxSuppression(const T* boxes, const T* scores, int64_t batches, int64_t classes,
                          int64_t n, bool center, int64_t max_keep, T iou_threshold,
                          T score_threshold, int64_t* out) {
  std::vector<Box<T>> corners(batches * n);
  for (int64_t i = 0; i < batches * n; ++i) corners[i] = ReadBox(boxes + 4 * i, center);
  std::vector<std::vector<int64_t>> kept(batches * classes);  // per (batch, class)
  ParallelFor(batches * classes, 1, [&](int64_t begin, int64_t end) {
    for (int64_t bc = begin; bc < end; ++bc)
      kept[bc] = GreedyNms(corners.data() + bc / classes * n, scores + bc * n, n, score_threshold,
                           iou_threshold, max_keep);
  });
  int64_t rows = 0;
  for (int64_t bc = 0; bc < batches * classes; ++bc)
    for (int64_t box : kept[bc]) {
      out[3 * rows] = bc / classes;
      out[3 * rows + 1] = bc % classes;
      out[3 * rows + 2] = box;
      ++rows;
    }
  return rows;
}

#define INSTANTIATE(T)                                                                             \
  template Box<T> ReadBox(const T*, bool);                                                         \
  template bool OverlapsMore(const Box<T>&, const Box<T>&, T);                                     \
  template std::vector<int64_t> GreedyNms(const Box<T>*, const T*, int64_t, T, T, int64_t);        \
  template int64_t NonMaxSuppression(const T*, const T*, int64_t, int64_t, int64_t, bool, int64_t, \
                                     T, T, int64_t*);
INSTANTIATE(float)
INSTANTIATE(double)
#undef INSTANTIATE

}  // namespace odla_rt
