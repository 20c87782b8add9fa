// ODLA builder of TfIdfVectorizer.
#include <memory>
#include <string>

#include "../common/builder.h"
#include "../kernels/tfidf.h"

using namespace odla_rt;

extern "C" {

ODLA_WEAK odla_value odla_TfIdfVectorizer(odla_value X, odla_int64 min_gram_length,
                                          odla_int64 max_gram_length, odla_int64 max_skip_count,
                                          const char* mode, odla_ints ngram_counts,
                                          odla_ints ngram_indexes, odla_ints pool_int64s,
                                          odla_floats weights, odla_value_type result_type,
                                          odla_value_id id) {
  return Guard("odla_TfIdfVectorizer", id, [&] {
    CheckInput(X, "X");
    odla_element_type et = X->type.element_type;
    if (et != ODLA_INT32 && et != ODLA_INT64) Fail("X must be int32 or int64");
    auto xs = Dims(X->type.shape);
    if (xs.size() != 1 && xs.size() != 2) Fail("X must be [C] or [N, C]");
    auto indexes = FromInts(ngram_indexes);
    TfIdfSpec spec = MakeTfIdfSpec(min_gram_length, max_gram_length, max_skip_count,
                                   mode ? mode : "", indexes, FromFloats(weights));
    auto trie = std::make_shared<const NgramTrie>(FromInts(pool_int64s), FromInts(ngram_counts),
                                                  indexes, min_gram_length, max_gram_length);
    int64_t rows = xs.size() == 2 ? xs[0] : 1, len = xs.back();
    std::vector<int64_t> ys = {spec.out_size};
    if (xs.size() == 2) ys.insert(ys.begin(), rows);
    if (result_type.element_type != ODLA_FLOAT32 || Dims(result_type.shape) != ys)
      Fail("the result must be float32 [", xs.size() == 2 ? std::to_string(rows) + ", " : "",
           spec.out_size, "]");
    Kernel kernel;
    if (et == ODLA_INT32) {
      kernel = [=](const KernelArgs& k) {
        TfIdf<int32_t>(*trie, spec, rows, len, k.In<int32_t>(0), k.Out<float>(0));
      };
    } else {
      kernel = [=](const KernelArgs& k) {
        TfIdf<int64_t>(*trie, spec, rows, len, k.In<int64_t>(0), k.Out<float>(0));
      };
    }
    return AddOp1("TfIdfVectorizer", {X}, result_type, id, kernel);
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override this builder (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(TfIdfVectorizer)
