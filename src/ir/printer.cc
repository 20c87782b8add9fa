#include "ir/printer.h"

#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "ir/op_registry.h"

namespace halo {
namespace {

constexpr int64_t kMaxShownElements = 8;

bool PlainName(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-' &&
        c != '/' && c != ':')
      return false;
  return true;
}

std::string Quote(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      r += '\\', r += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      r += buf;
    } else {
      r += c;
    }
  }
  return r + "\"";
}

std::string Num(double d) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.7g", d);
  return buf;
}

// The elements of a tiny tensor ("[1, 2]", "3" for a scalar), "" for a bigger one.
std::string Elements(const Tensor& t) {
  if (t.type().NumElements() > kMaxShownElements || !t.bytes()) return "";
  std::ostringstream os;
  bool list = t.type().Rank() > 0;
  if (list) os << "[";
  for (int64_t i = 0; i < t.type().NumElements(); ++i) {
    os << (i ? ", " : "");
    if (IsFloat(t.type().dtype))
      os << Num(t.GetDouble(i));
    else if (t.type().dtype == DataType::kBool)
      os << (t.GetInt(i) ? "true" : "false");
    else
      os << t.GetInt(i);
  }
  if (list) os << "]";
  return os.str();
}

std::string TensorText(const Tensor& t) {
  std::string e = Elements(t);
  return "<" + t.type().ToString() + (e.empty() ? "" : " " + e) + ">";
}

std::string AttrText(const Node& n, const std::string& key, const AttrValue& v) {
  const AttrSpec* spec = n.def().FindAttr(key);
  std::ostringstream os;
  if (const auto* i = std::get_if<int64_t>(&v)) {
    if (spec && spec->kind == AttrKind::kDType)
      os << DataTypeName(static_cast<DataType>(*i));
    else
      os << *i;
  } else if (const auto* f = std::get_if<double>(&v)) {
    os << Num(*f);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    os << Quote(*s);
  } else if (const auto* is = std::get_if<std::vector<int64_t>>(&v)) {
    os << "[";
    for (size_t k = 0; k < is->size(); ++k) os << (k ? ", " : "") << (*is)[k];
    os << "]";
  } else if (const auto* fs = std::get_if<std::vector<double>>(&v)) {
    os << "[";
    for (size_t k = 0; k < fs->size(); ++k) os << (k ? ", " : "") << Num((*fs)[k]);
    os << "]";
  } else if (const auto* t = std::get_if<Tensor>(&v)) {
    os << TensorText(*t);
  } else if (const auto* ss = std::get_if<std::vector<std::string>>(&v)) {
    os << "[";
    for (size_t k = 0; k < ss->size(); ++k) os << (k ? ", " : "") << Quote((*ss)[k]);
    os << "]";
  }
  return os.str();
}

// Unique printable names for values: the value's name when it has one.
class Names {
 public:
  const std::string& Of(const Value* v) {
    auto it = names_.find(v);
    if (it != names_.end()) return it->second;
    std::string base =
        v->name().empty() ? v->producer()->name() + "." + std::to_string(v->index()) : v->name();
    std::string name = base;
    for (int i = 1; used_.count(name); ++i) name = base + "." + std::to_string(i);
    used_.insert(name);
    return names_[v] = "%" + (PlainName(name) ? name : Quote(name));
  }
  std::string Ref(const Value* v) { return v ? Of(v) : "_"; }

 private:
  std::map<const Value*, std::string> names_;
  std::set<std::string> used_;
};

}  // namespace

std::string PrintGraph(const Graph& g) {
  Names names;
  std::ostringstream os;
  os << "graph " << (PlainName(g.name()) ? g.name() : Quote(g.name())) << " {\n";
  for (const Value* v : g.inputs())
    os << "  input " << names.Of(v) << ":" << v->type().ToString() << "\n";
  for (const auto& up : g.nodes()) {
    const Node& n = *up;
    if (n.op() == "Input") continue;
    std::ostringstream line;
    if (n.op() == "Constant") {
      line << "  const " << names.Of(n.output()) << ":" << n.output()->type().ToString();
      std::string e = n.has_attr("value") ? Elements(n.GetTensor("value")) : "";
      if (!e.empty()) line << " = " << e;
    } else {
      line << "  ";
      for (size_t i = 0; i < n.num_outputs(); ++i)
        line << (i ? ", " : "") << names.Of(n.output(i)) << ":" << n.output(i)->type().ToString();
      line << " = " << n.op() << "(";
      for (size_t i = 0; i < n.num_inputs(); ++i) line << (i ? ", " : "") << names.Ref(n.input(i));
      line << ")";
      if (!n.attrs().empty()) {
        line << " {";
        bool first = true;
        for (const auto& [k, v] : n.attrs()) {
          line << (first ? "" : ", ") << k << "=" << AttrText(n, k, v);
          first = false;
        }
        line << "}";
      }
    }
    os << line.str() << "  # " << (PlainName(n.name()) ? n.name() : Quote(n.name())) << "\n";
  }
  for (const Value* v : g.outputs()) os << "  output " << names.Of(v) << "\n";
  os << "}\n";
  return os.str();
}

}  // namespace halo
