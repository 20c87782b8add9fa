// Ops with data-dependent result shapes (NonZero, Unique, NonMaxSuppression): bounded types,
// the rule that such a value only ends the graph, the kernels, numbers through the executor
// (actual shapes), folding to static constants and the ODLA runtime's output shapes.
#include <gtest/gtest.h>
#include <odla/odla.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../../runtimes/kernels/nms.h"
#include "../../runtimes/kernels/nonzero.h"
#include "../../runtimes/kernels/unique.h"
#include "op_test_util.h"

namespace halo {
namespace {

using test::Arg;
using test::Bools;
using test::F32s;
using test::I64s;
using test::Make;
using test::OpGraph;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using Attrs = std::map<std::string, AttrValue>;

std::vector<int64_t> Ints(const Tensor& t) { return t.ToInts(); }

// ---- Types and rules ----

TEST(DataDependentTypes, PrintAndCompare) {
  Type t(DataType::kInt64, {2, 6});
  Type bounded = t;
  bounded.MarkDynamic(1);
  EXPECT_EQ(bounded.ToString(), "i64[2x<=6]");
  EXPECT_TRUE(bounded.HasDynamicDims());
  EXPECT_FALSE(bounded.IsDynamicDim(0));
  EXPECT_NE(bounded, t);
  EXPECT_THROW(bounded.MarkDynamic(2), Error);
  EXPECT_THROW(Tensor{bounded}, Error);  // constants are static
}

TEST(DataDependentRules, BoundsFromTheInputShapes) {
  EXPECT_EQ(OpGraph("NonZero", {Bools({2, 3}, {1, 0, 1, 0, 0, 1})}).Infer().ToString(),
            "i64[2x<=6]");
  EXPECT_EQ(OpGraph("NonZero", {F32s({}, {1})}).Infer().ToString(), "i64[1x<=1]");

  OpGraph flat("Unique", {F32s({2, 3}, {1, 2, 3, 4, 5, 6})}, {}, 4);
  flat.Infer();
  std::vector<std::string> want = {"f32[<=6]", "i64[<=6]", "i64[6]", "i64[<=6]"};
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(flat.node->output(i)->type().ToString(), want[i]);
  OpGraph along("Unique", {F32s({2, 4, 2}, std::vector<double>(16))}, {{"axis", int64_t{-2}}}, 3);
  EXPECT_EQ(along.Infer().ToString(), "f32[2x<=4x2]");
  EXPECT_EQ(along.node->GetInt("axis"), 1);
  EXPECT_EQ(along.node->output(2)->type().ToString(), "i64[4]");

  Tensor boxes = F32s({2, 6, 4}, std::vector<double>(48));
  Tensor scores = F32s({2, 3, 6}, std::vector<double>(36));
  auto nms = [&](int64_t max_out) {
    return OpGraph("NonMaxSuppression",
                   {boxes, scores, Arg::Const(I64s({1}, {max_out})), Arg::Const(F32s({1}, {0.5})),
                    Arg::Const(F32s({1}, {0.25}))})
        .Infer()
        .ToString();
  };
  EXPECT_EQ(nms(4), "i64[<=24x3]");
  EXPECT_EQ(nms(100), "i64[<=36x3]");  // at most every box of each batch and class
  EXPECT_EQ(OpGraph("NonMaxSuppression", {boxes, scores}).Infer().ToString(), "i64[<=0x3]");
}

TEST(DataDependentRules, NonMaxSuppressionChecksItsInputs) {
  Tensor boxes = F32s({1, 2, 4}, std::vector<double>(8));
  EXPECT_NE(test::InferError("NonMaxSuppression", {boxes, F32s({1, 1, 3}, {0, 0, 0})})
                .find("'scores' must be [num_batches, num_classes, spatial_dimension]"),
            std::string::npos);
  EXPECT_NE(test::InferError("NonMaxSuppression", {boxes, F32s({1, 1, 2}, {0, 0}), I64s({1}, {2})})
                .find("'max_output_boxes_per_class' must be a constant"),
            std::string::npos);
}

// A value with a data-dependent shape can only be a graph output: a consumer is an error
// naming the node, its op and the input.
TEST(DataDependentRules, ConsumersAreRejected) {
  Graph g;
  Value* x = g.AddInput("x", Type(DataType::kBool, {2, 2}));
  Node* nz = g.AddNode("NonZero", "nz", {x});
  nz->output()->set_name("idx");
  Node* t = g.AddNode("Transpose", "t", {nz->output()});
  g.AddOutput(t->output());
  try {
    RunPipeline(g);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "node 't' (Transpose): input 'data' ('idx': i64[2x<=4]) has a data-dependent "
              "shape, which Transpose does not accept (such a value can only be a graph output)");
  }
}

// With constant inputs the op folds into a constant of its actual, static shape.
TEST(DataDependentRules, FoldsToStaticConstants) {
  OpGraph og("NonZero", {Arg::Const(Bools({2, 2}, {1, 0, 1, 1}))});
  RunPipeline(og.g);
  const Value* out = og.g.outputs().at(0);
  EXPECT_EQ(out->producer()->op(), "Constant");
  EXPECT_EQ(out->type().ToString(), "i64[2x3]");
  EXPECT_EQ(Ints(*ConstantOf(out)), (std::vector<int64_t>{0, 1, 1, 0, 0, 1}));
}

// ---- Kernels ----

TEST(DataDependentKernels, NonZeroInRowMajorOrder) {
  const int x[6] = {0, 5, 0, 7, 8, 0};  // [2, 3]
  int64_t y[12];
  auto nonzero = [](int v) { return v != 0; };
  ASSERT_EQ(odla_rt::NonZero(x, {2, 3}, nonzero, y), 3);
  EXPECT_EQ(std::vector<int64_t>(y, y + 6), (std::vector<int64_t>{0, 1, 1, 1, 0, 1}));
}

TEST(DataDependentKernels, UniqueSortedAndInOrderOfFirstOccurrence) {
  const float x[6] = {2, 1, 1, 3, 4, 3};
  float y[6];
  int64_t first[6], inverse[6], counts[6];
  ASSERT_EQ(odla_rt::Unique(x, 1, 6, 1, true, y, first, inverse, counts), 4);
  EXPECT_EQ(std::vector<float>(y, y + 4), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(std::vector<int64_t>(first, first + 4), (std::vector<int64_t>{1, 0, 3, 4}));
  EXPECT_EQ(std::vector<int64_t>(inverse, inverse + 6), (std::vector<int64_t>{1, 0, 0, 2, 3, 2}));
  EXPECT_EQ(std::vector<int64_t>(counts, counts + 4), (std::vector<int64_t>{2, 1, 2, 1}));
  ASSERT_EQ(odla_rt::Unique(x, 1, 6, 1, false, y, nullptr, inverse, nullptr), 4);
  EXPECT_EQ(std::vector<float>(y, y + 4), (std::vector<float>{2, 1, 3, 4}));
  EXPECT_EQ(std::vector<int64_t>(inverse, inverse + 6), (std::vector<int64_t>{0, 1, 1, 2, 3, 2}));
}

TEST(DataDependentKernels, BoxesAndOverlap) {
  using odla_rt::Box;
  const float flipped[4] = {1, 1, 0, 0}, center[4] = {0.5f, 0.5f, 1, 1};
  Box<float> a = odla_rt::ReadBox(flipped, false), b = odla_rt::ReadBox(center, true);
  EXPECT_EQ(std::vector<float>({a.y1, a.x1, a.y2, a.x2}), (std::vector<float>{0, 0, 1, 1}));
  EXPECT_EQ(std::vector<float>({b.y1, b.x1, b.y2, b.x2}), (std::vector<float>{0, 0, 1, 1}));
  Box<float> shifted{0, 0.5f, 1, 1.5f};  // IoU with a: 0.5 / 1.5
  EXPECT_TRUE(odla_rt::OverlapsMore(a, shifted, 0.3f));
  EXPECT_FALSE(odla_rt::OverlapsMore(a, shifted, 0.34f));
  Box<float> empty{0, 0, 0, 1};
  EXPECT_FALSE(odla_rt::OverlapsMore(a, empty, 0.0f));
}

TEST(DataDependentKernels, GreedyNmsKeepsTheBestOfEachCluster) {
  using odla_rt::Box;
  std::vector<Box<float>> boxes = {{0, 0, 1, 1}, {0, 0.1f, 1, 1.1f}, {0, 10, 1, 11}};
  const float scores[3] = {0.8f, 0.9f, 0.7f};
  EXPECT_EQ(odla_rt::GreedyNms(boxes.data(), scores, 3, 0.0f, 0.5f, 10),
            (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(odla_rt::GreedyNms(boxes.data(), scores, 3, 0.0f, 0.5f, 1), (std::vector<int64_t>{1}));
  EXPECT_EQ(odla_rt::GreedyNms(boxes.data(), scores, 3, 0.75f, 0.5f, 10),
            (std::vector<int64_t>{1}));
  EXPECT_EQ(odla_rt::GreedyNms(boxes.data(), scores, 3, 0.0f, 0.95f, 10),
            (std::vector<int64_t>{1, 0, 2}));
}

// ---- Numbers through the executor, with actual shapes ----

TEST(DataDependentNumeric, NonZero) {
  auto run = [](const Tensor& x) { return test::RunOp("NonZero", {x}); };
  Tensor r = run(Bools({2, 2}, {1, 0, 1, 1}));
  EXPECT_EQ(r.type().ToString(), "i64[2x3]");
  EXPECT_EQ(Ints(r), (std::vector<int64_t>{0, 1, 1, 0, 0, 1}));
  r = run(F32s({4}, {0, -0.0, kNaN, 2}));  // -0 is zero, NaN is not
  EXPECT_EQ(r.type().ToString(), "i64[1x2]");
  EXPECT_EQ(Ints(r), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(run(F32s({2, 2}, {0, 0, 0, 0})).type().ToString(), "i64[2x0]");
  r = run(Make<int>(DataType::kFloat16, {3}, {0x8000, 0x3c00, 0}));  // -0, 1, 0
  EXPECT_EQ(Ints(r), (std::vector<int64_t>{1}));
  r = run(I64s({}, {7}));
  EXPECT_EQ(r.type().ToString(), "i64[1x1]");
  EXPECT_EQ(Ints(r), (std::vector<int64_t>{0}));
}

std::vector<Tensor> RunUnique(const Tensor& x, const Attrs& attrs, int results = 4) {
  OpGraph og("Unique", {x}, attrs, results);
  return og.Run();
}

TEST(DataDependentNumeric, UniqueAlongAnAxis) {
  // ONNX's test_unique_sorted_with_axis_3d.
  Tensor x = F32s({2, 4, 2}, {1, 1, 0, 1, 2, 1, 0, 1, 1, 1, 0, 1, 2, 1, 0, 1});
  auto r = RunUnique(x, {{"axis", int64_t{1}}});
  EXPECT_EQ(r[0].type().ToString(), "f32[2x3x2]");
  EXPECT_EQ(test::Doubles(r[0]), (std::vector<double>{0, 1, 1, 1, 2, 1, 0, 1, 1, 1, 2, 1}));
  EXPECT_EQ(Ints(r[1]), (std::vector<int64_t>{1, 0, 2}));
  EXPECT_EQ(Ints(r[2]), (std::vector<int64_t>{1, 0, 2, 0}));
  EXPECT_EQ(Ints(r[3]), (std::vector<int64_t>{2, 1, 1}));
  // Along the last axis, unsorted: columns (1, 1, 2), (0, 0, 3), (0, 0, 3).
  Tensor m = F32s({3, 3}, {1, 0, 0, 1, 0, 0, 2, 3, 3});
  r = RunUnique(m, {{"axis", int64_t{-1}}, {"sorted", int64_t{0}}}, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].type().ToString(), "f32[3x2]");
  EXPECT_EQ(test::Doubles(r[0]), (std::vector<double>{1, 0, 1, 0, 2, 3}));
}

TEST(DataDependentNumeric, UniqueFlattenedWithNaNAndOtherTypes) {
  auto r = RunUnique(F32s({3}, {kNaN, 1, kNaN}), {});
  ASSERT_EQ(r[0].type().ToString(), "f32[2]");
  EXPECT_EQ(r[0].data<float>()[0], 1.0f);
  EXPECT_TRUE(std::isnan(r[0].data<float>()[1]));
  EXPECT_EQ(Ints(r[2]), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(Ints(r[3]), (std::vector<int64_t>{1, 2}));
  r = RunUnique(Bools({2, 2}, {1, 1, 1, 1}), {{"sorted", int64_t{0}}});
  EXPECT_EQ(r[0].type().ToString(), "bool[1]");
  EXPECT_EQ(Ints(r[3]), (std::vector<int64_t>{4}));
  r = RunUnique(I64s({5}, {-3, 9, -3, 4, 9}), {});
  EXPECT_EQ(Ints(r[0]), (std::vector<int64_t>{-3, 4, 9}));
  EXPECT_EQ(Ints(r[1]), (std::vector<int64_t>{0, 3, 1}));
}

// Six boxes of ONNX's NonMaxSuppression tests: two clusters of three and a lone one.
Tensor SixBoxes() {
  return F32s({1, 6, 4}, {0, 0,  1, 1,  0, 0.1,  1, 1.1,  0, -0.1, 1, 0.9,
                          0, 10, 1, 11, 0, 10.1, 1, 11.1, 0, 100,  1, 101});
}
const std::vector<double> kSixScores = {0.9, 0.75, 0.6, 0.95, 0.5, 0.3};

Tensor Nms(const Tensor& boxes, const Tensor& scores, int64_t max_out, double iou, double score,
           const Attrs& attrs = {}) {
  return test::RunOp("NonMaxSuppression",
                     {boxes, scores, Arg::Const(I64s({1}, {max_out})), Arg::Const(F32s({1}, {iou})),
                      Arg::Const(F32s({1}, {score}))},
                     attrs);
}

TEST(DataDependentNumeric, NonMaxSuppression) {
  Tensor scores = F32s({1, 1, 6}, kSixScores);
  Tensor r = Nms(SixBoxes(), scores, 3, 0.5, 0);
  EXPECT_EQ(r.type().ToString(), "i64[3x3]");
  EXPECT_EQ(Ints(r), (std::vector<int64_t>{0, 0, 3, 0, 0, 0, 0, 0, 5}));
  EXPECT_EQ(Ints(Nms(SixBoxes(), scores, 2, 0.5, 0)), (std::vector<int64_t>{0, 0, 3, 0, 0, 0}));
  EXPECT_EQ(Ints(Nms(SixBoxes(), scores, 3, 0.5, 0.4)), (std::vector<int64_t>{0, 0, 3, 0, 0, 0}));
  EXPECT_EQ(Nms(SixBoxes(), scores, 3, 0.5, 0.99).type().ToString(), "i64[0x3]");
  // The same boxes as centres and sizes.
  Tensor centered = F32s({1, 6, 4}, {0.5, 0.5,  1, 1, 0.5, 0.6,  1, 1, 0.5, 0.4,   1, 1,
                                     0.5, 10.5, 1, 1, 0.5, 10.6, 1, 1, 0.5, 100.5, 1, 1});
  EXPECT_EQ(Ints(Nms(centered, scores, 3, 0.5, 0, {{"center_point_box", int64_t{1}}})),
            (std::vector<int64_t>{0, 0, 3, 0, 0, 0, 0, 0, 5}));
}

TEST(DataDependentNumeric, NonMaxSuppressionByBatchAndClass) {
  // Batch 1 holds the boxes moved apart: nothing overlaps. Class 1 scores box 5 best and ties
  // the others: lower indices first.
  std::vector<double> b = test::Doubles(SixBoxes()), apart = b;
  for (int i = 0; i < 6; ++i) {
    apart[4 * i + 1] += 3 * i;
    apart[4 * i + 3] += 3 * i;
  }
  b.insert(b.end(), apart.begin(), apart.end());
  std::vector<double> s = kSixScores;
  for (double v : {0.1, 0.1, 0.1, 0.1, 0.1, 0.9}) s.push_back(v);
  std::vector<double> one_batch = s;
  s.insert(s.end(), one_batch.begin(), one_batch.end());
  Tensor r = Nms(F32s({2, 6, 4}, b), F32s({2, 2, 6}, s), 2, 0.5, 0);
  EXPECT_EQ(r.type().ToString(), "i64[8x3]");
  EXPECT_EQ(Ints(r), (std::vector<int64_t>{0, 0, 3, 0, 0, 0, 0, 1, 5, 0, 1, 0,  //
                                           1, 0, 3, 1, 0, 0, 1, 1, 5, 1, 1, 0}));
}

// ---- The ODLA runtime: actual shapes, and no data-dependent inputs ----

odla_value_type TypeOf(odla_element_type t, std::vector<int64_t> dims) {
  odla_value_type r{};
  r.element_type = t;
  r.shape.size = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) r.shape.dims[i] = dims[i];
  return r;
}

TEST(DataDependentRuntime, OutputShapesPerExecution) {
  odla_computation comp;
  ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  odla_value x = odla_CreateArgument(TypeOf(ODLA_INT32, {4}), "x");
  odla_value nz = odla_NonZero(x, TypeOf(ODLA_INT64, {1, 4}), "nz");
  ASSERT_NE(nz, nullptr);
  EXPECT_EQ(odla_Neg(nz, TypeOf(ODLA_INT64, {1, 4}), "neg"), nullptr);
  EXPECT_NE(std::string(odla_GetLastErrorText()).find("'nz' has a data-dependent shape"),
            std::string::npos)
      << odla_GetLastErrorText();
  odla_DestroyComputation(comp);

  ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  x = odla_CreateArgument(TypeOf(ODLA_INT32, {4}), "x");
  nz = odla_NonZero(x, TypeOf(ODLA_INT64, {1, 4}), "nz");
  ASSERT_EQ(odla_SetValueAsOutput(nz), ODLA_SUCCESS);
  ASSERT_EQ(odla_SetValueAsOutput(x), ODLA_SUCCESS);
  odla_context ctx;
  ASSERT_EQ(odla_CreateContext(&ctx), ODLA_SUCCESS);
  odla_value_shape s{};
  ASSERT_EQ(odla_GetOutputShape(ctx, 0, &s), ODLA_SUCCESS);
  EXPECT_EQ(std::vector<int64_t>(s.dims, s.dims + s.size), (std::vector<int64_t>{1, 4}));
  int32_t a[4] = {0, 3, 0, 3}, copy[4];
  int64_t y[4] = {-1, -1, -1, -1};
  odla_BindToArgument(ctx, 0, a);
  odla_BindToOutput(ctx, 0, y);
  odla_BindToOutput(ctx, 1, copy);
  ASSERT_EQ(odla_ExecuteComputation(comp, ctx), ODLA_SUCCESS);
  ASSERT_EQ(odla_GetOutputShapeById(ctx, "nz", &s), ODLA_SUCCESS);
  EXPECT_EQ(std::vector<int64_t>(s.dims, s.dims + s.size), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(std::vector<int64_t>(y, y + 4), (std::vector<int64_t>{1, 3, -1, -1}));
  ASSERT_EQ(odla_GetOutputShape(ctx, 1, &s), ODLA_SUCCESS);
  EXPECT_EQ(std::vector<int64_t>(s.dims, s.dims + s.size), (std::vector<int64_t>{4}));
  a[0] = 5;
  ASSERT_EQ(odla_ExecuteComputation(comp, ctx), ODLA_SUCCESS);
  ASSERT_EQ(odla_GetOutputShape(ctx, 0, &s), ODLA_SUCCESS);
  EXPECT_EQ(s.dims[1], 3);
  EXPECT_EQ(odla_GetOutputShape(ctx, 2, &s), ODLA_INVALID_PARAM);
  EXPECT_EQ(odla_GetOutputShapeById(ctx, "none", &s), ODLA_INVALID_PARAM);
  odla_DestroyContext(ctx);
  odla_DestroyComputation(comp);
}

}  // namespace
}  // namespace halo
