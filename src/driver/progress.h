// The progress line of a long compile: one line on a terminal, rewritten in place, that
// appears once compiling has taken a while and is erased when it is done.
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

#include "ir/progress.h"

namespace halo {

class ProgressLine {
 public:
  // Writes to `out` only when `enabled` (the caller knows that `out` is a terminal), and only
  // from `delay` after construction on.
  ProgressLine(std::ostream& out, bool enabled,
               std::chrono::milliseconds delay = std::chrono::seconds(2));
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ~ProgressLine() { Clear(); }

  // A ProgressFn that updates this line (it must not outlive it).
  ProgressFn Fn();
  // Shows "halo: PHASE: DONE/TOTAL UNIT (T s)", at most ten times a second.
  void Update(const char* phase, const char* unit, size_t done, size_t total);
  // Erases the line if it is shown (before printing anything else to `out`).
  void Clear();

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& out_;
  bool enabled_;
  Clock::time_point start_;
  Clock::time_point last_;
  std::chrono::milliseconds delay_;
  std::string phase_;  // of the last update shown
  size_t width_ = 0;   // of the line shown; 0: none
};

}  // namespace halo
