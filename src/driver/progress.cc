#include "driver/progress.h"

#include <cstdio>

namespace halo {

ProgressLine::ProgressLine(std::ostream& out, bool enabled, std::chrono::milliseconds delay)
    : out_(out), enabled_(enabled), start_(Clock::now()), delay_(delay) {}

ProgressFn ProgressLine::Fn() {
  if (!enabled_) return {};
  return [this](const char* phase, const char* unit, size_t done, size_t total) {
    Update(phase, unit, done, total);
  };
}

void ProgressLine::Update(const char* phase, const char* unit, size_t done, size_t total) {
  if (!enabled_) return;
  Clock::time_point now = Clock::now();
  if (now - start_ < delay_) return;
  // A new phase shows at once; within one, ten updates a second are plenty.
  if (width_ && phase_ == phase && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  phase_ = phase;
  double seconds = std::chrono::duration<double>(now - start_).count();
  char line[160];
  if (std::string(unit) == "bytes")
    std::snprintf(line, sizeof(line), "halo: %s: %zu/%zu MB (%.0f s)", phase, done >> 20,
                  total >> 20, seconds);
  else
    std::snprintf(line, sizeof(line), "halo: %s: %zu/%zu %s (%.0f s)", phase, done, total, unit,
                  seconds);
  std::string text = line;
  size_t width = text.size();
  if (width < width_) text += std::string(width_ - width, ' ');  // cover the longer old line
  out_ << '\r' << text << std::flush;
  width_ = width;
}

void ProgressLine::Clear() {
  if (!width_) return;
  out_ << '\r' << std::string(width_, ' ') << '\r' << std::flush;
  width_ = 0;
}

}  // namespace halo
