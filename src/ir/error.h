// The one error type of the compiler: a message that names what failed.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace halo {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

// Builds a message from any streamable parts: throw Err("bad rank ", r).
template <typename... Args>
Error Err(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return Error(os.str());
}

}  // namespace halo
