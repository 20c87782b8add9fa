// Models of opsets 18 to 20 (newer than the ONNX library HALO builds with knows): their new
// node forms, the ops translated into element-wise ones (Gelu, Mish), new attributes at
// their defaults only, and ONNX's checker still judging the rest of the graph.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "onnx_test_util.h"
#include "passes/passes.h"
#include "targets/executor.h"
#include "test_util.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT
using test::F32;

onnx::TensorProto IntsProto(const std::string& name, const std::vector<int64_t>& v,
                            bool scalar = false) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  if (!scalar) t.add_dims(static_cast<int64_t>(v.size()));
  for (int64_t x : v) t.add_int64_data(x);
  return t;
}

void Init(onnx::ModelProto& m, onnx::TensorProto t) {
  *m.mutable_graph()->add_initializer() = std::move(t);
}

// x: f32[2x3x4] with values i * 0.37 - 4 (i the flat index).
Tensor X() {
  std::vector<float> v(24);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) * 0.37f - 4;
  return F32({2, 3, 4}, v);
}

std::unique_ptr<Graph> Imported(const onnx::ModelProto& m, const std::string& name) {
  auto g = ImportOnnx(Save(m, name), {});
  RunPipeline(*g);
  return g;
}

int CountOps(const Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op() == op;
  return n;
}

std::vector<Tensor> RunGraph(const Graph& g, const std::vector<Tensor>& in) {
  return Executor(g).Run(in);
}

TEST(OnnxNewerOpsets, OpsetsUpTo20AreRead) {
  for (int opset : {18, 19, 20}) {
    onnx::ModelProto m = Model(opset);
    In(m, "x", {2, 3, 4});
    Op(m, "Relu", {"x"}, {"y"});
    Out(m, "y");
    EXPECT_EQ(ImportError(Save(m, "relu" + std::to_string(opset) + ".onnx")), "");
  }
}

// ReduceMean-18 with its axes as an input, ReduceL2-18 over all axes, Split-18 into
// num_outputs parts.
TEST(OnnxNewerOpsets, ReduceAxesInputAndSplitNumOutputs) {
  onnx::ModelProto m = Model(18);
  In(m, "x", {2, 3, 4});
  Init(m, IntsProto("axes", {-1}));
  IntAttr(Op(m, "ReduceMean", {"x", "axes"}, {"mean"}), "keepdims", 0);
  IntAttr(Op(m, "ReduceL2", {"x"}, {"l2"}), "keepdims", 0);
  auto* split = Op(m, "Split", {"x"}, {"a", "b"});
  IntAttr(split, "axis", 1);
  IntAttr(split, "num_outputs", 2);
  for (const char* o : {"mean", "l2", "a", "b"}) Out(m, o);
  auto g = Imported(m, "reduce_split18.onnx");
  Tensor x = X();
  std::vector<Tensor> out = RunGraph(*g, {x});
  const float* v = x.data<float>();
  ASSERT_EQ(out[0].type(), Type(DataType::kFloat32, {2, 3}));
  EXPECT_NEAR(out[0].data<float>()[4], (v[16] + v[17] + v[18] + v[19]) / 4, 1e-5);
  double sq = 0;
  for (int i = 0; i < 24; ++i) sq += double(v[i]) * v[i];
  EXPECT_NEAR(out[1].data<float>()[0], std::sqrt(sq), 1e-4);
  EXPECT_EQ(out[2].type(), Type(DataType::kFloat32, {2, 2, 4}));  // ceil(3 / 2) first
  EXPECT_EQ(out[3].type(), Type(DataType::kFloat32, {2, 1, 4}));
  EXPECT_EQ(out[3].data<float>()[0], v[8]);
}

// Gelu-20 becomes PyTorch's written-out GELU, which fusion folds into the product before it.
TEST(OnnxNewerOpsets, GeluIsTheWrittenOutFormAndFuses) {
  for (const char* approximate : {"none", "tanh"}) {
    onnx::ModelProto m = Model(20);
    In(m, "x", {2, 3, 4});
    Init(m, FloatProto("w", {4, 2}, {0.5f, -1, 2, 0.25f, -0.75f, 1, 0.1f, 0.3f}));
    Op(m, "MatMul", {"x", "w"}, {"p"});
    StrAttr(Op(m, "Gelu", {"p"}, {"y"}, "gelu"), "approximate", approximate);
    Out(m, "y");
    auto g = Imported(m, std::string("gelu_") + approximate + ".onnx");
    bool exact = std::string(approximate) == "none";
    EXPECT_EQ(CountOps(*g, "FusedMatMul"), exact ? 1 : 0) << approximate;
    EXPECT_EQ(CountOps(*g, "Erf"), 0);
    Tensor x = X();
    Tensor y = RunGraph(*g, {x})[0];
    const float* v = x.data<float>();
    const float w[8] = {0.5f, -1, 2, 0.25f, -0.75f, 1, 0.1f, 0.3f};
    for (int r = 0; r < 6; ++r)
      for (int c = 0; c < 2; ++c) {
        double p = 0;
        for (int k = 0; k < 4; ++k) p += double(v[r * 4 + k]) * w[k * 2 + c];
        double want = exact ? 0.5 * p * (1 + std::erf(p / std::sqrt(2.0)))
                            : 0.5 * p *
                                  (1 + std::tanh(std::sqrt(2 / 3.14159265358979323846) *
                                                 (p + 0.044715 * p * p * p)));
        EXPECT_NEAR(y.data<float>()[r * 2 + c], want, 1e-5) << approximate;
      }
  }
}

// Mish-18: x * tanh(softplus(x)).
TEST(OnnxNewerOpsets, Mish) {
  onnx::ModelProto m = Model(18);
  In(m, "x", {2, 3, 4});
  Op(m, "Mish", {"x"}, {"y"});
  Out(m, "y");
  Tensor x = X();
  Tensor y = RunGraph(*Imported(m, "mish.onnx"), {x})[0];
  for (int i = 0; i < 24; ++i) {
    double v = x.data<float>()[i];
    EXPECT_NEAR(y.data<float>()[i], v * std::tanh(std::log1p(std::exp(v))), 1e-5);
  }
}

// Pad-18 with axes (negative), Resize-18 with axes and its new attributes at their defaults.
TEST(OnnxNewerOpsets, PadAndResizeWithAxes) {
  onnx::ModelProto m = Model(19);
  In(m, "x", {2, 3, 4});
  Init(m, IntsProto("pads", {1, 2}));
  Init(m, IntsProto("axes", {-2}));
  Op(m, "Pad", {"x", "pads", "", "axes"}, {"padded"});
  Init(m, IntsProto("sizes", {8}));
  auto* r = Op(m, "Resize", {"x", "", "", "sizes"}, {"resized"});
  IntsAttr(r, "axes", {2});
  IntAttr(r, "antialias", 0);
  StrAttr(r, "keep_aspect_ratio_policy", "stretch");
  Out(m, "padded");
  Out(m, "resized");
  Tensor x = X();
  std::vector<Tensor> out = RunGraph(*Imported(m, "pad_resize_axes.onnx"), {x});
  ASSERT_EQ(out[0].type(), Type(DataType::kFloat32, {2, 6, 4}));
  EXPECT_EQ(out[0].data<float>()[0], 0);
  EXPECT_EQ(out[0].data<float>()[4], x.data<float>()[0]);  // row 1 of batch 0
  ASSERT_EQ(out[1].type(), Type(DataType::kFloat32, {2, 3, 8}));
  EXPECT_EQ(out[1].data<float>()[0], x.data<float>()[0]);  // nearest: each element twice
  EXPECT_EQ(out[1].data<float>()[1], x.data<float>()[0]);
  EXPECT_EQ(out[1].data<float>()[7], x.data<float>()[3]);
}

// DFT-20 takes its axis as an input (default -2, the last signal axis); GridSample-20 names
// its modes linear and cubic.
TEST(OnnxNewerOpsets, DftAxisInputAndGridSampleModes) {
  onnx::ModelProto m = Model(20);
  In(m, "s", {2, 8, 1});
  In(m, "img", {1, 1, 2, 2});
  In(m, "grid", {1, 1, 1, 2});
  Op(m, "DFT", {"s"}, {"spectrum"}, "dft");
  Op(m, "GridSample", {"img", "grid"}, {"sampled"}, "sample");
  Out(m, "spectrum");
  Out(m, "sampled");
  auto g = Imported(m, "dft_grid20.onnx");
  for (const auto& n : g->nodes()) {
    if (n->op() == "DFT") {
      EXPECT_EQ(n->GetInt("axis"), 1);
    }
    if (n->op() == "GridSample") {
      EXPECT_EQ(n->GetString("mode"), "bilinear");
    }
  }
  Tensor s = F32({2, 8, 1}, std::vector<float>(16, 1.0f));
  std::vector<Tensor> out =
      RunGraph(*g, {s, F32({1, 1, 2, 2}, {1, 2, 3, 4}), F32({1, 1, 1, 2}, {0, 0})});
  EXPECT_EQ(out[0].type(), Type(DataType::kFloat32, {2, 8, 2}));
  EXPECT_NEAR(out[0].data<float>()[0], 8, 1e-5);    // the sum of the ones: bin 0
  EXPECT_NEAR(out[1].data<float>()[0], 2.5, 1e-6);  // the centre: the mean of the four
}

// New attributes other than their defaults are refused, naming them; a node of a newer
// form is still judged: by HALO's rule (axes not constant) and, for the graph around it,
// by ONNX's checker (an undefined input).
TEST(OnnxNewerOpsets, WhatIsRefused) {
  auto error = [](int opset, const std::string& op, const std::vector<std::string>& ins,
                  const std::function<void(onnx::NodeProto*)>& attrs) {
    onnx::ModelProto m = Model(opset);
    In(m, "x", {1, 1, 4, 4});
    In(m, "k", {1}, onnx::TensorProto::INT64);
    attrs(Op(m, op, ins, {"y"}, "node"));
    Out(m, "y");
    try {
      RunPipeline(*ImportOnnx(Save(m, "refused.onnx"), {}));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_HAS(error(19, "AveragePool", {"x"},
                   [](onnx::NodeProto* n) {
                     IntsAttr(n, "kernel_shape", {2, 2});
                     IntsAttr(n, "dilations", {2, 2});
                   }),
             "node 'node' (AveragePool): attribute 'dilations' other than 1 is not supported");
  EXPECT_HAS(error(18, "LpPool", {"x"},
                   [](onnx::NodeProto* n) {
                     IntsAttr(n, "kernel_shape", {2, 2});
                     IntAttr(n, "ceil_mode", 1);
                   }),
             "attribute 'ceil_mode' = 1 is not supported (only 0)");
  EXPECT_HAS(error(18, "Resize", {"x", "", "", "k"},
                   [](onnx::NodeProto* n) { IntAttr(n, "antialias", 1); }),
             "attribute 'antialias' = 1 is not supported");
  EXPECT_HAS(error(18, "ReduceMean", {"x", "k"}, [](onnx::NodeProto*) {}), "node 'node'");
  EXPECT_HAS(error(18, "ReduceMean", {"x", "k"}, [](onnx::NodeProto*) {}), "constant");
  EXPECT_HAS(error(18, "ReduceMean", {"nope", "k"}, [](onnx::NodeProto*) {}), "nope");
  EXPECT_HAS(error(20, "ImageDecoder", {"x"}, [](onnx::NodeProto*) {}),
             "node 'node' (ImageDecoder): unsupported operator");
}

// A model-local function whose body uses a form of opset 18 (ReduceMean's axes input): ONNX's
// checker passes it (the body is hidden from it as the graph is), and HALO inlines it.
TEST(OnnxNewerOpsets, FunctionBodiesOfNewerForms) {
  onnx::ModelProto m = Model(18);
  m.set_ir_version(8);
  auto* o = m.add_opset_import();
  o->set_domain("local");
  o->set_version(1);
  auto* f = m.add_functions();
  f->set_name("RowMean");
  f->set_domain("local");
  f->add_input("a");
  f->add_output("b");
  auto* fo = f->add_opset_import();
  fo->set_domain("");
  fo->set_version(18);
  auto* c = f->add_node();
  c->set_op_type("Constant");
  c->add_output("ax");
  auto* v = c->add_attribute();
  v->set_name("value");
  v->set_type(onnx::AttributeProto::TENSOR);
  *v->mutable_t() = IntsProto("ax", {-1});
  auto* r = f->add_node();
  r->set_op_type("ReduceMean");
  r->add_input("a");
  r->add_input("ax");
  r->add_output("b");
  In(m, "x", {2, 3, 4});
  Op(m, "RowMean", {"x"}, {"y"})->set_domain("local");
  Out(m, "y");
  Tensor x = X();
  Tensor y = RunGraph(*Imported(m, "function18.onnx"), {x})[0];
  ASSERT_EQ(y.type(), Type(DataType::kFloat32, {2, 3, 1}));
  const float* xv = x.data<float>();
  for (int r = 0; r < 6; ++r)
    EXPECT_NEAR(y.data<float>()[r], (xv[4 * r] + xv[4 * r + 1] + xv[4 * r + 2] + xv[4 * r + 3]) / 4,
                1e-5);
}

}  // namespace
}  // namespace halo
