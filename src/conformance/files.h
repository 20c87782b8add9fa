// Whole-file reads and writes for the conformance runner's work files.
#pragma once

#include <string>

namespace halo::conformance {

// The whole file as bytes; throws Error naming the path when it cannot be read.
std::string ReadFileBytes(const std::string& path);
// Writes `bytes` to `path` (replacing it); throws Error naming the path.
void WriteFileBytes(const std::string& path, const std::string& bytes);

}  // namespace halo::conformance
