// The ONNX frontend: reads a ModelProto, checks it, and walks its graph into HALO IR.
#include "frontends/onnx/onnx_importer.h"

#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <sstream>

#include "frontends/frontend.h"
#include "frontends/onnx/onnx_subgraph.h"
#include "frontends/onnx/onnx_tensor.h"

namespace halo {
namespace onnx_fe {
namespace {

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

std::string DirOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

onnx::ModelProto ReadModel(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Err(path, ": cannot open the file");
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    throw Err(path, ": not a regular file");
  }
  if (st.st_size == 0) {
    close(fd);
    throw Err(path, ": not a valid ONNX model (the file is empty)");
  }
  if (st.st_size > INT_MAX) {
    close(fd);
    throw Err(path, ": the file is over 2 GB, more than protobuf can read; store the weights as ",
              "ONNX external data (onnx.save_model(model, path, save_as_external_data=True))");
  }
  onnx::ModelProto m;
  bool ok;
  {
    google::protobuf::io::FileInputStream raw(fd);
    google::protobuf::io::CodedInputStream in(&raw);
    in.SetTotalBytesLimit(INT_MAX);
    ok = m.ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
  }
  close(fd);
  if (!ok)
    throw Err(path, ": not a valid ONNX model (protobuf parsing failed: truncated or not ONNX)");
  if (m.ir_version() <= 0 || !m.has_graph())
    throw Err(path, ": not a valid ONNX model (", m.has_graph() ? "no IR version" : "no graph",
              ")");
  return m;
}

bool IsDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

int64_t DefaultOpset(const onnx::ModelProto& m) {
  for (const auto& o : m.opset_import())
    if (IsDefaultDomain(o.domain())) return o.version();
  return -1;
}

// onnx::checker::check_model without its demand that graph inputs and outputs have shapes
// (HALO takes missing input shapes from the command line and infers the outputs') and
// without rejecting IR versions newer than the installed ONNX library.
void RunChecker(const onnx::ModelProto& m, const std::string& dir) {
  std::unordered_map<std::string, int> opsets;
  for (const auto& o : m.opset_import()) opsets[o.domain()] = static_cast<int>(o.version());
  if (opsets.empty()) throw Err("the model imports no opset");
  onnx::checker::CheckerContext ctx;
  // Newer IR versions (9: float8, 10: 4-bit types) change nothing the checker looks at.
  ctx.set_ir_version(static_cast<int>(std::min<int64_t>(m.ir_version(), onnx::IR_VERSION)));
  ctx.set_opset_imports(opsets);
  ctx.set_model_dir(dir);
  ctx.set_is_main_graph(false);
  onnx::checker::LexicalScopeContext lex;
  onnx::checker::check_graph(m.graph(), ctx, lex);
  if (m.ir_version() >= 8) onnx::checker::check_model_local_functions(m, ctx, lex);
}

std::string NodeLabel(const onnx::NodeProto& n) {
  return !n.name().empty()                         ? n.name()
         : n.output_size() && !n.output(0).empty() ? n.output(0)
                                                   : n.op_type();
}

// Rejects nodes of operators neither HALO nor ONNX (at the model's opset) knows, naming
// the node: the checker's message for them does not. Ops of other domains are rejected
// unless a model-local function defines them (the checker then judges them).
void CheckNodeOps(const std::string& path, const onnx::ModelProto& m, int64_t opset) {
  std::set<std::pair<std::string, std::string>> local;
  for (const auto& f : m.functions()) local.emplace(f.domain(), f.name());
  for (const auto& n : m.graph().node()) {
    auto fail = [&](const auto&... why) {
      throw Err(path, ": node '", NodeLabel(n), "' (", n.op_type(), "): ", why...);
    };
    if (!IsDefaultDomain(n.domain())) {
      if (!local.count({n.domain(), n.op_type()}))
        fail("operator domain '", n.domain(), "' is not supported (HALO reads the default ",
             "ONNX domain only)");
      continue;
    }
    if (opset >= 1 && !HaloHasOp(n.op_type()) &&
        !onnx::OpSchemaRegistry::Schema(n.op_type(), static_cast<int>(opset), ""))
      fail("unsupported operator");
  }
}

// Validates the model, upgrading opsets older than kMinOpset with ONNX's version converter.
int64_t CheckModel(const std::string& path, onnx::ModelProto& m) {
  int64_t opset = DefaultOpset(m);
  if (opset > kMaxOpset)
    throw Err(path, ": ONNX opset ", opset, " is newer than HALO supports (", kMinOpset, " to ",
              kMaxOpset, ")");
  if (m.ir_version() < 3 && m.opset_import_size() == 0) {  // implicitly opset 1
    m.add_opset_import()->set_version(1);
    opset = 1;
  }
  CheckNodeOps(path, m, opset);
  try {
    RunChecker(m, DirOf(path));
  } catch (const std::exception& e) {
    throw Err(path, ": not a valid ONNX model (checker: ", FirstLine(e.what()), ")");
  }
  if (opset == 0 || opset < -1)
    throw Err(path, ": not a valid ONNX model (it imports ONNX opset ", opset, ")");
  if (opset >= 1 && opset < kMinOpset) {
    try {
      // The converter needs ONNX's tensor shapes on the model (as onnx.version_converter).
      onnx::shape_inference::InferShapes(m);
      AdaptBeforeUpgrade(m);
      m = onnx::version_conversion::ConvertVersion(m, static_cast<int>(kMinOpset));
    } catch (const std::exception& e) {
      throw Err(path, ": ONNX opset ", opset, " is older than ", kMinOpset,
                " and the ONNX version converter could not upgrade it (", FirstLine(e.what()), ")");
    }
    opset = kMinOpset;
  }
  return opset;
}

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

// The static type of a graph input, completed from the user's shapes and batch size.
Type InputType(const std::string& path, const onnx::ValueInfoProto& vi, const ImportOptions& opts) {
  const std::string& name = vi.name();
  if (!vi.type().has_tensor_type())
    throw Err(path, ": input '", name, "' is not a tensor (sequence, map and optional inputs ",
              "are not supported)");
  const auto& tt = vi.type().tensor_type();
  DataType dt = DataTypeFromOnnx(tt.elem_type());
  if (dt == DataType::kInvalid)
    throw Err(path, ": unsupported element type ", OnnxTypeName(tt.elem_type()), " for input '",
              name, "'");
  auto user = opts.input_shapes.find(name);
  if (user != opts.input_shapes.end())
    for (int64_t d : user->second)
      if (d < 0)
        throw Err(path, ": --input-shape ", name, ":", ShapeToString(user->second),
                  " has a negative dimension");
  if (!tt.has_shape()) {
    if (user != opts.input_shapes.end()) return Type(dt, user->second);
    throw Err(path, ": input '", name, "' has no shape in the model; give it with --input-shape ",
              name, ":AxBxC");
  }
  const auto& s = tt.shape();
  Shape shape;
  for (const auto& d : s.dim()) shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
  if (user != opts.input_shapes.end()) {
    const Shape& u = user->second;
    bool ok = u.size() == shape.size();
    for (size_t i = 0; ok && i < u.size(); ++i) ok = shape[i] < 0 || shape[i] == u[i];
    if (!ok)
      throw Err(path, ": --input-shape ", name, ":", ShapeToString(u),
                " does not match the model's shape ", DimsToString(s), " for input '", name, "'");
    return Type(dt, u);
  }
  if (!shape.empty() && shape[0] < 0 && opts.batch_size > 0) shape[0] = opts.batch_size;
  for (int64_t d : shape)
    if (d < 0)
      throw Err(path, ": input '", name, "' has an unknown dimension (shape ", DimsToString(s),
                " in the model); give its shape with --input-shape ", name, ":AxBxC",
                shape[0] < 0 ? " or the batch size with --batch-size N" : "");
  return Type(dt, shape);
}

// The value of a graph input fixed by ImportOptions::const_inputs, checked against the
// model's declaration and --input-shape.
Tensor ConstInput(const std::string& path, const onnx::ValueInfoProto& vi, const Tensor& t,
                  const ImportOptions& opts) {
  const std::string& name = vi.name();
  if (!vi.type().has_tensor_type())
    throw Err(path, ": constant input '", name, "' is not a tensor in the model");
  const auto& tt = vi.type().tensor_type();
  DataType dt = DataTypeFromOnnx(tt.elem_type());
  bool ok = dt == t.type().dtype;
  if (tt.has_shape()) {
    const auto& s = tt.shape();
    ok &= s.dim_size() == t.type().Rank();
    for (int i = 0; ok && i < s.dim_size(); ++i)
      ok &= !s.dim(i).has_dim_value() || s.dim(i).dim_value() == t.type().shape[i];
  }
  if (!ok)
    throw Err(path, ": constant input '", name, "' is ", t.type().ToString(),
              "; the model declares ",
              dt == DataType::kInvalid ? OnnxTypeName(tt.elem_type()) : DataTypeName(dt),
              !tt.has_shape()              ? " (any shape)"
              : tt.shape().dim_size() == 0 ? "[]"
                                           : "[" + DimsToString(tt.shape()) + "]");
  auto user = opts.input_shapes.find(name);
  if (user != opts.input_shapes.end() && user->second != t.type().shape)
    throw Err(path, ": constant input '", name, "' is ", t.type().ToString(),
              " but --input-shape gives ", ShapeToString(user->second));
  return t;
}

std::string NameList(const std::set<std::string>& names) {
  std::string r;
  for (const auto& n : names) r += (r.empty() ? "" : ", ") + n;
  return r.empty() ? "none" : r;
}

// Reserves tensor names and marks the used ones, those of subgraphs included.
void ScanGraph(Importer& im, const onnx::GraphProto& gp) {
  for (const auto& vi : gp.input()) im.ReserveTensorName(vi.name());
  for (const auto& t : gp.initializer()) im.ReserveTensorName(t.name());
  for (const auto& n : gp.node()) {
    for (const auto& o : n.output()) im.ReserveTensorName(o);
    for (const auto& i : n.input()) im.MarkUsed(i);
    for (const auto& a : n.attribute()) {
      if (a.has_g()) ScanGraph(im, a.g());
      for (const auto& g : a.graphs()) ScanGraph(im, g);
    }
  }
  for (const auto& o : gp.output()) im.MarkUsed(o.name());
}

// Takes the weights out of the model: the initializers and the tensors of Constant nodes
// (raw_data moves into the tensors, external data is mapped), so that they are in memory
// once. A Constant whose tensor is bad stays in the model for the graph walk to report.
Weights TakeWeights(const std::string& path, onnx::GraphProto& gp, const ImportOptions& opts) {
  ExternalDataFiles files(DirOf(path));
  Weights w;
  w.initializers.reserve(gp.initializer_size());
  for (auto& t : *gp.mutable_initializer()) {
    if (t.name().empty()) throw Err(path, ": an initializer has no name");
    try {
      w.initializers.push_back(TakeTensorFromProto(t, files));
    } catch (const Error& e) {
      throw Err(path, ": initializer '", t.name(), "': ", e.what());
    }
    Report(opts.progress, "import", "tensors", w.initializers.size(), gp.initializer_size());
  }
  for (auto& n : *gp.mutable_node()) {
    if (n.op_type() != "Constant" || !IsDefaultDomain(n.domain()) || n.attribute_size() != 1 ||
        n.attribute(0).name() != "value" || !n.attribute(0).has_t())
      continue;
    onnx::TensorProto* t = n.mutable_attribute(0)->mutable_t();
    try {
      w.constants.emplace(t, TakeTensorFromProto(*t, files));
    } catch (const Error&) {
    }
  }
  return w;
}

// Graph inputs become Input nodes in model order, except those with an initializer:
// initializers (the tensors of TakeWeights) become Constant nodes.
void ImportInputs(Importer& im, const std::string& path, const onnx::GraphProto& gp,
                  const Weights& weights, const ImportOptions& opts) {
  Graph& g = im.graph();
  std::set<std::string> initializer_names;
  for (const auto& t : gp.initializer()) initializer_names.insert(t.name());
  std::set<std::string> input_names;
  for (const auto& vi : gp.input())
    if (!initializer_names.count(vi.name())) input_names.insert(vi.name());
  for (const auto& kv : opts.input_shapes)
    if (!input_names.count(kv.first))
      throw Err(path, ": --input-shape names '", kv.first, "', which is not an input of the ",
                "model (inputs: ", NameList(input_names), ")");
  for (const auto& kv : opts.const_inputs)
    if (!input_names.count(kv.first))
      throw Err(path, ": constant input '", kv.first,
                "' is not an input of the model (inputs: ", NameList(input_names), ")");
  for (const auto& vi : gp.input()) {
    if (initializer_names.count(vi.name())) continue;
    Value* v;
    auto c = opts.const_inputs.find(vi.name());
    if (c != opts.const_inputs.end())
      v = g.AddConstant(im.NewNodeName(vi.name()), ConstInput(path, vi, c->second, opts));
    else
      v = g.AddInput(im.NewNodeName(vi.name()), InputType(path, vi, opts));
    v->set_name(vi.name());
    im.Bind(vi.name(), v);
  }
  for (int i = 0; i < gp.initializer_size(); ++i) {
    const std::string& name = gp.initializer(i).name();
    if (im.Find(name)) throw Err(path, ": initializer '", name, "' is defined twice");
    Value* v = g.AddConstant(im.NewNodeName(name), weights.initializers.at(i));
    v->set_name(name);
    im.Bind(name, v);
  }
  if (gp.sparse_initializer_size()) throw Err(path, ": sparse initializers are not supported");
}

}  // namespace

void ImportNode(Importer& im, const onnx::NodeProto& n, int64_t opset) {
  PendingNode p;
  p.onnx_op = n.op_type();
  p.op = n.op_type();
  // Unnamed nodes take their first result's name.
  p.name = im.NewNodeName(im.node_prefix() + NodeLabel(n));
  if (!IsDefaultDomain(n.domain()))
    im.Fail(p, "operator domain '", n.domain(), "' is not supported (HALO reads the default ",
            "ONNX domain only)");
  for (const auto& in : n.input()) {
    Value* v = im.Find(in);
    if (!in.empty() && !v)
      im.Fail(p, "input '", in, "' is not defined before the node (not a graph input, ",
              "initializer or earlier result)");
    p.inputs.push_back(v);
  }
  for (const auto& a : n.attribute()) p.attrs.push_back(&a);
  p.outputs.assign(n.output().begin(), n.output().end());
  if (n.op_type() == "Constant")
    im.BuildConstant(n, p);
  else if (IsControlFlow(n.op_type()))
    ImportControlFlow(im, p, opset);
  else if (Adapter adapt = FindAdapter(n.op_type(), opset))
    adapt(im, p);
  else if (HaloHasOp(n.op_type()) || !ExpandFunction(im, n, p, opset))
    im.Build(p);
}

namespace {

// Imports the model's graph into g; returns the values the translation required constant.
std::vector<const Value*> ImportGraph(const std::string& path, const onnx::ModelProto& m,
                                      int64_t opset, const Weights& weights,
                                      const ImportOptions& opts, Graph& g) {
  const onnx::GraphProto& gp = m.graph();
  Importer im(g, path, DirOf(path), m, &weights);
  im.speculative = opts.auto_const_inputs && !opts.const_inputs.empty();
  ScanGraph(im, gp);
  ImportInputs(im, path, gp, weights, opts);
  for (int i = 0; i < gp.node_size(); ++i) {
    ImportNode(im, gp.node(i), opset);
    Report(opts.progress, "import", "nodes", i + 1, gp.node_size());
  }
  for (const auto& o : gp.output()) {
    Value* v = im.Find(o.name());
    if (!v) throw Err(path, ": output '", o.name(), "' is not produced by the graph");
    g.AddOutput(v);
  }
  if (g.outputs().empty()) throw Err(path, ": the graph has no outputs");
  return im.needed();
}

}  // namespace
}  // namespace onnx_fe

std::unique_ptr<Graph> ImportOnnx(const std::string& path, const ImportOptions& opts) {
  try {
    onnx::ModelProto m = onnx_fe::ReadModel(path);
    int64_t opset = onnx_fe::CheckModel(path, m);
    onnx_fe::Weights weights = onnx_fe::TakeWeights(path, *m.mutable_graph(), opts);
    std::vector<const Value*> seeds;
    auto import = [&](const ImportOptions& o) {
      auto g = std::make_unique<Graph>(m.graph().name().empty() ? "model" : m.graph().name());
      seeds = onnx_fe::ImportGraph(path, m, opset, weights, o, *g);
      return g;
    };
    if (!opts.auto_const_inputs || opts.const_inputs.empty()) return import(opts);
    // Import with every candidate frozen, then again with only the needed ones.
    ImportOptions needed = opts;
    needed.auto_const_inputs = false;
    needed.const_inputs.clear();
    std::unique_ptr<Graph> all_frozen = import(opts);
    for (const std::string& name : onnx_fe::NeededConstants(*all_frozen, seeds))
      if (opts.const_inputs.count(name)) needed.const_inputs[name] = opts.const_inputs.at(name);
    return import(needed);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Err(path, ": ", e.what());
  }
}

}  // namespace halo
