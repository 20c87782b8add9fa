// The driver's side of heterogeneous execution (docs/heterogeneous.md): the partition that
// --device, --device-table and --place ask for, and its --report section.
#pragma once

#include <memory>
#include <string>

#include "driver/options.h"
#include "passes/placement.h"

namespace halo {

// The partition of `g` for the options; nullptr when they name no device (or "host"): the
// whole model then runs on the linked runtime as before. `forms`: g's batch forms with
// --dynamic-batch (the placement is decided at batch size 1). Throws Error.
std::unique_ptr<Partition> PartitionFor(const Graph& g, const Options& opts,
                                        const BatchForms* forms = nullptr);

// The --report section of a partition: each part with its side, operators and the values
// that cross into and out of it, and the bytes moved between host and device per run.
std::string PartitionReport(const Partition& p);

}  // namespace halo
