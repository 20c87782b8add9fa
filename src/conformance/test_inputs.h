// A test data set's inputs, bound to the model's inputs by name, and the key of the values
// that a compile froze into the program (input specialisation).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/types.h"

namespace halo::conformance {

// The model input each input_N.pb feeds, given the files' TensorProto names in order:
// the model input of that name, or, for a file without a name or with a name the model
// does not have, the model input at position N. Throws Error when a file matches no
// input or two files feed the same input.
std::vector<std::string> BindInputs(const std::vector<std::string>& file_names,
                                    const std::vector<std::string>& model_inputs);

// A test value of an input_N.pb or output_N.pb file: a tensor (TensorProto), a sequence
// (SequenceProto of tensors) or an optional (OptionalProto holding a tensor, a sequence or
// nothing), with its tensors in order.
struct TestValue {
  Port::Kind kind = Port::Kind::kTensor;
  Port::Kind content = Port::Kind::kTensor;  // kOptional: the kind of its value
  bool present = true;                       // kOptional: whether it holds one
  std::vector<Tensor> tensors;
  std::string name;  // the proto's name
};
// Reads a file as a value of that kind. Throws Error.
TestValue LoadTestValue(const std::string& path, Port::Kind kind);
// "a tensor", "a sequence of 2 tensors", "an empty optional", ...
std::string DescribeValue(const TestValue& v);

// A data set's inputs by model input name: the tensors HALO reads, and for the files it
// cannot read (element types it lacks: FLOAT16, STRING, ...; no TensorProto) why not.
// Sequences and optionals are flattened as the compiler flattens them (Port in
// ir/graph.h): their tensors are named NAME.0, NAME.1, ... (an optional's tensor NAME), and
// their structure is in sequence_shapes and absent.
struct InputData {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> unreadable;
  std::map<std::string, std::vector<Shape>> sequence_shapes;  // sequences, optional ones too
  std::set<std::string> absent;                               // empty optionals
};

// DIR/input_N.pb (N = 0, 1, ... without gaps), bound to `model_inputs` by BindInputs.
// `kinds` gives each model input's kind (missing ones: tensors); a file binds by the name
// its proto of that kind holds. Throws Error when the files do not bind.
InputData LoadInputs(const std::string& dir, const std::vector<std::string>& model_inputs,
                     const std::vector<Port::Kind>& kinds = {});

// A key of the values of the `frozen` inputs in `data` (names, types and bytes): data sets
// with equal keys can share one compile. "" when nothing is frozen. Throws Error when
// `data` lacks a frozen input.
std::string FrozenKey(const std::vector<std::string>& frozen,
                      const std::map<std::string, Tensor>& data);

// A key of the structure of the data's sequences and optionals (their lengths, element
// shapes, presence), which a compile fixes: "" when the data has none.
std::string StructureKey(const InputData& data);

}  // namespace halo::conformance
