// The `halo` program as a function, so that tests can run it in process.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "driver/options.h"
#include "ir/graph.h"
#include "passes/placement.h"

namespace halo {

// Runs `halo ARGS...`: prints to `out` (IR, help) and one line per error to `err`.
// Returns the exit code: 0, 1 (an error) or 2 (a wrong command line). When `err` is a
// terminal, a compile that takes more than 2 s shows a progress line there.
int HaloMain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             bool err_is_terminal = false);

// `halo run`: reads the inputs named by opts.inputs, executes `g`, writes the outputs to
// opts.output_dir as .npy files (all or none); with `partition`, part by part
// (docs/heterogeneous.md). Throws Error.
void RunAndSave(const Graph& g, const Options& opts, const Partition* partition = nullptr);

}  // namespace halo
