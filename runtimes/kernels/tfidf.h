// ONNX TfIdfVectorizer over integer tokens: counts the n-grams of a pool in each row of the
// input, with skips between the tokens of an n-gram, then weighs the counts.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "../common/runtime.h"
#include "host_device.h"

namespace odla_rt {

enum class TfIdfMode { kTF, kIDF, kTFIDF };

// The pool's n-grams of the counted sizes as a trie over tokens.
class NgramTrie {
 public:
  // pool holds the 1-grams from ngram_counts[0], the 2-grams from ngram_counts[1], ...; the
  // g-th n-gram of the pool (in pool order, all sizes) is counted in output ngram_indexes[g].
  // Only the sizes in [min_gram, max_gram] are kept. Throws RtError on inconsistent lists.
  NgramTrie(const std::vector<int64_t>& pool, const std::vector<int64_t>& ngram_counts,
            const std::vector<int64_t>& ngram_indexes, int64_t min_gram, int64_t max_gram);
  static constexpr int32_t kRoot = 0;
  // The node reached from `node` by `token`, or -1.
  int32_t Child(int32_t node, int64_t token) const {
    auto it = nodes_[node].next.find(token);
    return it == nodes_[node].next.end() ? -1 : it->second;
  }
  // The output index of the n-gram ending at `node`, or -1 when none does.
  int64_t Output(int32_t node) const { return nodes_[node].output; }
  // The number of nodes (the root is node 0) and a node's children by token, for a device
  // that walks a copy of the trie (libodla_cuda's kernels_text.cu).
  int32_t Nodes() const { return static_cast<int32_t>(nodes_.size()); }
  const std::unordered_map<int64_t, int32_t>& Children(int32_t node) const {
    return nodes_[node].next;
  }

 private:
  struct Node {
    std::unordered_map<int64_t, int32_t> next;
    int64_t output = -1;
  };
  std::vector<Node> nodes_;
};

struct TfIdfSpec {
  int64_t min_gram = 1, max_gram = 1, max_skip = 0;
  TfIdfMode mode = TfIdfMode::kTF;
  int64_t out_size = 0;
  std::vector<float> weights;  // empty, or one per output index
};

// The spec of TfIdfVectorizer's attributes (mode "TF", "IDF" or "TFIDF"; out_size one past
// the largest of ngram_indexes). Throws RtError on invalid ones.
TfIdfSpec MakeTfIdfSpec(int64_t min_gram, int64_t max_gram, int64_t max_skip,
                        const std::string& mode, const std::vector<int64_t>& ngram_indexes,
                        const std::vector<float>& weights);

// The smallest n-gram counted at skip distance `dist` (1: adjacent tokens), or 0 when that
// distance counts nothing: unigrams are counted at the first distance only.
ODLA_HD inline int64_t TfIdfMinSize(int64_t min_gram, int64_t max_gram, int64_t dist) {
  if (dist == 1 || min_gram > 1) return min_gram;
  return max_gram >= 2 ? 2 : 0;
}

// How many skip distances (1, 2, ...) can count anything in a row of len tokens: at most
// max_skip + 1, and none from len on (an n-gram of 2 or more tokens that far apart does not
// fit; unigrams count at distance 1 only).
inline int64_t TfIdfDistances(int64_t max_skip, int64_t max_gram, int64_t len) {
  const int64_t far = len > 2 ? len - 1 : 1;
  return max_gram == 1 ? 1 : max_skip >= far ? far : max_skip + 1;
}

// An output value from its n-gram's count and weight w (1 without weights).
ODLA_HD inline float TfIdfValue(TfIdfMode mode, float count, float w) {
  return mode == TfIdfMode::kTF ? count : mode == TfIdfMode::kIDF ? (count > 0 ? w : 0) : count * w;
}

// The n-gram counts of one row of `len` tokens into counts[out_size] (zeroed first). As ONNX's
// reference: for each skip s in [0, max_skip], the n-grams of tokens j, j + s + 1, ... are
// looked up from every start j; unigrams are counted for the first skip only.
template <typename T>
void CountNgrams(const NgramTrie& trie, const TfIdfSpec& s, const T* x, int64_t len,
                 int64_t* counts) {
  std::fill(counts, counts + s.out_size, 0);
  const int64_t dists = TfIdfDistances(s.max_skip, s.max_gram, len);
  for (int64_t dist = 1; dist <= dists; ++dist) {
    const int64_t min_size = TfIdfMinSize(s.min_gram, s.max_gram, dist);
    if (min_size == 0) break;
    for (int64_t start = 0; start < len; ++start) {
      if (start + dist * (min_size - 1) >= len) break;
      int32_t node = NgramTrie::kRoot;
      for (int64_t size = 1, i = start; size <= s.max_gram && i < len; ++size, i += dist) {
        node = trie.Child(node, static_cast<int64_t>(x[i]));
        if (node < 0) break;
        if (size >= min_size && trie.Output(node) >= 0) ++counts[trie.Output(node)];
      }
    }
  }
}

// y [rows, out_size] from x [rows, len]: TF the counts, IDF the weight (1 without weights)
// where the count is positive, TFIDF count times weight.
template <typename T>
void TfIdf(const NgramTrie& trie, const TfIdfSpec& s, int64_t rows, int64_t len, const T* x,
           float* y) {
  ParallelFor(rows, 1, [&](int64_t b, int64_t e) {
    std::vector<int64_t> counts(s.out_size);
    for (int64_t r = b; r < e; ++r) {
      CountNgrams(trie, s, x + r * len, len, counts.data());
      float* yr = y + r * s.out_size;
      for (int64_t i = 0; i < s.out_size; ++i) {
        float w = s.weights.empty() ? 1.0f : s.weights[i];
        yr[i] = TfIdfValue(s.mode, static_cast<float>(counts[i]), w);
      }
    }
  });
}

}  // namespace odla_rt
