// The ONNX frontend's function expansion, unknown-operator errors and input specialisation.
#include <gtest/gtest.h>

#include <cmath>

#include "ir/op_registry.h"
#include "onnx_test_util.h"
#include "passes/passes.h"
#include "targets/executor.h"
#include "test_util.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT

Tensor I64(const Shape& s, const std::vector<int64_t>& v) {
  return Tensor::FromInts(v, DataType::kInt64, s);
}

// Imports, optimises and runs a model on `inputs` (in graph input order).
std::vector<Tensor> ImportAndRun(const std::string& path, const std::vector<Tensor>& inputs,
                                 const ImportOptions& opts = {}) {
  auto g = ImportOnnx(path, opts);
  RunPipeline(*g);
  Executor ex(*g);
  return ex.Run(inputs);
}

bool HasOp(const Graph& g, const std::string& op) {
  for (const auto& n : g.nodes())
    if (n->op() == op) return true;
  return false;
}

// NegativeLogLikelihoodLoss(x: f32[2x3], t: i64[2]): a context-dependent ONNX function.
onnx::ModelProto NllModel(const std::string& reduction, int64_t ignore_index = -1) {
  onnx::ModelProto m = Model(13);
  In(m, "x", {2, 3});
  In(m, "t", {2}, onnx::TensorProto::INT64);
  auto* n = Op(m, "NegativeLogLikelihoodLoss", {"x", "t"}, {"loss"}, "nll");
  StrAttr(n, "reduction", reduction);
  if (ignore_index >= 0) IntAttr(n, "ignore_index", ignore_index);
  Out(m, "loss");
  return m;
}

TEST(OnnxFunctions, ContextDependentFunctionIsInlined) {
  if (OpRegistry::Get().Find("NegativeLogLikelihoodLoss")) GTEST_SKIP() << "HALO has the op now";
  std::string path = Save(NllModel("mean"), "nll_mean.onnx");
  auto g = ImportOnnx(path, {});
  EXPECT_FALSE(HasOp(*g, "NegativeLogLikelihoodLoss"));
  size_t inner = 0;
  for (const auto& n : g->nodes()) inner += n->name().rfind("nll/", 0) == 0;
  EXPECT_GT(inner, 3u);  // the body's nodes, named after the calling node
  ASSERT_EQ(g->outputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0]->name(), "loss");

  Tensor x = test::F32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor t = I64({2}, {2, 0});
  auto out = ImportAndRun(path, {x, t});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type(), Type(DataType::kFloat32, {}));
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], -3.5f);  // -(x[0][2] + x[1][0]) / 2
  out = ImportAndRun(Save(NllModel("none"), "nll_none.onnx"), {x, t});
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{-3, -4}));
  // The attribute reaches the body: target 0 is ignored.
  out = ImportAndRun(Save(NllModel("sum", 0), "nll_ignore.onnx"), {x, t});
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], -3.0f);
}

TEST(OnnxFunctions, FunctionBodiesNest) {
  // SoftmaxCrossEntropyLoss's body calls NegativeLogLikelihoodLoss, itself a function whose
  // body depends on the type of an intermediate tensor.
  onnx::ModelProto m = Model(13);
  In(m, "scores", {1, 3});
  In(m, "labels", {1}, onnx::TensorProto::INT64);
  Op(m, "SoftmaxCrossEntropyLoss", {"scores", "labels"}, {"loss", "log_prob"}, "sce");
  Out(m, "loss");
  Out(m, "log_prob");
  auto out = ImportAndRun(Save(m, "sce.onnx"), {test::F32({1, 3}, {1, 2, 3}), I64({1}, {2})});
  ASSERT_EQ(out.size(), 2u);
  double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  EXPECT_NEAR(out[0].data<float>()[0], lse - 3, 1e-5);
  EXPECT_EQ(out[1].type(), Type(DataType::kFloat32, {1, 3}));
  EXPECT_NEAR(out[1].data<float>()[0], 1 - lse, 1e-5);
}

// HannWindow(size) at opset 17: a plain function whose body refers to the node's
// attributes (periodic, output_datatype); absent ones take the schema's defaults.
onnx::ModelProto HannModel(int64_t periodic, int64_t dtype) {
  onnx::ModelProto m = Model(17);
  In(m, "size", {}, onnx::TensorProto::INT64);
  auto* n = Op(m, "HannWindow", {"size"}, {"w"}, "hann");
  if (periodic >= 0) IntAttr(n, "periodic", periodic);
  if (dtype >= 0) IntAttr(n, "output_datatype", dtype);
  Out(m, "w", dtype >= 0 ? static_cast<int>(dtype) : onnx::TensorProto::FLOAT);
  return m;
}

TEST(OnnxFunctions, AttributeReferencesTakeNodeValuesOrDefaults) {
  ImportOptions opts;
  opts.const_inputs["size"] = Tensor::FromInts({4}, DataType::kInt64, {});
  auto out = ImportAndRun(Save(HannModel(-1, -1), "hann_default.onnx"), {}, opts);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].type(), Type(DataType::kFloat32, {4}));
  std::vector<float> periodic = test::Floats(out[0]);
  std::vector<float> want = {0, 0.5f, 1, 0.5f};
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(periodic[i], want[i], 1e-6) << i;

  out = ImportAndRun(Save(HannModel(0, onnx::TensorProto::DOUBLE), "hann_sym.onnx"), {}, opts);
  ASSERT_EQ(out[0].type(), Type(DataType::kFloat64, {4}));
  std::vector<double> sym = {0, 0.75, 0.75, 0};
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(out[0].data<double>()[i], sym[i], 1e-6) << i;
}

// Model-local functions: Scale(x) = x * alpha, alpha an attribute with a default declared
// in attribute_proto (IR 9, an unknown field to the ONNX library HALO builds with); Twice(x)
// calls Scale twice with that default. Inlined, with the node's attribute where given.
TEST(OnnxFunctions, ModelLocalFunctionsAreInlined) {
  onnx::ModelProto m = Model(17);
  m.set_ir_version(9);
  auto* local = m.add_opset_import();
  local->set_domain("local");
  local->set_version(1);
  auto function = [&](const std::string& name) {
    onnx::FunctionProto* f = m.add_functions();
    f->set_name(name);
    f->set_domain("local");
    f->add_input("x");
    f->add_output("y");
    for (const char* d : {"", "local"}) {
      auto* o = f->add_opset_import();
      o->set_domain(d);
      o->set_version(d[0] ? 1 : 17);
    }
    return f;
  };
  onnx::FunctionProto* scale = function("Scale");
  scale->add_attribute("alpha");
  onnx::AttributeProto alpha_default;
  alpha_default.set_name("alpha");
  alpha_default.set_type(onnx::AttributeProto::FLOAT);
  alpha_default.set_f(2.0f);
  scale->mutable_unknown_fields()->AddLengthDelimited(11, alpha_default.SerializeAsString());
  onnx::NodeProto* c = scale->add_node();
  c->set_op_type("Constant");
  c->add_output("a");
  onnx::AttributeProto* ref = c->add_attribute();
  ref->set_name("value_float");
  ref->set_type(onnx::AttributeProto::FLOAT);
  ref->set_ref_attr_name("alpha");
  onnx::NodeProto* mul = scale->add_node();
  mul->set_op_type("Mul");
  mul->add_input("x");
  mul->add_input("a");
  mul->add_output("y");
  onnx::FunctionProto* twice = function("Twice");
  for (const char* step : {"t", "y"}) {
    onnx::NodeProto* call = twice->add_node();
    call->set_op_type("Scale");
    call->set_domain("local");
    call->add_input(step[0] == 't' ? "x" : "t");
    call->add_output(step);
  }
  In(m, "x", {3});
  Op(m, "Scale", {"x"}, {"by_default"}, "scale_default")->set_domain("local");
  onnx::NodeProto* by3 = Op(m, "Scale", {"x"}, {"by_three"}, "scale_three");
  by3->set_domain("local");
  Attr(by3, "alpha", onnx::AttributeProto::FLOAT)->set_f(3.0f);
  Op(m, "Twice", {"x"}, {"twice"}, "twice")->set_domain("local");
  for (const char* o : {"by_default", "by_three", "twice"}) Out(m, o);
  auto out = ImportAndRun(Save(m, "local_functions.onnx"), {test::F32({3}, {1, -2, 0.5f})});
  ASSERT_EQ(out.size(), 3u);
  const std::vector<std::vector<float>> want = {{2, -4, 1}, {3, -6, 1.5f}, {4, -8, 2}};
  for (size_t o = 0; o < 3; ++o)
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(test::Floats(out[o])[i], want[o][i]) << o << i;
}

TEST(OnnxFunctions, UnknownOperatorNamesTheNode) {
  onnx::ModelProto m = Model(13);
  In(m, "x", {2});
  Op(m, "Relu", {"x"}, {"r"}, "relu");
  Op(m, "FooBar", {"r"}, {"y"}, "foo");
  Out(m, "y");
  std::string path = Save(m, "foobar.onnx");
  EXPECT_EQ(ImportError(path), path + ": node 'foo' (FooBar): unsupported operator");
  // An unnamed node is named by its first result.
  m.mutable_graph()->mutable_node(1)->clear_name();
  EXPECT_EQ(ImportError(Save(m, "foobar2.onnx")),
            TestDir() + "/foobar2.onnx: node 'y' (FooBar): unsupported operator");
}

// y = Reshape(x, shape) with `shape` a graph input.
onnx::ModelProto ReshapeModel() {
  onnx::ModelProto m = Model(13);
  In(m, "x", {2, 3});
  In(m, "shape", {2}, onnx::TensorProto::INT64);
  Op(m, "Reshape", {"x", "shape"}, {"y"}, "reshape");
  Out(m, "y");
  return m;
}

TEST(OnnxConstInputs, NamedInputsBecomeConstants) {
  std::string path = Save(ReshapeModel(), "reshape_input.onnx");
  ImportOptions opts;
  opts.const_inputs["shape"] = I64({2}, {3, 2});
  auto g = ImportOnnx(path, opts);
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "x");
  InferShapes(*g);
  EXPECT_EQ(g->outputs()[0]->type(), Type(DataType::kFloat32, {3, 2}));
  auto out = ImportAndRun(path, {test::F32({2, 3}, {1, 2, 3, 4, 5, 6})}, opts);
  EXPECT_EQ(out[0].type(), Type(DataType::kFloat32, {3, 2}));
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(OnnxConstInputs, Errors) {
  std::string path = Save(ReshapeModel(), "reshape_input_errors.onnx");
  ImportOptions opts;
  opts.const_inputs["nope"] = I64({2}, {3, 2});
  EXPECT_EQ(ImportError(path, opts),
            path + ": constant input 'nope' is not an input of the model (inputs: shape, x)");
  opts.const_inputs.clear();
  opts.const_inputs["shape"] = Tensor::FromInts({3, 2}, DataType::kInt32, {2});
  EXPECT_EQ(ImportError(path, opts),
            path + ": constant input 'shape' is i32[2]; the model declares i64[2]");
  opts.const_inputs["shape"] = I64({3}, {3, 2, 1});
  EXPECT_EQ(ImportError(path, opts),
            path + ": constant input 'shape' is i64[3]; the model declares i64[2]");
  // Symbolic dimensions take any size; --input-shape, when given, must agree.
  onnx::ModelProto m = Model(13);
  In(m, "x", {-1, 3});
  Op(m, "Relu", {"x"}, {"y"});
  Out(m, "y");
  std::string sym = Save(m, "const_symbolic.onnx");
  opts.const_inputs.clear();
  opts.const_inputs["x"] = test::F32({1, 3}, {-1, 0, 1});
  auto g = ImportOnnx(sym, opts);
  EXPECT_TRUE(g->inputs().empty());
  opts.input_shapes["x"] = {2, 3};
  EXPECT_EQ(ImportError(sym, opts),
            sym + ": constant input 'x' is f32[1x3] but --input-shape gives 2x3");
}

TEST(OnnxConstInputs, AutoFreezesOnlyWhatMustBeConstant) {
  // s32 reaches Reshape's shape through a Cast: frozen. x reaches a shape only through
  // Shape, which needs its type alone, and z is data: both stay inputs.
  onnx::ModelProto m = Model(13);
  In(m, "x", {2, 3});
  In(m, "s32", {2}, onnx::TensorProto::INT32);
  In(m, "z", {3, 2});
  IntAttr(Op(m, "Cast", {"s32"}, {"s"}, "cast"), "to", onnx::TensorProto::INT64);
  Op(m, "Reshape", {"x", "s"}, {"y"}, "reshape_x");
  Op(m, "Shape", {"x"}, {"sx"}, "shape_x");
  Op(m, "Reshape", {"z", "sx"}, {"w"}, "reshape_z");
  Out(m, "y");
  Out(m, "w");
  std::string path = Save(m, "auto_const.onnx");
  ImportOptions opts;
  opts.const_inputs["x"] = test::F32({2, 3}, {1, 2, 3, 4, 5, 6});
  opts.const_inputs["s32"] = Tensor::FromInts({3, 2}, DataType::kInt32, {2});
  opts.const_inputs["z"] = test::F32({3, 2}, {6, 5, 4, 3, 2, 1});
  opts.auto_const_inputs = true;
  auto g = ImportOnnx(path, opts);
  ASSERT_EQ(g->inputs().size(), 2u);
  EXPECT_EQ(g->inputs()[0]->name(), "x");
  EXPECT_EQ(g->inputs()[1]->name(), "z");
  RunPipeline(*g);
  EXPECT_EQ(g->outputs()[0]->type(), Type(DataType::kFloat32, {3, 2}));
  EXPECT_EQ(g->outputs()[1]->type(), Type(DataType::kFloat32, {2, 3}));
  // Without auto every given input is frozen.
  opts.auto_const_inputs = false;
  EXPECT_TRUE(ImportOnnx(path, opts)->inputs().empty());

  // Range's inputs (here inside HannWindow's function body) must be constant too.
  ImportOptions hann;
  hann.const_inputs["size"] = Tensor::FromInts({4}, DataType::kInt64, {});
  hann.auto_const_inputs = true;
  EXPECT_TRUE(ImportOnnx(Save(HannModel(-1, -1), "hann_auto.onnx"), hann)->inputs().empty());
}

}  // namespace
}  // namespace halo
