// TfIdfVectorizer: the n-gram counts of ONNX's examples, the weighting modes, batches, and
// the rule's errors.
#include <gtest/gtest.h>

#include "op_test_util.h"

namespace halo {
namespace {

using test::InferError;
using test::RunOp;

// ONNX's examples: the pool holds the unigrams 2 3 5 4 and the bigrams (5 6) (7 8) (6 7).
std::map<std::string, AttrValue> Attrs(int64_t min_gram, int64_t max_gram, int64_t skip,
                                       const std::string& mode = "TF") {
  return {{"min_gram_length", min_gram},
          {"max_gram_length", max_gram},
          {"max_skip_count", skip},
          {"mode", mode},
          {"ngram_counts", std::vector<int64_t>{0, 4}},
          {"ngram_indexes", std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}},
          {"pool_int64s", std::vector<int64_t>{2, 3, 5, 4, 5, 6, 7, 8, 6, 7}}};
}

const std::vector<int64_t> kTokens = {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8};

Tensor Tokens(DataType t, const Shape& s) { return test::Make(t, s, kTokens); }

TEST(TfIdf, CountsOfTheOnnxExamples) {
  Tensor x = Tokens(DataType::kInt32, {12});
  EXPECT_EQ(RunOp("TfIdfVectorizer", {x}, Attrs(2, 2, 0)).ToDoubles(),
            (std::vector<double>{0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(RunOp("TfIdfVectorizer", {x}, Attrs(2, 2, 5)).ToDoubles(),
            (std::vector<double>{0, 0, 0, 0, 1, 3, 1}));
  // Unigrams count once, not once per skip distance.
  EXPECT_EQ(RunOp("TfIdfVectorizer", {x}, Attrs(1, 2, 5)).ToDoubles(),
            (std::vector<double>{0, 3, 1, 0, 1, 3, 1}));
  // No unigrams in the pool ("levelempty").
  auto a = Attrs(2, 2, 0);
  a["ngram_counts"] = std::vector<int64_t>{0, 0};
  a["ngram_indexes"] = std::vector<int64_t>{0, 1, 2};
  a["pool_int64s"] = std::vector<int64_t>{5, 6, 7, 8, 6, 7};
  Tensor y = RunOp("TfIdfVectorizer", {x}, a);
  EXPECT_EQ(y.type(), Type(DataType::kFloat32, {3}));
  EXPECT_EQ(y.ToDoubles(), (std::vector<double>{1, 1, 1}));
}

TEST(TfIdf, BatchRowsAreCountedApart) {
  Tensor x = Tokens(DataType::kInt64, {2, 6});
  Tensor y = RunOp("TfIdfVectorizer", {x}, Attrs(1, 2, 5));
  ASSERT_EQ(y.type(), Type(DataType::kFloat32, {2, 7}));
  EXPECT_EQ(y.ToDoubles(), (std::vector<double>{0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1}));
}

TEST(TfIdf, WeightingModes) {
  Tensor x = Tokens(DataType::kInt32, {12});
  std::vector<double> w = {0.5, 2, 3, 4, 5, 0.25, 7};
  auto a = Attrs(1, 2, 5, "IDF");
  EXPECT_EQ(RunOp("TfIdfVectorizer", {x}, a).ToDoubles(),
            (std::vector<double>{0, 1, 1, 0, 1, 1, 1}));
  a["weights"] = w;
  EXPECT_EQ(RunOp("TfIdfVectorizer", {x}, a).ToDoubles(),
            (std::vector<double>{0, 2, 3, 0, 5, 0.25, 7}));
  a["mode"] = std::string("TFIDF");
  EXPECT_EQ(RunOp("TfIdfVectorizer", {x}, a).ToDoubles(),
            (std::vector<double>{0, 6, 3, 0, 5, 0.75, 7}));
  a.erase("weights");
  EXPECT_EQ(RunOp("TfIdfVectorizer", {x}, a).ToDoubles(),
            (std::vector<double>{0, 3, 1, 0, 1, 3, 1}));
}

TEST(TfIdf, NgramIndexesPlaceTheCounts) {
  // The same counts as above, written to permuted output positions (8 of them, one unused).
  auto a = Attrs(1, 2, 5);
  a["ngram_indexes"] = std::vector<int64_t>{7, 6, 5, 4, 3, 2, 1};
  Tensor y = RunOp("TfIdfVectorizer", {Tokens(DataType::kInt32, {12})}, a);
  ASSERT_EQ(y.type(), Type(DataType::kFloat32, {8}));
  EXPECT_EQ(y.ToDoubles(), (std::vector<double>{0, 1, 3, 1, 0, 1, 3, 0}));
}

TEST(TfIdf, RuleErrors) {
  Tensor x = Tokens(DataType::kInt32, {12});
  auto a = Attrs(1, 2, 0);
  a["pool_strings"] = std::vector<std::string>{"a", "b"};
  EXPECT_NE(InferError("TfIdfVectorizer", {x}, a).find("no string tensors"), std::string::npos);
  a = Attrs(1, 2, 0);
  a["ngram_indexes"] = std::vector<int64_t>{0, 1, 2};
  EXPECT_NE(InferError("TfIdfVectorizer", {x}, a).find("7 n-grams"), std::string::npos);
  a = Attrs(1, 2, 0, "BM25");
  EXPECT_NE(InferError("TfIdfVectorizer", {x}, a).find("mode"), std::string::npos);
  EXPECT_NE(InferError("TfIdfVectorizer", {test::F32s({2}, {1, 2})}, Attrs(1, 2, 0))
                .find("int32 or int64"),
            std::string::npos);
}

}  // namespace
}  // namespace halo
