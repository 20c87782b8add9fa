#include "conformance/test_inputs.h"

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

InputData LoadInputs(const std::string& dir, const std::vector<std::string>& model_inputs) {
  // Files that are no TensorProto (the sequences and optionals of some tests) bind by
  // position and are unreadable.
  std::vector<std::string> names, bad;
  std::vector<onnx::TensorProto> protos;
  for (size_t n = 0;; ++n) {
    std::string path = dir + "/input_" + std::to_string(n) + ".pb";
    if (!std::filesystem::exists(path)) break;
    protos.emplace_back();
    bool ok = protos.back().ParseFromString(ReadFileBytes(path)) &&
              protos.back().data_type() != onnx::TensorProto::UNDEFINED;
    bad.push_back(ok ? "" : "not a valid ONNX TensorProto file");
    names.push_back(ok ? protos.back().name() : "");
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
      if (!bad[n].empty()) throw Err(bad[n]);
      data.tensors[bound[n]] = TensorFromProto(protos[n], dir);
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

}  // namespace halo::conformance
