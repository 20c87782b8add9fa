// halo-conformance's pieces: reference tensor files, output comparison, test discovery,
// binding test inputs by name and input specialisation.
#include <gtest/gtest.h>
#include <onnx/onnx-data_pb.h>
#include <onnx/onnx_pb.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "conformance/compare.h"
#include "conformance/compile_model.h"
#include "conformance/files.h"
#include "conformance/process.h"
#include "conformance/runner.h"
#include "conformance/test_inputs.h"
#include "frontends/onnx/onnx_tensor.h"
#include "ir/error.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace halo;
using namespace halo::conformance;

namespace {

std::string TempDir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("halo_conformance_test_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

Tensor I64(const Shape& s, const std::vector<int64_t>& v) {
  return Tensor::FromInts(v, DataType::kInt64, s);
}

// Writes `t` as DIR/KIND_N.pb, a TensorProto named `name` ("" leaves it unnamed).
void WritePb(const std::string& dir, const std::string& kind, int n, const std::string& name,
             const Tensor& t) {
  onnx::TensorProto p;
  if (!name.empty()) p.set_name(name);
  p.set_data_type(DataTypeToOnnx(t.type().dtype));
  for (int64_t d : t.type().shape) p.add_dims(d);
  p.set_raw_data(t.bytes(), t.byte_size());
  WriteFileBytes(dir + "/" + kind + "_" + std::to_string(n) + ".pb", p.SerializeAsString());
}

void WriteInputPb(const std::string& dir, int n, const std::string& name, const Tensor& t) {
  WritePb(dir, "input", n, name, t);
}

void AddInput(onnx::GraphProto* g, const std::string& name, int elem, const Shape& dims) {
  auto* vi = g->add_input();
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem);
  for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

// y = Reshape(data, shape) + bias: Reshape's shape must be known at compile time.
std::string WriteReshapeModel(const std::string& dir, const Shape& bias_dims = {3, 2}) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  auto* o = m.add_opset_import();
  o->set_domain("");
  o->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("g");
  AddInput(g, "data", onnx::TensorProto::FLOAT, {2, 3});
  AddInput(g, "shape", onnx::TensorProto::INT64, {2});
  AddInput(g, "bias", onnx::TensorProto::FLOAT, bias_dims);
  auto* r = g->add_node();
  r->set_op_type("Reshape");
  r->add_input("data");
  r->add_input("shape");
  r->add_output("r");
  auto* a = g->add_node();
  a->set_op_type("Add");
  a->add_input("r");
  a->add_input("bias");
  a->add_output("y");
  auto* out = g->add_output();
  out->set_name("y");
  out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  std::string path = dir + "/model.onnx";
  WriteFileBytes(path, m.SerializeAsString());
  return path;
}

}  // namespace

TEST(ConformanceCompare, FloatsWithinTolerancePass) {
  auto expected = test::F32({3}, {1.0f, -100.0f, 0.0f});
  EXPECT_EQ(CompareTensors(test::F32({3}, {1.0005f, -100.09f, 9e-6f}), expected), "");
}

TEST(ConformanceCompare, FloatsBeyondToleranceReportTheWorst) {
  auto expected = test::F32({4}, {1, 2, 3, 4});
  std::string msg = CompareTensors(test::F32({4}, {1.01f, 2, 3.5f, 4}), expected);
  EXPECT_EQ(msg, "worst |diff| 0.5 at index 2 (got 3.5, expected 3)");
}

TEST(ConformanceCompare, NanMatchesOnlyNan) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(CompareTensors(test::F32({2}, {nan, inf}), test::F32({2}, {nan, inf})), "");
  EXPECT_NE(CompareTensors(test::F32({1}, {1}), test::F32({1}, {nan})), "");
  EXPECT_NE(CompareTensors(test::F32({1}, {nan}), test::F32({1}, {1})), "");
  EXPECT_NE(CompareTensors(test::F32({1}, {-inf}), test::F32({1}, {inf})), "");
}

TEST(ConformanceCompare, TypesAndShapesMustMatch) {
  EXPECT_EQ(CompareTensors(test::F32({2, 1}, {1, 2}), test::F32({2}, {1, 2})),
            "got type f32[2x1], expected f32[2]");
  EXPECT_EQ(CompareTensors(test::F32({1}, {1}), test::F32({}, {1})),
            "got type f32[1], expected f32[]");
  EXPECT_EQ(CompareTensors(test::F32({}, {1}), test::F32({}, {1})), "");
  EXPECT_NE(CompareTensors(I64({2}, {1, 2}), test::F32({2}, {1, 2})), "");
}

TEST(ConformanceCompare, IntegersAreExact) {
  EXPECT_EQ(CompareTensors(I64({3}, {1, 2, 3}), I64({3}, {1, 2, 3})), "");
  EXPECT_EQ(CompareTensors(I64({3}, {1, 2, 4}), I64({3}, {1, 2, 3})),
            "worst |diff| 1 at index 2 (got 4, expected 3)");
  Tensor a(Type(DataType::kBool, {2})), b(Type(DataType::kBool, {2}));
  a.mutable_data<uint8_t>()[1] = 1;
  EXPECT_EQ(CompareTensors(a, b), "worst |diff| 1 at index 1 (got 1, expected 0)");
}

TEST(ConformanceCompare, ScaleToleranceBoundsTheWorstByTheLargest) {
  Tolerance t = ParseTolerance("scale:1e-3");
  EXPECT_EQ(t.kind, Tolerance::kScale);
  auto expected = test::F32({3}, {100, 0, -1});
  // 0.09 off an element of 0 is within 1e-3 * 100; element-wise it is not.
  auto got = test::F32({3}, {100.05f, 0.09f, -1});
  EXPECT_EQ(CompareTensors(got, expected, t), "");
  EXPECT_NE(CompareTensors(got, expected), "");
  EXPECT_NEAR(ScaledError(got, expected), 0.09 / 100, 1e-7);
  std::string msg = CompareTensors(test::F32({3}, {100, 0.2f, -1}), expected, t);
  EXPECT_EQ(msg.rfind("worst |diff| 0.2", 0), 0u) << msg;
  EXPECT_NE(msg.find("max |expected| 100"), std::string::npos) << msg;
  float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(CompareTensors(test::F32({2}, {nan, 1}), test::F32({2}, {0, 1}), t), "");
  EXPECT_EQ(ScaledError(test::F32({1}, {0}), test::F32({1}, {0})), 0);
}

TEST(ConformanceCompare, ParseTolerance) {
  Tolerance t = ParseTolerance("1e-4,0.01");
  EXPECT_EQ(t.kind, Tolerance::kElement);
  EXPECT_EQ(t.abs, 1e-4);
  EXPECT_EQ(t.rel, 0.01);
  EXPECT_NE(CompareTensors(test::F32({1}, {1.02f}), test::F32({1}, {1}), t), "");
  EXPECT_EQ(CompareTensors(test::F32({1}, {1.005f}), test::F32({1}, {1}), t), "");
  for (const char* bad : {"", "1e-4", "scale:", "scale:x", "1,-1", "a,b", "1,2,3"})
    EXPECT_THROW(ParseTolerance(bad), Error) << bad;
}

TEST(ConformanceCompare, HalfFloats) {
  EXPECT_EQ(HalfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xc000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(HalfToFloat(0x7c00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7e00)));
  EXPECT_EQ(BFloat16ToFloat(0xc120), -10.0f);
}

Tensor Bits16(DataType t, const std::vector<uint16_t>& bits) {
  Tensor r(Type(t, {static_cast<int64_t>(bits.size())}));
  for (size_t i = 0; i < bits.size(); ++i) r.mutable_data<uint16_t>()[i] = bits[i];
  return r;
}

TEST(ConformanceCompare, HalfFloatTensors) {
  // float16 compares as floats with the usual tolerance: 1 vs 1 + 2^-10 (9.8e-4 apart) and
  // 1 vs 1 + 2^-9 (2e-3 apart); the bits are never compared as integers.
  Tensor one = Bits16(DataType::kFloat16, {0x3c00});
  EXPECT_EQ(CompareTensors(Bits16(DataType::kFloat16, {0x3c01}), one), "");
  EXPECT_NE(CompareTensors(Bits16(DataType::kFloat16, {0x3c02}), one), "");
  EXPECT_EQ(CompareTensors(Bits16(DataType::kFloat16, {0x8000}), Bits16(DataType::kFloat16, {0})),
            "");
  // bfloat16 allows one unit in the last place (truncated vs rounded data), not two.
  Tensor bone = Bits16(DataType::kBFloat16, {0x3f80});
  EXPECT_EQ(CompareTensors(Bits16(DataType::kBFloat16, {0x3f81}), bone), "");
  EXPECT_NE(CompareTensors(Bits16(DataType::kBFloat16, {0x3f82}), bone), "");
  EXPECT_NE(CompareTensors(Bits16(DataType::kBFloat16, {0x3f80}), one), "");  // types differ
}

TEST(ConformanceDiscover, SuitesAndSingleTests) {
  std::string root = TempDir("discover");
  for (const char* t : {"suite/test_b", "suite/test_a", "suite/not_a_test"})
    fs::create_directories(root + "/" + t);
  WriteFileBytes(root + "/suite/test_a/model.onnx", "");
  WriteFileBytes(root + "/suite/test_b/model.onnx", "");
  auto tests = DiscoverTests({root + "/suite/", root + "/suite/test_b"});
  ASSERT_EQ(tests.size(), 2u);
  EXPECT_EQ(tests[0].name, "suite/test_a");
  EXPECT_EQ(tests[1].name, "suite/test_b");
  EXPECT_EQ(DiscoverTests({root + "/suite/test_a"})[0].name, "suite/test_a");
}

TEST(ConformanceDiscover, MissingSuiteNamesThePackage) {
  try {
    DiscoverTests({"/nonexistent/libonnx/node"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("libonnx-testdata"), std::string::npos) << e.what();
  }
}

TEST(ConformanceProcess, ExitCodesSignalsAndTimeouts) {
  std::string log = TempDir("process") + "/log";
  ProcessResult r = RunProcess({"sh", "-c", "echo hi; exit 3"}, log, 10);
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.Describe(10), "exit code 3");
  EXPECT_EQ(ReadFileBytes(log), "hi\n");
  r = RunProcess({"sh", "-c", "kill -SEGV $$"}, log, 10);
  EXPECT_EQ(r.Describe(10), "killed by SIGSEGV");
  auto t0 = std::chrono::steady_clock::now();
  r = RunProcess({"sh", "-c", "sleep 30 & wait"}, log, 0.3);  // a child of the child too
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(RunProcess({"true"}, log, 10).ok());
  EXPECT_FALSE(RunProcess({"/nonexistent/program"}, log, 10).started);
}

TEST(ConformanceInputs, BindByTensorNameThenPosition) {
  std::vector<std::string> model = {"a", "b", "c"};
  // Named files go to their input whatever their position.
  EXPECT_EQ(BindInputs({"c", "a", "b"}, model), (std::vector<std::string>{"c", "a", "b"}));
  // Unnamed files and names the model lacks take the input at their position.
  EXPECT_EQ(BindInputs({"", "b", "x"}, model), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(BindInputs({}, model), std::vector<std::string>{});
  EXPECT_THROW(BindInputs({"b", ""}, model), Error);  // input_1.pb falls on b too
  EXPECT_THROW(BindInputs({"", "", "", ""}, model), Error);
  try {
    BindInputs({"a", "a"}, model);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "input_0.pb and input_1.pb both feed the model input 'a'");
  }
}

TEST(ConformanceInputs, LoadInputsByName) {
  std::string dir = TempDir("load_inputs");
  WriteInputPb(dir, 0, "shape", I64({2}, {3, 2}));
  WriteInputPb(dir, 1, "", test::F32({2}, {1, 2}));  // position 1: "shape", taken already
  EXPECT_THROW(LoadInputs(dir, {"data", "shape", "text"}), Error);
  WriteInputPb(dir, 1, "data", test::F32({2}, {1, 2}));
  onnx::TensorProto text;  // an element type HALO lacks
  text.set_data_type(onnx::TensorProto::STRING);
  text.add_dims(1);
  text.add_string_data("a");
  WriteFileBytes(dir + "/input_2.pb", text.SerializeAsString());
  InputData data = LoadInputs(dir, {"data", "shape", "text"});
  ASSERT_EQ(data.tensors.size(), 2u);
  EXPECT_EQ(data.tensors.at("shape").type(), Type(DataType::kInt64, {2}));
  EXPECT_EQ(test::Floats(data.tensors.at("data")), (std::vector<float>{1, 2}));
  ASSERT_EQ(data.unreadable.count("text"), 1u);
  EXPECT_EQ(data.unreadable.at("text").rfind("input_2.pb: ", 0), 0u) << data.unreadable.at("text");
  WriteFileBytes(dir + "/input_3.pb", "");  // no TensorProto: bound by position
  data = LoadInputs(dir, {"data", "shape", "text", "seq"});
  EXPECT_EQ(data.unreadable.at("seq"), "input_3.pb: not a valid ONNX TensorProto file");
}

onnx::TensorProto ToProto(const Tensor& t) {
  onnx::TensorProto p;
  p.set_data_type(DataTypeToOnnx(t.type().dtype));
  for (int64_t d : t.type().shape) p.add_dims(d);
  p.set_raw_data(t.bytes(), t.byte_size());
  return p;
}

TEST(ConformanceInputs, SequencesAndOptionalsAreFlattened) {
  std::string dir = TempDir("load_sequences");
  onnx::OptionalProto empty;  // unnamed: binds by position to "o"
  WriteFileBytes(dir + "/input_0.pb", empty.SerializeAsString());
  onnx::SequenceProto seq;  // named: binds to "s" wherever it is
  seq.set_name("s");
  seq.set_elem_type(onnx::SequenceProto::TENSOR);
  *seq.add_tensor_values() = ToProto(test::F32({2}, {1, 2}));
  *seq.add_tensor_values() = ToProto(I64({1}, {3}));
  WriteFileBytes(dir + "/input_1.pb", seq.SerializeAsString());
  onnx::OptionalProto held;
  held.set_name("p");
  held.set_elem_type(onnx::OptionalProto::TENSOR);
  *held.mutable_tensor_value() = ToProto(test::F32({1}, {4}));
  WriteFileBytes(dir + "/input_2.pb", held.SerializeAsString());
  using K = Port::Kind;
  InputData data = LoadInputs(dir, {"o", "p", "s"}, {K::kOptional, K::kOptional, K::kSequence});
  EXPECT_TRUE(data.unreadable.empty());
  EXPECT_EQ(data.absent, std::set<std::string>{"o"});
  EXPECT_EQ(data.sequence_shapes.at("s"), (std::vector<Shape>{{2}, {1}}));
  EXPECT_EQ(data.tensors.at("s.1").type(), Type(DataType::kInt64, {1}));
  EXPECT_EQ(test::Floats(data.tensors.at("p")), std::vector<float>{4});
  EXPECT_EQ(data.tensors.size(), 3u);
  std::string key = StructureKey(data);
  EXPECT_EQ(key.size(), 32u);
  data.sequence_shapes["s"].pop_back();
  EXPECT_NE(StructureKey(data), key);
  EXPECT_EQ(StructureKey(InputData{}), "");

  TestValue v = LoadTestValue(dir + "/input_1.pb", K::kSequence);
  EXPECT_EQ(DescribeValue(v), "a sequence of 2 tensors");
  EXPECT_EQ(DescribeValue(LoadTestValue(dir + "/input_0.pb", K::kOptional)), "an empty optional");
  EXPECT_EQ(DescribeValue(LoadTestValue(dir + "/input_2.pb", K::kOptional)),
            "an optional holding a tensor");
  EXPECT_THROW(LoadTestValue(dir + "/input_0.pb", K::kTensor), Error);
}

TEST(ConformanceInputs, FrozenKeyCoversOnlyTheFrozenValues) {
  std::map<std::string, Tensor> a = {{"shape", I64({2}, {3, 2})}, {"x", test::F32({1}, {1})}};
  std::map<std::string, Tensor> b = a;
  b["x"] = test::F32({1}, {5});  // a runtime input: the compile is the same
  EXPECT_EQ(FrozenKey({}, a), "");
  EXPECT_EQ(FrozenKey({"shape"}, a).size(), 32u);
  EXPECT_EQ(FrozenKey({"shape"}, a), FrozenKey({"shape"}, b));
  EXPECT_NE(FrozenKey({"shape", "x"}, a), FrozenKey({"shape", "x"}, b));
  b["shape"] = I64({2}, {2, 3});
  EXPECT_NE(FrozenKey({"shape"}, a), FrozenKey({"shape"}, b));
  b["shape"] = I64({2, 1}, {3, 2});  // the same bytes, another shape
  EXPECT_NE(FrozenKey({"shape"}, a), FrozenKey({"shape"}, b));
  EXPECT_THROW(FrozenKey({"missing"}, a), Error);
}

TEST(ConformanceCompile, ModelTypesRoundTrip) {
  ModelTypes t;
  t.model_inputs = {"x", "a name", "shape"};
  t.input_names = {"x", "a name"};
  t.inputs = {Type(DataType::kFloat32, {2, 3}), Type(DataType::kInt64, {})};
  Type bounded(DataType::kInt64, {3, 2, 5});
  bounded.MarkDynamic(0).MarkDynamic(2);
  t.outputs = {Type(DataType::kBool, {4}), bounded};
  t.frozen = {"shape"};
  t.model_input_kinds = {Port::Kind::kTensor, Port::Kind::kSequence, Port::Kind::kTensor};
  Port port;
  port.name = "an output";
  port.kind = Port::Kind::kOptional;
  port.content = Port::Kind::kSequence;
  port.present = true;
  port.dtype = DataType::kBool;
  port.count = 1;
  t.output_ports = {port};
  std::string path = TempDir("types") + "/types.txt";
  WriteModelTypes(path, t);
  ModelTypes r = ReadModelTypes(path);
  EXPECT_EQ(r.model_inputs, t.model_inputs);
  EXPECT_EQ(r.input_names, t.input_names);
  EXPECT_EQ(r.inputs, t.inputs);
  EXPECT_EQ(r.outputs, t.outputs);
  EXPECT_EQ(r.frozen, t.frozen);
  EXPECT_EQ(r.model_input_kinds, t.model_input_kinds);
  ASSERT_EQ(r.output_ports.size(), 1u);
  EXPECT_EQ(r.output_ports[0].name, "an output");
  EXPECT_EQ(r.output_ports[0].kind, Port::Kind::kOptional);
  EXPECT_EQ(r.output_ports[0].content, Port::Kind::kSequence);
  EXPECT_TRUE(r.output_ports[0].present);
  EXPECT_EQ(r.output_ports[0].dtype, DataType::kBool);
  EXPECT_EQ(r.output_ports[0].count, 1u);
}

TEST(ConformanceCompile, SpecialisesOnlyTheInputsHaloNeeds) {
  std::string dir = TempDir("specialise");
  std::string model = WriteReshapeModel(dir);
  std::string set = dir + "/test_data_set_0";
  fs::create_directories(set);
  // Named out of model order: binding is by name.
  WriteInputPb(set, 0, "bias", test::F32({3, 2}, {0, 0, 0, 0, 0, 0}));
  WriteInputPb(set, 1, "shape", I64({2}, {3, 2}));
  WriteInputPb(set, 2, "data", test::F32({2, 3}, {1, 2, 3, 4, 5, 6}));

  std::string work = dir + "/specialised";
  fs::create_directories(work);
  CompileModel(model, set, work, true);
  ModelTypes t = ReadModelTypes(work + "/" + kMetaName);
  EXPECT_EQ(t.model_inputs, (std::vector<std::string>{"data", "shape", "bias"}));
  EXPECT_EQ(t.input_names, (std::vector<std::string>{"data", "bias"}));
  EXPECT_EQ(t.frozen, std::vector<std::string>{"shape"});
  EXPECT_EQ(t.outputs, std::vector<Type>{Type(DataType::kFloat32, {3, 2})});
  std::string harness = ReadFileBytes(work + "/" + kHarnessName);
  EXPECT_NE(harness.find("(in0, in1, out0)"), std::string::npos) << harness;

  work = dir + "/plain";
  fs::create_directories(work);
  try {  // HALO cannot compile the model without the shape
    CompileModel(model, set, work, false);
    FAIL() << "compiled without the shape";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("shape"), std::string::npos) << e.what();
  }
}

// The whole path (halo-conformance's compile step, c++, the program) on a test whose data
// sets freeze different shapes: one executable per distinct shape.
TEST(ConformanceRunner, OneCompilePerSetOfFrozenValues) {
  std::string root = TempDir("runner");
  std::string dir = root + "/suite/test_reshape_sets";
  fs::create_directories(dir);
  WriteReshapeModel(dir, {1});
  struct Set {
    Shape shape;
    float bias;
    bool named;
  };
  std::vector<Set> sets = {{{3, 2}, 1, true}, {{6, 1}, 2, false}, {{3, 2}, 3, true}};
  for (size_t s = 0; s < sets.size(); ++s) {
    std::string set = dir + "/test_data_set_" + std::to_string(s);
    fs::create_directories(set);
    std::vector<float> data = {1, 2, 3, 4, 5, 6}, sum;
    for (float v : data) sum.push_back(v + sets[s].bias);
    Tensor shape = I64({2}, sets[s].shape);
    if (sets[s].named) {  // the files in another order than the model's inputs
      WriteInputPb(set, 0, "bias", test::F32({1}, {sets[s].bias}));
      WriteInputPb(set, 1, "shape", shape);
      WriteInputPb(set, 2, "data", test::F32({2, 3}, data));
    } else {
      WriteInputPb(set, 0, "", test::F32({2, 3}, data));
      WriteInputPb(set, 1, "", shape);
      WriteInputPb(set, 2, "", test::F32({1}, {sets[s].bias}));
    }
    WritePb(set, "output", 0, "y", test::F32(sets[s].shape, sum));
  }

  RunnerConfig config;
  config.self_exe = HALO_BINARY_DIR "/bin/halo-conformance";
  config.include_dir = HALO_SOURCE_DIR "/include";
  config.runtime_lib = HALO_BINARY_DIR "/lib/libodla_ref.so";
  if (!fs::exists(config.runtime_lib)) config.runtime_lib = HALO_BINARY_DIR "/lib/libodla_ref.a";
  config.cache_dir = root + "/cache";
  config.work_dir = root + "/work";
  Runner runner(config);
  TestCase test = DiscoverTests({dir})[0];
  Outcome o = runner.Run(test);
  EXPECT_EQ(o.kind, Outcome::kPass) << o.message;
  EXPECT_EQ(o.specialised, std::vector<std::string>{"shape"});
  std::set<std::string> exes;
  for (const auto& e : fs::directory_iterator(config.cache_dir + "/exe"))
    exes.insert(e.path().filename().string());
  EXPECT_EQ(exes.size(), 2u);
  for (const char* c : {"compile_0", "compile_1"})
    EXPECT_TRUE(fs::exists(config.work_dir + "/suite_test_reshape_sets/" + c)) << c;
  EXPECT_FALSE(fs::exists(config.work_dir + "/suite_test_reshape_sets/compile_2"));

  // A wrong expected value in the last set: the comparison sees it.
  WritePb(dir + "/test_data_set_2", "output", 0, "y", test::F32({3, 2}, {0, 0, 0, 0, 0, 0}));
  o = runner.Run(test);
  EXPECT_EQ(o.kind, Outcome::kFail);
  EXPECT_EQ(o.message.rfind("test_data_set_2 ", 0), 0u) << o.message;

  // Without specialisation the shape stays an input, which Reshape cannot take.
  config.specialise = false;
  o = Runner(config).Run(test);
  EXPECT_EQ(o.kind, Outcome::kError);
  EXPECT_NE(o.message.find("'shape' must be a constant"), std::string::npos) << o.message;
  EXPECT_TRUE(o.specialised.empty());
}
