// The ONNX frontend: models built here as ModelProtos, written to the build directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <limits>

#include "frontends/onnx/onnx_tensor.h"
#include "ir/op_registry.h"
#include "onnx_test_util.h"
#include "passes/passes.h"
#include "targets/executor.h"

namespace halo {
namespace {

using namespace onnx_test;  // NOLINT

// A model x -> Relu -> Add(., y) -> out.
onnx::ModelProto AddRelu() {
  onnx::ModelProto m = Model();
  In(m, "x", {2, 3});
  In(m, "y", {2, 3});
  Op(m, "Relu", {"x"}, {"r"}, "relu");
  Op(m, "Add", {"r", "y"}, {"out"}, "add");
  Out(m, "out");
  return m;
}

TEST(OnnxFrontend, ImportsGraphWithNamesAndOrder) {
  auto g = ImportOnnx(Save(AddRelu(), "add_relu.onnx"), {});
  ASSERT_EQ(g->inputs().size(), 2u);
  EXPECT_EQ(g->inputs()[0]->name(), "x");
  EXPECT_EQ(g->inputs()[1]->name(), "y");
  EXPECT_EQ(g->inputs()[0]->type(), Type(DataType::kFloat32, {2, 3}));
  ASSERT_EQ(g->outputs().size(), 1u);
  Value* out = g->outputs()[0];
  EXPECT_EQ(out->name(), "out");
  EXPECT_EQ(out->producer()->op(), "Add");
  EXPECT_EQ(out->producer()->name(), "add");
  EXPECT_EQ(out->producer()->input(0)->producer()->op(), "Relu");
  EXPECT_EQ(out->producer()->input(1), g->inputs()[1]);
  InferShapes(*g);
  EXPECT_EQ(out->type(), Type(DataType::kFloat32, {2, 3}));
}

TEST(OnnxFrontend, NodeNamesFallBackAndStayUnique) {
  onnx::ModelProto m = Model();
  In(m, "x", {2});
  Op(m, "Relu", {"x"}, {"a"}, "same");
  Op(m, "Relu", {"a"}, {"b"}, "same");
  Op(m, "Relu", {"b"}, {"c"});
  Out(m, "c");
  auto g = ImportOnnx(Save(m, "names.onnx"), {});
  std::vector<std::string> names;
  for (const auto& n : g->nodes())
    if (n->op() == "Relu") names.push_back(n->name());
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0], "same");
  EXPECT_NE(names[1], "same");
  EXPECT_EQ(names[2], "c");
  EXPECT_EQ(g->outputs()[0]->name(), "c");
}

TEST(OnnxFrontend, ConformanceModels) {
  for (const char* t : {"test_add", "test_relu"}) {
    std::string path = kSuite + "/node/" + t + "/model.onnx";
    if (access(path.c_str(), R_OK) != 0) GTEST_SKIP() << "libonnx-testdata is not installed";
    auto g = ImportOnnx(path, {});
    InferShapes(*g);
    ASSERT_EQ(g->outputs().size(), 1u) << t;
    EXPECT_EQ(g->outputs()[0]->type(), Type(DataType::kFloat32, {3, 4, 5})) << t;
  }
}

TEST(OnnxFrontend, InitializersAndConstantNodesBecomeConstants) {
  onnx::ModelProto m = Model();
  In(m, "x", {2});
  In(m, "w", {2});  // also an initializer: a constant
  *m.mutable_graph()->add_initializer() = FloatProto("w", {2}, {1.5f, -2});
  *m.mutable_graph()->add_initializer() = FloatProto("unlisted", {2}, {3, 4});
  auto* c = Op(m, "Constant", {}, {"k"}, "kf");
  auto* a = c->add_attribute();
  a->set_name("value_floats");
  a->set_type(onnx::AttributeProto::FLOATS);
  a->add_floats(7);
  a->add_floats(8);
  auto* ci = Op(m, "Constant", {}, {"ki"});
  auto* ai = ci->add_attribute();
  ai->set_name("value_int");
  ai->set_type(onnx::AttributeProto::INT);
  ai->set_i(-3);
  Op(m, "Add", {"x", "w"}, {"s1"});
  Op(m, "Add", {"s1", "unlisted"}, {"s2"});
  Op(m, "Add", {"s2", "k"}, {"out"});
  Out(m, "out");
  Out(m, "ki", onnx::TensorProto::INT64);
  auto g = ImportOnnx(Save(m, "consts.onnx"), {});
  ASSERT_EQ(g->inputs().size(), 1u);
  Node* add3 = g->outputs()[0]->producer();
  const Tensor* k = ConstantOf(add3->input(1));
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->type(), Type(DataType::kFloat32, {2}));
  EXPECT_EQ(k->ToDoubles(), (std::vector<double>{7, 8}));
  Node* add2 = add3->input(0)->producer();
  ASSERT_NE(ConstantOf(add2->input(1)), nullptr);
  EXPECT_EQ(add2->input(1)->name(), "unlisted");
  const Tensor* w = ConstantOf(add2->input(0)->producer()->input(1));
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->ToDoubles(), (std::vector<double>{1.5, -2}));
  const Tensor* ki = ConstantOf(g->outputs()[1]);
  ASSERT_NE(ki, nullptr);
  EXPECT_EQ(ki->type(), Type(DataType::kInt64, {}));
  EXPECT_EQ(ki->GetInt(0), -3);
  EXPECT_EQ(g->outputs()[1]->name(), "ki");
}

TEST(OnnxFrontend, UnknownDimensionsFromOptions) {
  onnx::ModelProto m = Model();
  In(m, "x", {-1, 3});
  In(m, "y", {-1, 3});
  Op(m, "Add", {"x", "y"}, {"out"});
  Out(m, "out");
  std::string path = Save(m, "symbolic.onnx");
  std::string err = ImportError(path);
  EXPECT_HAS(err, "symbolic.onnx: input 'x' has an unknown dimension (shape Nx3 in the model)");
  EXPECT_HAS(err, "--input-shape x:AxBxC");
  EXPECT_HAS(err, "--batch-size N");

  ImportOptions batch;
  batch.batch_size = 4;
  auto g = ImportOnnx(path, batch);
  EXPECT_EQ(g->inputs()[1]->type(), Type(DataType::kFloat32, {4, 3}));

  ImportOptions shapes;
  shapes.batch_size = 4;
  shapes.input_shapes["x"] = {2, 3};
  g = ImportOnnx(path, shapes);
  EXPECT_EQ(g->inputs()[0]->type(), Type(DataType::kFloat32, {2, 3}));
  EXPECT_EQ(g->inputs()[1]->type(), Type(DataType::kFloat32, {4, 3}));

  ImportOptions wrong;
  wrong.input_shapes["x"] = {2, 5};
  EXPECT_HAS(ImportError(path, wrong),
             "--input-shape x:2x5 does not match the model's shape Nx3 for input 'x'");
  ImportOptions unknown;
  unknown.batch_size = 1;
  unknown.input_shapes["z"] = {1};
  EXPECT_HAS(ImportError(path, unknown), "--input-shape names 'z', which is not an input");
}

TEST(OnnxFrontend, InputWithoutShapeNeedsOne) {
  onnx::ModelProto m = Model();
  In(m, "x", {2});
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  Op(m, "Relu", {"x"}, {"out"});
  Out(m, "out");
  std::string path = Save(m, "noshape.onnx");
  EXPECT_HAS(ImportError(path), "input 'x' has no shape in the model; give it with --input-shape");
  ImportOptions o;
  o.input_shapes["x"] = {5, 6};
  EXPECT_EQ(ImportOnnx(path, o)->inputs()[0]->type(), Type(DataType::kFloat32, {5, 6}));
}

TEST(OnnxFrontend, BadFilesGiveOneClearError) {
  std::string good = AddRelu().SerializeAsString();
  EXPECT_HAS(ImportError(TestDir() + "/missing.onnx"), "missing.onnx: cannot open the file");
  EXPECT_HAS(ImportError(WriteFile("empty.onnx", "")),
             "not a valid ONNX model (the file is empty)");
  EXPECT_HAS(ImportError(WriteFile("text.onnx", "hello, this is not a model\n")),
             "text.onnx: not a valid ONNX model");
  for (size_t cut : {good.size() / 3, good.size() / 2, good.size() - 3}) {
    std::string err = ImportError(WriteFile("truncated.onnx", good.substr(0, cut)));
    EXPECT_HAS(err, "truncated.onnx: not a valid ONNX model");
  }
  onnx::TensorProto t = FloatProto("t", {1}, {1});
  EXPECT_HAS(ImportError(WriteFile("tensor.onnx", t.SerializeAsString())),
             "tensor.onnx: not a valid ONNX model");
  onnx::ModelProto bad = AddRelu();
  bad.mutable_graph()->mutable_node(1)->set_input(0, "nowhere");
  EXPECT_HAS(ImportError(Save(bad, "dangling.onnx")),
             "dangling.onnx: not a valid ONNX model (checker:");
}

TEST(OnnxFrontend, OpsetRange) {
  onnx::ModelProto m = AddRelu();
  m.mutable_opset_import(0)->set_version(17);
  EXPECT_EQ(ImportError(Save(m, "opset17.onnx")), "");
  m.set_ir_version(9);  // as newer onnx packages write, even for opset 17
  EXPECT_EQ(ImportError(Save(m, "ir9.onnx")), "");
  m.mutable_opset_import(0)->set_version(26);
  EXPECT_HAS(ImportError(Save(m, "opset26.onnx")), "ONNX opset 26 is newer than HALO supports");
}

TEST(OnnxFrontend, OldOpsetIsUpgraded) {
  onnx::ModelProto m = Model(6);
  m.set_ir_version(3);
  In(m, "x", {2, 3});
  In(m, "b", {3});
  auto* add = Op(m, "Add", {"x", "b"}, {"out"}, "add");
  auto* a = add->add_attribute();
  a->set_name("broadcast");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(1);
  Out(m, "out");
  auto g = ImportOnnx(Save(m, "opset6.onnx"), {});
  Node* n = g->outputs()[0]->producer();
  EXPECT_EQ(n->op(), "Add");
  EXPECT_TRUE(n->attrs().empty());
  InferShapes(*g);
  EXPECT_EQ(g->outputs()[0]->type(), Type(DataType::kFloat32, {2, 3}));
}

TEST(OnnxFrontend, UnsupportedOperatorAndDomain) {
  onnx::ModelProto m = Model(13);
  In(m, "x", {2, 2});
  Op(m, "RandomNormalLike", {"x"}, {"d"});  // random draws: not supported
  Out(m, "d");
  ASSERT_EQ(OpRegistry::Get().Find("RandomNormalLike"), nullptr);
  EXPECT_HAS(ImportError(Save(m, "rand.onnx")),
             "rand.onnx: node 'd' (RandomNormalLike): unsupported operator");

  onnx::ModelProto c = Model(13);
  auto* o = c.add_opset_import();
  o->set_domain("com.example");
  o->set_version(1);
  In(c, "x", {2});
  Op(c, "Foo", {"x"}, {"y"}, "foo")->set_domain("com.example");
  Out(c, "y");
  EXPECT_HAS(ImportError(Save(c, "domain.onnx")),
             "node 'foo' (Foo): operator domain 'com.example' is not supported");
}

TEST(OnnxFrontend, UnsupportedElementTypes) {
  onnx::ModelProto m = Model();
  In(m, "s", {2}, onnx::TensorProto::STRING);
  Op(m, "Identity", {"s"}, {"out"});
  Out(m, "out", onnx::TensorProto::STRING);
  EXPECT_HAS(ImportError(Save(m, "strin.onnx")), "unsupported element type STRING for input 's'");

  onnx::ModelProto w = AddRelu();
  onnx::TensorProto* t = w.mutable_graph()->add_initializer();
  t->set_name("y");
  t->set_data_type(onnx::TensorProto::COMPLEX64);
  t->add_dims(2);
  t->add_dims(3);
  for (int i = 0; i < 12; ++i) t->add_float_data(0);
  EXPECT_HAS(ImportError(Save(w, "c64w.onnx")),
             "initializer 'y': unsupported element type COMPLEX64 for tensor 'y'");
}

TEST(OnnxFrontend, HalfFloatTypes) {
  // A float16 input, a bfloat16 initializer (bits in int32_data) and casts between them.
  onnx::ModelProto m = Model();
  In(m, "h", {2}, onnx::TensorProto::FLOAT16);
  onnx::TensorProto* b = m.mutable_graph()->add_initializer();
  b->set_name("b");
  b->set_data_type(onnx::TensorProto::BFLOAT16);
  b->add_dims(2);
  for (int bits : {0x3fc0, 0xc040}) b->add_int32_data(bits);  // 1.5, -3
  Op(m, "Cast", {"b"}, {"bh"})->add_attribute()->CopyFrom([] {
    onnx::AttributeProto a;
    a.set_name("to");
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(onnx::TensorProto::FLOAT16);
    return a;
  }());
  Op(m, "Max", {"h", "bh"}, {"out"});
  Out(m, "out", onnx::TensorProto::FLOAT16);
  auto g = ImportOnnx(Save(m, "half.onnx"), {});
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->type(), Type(DataType::kFloat16, {2}));
  RunPipeline(*g);
  EXPECT_EQ(g->outputs()[0]->type(), Type(DataType::kFloat16, {2}));
  Executor ex(*g);
  Tensor h(Type(DataType::kFloat16, {2}));
  h.mutable_data<uint16_t>()[0] = 0x4000;  // 2
  h.mutable_data<uint16_t>()[1] = 0xbc00;  // -1
  Tensor out = ex.Run({h}).at(0);
  ASSERT_EQ(out.type(), Type(DataType::kFloat16, {2}));
  EXPECT_EQ(out.ToDoubles(), (std::vector<double>{2, -1}));
}

onnx::TensorProto Proto(int type, const std::vector<int64_t>& dims) {
  onnx::TensorProto t;
  t.set_name("t");
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  return t;
}

TEST(OnnxTensor, TypedFields) {
  onnx::TensorProto f = FloatProto("f", {2, 2}, {1, 2, 3, 4});
  Tensor tf = TensorFromProto(f, "");
  EXPECT_EQ(tf.type(), Type(DataType::kFloat32, {2, 2}));
  EXPECT_EQ(tf.ToDoubles(), (std::vector<double>{1, 2, 3, 4}));

  struct Case {
    int onnx;
    DataType dt;
  };
  for (Case c : {Case{onnx::TensorProto::INT8, DataType::kInt8},
                 Case{onnx::TensorProto::UINT8, DataType::kUInt8},
                 Case{onnx::TensorProto::INT16, DataType::kInt16},
                 Case{onnx::TensorProto::UINT16, DataType::kUInt16},
                 Case{onnx::TensorProto::INT32, DataType::kInt32}}) {
    onnx::TensorProto t = Proto(c.onnx, {3});
    for (int v : {1, 0, 100}) t.add_int32_data(v);
    Tensor r = TensorFromProto(t, "");
    EXPECT_EQ(r.type(), Type(c.dt, {3}));
    EXPECT_EQ(r.ToInts(), (std::vector<int64_t>{1, 0, 100}));
  }
  // float16 / bfloat16: the bits in int32_data or raw little-endian bytes.
  onnx::TensorProto h = Proto(onnx::TensorProto::FLOAT16, {3});
  for (int bits : {0x3c00, 0xc100, 0x7c00}) h.add_int32_data(bits);
  Tensor th = TensorFromProto(h, "");
  EXPECT_EQ(th.type(), Type(DataType::kFloat16, {3}));
  EXPECT_EQ(th.ToDoubles(),
            (std::vector<double>{1, -2.5, std::numeric_limits<double>::infinity()}));
  onnx::TensorProto bf = Proto(onnx::TensorProto::BFLOAT16, {2});
  bf.set_raw_data(std::string("\x80\x3f\x20\xc1", 4));  // 0x3f80 = 1, 0xc120 = -10
  Tensor tbf = TensorFromProto(bf, "");
  EXPECT_EQ(tbf.type(), Type(DataType::kBFloat16, {2}));
  EXPECT_EQ(tbf.ToDoubles(), (std::vector<double>{1, -10}));
  EXPECT_EQ(DataTypeToOnnx(DataType::kFloat16), onnx::TensorProto::FLOAT16);
  EXPECT_EQ(DataTypeToOnnx(DataType::kBFloat16), onnx::TensorProto::BFLOAT16);

  onnx::TensorProto b = Proto(onnx::TensorProto::BOOL, {3});
  for (int v : {1, 0, 1}) b.add_int32_data(v);
  EXPECT_EQ(TensorFromProto(b, "").ToInts(), (std::vector<int64_t>{1, 0, 1}));
  onnx::TensorProto i64 = Proto(onnx::TensorProto::INT64, {2});
  i64.add_int64_data(-5000000000);
  i64.add_int64_data(7);
  EXPECT_EQ(TensorFromProto(i64, "").ToInts(), (std::vector<int64_t>{-5000000000, 7}));
  onnx::TensorProto u64 = Proto(onnx::TensorProto::UINT64, {1});
  u64.add_uint64_data(1ull << 40);
  EXPECT_EQ(TensorFromProto(u64, "").data<uint64_t>()[0], 1ull << 40);
  onnx::TensorProto u32 = Proto(onnx::TensorProto::UINT32, {1});
  u32.add_uint64_data(4000000000u);
  EXPECT_EQ(TensorFromProto(u32, "").data<uint32_t>()[0], 4000000000u);
  onnx::TensorProto d = Proto(onnx::TensorProto::DOUBLE, {});
  d.add_double_data(0.25);
  Tensor td = TensorFromProto(d, "");
  EXPECT_EQ(td.type(), Type(DataType::kFloat64, {}));
  EXPECT_EQ(td.GetDouble(0), 0.25);
}

TEST(OnnxTensor, RawDataAndErrors) {
  onnx::TensorProto r = Proto(onnx::TensorProto::INT32, {2});
  int32_t v[2] = {-1, 9};
  r.set_raw_data(std::string(reinterpret_cast<char*>(v), sizeof(v)));
  EXPECT_EQ(TensorFromProto(r, "").ToInts(), (std::vector<int64_t>{-1, 9}));
  r.set_raw_data("abc");
  try {
    TensorFromProto(r, "");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_HAS(e.what(), "has 3 bytes of raw data, expected 8");
  }
  onnx::TensorProto few = FloatProto("few", {3}, {1, 2});
  EXPECT_THROW(TensorFromProto(few, ""), Error);
  onnx::TensorProto s = Proto(onnx::TensorProto::STRING, {1});
  s.add_string_data("x");
  try {
    TensorFromProto(s, "");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_HAS(e.what(), "unsupported element type STRING for tensor 't'");
  }
}

TEST(OnnxTensor, ExternalData) {
  float v[4] = {0, 1.5f, 2.5f, 3};
  WriteFile("weights.bin", "HEAD" + std::string(reinterpret_cast<char*>(v), sizeof(v)));
  onnx::ModelProto m = AddRelu();
  onnx::TensorProto* t = m.mutable_graph()->add_initializer();
  *t = Proto(onnx::TensorProto::FLOAT, {2, 2});
  t->set_name("y");
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto kv = [&](const char* k, const char* val) {
    auto* e = t->add_external_data();
    e->set_key(k);
    e->set_value(val);
  };
  kv("location", "weights.bin");
  kv("offset", "4");
  kv("length", "16");
  m.mutable_graph()->mutable_input()->DeleteSubrange(1, 1);
  m.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(1)
      ->set_dim_value(2);
  auto g = ImportOnnx(Save(m, "external.onnx"), {});
  const Tensor* y = ConstantOf(g->outputs()[0]->producer()->input(1));
  ASSERT_NE(y, nullptr);
  EXPECT_EQ(y->ToDoubles(), (std::vector<double>{0, 1.5, 2.5, 3}));

  t->mutable_external_data(0)->set_value("absent.bin");
  std::string err = ImportError(Save(m, "external_missing.onnx"));
  EXPECT_HAS(err, "external_missing.onnx: not a valid ONNX model");
  EXPECT_HAS(err, "absent.bin");
}

TEST(OnnxTensor, TakeMovesLargeRawData) {
  std::vector<float> v(kTakeRawDataBytes / 4);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  onnx::TensorProto big = Proto(onnx::TensorProto::FLOAT, {static_cast<int64_t>(v.size())});
  big.set_raw_data(std::string(reinterpret_cast<char*>(v.data()), kTakeRawDataBytes));
  const char* raw = big.raw_data().data();
  ExternalDataFiles files("");
  Tensor t = TakeTensorFromProto(big, files);
  EXPECT_EQ(t.bytes(), reinterpret_cast<const uint8_t*>(raw)) << "moved, not copied";
  EXPECT_TRUE(big.raw_data().empty());
  EXPECT_EQ(t.data<float>()[1000], 1000.0f);
  EXPECT_THROW(t.mutable_bytes(), Error);
  Tensor copy = t;
  t = Tensor();
  EXPECT_EQ(copy.data<float>()[v.size() - 1], static_cast<float>(v.size() - 1));

  // Small raw data is copied: the model keeps it (ONNX's shape inference may read it).
  onnx::TensorProto small = Proto(onnx::TensorProto::INT64, {1});
  int64_t seven = 7;
  small.set_raw_data(std::string(reinterpret_cast<char*>(&seven), 8));
  EXPECT_EQ(TakeTensorFromProto(small, files).ToInts(), std::vector<int64_t>{7});
  EXPECT_EQ(small.raw_data().size(), 8u);

  onnx::TensorProto bools = Proto(onnx::TensorProto::BOOL, {5000});
  bools.set_raw_data(std::string(5000, '\x02'));
  EXPECT_EQ(TakeTensorFromProto(bools, files).GetInt(4999), 1);
}

TEST(OnnxTensor, ExternalDataMappedOrRead) {
  // "H" then 3 floats at offset 1 (misaligned: read), 2 floats at offset 16 (mapped),
  // 3 bools at offset 24 (normalised to 0/1, so read).
  std::string file(27, '\0');
  file[0] = 'H';
  float a[3] = {1, 2, 3}, b[2] = {4.5f, -1};
  std::memcpy(&file[1], a, sizeof(a));
  std::memcpy(&file[16], b, sizeof(b));
  file[24] = 1, file[25] = 0, file[26] = 7;
  WriteFile("mixed.bin", file);
  ExternalDataFiles files(TestDir());
  auto ext = [](int type, std::vector<int64_t> dims, const char* offset) {
    onnx::TensorProto t = Proto(type, dims);
    t.set_data_location(onnx::TensorProto::EXTERNAL);
    for (auto [k, v] :
         {std::pair<const char*, const char*>{"location", "mixed.bin"}, {"offset", offset}}) {
      auto* e = t.add_external_data();
      e->set_key(k);
      e->set_value(v);
    }
    return t;
  };
  onnx::TensorProto ta = ext(onnx::TensorProto::FLOAT, {3}, "1");
  onnx::TensorProto tb = ext(onnx::TensorProto::FLOAT, {2}, "16");
  onnx::TensorProto tc = ext(onnx::TensorProto::BOOL, {3}, "24");
  Tensor ra = TakeTensorFromProto(ta, files), rb = TakeTensorFromProto(tb, files),
         rc = TakeTensorFromProto(tc, files);
  EXPECT_EQ(ra.ToDoubles(), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(ra.bytes()) % 4, 0u);
  EXPECT_EQ(rb.ToDoubles(), (std::vector<double>{4.5, -1}));
  EXPECT_THROW(rb.mutable_bytes(), Error) << "mapped";
  EXPECT_EQ(rc.ToInts(), (std::vector<int64_t>{1, 0, 1}));
  onnx::TensorProto past = ext(onnx::TensorProto::FLOAT, {3}, "20");
  try {
    TakeTensorFromProto(past, files);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_HAS(e.what(), "is too short (27 bytes; needs 12 from offset 20)");
  }
}

// Large weights, inline as an initializer and a Constant node and as external data, taken
// out of the model once: with auto_const_inputs the graph is imported twice.
TEST(OnnxFrontend, LargeWeightsSurviveTwoImports) {
  const int64_t n = 2048;  // 8 KiB of floats
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  std::string raw(reinterpret_cast<const char*>(v.data()), n * 4);
  WriteFile("large_weights.bin", raw);
  onnx::ModelProto m = Model();
  In(m, "x", {n});
  In(m, "shape", {1}, onnx::TensorProto::INT64);
  onnx::TensorProto* w = m.mutable_graph()->add_initializer();
  *w = Proto(onnx::TensorProto::FLOAT, {n});
  w->set_name("w");
  w->set_raw_data(raw);
  onnx::TensorProto* e = m.mutable_graph()->add_initializer();
  *e = Proto(onnx::TensorProto::FLOAT, {n});
  e->set_name("e");
  e->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* loc = e->add_external_data();
  loc->set_key("location");
  loc->set_value("large_weights.bin");
  auto* a = Op(m, "Constant", {}, {"c"}, "c")->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  *a->mutable_t() = Proto(onnx::TensorProto::FLOAT, {n});
  a->mutable_t()->set_raw_data(raw);
  Op(m, "Add", {"x", "w"}, {"s1"});
  Op(m, "Add", {"s1", "e"}, {"s2"});
  Op(m, "Add", {"s2", "c"}, {"s3"});
  Op(m, "Reshape", {"s3", "shape"}, {"out"});
  Out(m, "out");
  ImportOptions opts;
  opts.auto_const_inputs = true;
  opts.const_inputs["shape"] = Tensor::FromInts({n});
  auto g = ImportOnnx(Save(m, "large_weights.onnx"), opts);
  EXPECT_EQ(g->inputs().size(), 1u) << "x stays an input, shape is frozen";
  Node* add3 = g->outputs()[0]->producer()->input(0)->producer();
  Node* add2 = add3->input(0)->producer();
  Node* add1 = add2->input(0)->producer();
  for (const Value* c : {add1->input(1), add2->input(1), add3->input(1)}) {
    const Tensor* t = ConstantOf(c);
    ASSERT_NE(t, nullptr) << c->name();
    ASSERT_EQ(t->type(), Type(DataType::kFloat32, {n})) << c->name();
    EXPECT_EQ(t->data<float>()[n - 1], static_cast<float>(n - 1)) << c->name();
  }
}

TEST(OnnxTensor, LoadTensorProtoFile) {
  onnx::TensorProto t = FloatProto("input_name", {2}, {5, 6});
  std::string path = WriteFile("input_0.pb", t.SerializeAsString());
  std::string name;
  Tensor r = LoadTensorProtoFile(path, &name);
  EXPECT_EQ(name, "input_name");
  EXPECT_EQ(r.ToDoubles(), (std::vector<double>{5, 6}));
  try {
    LoadTensorProtoFile(WriteFile("bad.pb", ""));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_HAS(e.what(), "bad.pb: not a valid ONNX TensorProto file");
  }
  std::string suite = kSuite + "/node/test_add/test_data_set_0/input_0.pb";
  if (access(suite.c_str(), R_OK) == 0) {
    EXPECT_EQ(LoadTensorProtoFile(suite).type(), Type(DataType::kFloat32, {3, 4, 5}));
  }
}

}  // namespace
}  // namespace halo
