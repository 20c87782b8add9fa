#include "targets/c_literals.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "targets/cpp_emitter.h"
#include "targets/lowering.h"

namespace halo {

// A C string literal.
std::string CString(const std::string& s) {
  std::string r = "\"";
  char prev = 0;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      r += '\\', r += c;
    } else if (c == '?' && prev == '?') {
      r += "\\?";  // no trigraphs
    } else if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\%03o", u);
      r += buf;
    } else {
      r += c;
    }
    prev = c;
  }
  return r + "\"";
}

// Text safe inside a /* */ or // comment on one line.
std::string CommentText(const std::string& s) {
  std::string r;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || (c == '/' && !r.empty() && r.back() == '*') || (c == '\\'))
      r += '?';
    else
      r += c;
  }
  return r;
}

std::string IntLit(int64_t v) {
  if (v == std::numeric_limits<int64_t>::min()) return "INT64_MIN";
  return std::to_string(v);
}

std::string FloatLit(double d) {
  float f = static_cast<float>(d);
  if (std::isnan(f)) return "std::numeric_limits<float>::quiet_NaN()";
  if (std::isinf(f))
    return std::string(f < 0 ? "-" : "") + "std::numeric_limits<float>::infinity()";
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.9g", f);
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s + "f";
}

// scale * batch + offset as a C expression: "batch", "4 * batch", "2 * batch + 1".
std::string BatchExpr(const BatchAffine& f) {
  if (f.scale == 0) return IntLit(f.offset);
  std::string r = f.scale == 1 ? "batch" : IntLit(f.scale) + " * batch";
  if (f.offset > 0) r += " + " + IntLit(f.offset);
  if (f.offset < 0) r += " - " + std::to_string(-static_cast<uint64_t>(f.offset));
  return r;
}

const std::map<int, BatchAffine> kNoDims = {};

// An odla_value_type; with --dynamic-batch, `dims` gives the dimensions that depend on it.
std::string TypeLit(const Type& t, const std::map<int, BatchAffine>& dims) {
  std::ostringstream os;
  os << "odla_value_type{" << OdlaElementTypeName(t.dtype) << ", {" << t.Rank() << ", {";
  for (int i = 0; i < t.Rank(); ++i) {
    auto f = dims.find(i);
    os << (i ? ", " : "") << (f == dims.end() ? IntLit(t.shape[i]) : BatchExpr(f->second));
  }
  os << "}}}";
  return os.str();
}

// A type for comments: "f32[2x3]", with --dynamic-batch "f32[batch x 3]", "f32[4*batch x 6]".
std::string TypeText(const Type& t, const std::map<int, BatchAffine>& dims) {
  if (dims.empty()) return t.ToString();
  std::string r = std::string(DataTypeName(t.dtype)) + "[";
  for (int i = 0; i < t.Rank(); ++i) {
    auto f = dims.find(i);
    std::string d = f == dims.end() ? std::to_string(t.shape[i]) : BatchExpr(f->second);
    d.erase(std::remove(d.begin(), d.end(), ' '), d.end());
    r += (i ? " x " : "") + d;
  }
  return r + "]";
}

std::string ListLit(const char* type, const std::vector<std::string>& items) {
  std::ostringstream os;
  os << type << "{" << items.size() << ", {";
  for (size_t i = 0; i < items.size(); ++i) os << (i ? ", " : "") << items[i];
  os << "}}";
  return os.str();
}

namespace {

constexpr size_t kColumns = 100;

// Wrap's layout: the items after `head` (on the next line with `break_head`), continuation
// lines at `indent`; `over` says whether a line is over kColumns.
std::string Pack(const std::string& head, bool break_head, const std::string& indent,
                 const std::vector<std::string>& items, const std::string& tail, bool* over) {
  std::string r = head, line = head;
  if (break_head) {
    r += "\n" + indent;
    line = indent;
  }
  *over = false;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item = items[i] + (i + 1 < items.size() ? "," : tail);
    bool first = i == 0;
    if (!first && line.size() + 1 + item.size() > kColumns) {
      r += "\n" + indent;
      line = indent;
    } else if (!first) {
      r += " ";
      line += " ";
    }
    r += item;
    line += item;
    *over = *over || line.size() > kColumns;
  }
  if (items.empty()) r += tail;
  return r;
}

}  // namespace

// Aligned with the parenthesis (8 columns in after a long head); where that is too wide or
// not aligned, 4 columns into the statement.
std::string Wrap(const std::string& head, const std::vector<std::string>& items,
                 const std::string& tail) {
  bool over = false, aligned = head.size() <= 50;
  std::string r =
      Pack(head, false, std::string(aligned ? head.size() : 8, ' '), items, tail, &over);
  bool wrapped = r.find('\n') != std::string::npos;
  if (items.empty() || !(over || (wrapped && !aligned))) return r;
  size_t statement = head.find_first_not_of(' ');  // the column the statement starts at
  std::string indent((statement == std::string::npos ? 0 : statement) + 4, ' ');
  return Pack(head, true, indent, items, tail, &over);
}

namespace {

template <typename T, typename F>
std::string ListLit(const char* type, const std::vector<T>& v, F item) {
  std::vector<std::string> items;
  for (size_t i = 0; i < v.size(); ++i) items.push_back(item(v[i], i));
  return halo::ListLit(type, items);
}

}  // namespace

std::vector<std::string> OdlaCallArgs(const OdlaCall& call,
                                      const std::function<std::string(const Value*)>& ref) {
  std::vector<std::string> args;
  for (const OdlaArg& a : call.args) {
    auto dims = [&](size_t i) -> const std::map<int, BatchAffine>& {
      return i < a.batch_dims.size() ? a.batch_dims[i] : kNoDims;
    };
    auto int_lit = [&](int64_t v, size_t i) {
      auto f = a.batch_ints.find(i);
      return f == a.batch_ints.end() ? IntLit(v) : BatchExpr(f->second);
    };
    switch (a.kind) {
      case OdlaArg::Kind::kValue:
        args.push_back(ref(a.value));
        break;
      case OdlaArg::Kind::kValues:
        args.push_back(
            ListLit("odla_values", a.values, [&](const Value* v, size_t) { return ref(v); }));
        break;
      case OdlaArg::Kind::kInt:
        args.push_back(int_lit(a.i, 0));
        break;
      case OdlaArg::Kind::kFloat:
        args.push_back(FloatLit(a.f));
        break;
      case OdlaArg::Kind::kString:
        args.push_back(CString(a.s));
        break;
      case OdlaArg::Kind::kInts:
        args.push_back(ListLit("odla_ints", a.ints, int_lit));
        break;
      case OdlaArg::Kind::kFloats:
        args.push_back(
            ListLit("odla_floats", a.floats, [](double f, size_t) { return FloatLit(f); }));
        break;
      case OdlaArg::Kind::kDType:
        args.push_back(OdlaElementTypeName(static_cast<DataType>(a.i)));
        break;
      case OdlaArg::Kind::kType:
        args.push_back(TypeLit(a.types.at(0), dims(0)));
        break;
      case OdlaArg::Kind::kTypes:
        args.push_back(ListLit("odla_value_types", a.types,
                               [&](const Type& t, size_t i) { return TypeLit(t, dims(i)); }));
        break;
    }
  }
  args.push_back(CString(call.id));
  return args;
}

}  // namespace halo
