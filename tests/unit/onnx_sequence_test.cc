// ONNX sequences and optionals: compile-time structures flattened into tensors.
#include <gtest/gtest.h>

#include "driver/driver.h"
#include "onnx_test_util.h"
#include "targets/cpp_emitter.h"
#include "targets/executor.h"
#include "test_util.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT

// A tensor type with static dims (none: no shape).
onnx::TypeProto TensorType(int elem, const std::vector<int64_t>* dims = nullptr) {
  onnx::TypeProto t;
  t.mutable_tensor_type()->set_elem_type(elem);
  if (dims)
    for (int64_t d : *dims) t.mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  return t;
}

void SeqIn(onnx::ModelProto& m, const std::string& name, int elem = onnx::TensorProto::FLOAT) {
  auto* vi = m.mutable_graph()->add_input();
  vi->set_name(name);
  *vi->mutable_type()->mutable_sequence_type()->mutable_elem_type() = TensorType(elem);
}

void OptIn(onnx::ModelProto& m, const std::string& name, const std::vector<int64_t>& dims) {
  auto* vi = m.mutable_graph()->add_input();
  vi->set_name(name);
  *vi->mutable_type()->mutable_optional_type()->mutable_elem_type() =
      TensorType(onnx::TensorProto::FLOAT, &dims);
}

void SeqOut(onnx::ModelProto& m, const std::string& name, int elem = onnx::TensorProto::FLOAT) {
  auto* vi = m.mutable_graph()->add_output();
  vi->set_name(name);
  *vi->mutable_type()->mutable_sequence_type()->mutable_elem_type() = TensorType(elem);
}

onnx::TensorProto Int64Proto(const std::string& name, const std::vector<int64_t>& dims,
                             const std::vector<int64_t>& v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t x : v) t.add_int64_data(x);
  return t;
}

std::vector<Tensor> Execute(const Graph& g, const std::vector<Tensor>& inputs) {
  return Executor(g).Run(inputs);
}

// The error of LoadModel ("" when it succeeds).
std::string LoadError(const std::string& path, const ImportOptions& opts = {}) {
  try {
    LoadModel({path}, opts);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(OnnxSequence, InsertEraseAtLengthResolveAtCompileTime) {
  onnx::ModelProto m = Model(13);
  In(m, "x", {1, 2});
  In(m, "y", {2, 2});
  In(m, "z", {3, 2});
  *m.mutable_graph()->add_initializer() = Int64Proto("front", {}, {0});
  *m.mutable_graph()->add_initializer() = Int64Proto("last", {1}, {-1});
  Op(m, "SequenceEmpty", {}, {"e"});
  Op(m, "SequenceInsert", {"e", "x"}, {"s1"});                       // [x]
  Op(m, "SequenceInsert", {"s1", "y"}, {"s2"});                      // [x, y]
  Op(m, "SequenceInsert", {"s2", "z", "front"}, {"s3"});             // [z, x, y]
  Op(m, "SequenceErase", {"s3", "last"}, {"s4"});                    // [z, x]
  Op(m, "SequenceAt", {"s4", "last"}, {"at"}, "at_node");            // x
  Op(m, "SequenceLength", {"s4"}, {"len"});                          // 2
  IntAttr(Op(m, "ConcatFromSequence", {"s3"}, {"cat"}), "axis", 0);  // [6, 2]
  Out(m, "at");
  Out(m, "len", onnx::TensorProto::INT64);
  Out(m, "cat");
  auto g = LoadModel({Save(m, "seq_ops.onnx")}, {});
  ASSERT_EQ(g->outputs().size(), 3u);
  EXPECT_EQ(g->outputs()[0]->name(), "at");  // an Identity of x names the output
  EXPECT_EQ(g->outputs()[0]->type(), Type(DataType::kFloat32, {1, 2}));
  const Tensor* len = ConstantOf(g->outputs()[1]);
  ASSERT_NE(len, nullptr);
  EXPECT_EQ(len->type(), Type(DataType::kInt64, {}));
  EXPECT_EQ(len->GetInt(0), 2);
  EXPECT_EQ(g->outputs()[2]->type(), Type(DataType::kFloat32, {6, 2}));
  auto out = Execute(*g, {test::F32({1, 2}, {1, 2}), test::F32({2, 2}, {3, 4, 5, 6}),
                          test::F32({3, 2}, {7, 8, 9, 10, 11, 12})});
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{1, 2}));
  EXPECT_EQ(test::Floats(out[2]), (std::vector<float>{7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6}));
}

TEST(OnnxSequence, ConcatFromSequenceStacksWithNewAxis) {
  onnx::ModelProto m = Model(13);
  In(m, "a", {2, 3});
  In(m, "b", {2, 3});
  Op(m, "SequenceConstruct", {"a", "b"}, {"s"});
  auto* n = Op(m, "ConcatFromSequence", {"s"}, {"out"});
  IntAttr(n, "axis", -1);
  IntAttr(n, "new_axis", 1);
  Out(m, "out");
  auto g = LoadModel({Save(m, "seq_stack.onnx")}, {});
  EXPECT_EQ(g->outputs()[0]->type(), Type(DataType::kFloat32, {2, 3, 2}));
  auto out = Execute(
      *g, {test::F32({2, 3}, {0, 1, 2, 3, 4, 5}), test::F32({2, 3}, {10, 11, 12, 13, 14, 15})});
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15}));
}

// SplitToSequence of x [5, 2] along axis 0 with the given split; the sequence is the
// output "s", flattened.
std::unique_ptr<Graph> SplitModel(const std::string& file, const onnx::TensorProto* split,
                                  int64_t keepdims) {
  onnx::ModelProto m = Model(13);
  In(m, "x", {5, 2});
  std::vector<std::string> ins = {"x"};
  if (split) {
    *m.mutable_graph()->add_initializer() = *split;
    ins.push_back(split->name());
  }
  auto* n = Op(m, "SplitToSequence", ins, {"s"});
  IntAttr(n, "keepdims", keepdims);
  SeqOut(m, "s");
  return LoadModel({Save(m, file)}, {});
}

std::vector<Shape> OutputShapes(const Graph& g) {
  std::vector<Shape> r;
  for (const Value* v : g.outputs()) r.push_back(v->type().shape);
  return r;
}

TEST(OnnxSequence, SplitToSequenceForms) {
  auto g = SplitModel("split_ones.onnx", nullptr, 0);  // size-1 parts, axis dropped
  EXPECT_EQ(OutputShapes(*g), std::vector<Shape>(5, Shape{2}));
  ASSERT_EQ(g->output_ports().size(), 1u);
  EXPECT_EQ(g->output_ports()[0].kind, Port::Kind::kSequence);
  EXPECT_EQ(g->output_ports()[0].count, 5u);
  EXPECT_EQ(g->outputs()[1]->name(), "s.1");
  auto out = Execute(*g, {test::F32({5, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})});
  EXPECT_EQ(test::Floats(out[3]), (std::vector<float>{6, 7}));

  g = SplitModel("split_keep.onnx", nullptr, 1);
  EXPECT_EQ(OutputShapes(*g), std::vector<Shape>(5, (Shape{1, 2})));

  onnx::TensorProto scalar = Int64Proto("split", {}, {2});  // 2, 2, then 1
  g = SplitModel("split_scalar.onnx", &scalar, 0);          // keepdims needs no split
  EXPECT_EQ(OutputShapes(*g), (std::vector<Shape>{{2, 2}, {2, 2}, {1, 2}}));

  onnx::TensorProto sizes = Int64Proto("split", {2}, {4, 1});
  g = SplitModel("split_sizes.onnx", &sizes, 1);
  EXPECT_EQ(OutputShapes(*g), (std::vector<Shape>{{4, 2}, {1, 2}}));
  out = Execute(*g, {test::F32({5, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})});
  EXPECT_EQ(test::Floats(out[1]), (std::vector<float>{8, 9}));

  onnx::TensorProto bad = Int64Proto("split", {2}, {4, 2});
  try {
    SplitModel("split_bad.onnx", &bad, 1);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_HAS(e.what(), "(SplitToSequence): 'split' sums to 6 but the axis has size 5");
  }
}

TEST(OnnxSequence, SequenceInputsAndOutputsAreFlattened) {
  onnx::ModelProto m = Model(16);
  SeqIn(m, "x");
  Op(m, "Identity", {"x"}, {"y"});
  SeqOut(m, "y");
  std::string path = Save(m, "seq_identity.onnx");
  EXPECT_HAS(ImportError(path),
             "input 'x' is a sequence; give its length and element shapes "
             "with --input-shape x:[AxB,CxD] ([] for an empty one)");
  ImportOptions opts;
  opts.sequence_shapes["x"] = {{2, 3}, {4}};
  auto g = LoadModel({path}, opts);
  ASSERT_EQ(g->inputs().size(), 2u);
  EXPECT_EQ(g->inputs()[0]->name(), "x.0");
  EXPECT_EQ(g->inputs()[1]->type(), Type(DataType::kFloat32, {4}));
  ASSERT_EQ(g->outputs().size(), 2u);
  EXPECT_EQ(g->outputs()[0]->name(), "y.0");
  EXPECT_EQ(g->outputs()[1]->type(), Type(DataType::kFloat32, {4}));
  ASSERT_EQ(g->input_ports().size(), 1u);
  EXPECT_EQ(g->input_ports()[0].kind, Port::Kind::kSequence);
  EXPECT_EQ(g->input_ports()[0].count, 2u);
  auto out = Execute(*g, {test::F32({2, 3}, {1, 2, 3, 4, 5, 6}), test::F32({4}, {7, 8, 9, 10})});
  EXPECT_EQ(test::Floats(out[1]), (std::vector<float>{7, 8, 9, 10}));

  // The header says how the sequence maps to parameters.
  EmitOptions emit;
  emit.output_cc = TestDir() + "/seq_identity.cc";
  std::string header = EmitCppSources(*g, emit).at(0).second;
  EXPECT_HAS(header, "input 'x' (a sequence of 2 tensors): x_0, x_1");
  EXPECT_HAS(header, "output 'y' (a sequence of 2 tensors): y_0, y_1");

  // Elements can be frozen by their flattened names.
  ImportOptions frozen = opts;
  frozen.const_inputs["x.1"] = test::F32({4}, {1, 2, 3, 4});
  g = LoadModel({path}, frozen);
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "x.0");
  EXPECT_EQ(g->input_ports().at(0).count, 1u);
  frozen.const_inputs["x.2"] = test::F32({4}, {1, 2, 3, 4});
  EXPECT_HAS(ImportError(path, frozen), "constant input 'x.2' is not an input of the model");

  opts.sequence_shapes["x"] = {};  // an empty sequence: no inputs, no outputs
  g = LoadModel({path}, opts);
  EXPECT_TRUE(g->inputs().empty());
  EXPECT_TRUE(g->outputs().empty());
  EXPECT_EQ(g->output_ports().at(0).count, 0u);

  ImportOptions wrong;
  wrong.input_shapes["x"] = {2};
  EXPECT_HAS(ImportError(path, wrong), "input 'x' is a sequence; give its elements' shapes");
}

TEST(OnnxSequence, OptionalInputs) {
  onnx::ModelProto m = Model(15);
  OptIn(m, "o", {4});
  Op(m, "OptionalHasElement", {"o"}, {"has"});
  Op(m, "OptionalGetElement", {"o"}, {"v"}, "get");
  Out(m, "has", onnx::TensorProto::BOOL);
  Out(m, "v");
  std::string path = Save(m, "optional.onnx");
  auto g = LoadModel({path}, {});  // present by default: one input of the model's shape
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "o");
  EXPECT_EQ(g->inputs()[0]->type(), Type(DataType::kFloat32, {4}));
  ASSERT_NE(ConstantOf(g->outputs()[0]), nullptr);
  EXPECT_EQ(ConstantOf(g->outputs()[0])->GetInt(0), 1);

  ImportOptions absent;
  absent.absent_inputs.insert("o");
  EXPECT_HAS(LoadError(path, absent), "node 'get' (OptionalGetElement): the optional 'o' is empty");
  m.mutable_graph()->mutable_node()->RemoveLast();
  m.mutable_graph()->mutable_output()->RemoveLast();
  g = LoadModel({Save(m, "optional_has.onnx")}, absent);
  EXPECT_TRUE(g->inputs().empty());
  EXPECT_EQ(ConstantOf(g->outputs()[0])->GetInt(0), 0);
  EXPECT_FALSE(g->input_ports().at(0).present);

  ImportOptions not_optional;
  not_optional.absent_inputs.insert("o");
  onnx::ModelProto plain = Model(15);
  In(plain, "o", {4});
  Op(plain, "Relu", {"o"}, {"r"});
  Out(plain, "r");
  EXPECT_HAS(ImportError(Save(plain, "optional_not.onnx"), not_optional),
             "--input-shape o:none: input 'o' is a tensor, not an optional");
}

TEST(OnnxSequence, OptionalOpsWrapAndUnwrap) {
  onnx::ModelProto m = Model(15);
  In(m, "x", {3});
  Op(m, "SequenceConstruct", {"x", "x"}, {"s"});
  Op(m, "Optional", {"s"}, {"o"});
  Op(m, "OptionalGetElement", {"o"}, {"s2"});
  auto* empty = Op(m, "Optional", {}, {"none"});
  auto* type = Attr(empty, "type", onnx::AttributeProto::TYPE_PROTO)->mutable_tp();
  *type = TensorType(onnx::TensorProto::FLOAT);
  Op(m, "OptionalHasElement", {"none"}, {"has"});
  SeqOut(m, "s2");
  Out(m, "has", onnx::TensorProto::BOOL);
  auto g = LoadModel({Save(m, "optional_ops.onnx")}, {});
  ASSERT_EQ(g->outputs().size(), 3u);
  EXPECT_EQ(g->outputs()[1]->name(), "s2.1");
  EXPECT_EQ(ConstantOf(g->outputs()[2])->GetInt(0), 0);
}

TEST(OnnxSequence, PositionsMustBeConstants) {
  onnx::ModelProto m = Model(13);
  In(m, "a", {2});
  In(m, "b", {2});
  In(m, "pos", {}, onnx::TensorProto::INT64);
  Op(m, "SequenceConstruct", {"a", "b"}, {"s"});
  Op(m, "SequenceAt", {"s", "pos"}, {"out"}, "at");
  Out(m, "out");
  std::string path = Save(m, "seq_position.onnx");
  EXPECT_HAS(ImportError(path),
             "node 'at' (SequenceAt): the position ('pos') must be known at compile time, but "
             "it is the graph input 'pos'; fix it with --const-input pos=FILE.npy");

  // Input specialisation freezes the position, and only it.
  ImportOptions opts;
  opts.const_inputs["pos"] = Tensor::FromInts({-1}, DataType::kInt64, {});
  opts.const_inputs["a"] = test::F32({2}, {1, 2});
  opts.auto_const_inputs = true;
  auto g = LoadModel({path}, opts);
  ASSERT_EQ(g->inputs().size(), 2u);
  EXPECT_EQ(g->inputs()[0]->name(), "a");
  EXPECT_EQ(g->inputs()[1]->name(), "b");
  auto out = Execute(*g, {test::F32({2}, {1, 2}), test::F32({2}, {3, 4})});
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{3, 4}));

  opts.const_inputs["pos"] = Tensor::FromInts({2}, DataType::kInt64, {});
  EXPECT_HAS(LoadError(path, opts),
             "(SequenceAt): position 2 is out of range for a sequence of 2 tensors (-2 to 1)");

  // A position computed at run time.
  onnx::ModelProto c = Model(13);
  In(c, "a", {2});
  In(c, "p", {}, onnx::TensorProto::INT64);
  Op(c, "SequenceConstruct", {"a", "a"}, {"s"});
  Op(c, "Neg", {"p"}, {"q"}, "neg");
  Op(c, "SequenceErase", {"s", "q"}, {"e"}, "erase");
  SeqOut(c, "e");
  EXPECT_HAS(ImportError(Save(c, "seq_computed.onnx")),
             "node 'erase' (SequenceErase): the position ('q') must be known at compile time, "
             "but node 'neg' (Neg) computes it at run time");
}

TEST(OnnxSequence, WrongKindsGiveClearErrors) {
  onnx::ModelProto m = Model(13);
  In(m, "a", {2});
  Op(m, "SequenceConstruct", {"a", "a"}, {"s"});
  Op(m, "Relu", {"s"}, {"r"}, "relu");
  Out(m, "r");
  EXPECT_HAS(ImportError(Save(m, "seq_kind.onnx")),
             "node 'relu' (Relu): input 's' is a sequence of 2 tensors; Relu takes a tensor there");

  onnx::ModelProto t = Model(13);
  In(t, "a", {2});
  Op(t, "SequenceLength", {"a"}, {"n"}, "len");
  Out(t, "n", onnx::TensorProto::INT64);
  EXPECT_HAS(ImportError(Save(t, "seq_kind2.onnx")),
             "node 'len' (SequenceLength): input 'a' is a tensor; SequenceLength takes a "
             "sequence there");
}

}  // namespace
}  // namespace halo
