// The Caffe frontend (prototxt parsing, V1 layers, PriorBox at import) and the detection
// kernels it relies on (MaxRoiPool, DetectionOutput) on hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../../runtimes/kernels/detection.h"
#include "frontends/frontend.h"
#include "ir/error.h"

namespace halo {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

std::string ImportError(const std::string& path) {
  try {
    ImportCaffe({path}, {});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CaffeFrontend, PriorBoxIsAConstantOfCaffesBoxes) {
  std::string path = WriteTemp("halo_caffe_priorbox.prototxt", R"(
    input: "feat" input_shape { dim: 1 dim: 1 dim: 1 dim: 1 }
    input: "img" input_shape { dim: 1 dim: 3 dim: 10 dim: 10 }
    layer { name: "pb" type: "PriorBox" bottom: "feat" bottom: "img" top: "pb"
      prior_box_param { min_size: 4 max_size: 9 aspect_ratio: 2 flip: false variance: 0.1 } })");
  auto g = ImportCaffe({path}, {});
  ASSERT_EQ(g->outputs().size(), 1u);
  const Tensor* t = ConstantOf(g->outputs()[0]->producer()->input(0));
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->type().shape, (Shape{1, 2, 12}));
  float w = 4 * std::sqrt(2.0f) / 2, h = 4 / std::sqrt(2.0f) / 2;  // half sides at ratio 2
  std::vector<float> want = {0.3f, 0.3f, 0.7f,         0.7f,         0.2f,         0.2f,
                             0.8f, 0.8f, (5 - w) / 10, (5 - h) / 10, (5 + w) / 10, (5 + h) / 10};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(t->data<float>()[i], want[i], 1e-6) << i;
    EXPECT_FLOAT_EQ(t->data<float>()[12 + i], 0.1f) << i;
  }
}

// Also: the output of an in-place layer is the net's output.
TEST(CaffeFrontend, V1LayersBecomeOps) {
  std::string path = WriteTemp("halo_caffe_v1.prototxt", R"(
    input: "x" input_dim: 1 input_dim: 2 input_dim: 3 input_dim: 3
    layers { name: "r" type: RELU bottom: "x" top: "r" }
    layers { name: "s" type: SIGMOID bottom: "r" top: "s" }
    layers { name: "t" type: TANH bottom: "s" top: "s" })");
  auto g = ImportCaffe({path}, {});
  std::vector<std::string> ops;
  for (const auto& n : g->nodes()) ops.push_back(n->op());
  EXPECT_EQ(ops, (std::vector<std::string>{"Input", "Relu", "Sigmoid", "Tanh"}));
  ASSERT_EQ(g->outputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0]->name(), "s");
}

TEST(CaffeFrontend, ErrorsNameTheFileLayerAndPlace) {
  std::string syntax = WriteTemp("halo_caffe_syntax.prototxt", "input: \"x\"\nlayer { name: }\n");
  EXPECT_NE(ImportError(syntax).find("line 2, column 15"), std::string::npos)
      << ImportError(syntax);
  std::string bottom = WriteTemp("halo_caffe_bottom.prototxt", R"(
    input: "x" input_dim: 1 input_dim: 1 input_dim: 1 input_dim: 1
    layer { name: "t" type: "TanH" bottom: "y" top: "t" })");
  EXPECT_EQ(ImportError(bottom),
            bottom + ": layer 't' (TanH): bottom blob 'y' is produced by no layer");
}

TEST(DetectionKernels, MaxRoiPoolBinsAndScale) {
  std::vector<float> x(16);
  for (int i = 0; i < 16; ++i) x[i] = static_cast<float>(i);
  // The whole 4x4 plane in 2x2 bins, and with scale 0.5 the top-left 2x2 corner in 1x1 bins.
  std::vector<float> rois = {0, 0, 0, 3, 3, 0, 0, 0, 2, 2};
  std::vector<float> y(8);
  odla_rt::MaxRoiPool({1, 1, 4, 4, 2, 2, 1.0f}, x.data(), rois.data(), 1, y.data());
  EXPECT_EQ(std::vector<float>(y.begin(), y.begin() + 4), (std::vector<float>{5, 7, 13, 15}));
  odla_rt::MaxRoiPool({1, 1, 4, 4, 2, 2, 0.5f}, x.data(), rois.data() + 5, 1, y.data());
  EXPECT_EQ(std::vector<float>(y.begin(), y.begin() + 4), (std::vector<float>{0, 1, 4, 5}));
}

TEST(DetectionKernels, DetectionOutputSuppressesAndKeeps) {
  // Three priors (the second overlaps the first), offsets zero, two classes (0: background).
  std::vector<float> priors = {0, 0, 0.5f, 0.5f, 0.05f, 0.05f, 0.55f, 0.55f, 0.6f, 0.6f, 1, 1};
  priors.resize(24, 0.1f);  // variances
  std::vector<float> loc(12, 0.0f);
  std::vector<float> conf = {0.1f, 0.9f, 0.2f, 0.8f, 0.3f, 0.7f};
  odla_rt::DetectionOutputSpec s{};
  s.batch = 1;
  s.priors = 3;
  s.classes = 2;
  s.share_location = true;
  s.background = 0;
  s.top_k = -1;
  s.keep_top_k = -1;
  s.nms_threshold = 0.45f;
  s.confidence_threshold = 0.0f;
  s.code_type = 2;  // center-size: zero offsets give the priors
  std::vector<float> out(3 * 7);
  ASSERT_EQ(odla_rt::DetectionOutput(s, loc.data(), conf.data(), priors.data(), out.data()), 2);
  std::vector<float> want = {0, 1, 0.9f, 0, 0, 0.5f, 0.5f, 0, 1, 0.7f, 0.6f, 0.6f, 1, 1};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(out[i], want[i], 1e-6) << i;
  s.keep_top_k = 1;
  EXPECT_EQ(odla_rt::DetectionOutput(s, loc.data(), conf.data(), priors.data(), out.data()), 1);
  s.keep_top_k = -1;
  s.confidence_threshold = 0.75f;  // the third prior's 0.7 no longer counts
  EXPECT_EQ(odla_rt::DetectionOutput(s, loc.data(), conf.data(), priors.data(), out.data()), 1);
  s.confidence_threshold = 0.0f;
  s.nms_threshold = 0.9f;  // no suppression
  EXPECT_EQ(odla_rt::DetectionOutput(s, loc.data(), conf.data(), priors.data(), out.data()), 3);
}

}  // namespace
}  // namespace halo
