// The compile step of a conformance test, run in a child process of halo-conformance so
// that a compiler crash fails one test only: ONNX model -> NAME.{h,cc,bin} + a harness.
#pragma once

#include <string>
#include <vector>

#include "ir/types.h"

namespace halo::conformance {

// The file names the compile step writes into its work directory.
constexpr const char* kModelName = "model";           // model.cc, model.h, model.bin
constexpr const char* kEntryName = "halo_model_run";  // the generated entry function
constexpr const char* kHarnessName = "main.cc";
constexpr const char* kMetaName = "types.txt";  // the graph's input and output types

// The types of the compiled graph's inputs and outputs, in order.
struct ModelTypes {
  std::vector<Type> inputs;
  std::vector<Type> outputs;
};
void WriteModelTypes(const std::string& path, const ModelTypes& t);
ModelTypes ReadModelTypes(const std::string& path);

// Compiles `model` (an .onnx file) into `work_dir`. Inputs whose shape the model leaves
// open take the shape of `data_dir`/input_N.pb. Throws Error with the compiler's message.
void CompileModel(const std::string& model, const std::string& data_dir,
                  const std::string& work_dir);

// The harness: reads DIR/input_N.bin, calls the entry function, writes DIR/output_N.bin.
std::string HarnessSource(const ModelTypes& t);

}  // namespace halo::conformance
