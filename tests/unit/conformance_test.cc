// halo-conformance's pieces: reference tensor files, output comparison, test discovery.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>

#include "conformance/compare.h"
#include "conformance/files.h"
#include "conformance/process.h"
#include "conformance/runner.h"
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
