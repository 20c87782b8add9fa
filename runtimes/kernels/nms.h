// Non-maximum suppression: ONNX NonMaxSuppression, and the greedy per-class selection that
// detection post-processing shares.
#pragma once

#include <cstdint>
#include <vector>

namespace odla_rt {

// A box by its corners, with y1 <= y2 and x1 <= x2.
template <typename T>
struct Box {
  T y1, x1, y2, x2;
};

// Reads a box given as [y1, x1, y2, x2] (any two opposite corners) or, with `center`, as
// [x_center, y_center, width, height].
template <typename T>
Box<T> ReadBox(const T* p, bool center);

// Whether the intersection over union of a and b exceeds `threshold` (never for boxes
// without area).
template <typename T>
bool OverlapsMore(const Box<T>& a, const Box<T>& b, T threshold);

// Greedy selection among n boxes of one class: the candidates are the boxes whose score
// exceeds score_threshold, by descending score (equal scores: lower index first); each is
// kept unless it overlaps a kept one by more than iou_threshold, until max_keep are kept.
// Returns the kept indices in selection order.
template <typename T>
std::vector<int64_t> GreedyNms(const Box<T>* boxes, const T* scores, int64_t n, T score_threshold,
                               T iou_threshold, int64_t max_keep);

// ONNX NonMaxSuppression: boxes [batches, n, 4], scores [batches, classes, n]. Writes the
// rows [batch, class, box] of the kept boxes, by batch, class and selection, to `out` and
// returns their number (at most batches * classes * min(max_keep, n)).
template <typename T>
int64_t NonMaxSuppression(const T* boxes, const T* scores, int64_t batches, int64_t classes,
                          int64_t n, bool center, int64_t max_keep, T iou_threshold,
                          T score_threshold, int64_t* out);

}  // namespace odla_rt
