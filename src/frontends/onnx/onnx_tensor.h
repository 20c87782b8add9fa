// ONNX TensorProto -> HALO Tensor, and ONNX element types -> HALO DataType.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <memory>
#include <string>

#include "ir/types.h"

namespace halo {

// The HALO type of an ONNX TensorProto_DataType, or kInvalid when HALO has none.
DataType DataTypeFromOnnx(int32_t onnx_type);
// The ONNX TensorProto_DataType of a HALO type (UNDEFINED for kInvalid).
int32_t DataTypeToOnnx(DataType dt);
// "FLOAT", "FLOAT16", ... (or the number for values ONNX does not define).
std::string OnnxTypeName(int32_t onnx_type);
// INT4 and UINT4 (IR 10): HALO has no 4-bit type; their tensors are read widened to int8 and
// uint8 (the same values), two packed per byte from the low bits up.
bool IsFourBit(int32_t onnx_type);
// Moves a 4-bit tensor's int32_data (a packed byte each) to raw_data, where the ONNX
// checker, which predates these types, does not look.
void FourBitFieldsToRaw(onnx::TensorProto& t);

// The files holding a model's external data (locations relative to base_dir), each opened
// and mapped read-only once, then shared by the tensors that lie in it.
class ExternalDataFiles {
 public:
  explicit ExternalDataFiles(std::string base_dir) : base_dir_(std::move(base_dir)) {}
  ExternalDataFiles(const ExternalDataFiles&) = delete;
  ExternalDataFiles& operator=(const ExternalDataFiles&) = delete;

  // The tensor stored at t's external_data: on the mapped file when its offset suits the
  // element type's alignment (no copy), else read into memory. Throws Error naming the
  // tensor for a missing or short file or a length that does not match the dims.
  Tensor Load(const onnx::TensorProto& t, const Type& type);

 private:
  struct File;
  std::shared_ptr<const File> Open(const std::string& path, const std::string& tensor);

  std::string base_dir_;
  std::map<std::string, std::shared_ptr<const File>> files_;
};

// Reads a tensor from raw_data, the typed fields or external data (whose location is
// relative to base_dir); 4-bit ones widened (IsFourBit). Throws Error naming the tensor on
// unsupported element types, sizes that do not match the dims, and missing or short external data.
Tensor TensorFromProto(const onnx::TensorProto& t, const std::string& base_dir);

// The same without copying the bulk of the data: a raw_data of kTakeRawDataBytes or more
// moves into the tensor (t is left with an empty raw_data), external data comes through
// `files` (mapped). For a model's initializers, which then cost their size once.
Tensor TakeTensorFromProto(onnx::TensorProto& t, ExternalDataFiles& files);
constexpr size_t kTakeRawDataBytes = 4096;

// Reads a serialized TensorProto file (the ONNX test data test_data_set_*/input_*.pb).
// Stores the tensor's name in *name when given.
Tensor LoadTensorProtoFile(const std::string& pb_path, std::string* name = nullptr);

}  // namespace halo
