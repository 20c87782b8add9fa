// The C++ emitter's model of the code to print, shared by its pieces: cpp_emitter.cc (the
// driver, Build()'s body), cpp_emitter_header.cc (NAME.h), cpp_emitter_code.cc (NAME.cc of
// one computation) and cpp_emitter_parts.cc (NAME.cc of a partitioned model).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "targets/cpp_emitter.h"
#include "targets/elf_writer.h"

namespace halo {
namespace cpp_emit {

struct Param {
  const Value* value;
  std::string name;  // the C parameter
  bool is_output;
  std::string shape_name;  // an output with data-dependent dimensions: its shape parameter
  int state = -1;          // a state's input or output (Graph::State): its index; `name` is
                           // its static buffer, no parameter of the entry function
};

// A state of the model in NAME.cc: its buffers and its initial value in the weights.
struct StateCode {
  std::string name;          // the model's
  std::string buffer, next;  // the static buffers before and after a call
  std::string ctype;         // the element's C type
  int64_t elements = 0;
  size_t bytes = 0, offset = 0;  // the initial value at g_weights + offset
};

// ODLA 1.1 added odla_GetOutputShape, 1.2 the memory plan: code needs 1.0 without them.
constexpr int kOdlaMinorForOutputShapes = 1;
constexpr int kOdlaMinorForMemoryPlan = 2;

struct Model {
  std::string name;       // the entry function
  std::string file_stem;  // NAME of NAME.cc, NAME.h, NAME.bin
  std::string model_path;
  std::vector<Param> params;
  Blob weights;
  std::map<const Node*, size_t> constant_offsets;
  bool uses_bool = false;
  bool uses_limits = false;             // a float attribute is inf or NaN
  int odla_minor = 0;                   // the ODLA API version the code needs: 1.odla_minor
  bool output_shapes = false;           // an output has data-dependent dimensions
  std::string build_body;               // the statements of Build()
  const BatchForms* batch = nullptr;    // --dynamic-batch
  std::vector<std::string> port_notes;  // how sequences and optionals map to parameters
  // --device (docs/heterogeneous.md): the computation Build() fills, names the generated
  // code defines besides kStaticNames, and the parts' code.
  std::string comp = "g_comp";
  std::vector<std::string> reserved;
  // How Build() calls the runtime: API functions are `api` + NAME, failures return
  // `fail`(...). Host parts call the renamed host runtime: "odla_host_", "FailHost".
  std::string api = "odla_";
  std::string fail = "Fail";
  std::set<std::string> api_calls;  // the NAMEs that PrintBuild printed calls of
  struct PartCode {
    bool on_device;
    std::string build_body;
    std::set<std::string> api_calls;
  };
  std::vector<PartCode> parts;
  const Partition* partition = nullptr;
  // Partitioned outputs that are constants: their bytes' offsets in the weights.
  std::map<const Value*, size_t> output_constants;
  std::string precision;          // --precision: the odla_precision requested, or ""
  std::vector<StateCode> states;  // Graph::State: kept in NAME.cc between calls
};

// cpp_emitter.cc
std::string Where(const Model& m);   // "MODEL: " for error messages, or ""
std::string Source(const Model& m);  // " from MODEL" for comments, or ""
// Prints the ODLA calls that add the graph to the current computation into m.build_body.
void PrintBuild(const Graph& g, Model& m);

// cpp_emitter_header.cc
std::string Header(const Model& m);
std::string Signature(const Model& m);  // the entry function's, for its definition

// cpp_emitter_code.cc: NAME.cc (PartsCode when the model is partitioned).
std::string Code(const Model& m);
// --dynamic-batch: Lookup(batch) of the list g_comps (of computations of C type `type`, built
// by Get), NAME_init(batch) and NAME_fini(), which runs the statement `release` on each c.
std::string BatchLookup(const Model& m, const std::string& type, const std::string& release);
// cpp_emitter_state.cc: the states' buffers and ResetStates(), NAME_reset() (none without
// states).
std::string StateDefinitions(const Model& m);
std::string ResetDefinition(const Model& m);

// cpp_emitter_parts.cc (--device, docs/heterogeneous.md)
// The names partitioned code defines besides kStaticNames (the entry function's locals
// included): parameters and values must not take them.
std::vector<std::string> PartsNames(const Partition& p);
// Prints each part's Build() body into m.parts.
void PrintParts(Model& m, const Partition& p);
std::string PartsCode(const Model& m);

}  // namespace cpp_emit
}  // namespace halo
