#include "driver/npy.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ir/error.h"

namespace halo {
namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

struct Descr {
  const char* code;  // without the byte-order character
  DataType type;
};
const Descr kDescrs[] = {
    {"f4", DataType::kFloat32}, {"f8", DataType::kFloat64}, {"f2", DataType::kFloat16},
    {"i1", DataType::kInt8},    {"u1", DataType::kUInt8},   {"i2", DataType::kInt16},
    {"u2", DataType::kUInt16},  {"i4", DataType::kInt32},   {"u4", DataType::kUInt32},
    {"i8", DataType::kInt64},   {"u8", DataType::kUInt64},  {"b1", DataType::kBool},
};

// A tiny reader of the header: a Python dict literal with 'descr', 'fortran_order', 'shape'.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& what) : s_(text), what_(what) {}

  void Parse(std::string* descr, bool* fortran, Shape* shape) {
    bool have_descr = false, have_order = false, have_shape = false;
    Expect('{');
    while (!Peek('}')) {
      std::string key = String();
      Expect(':');
      if (key == "descr") {
        if (Peek('[')) Fail("structured arrays are not supported");
        *descr = String();
        have_descr = true;
      } else if (key == "fortran_order") {
        *fortran = Bool();
        have_order = true;
      } else if (key == "shape") {
        *shape = Tuple();
        have_shape = true;
      } else {
        Fail("unexpected header key '" + key + "'");
      }
      if (!Peek('}')) Expect(',');
    }
    Expect('}');
    if (!have_descr || !have_order || !have_shape)
      Fail("the header lacks 'descr', 'fortran_order' or 'shape'");
  }

 private:
  [[noreturn]] void Fail(const std::string& why) { throw Err(what_, ": bad .npy header: ", why); }
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Peek(char c) {
    Skip();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  void Expect(char c) {
    if (!Peek(c)) Fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string String() {
    Skip();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) Fail("expected a string");
    char q = s_[pos_++];
    size_t end = s_.find(q, pos_);
    if (end == std::string::npos) Fail("unterminated string");
    std::string r = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return r;
  }
  bool Bool() {
    Skip();
    for (const char* w : {"True", "False"}) {
      if (s_.compare(pos_, std::strlen(w), w) == 0) {
        pos_ += std::strlen(w);
        return w[0] == 'T';
      }
    }
    Fail("expected True or False");
  }
  Shape Tuple() {
    Shape r;
    Expect('(');
    while (!Peek(')')) {
      Skip();
      size_t start = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ == start || pos_ - start > 18) Fail("bad dimension in 'shape'");
      r.push_back(std::stoll(s_.substr(start, pos_ - start)));
      if (Skip(), pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 longs
      if (!Peek(')')) Expect(',');
    }
    Expect(')');
    return r;
  }

  const std::string& s_;
  const std::string& what_;
  size_t pos_ = 0;
};

DataType TypeOfDescr(const std::string& d, const std::string& what) {
  if (d.size() == 3) {
    char order = d[0];
    std::string code = d.substr(1);
    for (const Descr& x : kDescrs) {
      if (code != x.code) continue;
      bool one_byte = DataTypeSize(x.type) == 1;
      if (order == '<' || order == '|' || (order == '>' && one_byte)) return x.type;
      if (order == '=' && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) return x.type;
      if (order == '>') throw Err(what, ": big-endian data ('", d, "') is not supported");
    }
  }
  throw Err(what, ": unsupported element type '", d, "'");
}

std::string DescrOf(DataType t) {
  for (const Descr& x : kDescrs)
    if (x.type == t) return std::string(DataTypeSize(t) == 1 ? "|" : "<") + x.code;
  throw Err("no .npy element type for ", DataTypeName(t));
}

}  // namespace

Tensor ParseNpy(const std::string& bytes, const std::string& what) {
  if (bytes.size() < kMagicSize + 4 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0)
    throw Err(what, ": not an .npy file");
  int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, start = 0;
  auto byte = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(bytes[i])); };
  if (major == 1) {
    header_len = byte(8) | byte(9) << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw Err(what, ": truncated .npy header");
    header_len = byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24;
    start = 12;
  } else {
    throw Err(what, ": unsupported .npy format version ", major);
  }
  if (bytes.size() < start + header_len) throw Err(what, ": truncated .npy header");
  std::string descr;
  bool fortran = false;
  Shape shape;
  HeaderParser(bytes.substr(start, header_len), what).Parse(&descr, &fortran, &shape);
  if (fortran)
    throw Err(what,
              ": Fortran-order arrays are not supported (save a C-order array, e.g. with "
              "numpy.ascontiguousarray)");
  Type type(TypeOfDescr(descr, what), shape);
  size_t data = start + header_len;
  if (bytes.size() - data != type.ByteSize())
    throw Err(what, ": ", type.ToString(), " needs ", type.ByteSize(),
              " bytes of data, the file has ", bytes.size() - data);
  return Tensor(type, std::vector<uint8_t>(bytes.begin() + data, bytes.end()));
}

Tensor ReadNpy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Err(path, ": cannot open the file");
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) throw Err(path, ": cannot read the file");
  return ParseNpy(ss.str(), path);
}

std::string SerializeNpy(const Tensor& t) {
  std::ostringstream h;
  h << "{'descr': '" << DescrOf(t.type().dtype) << "', 'fortran_order': False, 'shape': (";
  const Shape& shape = t.type().shape;
  for (size_t i = 0; i < shape.size(); ++i) h << (i ? ", " : "") << shape[i];
  h << (shape.size() == 1 ? ",), }" : "), }");
  std::string header = h.str();
  // Pad with spaces so that the data starts at a multiple of 64 bytes; end with '\n'.
  bool v2 = header.size() + 11 > 65535;
  size_t prefix = v2 ? 12 : 10;
  size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';
  std::string r(kMagic, kMagicSize);
  r += static_cast<char>(v2 ? 2 : 1);
  r += '\0';
  size_t n = header.size();
  r += static_cast<char>(n & 0xff);
  r += static_cast<char>((n >> 8) & 0xff);
  if (v2) {
    r += static_cast<char>((n >> 16) & 0xff);
    r += static_cast<char>((n >> 24) & 0xff);
  }
  r += header;
  r.append(reinterpret_cast<const char*>(t.bytes()), t.byte_size());
  return r;
}

}  // namespace halo
