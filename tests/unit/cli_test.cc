#include "driver/cli.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "driver/npy.h"
#include "onnx_test_util.h"
#include "passes/passes.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;

std::string TempDir(const std::string& name) {
  std::string dir = std::string(HALO_BINARY_DIR) + "/test_tmp/" + name;
  EXPECT_EQ(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()), 0);
  return dir;
}

std::unique_ptr<Graph> AddRelu() {
  auto g = std::make_unique<Graph>("add_relu");
  Value* x = g->AddInput("x", Type(DataType::kFloat32, {2, 3}));
  Value* c = g->AddConstant("c", F32({3}, {1, -2, 0.5f}));
  Node* relu = g->AddNode("Relu", "relu", {g->AddNode("Add", "add", {x, c})->output()});
  relu->output()->set_name("out:0");
  g->AddOutput(relu->output());
  RunPipeline(*g);
  return g;
}

void WriteNpy(const std::string& path, const Tensor& t) {
  std::ofstream(path, std::ios::binary) << SerializeNpy(t);
}

std::string ErrorOf(const Graph& g, const Options& o) {
  try {
    RunAndSave(g, o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool Empty(const std::string& dir) {
  return std::system(("test -z \"$(ls -A '" + dir + "')\"").c_str()) == 0;
}

TEST(HaloRun, WritesOutputsAsNpy) {
  std::string dir = TempDir("run_ok");
  WriteNpy(dir + "/x.npy", F32({2, 3}, {-1, 1, 2, 3, -4, 5}));
  std::string out = TempDir("run_ok_out");
  auto g = AddRelu();
  Options o;
  o.models = {"m.onnx"};
  o.inputs = {{"x", dir + "/x.npy"}};
  o.output_dir = out;
  RunAndSave(*g, o);
  Tensor y = ReadNpy(out + "/out_0.npy");  // the output name as a C identifier
  EXPECT_EQ(y.type(), Type(DataType::kFloat32, {2, 3}));
  EXPECT_EQ(test::Floats(y), (std::vector<float>{0, 0, 2.5f, 4, 0, 5.5f}));
}

// A missing --output-dir is created with its parents; not when it cannot be, or when the
// run fails before writing.
TEST(HaloRun, CreatesTheOutputDirectory) {
  std::string dir = TempDir("run_mkdir");
  WriteNpy(dir + "/x.npy", F32({2, 3}, {-1, 1, 2, 3, -4, 5}));
  std::ofstream(dir + "/file") << "x";
  auto g = AddRelu();
  Options o;
  o.models = {"m.onnx"};
  o.inputs = {{"x", dir + "/x.npy"}};
  o.output_dir = dir + "/new/sub";
  RunAndSave(*g, o);
  EXPECT_EQ(ReadNpy(dir + "/new/sub/out_0.npy").type(), Type(DataType::kFloat32, {2, 3}));
  o.output_dir = dir + "/file/sub";
  EXPECT_EQ(ErrorOf(*g, o).rfind(dir + "/file/sub: cannot create the directory: ", 0), 0u);
  o.output_dir = dir + "/fresh/one";
  o.inputs = {{"x", dir + "/missing.npy"}};
  EXPECT_EQ(ErrorOf(*g, o), dir + "/missing.npy: cannot open the file");
  EXPECT_EQ(std::system(("test ! -e '" + dir + "/fresh'").c_str()), 0);
}

TEST(HaloRun, ReportsInputProblemsAndWritesNothing) {
  std::string dir = TempDir("run_errors");
  WriteNpy(dir + "/x.npy", F32({2, 3}, {-1, 1, 2, 3, -4, 5}));
  WriteNpy(dir + "/x3.npy", F32({3}, {1, 2, 3}));
  std::ofstream(dir + "/file") << "x";
  std::string out = TempDir("run_errors_out");
  auto g = AddRelu();
  Options o;
  o.models = {"m.onnx"};
  o.output_dir = out;
  EXPECT_EQ(ErrorOf(*g, o), "m.onnx: no data for input 'x' (f32[2x3]): give --input x=FILE.npy");
  o.inputs = {{"x", dir + "/x3.npy"}};
  EXPECT_EQ(ErrorOf(*g, o), dir + "/x3.npy: input 'x' must be f32[2x3], the file holds f32[3]");
  o.inputs = {{"x", dir + "/x.npy"}, {"z", dir + "/x.npy"}};
  EXPECT_EQ(ErrorOf(*g, o), "m.onnx: the model has no input 'z' (its inputs: x)");
  o.inputs = {{"x", dir + "/missing.npy"}};
  EXPECT_EQ(ErrorOf(*g, o), dir + "/missing.npy: cannot open the file");
  EXPECT_TRUE(Empty(out));
  o.inputs = {{"x", dir + "/x.npy"}};
  o.output_dir = dir + "/file";
  EXPECT_EQ(ErrorOf(*g, o).rfind(dir + "/file/out_0.npy: cannot write the file", 0), 0u);
}

TEST(HaloMain, ReportsErrorsOnOneLine) {
  std::ostringstream out, err;
  EXPECT_EQ(HaloMain({"/nonexistent/m.onnx", "-o", "m.cc"}, out, err), 1);
  EXPECT_EQ(err.str(), "halo: /nonexistent/m.onnx: cannot open the file\n");
  err.str("");
  EXPECT_EQ(HaloMain({"m.onnx", "--frobnicate"}, out, err), 2);
  EXPECT_EQ(err.str(), "halo: unknown option '--frobnicate' (see 'halo --help')\n");
  EXPECT_TRUE(out.str().empty());
}

TEST(HaloMain, ConstInputsLeaveTheGraphInputs) {
  // y = Reshape(x, shape): with --const-input shape=... only x is read at run time.
  onnx::ModelProto m = onnx_test::Model(13);
  onnx_test::In(m, "x", {2, 3});
  onnx_test::In(m, "shape", {2}, onnx::TensorProto::INT64);
  onnx_test::Op(m, "Reshape", {"x", "shape"}, {"y"}, "reshape");
  onnx_test::Out(m, "y");
  std::string model = onnx_test::Save(m, "cli_reshape.onnx");
  std::string dir = TempDir("run_const");
  WriteNpy(dir + "/x.npy", F32({2, 3}, {1, 2, 3, 4, 5, 6}));
  WriteNpy(dir + "/shape.npy", Tensor::FromInts({3, 2}));
  WriteNpy(dir + "/shape3.npy", Tensor::FromInts({3, 2, 1}));
  std::ostringstream out, err;
  EXPECT_EQ(HaloMain({"run", model, "--input", "x=" + dir + "/x.npy", "--const-input",
                      "shape=" + dir + "/shape.npy", "--output-dir", dir},
                     out, err),
            0)
      << err.str();
  Tensor y = ReadNpy(dir + "/y.npy");
  EXPECT_EQ(y.type(), Type(DataType::kFloat32, {3, 2}));
  EXPECT_EQ(HaloMain({"run", model, "--input", "x=" + dir + "/x.npy", "--input",
                      "shape=" + dir + "/shape.npy", "--const-input", "shape=" + dir + "/shape.npy",
                      "--output-dir", dir},
                     out, err),
            2);
  err.str("");
  EXPECT_EQ(
      HaloMain({"--print-ir", model, "--const-input", "shape=" + dir + "/shape3.npy"}, out, err),
      1);
  EXPECT_EQ(err.str(),
            "halo: " + model + ": constant input 'shape' is i64[3]; the model declares i64[2]\n");
  err.str("");
  EXPECT_EQ(
      HaloMain({"--print-ir", model, "--const-input", "shape=" + dir + "/none.npy"}, out, err), 1);
  EXPECT_EQ(err.str(), "halo: " + dir + "/none.npy: cannot open the file\n");
}

TEST(HaloMain, PrintsHelpAndVersion) {
  std::ostringstream out, err;
  EXPECT_EQ(HaloMain({"--help"}, out, err), 0);
  EXPECT_EQ(out.str(), HelpText());
  out.str("");
  EXPECT_EQ(HaloMain({"--version"}, out, err), 0);
  EXPECT_NE(out.str().find("ODLA API 1.6"), std::string::npos);
  EXPECT_TRUE(err.str().empty());
}

}  // namespace
}  // namespace halo
