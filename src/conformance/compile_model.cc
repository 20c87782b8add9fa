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
  for (size_t i = 0; i < t.model_inputs.size(); ++i) {
    Port::Kind kind = i < t.model_input_kinds.size() ? t.model_input_kinds[i] : Port::Kind::kTensor;
    std::string kind_name = std::string("model_input ") + PortKindName(kind);
    put(kind_name.c_str(), nullptr, &t.model_inputs[i]);
  }
  for (size_t i = 0; i < t.inputs.size(); ++i) put("input", &t.inputs[i], &t.input_names[i]);
  for (const Type& type : t.outputs) put("output", &type, nullptr);
  for (const Port& p : t.output_ports) {
    std::ostringstream port;
    port << "output_port " << PortKindName(p.kind) << ' ' << PortKindName(p.content) << ' '
         << p.present << ' ' << static_cast<int>(p.dtype) << ' ' << p.count;
    put(port.str().c_str(), nullptr, &p.name);
  }
  for (const auto& n : t.frozen) put("frozen", nullptr, &n);
  WriteFileBytes(path, os.str());
}

namespace {

bool ReadPortKind(std::istream& is, Port::Kind& kind) {
  std::string word;
  is >> word;
  for (Port::Kind k : {Port::Kind::kTensor, Port::Kind::kSequence, Port::Kind::kOptional})
    if (word == PortKindName(k)) {
      kind = k;
      return true;
    }
  return false;
}

}  // namespace

ModelTypes ReadModelTypes(const std::string& path) {
  std::istringstream is(ReadFileBytes(path));
  ModelTypes t;
  for (std::string line; std::getline(is, line);) {
    std::istringstream ls(line);
    std::string kind;
    ls >> kind;
    Type type;
    Port port;
    Port::Kind input_kind = Port::Kind::kTensor;
    if (kind == "model_input" && !ReadPortKind(ls, input_kind))
      throw Err(path, ": malformed line '", line, "'");
    if (kind == "output_port") {
      int present, dtype;
      if (!ReadPortKind(ls, port.kind) || !ReadPortKind(ls, port.content) ||
          !(ls >> present >> dtype >> port.count))
        throw Err(path, ": malformed line '", line, "'");
      port.present = present != 0;
      port.dtype = static_cast<DataType>(dtype);
    }
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
    if (kind == "model_input") {
      t.model_inputs.push_back(name);
      t.model_input_kinds.push_back(input_kind);
    } else if (kind == "output_port") {
      port.name = name;
      t.output_ports.push_back(port);
    } else if (kind == "input")
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
  Port::Kind kind;
  onnx::TypeProto type;
};

// The tensor type of a tensor input or of an optional tensor input; of the elements of a
// (maybe optional) sequence input. nullptr for other types.
const onnx::TypeProto* TensorTypeOf(const onnx::TypeProto& t) {
  const onnx::TypeProto* r = &t;
  if (r->has_optional_type()) r = &r->optional_type().elem_type();
  if (r->has_sequence_type()) r = &r->sequence_type().elem_type();
  return r->has_tensor_type() ? r : nullptr;
}

// Whether the tensor type leaves dimensions open.
bool IsOpen(const onnx::TypeProto* t) {
  if (!t || !t->tensor_type().has_shape()) return t != nullptr;
  for (const auto& d : t->tensor_type().shape().dim())
    if (!d.has_dim_value()) return true;
  return false;
}

// Whether `t` has the element type and static dimensions of the tensor type `type`.
bool Fits(const onnx::TypeProto* type, const Tensor& t) {
  if (!type) return false;
  const auto& tt = type->tensor_type();
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
  if (model.size() > 7 && model.compare(model.size() - 7, 7, ".tflite") == 0) {
    std::vector<ModelInput> inputs;  // TFLite inputs: tensors of static shape
    std::unique_ptr<Graph> g = ImportTflite(model, ImportOptions());
    for (size_t i = 0; i < g->num_model_inputs(); ++i)  // not its states
      inputs.push_back({g->inputs()[i]->name(), Port::Kind::kTensor, onnx::TypeProto()});
    return inputs;
  }
  onnx::ModelProto m;
  std::string bytes = ReadFileBytes(model);
  if (!m.ParseFromString(bytes)) throw Err(model, ": not an ONNX model");
  std::set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  std::vector<ModelInput> inputs;
  for (const auto& in : m.graph().input()) {
    if (inits.count(in.name())) continue;
    const auto& type = in.type();
    Port::Kind kind = type.has_sequence_type()   ? Port::Kind::kSequence
                      : type.has_optional_type() ? Port::Kind::kOptional
                                                 : Port::Kind::kTensor;
    inputs.push_back({in.name(), kind, type});
  }
  return inputs;
}

}  // namespace

void CompileModel(const std::string& model, const std::string& data_dir,
                  const std::string& work_dir, bool specialise) {
  ModelTypes types;
  std::vector<ModelInput> model_inputs = ModelInputs(model);
  for (const auto& in : model_inputs) {
    types.model_inputs.push_back(in.name);
    types.model_input_kinds.push_back(in.kind);
  }
  InputData data = LoadInputs(data_dir, types.model_inputs, types.model_input_kinds);
  // The structure of sequences and optionals, and the shapes the model leaves open, are
  // the data's. The candidates are the tensors whose data fits the model's declaration:
  // the runner reports the others (and the frontend the element types HALO lacks).
  ImportOptions opts;
  std::vector<std::string> candidates;  // in model order
  auto offer = [&](const std::string& name, const onnx::TypeProto* type, const Tensor& t) {
    if (!specialise || !Fits(type, t)) return;
    opts.const_inputs[name] = t;
    candidates.push_back(name);
  };
  for (const auto& in : model_inputs) {
    const onnx::TypeProto* tensor_type = TensorTypeOf(in.type);
    if (data.absent.count(in.name)) {
      opts.absent_inputs.insert(in.name);
      continue;
    }
    auto seq = data.sequence_shapes.find(in.name);
    if (seq != data.sequence_shapes.end()) {
      opts.sequence_shapes[in.name] = seq->second;
      for (size_t i = 0; i < seq->second.size(); ++i) {
        std::string name = in.name + "." + std::to_string(i);
        offer(name, tensor_type, data.tensors.at(name));
      }
      continue;
    }
    auto it = data.tensors.find(in.name);
    if (it == data.tensors.end()) continue;
    if (IsOpen(tensor_type)) opts.input_shapes[in.name] = it->second.type().shape;
    offer(in.name, tensor_type, it->second);
  }
  opts.auto_const_inputs = true;
  std::unique_ptr<Graph> g = LoadModel({model}, opts);
  EmitOptions emit;
  emit.output_cc = work_dir + "/" + kModelName + ".cc";
  emit.entry_func_name = kEntryName;
  emit.model_path = model;
  EmitCpp(*g, emit);
  std::set<std::string> runtime;
  for (size_t i = 0; i < g->num_model_inputs(); ++i) {  // the states stay in the model
    const Value* v = g->inputs()[i];
    types.input_names.push_back(v->name());
    types.inputs.push_back(v->type());
    runtime.insert(v->name());
  }
  for (size_t i = 0; i < g->num_model_outputs(); ++i)
    types.outputs.push_back(g->outputs()[i]->type());
  types.output_ports = g->output_ports();
  for (const auto& name : candidates)
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
