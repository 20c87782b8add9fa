// ONNX frontend: old operator forms, attributes that became inputs, optional inputs and
// results, on HALO's real ops (a test skips while an op family it needs is missing).
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

TEST(OnnxAdapters, OldSoftmaxIsLegacy2D) {
  REQUIRE_OPS("Softmax", "LogSoftmax");
  onnx::ModelProto m = Model(11);
  In(m, "x", {2, 3, 4});
  Op(m, "Softmax", {"x"}, {"s"}, "sm");
  IntAttr(Op(m, "LogSoftmax", {"s"}, {"y"}, "lsm"), "axis", 2);
  Out(m, "y");
  auto g = ImportOnnx(Save(m, "softmax11.onnx"), {});
  Node* lsm = Producer(*g);
  EXPECT_EQ(lsm->GetInt("axis"), 2);
  EXPECT_EQ(lsm->GetInt("legacy_2d"), 1);
  Node* sm = lsm->input(0)->producer();
  EXPECT_EQ(sm->name(), "sm");
  EXPECT_EQ(sm->GetInt("axis"), 1);  // the old default, made explicit
  EXPECT_EQ(sm->GetInt("legacy_2d"), 1);

  m.mutable_opset_import(0)->set_version(13);
  g = ImportOnnx(Save(m, "softmax13.onnx"), {});
  EXPECT_FALSE(Producer(*g)->has_attr("legacy_2d"));
  EXPECT_EQ(Producer(*g)->GetInt("axis"), 2);
}

TEST(OnnxAdapters, OldAttributesKeepTheirNames) {
  REQUIRE_OPS("Slice", "Squeeze", "Clip", "Dropout");
  onnx::ModelProto m = Model(9);
  In(m, "x", {4, 3});
  auto* s = Op(m, "Slice", {"x"}, {"s"}, "slice");
  IntsAttr(s, "starts", {1});
  IntsAttr(s, "ends", {2});
  IntsAttr(s, "axes", {0});
  IntsAttr(Op(m, "Squeeze", {"s"}, {"q"}, "sq"), "axes", {0});
  auto* clip = Op(m, "Clip", {"q"}, {"c"}, "clip");
  Attr(clip, "min", onnx::AttributeProto::FLOAT)->set_f(-1.5f);
  Attr(clip, "max", onnx::AttributeProto::FLOAT)->set_f(2);
  Attr(Op(m, "Dropout", {"c"}, {"y"}, "drop"), "ratio", onnx::AttributeProto::FLOAT)->set_f(0.25f);
  Out(m, "y");
  auto g = ImportOnnx(Save(m, "old_attrs9.onnx"), {});
  Node* drop = Producer(*g);
  EXPECT_EQ(drop->GetFloat("ratio"), 0.25);
  EXPECT_EQ(drop->num_outputs(), 1u);
  Node* c = drop->input(0)->producer();
  EXPECT_EQ(c->GetFloat("min"), -1.5);
  EXPECT_EQ(c->GetFloat("max"), 2.0);
  EXPECT_EQ(c->num_inputs(), 1u);
  Node* sq = c->input(0)->producer();
  EXPECT_EQ(sq->GetInts("axes"), (std::vector<int64_t>{0}));
  EXPECT_EQ(sq->num_inputs(), 1u);
  Node* slice = sq->input(0)->producer();
  EXPECT_EQ(slice->GetInts("starts"), (std::vector<int64_t>{1}));
  EXPECT_EQ(slice->GetInts("ends"), (std::vector<int64_t>{2}));
}

TEST(OnnxAdapters, OldNNForms) {
  REQUIRE_OPS("Upsample", "TopK");
  onnx::ModelProto m = Model(7);
  In(m, "x", {1, 1, 2, 2});
  FloatsAttr(Op(m, "Upsample", {"x"}, {"u"}, "up"), "scales", {1, 1, 2, 3});
  auto* top = Op(m, "TopK", {"u"}, {"v", "i"}, "top");
  IntAttr(top, "k", 2);
  Out(m, "v");
  Out(m, "i", onnx::TensorProto::INT64);
  auto g = ImportOnnx(Save(m, "old_nn7.onnx"), {});
  Node* t = Producer(*g);
  EXPECT_EQ(t->GetInt("k"), 2);
  EXPECT_EQ(Producer(*g, 1), t);
  EXPECT_EQ(g->outputs()[1]->name(), "i");
  Node* up = t->input(0)->producer();
  EXPECT_EQ(up->op(), "Upsample");
  EXPECT_EQ(up->GetFloats("scales"), (std::vector<double>{1, 1, 2, 3}));
}

TEST(OnnxAdapters, Opset6PReluSlopeIsPerChannel) {
  REQUIRE_OPS("PRelu");
  onnx::ModelProto m = Model(6);
  m.set_ir_version(3);
  In(m, "x", {2, 3, 4, 5});
  In(m, "slope", {3});
  *m.mutable_graph()->add_initializer() = FloatProto("slope", {3}, {0.1f, 0.2f, 0.3f});
  Op(m, "PRelu", {"x", "slope"}, {"y"}, "prelu");
  Out(m, "y");
  auto g = ImportOnnx(Save(m, "prelu6.onnx"), {});
  const Tensor* slope = ConstantOf(Producer(*g)->input(1));
  ASSERT_NE(slope, nullptr);
  EXPECT_EQ(slope->type().shape, (Shape{3, 1, 1}));
  EXPECT_EQ(slope->GetDouble(2), 0.3f);
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

}  // namespace
}  // namespace halo
