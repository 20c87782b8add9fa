// --precision: the option, the request in generated code and in the executor, and the
// shared runtime's fp32 fallback (halo-unit-tests link libodla_ref).
#include <gtest/gtest.h>
#include <odla/odla.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "../../runtimes/common/runtime.h"
#include "driver/options.h"
#include "passes/passes.h"
#include "passes/placement.h"
#include "targets/cpp_emitter.h"
#include "targets/executor.h"
#include "targets/partition_executor.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;

std::unique_ptr<Graph> MatMulGraph() {
  auto g = std::make_unique<Graph>("mm");
  Value* x = g->AddInput("x", Type(DataType::kFloat32, {1, 2}));
  Value* w = g->AddConstant("w", F32({2, 2}, {1, 2, 3, 4}));
  Node* mm = g->AddNode("MatMul", "mm", {x, w});
  mm->output()->set_name("y");
  g->AddOutput(mm->output());
  RunPipeline(*g);
  return g;
}

std::string Code(const Graph& g, Precision p) {
  EmitOptions o;
  o.output_cc = "out/mm.cc";
  o.precision = p;
  for (const auto& [file, text] : EmitCppSources(g, o))
    if (file == "mm.cc") return text;
  return "";
}

TEST(Precision, Option) {
  EXPECT_EQ(ParseOptions({"m.onnx", "-o", "m.cc"}).precision, Precision::kFp32);
  EXPECT_EQ(ParseOptions({"m.onnx", "-o", "m.cc", "--precision", "bf16"}).precision,
            Precision::kBf16);
  EXPECT_EQ(ParseOptions({"run", "m.onnx", "--output-dir", "d", "--precision=bf16"}).precision,
            Precision::kBf16);
  EXPECT_EQ(ParseOptions({"m.onnx", "-o", "m.cc", "--precision", "tf32"}).precision,
            Precision::kTf32);
  EXPECT_EQ(ParseOptions({"run", "m.onnx", "--output-dir", "d", "--precision=tf32"}).precision,
            Precision::kTf32);
  EXPECT_THROW(ParseOptions({"m.onnx", "-o", "m.cc", "--precision", "fp16"}), UsageError);
  EXPECT_NE(HelpText().find("--precision"), std::string::npos);
  EXPECT_NE(HelpText().find("tf32 (ODLA 1.4)"), std::string::npos);
  EXPECT_EQ(ParsePrecision("tf32"), Precision::kTf32);
  EXPECT_STREQ(PrecisionName(Precision::kTf32), "tf32");
}

TEST(Precision, GeneratedCodeRequestsBf16WithApi13) {
  auto g = MatMulGraph();
  std::string fp32 = Code(*g, Precision::kFp32), bf16 = Code(*g, Precision::kBf16);
  EXPECT_EQ(fp32.find("odla_SetComputationPrecision"), std::string::npos);
  EXPECT_NE(fp32.find("odla_CheckVersion(1, 0)"), std::string::npos);
  EXPECT_NE(bf16.find("odla_SetComputationPrecision(comp, ODLA_PRECISION_BF16)"),
            std::string::npos);
  EXPECT_NE(bf16.find("SetPrecision(g_comp) == 0 && Build() == 0"), std::string::npos);
  EXPECT_NE(bf16.find("odla_CheckVersion(1, 3)"), std::string::npos);
}

TEST(Precision, GeneratedCodeRequestsTf32WithApi14) {
  auto g = MatMulGraph();
  std::string tf32 = Code(*g, Precision::kTf32);
  EXPECT_NE(tf32.find("odla_SetComputationPrecision(comp, ODLA_PRECISION_TF32)"),
            std::string::npos);
  EXPECT_NE(tf32.find("SetPrecision(g_comp) == 0 && Build() == 0"), std::string::npos);
  EXPECT_NE(tf32.find("odla_CheckVersion(1, 4)"), std::string::npos);
  EXPECT_NE(tf32.find("implements API version 1.4."), std::string::npos);
  EXPECT_EQ(tf32.find("ODLA_PRECISION_BF16"), std::string::npos);
}

// With --device, the device parts request the precision and the host parts do not (the host
// computes in fp32); halo run's executor does the same, with fp32's results on libodla_ref.
TEST(Precision, PartitionedCodeRequestsTf32ForDeviceParts) {
  auto g = std::make_unique<Graph>("mm");
  Value* x = g->AddInput("x", Type(DataType::kFloat32, {1, 2}));
  Value* w = g->AddConstant("w", F32({2, 2}, {1, 2, 3, 4}));
  Node* mm = g->AddNode("MatMul", "mm", {x, w});
  Node* relu = g->AddNode("Relu", "relu", {mm->output()});
  Node* mm2 = g->AddNode("MatMul", "mm2", {relu->output(), w});
  mm2->output()->set_name("y");
  g->AddOutput(mm2->output());
  InferShapes(*g);
  Partition p = SplitGraph(*g, "sim", PlaceNodes(*g, BuiltinDeviceTable("sim"), {{"relu", false}}));
  ASSERT_EQ(p.parts.size(), 3u);
  EmitOptions o;
  o.output_cc = "mm.cc";
  o.partition = &p;
  o.precision = Precision::kTf32;
  std::string code = EmitCppSources(*g, o).at(1).second;
  for (const char* s : {"odla_SetComputationPrecision(g_comp_0, ODLA_PRECISION_TF32)",
                        "odla_SetComputationPrecision(g_comp_2, ODLA_PRECISION_TF32)",
                        "odla_CheckVersion(1, 4)", "odla_host_CheckVersion(1, 4)"})
    EXPECT_NE(code.find(s), std::string::npos) << s << "\n" << code;
  EXPECT_EQ(code.find("g_comp_1, ODLA_PRECISION"), std::string::npos);
  o.precision = Precision::kFp32;
  EXPECT_EQ(EmitCppSources(*g, o).at(1).second.find("SetComputationPrecision"), std::string::npos);
  std::vector<Tensor> in{F32({1, 2}, {0.1f, 0.3f})};
  auto a = Executor(*g).Run(in), b = PartitionedExecutor(*g, p, Precision::kTf32).Run(in);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(std::memcmp(a[0].bytes(), b[0].bytes(), a[0].byte_size()), 0);
}

TEST(Precision, SharedRuntimeComputesFp32) {
  odla_computation comp;
  ASSERT_EQ(odla_CreateComputation(&comp), ODLA_SUCCESS);
  EXPECT_EQ(odla_SetComputationPrecision(comp, ODLA_PRECISION_BF16), ODLA_SUCCESS);
  EXPECT_EQ(odla_rt::CurrentPrecision(), ODLA_PRECISION_FP32);
  EXPECT_EQ(odla_SetComputationPrecision(comp, static_cast<odla_precision>(7)), ODLA_INVALID_PARAM);
  EXPECT_EQ(odla_SetComputationPrecision(nullptr, ODLA_PRECISION_FP32), ODLA_INVALID_PARAM);
  odla_value_type t{};
  t.element_type = ODLA_FLOAT32;
  t.shape.size = 1;
  t.shape.dims[0] = 2;
  odla_value x = odla_CreateArgument(t, "x");
  ASSERT_NE(odla_Relu(x, t, "y"), nullptr);
  EXPECT_EQ(odla_SetComputationPrecision(comp, ODLA_PRECISION_FP32), ODLA_INVALID_PARAM);
  EXPECT_NE(std::string(odla_GetLastErrorText()).find("operators were added"), std::string::npos);
  odla_DestroyComputation(comp);
}

TEST(Precision, ExecutorResultsEqualFp32OnRef) {
  auto g = MatMulGraph();
  std::vector<Tensor> in{F32({1, 2}, {0.1f, 0.3f})};
  auto a = Executor(*g).Run(in);
  for (Precision p : {Precision::kBf16, Precision::kTf32}) {
    auto b = Executor(*g, p).Run(in);
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(a[0].byte_size(), b[0].byte_size());
    EXPECT_EQ(std::memcmp(a[0].bytes(), b[0].bytes(), a[0].byte_size()), 0) << PrecisionName(p);
  }
}

// The notice is printed once per process: a fresh process (the threadsafe style re-runs the
// test binary for this test alone) asks for tf32 first.
TEST(PrecisionDeathTest, Tf32NoticeOnRef) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        odla_computation comp;
        if (odla_CreateComputation(&comp) != ODLA_SUCCESS ||
            odla_SetComputationPrecision(comp, ODLA_PRECISION_TF32) != ODLA_SUCCESS ||
            odla_rt::CurrentPrecision() != ODLA_PRECISION_FP32)
          std::exit(1);
        odla_DestroyComputation(comp);
        std::exit(0);
      },
      testing::ExitedWithCode(0),
      "libodla_ref: tf32 is not supported by this runtime; computing in fp32");
}

}  // namespace
}  // namespace halo
