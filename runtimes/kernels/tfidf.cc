#include "tfidf.h"

namespace odla_rt {

TfIdfSpec MakeTfIdfSpec(int64_t min_gram, int64_t max_gram, int64_t max_skip,
                        const std::string& mode, const std::vector<int64_t>& ngram_indexes,
                        const std::vector<float>& weights) {
  if (min_gram < 1 || min_gram > max_gram || max_skip < 0)
    Fail("need 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0");
  TfIdfSpec spec;
  spec.min_gram = min_gram;
  spec.max_gram = max_gram;
  spec.max_skip = max_skip;
  if (mode == "TF") {
    spec.mode = TfIdfMode::kTF;
  } else if (mode == "IDF") {
    spec.mode = TfIdfMode::kIDF;
  } else if (mode == "TFIDF") {
    spec.mode = TfIdfMode::kTFIDF;
  } else {
    Fail("mode must be TF, IDF or TFIDF, got '", mode, "'");
  }
  for (int64_t i : ngram_indexes) {
    if (i < 0) Fail("ngram_indexes must not be negative");
    spec.out_size = std::max(spec.out_size, i + 1);
  }
  spec.weights = weights;
  if (!spec.weights.empty() && static_cast<int64_t>(spec.weights.size()) < spec.out_size)
    Fail("weights must have an entry per output position");
  return spec;
}

NgramTrie::NgramTrie(const std::vector<int64_t>& pool, const std::vector<int64_t>& ngram_counts,
                     const std::vector<int64_t>& ngram_indexes, int64_t min_gram, int64_t max_gram)
    : nodes_(1) {
  int64_t total = static_cast<int64_t>(pool.size());
  size_t g = 0;  // the n-gram's number in pool order
  for (size_t k = 0; k < ngram_counts.size(); ++k) {
    int64_t size = static_cast<int64_t>(k) + 1;
    int64_t begin = ngram_counts[k];
    int64_t end = k + 1 < ngram_counts.size() ? ngram_counts[k + 1] : total;
    if (begin < 0 || end < begin || end > total)
      Fail("ngram_counts must be non-decreasing starts within the pool of ", total);
    if ((end - begin) % size)
      Fail("the pool holds ", end - begin, " tokens of ", size, "-grams, not a multiple of ", size);
    for (int64_t p = begin; p < end; p += size, ++g) {
      if (g >= ngram_indexes.size())
        Fail("the pool has more n-grams than ngram_indexes has entries (", ngram_indexes.size(),
             ")");
      if (size < min_gram || size > max_gram) continue;
      int32_t node = kRoot;
      for (int64_t i = p; i < p + size; ++i) {
        auto it = nodes_[node].next.find(pool[i]);
        if (it == nodes_[node].next.end()) {
          int32_t id = static_cast<int32_t>(nodes_.size());
          nodes_[node].next.emplace(pool[i], id);
          nodes_.emplace_back();
          node = id;
        } else {
          node = it->second;
        }
      }
      nodes_[node].output = ngram_indexes[g];
    }
  }
  if (g != ngram_indexes.size())
    Fail("the pool has ", g, " n-grams but ngram_indexes has ", ngram_indexes.size(), " entries");
}

}  // namespace odla_rt
