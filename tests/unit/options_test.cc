#include "driver/options.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "targets/c_names.h"

namespace halo {
namespace {

std::string UsageErrorOf(const std::vector<std::string>& args) {
  try {
    ParseOptions(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(Options, ParsesACompileCommand) {
  Options o = ParseOptions({"m.onnx", "-o", "out/net.cc", "--entry-func-name=net",
                            "--emit-data-as-c", "--input-shape", "in:0:1x3x224x224", "--batch-size",
                            "4", "-x", "onnx", "--print-ir", "--no-opt"});
  EXPECT_EQ(o.command, Options::Command::kCompile);
  EXPECT_EQ(o.models, std::vector<std::string>{"m.onnx"});
  EXPECT_EQ(o.output, "out/net.cc");
  EXPECT_EQ(o.entry_func_name, "net");
  EXPECT_TRUE(o.emit_data_as_c);
  EXPECT_TRUE(o.print_ir);
  EXPECT_FALSE(o.optimize);
  EXPECT_EQ(o.format, "onnx");
  EXPECT_EQ(o.import.batch_size, 4);
  ASSERT_EQ(o.import.input_shapes.count("in:0"), 1u);
  EXPECT_EQ(o.import.input_shapes.at("in:0"), (Shape{1, 3, 224, 224}));
  EXPECT_EQ(ParseOptions({"-oout.cc", "m.onnx"}).output, "out.cc");
  EXPECT_EQ(ParseOptions({"--print-ir", "--", "-m.onnx"}).models[0], "-m.onnx");
}

TEST(Options, ParsesARunCommand) {
  Options o = ParseOptions(
      {"run", "m.onnx", "--input", "x=a.npy", "--input=y=b=c.npy", "--output-dir", "out"});
  EXPECT_EQ(o.command, Options::Command::kRun);
  ASSERT_EQ(o.inputs.size(), 2u);
  EXPECT_EQ(o.inputs[1], (std::pair<std::string, std::string>{"y", "b=c.npy"}));
  EXPECT_EQ(o.output_dir, "out");
}

TEST(Options, ParsesConstInputs) {
  Options o = ParseOptions(
      {"m.onnx", "--print-ir", "--const-input", "shape=s.npy", "--const-input=k=k.npy"});
  EXPECT_EQ(o.const_inputs,
            (std::vector<std::pair<std::string, std::string>>{{"shape", "s.npy"}, {"k", "k.npy"}}));
  o = ParseOptions(
      {"run", "m.onnx", "--const-input", "k=k.npy", "--input", "x=x.npy", "--output-dir", "out"});
  EXPECT_EQ(o.const_inputs.size(), 1u);
  EXPECT_NE(UsageErrorOf({"m.onnx", "--print-ir", "--const-input", "k"}).find("NAME=FILE.npy"),
            std::string::npos);
  EXPECT_NE(UsageErrorOf({"m.onnx", "--print-ir", "--const-input", "k=a", "--const-input", "k=b"})
                .find("twice"),
            std::string::npos);
  EXPECT_EQ(UsageErrorOf(
                {"run", "m.onnx", "--const-input", "k=a", "--input", "k=b", "--output-dir", "out"}),
            "input 'k' is given both as --input and --const-input");
}

TEST(Options, ParsesSequenceAndOptionalStructures) {
  Options o =
      ParseOptions({"m.onnx", "--print-ir", "--input-shape", "seq:[2x3,4,scalar]", "--input-shape",
                    "empty:[]", "--input-shape", "opt:none", "--input-shape", "s:scalar"});
  EXPECT_EQ(o.import.sequence_shapes.at("seq"), (std::vector<Shape>{{2, 3}, {4}, {}}));
  EXPECT_TRUE(o.import.sequence_shapes.at("empty").empty());
  EXPECT_EQ(o.import.absent_inputs, std::set<std::string>{"opt"});
  EXPECT_EQ(o.import.input_shapes.at("s"), Shape{});
  EXPECT_NE(UsageErrorOf({"m.onnx", "--print-ir", "--input-shape", "x:[2x3"}).find("[2x3,2x3]"),
            std::string::npos);
  EXPECT_NE(UsageErrorOf({"m.onnx", "--print-ir", "--input-shape", "x:[2,]"}).find("integer"),
            std::string::npos);
  EXPECT_EQ(
      UsageErrorOf({"m.onnx", "--print-ir", "--input-shape", "x:none", "--input-shape", "x:[1]"}),
      "--input-shape: input 'x' is given twice");
}

TEST(Options, RejectsWrongCommandLines) {
  EXPECT_EQ(UsageErrorOf({"m.onnx"}), "no output: give -o NAME.cc, --print-ir or --report");
  EXPECT_EQ(UsageErrorOf({"-o", "x.cc"}), "no model file given");
  EXPECT_EQ(UsageErrorOf({"m.onnx", "-o"}), "option -o needs FILE");
  EXPECT_EQ(UsageErrorOf({"m.onnx", "--bogus"}), "unknown option '--bogus'");
  EXPECT_EQ(UsageErrorOf({"m.onnx", "--print-ir=1"}), "option --print-ir takes no value");
  EXPECT_NE(UsageErrorOf({"m.onnx", "-o", "x.c"}).find("NAME.cc"), std::string::npos);
  EXPECT_NE(UsageErrorOf({"m.onnx", "-o", "x.cc", "--entry-func-name", "9x"}).find("C identifier"),
            std::string::npos);
  EXPECT_NE(UsageErrorOf({"m.onnx", "--print-ir", "--input-shape", "x:1xa"}).find("integer"),
            std::string::npos);
  EXPECT_NE(UsageErrorOf({"m.onnx", "--print-ir", "--input-shape", "x"}).find("NAME:DIMS"),
            std::string::npos);
  EXPECT_NE(UsageErrorOf({"m.onnx", "--print-ir", "--batch-size", "0"}).find("at least 1"),
            std::string::npos);
  EXPECT_NE(UsageErrorOf({"m.onnx", "--print-ir", "-x", "mxnet"}).find("unknown model format"),
            std::string::npos);
  EXPECT_EQ(UsageErrorOf({"m.onnx", "--print-ir", "--output-dir", "d"}),
            "option --output-dir is only for 'halo run'");
  EXPECT_EQ(UsageErrorOf({"run", "m.onnx", "-o", "x.cc"}), "option -o is not for 'halo run'");
  EXPECT_EQ(UsageErrorOf({"m.onnx", "--print-ir", "--dynamic-batch", "--batch-size", "2"}),
            "--batch-size and --dynamic-batch exclude each other");
  EXPECT_EQ(ParseOptions({"m.onnx", "--print-ir", "--input-shape", "x:Nx3"}).import.input_shapes,
            (std::map<std::string, Shape>{{"x", {-1, 3}}}));
  EXPECT_NE(UsageErrorOf({"m.onnx", "--print-ir", "--input-shape", "x:3xN"}).find("integer"),
            std::string::npos);
  EXPECT_EQ(UsageErrorOf({"run", "m.onnx"}), "halo run needs --output-dir DIR");
  EXPECT_NE(UsageErrorOf({"run", "m.onnx", "--input", "x=a", "--input", "x=b"}).find("twice"),
            std::string::npos);
}

TEST(Options, HelpListsEveryOption) {
  std::string help = HelpText();
  for (const std::string& name : OptionNames()) {
    EXPECT_TRUE(help.find(" " + name + " ") != std::string::npos ||
                help.find(" " + name + ",") != std::string::npos)
        << name;
    // Every option the help shows is accepted.
    EXPECT_NE(UsageErrorOf({name}), "unknown option '" + name + "'") << name;
  }
  for (const char* name :
       {"-o", "--entry-func-name", "--emit-data-as-c", "--print-ir", "-x", "--input-shape",
        "--batch-size", "--no-opt", "--disable-pass", "--input", "--const-input", "--output-dir",
        "-h", "--help", "--version", "--dynamic-batch"})
    EXPECT_NE(help.find(name), std::string::npos) << name;
  EXPECT_TRUE(ParseOptions({"--help"}).help);
  EXPECT_TRUE(ParseOptions({"-h"}).help);
  EXPECT_TRUE(ParseOptions({"--version"}).version);
}

// Every ODLA_ variable a runtime reads (Env, EnvFlag or getenv("ODLA_...") in runtimes/) is in
// the help.
TEST(Options, HelpListsEveryRuntimeVariable) {
  std::string help = HelpText();
  std::set<std::string> seen;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(HALO_SOURCE_DIR) + "/runtimes")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream f(entry.path());
    std::stringstream text;
    text << f.rdbuf();
    std::string s = text.str();
    for (const std::string key : {"getenv(\"ODLA_", "Env(\"ODLA_", "EnvFlag(\"ODLA_"})
      for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + 1)) {
        size_t begin = at + key.size() - 5, end = s.find('"', begin);
        seen.insert(s.substr(begin, end - begin));
      }
  }
  EXPECT_GE(seen.size(), 5u) << "the scan found too few variables";
  for (const std::string& name : seen)
    EXPECT_NE(help.find(" " + name + "="), std::string::npos) << name << " is not in --help";
}

TEST(Options, DisablePass) {
  Options o = ParseOptions(
      {"m.onnx", "--print-ir", "--disable-pass", "fuse-conv", "--disable-pass=simplify"});
  EXPECT_EQ(o.disabled_passes, (std::set<std::string>{"fuse-conv", "simplify"}));
  EXPECT_TRUE(o.optimize);
  std::string err = UsageErrorOf({"m.onnx", "--print-ir", "--disable-pass", "infer-shapes"});
  EXPECT_NE(err.find("unknown pass 'infer-shapes'"), std::string::npos) << err;
  EXPECT_NE(err.find("fuse-gemm"), std::string::npos) << err;  // lists the known ones
  EXPECT_NE(HelpText().find("cancel-transposes"), std::string::npos);
}

TEST(Options, DefaultEntryName) {
  EXPECT_EQ(DefaultEntryName("models/resnet-50.v2.onnx"), "resnet_50_v2");
  EXPECT_EQ(DefaultEntryName("3d.onnx"), "v3d");
}

TEST(CIdentifier, MakesValidNames) {
  EXPECT_EQ(CIdentifier("conv1"), "conv1");
  EXPECT_EQ(CIdentifier("input:0"), "input_0");
  EXPECT_EQ(CIdentifier("a//b"), "a_b");
  EXPECT_EQ(CIdentifier("_x"), "v_x");
  EXPECT_EQ(CIdentifier("1"), "v1");
  EXPECT_EQ(CIdentifier(""), "v");
  EXPECT_EQ(CIdentifier("int"), "int_");
  EXPECT_EQ(CIdentifier("NULL"), "NULL_");
  EXPECT_EQ(CIdentifier("odla_Add"), "odla_Add_");
  EXPECT_EQ(CIdentifier("size_t"), "size_t_");
  EXPECT_EQ(CIdentifier("X"), "X");
  CNameScope scope;
  scope.Reserve("ctx");
  EXPECT_EQ(scope.Make("ctx"), "ctx_1");
  EXPECT_EQ(scope.Make("a.b"), "a_b");
  EXPECT_EQ(scope.Make("a/b"), "a_b_1");
  EXPECT_EQ(scope.Make("int"), "int_");
  EXPECT_EQ(scope.Make("int"), "int_1");
}

TEST(Options, TensorFlowSubGraphAndFormat) {
  Options o = ParseOptions(
      {"g.pb", "--print-ir", "-x", "tensorflow", "--inputs", "pool1,x", "--outputs", "relu:1"});
  EXPECT_EQ(o.format, "tensorflow");
  EXPECT_EQ(o.import.input_names, (std::vector<std::string>{"pool1", "x"}));
  EXPECT_EQ(o.import.output_names, (std::vector<std::string>{"relu:1"}));
  EXPECT_NE(UsageErrorOf({"g.pb", "--print-ir", "--inputs", "a,,b"}).find("node names"),
            std::string::npos);
  EXPECT_NE(UsageErrorOf({"g.pb", "--print-ir", "--outputs", ""}).find("node names"),
            std::string::npos);
}

}  // namespace
}  // namespace halo
