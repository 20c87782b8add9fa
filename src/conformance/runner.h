// Running ONNX backend tests through the whole AOT path: halo compiles the model to C++,
// the system compiler builds it with a harness against an ODLA runtime, the program runs on
// the test's inputs and its outputs are compared with the reference outputs.
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/compare.h"

namespace halo::conformance {

struct TestCase {
  std::string name;  // "node/test_add": the suite directory's name, then the test's
  std::string dir;
};

// The tests under each directory: a test itself (it holds model.onnx) or a directory of
// tests. Throws Error for a missing directory (naming the libonnx-testdata package).
std::vector<TestCase> DiscoverTests(const std::vector<std::string>& dirs);

struct RunnerConfig {
  std::string self_exe;     // halo-conformance itself (runs the compile step)
  std::string include_dir;  // <repo>/include
  std::string runtime_lib;  // <build>/lib/libodla_<runtime>.so (or .a)
  std::string cache_dir;    // executables, by content: shared by runs
  std::string work_dir;     // this run's generated files, one directory a test
  std::string cxx = "c++";
  std::vector<std::string> cxx_flags = {"-O1", "-std=c++17", "-Wall", "-Wextra", "-Werror"};
  double compile_timeout_s = 120;  // halo
  double build_timeout_s = 300;    // the C++ compiler
  double run_timeout_s = 120;      // each data set
  // Offer each data set's inputs for specialisation (ImportOptions::auto_const_inputs):
  // the inputs HALO needs at compile time are frozen into the program; data sets whose
  // frozen values differ get a compile each.
  bool specialise = true;
  Tolerance tolerance;  // for float outputs
  bool verbose = false;
};

struct Outcome {
  enum Kind { kPass, kFail, kError } kind = kError;
  std::string message;  // FAIL / ERROR: why, on one line; PASS: the error, for kScale
  std::string detail;   // -v: logs and commands
  std::vector<std::string> specialised;  // the inputs frozen into the program, sorted
};

class Runner {
 public:
  // Checks the runtime and the C++ compiler, reads what the cache key depends on. Throws.
  explicit Runner(RunnerConfig config);
  // Runs one test. Thread-safe: tests run in parallel.
  Outcome Run(const TestCase& test) const;

 private:
  Outcome RunSteps(const TestCase& test) const;
  // halo on one data set into `work`: "" or why it failed.
  std::string Compile(const TestCase& test, const std::string& set, const std::string& work,
                      std::ostringstream& detail) const;
  // The executable of the compile in `work` (cached): "" and `exe`, or why it failed.
  std::string Build(const std::string& work, const std::string& frozen_key, std::string& exe,
                    std::ostringstream& detail) const;
  std::string ExecutableKey(const std::string& work, const std::string& frozen_key) const;

  RunnerConfig config_;
  std::string toolchain_stamp_;                    // compiler version, flags, odla.h
  std::map<std::string, std::string> odla_decls_;  // odla_ops.h declaration per builder
};

}  // namespace halo::conformance
