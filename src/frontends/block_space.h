// SpaceToBatchND and BatchToSpaceND (TensorFlow's and TFLite's) as the IR ops they are made
// of: the shapes and permutation of Pad, Reshape, Transpose, Reshape (and, for the
// crops, a Slice), computed once for both frontends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/types.h"

namespace halo {

struct BlockSpacePlan {
  std::string error;                        // why the inputs do not fit ("" when they do)
  std::vector<int64_t> pads;                // SpaceToBatch: ONNX-style Pad pads (empty: no Pad)
  Shape split;                              // the first Reshape
  std::vector<int64_t> perm;                // the Transpose
  Shape merged;                             // the second Reshape
  std::vector<int64_t> starts, ends, axes;  // BatchToSpace: the crops' Slice (empty: none)
};

// [N, d1, ..., dM, rest] padded (pads: [M, 2] flattened), each di cut into (di / bi, bi),
// the blocks moved in front of N and merged into the batch: [b1 ... bM N, d1 / b1, ...].
inline BlockSpacePlan SpaceToBatchPlan(const Shape& in, const std::vector<int64_t>& block,
                                       const std::vector<int64_t>& pads) {
  BlockSpacePlan p;
  const size_t m = block.size(), r = in.size();
  if (m == 0 || r < m + 1 || pads.size() != 2 * m) {
    p.error = "block_shape and paddings do not fit the input";
    return p;
  }
  Shape s = in;
  bool padded = false;
  p.pads.assign(2 * r, 0);
  for (size_t i = 0; i < m; ++i) {
    if (block[i] <= 0 || pads[2 * i] < 0 || pads[2 * i + 1] < 0) {
      p.error = "block sizes must be positive and paddings not negative";
      return p;
    }
    p.pads[1 + i] = pads[2 * i];
    p.pads[r + 1 + i] = pads[2 * i + 1];
    padded = padded || pads[2 * i] != 0 || pads[2 * i + 1] != 0;
    s[1 + i] += pads[2 * i] + pads[2 * i + 1];
    if (s[1 + i] % block[i] != 0) {
      p.error = "padded axis " + std::to_string(1 + i) + " (" + std::to_string(s[1 + i]) +
                ") is not a multiple of its block " + std::to_string(block[i]);
      return p;
    }
  }
  if (!padded) p.pads.clear();
  int64_t batch = s[0];
  p.split = {s[0]};
  for (size_t i = 0; i < m; ++i) {
    p.split.insert(p.split.end(), {s[1 + i] / block[i], block[i]});
    p.perm.push_back(static_cast<int64_t>(2 + 2 * i));
    batch *= block[i];
  }
  for (size_t i = m + 1; i < r; ++i) p.split.push_back(s[i]);
  p.perm.push_back(0);
  p.merged = {batch};
  for (size_t i = 0; i < m; ++i) {
    p.perm.push_back(static_cast<int64_t>(1 + 2 * i));
    p.merged.push_back(s[1 + i] / block[i]);
  }
  for (size_t i = m + 1; i < r; ++i) {
    p.perm.push_back(static_cast<int64_t>(m + i));
    p.merged.push_back(s[i]);
  }
  return p;
}

// The inverse: [b1 ... bM N, d1, ..., rest] -> [N, d1 b1, ..., dM bM, rest], then the crops
// ([M, 2] flattened) cut from the spatial axes.
inline BlockSpacePlan BatchToSpacePlan(const Shape& in, const std::vector<int64_t>& block,
                                       const std::vector<int64_t>& crops) {
  BlockSpacePlan p;
  const size_t m = block.size(), r = in.size();
  if (m == 0 || r < m + 1 || crops.size() != 2 * m) {
    p.error = "block_shape and crops do not fit the input";
    return p;
  }
  int64_t blocks = 1;
  for (size_t i = 0; i < m; ++i) {
    if (block[i] <= 0 || crops[2 * i] < 0 || crops[2 * i + 1] < 0) {
      p.error = "block sizes must be positive and crops not negative";
      return p;
    }
    blocks *= block[i];
  }
  if (in[0] % blocks != 0) {
    p.error = "the batch " + std::to_string(in[0]) + " is not a multiple of the " +
              std::to_string(blocks) + " blocks";
    return p;
  }
  p.split.assign(block.begin(), block.end());
  p.split.push_back(in[0] / blocks);
  for (size_t i = 1; i < r; ++i) p.split.push_back(in[i]);
  p.perm = {static_cast<int64_t>(m)};
  p.merged = {in[0] / blocks};
  bool cropped = false;
  for (size_t i = 0; i < m; ++i) {
    p.perm.insert(p.perm.end(), {static_cast<int64_t>(m + 1 + i), static_cast<int64_t>(i)});
    const int64_t d = in[1 + i] * block[i];
    if (crops[2 * i] + crops[2 * i + 1] > d) {
      p.error = "the crops of axis " + std::to_string(1 + i) + " exceed it";
      return p;
    }
    p.merged.push_back(d);
    p.starts.push_back(crops[2 * i]);
    p.ends.push_back(d - crops[2 * i + 1]);
    p.axes.push_back(static_cast<int64_t>(1 + i));
    cropped = cropped || crops[2 * i] != 0 || crops[2 * i + 1] != 0;
  }
  for (size_t i = m + 1; i < r; ++i) {
    p.perm.push_back(static_cast<int64_t>(m + i));
    p.merged.push_back(in[i]);
  }
  if (!cropped) p.starts.clear(), p.ends.clear(), p.axes.clear();
  return p;
}

}  // namespace halo
