#include "frontends/frontend.h"
#include "ir/error.h"

namespace halo {

std::unique_ptr<Graph> ImportOnnx(const std::string& path, const ImportOptions&) {
  throw Err(path, ": the ONNX frontend is being written");
}

}  // namespace halo
