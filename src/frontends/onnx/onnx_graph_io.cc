// A graph's inputs and outputs: tensors, and ONNX sequences and optionals flattened into
// tensors with the structure that ImportOptions fixes (Port in ir/graph.h).
#include <sstream>

#include "frontends/frontend.h"
#include "frontends/onnx/onnx_importer.h"
#include "frontends/onnx/onnx_tensor.h"

namespace halo::onnx_fe {
namespace {

using Kind = OnnxValue::Kind;

std::string DimsToString(const onnx::TensorShapeProto& s) {
  if (s.dim_size() == 0) return "scalar";
  std::ostringstream os;
  for (int i = 0; i < s.dim_size(); ++i) {
    const auto& d = s.dim(i);
    os << (i ? "x" : "");
    if (d.has_dim_value() && d.dim_value() >= 0)
      os << d.dim_value();
    else
      os << (d.has_dim_param() && !d.dim_param().empty() ? d.dim_param() : "?");
  }
  return os.str();
}

std::string NameList(const std::set<std::string>& names) {
  std::string r;
  for (const auto& n : names) r += (r.empty() ? "" : ", ") + n;
  return r.empty() ? "none" : r;
}

std::string ShapesToString(const std::vector<Shape>& shapes) {
  std::string r = "[";
  for (size_t i = 0; i < shapes.size(); ++i) r += (i ? "," : "") + ShapeToString(shapes[i]);
  return r + "]";
}

// What an ONNX type is, for messages: "tensor", "sequence", "optional", "map"...
std::string KindNoun(const onnx::TypeProto& t) {
  switch (t.value_case()) {
    case onnx::TypeProto::kTensorType:
      return "tensor";
    case onnx::TypeProto::kSequenceType:
      return "sequence";
    case onnx::TypeProto::kOptionalType:
      return "optional";
    case onnx::TypeProto::kMapType:
      return "map";
    case onnx::TypeProto::kSparseTensorType:
      return "sparse tensor";
    default:
      return "value of no type";
  }
}

// "a tensor", "an optional", ...
std::string KindOf(const onnx::TypeProto& t) {
  std::string noun = KindNoun(t);
  return (noun[0] == 'o' ? "an " : "a ") + noun;
}

// One tensor that a graph input takes: the input itself, an optional's tensor or a
// sequence's element.
struct InputTensor {
  std::string name;   // of the graph input: NAME, or NAME.i for an element
  std::string label;  // "input 'x'", "element 1 of input 'x'"
  const onnx::TypeProto::Tensor* type;
  const Shape* user;  // the shape the user gives, or nullptr
  std::string given;  // the user's statement, "--input-shape x:2x3"
};

// The static type of an input tensor, completed from the user's shape and batch size.
Type InputType(const std::string& path, const InputTensor& in, const ImportOptions& opts) {
  const auto& tt = *in.type;
  DataType dt = DataTypeFromOnnx(tt.elem_type());
  if (dt == DataType::kInvalid)
    throw Err(path, ": unsupported element type ", OnnxTypeName(tt.elem_type()), " for ", in.label);
  Shape u;  // the user's shape, its first dimension the batch size where it is N (-1)
  if (in.user) {
    u = *in.user;
    if (!u.empty() && u[0] == -1 && opts.batch_size <= 0)
      throw Err(path, ": ", in.given, " leaves the batch size N open; give it with ",
                "--batch-size N or at run time with --dynamic-batch");
    if (!u.empty() && u[0] == -1) u[0] = opts.batch_size;
    for (int64_t d : u)
      if (d < 0) throw Err(path, ": ", in.given, " has a negative dimension");
  }
  if (!tt.has_shape()) {
    if (in.user) return Type(dt, u);
    throw Err(path, ": ", in.label, " has no shape in the model; give it with --input-shape ",
              in.name, ":AxBxC");
  }
  const auto& s = tt.shape();
  Shape shape;
  for (const auto& d : s.dim()) shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
  if (in.user) {
    bool ok = u.size() == shape.size();
    for (size_t i = 0; ok && i < u.size(); ++i) ok = shape[i] < 0 || shape[i] == u[i];
    if (!ok)
      throw Err(path, ": ", in.given, " does not match the model's shape ", DimsToString(s),
                " for ", in.label);
    return Type(dt, u);
  }
  if (!shape.empty() && shape[0] < 0 && opts.batch_size > 0) shape[0] = opts.batch_size;
  for (int64_t d : shape)
    if (d < 0)
      throw Err(path, ": ", in.label, " has an unknown dimension (shape ", DimsToString(s),
                " in the model); give its shape with --input-shape ", in.name, ":AxBxC",
                shape[0] < 0
                    ? " or the batch size with --batch-size N (--dynamic-batch: at run time)"
                    : "");
  return Type(dt, shape);
}

// The value of an input tensor fixed by ImportOptions::const_inputs, checked against the
// model's declaration and the user's shape.
Tensor ConstInput(const std::string& path, const InputTensor& in, const Tensor& t) {
  const auto& tt = *in.type;
  DataType dt = DataTypeFromOnnx(tt.elem_type());
  bool ok = dt == t.type().dtype;
  if (tt.has_shape()) {
    const auto& s = tt.shape();
    ok &= s.dim_size() == t.type().Rank();
    for (int i = 0; ok && i < s.dim_size(); ++i)
      ok &= !s.dim(i).has_dim_value() || s.dim(i).dim_value() == t.type().shape[i];
  }
  if (!ok)
    throw Err(path, ": constant input '", in.name, "' is ", t.type().ToString(),
              "; the model declares ",
              dt == DataType::kInvalid ? OnnxTypeName(tt.elem_type()) : DataTypeName(dt),
              !tt.has_shape()              ? " (any shape)"
              : tt.shape().dim_size() == 0 ? "[]"
                                           : "[" + DimsToString(tt.shape()) + "]");
  if (in.user && *in.user != t.type().shape)
    throw Err(path, ": constant input '", in.name, "' is ", t.type().ToString(),
              " but --input-shape gives ", ShapeToString(*in.user));
  return t;
}

class InputBuilder {
 public:
  InputBuilder(Importer& im, const std::string& path, const ImportOptions& opts)
      : im_(im), path_(path), opts_(opts) {}

  // The value of graph input vi, and its port.
  OnnxValue Build(const onnx::ValueInfoProto& vi, Port& port) {
    const std::string& name = vi.name();
    const onnx::TypeProto& t = vi.type();
    port.name = name;
    if (t.has_tensor_type()) {
      port.kind = Kind::kTensor;
      return OnnxValue::OfTensor(AddTensor(port, TensorOf(name, "input '" + name + "'", t)));
    }
    if (t.has_sequence_type()) {
      port.kind = Kind::kSequence;
      return Sequence(name, t.sequence_type().elem_type(), port);
    }
    if (!t.has_optional_type())
      throw Err(path_, ": input '", name, "' is ", KindOf(t),
                " (HALO takes tensor, sequence and optional inputs)");
    port.kind = Kind::kOptional;
    const onnx::TypeProto& e = t.optional_type().elem_type();
    if (!e.has_tensor_type() && !e.has_sequence_type())
      throw Err(path_, ": input '", name, "' is an optional holding ", KindOf(e),
                " (HALO takes optional tensors and sequences)");
    port.content = e.has_tensor_type() ? Kind::kTensor : Kind::kSequence;
    if (opts_.absent_inputs.count(name)) {
      port.present = false;
      port.count = 0;
      port.dtype = DataTypeFromOnnx(e.has_tensor_type() ? e.tensor_type().elem_type()
                                                        : ElementType(e.sequence_type()));
      return OnnxValue::EmptyOptional(port.content, port.dtype);
    }
    if (e.has_tensor_type())
      return OnnxValue::OfOptional(
          OnnxValue::OfTensor(AddTensor(port, TensorOf(name, "optional input '" + name + "'", e))));
    return OnnxValue::OfOptional(Sequence(name, e.sequence_type().elem_type(), port));
  }

  // The const_inputs that named no input tensor.
  std::set<std::string> UnusedConstants() const {
    std::set<std::string> r;
    for (const auto& kv : opts_.const_inputs)
      if (!const_used_.count(kv.first)) r.insert(kv.first);
    return r;
  }

 private:
  static int32_t ElementType(const onnx::TypeProto::Sequence& s) {
    return s.elem_type().has_tensor_type() ? s.elem_type().tensor_type().elem_type() : 0;
  }

  InputTensor TensorOf(const std::string& name, const std::string& label,
                       const onnx::TypeProto& t) {
    auto user = opts_.input_shapes.find(name);
    InputTensor in{name, label, &t.tensor_type(), nullptr, ""};
    if (user != opts_.input_shapes.end()) {
      in.user = &user->second;
      std::string dims = ShapeToString(user->second);  // "N" for a first dimension of -1
      if (!user->second.empty() && user->second[0] == -1) dims = "N" + dims.substr(2);
      in.given = "--input-shape " + name + ":" + dims;
    }
    return in;
  }

  // A graph input, or a constant for const_inputs (the port then does not count it).
  Value* AddTensor(Port& port, const InputTensor& in) {
    Graph& g = im_.graph();
    Value* v;
    auto c = opts_.const_inputs.find(in.name);
    if (c != opts_.const_inputs.end()) {
      const_used_.insert(in.name);
      v = g.AddConstant(im_.NewNodeName(in.name), ConstInput(path_, in, c->second));
      --port.count;
    } else {
      v = g.AddInput(im_.NewNodeName(in.name), InputType(path_, in, opts_));
    }
    v->set_name(in.name);
    port.dtype = v->type().dtype;
    return v;
  }

  OnnxValue Sequence(const std::string& name, const onnx::TypeProto& elem, Port& port) {
    if (!elem.has_tensor_type())
      throw Err(path_, ": input '", name, "' is a sequence of ", KindNoun(elem), " elements",
                " (HALO takes sequences of tensors)");
    auto shapes = opts_.sequence_shapes.find(name);
    if (shapes == opts_.sequence_shapes.end())
      throw Err(path_, ": input '", name, "' is a sequence; give its length and element ",
                "shapes with --input-shape ", name, ":[AxB,CxD] ([] for an empty one)");
    std::string given = "--input-shape " + name + ":" + ShapesToString(shapes->second);
    port.dtype = DataTypeFromOnnx(elem.tensor_type().elem_type());
    port.count = shapes->second.size();
    std::vector<Value*> elements;
    for (size_t i = 0; i < shapes->second.size(); ++i) {
      std::string n = name + "." + std::to_string(i);
      if (im_.IsTensorName(n))
        throw Err(path_, ": element ", i, " of sequence input '", name, "' would be the input '", n,
                  "', but the model has a tensor of that name");
      InputTensor in{n, "element " + std::to_string(i) + " of input '" + name + "'",
                     &elem.tensor_type(), &shapes->second[i], given};
      elements.push_back(AddTensor(port, in));
      im_.ReserveTensorName(n);
    }
    return OnnxValue::OfSequence(std::move(elements), port.dtype);
  }

  Importer& im_;
  const std::string& path_;
  const ImportOptions& opts_;
  std::set<std::string> const_used_;
};

// Checks that the structures ImportOptions gives name inputs of the right kinds.
void CheckStructures(const std::string& path,
                     const std::map<std::string, const onnx::TypeProto*>& inputs,
                     const ImportOptions& opts) {
  std::set<std::string> names;
  for (const auto& kv : inputs) names.insert(kv.first);
  auto type_of = [&](const std::string& name, const std::string& given) {
    auto it = inputs.find(name);
    if (it == inputs.end())
      throw Err(path, ": ", given, " names '", name, "', which is not an input of the model ",
                "(inputs: ", NameList(names), ")");
    return it->second;
  };
  for (const auto& kv : opts.input_shapes) {
    std::string given = "--input-shape " + kv.first + ":" + ShapeToString(kv.second);
    const onnx::TypeProto* t = type_of(kv.first, "--input-shape");
    if (t->has_sequence_type() ||
        (t->has_optional_type() && t->optional_type().elem_type().has_sequence_type()))
      throw Err(path, ": ", given, ": input '", kv.first, "' is ",
                t->has_sequence_type() ? "a sequence" : "an optional sequence",
                "; give its elements' shapes as ", kv.first, ":[AxB,CxD]");
  }
  for (const auto& kv : opts.sequence_shapes) {
    std::string given = "--input-shape " + kv.first + ":" + ShapesToString(kv.second);
    const onnx::TypeProto* t = type_of(kv.first, "--input-shape");
    if (!t->has_sequence_type() &&
        !(t->has_optional_type() && t->optional_type().elem_type().has_sequence_type()))
      throw Err(path, ": ", given, ": input '", kv.first, "' is ", KindOf(*t), ", not a sequence");
    if (opts.input_shapes.count(kv.first) || opts.absent_inputs.count(kv.first))
      throw Err(path, ": input '", kv.first, "' is given two structures");
  }
  for (const auto& name : opts.absent_inputs) {
    const onnx::TypeProto* t = type_of(name, "--input-shape");
    if (!t->has_optional_type())
      throw Err(path, ": --input-shape ", name, ":none: input '", name, "' is ", KindOf(*t),
                ", not an optional");
    if (opts.input_shapes.count(name))
      throw Err(path, ": input '", name, "' is given two structures");
  }
}

// A graph output for `v` named `name`: v itself when it has that name, else an Identity
// of it (a sequence's element, or a tensor another name already holds).
Value* NamedOutput(Importer& im, const std::string& name, Value* v) {
  if (v->name() == name) return v;
  Node* n = im.graph().AddNode("Identity", im.NewNodeName(name), {v});
  n->output()->set_name(name);
  return n->output();
}

}  // namespace

std::vector<Port> ImportInputs(Importer& im, const std::string& path, const onnx::GraphProto& gp,
                               const Weights& weights, const ImportOptions& opts) {
  Graph& g = im.graph();
  std::set<std::string> initializer_names;
  for (const auto& t : gp.initializer()) initializer_names.insert(t.name());
  std::map<std::string, const onnx::TypeProto*> inputs;
  for (const auto& vi : gp.input())
    if (!initializer_names.count(vi.name())) inputs[vi.name()] = &vi.type();
  CheckStructures(path, inputs, opts);
  InputBuilder builder(im, path, opts);
  std::vector<Port> ports;
  for (const auto& vi : gp.input()) {
    if (initializer_names.count(vi.name())) continue;
    ports.emplace_back();
    im.BindValue(vi.name(), builder.Build(vi, ports.back()));
  }
  std::set<std::string> unused = builder.UnusedConstants();
  if (!unused.empty()) {
    std::set<std::string> names;
    for (const auto& kv : inputs) names.insert(kv.first);
    throw Err(path, ": constant input '", *unused.begin(),
              "' is not an input of the model (inputs: ", NameList(names), ")");
  }
  for (int i = 0; i < gp.initializer_size(); ++i) {
    const std::string& name = gp.initializer(i).name();
    if (im.IsDefined(name)) throw Err(path, ": initializer '", name, "' is defined twice");
    Value* v = g.AddConstant(im.NewNodeName(name), weights.initializers.at(i));
    v->set_name(name);
    if (IsFourBit(gp.initializer(i).data_type())) im.MarkFourBitConstant(v);
    im.Bind(name, v);
  }
  if (gp.sparse_initializer_size()) throw Err(path, ": sparse initializers are not supported");
  return ports;
}

std::vector<Port> ImportOutputs(Importer& im, const std::string& path, const onnx::GraphProto& gp) {
  Graph& g = im.graph();
  std::vector<Port> ports;
  for (const auto& o : gp.output()) {
    const OnnxValue* v = im.Lookup(o.name());
    if (!v) throw Err(path, ": output '", o.name(), "' is not produced by the graph");
    Port port;
    port.name = o.name();
    port.kind = v->kind;
    port.content = v->content;
    port.present = v->kind != Kind::kOptional || v->present;
    port.dtype = v->dtype;
    port.count = 0;
    bool holds_tensor = v->kind == Kind::kTensor ||
                        (v->kind == Kind::kOptional && v->present && v->content == Kind::kTensor);
    if (holds_tensor) {
      g.AddOutput(NamedOutput(im, o.name(), v->tensor));
      port.dtype = v->tensor->type().known ? v->tensor->type().dtype : DataType::kInvalid;
      port.count = 1;
    } else if (port.present) {
      for (size_t i = 0; i < v->elements.size(); ++i)
        g.AddOutput(NamedOutput(im, o.name() + "." + std::to_string(i), v->elements[i]));
      port.count = v->elements.size();
    }
    ports.push_back(port);
  }
  if (ports.empty()) throw Err(path, ": the graph has no outputs");
  return ports;
}

}  // namespace halo::onnx_fe
