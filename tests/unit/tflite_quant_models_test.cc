// Quantized TFLite models of ../shared/models/tflite-micro, imported and run in process on
// libodla_ref: the seanet int16 single-operator models against their golden CSVs (the output
// of TFLite's reference kernels, within one unit), the int8 hello_world against the float
// model, and person detection's top-1 on its two test images.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "driver/driver.h"
#include "targets/executor.h"

namespace halo {
namespace {

namespace fs = std::filesystem;

fs::path TfliteMicro() {
  return fs::path(HALO_SOURCE_DIR) / ".." / "shared" / "models" / "tflite-micro";
}

// Fails the test when a file of ../shared is missing.
bool Present(const fs::path& p) {
  if (fs::exists(p)) return true;
  ADD_FAILURE() << p << " is missing: the test data comes from ../shared beside the "
                << "repository (see ../shared/README.md)";
  return false;
}

std::vector<int64_t> ReadCsv(const fs::path& p) {
  std::ifstream in(p);
  std::vector<int64_t> v;
  std::string item;
  while (std::getline(in, item, ','))
    if (item.find_first_not_of(" \r\n") != std::string::npos) v.push_back(std::stoll(item));
  return v;
}

Tensor FromInts(const Type& t, const std::vector<int64_t>& v) {
  Tensor x(t);
  for (size_t i = 0; i < v.size(); ++i) switch (t.dtype) {
      case DataType::kInt8:
        x.mutable_data<int8_t>()[i] = static_cast<int8_t>(v[i]);
        break;
      case DataType::kUInt8:
        x.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(v[i]);
        break;
      case DataType::kInt16:
        x.mutable_data<int16_t>()[i] = static_cast<int16_t>(v[i]);
        break;
      case DataType::kInt32:
        x.mutable_data<int32_t>()[i] = static_cast<int32_t>(v[i]);
        break;
      default:
        ADD_FAILURE() << "unexpected input type " << t.ToString();
    }
  return x;
}

// DIR/PREFIX*.csv (the suffix names the type: _int16.csv, _int32.csv).
fs::path FindCsv(const fs::path& dir, const std::string& prefix) {
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string f = e.path().filename().string();
    if (f.rfind(prefix, 0) == 0 && e.path().extension() == ".csv") return e.path();
  }
  return dir / (prefix + "int16.csv");
}

std::vector<Tensor> RunModel(const fs::path& model, const std::vector<Tensor>& inputs) {
  auto g = LoadModel({model.string()}, ImportOptions());
  return Executor(*g).Run(inputs);
}

// Seanet models whose results differ from TFLite's by more than one unit, with the reason
// (docs/tflite-quant.md). Empty: all of them are within one unit.
const std::set<std::string> kSeanetKnownFailures = {};

TEST(TfliteQuantModels, SeanetInt16MatchesTfliteGolden) {
  fs::path root = TfliteMicro() / "integration_tests" / "seanet";
  if (!Present(root)) return;
  std::vector<fs::path> models;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.path().extension() == ".tflite") models.push_back(e.path());
  std::sort(models.begin(), models.end());
  int exact = 0, within_one = 0, failing = 0;
  for (const fs::path& m : models) {
    std::string name = m.stem().string();
    SCOPED_TRACE(name);
    std::vector<Tensor> outs;
    try {
      auto g = LoadModel({m.string()}, ImportOptions());
      std::vector<Tensor> ins;
      for (size_t i = 0; i < g->inputs().size(); ++i) {
        fs::path csv = FindCsv(m.parent_path(), name + "_input" + std::to_string(i) + "_");
        std::vector<int64_t> v = ReadCsv(csv);
        const Type& t = g->inputs()[i]->type();
        ASSERT_EQ(static_cast<int64_t>(v.size()), t.NumElements()) << csv;
        ins.push_back(FromInts(t, v));
      }
      outs = Executor(*g).Run(ins);
    } catch (const std::exception& e) {
      ++failing;
      if (!kSeanetKnownFailures.count(name)) ADD_FAILURE() << name << ": " << e.what();
      continue;
    }
    std::vector<int64_t> want = ReadCsv(FindCsv(m.parent_path(), name + "_golden_"));
    ASSERT_EQ(outs.size(), 1u);
    ASSERT_EQ(outs[0].type().NumElements(), static_cast<int64_t>(want.size()));
    int64_t worst = 0, off = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      int64_t d = std::llabs(outs[0].GetInt(i) - want[i]);
      worst = std::max(worst, d);
      off += d != 0;
    }
    if (worst == 0) {
      ++exact;
    } else if (worst <= 1) {
      ++within_one;
    } else {
      ++failing;
      if (!kSeanetKnownFailures.count(name))
        ADD_FAILURE() << name << ": " << off << " of " << want.size() << " values differ, by up to "
                      << worst;
    }
  }
  std::cout << "seanet: " << models.size() << " models, " << exact << " bit-exact, " << within_one
            << " within one unit, " << failing << " failing\n";
  EXPECT_EQ(models.size(), 88u);
}

// hello_world at 8 points of [0, 2 pi]: the int8 model against the same network in float
// (its int8 weights and int32 biases dequantized, float activations; computed with numpy
// from the model's tensors), within 3 output steps (0.0083 each), and against the float
// model, whose weights differ by their quantization, within 0.1.
TEST(TfliteQuantModels, HelloWorldInt8FollowsFloat) {
  fs::path dir = TfliteMicro() / "examples" / "hello_world" / "models";
  if (!Present(dir / "hello_world_int8.tflite") || !Present(dir / "hello_world_float.tflite"))
    return;
  const float in_scale = 0.024480115622282028f, out_scale = 0.008290956728160381f;
  const int in_zp = -128, out_zp = 5;
  const double dequantized[8] = {0.0010272,  0.6917856,  0.9997878,  0.6994931,
                                 -0.0075664, -0.6726132, -1.0766628, -0.7424043};
  for (int k = 0; k < 8; ++k) {
    float x = 6.2831853f * k / 8;
    Tensor f(Type(DataType::kFloat32, {1, 1}));
    f.mutable_data<float>()[0] = x;
    float want = RunModel(dir / "hello_world_float.tflite", {f})[0].data<float>()[0];
    int64_t q = std::lround(x / in_scale) + in_zp;
    Tensor qx = FromInts(Type(DataType::kInt8, {1, 1}), {std::clamp<int64_t>(q, -128, 127)});
    Tensor y = RunModel(dir / "hello_world_int8.tflite", {qx})[0];
    float got = (y.GetInt(0) - out_zp) * out_scale;
    EXPECT_NEAR(got, dequantized[k], 3 * out_scale) << "x = " << x;
    EXPECT_NEAR(got, want, 0.1) << "x = " << x;
  }
}

// An 8-bit grayscale BMP (bottom-up rows, identity palette), top row first, each pixel byte
// read as int8 as TFLite Micro's person_detection test feeds its images (its test arrays
// are the BMP bytes as signed char).
std::vector<int64_t> ReadBmp(const fs::path& p, int64_t w, int64_t h) {
  std::ifstream in(p, std::ios::binary);
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<int64_t> v;
  if (b.size() < 54) return v;
  uint32_t off = b[10] | b[11] << 8 | b[12] << 16 | static_cast<uint32_t>(b[13]) << 24;
  int64_t stride = (w + 3) / 4 * 4;
  if (b.size() < static_cast<size_t>(off + stride * h)) return v;
  for (int64_t y = h - 1; y >= 0; --y)
    for (int64_t x = 0; x < w; ++x) v.push_back(static_cast<int8_t>(b[off + y * stride + x]));
  return v;
}

// person_detect: top-1 on the two test images (output [1, 2]: no person, person).
TEST(TfliteQuantModels, PersonDetectTop1) {
  fs::path model = TfliteMicro() / "models" / "person_detect.tflite";
  fs::path data = TfliteMicro() / "examples" / "person_detection" / "testdata";
  if (!Present(model) || !Present(data)) return;
  auto g = LoadModel({model.string()}, ImportOptions());
  Executor ex(*g);
  for (int person = 0; person < 2; ++person) {
    std::vector<int64_t> px = ReadBmp(data / (person ? "person.bmp" : "no_person.bmp"), 96, 96);
    ASSERT_EQ(px.size(), 96u * 96u);
    Tensor y = ex.Run({FromInts(g->inputs()[0]->type(), px)})[0];
    ASSERT_EQ(y.type().NumElements(), 2);
    std::cout << (person ? "person.bmp" : "no_person.bmp") << ": scores " << y.GetInt(0) << ", "
              << y.GetInt(1) << "\n";
    EXPECT_EQ(y.GetInt(1) > y.GetInt(0), person == 1);
  }
}

}  // namespace
}  // namespace halo
