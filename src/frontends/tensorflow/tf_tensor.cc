// TensorFlow element types and TensorProto values.
#include <cstring>

#include "frontends/tensorflow/tf_importer.h"

namespace halo::tf_fe {

DataType DTypeOf(int tf_type) {
  if (tf_type > 100) tf_type -= 100;  // reference types
  switch (tf_type) {
    case halo_tf::DT_FLOAT:
      return DataType::kFloat32;
    case halo_tf::DT_DOUBLE:
      return DataType::kFloat64;
    case halo_tf::DT_INT32:
    case halo_tf::DT_QINT32:
      return DataType::kInt32;
    case halo_tf::DT_UINT8:
    case halo_tf::DT_QUINT8:
      return DataType::kUInt8;
    case halo_tf::DT_INT16:
    case halo_tf::DT_QINT16:
      return DataType::kInt16;
    case halo_tf::DT_INT8:
    case halo_tf::DT_QINT8:
      return DataType::kInt8;
    case halo_tf::DT_INT64:
      return DataType::kInt64;
    case halo_tf::DT_BOOL:
      return DataType::kBool;
    case halo_tf::DT_BFLOAT16:
      return DataType::kBFloat16;
    case halo_tf::DT_UINT16:
    case halo_tf::DT_QUINT16:
      return DataType::kUInt16;
    case halo_tf::DT_HALF:
      return DataType::kFloat16;
    case halo_tf::DT_UINT32:
      return DataType::kUInt32;
    case halo_tf::DT_UINT64:
      return DataType::kUInt64;
    default:
      return DataType::kInvalid;
  }
}

namespace {

// Fills t from a repeated field: as many values as elements, or one value repeated (TF
// stores a splat that way), or none (zeros).
template <typename T, typename Field>
void Fill(Tensor& t, const Field& f) {
  int64_t n = t.type().NumElements();
  if (f.size() != 0 && f.size() != 1 && f.size() != n)
    throw Err("the tensor holds ", f.size(), " values for ", n, " elements");
  T* out = t.mutable_data<T>();
  for (int64_t i = 0; i < n; ++i)
    out[i] = f.size() == 0 ? T{} : static_cast<T>(f.Get(f.size() == 1 ? 0 : static_cast<int>(i)));
}

}  // namespace

Tensor TensorFromProto(const halo_tf::TensorProto& p) {
  DataType dt = DTypeOf(p.dtype());
  if (dt == DataType::kInvalid)
    throw Err("tensors of element type ", halo_tf::DataType_Name(p.dtype()), " are not supported");
  Shape shape;
  for (const auto& d : p.tensor_shape().dim()) {
    if (d.size() < 0) throw Err("a constant tensor has an unknown dimension");
    shape.push_back(d.size());
  }
  Tensor t{halo::Type(dt, shape)};
  size_t bytes = t.byte_size();
  if (!p.tensor_content().empty()) {
    if (p.tensor_content().size() != bytes)
      throw Err("tensor_content holds ", p.tensor_content().size(), " bytes for ", bytes);
    std::memcpy(t.mutable_bytes(), p.tensor_content().data(), bytes);
    return t;
  }
  switch (dt) {
    case DataType::kFloat32:
      Fill<float>(t, p.float_val());
      break;
    case DataType::kFloat64:
      Fill<double>(t, p.double_val());
      break;
    case DataType::kInt32:
      Fill<int32_t>(t, p.int_val());
      break;
    case DataType::kInt16:
      Fill<int16_t>(t, p.int_val());
      break;
    case DataType::kInt8:
      Fill<int8_t>(t, p.int_val());
      break;
    case DataType::kUInt8:
      Fill<uint8_t>(t, p.int_val());
      break;
    case DataType::kUInt16:
      Fill<uint16_t>(t, p.int_val());
      break;
    case DataType::kFloat16:
    case DataType::kBFloat16:
      Fill<uint16_t>(t, p.half_val());
      break;
    case DataType::kInt64:
      Fill<int64_t>(t, p.int64_val());
      break;
    case DataType::kUInt32:
      Fill<uint32_t>(t, p.uint32_val());
      break;
    case DataType::kUInt64:
      Fill<uint64_t>(t, p.uint64_val());
      break;
    case DataType::kBool:
      Fill<uint8_t>(t, p.bool_val());
      break;
    default:
      break;
  }
  return t;
}

}  // namespace halo::tf_fe
