// C identifiers made from model names (tensor, node and model names are arbitrary strings).
#pragma once

#include <set>
#include <string>

namespace halo {

// A valid C and C++ identifier made from `name`: other characters become '_', a leading
// digit or underscore gets a "v" prefix, keywords and likely macro names get "_" appended.
// Never empty.
std::string CIdentifier(const std::string& name);

// Hands out identifiers that are unique within one scope.
class CNameScope {
 public:
  // Names the scope must not hand out (its own locals, functions it calls...).
  void Reserve(const std::string& name) { used_.insert(name); }
  // CIdentifier(name), with a numeric suffix when already taken.
  std::string Make(const std::string& name);

 private:
  std::set<std::string> used_;
};

}  // namespace halo
