// libodla_cuda's TfIdfVectorizer (ops_text.cc) against the host builder, as the other
// CudaKernels tests (cuda_kernels_util.h), byte for byte. Without a GPU these tests skip.
#include "cuda_kernels_util.h"

ODLA_REF_DECL(TfIdfVectorizer)

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

odla_ints IntList(const std::vector<int64_t>& v) {
  odla_ints r{};
  r.size = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) r.data[i] = v[i];
  return r;
}

odla_floats FloatList(const std::vector<float>& v) {
  odla_floats r{};
  r.size = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) r.data[i] = v[i];
  return r;
}

// ONNX's example pool: 1-grams 2, 3, 5, 4 and 2-grams (5, 6), (7, 8), (6, 7), outputs 0..6.
BuildFn TfIdf(const Dims& out, int64_t min_gram, int64_t max_gram, int64_t skip, const char* mode,
              std::vector<float> weights = {}) {
  return One([=](auto a, bool c) {
    return OP(c, TfIdfVectorizer)(
        a[0], min_gram, max_gram, skip, mode, IntList({0, 4}), IntList({0, 1, 2, 3, 4, 5, 6}),
        IntList({2, 3, 5, 4, 5, 6, 7, 8, 6, 7}), FloatList(weights), Type(out), "y");
  });
}

TEST_F(CudaKernels, TfIdfVectorizer) {
  const std::vector<int32_t> tokens = {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8};
  const Arg rows = I32({2, 6}, tokens);
  const Arg flat = Make<int64_t>({12}, ODLA_INT64, {tokens.begin(), tokens.end()});
  // Uni- and bigrams, bigrams only, with skips up to 2; 1-D int64 and 2-D int32 inputs.
  for (int64_t skip : {0, 1, 2}) {
    ExpectIdentical({flat}, TfIdf({7}, 1, 2, skip, "TF"));
    ExpectIdentical({rows}, TfIdf({2, 7}, 2, 2, skip, "TF"));
    ExpectIdentical({rows}, TfIdf({2, 7}, 1, 1, skip, "TF"));
  }
  const std::vector<float> w = {0.5f, 1.5f, 2.f, 0.25f, 3.f, 1.f, 0.75f};
  ExpectIdentical({rows}, TfIdf({2, 7}, 1, 2, 1, "IDF", w));
  ExpectIdentical({rows}, TfIdf({2, 7}, 1, 2, 1, "IDF"));
  ExpectIdentical({flat}, TfIdf({7}, 1, 2, 3, "TFIDF", w));
  // A skip far beyond the row: only distances below its length can count.
  ExpectIdentical({rows}, TfIdf({2, 7}, 1, 2, int64_t{1} << 40, "TF"));
  // Many rows of random tokens from the pool's alphabet (counts from concurrent walks).
  std::vector<int64_t> many(64 * 50);
  for (size_t i = 0; i < many.size(); ++i) many[i] = static_cast<int64_t>((i * 7919 + i / 3) % 9);
  ExpectIdentical({Make({64, 50}, ODLA_INT64, many)}, TfIdf({64, 7}, 1, 2, 2, "TFIDF", w));
}

}  // namespace
