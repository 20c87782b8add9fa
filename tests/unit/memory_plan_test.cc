// The static memory plan: lifetimes, disjoint placement, in-place results and views,
// alignment, the lower bound; execution with the plan; the ODLA calls that take it.
#include "targets/memory_plan.h"

#include <gtest/gtest.h>
#include <odla/odla.h>

#include <cmath>
#include <random>
#include <string>

#include "ir/op_registry.h"
#include "passes/passes.h"
#include "targets/executor.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;
using test::Floats;

Type F32Type(const Shape& s) { return Type(DataType::kFloat32, s); }

Tensor I64(const std::vector<int64_t>& v) {
  Tensor t(Type(DataType::kInt64, {static_cast<int64_t>(v.size())}));
  for (size_t i = 0; i < v.size(); ++i) t.mutable_data<int64_t>()[i] = v[i];
  return t;
}

Node* Op(Graph& g, const std::string& op, const std::string& name, const std::vector<Value*>& in) {
  return g.AddNode(op, name, in);
}

// Checks the plan against lifetimes computed here: every planned value lies in the arena at
// an aligned offset, and two values of different buffers whose lifetimes meet do not overlap.
void ExpectValid(const Graph& g, const MemoryPlan& plan) {
  std::map<const Value*, std::pair<int, int>> life;  // first write, last read
  const auto& nodes = g.nodes();
  for (size_t s = 0; s < nodes.size(); ++s) {
    for (size_t i = 0; i < nodes[s]->num_outputs(); ++i)
      life[nodes[s]->output(i)] = {static_cast<int>(s), static_cast<int>(s)};
    for (const Value* in : nodes[s]->inputs())
      if (in) life[in].second = static_cast<int>(s);
  }
  std::vector<const Value*> planned;
  for (const auto& [v, b] : plan.buffer_of) {
    planned.push_back(v);
    int64_t off = plan.OffsetOf(v);
    EXPECT_EQ(off % plan.alignment, 0) << v->name();
    EXPECT_LE(off + static_cast<int64_t>(v->type().ByteSize()), plan.arena_bytes) << v->name();
  }
  EXPECT_EQ(plan.arena_bytes % plan.alignment, 0);
  for (const Value* a : planned)
    for (const Value* b : planned) {
      if (a >= b || plan.buffer_of.at(a) == plan.buffer_of.at(b)) continue;
      bool meet = life[a].first <= life[b].second && life[b].first <= life[a].second;
      int64_t oa = plan.OffsetOf(a), ob = plan.OffsetOf(b);
      bool overlap = oa < ob + static_cast<int64_t>(b->type().ByteSize()) &&
                     ob < oa + static_cast<int64_t>(a->type().ByteSize());
      EXPECT_FALSE(meet && overlap) << a->name() << " and " << b->name();
    }
  EXPECT_GE(plan.arena_bytes, plan.lower_bound);
}

TEST(MemoryPlan, ChainReusesMemoryAndFindsTheLowerBound) {
  // x -> t1 (Transpose) -> t2 -> t3 -> out: at most two intermediates live at once.
  Graph g;
  Value* x = g.AddInput("x", F32Type({16, 32}));
  Value* t1 = Op(g, "Transpose", "t1", {x})->output();
  Value* t2 = Op(g, "Transpose", "t2", {t1})->output();
  Value* t3 = Op(g, "Transpose", "t3", {t2})->output();
  g.AddOutput(Op(g, "Transpose", "out", {t3})->output());
  InferShapes(g);
  MemoryPlan plan = PlanMemory(g);
  ASSERT_EQ(plan.buffers.size(), 3u);
  EXPECT_FALSE(plan.Planned(x));
  EXPECT_FALSE(plan.Planned(g.outputs()[0]));
  EXPECT_EQ(plan.lower_bound, 2 * 16 * 32 * 4);
  EXPECT_EQ(plan.arena_bytes, 2 * 16 * 32 * 4);
  EXPECT_EQ(plan.OffsetOf(t1), plan.OffsetOf(t3));
  EXPECT_NE(plan.OffsetOf(t1), plan.OffsetOf(t2));
  EXPECT_EQ(plan.buffers[plan.buffer_of.at(t1)].first, 1);
  EXPECT_EQ(plan.buffers[plan.buffer_of.at(t1)].last, 2);
  ExpectValid(g, plan);
}

TEST(MemoryPlan, ElementwiseResultTakesTheDyingInputsPlace) {
  Graph g;
  Value* x = g.AddInput("x", F32Type({8, 8}));
  Value* t = Op(g, "Transpose", "t", {x})->output();
  Value* r = Op(g, "Relu", "r", {t})->output();     // t dies here: in place
  Value* e = Op(g, "Exp", "e", {r})->output();      // r is read again below: not in place
  Value* s = Op(g, "Add", "s", {e, r})->output();   // both die: takes e's place
  Value* m = Op(g, "Mul", "m", {x, s})->output();   // x is an input: takes s's place
  Value* c = Op(g, "Less", "c", {m, x})->output();  // bool: a buffer of its own
  g.AddOutput(Op(g, "Where", "out", {c, m, x})->output());
  InferShapes(g);
  MemoryPlan plan = PlanMemory(g);
  EXPECT_EQ(plan.buffer_of.at(r), plan.buffer_of.at(t));
  EXPECT_NE(plan.buffer_of.at(e), plan.buffer_of.at(r));
  EXPECT_EQ(plan.buffer_of.at(s), plan.buffer_of.at(e));
  EXPECT_EQ(plan.buffer_of.at(m), plan.buffer_of.at(s));
  EXPECT_NE(plan.buffer_of.at(c), plan.buffer_of.at(m));
  EXPECT_EQ(plan.NumShared(), 3u);
  EXPECT_EQ(plan.buffers.size(), 3u);
  ExpectValid(g, plan);
}

TEST(MemoryPlan, ViewsShareTheirInputsBuffer) {
  Graph g;
  Value* x = g.AddInput("x", F32Type({4, 6}));
  Value* t = Op(g, "Transpose", "t", {x})->output();
  Value* shape = g.AddConstant("shape", I64({24}));
  Value* flat = Op(g, "Reshape", "flat", {t, shape})->output();
  Value* xr = Op(g, "Reshape", "xr", {x, shape})->output();  // of a graph input: its own
  Value* r = Op(g, "Relu", "r", {t})->output();  // t's buffer is read later (flat): not in place
  Value* a = Op(g, "Add", "a", {flat, xr})->output();
  Value* r2 = Op(g, "Reshape", "r2", {r, shape})->output();
  g.AddOutput(Op(g, "Add", "out", {a, r2})->output());
  InferShapes(g);
  MemoryPlan plan = PlanMemory(g);
  EXPECT_EQ(plan.buffer_of.at(flat), plan.buffer_of.at(t));
  EXPECT_NE(plan.buffer_of.at(xr), plan.buffer_of.at(t));
  EXPECT_NE(plan.buffer_of.at(r), plan.buffer_of.at(t));
  EXPECT_EQ(plan.buffer_of.at(r2), plan.buffer_of.at(r));
  // flat is read last by a, which takes its place; a is read by out (step 8).
  EXPECT_EQ(plan.buffer_of.at(a), plan.buffer_of.at(t));
  EXPECT_EQ(plan.buffers[plan.buffer_of.at(t)].last, 8);
  ExpectValid(g, plan);
}

TEST(MemoryPlan, AlignsOffsetsAndCountsRawBytesInTheBound) {
  Graph g;
  Value* x = g.AddInput("x", F32Type({3}));
  Value* a = Op(g, "Exp", "a", {x})->output();  // 12 bytes
  Value* b = Op(g, "Transpose", "b", {x})->output();
  Value* c = Op(g, "Transpose", "c", {x})->output();
  Value* s = Op(g, "Sum", "s", {a, b, c})->output();
  g.AddOutput(s);
  InferShapes(g);
  MemoryPlan plan = PlanMemory(g);
  EXPECT_EQ(plan.lower_bound, 3 * 12);
  EXPECT_EQ(plan.arena_bytes, 3 * 64);
  ExpectValid(g, plan);
  MemoryPlan p128 = PlanMemory(g, 128);
  EXPECT_EQ(p128.arena_bytes, 3 * 128);
  ExpectValid(g, p128);
}

// Runs `g` node by node, each on its own (EvaluateNode plans nothing).
std::vector<Tensor> RunUnplanned(const Graph& g, const std::vector<Tensor>& inputs) {
  std::map<const Value*, Tensor> vals;
  for (size_t i = 0; i < inputs.size(); ++i) vals[g.inputs()[i]] = inputs[i];
  for (const auto& n : g.nodes()) {
    if (n->op() == "Input") continue;
    if (n->op() == "Constant") {
      vals[n->output()] = n->GetTensor("value");
      continue;
    }
    std::vector<const Tensor*> in;
    for (const Value* v : n->inputs()) in.push_back(v ? &vals.at(v) : nullptr);
    auto out = EvaluateNode(*n, in);
    for (size_t i = 0; i < out.size(); ++i) vals[n->output(i)] = out[i];
  }
  std::vector<Tensor> r;
  for (const Value* v : g.outputs()) r.push_back(vals.at(v));
  return r;
}

TEST(MemoryPlan, RandomGraphsArePlacedWithoutConflicts) {
  std::mt19937 rng(7);
  const char* ops[] = {"Relu", "Transpose", "Add", "Neg", "Sub", "Abs"};
  for (int trial = 0; trial < 20; ++trial) {
    Graph g;
    Shape shape = {1 + trial % 5, 7};
    std::vector<Value*> vals = {g.AddInput("x", F32Type(shape))};
    for (int i = 0; i < 40; ++i) {
      std::string op = ops[rng() % 6];
      Value* a = vals[vals.size() - 1 - rng() % std::min<size_t>(vals.size(), 6)];
      Value* b = vals[rng() % vals.size()];
      std::vector<Value*> in = {a};
      if (op == "Add" || op == "Sub") in.push_back(b);
      if (op == "Transpose") {  // keeps the shape square-free: transpose twice
        a = Op(g, op, "p" + std::to_string(i), in)->output();
        in = {a};
      }
      vals.push_back(Op(g, op, "n" + std::to_string(i), in)->output());
    }
    g.AddOutput(vals.back());
    g.AddOutput(vals[vals.size() / 2]);
    InferShapes(g);
    MemoryPlan plan = PlanMemory(g);
    ExpectValid(g, plan);
    EXPECT_GT(plan.NumShared(), 0u);
    std::vector<float> x;
    for (int64_t i = 0; i < NumElements(shape); ++i) x.push_back(static_cast<float>(i % 5) - 2);
    std::vector<Tensor> in = {F32(shape, x)};
    auto want = RunUnplanned(g, in), got = Executor(g).Run(in);
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(Floats(got[i]), Floats(want[i])) << trial;
  }
}

TEST(MemoryPlan, ExecutionWithThePlanComputesTheSameResults) {
  Graph g;
  Value* x = g.AddInput("x", F32Type({2, 3}));
  Value* t = Op(g, "Transpose", "t", {x})->output();
  Value* r = Op(g, "Neg", "r", {t})->output();     // in place of t
  Value* e = Op(g, "Abs", "e", {r})->output();     // r is read again by s
  Value* s = Op(g, "Add", "s", {e, r})->output();  // r is read here last
  Value* shape = g.AddConstant("shape", I64({6}));
  Value* f = Op(g, "Reshape", "f", {s, shape})->output();  // a view
  g.AddOutput(Op(g, "Mul", "out", {f, f})->output());
  InferShapes(g);
  MemoryPlan plan = PlanMemory(g);
  EXPECT_EQ(plan.buffer_of.at(r), plan.buffer_of.at(t));
  EXPECT_EQ(plan.buffer_of.at(f), plan.buffer_of.at(s));
  Executor ex(g);
  auto out = ex.Run({F32({2, 3}, {1, -2, 3, -4, 5, -6})});
  // t = x^T; r = -t; e = |r|; s = e + r = 0 where r < 0, 2r elsewhere; out = s * s.
  std::vector<float> xt = {1, -4, -2, 5, 3, -6}, want;
  for (float v : xt) want.push_back(-v < 0 ? 0.0f : 4 * v * v);
  EXPECT_EQ(Floats(out[0]), want);
  EXPECT_EQ(Floats(ex.Run({F32({2, 3}, {1, -2, 3, -4, 5, -6})})[0]), want);  // reused memory
}

odla_value_type OdlaF32(int64_t n) {
  odla_value_type t{};
  t.element_type = ODLA_FLOAT32;
  t.shape.size = 1;
  t.shape.dims[0] = n;
  return t;
}

TEST(MemoryPlan, RuntimeChecksThePlan) {
  odla_computation comp;
  ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  odla_value x = odla_CreateArgument(OdlaF32(4), "x");
  odla_value a = odla_Exp(x, OdlaF32(4), "a");
  odla_value b = odla_Relu(a, OdlaF32(4), "b");  // in place of a
  odla_value y = odla_Neg(b, OdlaF32(4), "y");
  ASSERT_EQ(odla_SetValueAsOutput(y), ODLA_SUCCESS);
  ASSERT_EQ(odla_SetComputationArenaSize(comp, 64), ODLA_SUCCESS);
  EXPECT_EQ(odla_SetValueArenaOffset(x, 0), ODLA_INVALID_PARAM);   // an argument
  EXPECT_EQ(odla_SetValueArenaOffset(y, 0), ODLA_INVALID_PARAM);   // an output
  EXPECT_EQ(odla_SetValueArenaOffset(a, 2), ODLA_INVALID_PARAM);   // misaligned
  EXPECT_EQ(odla_SetValueArenaOffset(a, 52), ODLA_INVALID_PARAM);  // beyond the arena
  EXPECT_NE(std::string(odla_GetLastErrorText()).find("outside the arena of 64 bytes"),
            std::string::npos);
  EXPECT_EQ(odla_SetValueArenaOffset(a, 16), ODLA_SUCCESS);
  EXPECT_EQ(odla_SetValueArenaOffset(b, 16), ODLA_SUCCESS);
  EXPECT_EQ(odla_SetComputationArenaSize(comp, 32), ODLA_INVALID_PARAM);  // placed already
  odla_context ctx;
  ASSERT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
  float in[4] = {0, 1, -1, 2}, out[4];
  ASSERT_EQ(odla_BindToArgument(ctx, 0, in), ODLA_SUCCESS);
  ASSERT_EQ(odla_BindToOutput(ctx, 0, out), ODLA_SUCCESS);
  // Runs twice in one context, then in a new context that gets the first one's memory.
  for (int rep = 0; rep < 3; ++rep) {
    if (rep == 2) {
      odla_DestroyContext(ctx);
      ASSERT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
      ASSERT_EQ(odla_BindToArgument(ctx, 0, in), ODLA_SUCCESS);
      ASSERT_EQ(odla_BindToOutput(ctx, 0, out), ODLA_SUCCESS);
      in[1] = 3;
    }
    ASSERT_EQ(odla_ExecuteComputation(comp, ctx), ODLA_SUCCESS);
    for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(out[i], -std::exp(in[i]));
  }
  odla_DestroyComputation(comp);
  odla_DestroyContext(ctx);  // after its computation: the kept memory goes with it
}

}  // namespace
}  // namespace halo
