#include "targets/cpp_emitter.h"

#include <odla/odla.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "ir/error.h"
#include "ir/op_registry.h"
#include "passes/placement.h"
#include "targets/c_literals.h"
#include "targets/c_memory_plan.h"
#include "targets/c_names.h"
#include "targets/elf_writer.h"
#include "targets/file_set.h"
#include "targets/lowering.h"

namespace halo {
namespace {

// ---- The model, prepared for printing ----

struct Param {
  const Value* value;
  std::string name;  // the C parameter
  bool is_output;
  std::string shape_name;  // an output with data-dependent dimensions: its shape parameter
};

// ODLA 1.1 added odla_GetOutputShape, 1.2 the memory plan: code needs 1.0 without them.
constexpr int kOdlaMinorForOutputShapes = 1;
constexpr int kOdlaMinorForMemoryPlan = 2;
constexpr int kOdlaMinorForPrecision = 3;  // odla_SetComputationPrecision

struct Model {
  std::string name;       // the entry function
  std::string file_stem;  // NAME of NAME.cc, NAME.h, NAME.bin
  std::string model_path;
  std::vector<Param> params;
  Blob weights;
  std::map<const Node*, size_t> constant_offsets;
  bool uses_bool = false;
  bool uses_limits = false;             // a float attribute is inf or NaN
  int odla_minor = 0;                   // the ODLA API version the code needs: 1.odla_minor
  bool output_shapes = false;           // an output has data-dependent dimensions
  std::string build_body;               // the statements of Build()
  const BatchForms* batch = nullptr;    // --dynamic-batch
  std::vector<std::string> port_notes;  // how sequences and optionals map to parameters
  // --device (docs/heterogeneous.md): the computation Build() fills, names the generated
  // code defines besides kStaticNames, and the parts' code.
  std::string comp = "g_comp";
  std::vector<std::string> reserved;
  struct PartCode {
    bool on_device;
    std::string build_body;
  };
  std::vector<PartCode> parts;
  const Partition* partition = nullptr;
  std::string precision;                // --precision: the odla_precision requested, or ""
};

std::string Where(const Model& m) { return m.model_path.empty() ? "" : m.model_path + ": "; }

std::string Describe(const Model& m, const Value* v) {
  return "'" + CommentText(v->name()) +
         "': " + TypeText(v->type(), m.batch ? m.batch->DimsOf(v) : kNoDims);
}

// The names the generated code defines besides the entry points.
const char* const kStaticNames[] = {"Fail",    "Build",     "Init",        "g_comp",
                                    "g_mutex", "g_weights", "SetPrecision"};
const char* const kDynamicNames[] = {"batch", "comp", "Computation", "g_comps", "Get", "Lookup"};

// One note for each of the model's sequence and optional inputs and outputs (Port in
// ir/graph.h), which take several parameters or none: "input 'x' (a sequence of 2
// tensors): x_0, x_1".
std::vector<std::string> PortNotes(const Graph& g, const std::vector<Param>& params) {
  std::vector<std::string> notes;
  size_t next = 0;  // the parameter of the port's first tensor
  auto describe = [&](const Port& p, bool is_output) {
    size_t first = next;
    next += p.count;
    if (p.kind == Port::Kind::kTensor) return;
    bool sequence = p.kind == Port::Kind::kSequence || p.content == Port::Kind::kSequence;
    std::string what = sequence ? "a sequence of " + std::to_string(p.count) +
                                      (p.count == 1 ? " tensor" : " tensors")
                                : "a tensor";
    if (p.kind == Port::Kind::kOptional)
      what = p.present ? "an optional holding " + what
                       : std::string("an empty optional ") + (sequence ? "sequence" : "tensor");
    std::string names;
    for (size_t i = first; i < next && i < params.size(); ++i)
      names += (names.empty() ? "" : ", ") + params[i].name;
    notes.push_back(std::string(is_output ? "output '" : "input '") + CommentText(p.name) + "' (" +
                    what + "): " + (names.empty() ? "no parameter" : names));
  };
  for (const Port& p : g.input_ports()) describe(p, false);
  next = g.inputs().size();
  for (const Port& p : g.output_ports()) describe(p, true);
  return notes;
}

// Prints the ODLA calls that add the graph to the current computation.
void PrintBuild(const Graph& g, Model& m) {
  CNameScope scope;
  for (const char* r : kStaticNames) scope.Reserve(r);
  scope.Reserve("status");
  for (const std::string& r : m.reserved) scope.Reserve(r);
  for (const char* r : kMemoryPlanNames) scope.Reserve(r);
  if (m.batch)
    for (const char* r : kDynamicNames) scope.Reserve(r);
  for (const std::string& s : {m.name, m.name + "_init", m.name + "_fini", m.name + "_weights"})
    scope.Reserve(s);

  // Values that some node or the graph output uses (multi-result builders name only those).
  std::set<const Value*> used(g.outputs().begin(), g.outputs().end());
  for (const auto& n : g.nodes())
    for (const Value* v : n->inputs()) used.insert(v);
  // Constants that only compile-time (ConstIn) inputs take are left out.
  const std::set<const Value*> runtime = RuntimeValues(g);

  std::map<const Value*, std::string> expr;
  auto ref = [&](const Value* v) -> std::string {
    if (!v) return "nullptr";
    auto it = expr.find(v);
    if (it == expr.end()) throw Err("value '", v->name(), "' is used before it is defined");
    return it->second;
  };
  std::ostringstream os;

  bool first_const = true;
  if (!g.inputs().empty()) os << "  // Inputs.\n";
  for (const Value* v : g.inputs()) {
    std::string var = scope.Make(v->name());
    expr[v] = var;
    const auto& dims = m.batch ? m.batch->DimsOf(v) : kNoDims;
    os << Wrap("  odla_value " + var + " = odla_CreateArgument(",
               {TypeLit(v->type(), dims), CString(v->name())}, ");")
       << "\n";
    os << "  if (!" << var << ") return Fail(" << CString("input '" + v->name() + "'") << ");\n";
  }
  for (const auto& up : g.nodes()) {
    const Node& n = *up;
    if (n.op() == "Input") continue;
    if (n.op() == "Constant") {
      const Value* v = n.output();
      if (!runtime.count(v)) continue;
      if (first_const) os << (g.inputs().empty() ? "" : "\n") << "  // Constants.\n";
      first_const = false;
      std::string var = scope.Make(v->name());
      expr[v] = var;
      const Tensor& t = n.GetTensor("value");
      size_t off = m.weights.Append(t.bytes(), t.byte_size(), kWeightsAlign);
      m.constant_offsets[&n] = off;
      os << Wrap("  odla_value " + var + " = odla_CreateConstant(",
                 {TypeLit(t.type()), "g_weights + " + std::to_string(off), CString(v->name())},
                 ");")
         << "\n";
      os << "  if (!" << var << ") return Fail(" << CString("constant '" + v->name() + "'")
         << ");\n";
      continue;
    }
    OdlaCall call;
    std::string label = "node '" + n.name() + "' (" + n.op() + ")";
    try {
      call = LowerNode(n, m.batch);
    } catch (const Error& e) {
      throw Err(Where(m), label, ": ", e.what());
    }
    std::vector<std::string> args = OdlaCallArgs(call, ref);
    for (const std::string& a : args)
      if (a.find("std::numeric_limits") != std::string::npos) m.uses_limits = true;
    os << "\n  // " << CommentText(label) << "\n";
    std::string result = scope.Make(call.multi_result ? n.name() + "_results" : n.output()->name());
    os << Wrap(std::string("  ") + (call.multi_result ? "odla_values " : "odla_value ") + result +
                   " = " + call.func + "(",
               args, ");")
       << "\n";
    if (call.multi_result) {
      os << "  if (" << result << ".size != " << n.num_outputs() << ") return Fail("
         << CString(label) << ");\n";
      for (size_t i = 0; i < n.num_outputs(); ++i) {
        const Value* v = n.output(i);
        expr[v] = result + ".values[" + std::to_string(i) + "]";  // unused: for the plan
        if (!used.count(v)) continue;
        std::string var = scope.Make(v->name());
        expr[v] = var;
        os << "  odla_value " << var << " = " << result << ".values[" << i << "];\n";
      }
    } else {
      expr[n.output()] = result;
      os << "  if (!" << result << ") return Fail(" << CString(label) << ");\n";
    }
  }
  os << "\n  // Outputs.\n";
  for (const Value* v : g.outputs())
    os << "  if (odla_SetValueAsOutput(" << ref(v) << ") != ODLA_SUCCESS) return Fail("
       << CString("output '" + v->name() + "'") << ");\n";
  // --dynamic-batch leaves the values' memory to the runtime: their sizes vary.
  std::string plan = m.batch ? "" : MemoryPlanStatements(g, PlanMemory(g), ref, m.comp);
  if (!plan.empty()) m.odla_minor = std::max(m.odla_minor, kOdlaMinorForMemoryPlan);
  os << plan << "  return 0;\n";
  m.build_body = os.str();
}

void PrintParts(Model& m, const Partition& p);

Model Prepare(const Graph& g, const EmitOptions& opts) {
  Model m;
  m.model_path = opts.model_path;
  m.batch = opts.batch_forms;
  const std::string& out = opts.output_cc;
  size_t slash = out.rfind('/');
  std::string file = slash == std::string::npos ? out : out.substr(slash + 1);
  size_t dot = file.rfind('.');
  if (dot == std::string::npos || dot == 0 || file.substr(dot) != ".cc")
    throw Err(out, ": the output file must be named NAME.cc");
  m.file_stem = file.substr(0, dot);
  m.name = opts.entry_func_name.empty() ? CIdentifier(m.file_stem) : opts.entry_func_name;
  if (CIdentifier(m.name) != m.name)
    throw Err("the entry function name '", m.name, "' is not a plain C identifier (try '",
              CIdentifier(m.name), "')");

  CNameScope params;
  for (const char* r : {"ctx", "s", "actual", "Fail", "g_comp", "g_mutex", "g_weights"})
    params.Reserve(r);
  if (m.batch)
    for (const char* r : kDynamicNames) params.Reserve(r);
  for (const std::string& s : {m.name, m.name + "_init", m.name + "_fini", m.name + "_weights"})
    params.Reserve(s);
  for (const Value* v : g.inputs()) m.params.push_back({v, params.Make(v->name()), false, ""});
  for (const Value* v : g.outputs()) {
    m.params.push_back({v, params.Make(v->name()), true, ""});
    if (!v->type().HasDynamicDims()) continue;
    m.params.back().shape_name = params.Make(v->name() + "_shape");
    m.odla_minor = kOdlaMinorForOutputShapes;
    m.output_shapes = true;
  }
  for (const Param& p : m.params) {
    if (!p.value->type().known)
      throw Err(Where(m), "the type of '", p.value->name(), "' is not known");
    OdlaElementTypeName(p.value->type().dtype);  // throws for types ODLA lacks
    m.uses_bool = m.uses_bool || p.value->type().dtype == DataType::kBool;
  }
  m.port_notes = PortNotes(g, m.params);
  if (opts.partition)
    PrintParts(m, *opts.partition);
  else
    PrintBuild(g, m);
  m.precision = OdlaPrecisionName(opts.precision);
  if (!m.precision.empty()) m.odla_minor = std::max(m.odla_minor, kOdlaMinorForPrecision);
  PrintBuild(g, m);
  if (m.weights.size == 0) m.weights.size = kWeightsAlign;  // a symbol of size 0 is odd
  m.weights.size = (m.weights.size + kWeightsAlign - 1) / kWeightsAlign * kWeightsAlign;
  return m;
}

// The C parameters of the entry function with a comment each: the batch size with
// --dynamic-batch, for every input and output its buffer, for an output with data-dependent
// dimensions also its shape array.
std::vector<std::pair<std::string, std::string>> EntryParams(const Model& m) {
  std::vector<std::pair<std::string, std::string>> r;
  if (m.batch) r.push_back({"int64_t batch", "the batch size, at least 1"});
  for (const Param& p : m.params) {
    r.push_back({std::string(p.is_output ? "" : "const ") + DataTypeCName(p.value->type().dtype) +
                     "* " + p.name,
                 std::string(p.is_output ? "output " : "input ") + Describe(m, p.value)});
    if (!p.shape_name.empty())
      r.push_back({"int64_t* " + p.shape_name,
                   "receives the " + std::to_string(p.value->type().Rank()) + " dimensions of '" +
                       CommentText(p.value->name()) + "'"});
  }
  return r;
}

// The entry function's declaration for the header: one parameter a line with its comment.
std::string DocumentedSignature(const Model& m) {
  std::string head = "int " + m.name + "(";
  auto params = EntryParams(m);
  if (params.empty()) return head + "void);";
  std::vector<std::string> decls;
  size_t width = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    decls.push_back(params[i].first + (i + 1 < params.size() ? "," : ");"));
    width = std::max(width, decls.back().size());
  }
  std::string r = head + "\n";
  for (size_t i = 0; i < params.size(); ++i)
    r += "    " + decls[i] + std::string(width - decls[i].size() + 1, ' ') + "/* " +
         params[i].second + " */" + (i + 1 < params.size() ? "\n" : "");
  return r;
}

// The entry function's signature for its definition.
std::string Signature(const Model& m) {
  std::vector<std::string> params;
  for (const auto& p : EntryParams(m)) params.push_back(p.first);
  if (params.empty()) params.push_back("void");
  return Wrap("int " + m.name + "(", params, ") {");
}

std::string Source(const Model& m) {
  return m.model_path.empty() ? "" : " from " + CommentText(m.model_path);
}

std::string Header(const Model& m) {
  std::string guard = "HALO_" + m.name + "_H_";
  for (char& c : guard) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::ostringstream os;
  const std::string& f = m.file_stem;
  os << "/* " << f << ".h: the C interface of model '" << m.name << "'.\n"
     << " * Generated by HALO" << Source(m) << "; do not edit. Link " << f << ".o (from " << f
     << ".cc)\n * and the weights (" << f << ".bin or " << f << "_weights.c) with an ODLA "
     << "runtime (-lodla_ref). */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n";
  if (m.uses_bool) os << "#include <stdbool.h>\n";
  os << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  if (!m.batch) {
    os << "/* Builds the model once (later calls return at once; thread-safe). Returns 0 on\n"
       << " * success, non-zero after printing the ODLA error to stderr. */\n"
       << "int " << m.name << "_init(void);\n\n"
       << "/* Runs the model: reads the inputs, writes the outputs (dense, row-major), in model\n"
       << " * order. Calls " << m.name << "_init() first. Several threads may run it at once.\n"
       << " * Returns 0 on success, non-zero after printing the ODLA error to stderr.";
  } else {
    os << "/* Builds the model for batch size `batch` (at least 1) once: later calls with that\n"
       << " * size return at once; thread-safe. The model keeps one computation per batch size\n"
       << " * until " << m.name
       << "_fini(): with libodla_ref, its operators and shapes (the weights\n"
       << " * are shared, not copied; buffers are allocated per call). Returns 0 on success,\n"
       << " * non-zero after printing the error to stderr. */\n"
       << "int " << m.name << "_init(int64_t batch);\n\n"
       << "/* Runs the model on `batch` samples: reads the inputs, writes the outputs (dense,\n"
       << " * row-major, shapes in terms of `batch`), in model order. Calls " << m.name
       << "_init(batch)\n * first. Several threads may run it at once, with any batch sizes.\n"
       << " * Returns 0 on success, non-zero after printing the error to stderr.";
  }
  if (m.output_shapes)
    os << "\n * An output whose type shows \"<=\" has data-dependent dimensions: its buffer must\n"
       << " * hold the bound, the model writes its actual elements densely from the start and\n"
       << " * their shape to the int64_t array after it.";
  os << " */\n" << DocumentedSignature(m) << "\n\n";
  if (!m.port_notes.empty()) {
    os << "/* The model's sequences and optionals take one parameter per tensor they hold, in\n"
       << " * order (NAME.0, NAME.1, ... of a sequence NAME); their structure is fixed at compile\n"
       << " * time:\n";
    for (size_t i = 0; i < m.port_notes.size(); ++i)
      os << " *   " << m.port_notes[i] << (i + 1 < m.port_notes.size() ? "\n" : " */\n\n");
  }
  if (!m.batch)
    os << "/* Releases the model; " << m.name << "_init() may build it again. No call of " << m.name
       << "()\n * may be running. */\n";
  else
    os << "/* Releases the model at every batch size; " << m.name
       << "_init() may build it again.\n * No call of " << m.name << "() may be running. */\n";
  os << "void " << m.name << "_fini(void);\n\n"
     << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n"
     << "#endif /* " << guard << " */\n";
  return os.str();
}

// The computation and its setup with a batch size fixed at compile time.
void StaticState(std::ostream& os, const Model& m) {
  const std::string& n = m.name;
  os << "static int Init(void) {\n"
     << "  if (g_comp) return 0;\n"
     << "  if (odla_CheckVersion(" << ODLA_VERSION_MAJOR << ", " << m.odla_minor
     << ") != ODLA_SUCCESS) return Fail(\"odla_CheckVersion\");\n"
     << "  if (odla_CreateComputation(&g_comp) != ODLA_SUCCESS) {\n"
     << "    g_comp = nullptr;\n"
     << "    return Fail(\"odla_CreateComputation\");\n  }\n"
     << "  if (" << (m.precision.empty() ? "" : "SetPrecision(g_comp) == 0 && ")
     << "Build() == 0) return 0;\n"
     << "  odla_DestroyComputation(g_comp);\n"
     << "  g_comp = nullptr;\n"
     << "  return 1;\n}\n\n"
     << "int " << n << "_init(void) {\n"
     << "  pthread_mutex_lock(&g_mutex);\n"
     << "  int status = Init();\n"
     << "  pthread_mutex_unlock(&g_mutex);\n"
     << "  return status;\n}\n\n"
     << "void " << n << "_fini(void) {\n"
     << "  pthread_mutex_lock(&g_mutex);\n"
     << "  if (g_comp) odla_DestroyComputation(g_comp);\n"
     << "  g_comp = nullptr;\n"
     << "  pthread_mutex_unlock(&g_mutex);\n}\n\n"
     << Signature(m) << "\n"
     << "  if (" << n << "_init() != 0) return 1;\n";
}

// --dynamic-batch: one computation per batch size, in a list that g_mutex guards.
void DynamicState(std::ostream& os, const Model& m) {
  const std::string& n = m.name;
  os << "// The computation for `batch`, built on first use; nullptr after printing why.\n"
     << "// Needs g_mutex.\n"
     << "static odla_computation Get(int64_t batch) {\n"
     << "  for (Computation* c = g_comps; c; c = c->next)\n"
     << "    if (c->batch == batch) return c->comp;\n"
     << "  odla_computation comp = nullptr;\n"
     << "  if (odla_CheckVersion(" << ODLA_VERSION_MAJOR << ", " << m.odla_minor
     << ") != ODLA_SUCCESS) {\n"
     << "    Fail(\"odla_CheckVersion\");\n"
     << "    return nullptr;\n  }\n"
     << "  if (odla_CreateComputation(&comp) != ODLA_SUCCESS) {\n"
     << "    Fail(\"odla_CreateComputation\");\n"
     << "    return nullptr;\n  }\n"
     << "  if (" << (m.precision.empty() ? "" : "SetPrecision(comp) != 0 || ")
     << "Build(batch) != 0) {\n"
     << "    odla_DestroyComputation(comp);\n"
     << "    return nullptr;\n  }\n"
     << "  g_comps = new Computation{batch, comp, g_comps};\n"
     << "  return comp;\n}\n\n"
     << "// The computation for `batch` (thread-safe); nullptr after printing why.\n"
     << "static odla_computation Lookup(int64_t batch) {\n"
     << "  if (batch < 1) {\n"
     << "    fprintf(stderr, \"" << n << ": the batch size must be at least 1, got %lld\\n\",\n"
     << "            (long long)batch);\n"
     << "    return nullptr;\n  }\n"
     << "  pthread_mutex_lock(&g_mutex);\n"
     << "  odla_computation comp = Get(batch);\n"
     << "  pthread_mutex_unlock(&g_mutex);\n"
     << "  return comp;\n}\n\n"
     << "int " << n << "_init(int64_t batch) { return Lookup(batch) ? 0 : 1; }\n\n"
     << "void " << n << "_fini(void) {\n"
     << "  pthread_mutex_lock(&g_mutex);\n"
     << "  while (g_comps) {\n"
     << "    Computation* c = g_comps;\n"
     << "    g_comps = c->next;\n"
     << "    odla_DestroyComputation(c->comp);\n"
     << "    delete c;\n  }\n"
     << "  pthread_mutex_unlock(&g_mutex);\n}\n\n"
     << Signature(m) << "\n"
     << "  odla_computation comp = Lookup(batch);\n"
     << "  if (!comp) return 1;\n";
}

std::string PartsCode(const Model& m);

std::string Code(const Model& m) {
  if (!m.parts.empty()) return PartsCode(m);
  const std::string& n = m.name;
  std::ostringstream os;
  os << "// " << m.file_stem << ".cc: model '" << n << "' as ODLA calls. Generated by HALO"
     << Source(m) << ";\n"
     << "// do not edit. It runs on any ODLA runtime that implements API version "
     << ODLA_VERSION_MAJOR << "." << m.odla_minor << ".\n"
     << "#include \"" << m.file_stem << ".h\"\n\n"
     << "#include <odla/odla.h>\n"
     << "#include <pthread.h>\n"
     << "#include <stdio.h>\n";
  if (m.uses_limits) os << "\n#include <limits>\n";
  os << "\n// The constants, at 64-byte-aligned offsets (" << m.file_stem << ".bin).\n"
     << "extern \"C\" const unsigned char " << n << "_weights[" << m.weights.size << "];\n"
     << "// Their address, read at run time: a 64-bit pointer reaches weights beyond 2 GB\n"
     << "// whatever the code model.\n"
     << "static const unsigned char* const volatile g_weights = " << n << "_weights;\n\n"
     << "static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;\n";
  if (!m.batch) {
    os << "static odla_computation g_comp = nullptr;  // built by " << n << "_init()\n\n";
  } else {
    os << "// One computation per batch size, built on first use and kept until " << n
       << "_fini().\n"
       << "struct Computation {\n"
       << "  int64_t batch;\n"
       << "  odla_computation comp;\n"
       << "  Computation* next;\n};\n"
       << "static Computation* g_comps = nullptr;\n\n";
  }
  os << "// Prints what failed and the runtime's reason; returns 1.\n"
     << "static int Fail(const char* what) {\n"
     << "  fprintf(stderr, \"" << n << ": %s: %s\\n\", what, odla_GetLastErrorText());\n"
     << "  return 1;\n}\n\n";
  if (!m.precision.empty())
    os << "// --precision: the arithmetic precision requested from the runtime.\n"
       << "static int SetPrecision(odla_computation comp) {\n"
       << "  if (odla_SetComputationPrecision(comp, " << m.precision
       << ") == ODLA_SUCCESS) return 0;\n"
       << "  return Fail(\"odla_SetComputationPrecision\");\n}\n\n";
  if (!m.batch)
    os << "// Adds the model to the current computation.\n"
       << "static int Build(void) {\n";
  else
    os << "// Adds the model for `batch` samples to the current computation.\n"
       << "static int Build(int64_t batch) {\n";
  os << m.build_body << "}\n\n";
  if (!m.batch)
    StaticState(os, m);
  else
    DynamicState(os, m);
  const char* comp = m.batch ? "comp" : "g_comp";
  os << "  // One context per call: calls on several threads do not share buffers.\n"
     << "  odla_context ctx = nullptr;\n"
     << "  if (odla_SetCurrentComputation(" << comp << ") != ODLA_SUCCESS ||\n"
     << "      odla_CreateContext(&ctx) != ODLA_SUCCESS)\n"
     << "    return Fail(\"odla_CreateContext\");\n"
     << "  odla_status s = ODLA_SUCCESS;\n";
  int in = 0, out = 0;
  for (const Param& p : m.params) {
    if (p.is_output)
      os << "  if (s == ODLA_SUCCESS) s = odla_BindToOutput(ctx, " << out++ << ", " << p.name
         << ");\n";
    else
      os << "  if (s == ODLA_SUCCESS) s = odla_BindToArgument(ctx, " << in++ << ", " << p.name
         << ");\n";
  }
  os << "  if (s == ODLA_SUCCESS) s = odla_ExecuteComputation(" << comp << ", ctx);\n";
  if (m.output_shapes)
    os << "  // The actual shapes of the outputs with data-dependent dimensions.\n"
       << "  odla_value_shape actual;\n";
  int out_index = 0;
  for (const Param& p : m.params) {
    if (!p.is_output) continue;
    int index = out_index++;
    if (p.shape_name.empty()) continue;
    os << "  if (s == ODLA_SUCCESS) s = odla_GetOutputShape(ctx, " << index << ", &actual);\n"
       << "  if (s == ODLA_SUCCESS) {\n";
    for (int d = 0; d < p.value->type().Rank(); ++d)
      os << "    " << p.shape_name << "[" << d << "] = actual.dims[" << d << "];\n";
    os << "  }\n";
  }
  os << "  if (s != ODLA_SUCCESS) Fail(\"execution\");\n"
     << "  odla_DestroyContext(ctx);\n"
     << "  return s == ODLA_SUCCESS ? 0 : 1;\n}\n";
  return os.str();
}

// The weights as a C array (--emit-data-as-c), a comment at each constant.
void WriteWeightsC(std::ostream& os, const Model& m, const ProgressFn& progress = {}) {
  std::map<size_t, std::string> notes;
  for (const auto& [node, off] : m.constant_offsets)
    notes[off] += "  /* " + CommentText(node->output()->name()) + ": " +
                  node->output()->type().ToString() + " */\n";
  os << "/* " << m.name << "_weights.c: the constants of model '" << m.name
     << "', generated by HALO" << Source(m) << ";\n"
     << " * do not edit. Each starts at a multiple of 64 bytes. */\n"
     << "#ifdef __cplusplus\n"
     << "extern \"C\" alignas(64)\n"
     << "#elif __STDC_VERSION__ >= 201112L\n"
     << "_Alignas(64)\n"
     << "#else\n"
     << "__attribute__((aligned(64)))\n"
     << "#endif\n"
     << "const unsigned char " << m.name << "_weights[" << m.weights.size << "] = {\n";
  static const char kHex[] = "0123456789abcdef";
  auto piece = m.weights.pieces.begin();
  std::string line;  // "  0x12, 0x34, ..." up to 16 bytes
  auto end_line = [&] {
    if (!line.empty()) os << line << "\n";
    line.clear();
  };
  for (size_t i = 0; i < m.weights.size; ++i) {
    if (i % (size_t{1} << 20) == 0) Report(progress, "emit", "bytes", i, m.weights.size);
    auto note = notes.find(i);
    if (note != notes.end()) {
      end_line();
      os << note->second;
    }
    while (piece != m.weights.pieces.end() && i >= piece->offset + piece->size) ++piece;
    uint8_t b = 0;
    if (piece != m.weights.pieces.end() && i >= piece->offset) b = piece->data[i - piece->offset];
    const char cell[] = {' ', '0', 'x', kHex[b >> 4], kHex[b & 15], ','};
    line.append(line.empty() ? " " : "").append(cell, sizeof(cell));
    if (line.size() == 16 * sizeof(cell) + 1) end_line();
  }
  end_line();
  os << "};\n";
}

// The most bytes of weights --emit-data-as-c writes as C (2 GB: 12 GB of source).
constexpr size_t kMaxWeightsAsC = size_t{1} << 31;

std::string Dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

// ---- --device: one computation per part (docs/heterogeneous.md) ----

// The runtime API prefix of a part's calls: host parts call the renamed host runtime.
const char* Api(bool on_device) { return on_device ? "odla_" : "odla_host_"; }

// Code written for the plain API, turned into calls of the host runtime's renamed one:
// odla_Add( -> odla_host_Add(, Fail( -> FailHost(. Types (odla_value, ...), string
// literals and comments stay.
std::string ForHost(const std::string& code) {
  std::string r;
  bool in_string = false;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (in_string) {
      r += c;
      if (c == '\\' && i + 1 < code.size())
        r += code[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    bool word_start =
        i == 0 || !(std::isalnum(static_cast<unsigned char>(code[i - 1])) || code[i - 1] == '_');
    if (c == '"') {
      in_string = true;
      r += c;
    } else if (code.compare(i, 2, "//") == 0) {  // a comment, to the end of its line
      size_t end = code.find('\n', i);
      if (end == std::string::npos) end = code.size();
      r.append(code, i, end - i);
      i = end - 1;
    } else if (word_start && code.compare(i, 5, "odla_") == 0 && i + 5 < code.size() &&
               std::isupper(static_cast<unsigned char>(code[i + 5]))) {
      r += "odla_host_";
      i += 4;
    } else if (word_start && code.compare(i, 5, "Fail(") == 0) {
      r += "FailHost(";
      i += 4;
    } else {
      r += c;
    }
  }
  return r;
}

void PrintParts(Model& m, const Partition& p) {
  if (m.batch) throw Err(Where(m), "--dynamic-batch cannot be partitioned over devices yet");
  if (m.output_shapes)
    throw Err(Where(m), "an output has data-dependent dimensions: partitioned code cannot ",
              "return its shape yet");
  m.partition = &p;
  for (size_t k = 0; k < p.parts.size(); ++k)
    for (const char* r : {"g_comp_", "Build_", "Run_"}) m.reserved.push_back(r + std::to_string(k));
  for (const char* r : {"FailHost", "Release", "moved", "in", "out"}) m.reserved.push_back(r);
  for (size_t k = 0; k < p.parts.size(); ++k) {
    m.comp = "g_comp_" + std::to_string(k);
    PrintBuild(*p.parts[k].graph, m);
    bool dev = p.parts[k].on_device;
    m.parts.push_back({dev, dev ? m.build_body : ForHost(m.build_body)});
  }
  m.comp = "g_comp";
  m.build_body.clear();
}

std::string PartsCode(const Model& m) {
  const std::string& n = m.name;
  const Partition& p = *m.partition;
  bool host = false, device = false;
  for (const auto& part : m.parts) (part.on_device ? device : host) = true;
  // Where each value that crosses parts lives during a call: the caller's buffers for the
  // model's inputs and outputs, else moved[i].
  std::map<const Value*, std::string> where;
  for (const Param& pa : m.params) where.emplace(pa.value, pa.name);
  std::vector<const Value*> moved;
  for (const Part& part : p.parts)
    for (const Value* v : part.outputs)
      if (!where.count(v)) {
        where[v] = "moved[" + std::to_string(moved.size()) + "].data()";
        moved.push_back(v);
      }
  std::ostringstream os;
  os << "// " << m.file_stem << ".cc: model '" << n << "' as ODLA calls in " << p.parts.size()
     << " parts for device '" << CommentText(p.device) << "'. Generated by HALO" << Source(m)
     << ";\n// do not edit. Device parts call the device runtime (odla_*), host parts the host "
     << "runtime\n// under the names odla_host_* (libodla_ref_host.a); see "
     << "docs/heterogeneous.md. API " << ODLA_VERSION_MAJOR << "." << m.odla_minor << ".\n"
     << "#include \"" << m.file_stem << ".h\"\n\n"
     << "#include <odla/odla.h>\n"
     << "#include <pthread.h>\n"
     << "#include <stdio.h>\n\n"
     << "#include <vector>\n";
  if (m.uses_limits) os << "#include <limits>\n";
  std::set<std::string> host_api = {
      "CheckVersion",   "CreateComputation", "DestroyComputation", "SetCurrentComputation",
      "CreateContext",  "BindToArgument",    "BindToOutput",       "ExecuteComputation",
      "DestroyContext", "GetLastErrorText"};
  for (const auto& part : m.parts) {
    if (part.on_device) continue;
    const std::string& b = part.build_body;
    for (size_t i = b.find("odla_host_"); i != std::string::npos; i = b.find("odla_host_", i)) {
      i += 10;
      size_t e = i;
      while (e < b.size() && (std::isalnum(static_cast<unsigned char>(b[e])) || b[e] == '_')) ++e;
      host_api.insert(b.substr(i, e - i));
    }
  }
  if (host) {
    os << "\n// The host runtime's API: the plain one's declarations under its names.\n"
       << "extern \"C\" {\n";
    for (const std::string& f : host_api)
      os << "decltype(odla_" << f << ") odla_host_" << f << ";\n";
    os << "}\n";
  }
  os << "\n// The constants, at 64-byte-aligned offsets (" << m.file_stem << ".bin).\n"
     << "extern \"C\" const unsigned char " << n << "_weights[" << m.weights.size << "];\n"
     << "static const unsigned char* const volatile g_weights = " << n << "_weights;\n\n"
     << "static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;\n"
     << "// One computation per part, built by " << n << "_init().\n";
  for (size_t k = 0; k < m.parts.size(); ++k)
    os << "static odla_computation g_comp_" << k << " = nullptr;  // part " << k << " ("
       << (m.parts[k].on_device ? "device" : "host") << ")\n";
  os << "\n";
  if (device)
    os << "// Prints what failed and the device runtime's reason; returns 1.\n"
       << "static int Fail(const char* what) {\n"
       << "  fprintf(stderr, \"" << n << ": %s: %s\\n\", what, odla_GetLastErrorText());\n"
       << "  return 1;\n}\n\n";
  if (host)
    os << "// Prints what failed and the host runtime's reason; returns 1.\n"
       << "static int FailHost(const char* what) {\n"
       << "  fprintf(stderr, \"" << n << ": %s: %s\\n\", what, odla_host_GetLastErrorText());\n"
       << "  return 1;\n}\n\n";
  for (size_t k = 0; k < m.parts.size(); ++k) {
    const Part& part = p.parts[k];
    os << "// Adds part " << k << " (" << (part.on_device ? "device" : "host") << ", "
       << part.nodes.size() << " operators) to the current computation.\n"
       << "static int Build_" << k << "(void) {\n"
       << m.parts[k].build_body << "}\n\n";
  }
  os << "// Destroys the parts' computations.\n"
     << "static void Release(void) {\n";
  for (size_t k = 0; k < m.parts.size(); ++k)
    os << "  if (g_comp_" << k << ") " << Api(m.parts[k].on_device) << "DestroyComputation(g_comp_"
       << k << ");\n"
       << "  g_comp_" << k << " = nullptr;\n";
  os << "}\n\n"
     << "static int Init(void) {\n"
     << "  if (g_comp_0) return 0;\n";
  for (size_t k = 0; k < m.parts.size(); ++k) {
    const char* api = Api(m.parts[k].on_device);
    const char* fail = m.parts[k].on_device ? "Fail" : "FailHost";
    os << "  if (" << api << "CheckVersion(" << ODLA_VERSION_MAJOR << ", " << m.odla_minor
       << ") != ODLA_SUCCESS) {\n"
       << "    Release();\n"
       << "    return " << fail << "(\"odla_CheckVersion\");\n  }\n"
       << "  if (" << api << "CreateComputation(&g_comp_" << k << ") != ODLA_SUCCESS) {\n"
       << "    g_comp_" << k << " = nullptr;\n"
       << "    Release();\n"
       << "    return " << fail << "(\"odla_CreateComputation\");\n  }\n"
       << "  if (Build_" << k << "() != 0) {\n"
       << "    Release();\n"
       << "    return 1;\n  }\n";
  }
  os << "  return 0;\n}\n\n"
     << "int " << n << "_init(void) {\n"
     << "  pthread_mutex_lock(&g_mutex);\n"
     << "  int status = Init();\n"
     << "  pthread_mutex_unlock(&g_mutex);\n"
     << "  return status;\n}\n\n"
     << "void " << n << "_fini(void) {\n"
     << "  pthread_mutex_lock(&g_mutex);\n"
     << "  Release();\n"
     << "  pthread_mutex_unlock(&g_mutex);\n}\n\n";
  for (size_t k = 0; k < m.parts.size(); ++k) {
    const Part& part = p.parts[k];
    const char* api = Api(part.on_device);
    const char* fail = part.on_device ? "Fail" : "FailHost";
    os << "// Runs part " << k << ": binds its inputs and outputs, in order, and executes it.\n"
       << "static int Run_" << k << "(const void* const* in, void* const* out) {\n"
       << "  odla_context ctx = nullptr;\n"
       << "  if (" << api << "SetCurrentComputation(g_comp_" << k << ") != ODLA_SUCCESS ||\n"
       << "      " << api << "CreateContext(&ctx) != ODLA_SUCCESS)\n"
       << "    return " << fail << "(\"odla_CreateContext\");\n"
       << "  odla_status s = ODLA_SUCCESS;\n";
    for (size_t i = 0; i < part.inputs.size(); ++i)
      os << "  if (s == ODLA_SUCCESS) s = " << api << "BindToArgument(ctx, " << i << ", in[" << i
         << "]);\n";
    for (size_t i = 0; i < part.outputs.size(); ++i)
      os << "  if (s == ODLA_SUCCESS) s = " << api << "BindToOutput(ctx, " << i << ", out[" << i
         << "]);\n";
    os << "  if (s == ODLA_SUCCESS) s = " << api << "ExecuteComputation(g_comp_" << k << ", ctx);\n"
       << "  if (s != ODLA_SUCCESS) " << fail << "(\"execution of part " << k << "\");\n"
       << "  " << api << "DestroyContext(ctx);\n"
       << "  return s == ODLA_SUCCESS ? 0 : 1;\n}\n\n";
  }
  os << Signature(m) << "\n"
     << "  if (" << n << "_init() != 0) return 1;\n";
  if (!moved.empty()) {
    os << "  // The values that cross parts, " << moved.size() << " buffers per call.\n"
       << "  std::vector<unsigned char> moved[" << moved.size() << "] = {";
    for (size_t i = 0; i < moved.size(); ++i)
      os << (i ? ", " : "") << "std::vector<unsigned char>(" << moved[i]->type().ByteSize() << ")";
    os << "};\n";
  }
  for (size_t k = 0; k < p.parts.size(); ++k) {
    const Part& part = p.parts[k];
    os << "  {  // part " << k << "\n    const void* in[] = {";
    for (const Value* v : part.inputs) os << where.at(v) << ", ";
    os << "nullptr};\n    void* out[] = {";
    for (const Value* v : part.outputs) os << where.at(v) << ", ";
    os << "nullptr};\n"
       << "    if (Run_" << k << "(in, out) != 0) return 1;\n  }\n";
  }
  os << "  return 0;\n}\n";
  return os.str();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> EmitCppSources(const Graph& g,
                                                                const EmitOptions& opts) {
  Model m = Prepare(g, opts);
  std::vector<std::pair<std::string, std::string>> r = {{m.file_stem + ".h", Header(m)},
                                                        {m.file_stem + ".cc", Code(m)}};
  if (opts.emit_data_as_c) {
    std::ostringstream os;
    WriteWeightsC(os, m);
    r.push_back({m.file_stem + "_weights.c", os.str()});
  }
  return r;
}

void EmitCpp(const Graph& g, const EmitOptions& opts) {
  Model m = Prepare(g, opts);
  if (opts.emit_data_as_c && m.weights.size > kMaxWeightsAsC)
    throw Err(Where(m), "--emit-data-as-c: the weights are ", m.weights.size,
              " bytes; a C array over 2 GB is impractical to compile (and to address in the ",
              "default code model): leave the weights in the ELF object NAME.bin");
  std::string header = Header(m), code = Code(m);
  std::string base = Dir(opts.output_cc) + m.file_stem;
  FileSet files;
  files.Add(base + ".h") << header;
  files.Add(opts.output_cc) << code;
  if (opts.emit_data_as_c)
    WriteWeightsC(files.Add(base + "_weights.c"), m, opts.progress);
  else
    WriteElfObject(files.Add(base + ".bin"), m.name + "_weights", m.weights, opts.progress);
  files.Commit();
}

}  // namespace halo
