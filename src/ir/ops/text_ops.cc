// Text: TfIdfVectorizer over integer tokens (HALO has no string tensors).
#include <algorithm>

#include "ir/ops/rules.h"

namespace halo {
namespace {

void TfIdfRule(InferContext& c) {
  Node* node = c.node();
  const Type& x = c.in(0);
  c.check(node->GetStrings("pool_strings").empty(),
          "pool_strings is not supported: HALO has no string tensors (use pool_int64s)");
  c.check(x.dtype == DataType::kInt32 || x.dtype == DataType::kInt64,
          "X must be int32 or int64, got ", DataTypeName(x.dtype));
  c.check(x.Rank() == 1 || x.Rank() == 2, "X must be [C] or [N, C], got ", x.ToString());
  int64_t lo = node->GetInt("min_gram_length"), hi = node->GetInt("max_gram_length");
  c.check(lo >= 1 && lo <= hi, "need 1 <= min_gram_length (", lo, ") <= max_gram_length (", hi,
          ")");
  c.check(node->GetInt("max_skip_count") >= 0, "max_skip_count must not be negative");
  const std::string& mode = node->GetString("mode");
  c.check(mode == "TF" || mode == "IDF" || mode == "TFIDF", "mode must be TF, IDF or TFIDF, got '",
          mode, "'");
  const auto& pool = node->GetInts("pool_int64s");
  const auto& counts = node->GetInts("ngram_counts");
  const auto& indexes = node->GetInts("ngram_indexes");
  int64_t total = static_cast<int64_t>(pool.size()), ngrams = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    int64_t size = static_cast<int64_t>(k) + 1;
    int64_t begin = counts[k], end = k + 1 < counts.size() ? counts[k + 1] : total;
    c.check(begin >= 0 && begin <= end && end <= total,
            "ngram_counts must be non-decreasing starts within pool_int64s (", total, " tokens)");
    c.check((end - begin) % size == 0, "pool_int64s holds ", end - begin, " tokens of ", size,
            "-grams, not a multiple of ", size);
    ngrams += (end - begin) / size;
  }
  c.check(ngrams == static_cast<int64_t>(indexes.size()), "the pool has ", ngrams,
          " n-grams but ngram_indexes has ", indexes.size(), " entries");
  int64_t out = 0;
  for (int64_t i : indexes) {
    c.check(i >= 0, "ngram_indexes must not be negative");
    out = std::max(out, i + 1);
  }
  const auto& weights = node->GetFloats("weights");
  c.check(weights.empty() ||
              (weights.size() == indexes.size() && static_cast<int64_t>(weights.size()) >= out),
          "weights must have one entry per n-gram, indexed by output position");
  Shape s = x.Rank() == 1 ? Shape{out} : Shape{x.shape[0], out};
  c.set_out(Type(DataType::kFloat32, s));
}

}  // namespace

void RegisterTextOps(OpRegistry& r) {
  r.Add("TfIdfVectorizer")
      .Doc(
          "Counts the n-grams of a pool in each row of X ([C] or [N, C] int32/int64 tokens), "
          "with up to max_skip_count tokens skipped between the items of an n-gram, into "
          "float Y [max(ngram_indexes) + 1] (or [N, ...]); mode TF: counts, IDF: weight where "
          "the count is positive, TFIDF: count times weight (weights default to 1, indexed by "
          "output position as ONNX's reference does).")
      .In("X")
      .Int("min_gram_length", 0, "smallest n-gram size counted")
      .Required()
      .Int("max_gram_length", 0, "largest n-gram size counted")
      .Required()
      .Int("max_skip_count", 0, "most tokens skipped between the items of an n-gram")
      .Required()
      .Str("mode", "", "TF, IDF or TFIDF")
      .Required()
      .Ints("ngram_counts", {}, "start in the pool of the 1-grams, 2-grams, ...")
      .Required()
      .Ints("ngram_indexes", {}, "output position of each n-gram of the pool")
      .Required()
      .Ints("pool_int64s", {}, "the n-grams, by size")
      .Floats("weights", {}, "IDF weights (empty: 1)")
      .Meta("pool_strings", AttrKind::kStrings, std::vector<std::string>{},
            "string pool: not supported")
      .Out("Y")
      .Rule(TfIdfRule);
}

}  // namespace halo
