// ONNX functions: an op HALO does not have but whose ONNX schema defines a function body
// (plain, or built for the node's attributes and input types) is inlined: the body's nodes
// are translated in its place, recursively.
#include <google/protobuf/unknown_field_set.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <functional>

#include "frontends/onnx/onnx_importer.h"
#include "frontends/onnx/onnx_tensor.h"

namespace halo::onnx_fe {
namespace {

constexpr int kMaxFunctionDepth = 16;

onnx::TypeProto ToTypeProto(const Type& t) {
  onnx::TypeProto tp;
  auto* tt = tp.mutable_tensor_type();
  tt->set_elem_type(DataTypeToOnnx(t.dtype));
  auto* shape = tt->mutable_shape();
  for (int64_t d : t.shape) shape->add_dim()->set_dim_value(d);
  return tp;
}

// The default-domain opset of a function body: its own import, else the caller's.
int64_t BodyOpset(const onnx::FunctionProto& f, int64_t caller) {
  for (const auto& o : f.opset_import())
    if (IsDefaultDomain(o.domain())) return o.version();
  return caller;
}

// ONNX's shape inference; what it cannot infer stays unknown.
void InferOnnxTypes(onnx::ModelProto& m) {
  try {
    onnx::shape_inference::InferShapes(m);
  } catch (const std::exception&) {
  }
}

// The types of an inlined body's tensors, for functions nested in it whose bodies depend
// on them: ONNX's shape inference of the body as a model whose inputs are the node's.
void InferBodyTypes(Importer& im, const onnx::NodeProto& n, const onnx::FunctionProto& f,
                    const std::vector<onnx::NodeProto>& body, int64_t body_opset) {
  onnx::ModelProto m;
  m.set_ir_version(onnx::IR_VERSION);
  *m.mutable_opset_import() = f.opset_import();
  if (f.opset_import_size() == 0) m.add_opset_import()->set_version(body_opset);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name(f.name());
  for (const auto& in : n.input()) {
    onnx::TypeProto t = in.empty() ? onnx::TypeProto() : im.TypeOf(in);
    if (t.value_case() == onnx::TypeProto::VALUE_NOT_SET) continue;
    auto* vi = g->add_input();
    vi->set_name(in);
    *vi->mutable_type() = t;
  }
  for (const auto& node : body) *g->add_node() = node;
  InferOnnxTypes(m);
  im.AddOnnxTypes(m.graph());
}

// Translates the body f of the function that node n (p) calls, in its place; the body's
// nodes are of ONNX opset body_opset, and resolve(name) gives the value of an attribute the
// body refers to (nullptr: none).
void InlineBody(Importer& im, const onnx::NodeProto& n, const PendingNode& p,
                const onnx::FunctionProto& f, int64_t body_opset,
                const std::function<const onnx::AttributeProto*(const std::string&)>& resolve) {
  if (im.function_depth >= kMaxFunctionDepth)
    im.Fail(p, "function bodies nest deeper than ", kMaxFunctionDepth, " levels");
  // Formal inputs and outputs map to the node's tensors; the body's own tensors get fresh
  // names prefixed by the node's name.
  std::unordered_map<std::string, std::string> names;
  for (int i = 0; i < f.input_size(); ++i) names[f.input(i)] = i < n.input_size() ? n.input(i) : "";
  std::vector<std::string> outs;
  for (int i = 0; i < f.output_size(); ++i) {
    bool given = i < n.output_size() && !n.output(i).empty();
    outs.push_back(given ? n.output(i) : im.NewTensorName(p.name + "/" + f.output(i)));
    names[f.output(i)] = outs.back();
  }
  auto rename = [&](const std::string& inner) -> std::string {
    if (inner.empty()) return "";
    auto it = names.find(inner);
    if (it != names.end()) return it->second;
    return names[inner] = im.NewTensorName(p.name + "/" + inner);
  };

  std::vector<onnx::NodeProto> body;
  bool nested = false;
  for (const onnx::NodeProto& body_node : f.node()) {
    nested |= !IsDefaultDomain(body_node.domain()) || !HaloHasOp(body_node.op_type());
    onnx::NodeProto& inner = body.emplace_back();
    inner.set_op_type(body_node.op_type());
    inner.set_domain(body_node.domain());
    inner.set_name(p.name + "/" +
                   (body_node.name().empty() ? body_node.op_type() : body_node.name()));
    for (const auto& in : body_node.input()) inner.add_input(rename(in));
    for (const auto& out : body_node.output()) inner.add_output(rename(out));
    for (const auto& a : body_node.attribute()) {
      if (a.ref_attr_name().empty()) {
        *inner.add_attribute() = a;
        continue;
      }
      if (const onnx::AttributeProto* value = resolve(a.ref_attr_name())) {
        onnx::AttributeProto* copy = inner.add_attribute();
        *copy = *value;
        copy->set_name(a.name());
      }
    }
  }
  if (nested) InferBodyTypes(im, n, f, body, body_opset);
  {
    // The body's nodes are named after p already (p.name holds any subgraph prefix). The
    // guard restores the importer's state also when the import fails (an If's branch tried
    // only for its types fails harmlessly, see onnx_control_flow.cc).
    struct Guard {
      Importer& im;
      std::string prefix;
      ~Guard() {
        --im.function_depth;
        im.set_node_prefix(prefix);
      }
    } guard{im, im.node_prefix()};
    ++im.function_depth;
    im.set_node_prefix("");
    for (const onnx::NodeProto& inner : body) ImportNode(im, inner, body_opset);
  }
  for (int i = 0; i < f.output_size(); ++i)  // the results the node asks for
    if (i < n.output_size() && !n.output(i).empty() && !im.IsDefined(outs[i]))
      im.Fail(p, "its function body does not compute result ", i, " ('", f.output(i), "')");
}

// The attribute defaults of a model-local function: FunctionProto.attribute_proto (field 11,
// IR version 9), which the ONNX library HALO builds with predates, from its unknown fields.
std::vector<onnx::AttributeProto> AttributeDefaults(const onnx::FunctionProto& f) {
  std::vector<onnx::AttributeProto> out;
  const google::protobuf::UnknownFieldSet& unknown = f.unknown_fields();
  for (int i = 0; i < unknown.field_count(); ++i) {
    const google::protobuf::UnknownField& field = unknown.field(i);
    if (field.number() != 11 ||
        field.type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED)
      continue;
    onnx::AttributeProto a;
    if (a.ParseFromString(field.length_delimited())) out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

bool HaloHasOp(const std::string& op_type) {
  if (op_type == "Constant") return true;
  const OpDef* def = OpRegistry::Get().Find(op_type);
  return def && def->lowered;
}

onnx::TypeProto OnnxTypeOf(const OnnxValue& v) {
  using Kind = OnnxValue::Kind;
  onnx::TypeProto tp;
  if (v.kind == Kind::kTensor) return v.tensor->type().known ? ToTypeProto(v.tensor->type()) : tp;
  Kind inner = v.kind == Kind::kOptional ? v.content : v.kind;
  onnx::TypeProto* holder =
      v.kind == Kind::kOptional ? tp.mutable_optional_type()->mutable_elem_type() : &tp;
  onnx::TypeProto* tensor =
      inner == Kind::kSequence ? holder->mutable_sequence_type()->mutable_elem_type() : holder;
  std::vector<Value*> tensors = v.elements;
  if (v.kind == Kind::kOptional && v.present && inner == Kind::kTensor) tensors = {v.tensor};
  // The element type; the shape too when all tensors share one.
  DataType dt = v.dtype;
  bool same = !tensors.empty();
  for (Value* t : tensors) {
    if (dt == DataType::kInvalid && t->type().known) dt = t->type().dtype;
    same = same && t->type().known && t->type().shape == tensors[0]->type().shape;
  }
  tensor->mutable_tensor_type()->set_elem_type(DataTypeToOnnx(dt));
  if (same) *tensor = ToTypeProto(tensors[0]->type());
  return tp;
}

onnx::TypeProto Importer::TypeOf(const std::string& name) {
  const OnnxValue* value = Lookup(name);
  if (value && value->kind != OnnxValue::Kind::kTensor) {
    InferBuiltNodes();  // the elements' types
    return OnnxTypeOf(*value);
  }
  Value* v = Find(name);
  if (v && !v->type().known) InferBuiltNodes();
  if (v && v->type().known) return ToTypeProto(v->type());
  if (!onnx_inferred_) {
    onnx_inferred_ = true;
    onnx::ModelProto m = model_;
    InferOnnxTypes(m);
    AddOnnxTypes(m.graph());
  }
  auto it = onnx_types_.find(name);
  return it == onnx_types_.end() ? onnx::TypeProto() : it->second;
}

void Importer::AddOnnxTypes(const onnx::GraphProto& g) {
  for (const auto* list : {&g.input(), &g.value_info(), &g.output()})
    for (const auto& vi : *list)
      if (vi.type().has_tensor_type() && vi.type().tensor_type().elem_type() != 0)
        onnx_types_.emplace(vi.name(), vi.type());
}

bool ExpandFunction(Importer& im, const onnx::NodeProto& n, const PendingNode& p, int64_t opset) {
  const onnx::OpSchema* s =
      onnx::OpSchemaRegistry::Schema(n.op_type(), static_cast<int>(opset), n.domain());
  if (!s || (!s->HasFunction() && !s->HasContextDependentFunction())) return false;
  onnx::FunctionProto f;
  if (s->HasFunction()) {
    f = *s->GetFunction();
  } else {
    // The builders read the input types (an empty TypeProto would read as an element type
    // of UNDEFINED and silently give a wrong body).
    std::vector<onnx::TypeProto> types;
    for (const auto& in : n.input()) {
      types.push_back(in.empty() ? onnx::TypeProto() : im.TypeOf(in));
      if (!in.empty() && types.back().value_case() == onnx::TypeProto::VALUE_NOT_SET)
        im.Fail(p, "unsupported operator (its ONNX function body depends on the type of '", in,
                "', which is not known here)");
    }
    onnx::FunctionBodyBuildContextImpl ctx(n, types);
    bool built = false;
    try {
      built = s->BuildContextDependentFunction(ctx, f);
    } catch (const std::exception& e) {
      im.Fail(p, "unsupported operator (building its ONNX function body failed: ", e.what(), ")");
    }
    if (!built || f.node_size() == 0)
      im.Fail(p, "unsupported operator (ONNX could not build its function body for these ",
              "inputs)");
  }
  // An attribute reference takes the node's value, else the schema's default, else none.
  InlineBody(im, n, p, f, BodyOpset(f, opset), [&](const std::string& ref) {
    for (const auto& a : n.attribute())
      if (a.name() == ref) return &a;
    auto it = s->attributes().find(ref);
    if (it != s->attributes().end() && it->second.default_value.type() != 0)
      return &it->second.default_value;
    return static_cast<const onnx::AttributeProto*>(nullptr);
  });
  return true;
}

bool ExpandLocalFunction(Importer& im, const onnx::NodeProto& n, const PendingNode& p,
                         int64_t opset) {
  const onnx::FunctionProto* f = nullptr;
  for (const auto& candidate : im.model().functions())
    if (candidate.name() == n.op_type() && candidate.domain() == n.domain()) f = &candidate;
  if (!f) return false;
  const std::vector<onnx::AttributeProto> defaults = AttributeDefaults(*f);
  InlineBody(im, n, p, *f, BodyOpset(*f, opset), [&](const std::string& ref) {
    for (const auto& a : n.attribute())
      if (a.name() == ref) return &a;
    for (const auto& a : defaults)
      if (a.name() == ref) return &a;
    return static_cast<const onnx::AttributeProto*>(nullptr);
  });
  return true;
}

}  // namespace halo::onnx_fe
