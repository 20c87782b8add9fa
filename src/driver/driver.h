// The compiler driver: load a model in any supported format, run the pipeline.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "frontends/frontend.h"
#include "ir/graph.h"
#include "passes/dynamic_batch.h"

namespace halo {

enum class ModelFormat { kUnknown, kOnnx, kTensorFlow, kCaffe, kTflite };
// The names -x takes.
inline constexpr const char* kKnownFormats = "onnx, tensorflow, caffe, tflite";

// Guesses the format from the file contents (then the extension). `forced` ("onnx", "tensorflow")
// wins.
ModelFormat DetectFormat(const std::string& path, const std::string& forced = "");

// Imports a model and runs the pipeline (without `optimize` only type inference; never the
// passes named in `disabled`). Errors name the file: "FILE: node 'X' (Op): why".
std::unique_ptr<Graph> LoadModel(const std::vector<std::string>& files, const ImportOptions& opts,
                                 const std::string& forced_format = "", bool optimize = true,
                                 const std::set<std::string>& disabled = {});

// --dynamic-batch: LoadModel at the batch sizes of kBatchProbes (opts.batch_size is
// ignored), then AnalyzeBatch. Errors name the file (and the batch size a load failed at).
BatchGraph LoadBatchModel(const std::vector<std::string>& files, const ImportOptions& opts,
                          const std::string& forced_format = "", bool optimize = true,
                          const std::set<std::string>& disabled = {});

}  // namespace halo
