// What every frontend takes: user overrides for input shapes.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "ir/graph.h"

namespace halo {

struct ImportOptions {
  std::map<std::string, Shape> input_shapes;  // --input-shape NAME:1x3x224x224
  int64_t batch_size = 0;                     // --batch-size N: fills an unknown first dim
};

// ONNX: a .onnx file. Throws Error naming the file, node and reason.
std::unique_ptr<Graph> ImportOnnx(const std::string& path, const ImportOptions& opts);

}  // namespace halo
