#include "conformance/test_inputs.h"

#include <onnx/onnx-data_pb.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <set>

#include "conformance/files.h"
#include "conformance/hash.h"
#include "frontends/onnx/onnx_tensor.h"
#include "ir/error.h"

namespace halo::conformance {

std::vector<std::string> BindInputs(const std::vector<std::string>& file_names,
                                    const std::vector<std::string>& model_inputs) {
  std::set<std::string> known(model_inputs.begin(), model_inputs.end());
  std::map<std::string, size_t> fed;
  std::vector<std::string> bound;
  for (size_t n = 0; n < file_names.size(); ++n) {
    std::string name = file_names[n];
    if (name.empty() || !known.count(name)) {
      if (n >= model_inputs.size())
        throw Err("input_", n, ".pb", name.empty() ? "" : " ('" + name + "')",
                  " matches no model input (the model has ", model_inputs.size(), ")");
      name = model_inputs[n];
    }
    auto [it, fresh] = fed.emplace(name, n);
    if (!fresh)
      throw Err("input_", it->second, ".pb and input_", n, ".pb both feed the model input '", name,
                "'");
    bound.push_back(name);
  }
  return bound;
}

namespace {

using Kind = Port::Kind;

std::string DirOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

void ReadSequence(const onnx::SequenceProto& s, const std::string& dir, TestValue& v) {
  if (s.elem_type() != onnx::SequenceProto::TENSOR &&
      s.elem_type() != onnx::SequenceProto::UNDEFINED)
    throw Err("a sequence of other values than tensors (elem_type ", s.elem_type(), ")");
  for (const auto& t : s.tensor_values()) v.tensors.push_back(TensorFromProto(t, dir));
}

// The kind of the named model input, if the name is one.
bool NamesInputOfKind(const std::map<std::string, Kind>& kinds, const std::string& name,
                      Kind kind) {
  auto it = kinds.find(name);
  return it != kinds.end() && it->second == kind;
}

// Adds v, the value of model input `name`, to `data` as the compiler flattens it.
void Flatten(const std::string& name, const TestValue& v, InputData& data) {
  bool sequence =
      v.kind == Kind::kSequence || (v.kind == Kind::kOptional && v.content == Kind::kSequence);
  if (!v.present) {
    data.absent.insert(name);
  } else if (!sequence) {
    data.tensors[name] = v.tensors.at(0);
  } else {
    std::vector<Shape>& shapes = data.sequence_shapes[name];
    for (size_t i = 0; i < v.tensors.size(); ++i) {
      shapes.push_back(v.tensors[i].type().shape);
      data.tensors[name + "." + std::to_string(i)] = v.tensors[i];
    }
  }
}

}  // namespace

TestValue LoadTestValue(const std::string& path, Kind kind) {
  std::string bytes = ReadFileBytes(path);
  std::string dir = DirOf(path);
  TestValue v;
  v.kind = kind;
  if (kind == Kind::kTensor) {
    onnx::TensorProto t;
    if (!t.ParseFromString(bytes) || t.data_type() == onnx::TensorProto::UNDEFINED)
      throw Err("not a valid ONNX TensorProto file");
    v.name = t.name();
    v.tensors.push_back(TensorFromProto(t, dir));
  } else if (kind == Kind::kSequence) {
    onnx::SequenceProto s;
    if (!s.ParseFromString(bytes)) throw Err("not a valid ONNX SequenceProto file");
    v.name = s.name();
    ReadSequence(s, dir, v);
  } else {
    onnx::OptionalProto o;
    if (!o.ParseFromString(bytes)) throw Err("not a valid ONNX OptionalProto file");
    v.name = o.name();
    v.content = o.elem_type() == onnx::OptionalProto::SEQUENCE ? Kind::kSequence : Kind::kTensor;
    if (o.has_tensor_value()) {
      v.content = Kind::kTensor;
      v.tensors.push_back(TensorFromProto(o.tensor_value(), dir));
    } else if (o.has_sequence_value()) {
      v.content = Kind::kSequence;
      ReadSequence(o.sequence_value(), dir, v);
    } else if (o.elem_type() != onnx::OptionalProto::UNDEFINED &&
               o.elem_type() != onnx::OptionalProto::TENSOR &&
               o.elem_type() != onnx::OptionalProto::SEQUENCE) {
      throw Err("an optional of other values than tensors and sequences (elem_type ", o.elem_type(),
                ")");
    } else {
      v.present = false;
    }
  }
  return v;
}

std::string DescribeValue(const TestValue& v) {
  auto sequence = [&] {
    return "a sequence of " + std::to_string(v.tensors.size()) +
           (v.tensors.size() == 1 ? " tensor" : " tensors");
  };
  if (v.kind == Kind::kTensor) return "a tensor";
  if (v.kind == Kind::kSequence) return sequence();
  if (!v.present) return "an empty optional";
  return "an optional holding " + (v.content == Kind::kTensor ? "a tensor" : sequence());
}

InputData LoadInputs(const std::string& dir, const std::vector<std::string>& model_inputs,
                     const std::vector<Kind>& kinds) {
  std::map<std::string, Kind> kind_of;
  for (size_t i = 0; i < model_inputs.size(); ++i)
    kind_of[model_inputs[i]] = i < kinds.size() ? kinds[i] : Kind::kTensor;
  // A file binds by the name its proto holds when that names an input of the proto's
  // kind, else by position (so do files that are no proto at all).
  std::vector<std::string> names, paths;
  for (size_t n = 0;; ++n) {
    std::string path = dir + "/input_" + std::to_string(n) + ".pb";
    if (!std::filesystem::exists(path)) break;
    std::string bytes = ReadFileBytes(path);
    onnx::TensorProto t;
    onnx::SequenceProto s;
    onnx::OptionalProto o;
    std::string name;
    if (t.ParseFromString(bytes) && NamesInputOfKind(kind_of, t.name(), Kind::kTensor))
      name = t.name();
    else if (s.ParseFromString(bytes) && NamesInputOfKind(kind_of, s.name(), Kind::kSequence))
      name = s.name();
    else if (o.ParseFromString(bytes) && NamesInputOfKind(kind_of, o.name(), Kind::kOptional))
      name = o.name();
    names.push_back(name);
    paths.push_back(path);
  }
  std::vector<std::string> bound;
  try {
    bound = BindInputs(names, model_inputs);
  } catch (const Error& e) {
    throw Err(dir, ": ", e.what());
  }
  InputData data;
  for (size_t n = 0; n < bound.size(); ++n) {
    try {
      Flatten(bound[n], LoadTestValue(paths[n], kind_of.at(bound[n])), data);
    } catch (const std::exception& e) {  // Error, or bad_alloc for absurd dimensions
      data.unreadable[bound[n]] = "input_" + std::to_string(n) + ".pb: " + e.what();
    }
  }
  return data;
}

std::string FrozenKey(const std::vector<std::string>& frozen,
                      const std::map<std::string, Tensor>& data) {
  if (frozen.empty()) return "";
  Hasher h;
  for (const std::string& name : frozen) {
    auto it = data.find(name);
    if (it == data.end()) throw Err("the data set has no value for the frozen input '", name, "'");
    const Tensor& t = it->second;
    h.Add(name);
    h.Add(t.type().ToString());
    h.Add(t.bytes(), t.byte_size());
  }
  return h.Hex();
}

std::string StructureKey(const InputData& data) {
  if (data.sequence_shapes.empty() && data.absent.empty()) return "";
  Hasher h;
  for (const auto& kv : data.sequence_shapes) {
    h.Add("sequence " + kv.first + "\n");
    for (const Shape& s : kv.second) h.Add(ShapeToString(s) + "\n");
  }
  for (const auto& name : data.absent) h.Add("absent " + name + "\n");
  return h.Hex();
}

}  // namespace halo::conformance
