// Progress reports of a long compile: each phase says how far it has got ("import", 120 of
// 400 "tensors"); the driver shows them as a line on a terminal (driver/progress.h).
#pragma once

#include <cstddef>
#include <functional>

namespace halo {

// phase: "import", "passes", "emit"; unit: what done and total count ("tensors", "nodes",
// "bytes"). Called often: a listener throttles its output.
using ProgressFn =
    std::function<void(const char* phase, const char* unit, size_t done, size_t total)>;

inline void Report(const ProgressFn& f, const char* phase, const char* unit, size_t done,
                   size_t total) {
  if (f) f(phase, unit, done, total);
}

}  // namespace halo
