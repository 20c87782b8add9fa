// The C++ target's driver: prepares the model (parameters, Build()'s body, weights) and
// writes the files.
#include "targets/cpp_emitter.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "ir/error.h"
#include "targets/c_literals.h"
#include "targets/c_memory_plan.h"
#include "targets/c_names.h"
#include "targets/cpp_emitter_model.h"
#include "targets/elf_writer.h"
#include "targets/file_set.h"
#include "targets/lowering.h"

namespace halo {
namespace cpp_emit {
namespace {

// The names the generated code defines besides the entry points.
const char* const kStaticNames[] = {"Fail",    "Build",     "Init",        "g_comp",
                                    "g_mutex", "g_weights", "SetPrecision"};
const char* const kDynamicNames[] = {"batch", "comp", "Computation", "g_comps", "Get", "Lookup"};
// The prefix of the plain API's functions (OdlaCall::func).
const std::string kOdlaPrefix = "odla_";

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

// "  if (COND) return CALL;", the return on a line of its own where the statement is over
// 100 columns (as clang-format puts it).
std::string IfReturn(const std::string& cond, const std::string& call) {
  std::string line = "  if (" + cond + ") return " + call + ";";
  if (line.size() <= 100) return line + "\n";
  return "  if (" + cond + ")\n    return " + call + ";\n";
}

}  // namespace

std::string Where(const Model& m) { return m.model_path.empty() ? "" : m.model_path + ": "; }

std::string Source(const Model& m) {
  return m.model_path.empty() ? "" : " from " + CommentText(m.model_path);
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
  if (!g.states().empty()) scope.Reserve(m.name + "_reset");
  for (const Param& p : m.params)
    if (p.state >= 0) scope.Reserve(p.name);
  if (!g.states().empty())
    for (const char* r : {"ResetStates", "memcpy"}) scope.Reserve(r);

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
  // The runtime function NAME as this computation calls it.
  m.api_calls.clear();
  auto api = [&m](const std::string& name) {
    m.api_calls.insert(name);
    return m.api + name;
  };
  const std::string& fail = m.fail;
  std::ostringstream os;

  bool first_const = true;
  if (!g.inputs().empty()) os << "  // Inputs.\n";
  auto check_rank = [&m](const Type& t, const std::string& label) {
    try {
      CheckOdlaRank(t);
    } catch (const Error& e) {
      throw Err(Where(m), label, ": ", e.what());
    }
  };
  for (const Value* v : g.inputs()) {
    check_rank(v->type(), "input '" + v->name() + "'");
    std::string var = scope.Make(v->name());
    expr[v] = var;
    const auto& dims = m.batch ? m.batch->DimsOf(v) : kNoDims;
    os << Wrap("  odla_value " + var + " = " + api("CreateArgument") + "(",
               {TypeLit(v->type(), dims), CString(v->name())}, ");")
       << "\n";
    os << IfReturn("!" + var, fail + "(" + CString("input '" + v->name() + "'") + ")");
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
      check_rank(t.type(), "constant '" + v->name() + "'");
      size_t off = m.weights.Append(t.bytes(), t.byte_size(), kWeightsAlign);
      m.constant_offsets[&n] = off;
      os << Wrap("  odla_value " + var + " = " + api("CreateConstant") + "(",
                 {TypeLit(t.type()), "g_weights + " + std::to_string(off), CString(v->name())},
                 ");")
         << "\n";
      os << IfReturn("!" + var, fail + "(" + CString("constant '" + v->name() + "'") + ")");
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
                   " = " + api(call.func.substr(kOdlaPrefix.size())) + "(",
               args, ");")
       << "\n";
    if (call.multi_result) {
      os << IfReturn(result + ".size != " + std::to_string(n.num_outputs()),
                     fail + "(" + CString(label) + ")");
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
      os << IfReturn("!" + result, fail + "(" + CString(label) + ")");
    }
  }
  os << "\n  // Outputs.\n";
  for (const Value* v : g.outputs())
    os << IfReturn(api("SetValueAsOutput") + "(" + ref(v) + ") != ODLA_SUCCESS",
                   fail + "(" + CString("output '" + v->name() + "'") + ")");
  // --dynamic-batch leaves the values' memory to the runtime: their sizes vary.
  std::string plan = m.batch ? "" : MemoryPlanStatements(g, PlanMemory(g), ref, m.comp, api, fail);
  if (!plan.empty()) m.odla_minor = std::max(m.odla_minor, kOdlaMinorForMemoryPlan);
  os << plan << "  return 0;\n";
  m.build_body = os.str();
}

namespace {

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
  if (opts.partition)
    for (const std::string& r : PartsNames(*opts.partition)) params.Reserve(r);
  for (const std::string& s : {m.name, m.name + "_init", m.name + "_fini", m.name + "_weights"})
    params.Reserve(s);
  if (!g.states().empty())
    for (const std::string& s :
         {m.name + "_reset", std::string("ResetStates"), std::string("memcpy")})
      params.Reserve(s);
  g.CheckStates();
  if (!g.states().empty() && (m.batch || opts.partition))
    throw Err(Where(m), "the model has state that persists across calls (", g.states().size(),
              " TFLite variable tensors), which ",
              m.batch ? "--dynamic-batch" : "a partitioned model (--device)", " does not support");
  // A state's input and output are its static buffers (cpp_emitter_state.cc).
  auto state_buffer = [&](size_t k, bool next) {
    return params.Make("g_state" + std::to_string(k) + (next ? "_next" : ""));
  };
  for (size_t i = 0; i < g.inputs().size(); ++i) {
    const Value* v = g.inputs()[i];
    if (i < g.num_model_inputs()) {
      m.params.push_back({v, params.Make(v->name()), false, ""});
      continue;
    }
    size_t k = i - g.num_model_inputs();
    m.params.push_back({v, state_buffer(k, false), false, "", static_cast<int>(k)});
  }
  for (size_t i = 0; i < g.outputs().size(); ++i) {
    const Value* v = g.outputs()[i];
    if (i >= g.num_model_outputs()) {
      size_t k = i - g.num_model_outputs();
      if (v->type().HasDynamicDims())
        throw Err(Where(m), "state '", g.states()[k].name, "' has a data-dependent shape");
      m.params.push_back({v, state_buffer(k, true), true, "", static_cast<int>(k)});
      continue;
    }
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
  for (size_t k = 0; k < g.states().size(); ++k) {
    const Tensor& t = g.states()[k].initial;
    StateCode s;
    s.name = g.states()[k].name;
    for (const Param& p : m.params)
      if (p.state == static_cast<int>(k)) (p.is_output ? s.next : s.buffer) = p.name;
    s.ctype = DataTypeCName(t.type().dtype);
    s.elements = std::max<int64_t>(t.type().NumElements(), 1);
    s.bytes = t.byte_size();
    s.offset = m.weights.Append(t.bytes(), t.byte_size(), kWeightsAlign);
    m.states.push_back(s);
  }
  m.precision = OdlaPrecisionName(opts.precision);
  m.odla_minor = std::max(m.odla_minor, OdlaMinorForPrecision(opts.precision));
  for (const auto& n : g.nodes()) m.odla_minor = std::max(m.odla_minor, n->def().odla_minor);
  if (m.weights.size == 0) m.weights.size = kWeightsAlign;  // a symbol of size 0 is odd
  m.weights.size = (m.weights.size + kWeightsAlign - 1) / kWeightsAlign * kWeightsAlign;
  return m;
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

}  // namespace
}  // namespace cpp_emit

using cpp_emit::Code;
using cpp_emit::Dir;
using cpp_emit::Header;
using cpp_emit::kMaxWeightsAsC;
using cpp_emit::Model;
using cpp_emit::Prepare;
using cpp_emit::Where;
using cpp_emit::WriteWeightsC;

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
