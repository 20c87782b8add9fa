// Caffe -> HALO IR: the importer's state and the layer translators it dispatches to.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "caffe.pb.h"
#include "frontends/frontend.h"
#include "ir/error.h"
#include "ir/op_registry.h"

namespace halo::caffe_fe {

// Builds the graph of one network: blobs by name, the current layer for error messages.
class Importer {
 public:
  Importer(Graph& g, std::string path) : g_(g), path_(std::move(path)) {}
  Graph& graph() { return g_; }
  const std::string& path() const { return path_; }

  // The layer being translated and its learned blobs (from the .caffemodel, else the
  // prototxt); set by the driver loop.
  const halo_caffe::LayerParameter& layer() const { return *layer_; }
  void set_layer(const halo_caffe::LayerParameter* l, std::vector<const halo_caffe::BlobProto*> b) {
    layer_ = l;
    blobs_ = std::move(b);
  }
  size_t num_blobs() const { return blobs_.size(); }

  // An error naming the file, the layer and its type.
  template <typename... Args>
  Error LayerError(const Args&... args) const {
    return Err(path_, ": layer '", layer_->name(), "' (", layer_->type(), "): ", args...);
  }
  template <typename... Args>
  void Check(bool ok, const Args&... args) const {
    if (!ok) throw LayerError(args...);
  }

  // Bottom i of the layer; top i gets v.
  Value* Bottom(int i);
  int NumBottoms() const { return layer_->bottom_size(); }
  void SetTop(int i, Value* v);
  void SetTops(const std::vector<Value*>& vs);

  // Learned blob i as a float32 constant of `shape`: the blob's shape must be `shape`
  // (a legacy 4-D blob only its element count). Missing or mismatched: an error.
  Tensor BlobTensor(size_t i, const Shape& shape, const char* what);
  Value* BlobConst(size_t i, const Shape& shape, const char* what);

  // Nodes: an op of the layer (named after it), its type inferred on the spot.
  Node* Op(const std::string& op, const std::vector<Value*>& ins, int num_outputs = 1);
  // Infers the types of n (made by Op, attributes set); an error names the layer.
  void Infer(Node* n);
  Value* Op1(const std::string& op, const std::vector<Value*>& ins,
             const std::map<std::string, AttrValue>& attrs = {});
  Value* Const(Tensor t);
  Value* Ints(const std::vector<int64_t>& v);
  Value* Scalar(float v);
  const Shape& ShapeOf(Value* v) const { return v->type().shape; }
  // x reshaped (a Reshape with a constant shape).
  Value* Reshape(Value* x, const Shape& shape);
  // A per-axis parameter of shape `p` applied from `axis` of x: p followed by ones.
  Value* Align(Value* p, int64_t axis, int64_t rank);

  // Known blob names (for "no layer produces" errors).
  std::map<std::string, Value*>& blobs() { return named_; }

 private:
  Graph& g_;
  std::string path_;
  const halo_caffe::LayerParameter* layer_ = nullptr;
  std::vector<const halo_caffe::BlobProto*> blobs_;
  std::map<std::string, Value*> named_;
};

using LayerFn = std::function<void(Importer&)>;
// The translators by Caffe layer type.
const std::map<std::string, LayerFn>& LayerTable();
void AddBasicLayers(std::map<std::string, LayerFn>& t);
void AddShapeLayers(std::map<std::string, LayerFn>& t);
void AddDetectionLayers(std::map<std::string, LayerFn>& t);

// A Caffe axis (may be negative) as a position in [0, rank).
int64_t CaffeAxis(const Importer& im, int64_t axis, int64_t rank);

}  // namespace halo::caffe_fe
