// Einsum and Det: rules, and numbers through the executor against brute-force references.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "op_test_util.h"

namespace halo {
namespace {

using test::Arg;
using test::OpGraph;

Tensor Random(DataType dt, const Shape& s, int seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(-4, 4);
  std::vector<double> v(NumElements(s));
  for (double& x : v)
    x = dt == DataType::kFloat32 || dt == DataType::kFloat64 ? d(gen) * 0.25 : d(gen);
  return test::Make(dt, s, v);
}

// Brute force over every assignment of the letters of an explicit, ellipsis-free equation.
std::vector<double> BruteEinsum(const std::string& eq, const std::vector<Tensor>& ins) {
  size_t arrow = eq.find("->");
  std::vector<std::string> terms;
  std::string lhs = eq.substr(0, arrow), out = eq.substr(arrow + 2);
  for (size_t s = 0, e; s <= lhs.size(); s = e + 1) {
    e = std::min(lhs.find(',', s), lhs.size());
    terms.push_back(lhs.substr(s, e - s));
  }
  std::string letters;
  std::map<char, int64_t> size;
  for (size_t i = 0; i < terms.size(); ++i)
    for (size_t d = 0; d < terms[i].size(); ++d) {
      char c = terms[i][d];
      if (letters.find(c) == std::string::npos) letters += c;
      size[c] = std::max(size[c], ins[i].type().shape[d]);
    }
  int64_t out_n = 1;
  for (char c : out) out_n *= size[c];
  std::vector<double> res(out_n, 0.0);
  std::vector<std::vector<double>> vals;
  for (const Tensor& t : ins) vals.push_back(t.ToDoubles());
  std::map<char, int64_t> idx;
  for (char c : letters) idx[c] = 0;
  while (true) {
    double p = 1;
    for (size_t i = 0; i < terms.size(); ++i) {
      int64_t off = 0;
      const Shape& s = ins[i].type().shape;
      for (size_t d = 0; d < terms[i].size(); ++d)
        off = off * s[d] + (s[d] == 1 ? 0 : idx[terms[i][d]]);
      p *= vals[i][off];
    }
    int64_t o = 0;
    for (char c : out) o = o * size[c] + idx[c];
    res[o] += p;
    size_t k = letters.size();
    while (k > 0) {
      char c = letters[k - 1];
      if (++idx[c] < size[c]) break;
      idx[c] = 0;
      --k;
    }
    if (k == 0) break;
  }
  return res;
}

struct EinsumCase {
  std::string equation;  // as given to the op
  std::string brute;     // explicit, ellipses spelled out
  std::vector<Shape> shapes;
  Shape out;
};

TEST(LinalgNumeric, EinsumMatchesBruteForce) {
  const EinsumCase cases[] = {
      {"ij,jk->ik", "ij,jk->ik", {{3, 4}, {4, 5}}, {3, 5}},
      {"ij,jk", "ij,jk->ik", {{3, 4}, {4, 5}}, {3, 5}},  // implicit
      {"ba", "ba->ab", {{3, 2}}, {2, 3}},                // implicit order
      {"ii->", "ii->", {{4, 4}}, {}},                    // trace
      {"ii->i", "ii->i", {{4, 4}}, {4}},                 // diagonal
      {"bii->bi", "bii->bi", {{2, 3, 3}}, {2, 3}},
      {"...ii->...i", "xyii->xyi", {{2, 2, 3, 3}}, {2, 2, 3}},
      {"bij,bjk->bik", "bij,bjk->bik", {{2, 3, 4}, {2, 4, 2}}, {2, 3, 2}},
      {"...ij,...jk->...ik", "bij,bjk->bik", {{2, 3, 4}, {1, 4, 2}}, {2, 3, 2}},  // broadcast
      {"...j,j", "xj,j->x", {{3, 4}, {4}}, {3}},
      {"i,i", "i,i->", {{5}, {5}}, {}},            // inner product
      {"i,j->ij", "i,j->ij", {{3}, {2}}, {3, 2}},  // outer product
      {"ij->", "ij->", {{3, 4}}, {}},
      {"ij,jk,kl->il", "ij,jk,kl->il", {{2, 3}, {3, 4}, {4, 2}}, {2, 2}},
      {"abc,cd,ae->ebd", "abc,cd,ae->ebd", {{2, 3, 2}, {2, 3}, {2, 2}}, {2, 3, 3}},
      {"ij,ij->ij", "ij,ij->ij", {{3, 2}, {3, 2}}, {3, 2}},           // Hadamard
      {" i j , j k -> k i ", "ij,jk->ki", {{2, 3}, {3, 2}}, {2, 2}},  // spaces
      {",ij->ij", ",ij->ij", {{}, {2, 2}}, {2, 2}},                   // scalar operand
  };
  for (DataType dt : {DataType::kFloat32, DataType::kFloat64, DataType::kInt32, DataType::kInt64})
    for (const EinsumCase& k : cases) {
      SCOPED_TRACE(k.equation + " " + DataTypeName(dt));
      std::vector<Arg> args;
      std::vector<Tensor> ins;
      int seed = 1;
      for (const Shape& s : k.shapes) {
        ins.push_back(Random(dt, s, seed++));
        args.push_back(ins.back());
      }
      OpGraph og("Einsum", args, {{"equation", k.equation}});
      EXPECT_EQ(og.Infer(), Type(dt, k.out));
      auto got = og.Run().at(0).ToDoubles();
      auto want = BruteEinsum(k.brute, ins);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4) << "at " << i;
    }
}

TEST(LinalgRules, EinsumCanonicalFormAndErrors) {
  auto f = [](const Shape& s) { return Tensor(Type(DataType::kFloat32, s)); };
  OpGraph og("Einsum", {f({5, 2, 3}), f({3, 4})}, {{"equation", std::string("...ij,jk")}});
  EXPECT_EQ(og.Infer(), Type(DataType::kFloat32, {5, 2, 4}));
  EXPECT_EQ(og.node->GetString("equation"), "Aij,jk->Aik");
  VerifyAndInfer(og.node);  // idempotent
  EXPECT_EQ(og.node->GetString("equation"), "Aij,jk->Aik");

  using test::InferError;
  auto err = [&](const std::string& eq, std::vector<Arg> args) {
    return InferError("Einsum", args, {{"equation", eq}});
  };
  EXPECT_NE(err("ij,jk->ik", {f({2, 3}), f({4, 5})}).find("sizes 3 and 4"), std::string::npos);
  EXPECT_NE(err("ij->ik", {f({2, 3})}).find("not in any operand"), std::string::npos);
  EXPECT_NE(err("ij->ii", {f({2, 3})}).find("repeats"), std::string::npos);
  EXPECT_NE(err("ijk->i", {f({2, 3})}).find("rank"), std::string::npos);
  EXPECT_NE(err("ij", {f({2, 3}), f({3})}).find("operand terms"), std::string::npos);
  EXPECT_NE(err("i1->i", {f({2, 3})}).find("invalid character"), std::string::npos);
}

TEST(LinalgNumeric, Det) {
  // Known determinants, including a singular matrix and one needing a row swap.
  Tensor x = test::F32s({4, 2, 2}, {1, 2, 3, 4, 0, 1, 1, 0, 2, 4, 1, 2, 5, 0, 0, 0.5});
  auto y = test::RunOp("Det", {x});
  EXPECT_EQ(y.type(), Type(DataType::kFloat32, {4}));
  EXPECT_EQ(y.ToDoubles(), (std::vector<double>{-2, -1, 0, 2.5}));
  // A 3x3 against the cofactor expansion, in double.
  std::vector<double> m = {2, -1, 0.5, 1, 3, 2, -2, 0.25, 4};
  double want = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                m[2] * (m[3] * m[7] - m[4] * m[6]);
  auto y3 = test::RunOp("Det", {test::Make(DataType::kFloat64, {3, 3}, m)});
  EXPECT_EQ(y3.type(), Type(DataType::kFloat64, {}));
  EXPECT_NEAR(y3.ToDoubles()[0], want, 1e-12);
  EXPECT_NE(test::InferError("Det", {test::F32s({2, 3}, {1, 2, 3, 4, 5, 6})}).find("[*, M, M]"),
            std::string::npos);
}

}  // namespace
}  // namespace halo
