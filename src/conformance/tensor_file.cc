#include "conformance/tensor_file.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "ir/error.h"

namespace halo::conformance {

namespace {

DataType FromOnnx(int t) {
  using P = onnx::TensorProto;
  switch (t) {
    case P::FLOAT:
      return DataType::kFloat32;
    case P::DOUBLE:
      return DataType::kFloat64;
    case P::FLOAT16:
      return DataType::kFloat16;
    case P::INT8:
      return DataType::kInt8;
    case P::UINT8:
      return DataType::kUInt8;
    case P::INT16:
      return DataType::kInt16;
    case P::UINT16:
      return DataType::kUInt16;
    case P::INT32:
      return DataType::kInt32;
    case P::UINT32:
      return DataType::kUInt32;
    case P::INT64:
      return DataType::kInt64;
    case P::UINT64:
      return DataType::kUInt64;
    case P::BOOL:
      return DataType::kBool;
    default:
      return DataType::kInvalid;
  }
}

// Copies typed proto fields into `out`, narrowing each element to T.
template <typename T, typename Field>
void CopyField(const Field& field, int64_t n, std::vector<uint8_t>& out) {
  if (static_cast<int64_t>(field.size()) != n)
    throw Err("has ", field.size(), " elements, its shape needs ", n);
  for (int64_t i = 0; i < n; ++i) {
    T v = static_cast<T>(field.Get(static_cast<int>(i)));
    std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
  }
}

}  // namespace

std::string ReadFileBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Err(path, ": cannot open the file");
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f.flush()) throw Err(path, ": cannot write the file");
}

Tensor ReadTensorProto(const std::string& path) {
  std::string bytes = ReadFileBytes(path);
  onnx::TensorProto p;
  if (!p.ParseFromString(bytes)) throw Err(path, ": not a serialized onnx.TensorProto");
  try {
    if (p.data_type() == onnx::TensorProto::UNDEFINED)
      throw Err("not a tensor (sequence and optional test data are not supported)");
    DataType dt = FromOnnx(p.data_type());
    if (dt == DataType::kInvalid)
      throw Err(
          "element type ",
          onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(p.data_type())),
          " is not supported");
    if (p.data_location() == onnx::TensorProto::EXTERNAL) throw Err("external data");
    Shape shape(p.dims().begin(), p.dims().end());
    // The data must be there before anything is allocated: a file of another kind can
    // parse as a TensorProto with absurd dims.
    int64_t n = 1;
    for (int64_t d : shape) {
      if (d < 0 || (d > 0 && n > (int64_t{1} << 40) / d)) throw Err("bad dims");
      n *= d;
    }
    Type type(dt, shape);
    if (p.has_raw_data()) {
      if (p.raw_data().size() != static_cast<size_t>(n) * DataTypeSize(dt))
        throw Err("raw_data has ", p.raw_data().size(), " bytes, ", type.ToString(), " needs ",
                  n * DataTypeSize(dt));
      const auto* raw = reinterpret_cast<const uint8_t*>(p.raw_data().data());
      return Tensor(type, std::vector<uint8_t>(raw, raw + p.raw_data().size()));
    }
    int64_t fields = p.float_data_size() + p.double_data_size() + p.int32_data_size() +
                     p.int64_data_size() + p.uint64_data_size();
    if (fields != n) throw Err("has ", fields, " elements, its shape needs ", n);
    std::vector<uint8_t> out(type.ByteSize());
    switch (dt) {
      case DataType::kFloat32:
        CopyField<float>(p.float_data(), n, out);
        break;
      case DataType::kFloat64:
        CopyField<double>(p.double_data(), n, out);
        break;
      case DataType::kInt64:
        CopyField<int64_t>(p.int64_data(), n, out);
        break;
      case DataType::kUInt32:
      case DataType::kUInt64:
        if (dt == DataType::kUInt32)
          CopyField<uint32_t>(p.uint64_data(), n, out);
        else
          CopyField<uint64_t>(p.uint64_data(), n, out);
        break;
      case DataType::kInt32:
        CopyField<int32_t>(p.int32_data(), n, out);
        break;
      case DataType::kInt16:
        CopyField<int16_t>(p.int32_data(), n, out);
        break;
      case DataType::kInt8:
        CopyField<int8_t>(p.int32_data(), n, out);
        break;
      case DataType::kUInt16:
      case DataType::kFloat16:
        CopyField<uint16_t>(p.int32_data(), n, out);
        break;
      case DataType::kUInt8:
      case DataType::kBool:
        CopyField<uint8_t>(p.int32_data(), n, out);
        break;
      default:
        throw Err("unreachable element type");
    }
    return Tensor(type, std::move(out));
  } catch (const Error& e) {
    throw Err(path, ": ", e.what());
  }
}

}  // namespace halo::conformance
