#include "conformance/compile_model.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <set>
#include <sstream>

#include "conformance/files.h"
#include "conformance/test_inputs.h"
#include "driver/driver.h"
#include "frontends/onnx/onnx_tensor.h"
#include "ir/error.h"
#include "targets/cpp_emitter.h"

namespace halo::conformance {

void WriteModelTypes(const std::string& path, const ModelTypes& t) {
  if (t.input_names.size() != t.inputs.size()) throw Err("input names and types differ in number");
  std::ostringstream os;
  // One line each: the kind, for inputs and outputs the type (a data-dependent dimension
  // as "<=BOUND"), then the name if any.
  auto put = [&](const char* kind, const Type* type, const std::string* name) {
    os << kind;
    if (type) {
      os << ' ' << static_cast<int>(type->dtype) << ' ' << type->shape.size();
      for (int i = 0; i < type->Rank(); ++i)
        os << ' ' << (type->IsDynamicDim(i) ? "<=" : "") << type->shape[i];
    }
    if (name) {
      if (name->find_first_of("\n\r") != std::string::npos)
        throw Err("the name '", *name, "' holds a line break");
      os << ' ' << *name;
    }
    os << '\n';
  };
  for (const auto& n : t.model_inputs) put("model_input", nullptr, &n);
  for (size_t i = 0; i < t.inputs.size(); ++i) put("input", &t.inputs[i], &t.input_names[i]);
  for (const Type& type : t.outputs) put("output", &type, nullptr);
  for (const auto& n : t.frozen) put("frozen", nullptr, &n);
  WriteFileBytes(path, os.str());
}

ModelTypes ReadModelTypes(const std::string& path) {
  std::istringstream is(ReadFileBytes(path));
  ModelTypes t;
  for (std::string line; std::getline(is, line);) {
    std::istringstream ls(line);
    std::string kind;
    ls >> kind;
    Type type;
    if (kind == "input" || kind == "output") {
      int dtype;
      size_t rank;
      if (!(ls >> dtype >> rank) || rank > 32) throw Err(path, ": malformed line '", line, "'");
      Shape shape(rank);
      uint32_t dynamic = 0;
      for (size_t i = 0; i < rank; ++i) {
        ls >> std::ws;
        if (ls.peek() == '<') {  // "<=BOUND"
          ls.ignore(2);
          dynamic |= uint32_t{1} << i;
        }
        ls >> shape[i];
      }
      if (!ls) throw Err(path, ": malformed line '", line, "'");
      type = Type(static_cast<DataType>(dtype), shape);
      type.dynamic = dynamic;
    }
    // A name is the rest of the line after one space.
    std::string name;
    if (ls.get() == ' ') std::getline(ls, name);
    if (kind == "model_input")
      t.model_inputs.push_back(name);
    else if (kind == "input")
      t.inputs.push_back(type), t.input_names.push_back(name);
    else if (kind == "output")
      t.outputs.push_back(type);
    else if (kind == "frozen")
      t.frozen.push_back(name);
    else
      throw Err(path, ": malformed line '", line, "'");
  }
  return t;
}

namespace {

struct ModelInput {
  std::string name;
  bool open;  // its shape is not fully static
  onnx::TypeProto type;
};

// Whether `t` has the element type and static dimensions the model declares for `in`.
bool Fits(const ModelInput& in, const Tensor& t) {
  if (!in.type.has_tensor_type()) return false;
  const auto& tt = in.type.tensor_type();
  if (DataTypeFromOnnx(tt.elem_type()) != t.type().dtype) return false;
  if (!tt.has_shape()) return true;
  if (tt.shape().dim_size() != t.type().Rank()) return false;
  for (int i = 0; i < tt.shape().dim_size(); ++i)
    if (tt.shape().dim(i).has_dim_value() && tt.shape().dim(i).dim_value() != t.type().shape[i])
      return false;
  return true;
}

// The model's real inputs (not initializers), in order.
std::vector<ModelInput> ModelInputs(const std::string& model) {
  onnx::ModelProto m;
  std::string bytes = ReadFileBytes(model);
  if (!m.ParseFromString(bytes)) throw Err(model, ": not an ONNX model");
  std::set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  std::vector<ModelInput> inputs;
  for (const auto& in : m.graph().input()) {
    if (inits.count(in.name())) continue;
    const auto& type = in.type();
    bool is_static = !type.has_tensor_type() || type.tensor_type().has_shape();
    if (is_static && type.has_tensor_type())
      for (const auto& d : type.tensor_type().shape().dim()) is_static &= d.has_dim_value();
    inputs.push_back({in.name(), !is_static, type});
  }
  return inputs;
}

}  // namespace

void CompileModel(const std::string& model, const std::string& data_dir,
                  const std::string& work_dir, bool specialise) {
  ModelTypes types;
  std::vector<ModelInput> model_inputs = ModelInputs(model);
  for (const auto& in : model_inputs) types.model_inputs.push_back(in.name);
  std::map<std::string, Tensor> data = LoadInputs(data_dir, types.model_inputs).tensors;
  // The candidates are the inputs whose data fits the model's declaration: the runner
  // reports the others (and the frontend the element types HALO lacks).
  ImportOptions opts;
  for (const auto& in : model_inputs) {
    auto it = data.find(in.name);
    if (it == data.end()) continue;
    if (in.open) opts.input_shapes[in.name] = it->second.type().shape;
    if (specialise && Fits(in, it->second)) opts.const_inputs[in.name] = it->second;
  }
  opts.auto_const_inputs = true;
  std::unique_ptr<Graph> g = LoadModel({model}, opts);
  EmitOptions emit;
  emit.output_cc = work_dir + "/" + kModelName + ".cc";
  emit.entry_func_name = kEntryName;
  emit.model_path = model;
  EmitCpp(*g, emit);
  std::set<std::string> runtime;
  for (const Value* v : g->inputs()) {
    types.input_names.push_back(v->name());
    types.inputs.push_back(v->type());
    runtime.insert(v->name());
  }
  for (const Value* v : g->outputs()) types.outputs.push_back(v->type());
  for (const auto& name : types.model_inputs)
    if (!runtime.count(name)) types.frozen.push_back(name);
  WriteFileBytes(work_dir + "/" + kHarnessName, HarnessSource(types));
  WriteModelTypes(work_dir + "/" + kMetaName, types);
}

std::string HarnessSource(const ModelTypes& t) {
  std::ostringstream os;
  os << "// Generated by halo-conformance: runs " << kEntryName
     << " once on raw files.\n"
        "#include <stdio.h>\n"
        "#include <stdlib.h>\n\n"
        "#include \""
     << kModelName
     << ".h\"\n\n"
        "[[maybe_unused]] static char* Path(const char* dir, const char* kind, int i) {\n"
        "  static char path[4096];\n"
        "  snprintf(path, sizeof(path), \"%s/%s_%d.bin\", dir, kind, i);\n"
        "  return path;\n"
        "}\n\n"
        "[[maybe_unused]] static void* Load(const char* dir, int i, size_t bytes) {\n"
        "  void* p = malloc(bytes + 1);\n"
        "  FILE* f = fopen(Path(dir, \"input\", i), \"rb\");\n"
        "  if (!p || !f || fread(p, 1, bytes + 1, f) != bytes) {\n"
        "    fprintf(stderr, \"harness: cannot read %zu bytes from %s\\n\", bytes,\n"
        "            Path(dir, \"input\", i));\n"
        "    exit(2);\n"
        "  }\n"
        "  fclose(f);\n"
        "  return p;\n"
        "}\n\n"
        "[[maybe_unused]] static void Store(const char* dir, const char* kind, int i,\n"
        "                                   const void* p, size_t bytes) {\n"
        "  FILE* f = fopen(Path(dir, kind, i), \"wb\");\n"
        "  if (!f || fwrite(p, 1, bytes, f) != bytes || fclose(f) != 0) {\n"
        "    fprintf(stderr, \"harness: cannot write %s\\n\", Path(dir, kind, i));\n"
        "    exit(2);\n"
        "  }\n"
        "}\n\n"
        "int main(int argc, char** argv) {\n"
        "  if (argc != 2) {\n"
        "    fprintf(stderr, \"usage: %s DIR\\n\", argv[0]);\n"
        "    return 2;\n"
        "  }\n"
        "  const char* dir = argv[1];\n";
  for (size_t i = 0; i < t.inputs.size(); ++i)
    os << "  const " << DataTypeCName(t.inputs[i].dtype) << "* in" << i << " = static_cast<const "
       << DataTypeCName(t.inputs[i].dtype) << "*>(Load(dir, " << i << ", " << t.inputs[i].ByteSize()
       << "u));\n";
  for (size_t i = 0; i < t.outputs.size(); ++i) {
    os << "  " << DataTypeCName(t.outputs[i].dtype) << "* out" << i << " = static_cast<"
       << DataTypeCName(t.outputs[i].dtype) << "*>(calloc(1, " << t.outputs[i].ByteSize()
       << "u + 1));\n";
    if (t.outputs[i].HasDynamicDims())  // the entry function tells its actual shape
      os << "  int64_t out" << i << "_shape[" << t.outputs[i].Rank() << "] = {0};\n";
  }
  os << "  int status = " << kEntryName << "(";
  const char* sep = "";
  for (size_t i = 0; i < t.inputs.size(); ++i, sep = ", ") os << sep << "in" << i;
  for (size_t i = 0; i < t.outputs.size(); ++i, sep = ", ") {
    os << sep << "out" << i;
    if (t.outputs[i].HasDynamicDims()) os << ", out" << i << "_shape";
  }
  os << ");\n"
        "  if (status != 0) {\n"
        "    fprintf(stderr, \"harness: "
     << kEntryName
     << " returned %d\\n\", status);\n"
        "    return 1;\n"
        "  }\n";
  for (size_t i = 0; i < t.outputs.size(); ++i) {
    const Type& type = t.outputs[i];
    if (!type.HasDynamicDims()) {
      os << "  Store(dir, \"output\", " << i << ", out" << i << ", " << type.ByteSize() << "u);\n";
      continue;
    }
    // The actual elements, and the shape as int64 values in output_shape_N.bin.
    os << "  size_t out" << i << "_bytes = " << DataTypeSize(type.dtype) << ";\n";
    for (int d = 0; d < type.Rank(); ++d)
      os << "  out" << i << "_bytes *= static_cast<size_t>(out" << i << "_shape[" << d << "]);\n";
    os << "  Store(dir, \"output\", " << i << ", out" << i << ", out" << i << "_bytes);\n"
       << "  Store(dir, \"output_shape\", " << i << ", out" << i << "_shape, sizeof(out" << i
       << "_shape));\n";
  }
  os << "  return 0;\n}\n";
  return os.str();
}

}  // namespace halo::conformance
