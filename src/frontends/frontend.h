// What every frontend takes: user overrides for input shapes and inputs fixed at compile time.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/progress.h"

namespace halo {

struct ImportOptions {
  std::map<std::string, Shape> input_shapes;  // --input-shape NAME:1x3x224x224
  int64_t batch_size = 0;                     // --batch-size N: fills an unknown first dim

  // The structure of ONNX sequence and optional inputs, fixed at compile time (see Port in
  // ir/graph.h). A sequence input of L tensors becomes L graph inputs NAME.0 ...
  // NAME.(L-1) with these shapes (--input-shape NAME:[2x3,4x3]; [] is an empty sequence).
  // An optional input holding a tensor becomes the input NAME, shaped by input_shapes or the
  // model; one holding a sequence takes sequence_shapes; absent_inputs lists the empty ones
  // (--input-shape NAME:none), which take no graph input. An optional input not named in
  // either holds a tensor of the model's static shape. const_inputs may name the flattened
  // inputs (NAME.0).
  std::map<std::string, std::vector<Shape>> sequence_shapes;
  std::set<std::string> absent_inputs;

  // Input specialisation (--const-input NAME=FILE.npy): each named graph input becomes a
  // Constant node with this value, so the graph no longer takes it (the generated function
  // loses that parameter). The tensor's element type must be the input's, its shape must
  // match the model's declared dimensions (symbolic ones take any size) and --input-shape,
  // if given. Naming something that is not a graph input (or is an initializer) is an error.
  std::map<std::string, Tensor> const_inputs;
  // With auto_const_inputs, const_inputs is a set of candidates: only those that HALO needs
  // at compile time are frozen, the others stay runtime inputs (in model order). An input
  // is needed when it reaches an input slot that must be constant (the ConstIn inputs of
  // the op registry, InputSpec::lowered == false: Reshape's shape, Slice's starts, TopK's
  // K, Resize's scales, reduce axes, ...; also Range's inputs and Compress's condition)
  // directly or through nodes that would then have to be folded (e.g. a Cast or a Concat
  // in front of the slot, an inlined ONNX function's body; Shape and Size only need their
  // input's type), or when an ONNX sequence op reads it (SequenceAt's position,
  // SplitToSequence's split, ...). Unrolling control flow needs a Loop's trip count and
  // conditions, and an If's condition where its branches' results differ in type (else both
  // are imported and the condition stays an input). Typical use, e.g.
  // by a test runner holding every input's data: put all of them into const_inputs and set
  // auto_const_inputs; the imported graph's inputs() are the ones still to feed at run time.
  bool auto_const_inputs = false;

  // TensorFlow: the nodes that become the graph's inputs and outputs ("node" or "node:N"),
  // picking a sub-graph (--inputs/--outputs). Empty: Placeholders, and nodes nobody reads.
  std::vector<std::string> input_names;
  std::vector<std::string> output_names;

  // Told how many initializers and nodes are imported so far.
  ProgressFn progress;
};

// ONNX: a .onnx file. Throws Error naming the file, node and reason.
std::unique_ptr<Graph> ImportOnnx(const std::string& path, const ImportOptions& opts);

// Caffe: a text .prototxt, optionally followed by the binary .caffemodel of its weights.
std::unique_ptr<Graph> ImportCaffe(const std::vector<std::string>& files,
                                   const ImportOptions& opts);
// TensorFlow: a frozen GraphDef, binary (.pb) or text (.pbtxt). Throws Error naming the
// file, node and reason.
std::unique_ptr<Graph> ImportTensorFlow(const std::string& path, const ImportOptions& opts);
// Whether the file's first bytes look like a GraphDef: text starting with a node, or binary
// starting with a node whose first field is its name.
bool LooksLikeTensorFlow(const std::string& path);
// TFLite: a .tflite flatbuffer (subgraph 0). Throws Error naming the file, node and reason.
std::unique_ptr<Graph> ImportTflite(const std::string& path, const ImportOptions& opts);
// The operators of a .tflite file, with counts and whether HALO supports each (--report).
std::string TfliteOperatorReport(const std::string& path);

}  // namespace halo
