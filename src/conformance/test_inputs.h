// A test data set's inputs, bound to the model's inputs by name, and the key of the values
// that a compile froze into the program (input specialisation).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/types.h"

namespace halo::conformance {

// The model input each input_N.pb feeds, given the files' TensorProto names in order:
// the model input of that name, or, for a file without a name or with a name the model
// does not have, the model input at position N. Throws Error when a file matches no
// input or two files feed the same input.
std::vector<std::string> BindInputs(const std::vector<std::string>& file_names,
                                    const std::vector<std::string>& model_inputs);

// A data set's inputs by model input name: the tensors HALO reads, and for the files it
// cannot read (element types it lacks: FLOAT16, STRING, ...; no TensorProto) why not.
struct InputData {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> unreadable;
};

// DIR/input_N.pb (N = 0, 1, ... without gaps), bound to `model_inputs` by BindInputs.
// Throws Error when the files do not bind.
InputData LoadInputs(const std::string& dir, const std::vector<std::string>& model_inputs);

// A key of the values of the `frozen` inputs in `data` (names, types and bytes): data sets
// with equal keys can share one compile. "" when nothing is frozen. Throws Error when
// `data` lacks a frozen input.
std::string FrozenKey(const std::vector<std::string>& frozen,
                      const std::map<std::string, Tensor>& data);

}  // namespace halo::conformance
