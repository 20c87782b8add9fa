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

// The tensors of DIR/input_N.pb (N = 0, 1, ... without gaps) by model input name
// (BindInputs). Throws Error naming the file.
std::map<std::string, Tensor> LoadInputs(const std::string& dir,
                                         const std::vector<std::string>& model_inputs);

// A key of the values of the `frozen` inputs in `data` (names, types and bytes): data sets
// with equal keys can share one compile. "" when nothing is frozen. Throws Error when
// `data` lacks a frozen input.
std::string FrozenKey(const std::vector<std::string>& frozen,
                      const std::map<std::string, Tensor>& data);

}  // namespace halo::conformance
