// The TensorFlow frontend: text GraphDefs written to the build directory, loaded through the
// driver (import and pipeline).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "driver/driver.h"
#include "ir/error.h"

namespace halo {
namespace {

std::string Save(const std::string& name, const std::string& text) {
  std::string dir = std::string(HALO_BINARY_DIR) + "/test_tmp/tf_unit";
  std::filesystem::create_directories(dir);
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string Placeholder(const std::string& name, const std::vector<int>& dims) {
  std::string s = "node { name: '" + name + "' op: 'Placeholder' attr { key: 'dtype' value { " +
                  "type: DT_FLOAT } } attr { key: 'shape' value { shape {";
  for (int d : dims) s += " dim { size: " + std::to_string(d) + " }";
  return s + " } } } }\n";
}

// A float constant of the given shape, every element `v`; or an int32 vector.
std::string Const(const std::string& name, const std::vector<int>& dims, float v) {
  std::string s = "node { name: '" + name + "' op: 'Const' attr { key: 'dtype' value { type: " +
                  "DT_FLOAT } } attr { key: 'value' value { tensor { dtype: DT_FLOAT " +
                  "tensor_shape {";
  for (int d : dims) s += " dim { size: " + std::to_string(d) + " }";
  return s + " } float_val: " + std::to_string(v) + " } } } }\n";
}
std::string Ints(const std::string& name, const std::vector<int>& v) {
  std::string s = "node { name: '" + name + "' op: 'Const' attr { key: 'dtype' value { type: " +
                  "DT_INT32 } } attr { key: 'value' value { tensor { dtype: DT_INT32 " +
                  "tensor_shape { dim { size: " + std::to_string(v.size()) + " } }";
  for (int x : v) s += " int_val: " + std::to_string(x);
  return s + " } } } }\n";
}
std::string Scalar(const std::string& name, int v) {
  return "node { name: '" + name + "' op: 'Const' attr { key: 'dtype' value { type: DT_INT32 " +
         "} } attr { key: 'value' value { tensor { dtype: DT_INT32 tensor_shape { } int_val: " +
         std::to_string(v) + " } } } }\n";
}
std::string Node(const std::string& name, const std::string& op,
                 const std::vector<std::string>& inputs, const std::string& attrs = "") {
  std::string s = "node { name: '" + name + "' op: '" + op + "'";
  for (const auto& i : inputs) s += " input: '" + i + "'";
  return s + " " + attrs + " }\n";
}

int Count(const Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op() == op;
  return n;
}

// NHWC convolution, bias, activation and pooling: the graph keeps NHWC at its ends and one
// layout change at each.
TEST(TfFrontend, ConvNetComputesInNchwWithOneTransposeAtEachEnd) {
  std::string text = Placeholder("x", {1, 4, 4, 2}) + Const("w", {1, 1, 2, 3}, 0.5f) +
                     Const("b", {3}, 1) +
                     Node("conv", "Conv2D", {"x", "w"},
                          "attr { key: 'strides' value { list { i: 1 i: 1 i: 1 i: 1 } } } "
                          "attr { key: 'padding' value { s: 'SAME' } }") +
                     Node("bias", "BiasAdd", {"conv", "b"}) + Node("relu", "Relu", {"bias:0"}) +
                     Node("pool", "MaxPool", {"relu"},
                          "attr { key: 'ksize' value { list { i: 1 i: 2 i: 2 i: 1 } } } "
                          "attr { key: 'strides' value { list { i: 1 i: 2 i: 2 i: 1 } } } "
                          "attr { key: 'padding' value { s: 'VALID' } }");
  auto g = LoadModel({Save("conv.pbtxt", text)}, {});
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "x");
  ASSERT_EQ(g->outputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0]->name(), "pool");
  EXPECT_EQ(g->outputs()[0]->type(), Type(DataType::kFloat32, {1, 2, 2, 3}));
  EXPECT_EQ(Count(*g, "Transpose"), 2);
}

// Shape -> StridedSlice (shrink) -> Pack -> Reshape folds at import; the unknown batch takes
// --batch-size.
TEST(TfFrontend, ShapeComputationsFold) {
  std::string text = Placeholder("x", {-1, 6}) + Node("shape", "Shape", {"x"}) + Ints("b", {0}) +
                     Ints("e", {1}) + Ints("s", {1}) + Scalar("two", 2) + Scalar("three", 3) +
                     Node("n", "StridedSlice", {"shape", "b", "e", "s"},
                          "attr { key: 'shrink_axis_mask' value { i: 1 } }") +
                     Node("dims", "Pack", {"n", "two", "three"}) +
                     Node("y", "Reshape", {"x", "dims"});
  ImportOptions opts;
  opts.batch_size = 5;
  auto g = LoadModel({Save("flatten.pbtxt", text)}, opts);
  EXPECT_EQ(g->outputs()[0]->type(), Type(DataType::kFloat32, {5, 2, 3}));
}

TEST(TfFrontend, ErrorsNameTheNode) {
  auto error = [](const std::string& name, const std::string& text) {
    try {
      LoadModel({Save(name, text)}, {});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  std::string x = Placeholder("x", {2});
  EXPECT_NE(error("v.pbtxt", x + Node("v", "VariableV2", {}) + Node("y", "Add", {"x", "v"}))
                .find("node 'v' (VariableV2): the graph is not frozen"),
            std::string::npos);
  EXPECT_NE(error("u.pbtxt", x + Node("y", "Frobnicate", {"x"}))
                .find("node 'y' (Frobnicate): unsupported operator"),
            std::string::npos);
  EXPECT_NE(error("m.pbtxt", x + Node("y", "Add", {"x", "nowhere:0"}))
                .find("node 'y' (Add): its input 'nowhere' is not a node"),
            std::string::npos);
  EXPECT_NE(error("c.pbtxt", x + Node("a", "Relu", {"b"}) + Node("b", "Relu", {"a"}) +
                                 Node("y", "Add", {"x", "b"}))
                .find("cycle"),
            std::string::npos);
}

}  // namespace
}  // namespace halo
