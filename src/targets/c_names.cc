#include "targets/c_names.h"

#include <cctype>

namespace halo {

// C and C++ keywords and the lower-case macros of the C headers generated code includes.
static const std::set<std::string>& ReservedWords() {
  static const std::set<std::string> words = {"alignas",
                                              "alignof",
                                              "and",
                                              "and_eq",
                                              "asm",
                                              "assert",
                                              "auto",
                                              "bitand",
                                              "bitor",
                                              "bool",
                                              "break",
                                              "case",
                                              "catch",
                                              "char",
                                              "char16_t",
                                              "char32_t",
                                              "char8_t",
                                              "class",
                                              "co_await",
                                              "co_return",
                                              "co_yield",
                                              "compl",
                                              "concept",
                                              "const",
                                              "const_cast",
                                              "consteval",
                                              "constexpr",
                                              "constinit",
                                              "continue",
                                              "decltype",
                                              "default",
                                              "delete",
                                              "do",
                                              "double",
                                              "dynamic_cast",
                                              "else",
                                              "enum",
                                              "errno",
                                              "explicit",
                                              "export",
                                              "extern",
                                              "false",
                                              "float",
                                              "for",
                                              "friend",
                                              "goto",
                                              "if",
                                              "inline",
                                              "int",
                                              "long",
                                              "main",
                                              "mutable",
                                              "namespace",
                                              "new",
                                              "noexcept",
                                              "not",
                                              "not_eq",
                                              "nullptr",
                                              "offsetof",
                                              "operator",
                                              "or",
                                              "or_eq",
                                              "private",
                                              "protected",
                                              "public",
                                              "register",
                                              "reinterpret_cast",
                                              "requires",
                                              "restrict",
                                              "return",
                                              "short",
                                              "signed",
                                              "sizeof",
                                              "static",
                                              "static_assert",
                                              "static_cast",
                                              "stderr",
                                              "stdin",
                                              "stdout",
                                              "struct",
                                              "switch",
                                              "template",
                                              "this",
                                              "thread_local",
                                              "throw",
                                              "true",
                                              "try",
                                              "typedef",
                                              "typeid",
                                              "typename",
                                              "union",
                                              "unsigned",
                                              "using",
                                              "virtual",
                                              "void",
                                              "volatile",
                                              "wchar_t",
                                              "while",
                                              "xor",
                                              "xor_eq"};
  return words;
}

std::string CIdentifier(const std::string& name) {
  std::string s;
  for (char c : name) {
    char d = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (d != '_' || s.empty() || s.back() != '_') s += d;  // "__" is reserved in C++
  }
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '_') s = "v" + s;
  bool upper = s.size() >= 3;  // all upper case: could be a macro (NULL, EOF, INT64_MAX...)
  for (char c : s) upper = upper && !std::islower(static_cast<unsigned char>(c));
  bool odla = s.compare(0, 5, "odla_") == 0 || s.compare(0, 5, "ODLA_") == 0;
  bool type_like = s.size() > 2 && s.compare(s.size() - 2, 2, "_t") == 0;  // int8_t...
  if (upper || odla || type_like || ReservedWords().count(s)) s += "_";
  return s;
}

std::string CNameScope::Make(const std::string& name) {
  std::string base = CIdentifier(name);
  std::string s = base;
  std::string sep = base.back() == '_' ? "" : "_";
  for (int i = 1; used_.count(s); ++i) s = base + sep + std::to_string(i);
  used_.insert(s);
  return s;
}

}  // namespace halo
