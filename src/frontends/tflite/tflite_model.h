// A verified TensorFlow Lite flatbuffer in memory and typed access to its tensors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frontends/tflite/schema/tflite_generated.h"
#include "ir/types.h"

namespace halo::tflite_fe {

// A tensor's quantization parameters: real = scale * (q - zero_point), one pair per tensor
// or one per index along quantized_dimension. Empty scale: not quantized.
struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int quantized_dimension = 0;
  bool present() const { return !scale.empty(); }
  bool per_axis() const { return scale.size() > 1; }
};

// The whole file, verified before anything is read. Throws Error naming the file.
class ModelFile {
 public:
  explicit ModelFile(const std::string& path);
  const std::string& path() const { return path_; }
  const tflite::Model& model() const { return *model_; }
  const uint8_t* bytes() const { return data_.data(); }
  size_t size() const { return data_.size(); }

  // The builtin code of operator code `i` ("CUSTOM" for custom ones), checked in range.
  int BuiltinCode(uint32_t opcode_index) const;
  // "CONV_2D", or "CUSTOM(Convolution2DTransposeBias)".
  std::string OpName(uint32_t opcode_index) const;
  // The custom code of a custom operator ("" for builtins).
  std::string CustomCode(uint32_t opcode_index) const;

  // The raw data of buffer `index` (nullptr, 0 when empty); checks the index and, for data
  // outside the flatbuffer (offset/size), the file bounds.
  std::pair<const uint8_t*, size_t> BufferData(uint32_t index) const;

 private:
  std::string path_;
  std::vector<uint8_t> data_;
  const tflite::Model* model_ = nullptr;
};

// The name of a builtin code ("CONV_2D"), or "BUILTIN_<n>" when unnamed.
std::string BuiltinName(int code);

// The IR element type of a TFLite tensor type; kInvalid for STRING, COMPLEX, RESOURCE, ...
DataType ToDataType(tflite::TensorType t);
const char* TensorTypeName(tflite::TensorType t);

// The tensors of one subgraph, checked: index ranges, shapes, buffer sizes.
class TensorView {
 public:
  TensorView(const ModelFile& file, const tflite::SubGraph& sg);
  size_t size() const { return tensors_ ? tensors_->size() : 0; }
  const tflite::Tensor& at(int i) const;  // throws on an index out of range
  std::string Name(int i) const;          // the tensor's name, or "#i"
  tflite::TensorType RawType(int i) const { return at(i).type(); }
  DataType Dtype(int i) const;  // throws for types HALO has no element type for
  Shape GetShape(int i) const;  // the static shape (rank 0: scalar)
  QuantParams Quant(int i) const;
  bool IsSparse(int i) const { return at(i).sparsity() != nullptr; }
  // The constant data of tensor i, checked against its shape; nullptr when it has none.
  // Sparse tensors are densified.
  const Tensor* Constant(int i) const;
  // Checks every tensor's buffer index and, for dense constants, that the buffer holds
  // exactly the bytes its shape and type need.
  void CheckBuffers() const;

 private:
  const ModelFile& file_;
  const flatbuffers::Vector<flatbuffers::Offset<tflite::Tensor>>* tensors_;
  mutable std::vector<std::unique_ptr<Tensor>> constants_;
  mutable std::vector<bool> constant_read_;
};

// Densifies a sparse constant (the TACO encoding of SparsityParameters) into `dense_shape`.
Tensor Densify(const tflite::SparsityParameters& sp, DataType dtype, const Shape& dense_shape,
               const uint8_t* values, size_t values_bytes);

}  // namespace halo::tflite_fe
