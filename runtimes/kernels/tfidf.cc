#include "tfidf.h"

namespace odla_rt {

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
