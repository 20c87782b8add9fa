// Reading a .tflite file: the flatbuffers verifier first, then checked access to operator
// codes, buffers and tensors.
#include "frontends/tflite/tflite_model.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "ir/error.h"

namespace halo::tflite_fe {

ModelFile::ModelFile(const std::string& path) : path_(path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Err(path, ": cannot open the file");
  data_.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  if (data_.size() < 8 ||
      !flatbuffers::BufferHasIdentifier(data_.data(), tflite::ModelIdentifier()))
    throw Err(path, ": not a TFLite model (no 'TFL3' flatbuffer identifier)");
  // Tables nest a few levels deep; the limits only bound the verifier's own work.
  flatbuffers::Verifier::Options vo;
  vo.max_depth = 128;
  vo.max_tables = 100000000;
  flatbuffers::Verifier v(data_.data(), data_.size(), vo);
  if (!tflite::VerifyModelBuffer(v))
    throw Err(path, ": the TFLite flatbuffer is malformed (truncated or corrupt; the ",
              "flatbuffers verifier rejects it)");
  model_ = tflite::GetModel(data_.data());
  if (model_->version() != 3)
    throw Err(path, ": TFLite schema version ", model_->version(), " is not supported (3 is)");
  if (!model_->subgraphs() || model_->subgraphs()->size() == 0)
    throw Err(path, ": the model has no subgraphs");
}

int ModelFile::BuiltinCode(uint32_t opcode_index) const {
  const auto* codes = model_->operator_codes();
  if (!codes || opcode_index >= codes->size())
    throw Err("operator code index ", opcode_index, " is out of range (the model has ",
              codes ? codes->size() : 0, " operator codes)");
  const tflite::OperatorCode* c = codes->Get(opcode_index);
  // Before schema 3a only the byte field existed; newer writers fill both.
  int code = std::max<int>(c->deprecated_builtin_code(), static_cast<int>(c->builtin_code()));
  if (code < 0 || code > static_cast<int>(tflite::BuiltinOperator::MAX))
    throw Err("builtin operator code ", code, " is out of range (known: 0 to ",
              static_cast<int>(tflite::BuiltinOperator::MAX), ")");
  return code;
}

std::string ModelFile::CustomCode(uint32_t opcode_index) const {
  if (BuiltinCode(opcode_index) != static_cast<int>(tflite::BuiltinOperator::CUSTOM)) return "";
  const auto* s = model_->operator_codes()->Get(opcode_index)->custom_code();
  return s ? s->str() : "";
}

std::string ModelFile::OpName(uint32_t opcode_index) const {
  int code = BuiltinCode(opcode_index);
  if (code == static_cast<int>(tflite::BuiltinOperator::CUSTOM))
    return "CUSTOM(" + CustomCode(opcode_index) + ")";
  return BuiltinName(code);
}

std::pair<const uint8_t*, size_t> ModelFile::BufferData(uint32_t index) const {
  const auto* buffers = model_->buffers();
  if (!buffers || index >= buffers->size())
    throw Err("buffer index ", index, " is out of range (the model has ",
              buffers ? buffers->size() : 0, " buffers)");
  const tflite::Buffer* b = buffers->Get(index);
  if (b->offset() > 1) {  // data stored after the flatbuffer (models over 2 GB)
    if (b->offset() > data_.size() || b->size() > data_.size() - b->offset())
      throw Err("buffer ", index, " lies outside the file (offset ", b->offset(), ", size ",
                b->size(), ", file size ", data_.size(), ")");
    return {data_.data() + b->offset(), b->size()};
  }
  if (!b->data() || b->data()->size() == 0) return {nullptr, 0};
  return {b->data()->data(), b->data()->size()};
}

std::string BuiltinName(int code) {
  if (code >= 0 && code <= static_cast<int>(tflite::BuiltinOperator::MAX)) {
    const char* n = tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code));
    if (n && *n) return n;
  }
  return "BUILTIN_" + std::to_string(code);
}

DataType ToDataType(tflite::TensorType t) {
  using T = tflite::TensorType;
  switch (t) {
    case T::FLOAT32:
      return DataType::kFloat32;
    case T::FLOAT16:
      return DataType::kFloat16;
    case T::FLOAT64:
      return DataType::kFloat64;
    case T::INT8:
      return DataType::kInt8;
    case T::UINT8:
      return DataType::kUInt8;
    case T::INT16:
      return DataType::kInt16;
    case T::UINT16:
      return DataType::kUInt16;
    case T::INT32:
      return DataType::kInt32;
    case T::UINT32:
      return DataType::kUInt32;
    case T::INT64:
      return DataType::kInt64;
    case T::UINT64:
      return DataType::kUInt64;
    case T::BOOL:
      return DataType::kBool;
    default:
      return DataType::kInvalid;
  }
}

const char* TensorTypeName(tflite::TensorType t) {
  const char* n = tflite::EnumNameTensorType(t);
  return n && *n ? n : "UNKNOWN_TYPE";
}

TensorView::TensorView(const ModelFile& file, const tflite::SubGraph& sg)
    : file_(file), tensors_(sg.tensors()) {
  constants_.resize(size());
  constant_read_.assign(size(), false);
}

const tflite::Tensor& TensorView::at(int i) const {
  if (i < 0 || static_cast<size_t>(i) >= size())
    throw Err("tensor index ", i, " is out of range (the subgraph has ", size(), " tensors)");
  return *tensors_->Get(static_cast<flatbuffers::uoffset_t>(i));
}

std::string TensorView::Name(int i) const {
  const auto* n = at(i).name();
  return n && n->size() ? n->str() : "#" + std::to_string(i);
}

DataType TensorView::Dtype(int i) const {
  DataType d = ToDataType(RawType(i));
  if (d == DataType::kInvalid)
    throw Err("tensor '", Name(i), "' has element type ", TensorTypeName(RawType(i)),
              ", which HALO does not support");
  return d;
}

Shape TensorView::GetShape(int i) const {
  Shape s;
  int64_t elements = 1;
  if (const auto* sh = at(i).shape())
    for (int32_t d : *sh) {
      if (d < 0) throw Err("tensor '", Name(i), "' has a negative dimension ", d, " in its shape");
      s.push_back(d);
      const int64_t cap = int64_t{1} << 40;  // elements, capped without overflow
      elements = d == 0 ? 0 : elements > cap / d ? cap : elements * d;
    }
  if (elements >= (int64_t{1} << 40))
    throw Err("tensor '", Name(i), "' of shape ", ShapeToString(s), " is too large");
  return s;
}

QuantParams TensorView::Quant(int i) const {
  QuantParams q;
  const tflite::QuantizationParameters* p = at(i).quantization();
  if (!p) return q;
  if (p->scale()) q.scale.assign(p->scale()->begin(), p->scale()->end());
  if (p->zero_point()) q.zero_point.assign(p->zero_point()->begin(), p->zero_point()->end());
  q.quantized_dimension = p->quantized_dimension();
  return q;
}

void TensorView::CheckBuffers() const {
  for (size_t k = 0; k < size(); ++k) {
    int i = static_cast<int>(k);
    const tflite::Tensor& t = at(i);
    std::pair<const uint8_t*, size_t> data;
    try {
      data = file_.BufferData(t.buffer());
    } catch (const Error& e) {
      throw Err("tensor '", Name(i), "': ", e.what());
    }
    DataType d = ToDataType(t.type());
    if (!data.first || t.sparsity() || d == DataType::kInvalid) continue;
    Type type(d, GetShape(i));
    if (data.second != type.ByteSize())
      throw Err("tensor '", Name(i), "' of type ", type.ToString(), " needs ", type.ByteSize(),
                " bytes, but its buffer ", t.buffer(), " holds ", data.second);
  }
}

const Tensor* TensorView::Constant(int i) const {
  const tflite::Tensor& t = at(i);
  if (constant_read_[i]) return constants_[i].get();
  constant_read_[i] = true;
  std::pair<const uint8_t*, size_t> data;
  try {
    data = file_.BufferData(t.buffer());
  } catch (const Error& e) {
    throw Err("tensor '", Name(i), "': ", e.what());
  }
  if (!data.first) return nullptr;
  Type type(Dtype(i), GetShape(i));
  if (t.sparsity()) {
    constants_[i] = std::make_unique<Tensor>(
        Densify(*t.sparsity(), type.dtype, type.shape, data.first, data.second));
    return constants_[i].get();
  }
  if (data.second != type.ByteSize())
    throw Err("tensor '", Name(i), "' of type ", type.ToString(), " needs ", type.ByteSize(),
              " bytes, but its buffer ", t.buffer(), " holds ", data.second);
  constants_[i] =
      std::make_unique<Tensor>(type, std::vector<uint8_t>(data.first, data.first + data.second));
  return constants_[i].get();
}

}  // namespace halo::tflite_fe
