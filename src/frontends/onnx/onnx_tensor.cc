#include "frontends/onnx/onnx_tensor.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "ir/error.h"

namespace halo {

using onnx::TensorProto;

DataType DataTypeFromOnnx(int32_t onnx_type) {
  switch (onnx_type) {
    case TensorProto::FLOAT:
      return DataType::kFloat32;
    case TensorProto::DOUBLE:
      return DataType::kFloat64;
    case TensorProto::INT8:
      return DataType::kInt8;
    case TensorProto::UINT8:
      return DataType::kUInt8;
    case TensorProto::INT16:
      return DataType::kInt16;
    case TensorProto::UINT16:
      return DataType::kUInt16;
    case TensorProto::INT32:
      return DataType::kInt32;
    case TensorProto::UINT32:
      return DataType::kUInt32;
    case TensorProto::INT64:
      return DataType::kInt64;
    case TensorProto::UINT64:
      return DataType::kUInt64;
    case TensorProto::BOOL:
      return DataType::kBool;
    case TensorProto::FLOAT16:
      return DataType::kFloat16;
    case TensorProto::BFLOAT16:
      return DataType::kBFloat16;
    default:
      return DataType::kInvalid;  // string, complex
  }
}

int32_t DataTypeToOnnx(DataType dt) {
  for (int32_t t = TensorProto::FLOAT; t <= TensorProto::BFLOAT16; ++t)
    if (DataTypeFromOnnx(t) == dt && dt != DataType::kInvalid) return t;
  return TensorProto::UNDEFINED;
}

std::string OnnxTypeName(int32_t onnx_type) {
  if (onnx::TensorProto_DataType_IsValid(onnx_type))
    return TensorProto::DataType_Name(static_cast<TensorProto::DataType>(onnx_type));
  // The types of IR versions 9 to 13, newer than the ONNX library's protos.
  static const char* const kNewer[] = {
      "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",
      "INT4",         "FLOAT4E2M1",     "FLOAT8E8M0", "UINT2",          "INT2"};
  if (onnx_type >= 17 && onnx_type < 17 + static_cast<int32_t>(std::size(kNewer)))
    return kNewer[onnx_type - 17];
  return std::to_string(onnx_type);
}

// TensorProto's UINT4 and INT4 (IR 10), newer than the ONNX library's protos.
constexpr int32_t kOnnxUInt4 = 21, kOnnxInt4 = 22;

bool IsFourBit(int32_t onnx_type) { return onnx_type == kOnnxUInt4 || onnx_type == kOnnxInt4; }

void FourBitFieldsToRaw(TensorProto& t) {
  if (!IsFourBit(t.data_type()) || t.int32_data_size() == 0) return;
  std::string raw;
  for (int32_t b : t.int32_data()) raw.push_back(static_cast<char>(b & 0xff));
  t.clear_int32_data();
  t.set_raw_data(raw);
}

namespace {

// Copies typed-field values into the tensor, converting to its element type.
template <typename Src>
void CopyTyped(const Src& src, Tensor& t, const std::string& name) {
  int64_t n = t.type().NumElements();
  if (static_cast<int64_t>(src.size()) != n)
    throw Err("tensor '", name, "' of shape ", ShapeToString(t.type().shape), " has ", src.size(),
              " values, expected ", n);
  auto fill = [&](auto* dst) {
    using D = std::remove_pointer_t<decltype(dst)>;
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<D>(src.Get(static_cast<int>(i)));
  };
  switch (t.type().dtype) {
    case DataType::kFloat32:
      fill(t.mutable_data<float>());
      break;
    case DataType::kFloat64:
      fill(t.mutable_data<double>());
      break;
    case DataType::kInt8:
      fill(t.mutable_data<int8_t>());
      break;
    case DataType::kUInt8:
      fill(t.mutable_data<uint8_t>());
      break;
    case DataType::kInt16:
      fill(t.mutable_data<int16_t>());
      break;
    case DataType::kUInt16:
    case DataType::kFloat16:  // the bits, in int32_data
    case DataType::kBFloat16:
      fill(t.mutable_data<uint16_t>());
      break;
    case DataType::kInt32:
      fill(t.mutable_data<int32_t>());
      break;
    case DataType::kUInt32:
      fill(t.mutable_data<uint32_t>());
      break;
    case DataType::kInt64:
      fill(t.mutable_data<int64_t>());
      break;
    case DataType::kUInt64:
      fill(t.mutable_data<uint64_t>());
      break;
    case DataType::kBool:
      for (int64_t i = 0; i < n; ++i)
        t.mutable_data<uint8_t>()[i] = src.Get(static_cast<int>(i)) != 0;
      break;
    default:
      throw Err("tensor '", name, "': unsupported element type");
  }
}

std::string JoinPath(const std::string& dir, const std::string& file) {
  if (dir.empty() || (!file.empty() && file[0] == '/')) return file;
  return dir.back() == '/' ? dir + file : dir + "/" + file;
}

int64_t ParseSize(const std::string& s, const std::string& key, const std::string& name) {
  size_t used = 0;
  long long v = -1;
  try {
    v = std::stoll(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || v < 0)
    throw Err("tensor '", name, "': external data ", key, " '", s, "' is not a valid size");
  return v;
}

}  // namespace

struct ExternalDataFiles::File {
  std::string path;
  int fd = -1;  // closed once mapped (a model may have a file per tensor)
  int64_t size = 0;
  const uint8_t* map = nullptr;  // the whole file, or null where mapping failed

  ~File() {
    if (map) munmap(const_cast<uint8_t*>(map), static_cast<size_t>(size));
    if (fd >= 0) close(fd);
  }
};

std::shared_ptr<const ExternalDataFiles::File> ExternalDataFiles::Open(const std::string& path,
                                                                       const std::string& tensor) {
  auto it = files_.find(path);
  if (it != files_.end()) return it->second;
  auto f = std::make_shared<File>();
  f->path = path;
  f->fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (f->fd < 0 || fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw Err("tensor '", tensor, "': cannot open external data file ", path);
  f->size = st.st_size;
  if (f->size > 0) {
    void* p = mmap(nullptr, static_cast<size_t>(f->size), PROT_READ, MAP_SHARED, f->fd, 0);
    if (p != MAP_FAILED) {
      f->map = static_cast<const uint8_t*>(p);
      close(f->fd);
      f->fd = -1;
    }
  }
  files_[path] = f;
  return f;
}

Tensor ExternalDataFiles::Load(const TensorProto& t, const Type& type) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : t.external_data()) {
    if (kv.key() == "location") location = kv.value();
    if (kv.key() == "offset") offset = ParseSize(kv.value(), "offset", t.name());
    if (kv.key() == "length") length = ParseSize(kv.value(), "length", t.name());
  }
  if (location.empty()) throw Err("tensor '", t.name(), "': external data has no location");
  const size_t expected = type.ByteSize();
  if (length >= 0 && static_cast<size_t>(length) != expected)
    throw Err("tensor '", t.name(), "': external data length ", length, " does not match the ",
              expected, " bytes its shape needs");
  std::shared_ptr<const File> f = Open(JoinPath(base_dir_, location), t.name());
  if (offset > f->size || f->size - offset < static_cast<int64_t>(expected))
    throw Err("tensor '", t.name(), "': external data file ", f->path, " is too short (", f->size,
              " bytes; needs ", expected, " from offset ", offset, ")");
  // Bools are normalised to 0/1 and so copied, like data misaligned for its type.
  if (f->map && type.dtype != DataType::kBool && offset % DataTypeSize(type.dtype) == 0)
    return Tensor(type, f, f->map + offset, expected);
  Tensor r(type);
  uint8_t* dst = r.mutable_bytes();
  if (f->map && expected) std::memcpy(dst, f->map + offset, expected);
  for (size_t done = 0; !f->map && done < expected;) {
    ssize_t n = pread(f->fd, dst + done, expected - done, static_cast<off_t>(offset + done));
    if (n <= 0) throw Err("tensor '", t.name(), "': cannot read external data from ", f->path);
    done += static_cast<size_t>(n);
  }
  if (type.dtype == DataType::kBool)
    for (size_t i = 0; i < expected; ++i) dst[i] = dst[i] != 0;
  return r;
}

namespace {

// The tensor's type, checked.
Type ProtoType(const TensorProto& t) {
  const std::string& name = t.name();
  DataType dt = DataTypeFromOnnx(t.data_type());
  if (IsFourBit(t.data_type()))
    dt = t.data_type() == kOnnxInt4 ? DataType::kInt8 : DataType::kUInt8;
  if (dt == DataType::kInvalid)
    throw Err("unsupported element type ", OnnxTypeName(t.data_type()), " for tensor '", name, "'");
  if (t.has_segment()) throw Err("tensor '", name, "': segmented tensors are not supported");
  Shape shape;
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) throw Err("tensor '", name, "' has a negative dimension ", d);
    if (d > 0 && count > std::numeric_limits<int64_t>::max() / 8 / d)
      throw Err("tensor '", name, "' is too large");
    count *= d;
    shape.push_back(d);
  }
  return Type(dt, shape);
}

// A tensor from raw_data or the typed fields; `take`: t's raw_data may move into it.
Tensor FromFields(const TensorProto& t, const Type& type, TensorProto* take) {
  const std::string& name = t.name();
  const size_t bytes = type.ByteSize();
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != bytes)
      throw Err("tensor '", name, "' of type ", type.ToString(), " has ", raw.size(),
                " bytes of raw data, expected ", bytes);
    if (take && bytes >= kTakeRawDataBytes) {
      auto owner = std::make_shared<std::string>();
      owner->swap(*take->mutable_raw_data());
      if (type.dtype == DataType::kBool)
        for (char& b : *owner) b = b != 0;
      return Tensor(type, owner, reinterpret_cast<const uint8_t*>(owner->data()), bytes);
    }
    std::vector<uint8_t> v(raw.begin(), raw.end());
    if (type.dtype == DataType::kBool)
      for (uint8_t& b : v) b = b != 0;
    return Tensor(type, std::move(v));
  }
  Tensor r(type);
  switch (t.data_type()) {
    case TensorProto::FLOAT:
      CopyTyped(t.float_data(), r, name);
      break;
    case TensorProto::DOUBLE:
      CopyTyped(t.double_data(), r, name);
      break;
    case TensorProto::INT64:
      CopyTyped(t.int64_data(), r, name);
      break;
    case TensorProto::UINT32:
    case TensorProto::UINT64:
      CopyTyped(t.uint64_data(), r, name);
      break;
    default:
      CopyTyped(t.int32_data(), r, name);
      break;  // int8/16/32, uint8/16, bool, float16 and bfloat16 bits
  }
  return r;
}

// t's tensor (`take`: t's raw_data may move into it); 4-bit values are unpacked from the
// bytes that hold two each, the low bits first, sign-extended for INT4.
Tensor ReadTensor(const TensorProto& t, ExternalDataFiles& files, TensorProto* take) {
  const Type type = ProtoType(t);
  const bool external = t.data_location() == TensorProto::EXTERNAL;
  if (!IsFourBit(t.data_type())) return external ? files.Load(t, type) : FromFields(t, type, take);
  const int64_t n = type.NumElements();
  const Type packed(DataType::kUInt8, {(n + 1) / 2});
  const Tensor bytes = external ? files.Load(t, packed) : FromFields(t, packed, nullptr);
  Tensor r(type);
  const bool is_signed = type.dtype == DataType::kInt8;
  for (int64_t i = 0; i < n; ++i) {
    const int v = (bytes.data<uint8_t>()[i / 2] >> (4 * (i % 2))) & 15;
    r.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(is_signed && v >= 8 ? v - 16 : v);
  }
  return r;
}

}  // namespace

Tensor TensorFromProto(const TensorProto& t, const std::string& base_dir) {
  ExternalDataFiles files(base_dir);
  return ReadTensor(t, files, nullptr);
}

Tensor TakeTensorFromProto(TensorProto& t, ExternalDataFiles& files) {
  return ReadTensor(t, files, &t);
}

Tensor LoadTensorProtoFile(const std::string& pb_path, std::string* name) {
  std::ifstream f(pb_path, std::ios::binary);
  if (!f) throw Err(pb_path, ": cannot open the file");
  TensorProto t;
  if (!t.ParseFromIstream(&f) || t.data_type() == TensorProto::UNDEFINED)
    throw Err(pb_path, ": not a valid ONNX TensorProto file");
  size_t slash = pb_path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "" : pb_path.substr(0, slash);
  try {
    Tensor r = TensorFromProto(t, dir);
    if (name) *name = t.name();
    return r;
  } catch (const Error& e) {
    throw Err(pb_path, ": ", e.what());
  }
}

}  // namespace halo
