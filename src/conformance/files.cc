#include "conformance/files.h"

#include <fstream>
#include <sstream>

#include "ir/error.h"

namespace halo::conformance {

std::string ReadFileBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Err(path, ": cannot open the file");
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f.flush()) throw Err(path, ": cannot write the file");
}

}  // namespace halo::conformance
