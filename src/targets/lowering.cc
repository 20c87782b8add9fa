#include "targets/lowering.h"

#include <algorithm>
#include <sstream>

namespace halo {

static const char* AttrCType(AttrKind k) {
  switch (k) {
    case AttrKind::kInt:
      return "odla_int64";
    case AttrKind::kFloat:
      return "odla_float32";
    case AttrKind::kString:
      return "const char*";
    case AttrKind::kInts:
      return "odla_ints";
    case AttrKind::kFloats:
      return "odla_floats";
    case AttrKind::kDType:
      return "odla_element_type";
    case AttrKind::kTensor:
    case AttrKind::kStrings:
      break;
  }
  return nullptr;
}

std::vector<OdlaParam> OdlaParams(const OpDef& d) {
  std::vector<OdlaParam> p;
  for (const InputSpec& in : d.inputs)
    if (in.lowered) p.push_back({in.variadic ? "odla_values" : "odla_value", in.name});
  for (const AttrSpec& a : d.attrs) {
    if (!a.lowered) continue;
    const char* t = AttrCType(a.kind);
    if (!t) throw Err("op ", d.name, ": tensor attribute '", a.name, "' cannot be lowered");
    p.push_back({t, a.name});
  }
  if (d.multi_result())
    p.push_back({"odla_value_types", "result_types"});
  else
    p.push_back({"odla_value_type", "result_type"});
  p.push_back({"odla_value_id", "id"});
  return p;
}

std::string OdlaReturnType(const OpDef& d) {
  return d.multi_result() ? "odla_values" : "odla_value";
}

static std::string Wrap(const std::string& text, const std::string& prefix) {
  std::ostringstream os;
  std::istringstream words(text);
  std::string w, line;
  while (words >> w) {
    if (!line.empty() && line.size() + w.size() + 1 + prefix.size() > 92) {
      os << prefix << line << "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + w;
  }
  if (!line.empty()) os << prefix << line << "\n";
  return os.str();
}

std::string OdlaDeclaration(const OpDef& d) {
  std::ostringstream doc;
  doc << d.name << ": " << d.doc;
  for (const InputSpec& in : d.inputs) {
    if (!in.lowered || (in.doc.empty() && !in.optional && !in.variadic)) continue;
    doc << " `" << in.name << "`" << (in.optional ? " (optional, may be NULL)" : "")
        << (in.variadic ? " (a list)" : "") << (in.doc.empty() ? "" : ": " + in.doc) << ".";
  }
  for (const AttrSpec& a : d.attrs)
    if (a.lowered && !a.doc.empty()) doc << " `" << a.name << "`: " << a.doc << ".";
  if (d.multi_result()) {
    doc << " Results:";
    for (size_t i = 0; i < d.outputs.size(); ++i) doc << (i ? ", " : " ") << d.outputs[i];
    doc << ".";
  }
  std::ostringstream os;
  os << "/*\n" << Wrap(doc.str(), " * ") << " */\n";
  // Parameters fill lines of up to 100 columns, continuation lines aligned after '('.
  std::string line = OdlaReturnType(d) + " odla_" + d.name + "(";
  const std::string indent(line.size(), ' ');
  auto params = OdlaParams(d);
  for (size_t i = 0; i < params.size(); ++i) {
    std::string p = params[i].ctype + " " + params[i].name;
    p += i + 1 < params.size() ? "," : ");";
    if (line.size() + 1 + p.size() > 100 && line.size() > indent.size()) {
      os << line << "\n";
      line = indent;
    } else if (line.size() > indent.size()) {
      line += " ";
    }
    line += p;
  }
  os << line << "\n";
  return os.str();
}

std::string OdlaPrecisionName(Precision p) {
  switch (p) {
    case Precision::kBf16:
      return "ODLA_PRECISION_BF16";
    case Precision::kTf32:
      return "ODLA_PRECISION_TF32";
    case Precision::kFp32:
      break;
  }
  return "";
}

int OdlaMinorForPrecision(Precision p) {
  switch (p) {
    case Precision::kBf16:
      return 3;
    case Precision::kTf32:
      return 4;
    case Precision::kFp32:
      break;
  }
  return 0;
}

const char* PrecisionName(Precision p) {
  switch (p) {
    case Precision::kBf16:
      return "bf16";
    case Precision::kTf32:
      return "tf32";
    case Precision::kFp32:
      break;
  }
  return "fp32";
}

Precision ParsePrecision(const std::string& s) {
  if (s == "fp32") return Precision::kFp32;
  if (s == "bf16") return Precision::kBf16;
  if (s == "tf32") return Precision::kTf32;
  throw Err("unknown precision '", s, "' (known: fp32, bf16, tf32)");
}

const char* OdlaElementTypeName(DataType t) {
  switch (t) {
    case DataType::kFloat32:
      return "ODLA_FLOAT32";
    case DataType::kFloat64:
      return "ODLA_FLOAT64";
    case DataType::kInt8:
      return "ODLA_INT8";
    case DataType::kUInt8:
      return "ODLA_UINT8";
    case DataType::kInt16:
      return "ODLA_INT16";
    case DataType::kUInt16:
      return "ODLA_UINT16";
    case DataType::kInt32:
      return "ODLA_INT32";
    case DataType::kUInt32:
      return "ODLA_UINT32";
    case DataType::kInt64:
      return "ODLA_INT64";
    case DataType::kUInt64:
      return "ODLA_UINT64";
    case DataType::kBool:
      return "ODLA_BOOL";
    case DataType::kFloat16:
      return "ODLA_FLOAT16";
    case DataType::kBFloat16:
      return "ODLA_BFLOAT16";
    default:
      throw Err("no ODLA element type for ", DataTypeName(t));
  }
}

bool LowersInput(const OpDef& d, size_t i) {
  if (d.inputs.empty()) return false;
  if (i >= d.inputs.size() && !d.inputs.back().variadic) return false;
  return d.inputs[std::min(i, d.inputs.size() - 1)].lowered;
}

std::set<const Value*> RuntimeValues(const Graph& g) {
  std::set<const Value*> r(g.inputs().begin(), g.inputs().end());
  r.insert(g.outputs().begin(), g.outputs().end());
  for (const auto& n : g.nodes())
    for (size_t i = 0; i < n->num_inputs(); ++i)
      if (n->input(i) && LowersInput(n->def(), i)) r.insert(n->input(i));
  return r;
}

void CheckOdlaRank(const Type& t) {
  if (t.Rank() > static_cast<int>(kOdlaMaxDims))
    throw Err("type ", t.ToString(), " has rank ", t.Rank(), "; ODLA supports up to ",
              kOdlaMaxDims);
}

OdlaCall LowerNode(const Node& n, const BatchForms* batch) {
  const OpDef& d = n.def();
  if (!d.lowered) throw Err("op ", d.name, " has no ODLA builder");
  OdlaCall c;
  c.func = "odla_" + d.name;
  c.id = n.output(0)->name().empty() ? n.name() : n.output(0)->name();
  c.multi_result = d.multi_result();
  for (size_t i = 0; i < d.inputs.size(); ++i) {
    const InputSpec& in = d.inputs[i];
    if (!in.lowered) continue;
    OdlaArg a;
    a.param = in.name;
    if (in.variadic) {
      a.kind = OdlaArg::Kind::kValues;
      for (size_t j = i; j < n.num_inputs(); ++j) a.values.push_back(n.input(j));
      if (a.values.size() > kOdlaMaxValues)
        throw Err("input '", in.name, "' has ", a.values.size(), " values; ODLA takes at most ",
                  kOdlaMaxValues);
    } else {
      a.kind = OdlaArg::Kind::kValue;
      a.value = n.input(i);
    }
    c.args.push_back(std::move(a));
  }
  for (const AttrSpec& s : d.attrs) {
    if (!s.lowered) continue;
    OdlaArg a;
    a.param = s.name;
    switch (s.kind) {
      case AttrKind::kInt:
        a.kind = OdlaArg::Kind::kInt, a.i = n.GetInt(s.name);
        break;
      case AttrKind::kDType:
        a.kind = OdlaArg::Kind::kDType, a.i = n.GetInt(s.name);
        break;
      case AttrKind::kFloat:
        a.kind = OdlaArg::Kind::kFloat, a.f = n.GetFloat(s.name);
        break;
      case AttrKind::kString:
        a.kind = OdlaArg::Kind::kString, a.s = n.GetString(s.name);
        break;
      case AttrKind::kInts:
        a.kind = OdlaArg::Kind::kInts, a.ints = n.GetInts(s.name);
        break;
      case AttrKind::kFloats:
        a.kind = OdlaArg::Kind::kFloats, a.floats = n.GetFloats(s.name);
        break;
      case AttrKind::kTensor:
      case AttrKind::kStrings:
        throw Err("tensor or string-list attribute '", s.name, "' cannot be lowered");
    }
    if (batch) a.batch_ints = batch->AttrOf(&n, s.name);
    if (a.kind == OdlaArg::Kind::kInts && a.ints.size() > kOdlaMaxInts)
      throw Err("attribute '", s.name, "' has ", a.ints.size(), " entries; ODLA takes at most ",
                kOdlaMaxInts);
    if (a.kind == OdlaArg::Kind::kFloats && a.floats.size() > kOdlaMaxInts)
      throw Err("attribute '", s.name, "' has ", a.floats.size(), " entries; ODLA takes at most ",
                kOdlaMaxInts);
    c.args.push_back(std::move(a));
  }
  OdlaArg r;
  r.kind = c.multi_result ? OdlaArg::Kind::kTypes : OdlaArg::Kind::kType;
  r.param = c.multi_result ? "result_types" : "result_type";
  if (n.num_outputs() > kOdlaMaxValues)
    throw Err(n.num_outputs(), " results; ODLA takes at most ", kOdlaMaxValues);
  for (size_t i = 0; i < n.num_outputs(); ++i) {
    const Type& t = n.output(i)->type();
    try {
      CheckOdlaRank(t);
    } catch (const Error& e) {
      throw Err("result ", i, ": ", e.what());
    }
    OdlaElementTypeName(t.dtype);
    r.types.push_back(t);
    if (batch) r.batch_dims.push_back(batch->DimsOf(n.output(i)));
  }
  c.args.push_back(std::move(r));
  return c;
}

}  // namespace halo
