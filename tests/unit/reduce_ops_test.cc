// Reductions, ArgMax/ArgMin, the softmax family and CumSum: rules and numeric results.
// Reductions are checked against a plain per-element reference written here.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "op_test_util.h"

namespace halo {
namespace {

using test::Arg;
using test::Doubles;
using test::F32s;
using test::I64s;
using test::InferError;
using test::Make;
using test::OpGraph;
using test::RunOp;

constexpr double kInf = std::numeric_limits<double>::infinity();

void ExpectNear(const std::vector<double>& got, const std::vector<double>& want,
                double tol = 1e-5) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isinf(want[i]) || std::isnan(want[i]))
      EXPECT_TRUE(got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i])))
          << i << ": " << got[i];
    else
      EXPECT_NEAR(got[i], want[i], tol * std::max(1.0, std::fabs(want[i]))) << "at " << i;
  }
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Reference: reduce `x` (shape `dims`) over `axes` element by element in double.
std::vector<double> RefReduce(const std::string& op, const std::vector<double>& x,
                              const Shape& dims, const std::vector<int64_t>& axes) {
  int rank = static_cast<int>(dims.size());
  std::vector<bool> red(rank, false);
  for (int64_t a : axes) red[a < 0 ? a + rank : a] = true;
  int64_t kept = 1;
  for (int i = 0; i < rank; ++i)
    if (!red[i]) kept *= dims[i];
  std::vector<std::vector<double>> groups(kept);
  for (int64_t flat = 0; flat < static_cast<int64_t>(x.size()); ++flat) {
    int64_t r = flat, out = 0, mul = 1;
    for (int i = rank - 1; i >= 0; --i) {
      int64_t k = r % dims[i];
      r /= dims[i];
      if (!red[i]) out += k * mul, mul *= dims[i];
    }
    groups[out].push_back(x[flat]);
  }
  std::vector<double> res;
  for (const auto& v : groups) {
    double s = 0, p = 1, l1 = 0, sq = 0, mx = -kInf, mn = kInf, se = 0;
    for (double e : v) {
      s += e, p *= e, l1 += std::fabs(e), sq += e * e, mx = std::max(mx, e), mn = std::min(mn, e);
      se += std::exp(e);
    }
    if (op == "ReduceSum") res.push_back(s);
    if (op == "ReduceMean") res.push_back(s / v.size());
    if (op == "ReduceProd") res.push_back(p);
    if (op == "ReduceL1") res.push_back(l1);
    if (op == "ReduceL2") res.push_back(std::sqrt(sq));
    if (op == "ReduceSumSquare") res.push_back(sq);
    if (op == "ReduceMax") res.push_back(mx);
    if (op == "ReduceMin") res.push_back(mn);
    if (op == "ReduceLogSum") res.push_back(std::log(s));
    if (op == "ReduceLogSumExp") res.push_back(std::log(se));
  }
  return res;
}

std::vector<double> Ramp(int64_t n, double scale = 0.01) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(((i * 37) % 101) * scale + 0.05);
  return v;
}

// ---- Rules ----

TEST(ReduceRules, AxesFromInputOrAttribute) {
  OpGraph a("ReduceSum", {F32s({2, 3, 4}, Ramp(24)), Arg::Const(I64s({2}, {-1, 0}))},
            {{"keepdims", int64_t{0}}});
  EXPECT_EQ(a.Infer(), Type(DataType::kFloat32, {3}));
  EXPECT_EQ(a.node->GetInts("axes"), (std::vector<int64_t>{0, 2}));
  OpGraph b("ReduceMax", {F32s({2, 3, 4}, Ramp(24))}, {{"axes", std::vector<int64_t>{1}}});
  EXPECT_EQ(b.Infer(), Type(DataType::kFloat32, {2, 1, 4}));
  OpGraph all("ReduceMean", {F32s({2, 3}, Ramp(6))});
  EXPECT_EQ(all.Infer(), Type(DataType::kFloat32, {1, 1}));
  EXPECT_EQ(all.node->GetInts("axes"), (std::vector<int64_t>{0, 1}));
  OpGraph noop("ReduceSum", {F32s({2, 3}, Ramp(6)), Arg::Const(I64s({0}, {}))},
               {{"noop_with_empty_axes", int64_t{1}}});
  EXPECT_EQ(noop.Infer(), Type(DataType::kFloat32, {2, 3}));
  EXPECT_TRUE(noop.node->GetInts("axes").empty());
  // The canonical attribute survives a second inference.
  EXPECT_EQ(a.Infer(), Type(DataType::kFloat32, {3}));
}

TEST(ReduceRules, Errors) {
  auto x = F32s({2, 3}, Ramp(6));
  EXPECT_TRUE(Contains(InferError("ReduceSum", {x, Arg::Const(I64s({1}, {2}))}), "out of range"));
  EXPECT_TRUE(Contains(InferError("ReduceSum", {x, Arg::Const(I64s({2}, {1, -1}))}), "repeats"));
  EXPECT_TRUE(Contains(InferError("ReduceSum", {x, I64s({1}, {0})}), "must be a constant"));
  EXPECT_TRUE(Contains(InferError("ReduceSum", {test::Bools({1}, {1})}),
                       "does not take element type bool"));
  EXPECT_TRUE(Contains(InferError("Softmax", {I64s({2}, {1, 2})}), "float types only"));
  EXPECT_TRUE(Contains(InferError("CumSum", {x, I64s({}, {0})}), "must be a constant"));
  EXPECT_TRUE(Contains(InferError("CumSum", {x, Arg::Const(F32s({}, {0}))}), "int32 or int64"));
}

TEST(ReduceRules, ArgAndSoftmaxAxes) {
  OpGraph a("ArgMax", {F32s({2, 3, 4}, Ramp(24))},
            {{"axis", int64_t{-2}}, {"keepdims", int64_t{0}}});
  EXPECT_EQ(a.Infer(), Type(DataType::kInt64, {2, 4}));
  EXPECT_EQ(a.node->GetInt("axis"), 1);
  OpGraph s("Softmax", {F32s({2, 3}, Ramp(6))}, {{"legacy_2d", int64_t{1}}});
  EXPECT_EQ(s.Infer(), Type(DataType::kFloat32, {2, 3}));
  EXPECT_EQ(s.node->GetInt("axis"), 1);
  EXPECT_EQ(s.node->GetInt("legacy_2d"), 0);  // over the last axis both semantics agree
  OpGraph c("CumSum", {F32s({2, 3}, Ramp(6)), Arg::Const(Make<int>(DataType::kInt32, {}, {-2}))});
  c.Infer();
  EXPECT_EQ(c.node->GetInt("axis"), 0);
}

// ---- Numeric results ----

TEST(ReduceRun, AllKindsAndAxisPatterns) {
  const char* ops[] = {"ReduceSum",    "ReduceMean",      "ReduceProd", "ReduceL1",
                       "ReduceL2",     "ReduceSumSquare", "ReduceMax",  "ReduceMin",
                       "ReduceLogSum", "ReduceLogSumExp"};
  Shape dims = {3, 4, 1, 5};
  auto x = Ramp(60, 0.02);
  for (size_t i = 0; i < x.size(); i += 3) x[i] = -x[i];
  const std::vector<std::vector<int64_t>> patterns = {{0},    {1},    {3},          {0, 1},
                                                      {1, 3}, {0, 3}, {0, 1, 2, 3}, {2}};
  for (const char* op : ops) {
    for (const auto& axes : patterns) {
      SCOPED_TRACE(std::string(op) + " axes " + std::to_string(axes.size()) + " from " +
                   std::to_string(axes[0]));
      auto src = x;
      if (std::string(op) == "ReduceLogSum")
        for (double& v : src) v = std::fabs(v);
      auto got =
          RunOp(op, {F32s(dims, src), Arg::Const(I64s({static_cast<int64_t>(axes.size())}, axes))});
      ExpectNear(Doubles(got), RefReduce(op, src, dims, axes), 1e-5);
    }
  }
}

TEST(ReduceRun, LargeTensorsSplitOverThreads) {
  Shape dims = {64, 3, 700};
  auto x = Ramp(64 * 3 * 700, 0.001);
  for (const auto& axes : std::vector<std::vector<int64_t>>{{2}, {0}, {1}, {0, 2}, {0, 1, 2}}) {
    auto got = RunOp("ReduceSum",
                     {F32s(dims, x), Arg::Const(I64s({static_cast<int64_t>(axes.size())}, axes))});
    ExpectNear(Doubles(got), RefReduce("ReduceSum", x, dims, axes), 1e-4);
    got = RunOp("ReduceMax",
                {F32s(dims, x), Arg::Const(I64s({static_cast<int64_t>(axes.size())}, axes))});
    ExpectNear(Doubles(got), RefReduce("ReduceMax", x, dims, axes), 0);
  }
}

TEST(ReduceRun, IntegersNoopAndEmpty) {
  auto xi = Make<int>(DataType::kInt32, {2, 3}, {1, -2, 3, 4, 5, -6});
  EXPECT_EQ(RunOp("ReduceSum", {xi, Arg::Const(I64s({1}, {1}))}).ToInts(),
            (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(RunOp("ReduceProd", {xi}, {{"axes", std::vector<int64_t>{0}}}).ToInts(),
            (std::vector<int64_t>{4, -10, -18}));
  EXPECT_EQ(RunOp("ReduceMean", {xi}, {{"axes", std::vector<int64_t>{1}}}).ToInts(),
            (std::vector<int64_t>{0, 1}));  // 2/3 and 3/3 truncate
  EXPECT_EQ(RunOp("ReduceMin", {Make<int>(DataType::kUInt8, {3}, {7, 200, 3})}).ToInts(),
            (std::vector<int64_t>{3}));
  EXPECT_EQ(RunOp("ReduceL1", {xi}).ToInts(), (std::vector<int64_t>{21}));
  // noop_with_empty_axes: a copy.
  auto x = F32s({2, 2}, {1, 2, 3, 4});
  ExpectNear(Doubles(RunOp("ReduceSum", {x, Arg::Const(I64s({0}, {}))},
                           {{"noop_with_empty_axes", int64_t{1}}})),
             {1, 2, 3, 4});
  // A scalar reduces over no axes: each element alone (numpy's axis=()).
  auto scalar = F32s({}, {-3});
  ExpectNear(Doubles(RunOp("ReduceL2", {scalar})), {3});
  ExpectNear(Doubles(RunOp("ReduceSumSquare", {scalar})), {9});
  ExpectNear(Doubles(RunOp("ReduceMin", {scalar})), {-3});
  ExpectNear(Doubles(RunOp("ReduceSumSquare", {x, Arg::Const(I64s({0}, {}))},
                           {{"noop_with_empty_axes", int64_t{1}}})),
             {1, 4, 9, 16});
  // Reducing an empty axis gives the identity of the reduction.
  auto empty = F32s({2, 0}, {});
  ExpectNear(Doubles(RunOp("ReduceSum", {empty}, {{"axes", std::vector<int64_t>{1}}})), {0, 0});
  ExpectNear(Doubles(RunOp("ReduceProd", {empty}, {{"axes", std::vector<int64_t>{1}}})), {1, 1});
  ExpectNear(Doubles(RunOp("ReduceMax", {empty}, {{"axes", std::vector<int64_t>{1}}})),
             {-kInf, -kInf});
  ExpectNear(Doubles(RunOp("ReduceLogSumExp", {empty}, {{"axes", std::vector<int64_t>{1}}})),
             {-kInf, -kInf});
  // LogSumExp stays finite for large inputs.
  ExpectNear(Doubles(RunOp("ReduceLogSumExp", {F32s({2}, {1000, 1000})})), {1000 + std::log(2.0)});
  // NaN propagates through Max.
  EXPECT_TRUE(std::isnan(Doubles(RunOp("ReduceMax", {F32s({3}, {1, NAN, 2})}))[0]));
}

TEST(ArgRun, FirstAndLastIndex) {
  auto x = F32s({2, 4}, {1, 5, 5, 0, 7, 7, -1, 7});
  EXPECT_EQ(RunOp("ArgMax", {x}, {{"axis", int64_t{1}}}).ToInts(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(
      RunOp("ArgMax", {x}, {{"axis", int64_t{1}}, {"select_last_index", int64_t{1}}}).ToInts(),
      (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(RunOp("ArgMin", {x}, {{"axis", int64_t{0}}}).ToInts(),
            (std::vector<int64_t>{0, 0, 1, 0}));
  EXPECT_EQ(RunOp("ArgMin", {x}, {{"axis", int64_t{-1}}, {"keepdims", int64_t{0}}}).ToInts(),
            (std::vector<int64_t>{3, 2}));
  auto xi = Make<int>(DataType::kInt8, {3, 2}, {3, -1, 3, 4, 2, 4});
  EXPECT_EQ(RunOp("ArgMax", {xi}, {{"select_last_index", int64_t{1}}}).ToInts(),
            (std::vector<int64_t>{1, 2}));
}

// Reference softmax over axis `axis` of [outer, n, inner].
std::vector<double> RefSoftmax(const std::vector<double>& x, int64_t outer, int64_t n,
                               int64_t inner, bool log) {
  std::vector<double> y(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      double s = 0;
      for (int64_t r = 0; r < n; ++r) s += std::exp(x[(o * n + r) * inner + j]);
      for (int64_t r = 0; r < n; ++r) {
        double v = x[(o * n + r) * inner + j];
        y[(o * n + r) * inner + j] = log ? v - std::log(s) : std::exp(v) / s;
      }
    }
  return y;
}

TEST(SoftmaxRun, AxesAndLegacy) {
  auto x = Ramp(24, 0.1);
  auto t = F32s({2, 3, 4}, x);
  ExpectNear(Doubles(RunOp("Softmax", {t})), RefSoftmax(x, 6, 4, 1, false));
  ExpectNear(Doubles(RunOp("Softmax", {t}, {{"axis", int64_t{1}}})), RefSoftmax(x, 2, 3, 4, false));
  ExpectNear(Doubles(RunOp("LogSoftmax", {t}, {{"axis", int64_t{0}}})),
             RefSoftmax(x, 1, 2, 12, true));
  // Opset < 13: axis 1 normalises over the flattened trailing [3x4].
  ExpectNear(Doubles(RunOp("Softmax", {t}, {{"axis", int64_t{1}}, {"legacy_2d", int64_t{1}}})),
             RefSoftmax(x, 2, 12, 1, false));
  ExpectNear(Doubles(RunOp("LogSoftmax", {t}, {{"axis", int64_t{0}}, {"legacy_2d", int64_t{1}}})),
             RefSoftmax(x, 1, 24, 1, true));
  // Stable for large values.
  ExpectNear(Doubles(RunOp("Softmax", {F32s({3}, {1000, 1000, -kInf})})), {0.5, 0.5, 0});
  ExpectNear(Doubles(RunOp("LogSoftmax", {F32s({2}, {1000, 1000})})),
             {-std::log(2.0), -std::log(2.0)});
}

TEST(SoftmaxRun, LargeSplitOverThreads) {
  auto x = Ramp(400 * 300, 0.05);
  auto t = F32s({400, 300}, x);
  ExpectNear(Doubles(RunOp("Softmax", {t})), RefSoftmax(x, 400, 300, 1, false));
  ExpectNear(Doubles(RunOp("LogSoftmax", {t}, {{"axis", int64_t{0}}})),
             RefSoftmax(x, 1, 400, 300, true));
  // ArgMax over rows and columns against a scan.
  auto rows = RunOp("ArgMax", {t}, {{"axis", int64_t{1}}, {"keepdims", int64_t{0}}}).ToInts();
  auto cols =
      RunOp("ArgMin", {t}, {{"axis", int64_t{0}}, {"select_last_index", int64_t{1}}}).ToInts();
  for (int64_t r = 0; r < 400; ++r) {
    int64_t best = 0;
    for (int64_t c = 1; c < 300; ++c)
      if (x[r * 300 + c] > x[r * 300 + best]) best = c;
    ASSERT_EQ(rows[r], best) << r;
  }
  for (int64_t c = 0; c < 300; ++c) {
    int64_t best = 0;
    for (int64_t r = 1; r < 400; ++r)
      if (x[r * 300 + c] <= x[best * 300 + c]) best = r;
    ASSERT_EQ(cols[c], best) << c;
  }
}

TEST(SoftmaxRun, Hardmax) {
  auto x = F32s({2, 3}, {1, 3, 3, 4, 0, -1});
  EXPECT_EQ(Doubles(RunOp("Hardmax", {x})), (std::vector<double>{0, 1, 0, 1, 0, 0}));
  EXPECT_EQ(Doubles(RunOp("Hardmax", {x}, {{"axis", int64_t{0}}})),
            (std::vector<double>{0, 1, 1, 1, 0, 0}));
  EXPECT_EQ(Doubles(RunOp("Hardmax", {x}, {{"axis", int64_t{0}}, {"legacy_2d", int64_t{1}}})),
            (std::vector<double>{0, 0, 0, 1, 0, 0}));
}

TEST(CumSumRun, ExclusiveReverseAxes) {
  auto x = F32s({5}, {1, 2, 3, 4, 5});
  auto ax = Arg::Const(I64s({}, {0}));
  ExpectNear(Doubles(RunOp("CumSum", {x, ax})), {1, 3, 6, 10, 15});
  ExpectNear(Doubles(RunOp("CumSum", {x, ax}, {{"exclusive", int64_t{1}}})), {0, 1, 3, 6, 10});
  ExpectNear(Doubles(RunOp("CumSum", {x, ax}, {{"reverse", int64_t{1}}})), {15, 14, 12, 9, 5});
  ExpectNear(
      Doubles(RunOp("CumSum", {x, ax}, {{"reverse", int64_t{1}}, {"exclusive", int64_t{1}}})),
      {14, 12, 9, 5, 0});
  auto m = Make<int>(DataType::kInt32, {2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(RunOp("CumSum", {m, Arg::Const(I64s({}, {0}))}).ToInts(),
            (std::vector<int64_t>{1, 2, 3, 5, 7, 9}));
  EXPECT_EQ(RunOp("CumSum", {m, Arg::Const(Make<int>(DataType::kInt32, {1}, {-1}))}).ToInts(),
            (std::vector<int64_t>{1, 3, 6, 4, 9, 15}));
}

}  // namespace
}  // namespace halo
