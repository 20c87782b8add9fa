// halo --report: FLOPs, parameters, activation bytes and the memory plan of a small CNN.
#include "driver/report.h"

#include <gtest/gtest.h>

#include <sstream>

#include "driver/cli.h"
#include "onnx_test_util.h"
#include "passes/passes.h"
#include "test_util.h"

namespace halo {
namespace {

using test::F32;

// x [1,3,8,8] -> Conv (4 filters 3x3, bias, pads 1) -> Relu -> GlobalAveragePool -> Flatten
// -> Gemm (10 outputs, bias); the pipeline fuses Conv and Relu.
std::unique_ptr<Graph> SmallCnn() {
  auto g = std::make_unique<Graph>("cnn");
  Value* x = g->AddInput("x", Type(DataType::kFloat32, {1, 3, 8, 8}));
  Value* w = g->AddConstant("w", F32({4, 3, 3, 3}, {}));
  Value* b = g->AddConstant("b", F32({4}, {}));
  Node* conv = g->AddNode("Conv", "conv", {x, w, b});
  conv->set_attr("pads", std::vector<int64_t>{1, 1, 1, 1});
  Node* relu = g->AddNode("Relu", "relu", {conv->output()});
  Node* gap = g->AddNode("GlobalAveragePool", "gap", {relu->output()});
  Node* flat = g->AddNode("Flatten", "flat", {gap->output()});
  Value* w2 = g->AddConstant("w2", F32({10, 4}, {}));
  Value* c = g->AddConstant("c", F32({10}, {}));
  Node* fc = g->AddNode("Gemm", "fc", {flat->output(), w2, c});
  fc->set_attr("transB", int64_t{1});
  g->AddOutput(fc->output());
  RunPipeline(*g);
  return g;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Report, CountsFlopsParametersAndPlannedMemory) {
  auto g = SmallCnn();
  ReportTotals t;
  std::string r = Report(*g, "cnn.onnx", &t);
  // Conv: 2 * 27 multiply-adds + a bias per result element (256), its Relu one per element;
  // the pooling one per element; Gemm 2 * 4 * 10 + 10.
  EXPECT_EQ(t.flops, 2 * 27 * 256 + 256 + 256 + 256 + 2 * 4 * 10 + 10);
  EXPECT_EQ(t.parameters, 108 + 4 + 40 + 10);
  EXPECT_EQ(t.weight_bytes, 4 * t.parameters);
  EXPECT_EQ(t.activation_bytes, 1024 + 16 + 16 + 40);
  // Flatten shares the pooling result's buffer: 1024 + 16 bytes live while pooling; the
  // pooled values start at the next 64-byte boundary.
  EXPECT_EQ(t.lower_bound, 1040);
  EXPECT_EQ(t.arena_bytes, 1088);
  EXPECT_TRUE(Has(r, "Report of cnn.onnx: 4 operators\n")) << r;
  EXPECT_TRUE(Has(r, "conv  FusedConv          f32[1x4x8x8]  14336     112   1024             0"))
      << r;
  EXPECT_TRUE(Has(r, "fc    Gemm               f32[1x10]        90      50     40           own"))
      << r;
  EXPECT_TRUE(Has(r, "\nFLOPs:            14.68 k (a multiply-add counts 2)\n")) << r;
  EXPECT_TRUE(Has(r,
                  "\nplanned arena:    1088 bytes (0.00 MiB; 3 values, 1 in the place of an "
                  "input; outputs keep their own)\n"))
      << r;
  EXPECT_TRUE(Has(r, "\nlower bound:      1040 bytes (the most bytes live at one step)\n")) << r;
  EXPECT_TRUE(Has(r, "\narena / bound:    1.046\n")) << r;
}

TEST(Report, HaloReportCompilesNothingElse) {
  onnx::ModelProto m = onnx_test::Model(13);
  onnx_test::In(m, "x", {2, 3});
  onnx_test::Op(m, "Exp", {"x"}, {"e"}, "exp");
  onnx_test::Op(m, "Relu", {"e"}, {"y"}, "relu");
  onnx_test::Out(m, "y");
  std::string model = onnx_test::Save(m, "report_exp_relu.onnx");
  std::ostringstream out, err;
  EXPECT_EQ(HaloMain({"--report", model}, out, err), 0) << err.str();
  EXPECT_TRUE(Has(out.str(), "exp   Exp   f32[2x3]      6       0     24             0\n"))
      << out.str();
  EXPECT_TRUE(Has(out.str(), "planned arena:    64 bytes")) << out.str();
  EXPECT_TRUE(err.str().empty());
}

}  // namespace
}  // namespace halo
