#include "ir/types.h"

#include <cstring>
#include <sstream>

#include "ir/error.h"

namespace halo {

const char* DataTypeName(DataType t) {
  switch (t) {
    case DataType::kFloat32:
      return "f32";
    case DataType::kFloat64:
      return "f64";
    case DataType::kInt8:
      return "i8";
    case DataType::kUInt8:
      return "u8";
    case DataType::kInt16:
      return "i16";
    case DataType::kUInt16:
      return "u16";
    case DataType::kInt32:
      return "i32";
    case DataType::kUInt32:
      return "u32";
    case DataType::kInt64:
      return "i64";
    case DataType::kUInt64:
      return "u64";
    case DataType::kBool:
      return "bool";
    case DataType::kFloat16:
      return "f16";
    case DataType::kBFloat16:
      return "bf16";
    default:
      return "invalid";
  }
}

size_t DataTypeSize(DataType t) {
  switch (t) {
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kBool:
      return 1;
    case DataType::kInt16:
    case DataType::kUInt16:
    case DataType::kFloat16:
    case DataType::kBFloat16:
      return 2;
    case DataType::kFloat32:
    case DataType::kInt32:
    case DataType::kUInt32:
      return 4;
    case DataType::kFloat64:
    case DataType::kInt64:
    case DataType::kUInt64:
      return 8;
    default:
      return 0;
  }
}

bool IsFloat(DataType t) {
  return t == DataType::kFloat32 || t == DataType::kFloat64 || IsHalfFloat(t);
}

bool IsHalfFloat(DataType t) { return t == DataType::kFloat16 || t == DataType::kBFloat16; }

bool IsInteger(DataType t) {
  return !IsFloat(t) && t != DataType::kBool && t != DataType::kInvalid;
}

bool IsSigned(DataType t) {
  return t == DataType::kInt8 || t == DataType::kInt16 || t == DataType::kInt32 ||
         t == DataType::kInt64 || IsFloat(t);
}

const char* DataTypeCName(DataType t) {
  switch (t) {
    case DataType::kFloat32:
      return "float";
    case DataType::kFloat64:
      return "double";
    case DataType::kInt8:
      return "int8_t";
    case DataType::kUInt8:
      return "uint8_t";
    case DataType::kInt16:
      return "int16_t";
    case DataType::kUInt16:
      return "uint16_t";
    case DataType::kInt32:
      return "int32_t";
    case DataType::kUInt32:
      return "uint32_t";
    case DataType::kInt64:
      return "int64_t";
    case DataType::kUInt64:
      return "uint64_t";
    case DataType::kBool:
      return "bool";
    case DataType::kFloat16:
    case DataType::kBFloat16:
      return "uint16_t";
    default:
      return "void";
  }
}

float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h >> 15) << 31;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // inf or NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {  // subnormal: normalise
    exp = 113;
    while ((mant & 0x400) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

float BFloat16ToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

int64_t NumElements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string ShapeToString(const Shape& s) {
  if (s.empty()) return "scalar";
  std::ostringstream os;
  for (size_t i = 0; i < s.size(); ++i) os << (i ? "x" : "") << s[i];
  return os.str();
}

Type& Type::MarkDynamic(int dim) {
  if (dim < 0 || dim >= Rank() || dim >= 32)
    throw Err("cannot mark dimension ", dim, " of ", ToString(), " data-dependent");
  dynamic |= uint32_t{1} << dim;
  return *this;
}

std::string Type::ToString() const {
  if (!known) return "?";
  std::ostringstream os;
  os << DataTypeName(dtype) << "[";
  for (int i = 0; i < Rank(); ++i)
    os << (i ? "x" : "") << (IsDynamicDim(i) ? "<=" : "") << shape[i];
  os << "]";
  return os.str();
}

static void CheckSize(const Type& type, size_t size) {
  if (type.HasDynamicDims()) throw Err("a tensor cannot have data-dependent dimensions");
  if (size != type.ByteSize())
    throw Err("tensor of type ", type.ToString(), " needs ", type.ByteSize(), " bytes, got ", size);
}

Tensor::Tensor(Type type, std::vector<uint8_t> bytes) : type_(std::move(type)) {
  CheckSize(type_, bytes.size());
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  writable_ = owner->data();
  size_ = owner->size();
  bytes_ = std::shared_ptr<const uint8_t>(owner, writable_);
}

Tensor::Tensor(Type type) : Tensor(type, std::vector<uint8_t>(type.ByteSize())) {}

Tensor::Tensor(Type type, std::shared_ptr<const void> owner, const uint8_t* bytes, size_t size)
    : type_(std::move(type)), bytes_(std::move(owner), bytes), size_(size) {
  CheckSize(type_, size);
}

uint8_t* Tensor::mutable_bytes() {
  if (!writable_ && size_) throw Err("a tensor of ", type_.ToString(), " is read-only");
  return writable_;
}

template <typename R>
static R Get(const Tensor& t, int64_t i) {
  const uint8_t* p = t.bytes();
  switch (t.type().dtype) {
    case DataType::kFloat32:
      return static_cast<R>(reinterpret_cast<const float*>(p)[i]);
    case DataType::kFloat64:
      return static_cast<R>(reinterpret_cast<const double*>(p)[i]);
    case DataType::kInt8:
      return static_cast<R>(reinterpret_cast<const int8_t*>(p)[i]);
    case DataType::kUInt8:
      return static_cast<R>(reinterpret_cast<const uint8_t*>(p)[i]);
    case DataType::kInt16:
      return static_cast<R>(reinterpret_cast<const int16_t*>(p)[i]);
    case DataType::kUInt16:
      return static_cast<R>(reinterpret_cast<const uint16_t*>(p)[i]);
    case DataType::kInt32:
      return static_cast<R>(reinterpret_cast<const int32_t*>(p)[i]);
    case DataType::kUInt32:
      return static_cast<R>(reinterpret_cast<const uint32_t*>(p)[i]);
    case DataType::kInt64:
      return static_cast<R>(reinterpret_cast<const int64_t*>(p)[i]);
    case DataType::kUInt64:
      return static_cast<R>(reinterpret_cast<const uint64_t*>(p)[i]);
    case DataType::kBool:
      return static_cast<R>(p[i] != 0);
    case DataType::kFloat16:
      return static_cast<R>(HalfToFloat(reinterpret_cast<const uint16_t*>(p)[i]));
    case DataType::kBFloat16:
      return static_cast<R>(BFloat16ToFloat(reinterpret_cast<const uint16_t*>(p)[i]));
    default:
      throw Err("cannot read elements of type ", DataTypeName(t.type().dtype));
  }
}

int64_t Tensor::GetInt(int64_t i) const { return Get<int64_t>(*this, i); }
double Tensor::GetDouble(int64_t i) const { return Get<double>(*this, i); }

std::vector<int64_t> Tensor::ToInts() const {
  std::vector<int64_t> v(type_.NumElements());
  for (size_t i = 0; i < v.size(); ++i) v[i] = GetInt(i);
  return v;
}

std::vector<double> Tensor::ToDoubles() const {
  std::vector<double> v(type_.NumElements());
  for (size_t i = 0; i < v.size(); ++i) v[i] = GetDouble(i);
  return v;
}

Tensor Tensor::FromInts(const std::vector<int64_t>& v, DataType t, Shape shape) {
  if (shape == Shape{-1}) shape = {static_cast<int64_t>(v.size())};
  Tensor r(Type(t, shape));
  for (size_t i = 0; i < v.size(); ++i) {
    switch (t) {
      case DataType::kInt64:
        r.mutable_data<int64_t>()[i] = v[i];
        break;
      case DataType::kInt32:
        r.mutable_data<int32_t>()[i] = static_cast<int32_t>(v[i]);
        break;
      default:
        throw Err("Tensor::FromInts: unsupported type ", DataTypeName(t));
    }
  }
  return r;
}

Tensor Tensor::Scalar(DataType t, double v) {
  Tensor r(Type(t, {}));
  switch (t) {
    case DataType::kFloat32:
      *r.mutable_data<float>() = static_cast<float>(v);
      break;
    case DataType::kFloat64:
      *r.mutable_data<double>() = v;
      break;
    case DataType::kInt8:
      *r.mutable_data<int8_t>() = static_cast<int8_t>(v);
      break;
    case DataType::kUInt8:
      *r.mutable_data<uint8_t>() = static_cast<uint8_t>(v);
      break;
    case DataType::kInt16:
      *r.mutable_data<int16_t>() = static_cast<int16_t>(v);
      break;
    case DataType::kUInt16:
      *r.mutable_data<uint16_t>() = static_cast<uint16_t>(v);
      break;
    case DataType::kInt32:
      *r.mutable_data<int32_t>() = static_cast<int32_t>(v);
      break;
    case DataType::kUInt32:
      *r.mutable_data<uint32_t>() = static_cast<uint32_t>(v);
      break;
    case DataType::kInt64:
      *r.mutable_data<int64_t>() = static_cast<int64_t>(v);
      break;
    case DataType::kUInt64:
      *r.mutable_data<uint64_t>() = static_cast<uint64_t>(v);
      break;
    case DataType::kBool:
      *r.mutable_data<uint8_t>() = v != 0;
      break;
    default:
      throw Err("Tensor::Scalar: unsupported type ", DataTypeName(t));
  }
  return r;
}

}  // namespace halo
