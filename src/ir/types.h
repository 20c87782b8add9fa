// Element types, static shapes and constant tensors of the HALO IR.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace halo {

enum class DataType {
  kInvalid = 0,
  kFloat32 = 1,
  kFloat64 = 2,
  kInt8 = 3,
  kUInt8 = 4,
  kInt16 = 5,
  kUInt16 = 6,
  kInt32 = 7,
  kUInt32 = 8,
  kInt64 = 9,
  kUInt64 = 10,
  kBool = 11,
  kFloat16 = 12,
  kBFloat16 = 13,
};

// Values match odla_element_type.
const char* DataTypeName(DataType t);
size_t DataTypeSize(DataType t);
bool IsFloat(DataType t);  // f32, f64, f16, bf16
// f16 or bf16: stored as uint16_t bits, converted (not computed on) by most ops.
bool IsHalfFloat(DataType t);
bool IsInteger(DataType t);  // signed or unsigned integer, not bool
bool IsSigned(DataType t);
// The C type used in generated code ("float", "int64_t", "bool"...).
const char* DataTypeCName(DataType t);

// The value of an IEEE half / a bfloat16 given as its bits (exact).
float HalfToFloat(uint16_t h);
float BFloat16ToFloat(uint16_t b);

using Shape = std::vector<int64_t>;

int64_t NumElements(const Shape& s);
std::string ShapeToString(const Shape& s);  // "1x3x224x224", "scalar" for rank 0

// A value's type. Every dimension is static, but the results of a few ops (NonZero, Unique,
// NonMaxSuppression) have data-dependent dimensions: their `shape` entry is a static upper
// bound and the actual extent is known at run time only. Such a value is written densely
// with its actual shape into a buffer sized for the bound, and may only be a graph output.
struct Type {
  DataType dtype = DataType::kInvalid;
  Shape shape;
  bool known = false;    // false until shape inference sets it
  uint32_t dynamic = 0;  // bit i: dimension i is data-dependent (shape[i] bounds it)

  Type() = default;
  Type(DataType d, Shape s) : dtype(d), shape(std::move(s)), known(true) {}
  int64_t NumElements() const { return halo::NumElements(shape); }  // of the bound
  size_t ByteSize() const { return static_cast<size_t>(NumElements()) * DataTypeSize(dtype); }
  int Rank() const { return static_cast<int>(shape.size()); }
  bool HasDynamicDims() const { return dynamic != 0; }
  bool IsDynamicDim(int i) const { return (dynamic >> i) & 1; }
  // Marks dimension `dim` (< 32) data-dependent, bounded by shape[dim].
  Type& MarkDynamic(int dim);
  // "f32[1x3x224x224]"; a data-dependent dimension prints as "<=BOUND": "i64[2x<=6]".
  std::string ToString() const;
  bool operator==(const Type& o) const {
    return dtype == o.dtype && shape == o.shape && dynamic == o.dynamic;
  }
  bool operator!=(const Type& o) const { return !(*this == o); }
};

// A constant tensor. The bytes are shared by copies and immutable once built: only the
// builder of a tensor made with its own buffer (from a vector, or zero-filled) writes them
// through mutable_bytes(), before sharing it.
class Tensor {
 public:
  Tensor() = default;
  Tensor(Type type, std::vector<uint8_t> bytes);
  explicit Tensor(Type type);  // zero-filled
  // Read-only bytes that `owner` keeps alive (e.g. a string moved out of a protobuf message,
  // or a mapped file region): every copy of the tensor holds a reference to it.
  Tensor(Type type, std::shared_ptr<const void> owner, const uint8_t* bytes, size_t size);

  const Type& type() const { return type_; }
  const uint8_t* bytes() const { return bytes_.get(); }
  size_t byte_size() const { return size_; }
  template <typename T>
  const T* data() const {
    return reinterpret_cast<const T*>(bytes());
  }
  // Throws Error for a tensor built on read-only bytes.
  uint8_t* mutable_bytes();
  template <typename T>
  T* mutable_data() {
    return reinterpret_cast<T*>(mutable_bytes());
  }

  // Element i converted to int64 / double whatever the element type.
  int64_t GetInt(int64_t i) const;
  double GetDouble(int64_t i) const;
  std::vector<int64_t> ToInts() const;
  std::vector<double> ToDoubles() const;

  static Tensor FromInts(const std::vector<int64_t>& v, DataType t = DataType::kInt64,
                         Shape shape = {-1});
  static Tensor Scalar(DataType t, double v);

 private:
  Type type_;
  std::shared_ptr<const uint8_t> bytes_;  // aliases the owner of the storage
  size_t size_ = 0;
  uint8_t* writable_ = nullptr;  // the tensor's own buffer, else null
};

}  // namespace halo
