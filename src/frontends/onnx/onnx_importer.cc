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

// The private domain that hides the nodes of newer forms from ONNX's checker (NewerForm).
const char kNewerDomain[] = "halo.newer-form";

// Moves the default-domain nodes of `nodes` and their subgraphs whose form ONNX's checker
// does not know at `opset` into kNewerDomain (`hide`), or back (!hide). Returns whether it
// moved any.
template <typename Nodes>
bool HideNewerForms(Nodes& nodes, int64_t opset, bool hide) {
  bool moved = false;
  for (auto& n : nodes) {
    if (hide ? IsDefaultDomain(n.domain()) && NewerForm(n.op_type(), opset)
             : n.domain() == kNewerDomain) {
      n.set_domain(hide ? kNewerDomain : "");
      moved = true;
    }
    for (auto& a : *n.mutable_attribute()) {
      if (a.has_g()) moved |= HideNewerForms(*a.mutable_g()->mutable_node(), opset, hide);
      for (auto& sub : *a.mutable_graphs())
        moved |= HideNewerForms(*sub.mutable_node(), opset, hide);
    }
  }
  return moved;
}

// The default-domain opset of an opset_import list, -1 when absent.
template <typename Imports>
int64_t DefaultOpsetOf(const Imports& imports) {
  for (const auto& o : imports)
    if (IsDefaultDomain(o.domain())) return o.version();
  return -1;
}

// While it lives, the nodes of m (graph and local functions) that ONNX's checker cannot
// judge (NewerForm) are in kNewerDomain, which the function bodies import.
class NewerFormsHidden {
 public:
  explicit NewerFormsHidden(onnx::ModelProto& m) : m_(m) {
    opset_ = DefaultOpsetOf(m.opset_import());
    any_ = HideNewerForms(*m.mutable_graph()->mutable_node(), opset_, true);
    for (auto& f : *m.mutable_functions()) {
      int64_t v = DefaultOpsetOf(f.opset_import());
      bool moved = HideNewerForms(*f.mutable_node(), v, true);
      if (moved) {
        auto* o = f.add_opset_import();
        o->set_domain(kNewerDomain);
        o->set_version(1);
      }
      imported_.push_back(moved);
      any_ |= moved;
    }
  }
  ~NewerFormsHidden() {
    HideNewerForms(*m_.mutable_graph()->mutable_node(), opset_, false);
    for (int i = 0; i < m_.functions_size(); ++i) {
      auto& f = *m_.mutable_functions(i);
      HideNewerForms(*f.mutable_node(), opset_, false);
      if (imported_[i]) f.mutable_opset_import()->RemoveLast();
    }
  }
  // Whether any node was hidden (its domain must then be imported).
  bool any() const { return any_; }
  NewerFormsHidden(const NewerFormsHidden&) = delete;
  NewerFormsHidden& operator=(const NewerFormsHidden&) = delete;

 private:
  onnx::ModelProto& m_;
  int64_t opset_;
  bool any_ = false;
  std::vector<bool> imported_;
};

// onnx::checker::check_model without its demand that graph inputs and outputs have shapes
// (HALO takes missing input shapes from the command line and infers the outputs') and
// without rejecting IR versions newer than the installed ONNX library. In models newer than
// kOnnxLibOpset, the nodes of newer forms are checked as nodes of a domain it does not know
// (names, scopes, structure, not the op's signature); HALO's adapters and op rules check
// those.
void RunChecker(onnx::ModelProto& m, const std::string& dir) {
  std::unordered_map<std::string, int> opsets;
  for (const auto& o : m.opset_import()) opsets[o.domain()] = static_cast<int>(o.version());
  if (opsets.empty()) throw Err("the model imports no opset");
  NewerFormsHidden hidden(m);
  if (hidden.any()) opsets[kNewerDomain] = 1;
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
// unless HALO translates them (ONNX Runtime's com.microsoft ops, onnx_contrib_ms.cc) or a
// model-local function defines them (the checker then judges them).
void CheckNodeOps(const std::string& path, const onnx::ModelProto& m, int64_t opset) {
  std::set<std::pair<std::string, std::string>> local;
  for (const auto& f : m.functions()) local.emplace(f.domain(), f.name());
  for (const auto& n : m.graph().node()) {
    auto fail = [&](const auto&... why) {
      throw Err(path, ": node '", NodeLabel(n), "' (", n.op_type(), "): ", why...);
    };
    if (!IsDefaultDomain(n.domain())) {
      if (local.count({n.domain(), n.op_type()}) || FindContribAdapter(n.domain(), n.op_type()))
        continue;
      fail(UnsupportedDomainOp(n.domain(), n.op_type()));
    }
    if (opset >= 1 && !HaloHasOp(n.op_type()) && !FindAdapter(n.op_type(), opset) &&
        !onnx::OpSchemaRegistry::Schema(n.op_type(), static_cast<int>(opset), ""))
      fail("unsupported operator");
  }
}

// The 4-bit tensors of g and its subgraphs with their int32_data in raw_data.
void FourBitGraphToRaw(onnx::GraphProto& g) {
  for (auto& t : *g.mutable_initializer()) FourBitFieldsToRaw(t);
  for (auto& n : *g.mutable_node())
    for (auto& a : *n.mutable_attribute()) {
      if (a.has_t()) FourBitFieldsToRaw(*a.mutable_t());
      if (a.has_g()) FourBitGraphToRaw(*a.mutable_g());
      for (auto& sub : *a.mutable_graphs()) FourBitGraphToRaw(sub);
    }
}

// Validates the model, upgrading opsets older than kMinOpset with ONNX's version converter.
int64_t CheckModel(const std::string& path, onnx::ModelProto& m) {
  int64_t opset = DefaultOpsetOf(m.opset_import());
  if (opset > kMaxOpset)
    throw Err(path, ": ONNX opset ", opset, " is newer than HALO supports (", kMinOpset, " to ",
              kMaxOpset, ")");
  if (m.ir_version() < 3 && m.opset_import_size() == 0) {  // implicitly opset 1
    m.add_opset_import()->set_version(1);
    opset = 1;
  }
  CheckNodeOps(path, m, opset);
  FourBitGraphToRaw(*m.mutable_graph());
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

}  // namespace

void ImportNode(Importer& im, const onnx::NodeProto& n, int64_t opset) {
  PendingNode p;
  p.onnx_op = n.op_type();
  p.op = n.op_type();
  // Unnamed nodes take their first result's name.
  p.name = im.NewNodeName(im.node_prefix() + NodeLabel(n));
  for (const auto& a : n.attribute()) p.attrs.push_back(&a);
  p.outputs.assign(n.output().begin(), n.output().end());
  if (!IsDefaultDomain(n.domain())) {
    if (ExpandLocalFunction(im, n, p, opset)) return;
    Adapter contrib = FindContribAdapter(n.domain(), n.op_type());
    if (!contrib) im.Fail(p, UnsupportedDomainOp(n.domain(), n.op_type()));
    for (const auto& in : n.input()) p.inputs.push_back(im.TensorInput(p, in));
    return contrib(im, p);
  }
  if (ImportSequenceNode(im, n, p) || ImportControlFlow(im, n, p, opset)) return;
  for (const auto& in : n.input()) p.inputs.push_back(im.TensorInput(p, in));
  if (n.op_type() == "Constant")
    im.BuildConstant(n, p);
  else if (Adapter adapt = FindAdapter(n.op_type(), opset))
    adapt(im, p);
  else if (HaloHasOp(n.op_type()) || !ExpandFunction(im, n, p, opset))
    im.Build(p);
}

namespace {

// Imports the graph into g; returns the names of the constants the import read
// (Importer::compile_time_constants) and adds to `seeds` the values it required constant.
std::set<std::string> ImportGraph(const std::string& path, const onnx::ModelProto& m, int64_t opset,
                                  const Weights& weights, const ImportOptions& opts, Graph& g,
                                  std::vector<const Value*>& seeds) {
  const onnx::GraphProto& gp = m.graph();
  Importer im(g, path, DirOf(path), m, &weights);
  im.speculative = opts.auto_const_inputs && !opts.const_inputs.empty();
  ScanGraph(im, gp);
  std::vector<Port> inputs = ImportInputs(im, path, gp, weights, opts);
  for (int i = 0; i < gp.node_size(); ++i) {
    ImportNode(im, gp.node(i), opset);
    Report(opts.progress, "import", "nodes", i + 1, gp.node_size());
  }
  std::vector<Port> outputs = ImportOutputs(im, path, gp);
  g.set_ports(std::move(inputs), std::move(outputs));
  seeds = im.needed();
  return im.compile_time_constants();
}

}  // namespace
}  // namespace onnx_fe

std::unique_ptr<Graph> ImportOnnx(const std::string& path, const ImportOptions& opts) {
  try {
    onnx::ModelProto m = onnx_fe::ReadModel(path);
    int64_t opset = onnx_fe::CheckModel(path, m);
    onnx_fe::Weights weights = onnx_fe::TakeWeights(path, *m.mutable_graph(), opts);
    std::set<std::string> read;       // the constants the last import read
    std::vector<const Value*> seeds;  // the values it required constant
    auto import = [&](const ImportOptions& o) {
      auto g = std::make_unique<Graph>(m.graph().name().empty() ? "model" : m.graph().name());
      read = onnx_fe::ImportGraph(path, m, opset, weights, o, *g, seeds);
      return g;
    };
    if (!opts.auto_const_inputs || opts.const_inputs.empty()) return import(opts);
    // Import with every candidate frozen, then again with only the needed ones.
    ImportOptions needed = opts;
    needed.auto_const_inputs = false;
    needed.const_inputs.clear();
    std::unique_ptr<Graph> all = import(opts);
    for (const std::string& name : onnx_fe::NeededConstants(*all, read, seeds))
      if (opts.const_inputs.count(name)) needed.const_inputs[name] = opts.const_inputs.at(name);
    return import(needed);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Err(path, ": ", e.what());
  }
}

}  // namespace halo
