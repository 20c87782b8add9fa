// The compile step of a conformance test, run in a child process of halo-conformance so
// that a compiler crash fails one test only: ONNX model -> NAME.{h,cc,bin} + a harness.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/types.h"

namespace halo::conformance {

// The file names the compile step writes into its work directory.
constexpr const char* kModelName = "model";           // model.cc, model.h, model.bin
constexpr const char* kEntryName = "halo_model_run";  // the generated entry function
constexpr const char* kHarnessName = "main.cc";
constexpr const char* kMetaName = "types.txt";  // ModelTypes

// What the runner needs to know of a compile: the model's inputs, which of them the
// compiled graph still takes (the others were frozen), and the types of the entry
// function's parameters.
// Sequence and optional inputs and outputs are flattened as the compiler does (Port in
// ir/graph.h).
struct ModelTypes {
  std::vector<std::string> model_inputs;      // the model's inputs (not initializers), in order
  std::vector<Port::Kind> model_input_kinds;  // theirs (missing ones: tensors)
  std::vector<std::string> input_names;       // the compiled graph's inputs, in order
  std::vector<Type> inputs;                   // their types
  std::vector<Type> outputs;
  // The model's outputs: how each flattens into `outputs` (empty: one tensor each).
  std::vector<Port> output_ports;
  std::vector<std::string> frozen;  // input tensors compiled as constants, in model order
};
void WriteModelTypes(const std::string& path, const ModelTypes& t);
ModelTypes ReadModelTypes(const std::string& path);

// Compiles `model` (an .onnx file) into `work_dir`. Inputs whose shape the model leaves
// open take the shape of `data_dir`/input_N.pb. With `specialise`, every input_N.pb is a
// candidate for specialisation (ImportOptions::auto_const_inputs): the inputs whose values
// HALO needs at compile time are frozen, the others stay inputs. Throws Error with the
// compiler's message.
void CompileModel(const std::string& model, const std::string& data_dir,
                  const std::string& work_dir, bool specialise);

// The harness: reads DIR/input_N.bin, calls the entry function, writes DIR/output_N.bin
// and, for an output with data-dependent dimensions, its actual shape as int64 values to
// DIR/output_shape_N.bin.
std::string HarnessSource(const ModelTypes& t);

}  // namespace halo::conformance
