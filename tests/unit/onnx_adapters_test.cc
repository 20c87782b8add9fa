// ONNX frontend: old operator forms, attributes that became inputs, optional inputs and
// results. Each test needs HALO ops from other families and skips until they exist.
#include <gtest/gtest.h>

#include "ir/op_registry.h"
#include "onnx_test_util.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT

#define REQUIRE_OPS(...)               \
  for (const char* op : {__VA_ARGS__}) \
    if (!OpRegistry::Get().Find(op)) GTEST_SKIP() << op << " is not in HALO yet"

Node* Producer(const Graph& g, size_t out = 0) { return g.outputs().at(out)->producer(); }

TEST(OnnxAdapters, OldSoftmaxOnLastAxisIsDirect) {
  REQUIRE_OPS("Softmax");
  onnx::ModelProto m = Model(11);
  In(m, "x", {2, 5});
  IntAttr(Op(m, "Softmax", {"x"}, {"y"}, "sm"), "axis", 1);
  Out(m, "y");
  auto g = ImportOnnx(Save(m, "softmax11_last.onnx"), {});
  Node* n = Producer(*g);
  EXPECT_EQ(n->op(), "Softmax");
  EXPECT_EQ(n->GetInt("axis"), -1);
  EXPECT_EQ(n->input(0), g->inputs()[0]);
  EXPECT_EQ(g->outputs()[0]->name(), "y");
}

TEST(OnnxAdapters, OldSoftmaxOnInnerAxisFlattens) {
  REQUIRE_OPS("LogSoftmax", "Flatten", "Shape", "Reshape");
  onnx::ModelProto m = Model(12);
  In(m, "x", {2, 3, 4});
  Op(m, "Relu", {"x"}, {"r"});  // no value_info: the rank of r is unknown
  IntAttr(Op(m, "LogSoftmax", {"r"}, {"y"}, "lsm"), "axis", 1);
  Out(m, "y");
  auto g = ImportOnnx(Save(m, "logsoftmax12_inner.onnx"), {});
  Node* reshape = Producer(*g);
  ASSERT_EQ(reshape->op(), "Reshape");
  EXPECT_EQ(g->outputs()[0]->name(), "y");
  Node* lsm = reshape->input(0)->producer();
  EXPECT_EQ(lsm->op(), "LogSoftmax");
  EXPECT_EQ(lsm->name(), "lsm");
  EXPECT_EQ(lsm->GetInt("axis"), -1);
  Node* flat = lsm->input(0)->producer();
  EXPECT_EQ(flat->op(), "Flatten");
  EXPECT_EQ(flat->GetInt("axis"), 1);
  Node* shape = reshape->input(1)->producer();
  EXPECT_EQ(shape->op(), "Shape");
  EXPECT_EQ(shape->input(0), flat->input(0));
  EXPECT_EQ(shape->input(0)->name(), "r");
}

TEST(OnnxAdapters, UpsampleBecomesResize) {
  REQUIRE_OPS("Resize");
  onnx::ModelProto m = Model(7);
  In(m, "x", {1, 1, 2, 2});
  auto* up = Op(m, "Upsample", {"x"}, {"y"}, "up");
  FloatsAttr(up, "scales", {1, 1, 2, 3});
  Out(m, "y");
  auto g = ImportOnnx(Save(m, "upsample7.onnx"), {});
  Node* n = Producer(*g);
  ASSERT_EQ(n->op(), "Resize");
  EXPECT_EQ(n->name(), "up");
  EXPECT_EQ(n->input(1), nullptr);
  const Tensor* scales = ConstantOf(n->input(2));
  ASSERT_NE(scales, nullptr);
  EXPECT_EQ(scales->ToDoubles(), (std::vector<double>{1, 1, 2, 3}));
  EXPECT_EQ(n->GetString("mode"), "nearest");
  EXPECT_EQ(n->GetString("coordinate_transformation_mode"), "asymmetric");
  EXPECT_EQ(n->GetString("nearest_mode"), "floor");
}

TEST(OnnxAdapters, OldAttributesKeepTheirNames) {
  REQUIRE_OPS("Slice", "Squeeze");
  onnx::ModelProto m = Model(9);
  In(m, "x", {4, 3});
  auto* s = Op(m, "Slice", {"x"}, {"s"}, "slice");
  IntsAttr(s, "starts", {1});
  IntsAttr(s, "ends", {2});
  IntsAttr(s, "axes", {0});
  IntsAttr(Op(m, "Squeeze", {"s"}, {"y"}, "sq"), "axes", {0});
  Out(m, "y");
  auto g = ImportOnnx(Save(m, "slice9.onnx"), {});
  Node* sq = Producer(*g);
  EXPECT_EQ(sq->GetInts("axes"), (std::vector<int64_t>{0}));
  EXPECT_EQ(sq->num_inputs(), 1u);
  Node* slice = sq->input(0)->producer();
  EXPECT_EQ(slice->GetInts("starts"), (std::vector<int64_t>{1}));
  EXPECT_EQ(slice->GetInts("ends"), (std::vector<int64_t>{2}));
}

TEST(OnnxAdapters, UndeclaredAttributeFeedsTheInputOfItsName) {
  REQUIRE_OPS("TopK");
  const OpDef* def = OpRegistry::Get().Find("TopK");
  if (def->FindAttr("k")) GTEST_SKIP() << "HALO's TopK declares the attribute k";
  onnx::ModelProto m = Model(9);
  In(m, "x", {5});
  IntAttr(Op(m, "TopK", {"x"}, {"v", "i"}, "top"), "k", 2);
  Out(m, "v");
  Out(m, "i", onnx::TensorProto::INT64);
  auto g = ImportOnnx(Save(m, "topk9.onnx"), {});
  Node* n = Producer(*g);
  const Tensor* k = ConstantOf(n->input(1));
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->ToInts(), (std::vector<int64_t>{2}));
  EXPECT_EQ(g->outputs()[1]->producer(), n);
}

TEST(OnnxAdapters, AbsentInputsAndDTypeAttributes) {
  REQUIRE_OPS("Pad", "EyeLike");
  onnx::ModelProto m = Model(13);
  In(m, "x", {2, 2});
  onnx::TensorProto pads;
  pads.set_name("pads");
  pads.set_data_type(onnx::TensorProto::INT64);
  pads.add_dims(4);
  for (int64_t p : {0, 1, 0, 1}) pads.add_int64_data(p);
  *m.mutable_graph()->add_initializer() = pads;
  Op(m, "Pad", {"x", "pads", ""}, {"p"}, "pad");
  IntAttr(Op(m, "EyeLike", {"x"}, {"e"}, "eye"), "dtype", onnx::TensorProto::INT32);
  Out(m, "p");
  Out(m, "e", onnx::TensorProto::INT32);
  auto g = ImportOnnx(Save(m, "absent.onnx"), {});
  Node* pad = Producer(*g, 0);
  EXPECT_EQ(pad->num_inputs(), 2u);  // the trailing absent input is dropped
  EXPECT_EQ(Producer(*g, 1)->GetDType("dtype"), DataType::kInt32);
}

TEST(OnnxAdapters, UnnamedAndUnusedResults) {
  REQUIRE_OPS("Split");
  onnx::ModelProto m = Model(13);
  In(m, "x", {6});
  Op(m, "Split", {"x"}, {"a", "", "c"}, "split");
  Out(m, "c");
  auto g = ImportOnnx(Save(m, "split_unnamed.onnx"), {});
  Node* n = Producer(*g);
  ASSERT_EQ(n->num_outputs(), 3u);
  EXPECT_EQ(n->output(0)->name(), "a");
  EXPECT_FALSE(n->output(1)->name().empty());
  EXPECT_NE(n->output(1)->name(), "a");
  EXPECT_EQ(n->output(2)->name(), "c");
}

TEST(OnnxAdapters, OldBatchNormSpatial) {
  REQUIRE_OPS("BatchNormalization");
  for (int64_t spatial : {1, 0}) {
    onnx::ModelProto m = Model(7);
    In(m, "x", {1, 2, 2});
    for (const char* n : {"s", "bias", "mean", "var"}) In(m, n, {2});
    auto* bn = Op(m, "BatchNormalization", {"x", "s", "bias", "mean", "var"}, {"y"}, "bn");
    IntAttr(bn, "spatial", spatial);
    Out(m, "y");
    std::string err = ImportError(Save(m, "bn7.onnx"));
    if (spatial == 1)
      EXPECT_EQ(err, "");
    else
      EXPECT_HAS(err, "node 'bn' (BatchNormalization): spatial=0 (per-element statistics)");
  }
}

}  // namespace
}  // namespace halo
