// The command line of `halo`: compile a model to C++ (default) or run it (`halo run`).
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "frontends/frontend.h"
#include "ir/error.h"
#include "targets/lowering.h"

namespace halo {

// A wrong command line (exit code 2).
class UsageError : public Error {
 public:
  using Error::Error;
};

struct Options {
  enum class Command { kCompile, kRun };
  Command command = Command::kCompile;
  bool help = false;
  bool version = false;
  std::vector<std::string> models;
  std::string format;  // -x: forced input format
  ImportOptions import;
  // --const-input NAME=FILE.npy: read into import.const_inputs before the import.
  std::vector<std::pair<std::string, std::string>> const_inputs;
  bool optimize = true;
  std::set<std::string> disabled_passes;  // --disable-pass NAME
  bool dynamic_batch = false;             // --dynamic-batch
  bool print_ir = false;
  bool report = false;  // --report
  // --device, --device-table, --place (docs/heterogeneous.md)
  std::string device;
  std::string device_table;
  std::map<std::string, bool> place;  // node -> on the device
  // compile
  std::string output;  // -o NAME.cc
  std::string entry_func_name;
  bool emit_data_as_c = false;
  // run
  std::vector<std::pair<std::string, std::string>> inputs;  // --input NAME=FILE.npy
  std::string output_dir;

  // --precision: requested from the runtime by the generated code and by halo run
  Precision precision = Precision::kFp32;
};

// Parses the arguments after the program name. Throws UsageError.
Options ParseOptions(const std::vector<std::string>& args);

// The --help text: every option with a one-line description.
std::string HelpText();
std::string VersionText();
// The names of all options ("-o", "--entry-func-name", ...), for tests.
std::vector<std::string> OptionNames();

// The default entry function name for a model file: its stem as a C identifier.
std::string DefaultEntryName(const std::string& model_path);

}  // namespace halo
