// Reading the reference tensors of ONNX backend tests and the raw files the harness writes.
#pragma once

#include <string>

#include "ir/types.h"

namespace halo::conformance {

// A serialized onnx.TensorProto (input_N.pb / output_N.pb) as a Tensor. Throws Error.
Tensor ReadTensorProto(const std::string& path);

// The whole file as bytes; throws Error naming the path when it cannot be read.
std::string ReadFileBytes(const std::string& path);
// Writes `bytes` to `path` (replacing it); throws Error naming the path.
void WriteFileBytes(const std::string& path, const std::string& bytes);

}  // namespace halo::conformance
