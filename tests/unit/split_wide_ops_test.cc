// split-wide-ops: nodes wider than ODLA's lists of 64 values become nodes within them, with
// the results bit for bit those of the wide node's definition; what it leaves is a lowering
// error naming the node and the limit.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ir/error.h"
#include "pass_test_util.h"
#include "targets/lowering.h"

namespace halo {
namespace {

using test::Built;
using test::Op;
using test::RandomInputs;

const DataType kF32 = DataType::kFloat32;

// The widest input list and result list of the graph's nodes.
size_t Widest(const Graph& g) {
  size_t w = 0;
  for (const auto& n : g.nodes()) w = std::max({w, n->num_inputs(), n->num_outputs()});
  return w;
}

std::vector<Value*> Inputs(Graph& g, size_t n, const Type& t, const std::string& prefix = "x") {
  std::vector<Value*> r;
  for (size_t i = 0; i < n; ++i) r.push_back(g.AddInput(prefix + std::to_string(i), t));
  return r;
}

TEST(SplitWideOps, ConcatOfThousandsOfInputs) {
  for (size_t n : {65u, 130u, 4200u}) {  // 4200: partial Concats of partial Concats
    auto g = Built(
        [n](Graph& g) {
          g.AddOutput(
              Op(g, "Concat", Inputs(g, n, Type(kF32, {2, 1, 3})), {{"axis", int64_t{1}}}, "y"));
        },
        false);
    EXPECT_LE(Widest(*g), kOdlaMaxValues) << n;
    ASSERT_EQ(g->outputs()[0]->name(), "y");
    std::vector<Tensor> ins = RandomInputs(*g);
    Tensor y = Executor(*g).Run(ins)[0];
    ASSERT_EQ(y.type(), Type(kF32, {2, static_cast<int64_t>(n), 3}));
    for (int64_t b = 0; b < 2; ++b)
      for (size_t i = 0; i < n; ++i)
        for (int64_t c = 0; c < 3; ++c)
          ASSERT_EQ(y.data<float>()[(b * n + i) * 3 + c], ins[i].data<float>()[b * 3 + c]);
  }
}

// Parts of sizes 1, 2, 0, 1, 2, 0, ...; some parts are graph outputs and keep their names.
TEST(SplitWideOps, SplitIntoThousandsOfParts) {
  for (int64_t n : {65, 300, 4500}) {  // 4500: groups split into groups
    std::vector<int64_t> sizes;
    int64_t total = 0;
    for (int64_t i = 0; i < n; ++i) total += sizes.emplace_back(i % 3 == 2 ? 0 : 1 + i % 3);
    auto g = Built(
        [&](Graph& g) {
          Value* x = g.AddInput("x", Type(kF32, {2, total}));
          Node* s = g.AddNode("Split", "s", {x}, static_cast<int>(n));
          s->set_attr("axis", int64_t{1});
          s->set_attr("split", sizes);
          for (int64_t i = 0; i < n; ++i) s->output(i)->set_name("p" + std::to_string(i));
          for (int64_t i = 0; i < n; i += 7) g.AddOutput(s->output(i));
          g.AddOutput(Op(g, "Neg", {s->output(n - 1)}));
        },
        false);
    EXPECT_LE(Widest(*g), kOdlaMaxValues) << n;
    std::vector<Tensor> ins = RandomInputs(*g);
    std::vector<Tensor> outs = Executor(*g).Run(ins);
    const float* x = ins[0].data<float>();
    std::vector<int64_t> start(n + 1, 0);
    for (int64_t i = 0; i < n; ++i) start[i + 1] = start[i] + sizes[i];
    size_t o = 0;
    for (int64_t i = 0; i < n; i += 7, ++o) {
      EXPECT_EQ(g->outputs()[o]->name(), "p" + std::to_string(i));
      ASSERT_EQ(outs[o].type(), Type(kF32, {2, sizes[i]}));
      for (int64_t b = 0; b < 2; ++b)
        for (int64_t j = 0; j < sizes[i]; ++j)
          ASSERT_EQ(outs[o].data<float>()[b * sizes[i] + j], x[b * total + start[i] + j]);
    }
    ASSERT_EQ(outs[o].type(), Type(kF32, {2, sizes[n - 1]}));
  }
}

// A left-to-right sum in float (the order the runtimes add in), over broadcast shapes; a
// maximum with a NaN among the inputs; an int32 minimum.
TEST(SplitWideOps, SumMaxMinAsChains) {
  const size_t n = 200;
  auto g = Built(
      [](Graph& g) {
        std::vector<Value*> xs;
        for (size_t i = 0; i < n; ++i)
          xs.push_back(g.AddInput("x" + std::to_string(i),
                                  Type(kF32, i % 3 == 0 ? Shape{3, 1} : Shape{1, 4})));
        g.AddOutput(Op(g, "Sum", xs, {}, "sum"));
        g.AddOutput(Op(g, "Max", xs, {}, "max"));
        g.AddOutput(Op(g, "Min", Inputs(g, n, Type(DataType::kInt32, {2}), "i"), {}, "min"));
      },
      false);
  EXPECT_LE(Widest(*g), kOdlaMaxValues);
  std::vector<Tensor> ins = RandomInputs(*g);
  ins[77].mutable_data<float>()[2] = std::numeric_limits<float>::quiet_NaN();
  for (size_t i = 0; i < n; ++i) {
    Tensor t(Type(DataType::kInt32, {2}));
    t.mutable_data<int32_t>()[0] = static_cast<int32_t>((i * 7919) % 1000) - 500;
    t.mutable_data<int32_t>()[1] = static_cast<int32_t>(i == 150 ? -100000 : i);
    ins[n + i] = t;
  }
  std::vector<Tensor> outs = Executor(*g).Run(ins);
  auto at = [&](size_t i, int r, int c) {  // input i broadcast to [3, 4]
    return ins[i].data<float>()[i % 3 == 0 ? r : c];
  };
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) {
      float sum = at(0, r, c);
      float max = at(0, r, c);
      for (size_t i = 1; i < n; ++i) {
        sum += at(i, r, c);
        max = std::isnan(max) || std::isnan(at(i, r, c)) ? NAN : std::max(max, at(i, r, c));
      }
      auto same = [](float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); };
      EXPECT_TRUE(same(outs[0].data<float>()[r * 4 + c], sum)) << r << " " << c;
      EXPECT_TRUE(same(outs[1].data<float>()[r * 4 + c], max)) << r << " " << c;
    }
  EXPECT_TRUE(std::isnan(outs[1].data<float>()[2]));  // input 77 is [1, 4]: its column 2
  int32_t min = 1 << 30;
  for (size_t i = 0; i < n; ++i) min = std::min(min, ins[n + i].data<int32_t>()[0]);
  EXPECT_EQ(outs[2].data<int32_t>()[0], min);
  EXPECT_EQ(outs[2].data<int32_t>()[1], -100000);
}

std::string LoweringError(const test::BuildFn& build) {
  auto g = Built(build, false);
  try {
    Executor e(*g);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Left wide, and refused with the node, its op and the limit: a Mean (its scale is taken
// once), a Sum of float16 (rounded once), and at 64 nothing changes.
TEST(SplitWideOps, LeavesMeanAndHalfSumsToTheLoweringError) {
  EXPECT_EQ(LoweringError([](Graph& g) {
              g.AddOutput(Op(g, "Mean", Inputs(g, 70, Type(kF32, {2})), {}, "m"));
            }),
            "node 'm' (Mean): input 'data_0' has 70 values; ODLA takes at most 64");
  EXPECT_EQ(LoweringError([](Graph& g) {
              g.AddOutput(Op(g, "Sum", Inputs(g, 65, Type(DataType::kFloat16, {2})), {}, "h"));
            }),
            "node 'h' (Sum): input 'data_0' has 65 values; ODLA takes at most 64");
  auto g = Built(
      [](Graph& g) {
        g.AddOutput(Op(g, "Concat", Inputs(g, 64, Type(kF32, {1})), {{"axis", int64_t{0}}}, "c"));
      },
      false);
  EXPECT_EQ(test::Ops(*g), std::vector<std::string>{"Concat"});
}

}  // namespace
}  // namespace halo
