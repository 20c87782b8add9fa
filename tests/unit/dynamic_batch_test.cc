// --dynamic-batch: the batch-size analysis (AnalyzeBatch through LoadBatchModel) and the
// code the C++ emitter writes for it.
#include "passes/dynamic_batch.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "driver/cli.h"
#include "driver/driver.h"
#include "driver/npy.h"
#include "onnx_test_util.h"
#include "targets/cpp_emitter.h"
#include "test_util.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT

onnx::TensorProto Int64Proto(const std::string& name, const std::vector<int64_t>& dims,
                             const std::vector<int64_t>& v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t x : v) t.add_int64_data(x);
  return t;
}

void Init(onnx::ModelProto& m, onnx::TensorProto t) {
  *m.mutable_graph()->add_initializer() = std::move(t);
}

// The message of the Error LoadBatchModel throws ("" when it succeeds).
std::string BatchError(const std::string& path, const ImportOptions& opts = {}) {
  try {
    LoadBatchModel({path}, opts);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const Value* Output(const BatchGraph& bg, const std::string& name) {
  for (const Value* v : bg.graph->outputs())
    if (v->name() == name) return v;
  ADD_FAILURE() << "no output " << name;
  return bg.graph->outputs().at(0);
}

// x: f32[N x 4 x 6].
//   r = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0) * 4), [6]))  -> [4N x 6], then Relu
//   y = Gemm(Flatten(x), w[24 x 5], b[5])                             -> [N x 5]
//   batch = ReduceSum(x, axes [0], keepdims 0) + c[4 x 6]             -> [4 x 6]
std::string ReshapeFlattenGemm() {
  onnx::ModelProto m = Model(13);
  In(m, "x", {-1, 4, 6});
  Init(m, Int64Proto("zero", {}, {0}));
  Init(m, Int64Proto("four", {}, {4}));
  Init(m, Int64Proto("axes0", {1}, {0}));
  Init(m, Int64Proto("six", {1}, {6}));
  Init(m, FloatProto("w", {24, 5}, std::vector<float>(120, 0.5f)));
  Init(m, FloatProto("b", {5}, {1, 2, 3, 4, 5}));
  Init(m, FloatProto("c", {4, 6}, std::vector<float>(24, 1)));
  Op(m, "Shape", {"x"}, {"shape"}, "shape");
  Op(m, "Gather", {"shape", "zero"}, {"n"}, "gather");
  Op(m, "Mul", {"n", "four"}, {"n4"}, "mul");
  Op(m, "Unsqueeze", {"n4", "axes0"}, {"n4v"}, "unsqueeze");
  IntAttr(Op(m, "Concat", {"n4v", "six"}, {"rshape"}, "concat"), "axis", 0);
  Op(m, "Reshape", {"x", "rshape"}, {"reshaped"}, "reshape");
  Op(m, "Relu", {"reshaped"}, {"r"}, "relu");
  Op(m, "Flatten", {"x"}, {"flat"}, "flatten");
  Op(m, "Gemm", {"flat", "w", "b"}, {"y"}, "gemm");
  IntAttr(Op(m, "ReduceSum", {"x", "axes0"}, {"sum"}, "sum"), "keepdims", 0);
  Op(m, "Add", {"sum", "c"}, {"batch"}, "add");
  Out(m, "r");
  Out(m, "y");
  Out(m, "batch");
  return Save(m, "batch_reshape.onnx");
}

TEST(DynamicBatch, ReshapeFlattenGemmAreAffineInTheBatch) {
  BatchGraph bg = LoadBatchModel({ReshapeFlattenGemm()}, {});
  const Value* x = bg.graph->inputs().at(0);
  EXPECT_EQ(x->type(), Type(DataType::kFloat32, {1, 4, 6}));
  ASSERT_EQ(bg.forms.DimsOf(x).size(), 1u);
  EXPECT_EQ(bg.forms.DimsOf(x).at(0), (BatchAffine{1, 0}));
  const auto& r = bg.forms.DimsOf(Output(bg, "r"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r.at(0), (BatchAffine{4, 0}));
  EXPECT_EQ(bg.forms.DimsOf(Output(bg, "y")).at(0), (BatchAffine{1, 0}));
  // Summed over the batch: the same shape at every batch size.
  EXPECT_TRUE(bg.forms.DimsOf(Output(bg, "batch")).empty());
  EXPECT_TRUE(bg.forms.attrs.empty());

  EmitOptions o;
  o.output_cc = "out/m.cc";
  o.batch_forms = &bg.forms;
  auto files = EmitCppSources(*bg.graph, o);
  const std::string &h = files.at(0).second, &cc = files.at(1).second;
  EXPECT_HAS(h, "int m_init(int64_t batch);");
  EXPECT_HAS(h, "int m(\n    int64_t batch,");
  EXPECT_HAS(h, "/* input 'x': f32[batch x 4 x 6] */");
  EXPECT_HAS(h, "/* output 'r': f32[4*batch x 6] */");
  EXPECT_HAS(h, "/* output 'batch': f32[4x6] */");
  EXPECT_HAS(cc, "static int Build(int64_t batch) {");
  EXPECT_HAS(cc, "odla_CreateArgument(odla_value_type{ODLA_FLOAT32, {3, {batch, 4, 6}}}, \"x\")");
  EXPECT_HAS(cc, "odla_Reshape(x, odla_value_type{ODLA_FLOAT32, {2, {4 * batch, 6}}},");
  EXPECT_HAS(cc, "odla_value_type{ODLA_FLOAT32, {2, {batch, 5}}}, \"y\")");
  EXPECT_HAS(cc, "int m(int64_t batch, const float* x, float* r, float* y, float* batch_1) {");
  // The folded shape only Reshape's compile-time input takes is not a run-time constant.
  EXPECT_EQ(cc.find("\"rshape\""), std::string::npos) << cc;
  EXPECT_HAS(cc, "\"w\"");
  EXPECT_HAS(cc, "odla_value batch_1 = odla_Add(sum, c,");
}

TEST(DynamicBatch, AttributesMayDependOnTheBatch) {
  onnx::ModelProto m = Model(13);  // x reversed along the batch: starts at row N - 1
  In(m, "x", {-1, 3});
  Init(m, Int64Proto("starts", {1}, {-1}));
  Init(m, Int64Proto("ends", {1}, {std::numeric_limits<int64_t>::min()}));
  Init(m, Int64Proto("axes", {1}, {0}));
  Init(m, Int64Proto("steps", {1}, {-1}));
  Op(m, "Slice", {"x", "starts", "ends", "axes", "steps"}, {"y"}, "slice");
  Out(m, "y");
  BatchGraph bg = LoadBatchModel({Save(m, "batch_reverse.onnx")}, {});
  const Node* slice = bg.graph->outputs().at(0)->producer();
  const auto& starts = bg.forms.AttrOf(slice, "starts");
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts.at(0), (BatchAffine{1, -1}));
  EmitOptions o;
  o.output_cc = "out/m.cc";
  o.batch_forms = &bg.forms;
  EXPECT_HAS(EmitCppSources(*bg.graph, o).at(1).second,
             "odla_Slice(x, odla_ints{2, {batch - 1, 0}}, odla_ints{2, {-1, 1}},");
}

TEST(DynamicBatch, AConstantThatDependsOnTheBatchIsAnError) {
  onnx::ModelProto m = Model(13);
  In(m, "x", {-1, 3});
  Op(m, "Shape", {"x"}, {"shape"}, "shape");
  Op(m, "ConstantOfShape", {"shape"}, {"zeros"}, "zeros");
  Op(m, "Add", {"x", "zeros"}, {"y"}, "add");
  Out(m, "y");
  std::string err = BatchError(Save(m, "batch_const.onnx"));
  EXPECT_HAS(err, "batch_const.onnx: --dynamic-batch:");
  EXPECT_HAS(err, "the constant 'zeros' depends on the batch size");
  EXPECT_HAS(err, "f32[1x3] at batch size 1");
}

TEST(DynamicBatch, AGraphWhoseStructureChangesIsAnError) {
  onnx::ModelProto m = Model(11);  // Squeeze without axes drops every dimension of size 1
  In(m, "x", {-1, 1, 3});
  Op(m, "Squeeze", {"x"}, {"y"}, "squeeze");
  Out(m, "y");
  std::string err = BatchError(Save(m, "batch_squeeze.onnx"));
  EXPECT_HAS(err,
             "node 'squeeze' (Squeeze): the type of 'y' is f32[3] at batch size 1 and "
             "f32[2x3] at batch size 2");
}

// At batch size 1 the Expand changes nothing and simplify drops it; at 2 it stays: the
// analysis then loads the model without the passes that decide from shapes.
TEST(DynamicBatch, ShapeDependentSimplificationsStepAside) {
  onnx::ModelProto m = Model(13);
  In(m, "x", {-1, 3});
  In(m, "z", {1, 3});
  Op(m, "Shape", {"x"}, {"shape"}, "shape");
  Op(m, "Expand", {"z", "shape"}, {"zn"}, "expand");
  Op(m, "Add", {"x", "zn"}, {"y"}, "add");
  Out(m, "y");
  BatchGraph bg = LoadBatchModel({Save(m, "batch_expand.onnx")}, {});
  EXPECT_EQ(Output(bg, "y")->producer()->input(1)->producer()->op(), "Expand");
  EXPECT_EQ(bg.forms.DimsOf(Output(bg, "y")).at(0), (BatchAffine{1, 0}));
}

TEST(DynamicBatch, ANumberThatIsNotAffineIsAnError) {
  onnx::ModelProto m = Model(13);  // the first 5 rows: min(batch, 5)
  In(m, "x", {-1, 3});
  Init(m, Int64Proto("starts", {1}, {0}));
  Init(m, Int64Proto("ends", {1}, {5}));
  Op(m, "Slice", {"x", "starts", "ends"}, {"y"}, "slice");
  Out(m, "y");
  std::string err = BatchError(Save(m, "batch_slice.onnx"));
  EXPECT_HAS(err,
             "node 'slice' (Slice): dimension 0 of 'y' is 1, 2 and 5 at batch sizes 1, 2 "
             "and 7: not of the form a * batch + b");
}

TEST(DynamicBatch, NeedsAnInputWithABatch) {
  onnx::ModelProto m = Model(13);
  In(m, "x", {2, 3});
  Op(m, "Relu", {"x"}, {"y"}, "relu");
  Out(m, "y");
  EXPECT_HAS(BatchError(Save(m, "batch_static.onnx")),
             "batch_static.onnx: --dynamic-batch: no input depends on the batch size");
}

TEST(DynamicBatch, InputShapeMayLeaveTheBatchOpen) {
  onnx::ModelProto m = Model(13);
  In(m, "x", {-1, -1});
  Op(m, "Relu", {"x"}, {"y"}, "relu");
  Out(m, "y");
  std::string path = Save(m, "batch_two_unknown.onnx");
  EXPECT_HAS(BatchError(path), "input 'x' has an unknown dimension");
  ImportOptions o;
  o.input_shapes["x"] = {-1, 5};
  BatchGraph bg = LoadBatchModel({path}, o);
  EXPECT_EQ(bg.graph->inputs().at(0)->type(), Type(DataType::kFloat32, {1, 5}));
  EXPECT_EQ(bg.forms.DimsOf(bg.graph->inputs().at(0)).size(), 1u);
  // Without --batch-size or --dynamic-batch, N stays open.
  EXPECT_HAS(ImportError(path, o), "--input-shape x:Nx5 leaves the batch size N open");
  o.batch_size = 3;
  EXPECT_EQ(ImportOnnx(path, o)->inputs().at(0)->type(), Type(DataType::kFloat32, {3, 5}));
}

// `halo run --dynamic-batch` takes the batch size from the input files.
TEST(DynamicBatch, HaloRunTakesTheBatchFromTheInputs) {
  onnx::ModelProto m = Model(13);
  In(m, "x", {-1, 3});
  In(m, "y", {-1, 3});
  Op(m, "Add", {"x", "y"}, {"z"}, "add");
  Out(m, "z");
  std::string path = Save(m, "batch_add.onnx");
  std::string dir = TestDir() + "/batch_run";
  ASSERT_EQ(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()), 0);
  auto write = [&](const std::string& name, const Tensor& t) {
    std::ofstream(dir + "/" + name, std::ios::binary) << SerializeNpy(t);
    return name.substr(0, 1) + "=" + dir + "/" + name;
  };
  std::string x2 = write("x2.npy", test::F32({2, 3}, {1, 2, 3, 4, 5, 6}));
  std::string y2 = write("y2.npy", test::F32({2, 3}, {10, 20, 30, 40, 50, 60}));
  std::string y3 = write("y3.npy", test::F32({3, 3}, std::vector<float>(9, 1)));
  std::ostringstream out, err;
  EXPECT_EQ(
      HaloMain({"run", path, "--dynamic-batch", "--input", x2, "--input", y2, "--output-dir", dir},
               out, err),
      0)
      << err.str();
  Tensor z = ReadNpy(dir + "/z.npy");
  EXPECT_EQ(z.type(), Type(DataType::kFloat32, {2, 3}));
  EXPECT_EQ(test::Floats(z), (std::vector<float>{11, 22, 33, 44, 55, 66}));
  EXPECT_EQ(
      HaloMain({"run", path, "--dynamic-batch", "--input", x2, "--input", y3, "--output-dir", dir},
               out, err),
      1);
  EXPECT_HAS(err.str(), "y3.npy: input 'y' has batch size 3 but input 'x' has 2");
}

}  // namespace
}  // namespace halo
