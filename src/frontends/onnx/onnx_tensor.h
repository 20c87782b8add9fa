// ONNX TensorProto -> HALO Tensor, and ONNX element types -> HALO DataType.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "ir/types.h"

namespace halo {

// The HALO type of an ONNX TensorProto_DataType, or kInvalid when HALO has none.
DataType DataTypeFromOnnx(int32_t onnx_type);
// The ONNX TensorProto_DataType of a HALO type (UNDEFINED for kInvalid).
int32_t DataTypeToOnnx(DataType dt);
// "FLOAT", "FLOAT16", ... (or the number for values ONNX does not define).
std::string OnnxTypeName(int32_t onnx_type);

// Reads a tensor from raw_data, the typed fields or external data (whose location is
// relative to base_dir). Throws Error naming the tensor on unsupported element types,
// sizes that do not match the dims, and missing or short external data.
Tensor TensorFromProto(const onnx::TensorProto& t, const std::string& base_dir);

// Reads a serialized TensorProto file (the ONNX test data test_data_set_*/input_*.pb).
// Stores the tensor's name in *name when given.
Tensor LoadTensorProtoFile(const std::string& pb_path, std::string* name = nullptr);

}  // namespace halo
