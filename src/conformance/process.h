// Running a child process with a time limit, its output captured in a file.
#pragma once

#include <string>
#include <vector>

namespace halo::conformance {

struct ProcessResult {
  bool started = false;  // false: could not start (see `error`)
  bool timed_out = false;
  int exit_code = -1;  // when it exited
  int signal = 0;      // when a signal ended it
  std::string error;
  bool ok() const { return started && !timed_out && signal == 0 && exit_code == 0; }
  // "exit code 2", "killed by SIGSEGV", "timed out after 60 s"...
  std::string Describe(double timeout_s) const;
};

// Runs argv[0] (searched in PATH) with stdout and stderr appended to `log_path`, in its own
// process group, which is killed when it runs longer than `timeout_s`. Thread-safe.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& log_path,
                         double timeout_s);

}  // namespace halo::conformance
