#include "driver/driver.h"

#include <fstream>
#include <vector>

#include "ir/error.h"
#include "passes/passes.h"

namespace halo {

ModelFormat DetectFormat(const std::string& path, const std::string& forced) {
  if (forced == "onnx") return ModelFormat::kOnnx;
  if (forced == "caffe") return ModelFormat::kCaffe;
  if (forced == "tensorflow") return ModelFormat::kTensorFlow;
  if (forced == "tflite") return ModelFormat::kTflite;
  if (!forced.empty())
    throw Err("unknown model format '", forced, "' (known: ", kKnownFormats, ")");
  auto ends_with = [&](const char* s) {
    std::string e(s);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends_with(".onnx")) return ModelFormat::kOnnx;
  if (ends_with(".tflite")) return ModelFormat::kTflite;
  if (ends_with(".prototxt") || ends_with(".caffemodel")) return ModelFormat::kCaffe;
  if (ends_with(".pb") || ends_with(".pbtxt")) return ModelFormat::kTensorFlow;
  if (LooksLikeTensorFlow(path)) return ModelFormat::kTensorFlow;
  return ModelFormat::kUnknown;
}

std::unique_ptr<Graph> LoadModel(const std::vector<std::string>& files, const ImportOptions& opts,
                                 const std::string& forced_format, bool optimize,
                                 const std::set<std::string>& disabled) {
  if (files.empty()) throw Err("no model file given");
  const std::string& path = files[0];
  {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Err(path, ": cannot open the file");
  }
  std::unique_ptr<Graph> g;
  switch (DetectFormat(path, forced_format)) {
    case ModelFormat::kOnnx:
      if (files.size() != 1) throw Err("an ONNX model is one file; got ", files.size());
      g = ImportOnnx(path, opts);
      break;
    case ModelFormat::kTflite:
      if (files.size() != 1) throw Err("a TFLite model is one file; got ", files.size());
      g = ImportTflite(path, opts);
      break;
    case ModelFormat::kCaffe:
      g = ImportCaffe(files, opts);
      break;
    case ModelFormat::kTensorFlow:
      if (files.size() != 1) throw Err("a TensorFlow GraphDef is one file; got ", files.size());
      g = ImportTensorFlow(path, opts);
      break;
    default:
      throw Err(path,
                ": unknown model format (expected .onnx, .pb, .pbtxt, .prototxt or .tflite; force "
                "one with -x FORMAT)");
  }
  try {
    RunPipeline(*g, opts.progress, optimize, disabled);
  } catch (const Error& e) {
    throw Err(path, ": ", e.what());
  }
  return g;
}

BatchGraph LoadBatchModel(const std::vector<std::string>& files, const ImportOptions& opts,
                          const std::string& forced_format, bool optimize,
                          const std::set<std::string>& disabled) {
  auto analyze = [&](const std::set<std::string>& skip) {
    return AnalyzeBatch([&](int64_t batch) {
      ImportOptions o = opts;
      o.batch_size = batch;
      try {
        return LoadModel(files, o, forced_format, optimize, skip);
      } catch (const Error& e) {
        if (batch == kBatchProbes[0]) throw;
        throw Err(e.what(), " (at batch size ", batch, ", which --dynamic-batch also builds)");
      }
    });
  };
  try {
    try {
      return analyze(disabled);
    } catch (const Error& e) {
      // Passes that decide from shapes may decide differently at batch sizes 1 and 2 (an
      // Expand to [N, ...] changes nothing at 1): without them the graph may not depend on
      // the batch size. Else the first error stands.
      if (!optimize ||
          std::string(e.what()).find("graph depends on the batch size") == std::string::npos)
        throw;
      std::set<std::string> skip = disabled;
      for (const auto& passes :
           {std::vector<std::string>{"simplify", "cancel-transposes", "merge-transposes"},
            std::vector<std::string>{"fuse-conv", "fuse-gemm"}}) {
        skip.insert(passes.begin(), passes.end());
        try {
          return analyze(skip);
        } catch (const Error&) {
        }
      }
      throw;
    }
  } catch (const Error& e) {
    std::string msg = e.what();
    if (msg.compare(0, 15, "--dynamic-batch") == 0) throw Err(files.at(0), ": ", msg);
    throw;
  }
}

}  // namespace halo
