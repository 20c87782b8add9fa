// The C++ target: NAME.h (C entry points), NAME.cc (the model as ODLA calls) and NAME.bin
// (the weights as an ELF relocatable object; or NAME_weights.c with --emit-data-as-c).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ir/progress.h"
#include "targets/lowering.h"

namespace halo {

struct Partition;

struct EmitOptions {
  std::string output_cc;        // path of NAME.cc; NAME.h and NAME.bin go beside it
  std::string entry_func_name;  // the C function the application calls
  bool emit_data_as_c = false;  // weights as a C source file instead of an ELF object
  std::string model_path;       // the source model, named in comments and error messages
  ProgressFn progress;          // told the bytes of weights written
  // --dynamic-batch: the graph's numbers that depend on the batch size (see AnalyzeBatch).
  // The generated functions then take `int64_t batch` first and build one computation per
  // batch size on first use.
  const BatchForms* batch_forms = nullptr;
  // --device: the model split into parts (docs/heterogeneous.md), each its own computation;
  // device parts call odla_*, host parts odla_host_* (libodla_ref_host.a). The entry
  // function is the same. nullptr: the whole model as one computation.
  const Partition* partition = nullptr;
  // --precision: requested from the computation before Build() (ODLA 1.3 for bf16, 1.4 for tf32).
  Precision precision = Precision::kFp32;
};

// Writes every output file, or none: files are written to temporaries and renamed at the
// end. Throws Error (naming the path) when a file cannot be written.
void EmitCpp(const Graph& g, const EmitOptions& opts);

// The contents of the files EmitCpp writes, keyed by file name ("NAME.h", "NAME.cc",
// "NAME_weights.c"; the ELF object is left out). For tests and golden files.
std::vector<std::pair<std::string, std::string>> EmitCppSources(const Graph& g,
                                                                const EmitOptions& opts);

}  // namespace halo

namespace halo {

// The C++ arguments of a lowered call, id last: literals for attributes and types,
// ref(value) for input values (ref(nullptr) for an absent optional input).
std::vector<std::string> OdlaCallArgs(const OdlaCall& call,
                                      const std::function<std::string(const Value*)>& ref);

}  // namespace halo
