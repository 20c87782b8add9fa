// Import-time evaluation shared by the frontends that unroll or fold while importing: what
// the InferShapes pass will know of a value (its type, and its constant value where folding
// gives one). The graph being imported is left as it is.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include "ir/graph.h"

namespace halo {

class ImportEval {
 public:
  struct Known {
    Type type;
    std::optional<Tensor> value;
    std::string error;  // why the type is unknown (when errors are recorded)
  };
  // With record_errors, InferShapes' Error is recorded in the Known of every value of the
  // evaluated cone (type unknown) instead of being thrown.
  explicit ImportEval(bool record_errors) : record_errors_(record_errors) {}

  // Memoised: a value is evaluated once (until erased).
  const Known& Evaluate(Value* v);
  // Forgets the values for which gone is true (their nodes were removed).
  void EraseIf(const std::function<bool(const Value*)>& gone);

 private:
  bool record_errors_;
  std::unordered_map<const Value*, Known> known_;
};

}  // namespace halo
