// Running ONNX backend tests through the whole AOT path: halo compiles the model to C++,
// the system compiler builds it with a harness against an ODLA runtime, the program runs on
// the test's inputs and its outputs are compared with the reference outputs.
#pragma once

#include <map>
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
  Tolerance tolerance;             // for float outputs
  bool verbose = false;
};

struct Outcome {
  enum Kind { kPass, kFail, kError } kind = kError;
  std::string message;  // FAIL / ERROR: why, on one line; PASS: the error, for kScale
  std::string detail;   // -v: logs and commands
};

class Runner {
 public:
  // Checks the runtime and the C++ compiler, reads what the cache key depends on. Throws.
  explicit Runner(RunnerConfig config);
  // Runs one test. Thread-safe: tests run in parallel.
  Outcome Run(const TestCase& test) const;

 private:
  Outcome RunSteps(const TestCase& test) const;
  std::string ExecutableKey(const std::string& work) const;

  RunnerConfig config_;
  std::string toolchain_stamp_;                    // compiler version, flags, odla.h
  std::map<std::string, std::string> odla_decls_;  // odla_ops.h declaration per builder
};

}  // namespace halo::conformance
