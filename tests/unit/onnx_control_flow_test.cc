// The ONNX frontend's translation of control flow: If, Loop and Scan inlined and unrolled.
#include <gtest/gtest.h>

#include "onnx_test_util.h"
#include "passes/passes.h"
#include "targets/executor.h"
#include "test_util.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT

constexpr int kF32 = onnx::TensorProto::FLOAT;
constexpr int kI64 = onnx::TensorProto::INT64;
constexpr int kBool = onnx::TensorProto::BOOL;

// Subgraphs built in code.
void GIn(onnx::GraphProto* g, const std::string& name, int elem, const std::vector<int64_t>& dims) {
  AddValue(g->mutable_input(), name, elem, dims);
}
void GOut(onnx::GraphProto* g, const std::string& name, int elem = kF32) {
  auto* vi = g->add_output();
  vi->set_name(name);
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(elem);
}
onnx::NodeProto* GOp(onnx::GraphProto* g, const std::string& op,
                     const std::vector<std::string>& ins, const std::vector<std::string>& outs) {
  auto* n = g->add_node();
  n->set_op_type(op);
  for (const auto& i : ins) n->add_input(i);
  for (const auto& o : outs) n->add_output(o);
  return n;
}
void ConstOp(onnx::GraphProto* g, const std::string& name, const onnx::TensorProto& t) {
  auto* a = Attr(GOp(g, "Constant", {}, {name}), "value", onnx::AttributeProto::TENSOR);
  *a->mutable_t() = t;
}
onnx::TensorProto I64Proto(const std::string& name, const std::vector<int64_t>& dims,
                           const std::vector<int64_t>& v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(kI64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t x : v) t.add_int64_data(x);
  return t;
}
onnx::TensorProto BoolProto(const std::string& name, bool v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(kBool);
  t.add_int32_data(v);
  return t;
}
onnx::GraphProto* GraphAttr(onnx::NodeProto* n, const std::string& name) {
  return Attr(n, name, onnx::AttributeProto::GRAPH)->mutable_g();
}

Tensor Bool(bool v) { return Tensor::Scalar(DataType::kBool, v); }

std::unique_ptr<Graph> Import(const onnx::ModelProto& m, const std::string& file,
                              const ImportOptions& opts = {}) {
  auto g = ImportOnnx(Save(m, file), opts);
  RunPipeline(*g);
  return g;
}

std::vector<Tensor> Execute(Graph& g, const std::vector<Tensor>& inputs) {
  Executor ex(g);
  return ex.Run(inputs);
}

size_t CountOp(const Graph& g, const std::string& op) {
  size_t n = 0;
  for (const auto& node : g.nodes()) n += node->op() == op;
  return n;
}

// ---- Scan ----

// Scan over the columns of x [2x3] from the last one, summing them into a state [2]; the
// running sums are stacked along axis 1 in reverse order.
onnx::ModelProto ScanModel() {
  onnx::ModelProto m = Model(16);
  In(m, "init", {2});
  In(m, "x", {2, 3});
  auto* scan = Op(m, "Scan", {"init", "x"}, {"final", "sums"}, "scan");
  IntAttr(scan, "num_scan_inputs", 1);
  IntsAttr(scan, "scan_input_axes", {-1});
  IntsAttr(scan, "scan_input_directions", {1});
  IntsAttr(scan, "scan_output_axes", {1});
  IntsAttr(scan, "scan_output_directions", {1});
  onnx::GraphProto* body = GraphAttr(scan, "body");
  body->set_name("scan_body");
  GIn(body, "s", kF32, {2});
  GIn(body, "col", kF32, {2});
  GOp(body, "Add", {"s", "col"}, {"s_out"});
  GOp(body, "Identity", {"s_out"}, {"sum"});
  GOut(body, "s_out");
  GOut(body, "sum");
  Out(m, "final");
  Out(m, "sums");
  return m;
}

TEST(OnnxControlFlow, ScanDirectionsAndAxes) {
  auto g = Import(ScanModel(), "scan_dirs.onnx");
  EXPECT_EQ(CountOp(*g, "Scan"), 0u);
  EXPECT_EQ(g->outputs()[0]->name(), "final");
  EXPECT_EQ(g->outputs()[1]->type(), Type(DataType::kFloat32, {2, 3}));
  auto out = Execute(*g, {test::F32({2}, {0, 0}), test::F32({2, 3}, {1, 2, 3, 4, 5, 6})});
  // Steps see the columns [3,6], [2,5], [1,4]: sums [3,6], [5,11], [6,15].
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{6, 15}));
  // Reverse output direction: the last step's sums come first along axis 1.
  EXPECT_EQ(test::Floats(out[1]), (std::vector<float>{6, 5, 3, 15, 11, 6}));
}

TEST(OnnxControlFlow, ScanOfNoStepsGivesEmptyOutputs) {
  onnx::ModelProto m = ScanModel();
  m.mutable_graph()
      ->mutable_input(1)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(1)
      ->set_dim_value(0);
  auto g = Import(m, "scan_empty.onnx");
  EXPECT_EQ(g->outputs()[1]->type(), Type(DataType::kFloat32, {2, 0}));
  auto out = Execute(*g, {test::F32({2}, {1, 2}), Tensor(Type(DataType::kFloat32, {2, 0}))});
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{1, 2}));
}

// ---- Loop ----

// Loop(M, cond, v): each iteration v = v * 2 + iteration_num, also stacked as a scan
// output. `cond_out` is the body's condition output (the body's node computing it is
// added by the caller), "" for M or cond leaves them absent.
onnx::ModelProto LoopModel(const std::string& m_name, const std::string& cond_name,
                           onnx::GraphProto** body_out) {
  onnx::ModelProto m = Model(16);
  In(m, "v", {1});
  auto* loop = Op(m, "Loop", {m_name, cond_name, "v"}, {"v_final", "v_all"}, "loop");
  onnx::GraphProto* body = GraphAttr(loop, "body");
  body->set_name("loop_body");
  GIn(body, "i", kI64, {});
  GIn(body, "cond_in", kBool, {});
  GIn(body, "v_in", kF32, {1});
  ConstOp(body, "two", FloatProto("two", {}, {2}));
  GOp(body, "Mul", {"v_in", "two"}, {"twice"});
  IntAttr(GOp(body, "Cast", {"i"}, {"i_f"}), "to", kF32);
  GOp(body, "Add", {"twice", "i_f"}, {"v_out"});
  GOp(body, "Identity", {"v_out"}, {"v_scan"});
  GOut(body, "cond_out", kBool);
  GOut(body, "v_out");
  GOut(body, "v_scan");
  Out(m, "v_final");
  Out(m, "v_all");
  *body_out = body;
  return m;
}

TEST(OnnxControlFlow, LoopWithConstantTripCount) {
  onnx::GraphProto* body;
  onnx::ModelProto m = LoopModel("M", "", &body);
  *m.mutable_graph()->add_initializer() = I64Proto("M", {}, {3});
  GOp(body, "Identity", {"cond_in"}, {"cond_out"});
  auto g = Import(m, "loop_trip.onnx");
  EXPECT_EQ(CountOp(*g, "Loop"), 0u);
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->outputs()[1]->type(), Type(DataType::kFloat32, {3, 1}));
  auto out = Execute(*g, {test::F32({1}, {1})});
  // v: 1 -> 2 -> 5 -> 12.
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{12}));
  EXPECT_EQ(test::Floats(out[1]), (std::vector<float>{2, 5, 12}));
}

TEST(OnnxControlFlow, LoopExitsWhenItsConditionFolds) {
  // No trip count: the loop runs while i < 2 after each iteration (3 iterations).
  onnx::GraphProto* body;
  onnx::ModelProto m = LoopModel("", "go", &body);
  *m.mutable_graph()->add_initializer() = BoolProto("go", true);
  ConstOp(body, "limit", I64Proto("limit", {}, {2}));
  GOp(body, "Less", {"i", "limit"}, {"cond_out"});
  auto g = Import(m, "loop_exit.onnx");
  EXPECT_EQ(g->outputs()[1]->type(), Type(DataType::kFloat32, {3, 1}));
  auto out = Execute(*g, {test::F32({1}, {1})});
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{12}));

  // A trip count of 2 ends it first; a false initial condition runs no iteration, which
  // leaves v and an empty scan output.
  *m.mutable_graph()->mutable_node(0)->mutable_input(0) = "M";
  *m.mutable_graph()->add_initializer() = I64Proto("M", {}, {2});
  out = Execute(*Import(m, "loop_exit_trip.onnx"), {test::F32({1}, {1})});
  EXPECT_EQ(test::Floats(out[1]), (std::vector<float>{2, 5}));
  m.mutable_graph()->mutable_initializer(0)->set_int32_data(0, 0);
  g = Import(m, "loop_exit_none.onnx");
  EXPECT_EQ(g->outputs()[1]->type(), Type(DataType::kFloat32, {0, 1}));
  out = Execute(*g, {test::F32({1}, {7})});
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{7}));
}

TEST(OnnxControlFlow, IfNestedInLoopTakesTheBranchOfEachIteration) {
  // Loop of 3: v = v * 2 on even iterations (then), v + i on odd ones (else); the If's
  // branches read v_in and i of the enclosing body.
  onnx::ModelProto m = Model(16);
  In(m, "v", {1});
  *m.mutable_graph()->add_initializer() = I64Proto("M", {}, {3});
  auto* loop = Op(m, "Loop", {"M", "", "v"}, {"v_final"}, "loop");
  onnx::GraphProto* body = GraphAttr(loop, "body");
  body->set_name("body");
  GIn(body, "i", kI64, {});
  GIn(body, "cond_in", kBool, {});
  GIn(body, "v_in", kF32, {1});
  GOp(body, "Identity", {"cond_in"}, {"cond_out"});
  ConstOp(body, "two", I64Proto("two", {}, {2}));
  ConstOp(body, "zero", I64Proto("zero", {}, {0}));
  GOp(body, "Mod", {"i", "two"}, {"parity"});
  GOp(body, "Equal", {"parity", "zero"}, {"even"});
  auto* branch = GOp(body, "If", {"even"}, {"v_out"});
  branch->set_name("pick");
  onnx::GraphProto* then_g = GraphAttr(branch, "then_branch");
  then_g->set_name("then");
  ConstOp(then_g, "twice_f", FloatProto("twice_f", {}, {2}));
  GOp(then_g, "Mul", {"v_in", "twice_f"}, {"r"});
  GOut(then_g, "r");
  onnx::GraphProto* else_g = GraphAttr(branch, "else_branch");
  else_g->set_name("else");
  GOp(else_g, "CastLike", {"i", "v_in"}, {"i_f"});
  GOp(else_g, "Add", {"v_in", "i_f"}, {"r"});
  GOut(else_g, "r");
  GOut(body, "cond_out", kBool);
  GOut(body, "v_out");
  Out(m, "v_final");
  auto g = Import(m, "loop_if.onnx");
  EXPECT_EQ(CountOp(*g, "Where"), 0u);  // every condition was known
  bool named = false;
  for (const auto& n : g->nodes()) named |= n->name().rfind("loop/iter2/pick/then/", 0) == 0;
  EXPECT_TRUE(named);
  // v: 3 -> 6 (i 0) -> 7 (i 1) -> 14 (i 2).
  auto out = Execute(*g, {test::F32({1}, {3})});
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{14}));
}

// ---- If ----

// If(c): then x + 1, else x * 2 (of the outer x); else_shape reshapes else's result (with
// a graph input 'shape' where shape_input).
onnx::ModelProto IfModel(const std::vector<int64_t>& else_shape = {}, bool shape_input = false) {
  onnx::ModelProto m = Model(16);
  In(m, "c", {}, kBool);
  In(m, "x", {2});
  auto* n = Op(m, "If", {"c"}, {"y"}, "choose");
  onnx::GraphProto* then_g = GraphAttr(n, "then_branch");
  then_g->set_name("then");
  ConstOp(then_g, "one", FloatProto("one", {}, {1}));
  GOp(then_g, "Add", {"x", "one"}, {"r"});
  GOut(then_g, "r");
  onnx::GraphProto* else_g = GraphAttr(n, "else_branch");
  else_g->set_name("else");
  ConstOp(else_g, "two", FloatProto("two", {}, {2}));
  if (else_shape.empty()) {
    GOp(else_g, "Mul", {"x", "two"}, {"r"});
  } else {
    GOp(else_g, "Mul", {"x", "two"}, {"doubled"});
    auto rank = static_cast<int64_t>(else_shape.size());
    if (shape_input)
      In(m, "shape", {rank}, kI64);
    else
      ConstOp(else_g, "shape", I64Proto("shape", {rank}, else_shape));
    GOp(else_g, "Reshape", {"doubled", "shape"}, {"r"});
  }
  GOut(else_g, "r");
  Out(m, "y");
  return m;
}

TEST(OnnxControlFlow, RunTimeIfSelectsWithWhere) {
  auto g = Import(IfModel(), "if_where.onnx");
  EXPECT_EQ(CountOp(*g, "Where"), 1u);
  ASSERT_EQ(g->outputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0]->name(), "y");
  Tensor x = test::F32({2}, {3, 4});
  EXPECT_EQ(test::Floats(Execute(*g, {Bool(true), x})[0]), (std::vector<float>{4, 5}));
  EXPECT_EQ(test::Floats(Execute(*g, {Bool(false), x})[0]), (std::vector<float>{6, 8}));

  // Given at compile time, only the branch taken is imported.
  ImportOptions opts;
  opts.const_inputs["c"] = Bool(false);
  g = Import(IfModel(), "if_const.onnx", opts);
  EXPECT_EQ(CountOp(*g, "Where"), 0u);
  EXPECT_EQ(test::Floats(Execute(*g, {x})[0]), (std::vector<float>{6, 8}));
}

TEST(OnnxControlFlow, RunTimeIfWithBranchesOfDifferentShapesFails) {
  std::string path = Save(IfModel({1, 2}), "if_mismatch.onnx");
  std::string err = ImportError(path);
  EXPECT_HAS(err, "node 'choose' (If)");
  EXPECT_HAS(err, "depends on run-time data");
  EXPECT_HAS(err, "f32[2] and f32[1x2]");
  // Input specialisation freezes the condition then; with equal shapes it stays an input.
  ImportOptions opts;
  opts.const_inputs["c"] = Bool(true);
  opts.const_inputs["x"] = test::F32({2}, {1, 2});
  opts.auto_const_inputs = true;
  auto g = ImportOnnx(path, opts);
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "x");
  g = ImportOnnx(Save(IfModel(), "if_spec.onnx"), opts);
  EXPECT_EQ(g->inputs().size(), 2u);

  // What the branch not taken needs at compile time is frozen too, for the import that
  // computes both branches.
  opts.const_inputs["shape"] = Tensor::FromInts({2});
  g = ImportOnnx(Save(IfModel({2}, true), "if_spec_shape.onnx"), opts);
  ASSERT_EQ(g->inputs().size(), 2u);
  EXPECT_EQ(g->inputs()[1]->name(), "x");
  RunPipeline(*g);
  EXPECT_EQ(CountOp(*g, "Where"), 1u);
}

// ---- Errors and input specialisation of loops ----

TEST(OnnxControlFlow, LoopNeedsItsTripCountAndConditionAtCompileTime) {
  onnx::GraphProto* body;
  onnx::ModelProto m = LoopModel("M", "", &body);
  In(m, "M", {}, kI64);
  GOp(body, "Identity", {"cond_in"}, {"cond_out"});
  std::string path = Save(m, "loop_runtime_m.onnx");
  std::string err = ImportError(path);
  EXPECT_HAS(err, "node 'loop' (Loop)");
  EXPECT_HAS(err, "the trip count M depends on run-time data");
  // Input specialisation freezes M (and only M).
  ImportOptions opts;
  opts.const_inputs["M"] = Tensor::FromInts({2}, DataType::kInt64, {});
  opts.const_inputs["v"] = test::F32({1}, {1});
  opts.auto_const_inputs = true;
  auto g = ImportOnnx(path, opts);
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "v");

  // A condition computed from run-time data cannot end the loop.
  onnx::ModelProto w = LoopModel("", "", &body);
  ConstOp(body, "ten", FloatProto("ten", {1}, {10}));
  GOp(body, "Less", {"v_out", "ten"}, {"small"});
  GOp(body, "Squeeze", {"small"}, {"cond_out"});
  err = ImportError(Save(w, "loop_runtime_cond.onnx"));
  EXPECT_HAS(err,
             "node 'loop' (Loop): Loop's condition depends on run-time data; HALO needs a "
             "trip count known at compile time");

  // A loop that never ends is cut off.
  onnx::ModelProto forever = LoopModel("", "", &body);
  GOp(body, "Identity", {"cond_in"}, {"cond_out"});
  EXPECT_HAS(ImportError(Save(forever, "loop_forever.onnx")), "runs more than 10000 iterations");
}

// ---- Sequences through control flow ----

// x [3x2] split into a sequence of its 3 rows.
void SplitRows(onnx::ModelProto& m, const std::string& seq) {
  In(m, "x", {3, 2});
  IntAttr(Op(m, "SplitToSequence", {"x"}, {seq}, "split"), "keepdims", 0);
}

TEST(OnnxControlFlow, SequenceMapRunsItsBodyPerElement) {
  // y = [row + b for row in rows(x)], concatenated back.
  onnx::ModelProto m = Model(17);
  SplitRows(m, "rows");
  In(m, "b", {2});
  auto* map = Op(m, "SequenceMap", {"rows", "b"}, {"sums"}, "map");
  onnx::GraphProto* body = GraphAttr(map, "body");
  body->set_name("map_body");
  GIn(body, "row", kF32, {2});
  GIn(body, "bias", kF32, {2});
  GOp(body, "Add", {"row", "bias"}, {"sum"});
  GOut(body, "sum");
  IntAttr(Op(m, "ConcatFromSequence", {"sums"}, {"y"}, "cat"), "axis", 0);
  Out(m, "y");
  auto g = Import(m, "sequence_map.onnx");
  EXPECT_EQ(CountOp(*g, "Add"), 3u);
  auto out = Execute(*g, {test::F32({3, 2}, {1, 2, 3, 4, 5, 6}), test::F32({2}, {10, 20})});
  EXPECT_EQ(test::Floats(out[0]), (std::vector<float>{11, 22, 13, 24, 15, 26}));
}

TEST(OnnxControlFlow, LoopCarriesASequenceAndIfSelectsSequences) {
  // The loop appends row i * 2 to a sequence on each of its 2 iterations; then an If of a
  // run-time condition gives that sequence or the rows themselves (element by element).
  onnx::ModelProto m = Model(17);
  SplitRows(m, "rows");
  In(m, "c", {}, kBool);
  *m.mutable_graph()->add_initializer() = I64Proto("M", {}, {3});
  IntAttr(Op(m, "SequenceEmpty", {}, {"empty"}, "empty"), "dtype", kF32);
  auto* loop = Op(m, "Loop", {"M", "", "empty"}, {"doubled"}, "loop");
  onnx::GraphProto* body = GraphAttr(loop, "body");
  body->set_name("loop_body");
  GIn(body, "i", kI64, {});
  GIn(body, "cond_in", kBool, {});
  auto* seq_in = body->add_input();
  seq_in->set_name("seq_in");
  seq_in->mutable_type()
      ->mutable_sequence_type()
      ->mutable_elem_type()
      ->mutable_tensor_type()
      ->set_elem_type(kF32);
  GOp(body, "Identity", {"cond_in"}, {"cond_out"});
  GOp(body, "SequenceAt", {"rows", "i"}, {"row"});
  GOp(body, "Add", {"row", "row"}, {"twice"});
  GOp(body, "SequenceInsert", {"seq_in", "twice"}, {"seq_out"});
  GOut(body, "cond_out", kBool);
  body->add_output()->set_name("seq_out");
  auto* pick = Op(m, "If", {"c"}, {"picked"}, "pick");
  onnx::GraphProto* then_g = GraphAttr(pick, "then_branch");
  then_g->set_name("then");
  GOp(then_g, "Identity", {"doubled"}, {"a"});
  then_g->add_output()->set_name("a");
  onnx::GraphProto* else_g = GraphAttr(pick, "else_branch");
  else_g->set_name("else");
  GOp(else_g, "Identity", {"rows"}, {"b"});
  else_g->add_output()->set_name("b");
  IntAttr(Op(m, "ConcatFromSequence", {"picked"}, {"y"}, "cat"), "axis", 0);
  Out(m, "y");
  auto g = Import(m, "loop_sequence.onnx");
  EXPECT_EQ(CountOp(*g, "Where"), 3u);
  Tensor x = test::F32({3, 2}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(test::Floats(Execute(*g, {x, Bool(true)})[0]),
            (std::vector<float>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(test::Floats(Execute(*g, {x, Bool(false)})[0]), (std::vector<float>{1, 2, 3, 4, 5, 6}));

  // Sequences of different lengths cannot be selected at run time.
  m.mutable_graph()->mutable_initializer(0)->set_int64_data(0, 2);
  std::string err = ImportError(Save(m, "loop_sequence_mismatch.onnx"));
  EXPECT_HAS(err, "node 'pick' (If)");
  EXPECT_HAS(err, "as a sequence of 2 tensors and a sequence of 3 tensors");
}

}  // namespace
}  // namespace halo
