// Caffe -> HALO IR: reads the text .prototxt and the binary .caffemodel, creates the inputs
// and translates the layers in order (caffe_layers_*.cc), blobs bound by name.
#include "frontends/caffe/caffe_importer.h"

#include <fcntl.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ir/op_registry.h"

namespace halo {
namespace caffe_fe {
namespace {

using halo_caffe::LayerParameter;
using halo_caffe::NetParameter;
using halo_caffe::V1LayerParameter;

// The first syntax error of a text-format parse, with its 1-based line and column.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!message_.empty()) return;
    std::ostringstream os;
    os << "line " << line + 1 << ", column " << column + 1 << ": " << message;
    message_ = os.str();
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

NetParameter ReadText(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw Err(path, ": cannot open the file");
  std::stringstream ss;
  ss << f.rdbuf();
  NetParameter net;
  FirstError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(ss.str(), &net))
    throw Err(path, ": not a Caffe network description: ",
              errors.message().empty() ? "parse error" : errors.message());
  return net;
}

NetParameter ReadBinary(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Err(path, ": cannot open the file");
  google::protobuf::io::FileInputStream in(fd);
  google::protobuf::io::CodedInputStream coded(&in);
  coded.SetTotalBytesLimit(INT32_MAX);
  NetParameter net;
  bool ok = net.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
  close(fd);
  if (!ok) throw Err(path, ": not a Caffe weights file (binary NetParameter)");
  return net;
}

// The V1 layer type names as the current format spells them.
std::string V1TypeName(V1LayerParameter::LayerType t) {
  static const std::map<int, std::string> names = {
      {V1LayerParameter::ABSVAL, "AbsVal"},
      {V1LayerParameter::ARGMAX, "ArgMax"},
      {V1LayerParameter::BNLL, "BNLL"},
      {V1LayerParameter::CONCAT, "Concat"},
      {V1LayerParameter::CONVOLUTION, "Convolution"},
      {V1LayerParameter::DECONVOLUTION, "Deconvolution"},
      {V1LayerParameter::DROPOUT, "Dropout"},
      {V1LayerParameter::ELTWISE, "Eltwise"},
      {V1LayerParameter::EXP, "Exp"},
      {V1LayerParameter::FLATTEN, "Flatten"},
      {V1LayerParameter::INNER_PRODUCT, "InnerProduct"},
      {V1LayerParameter::LRN, "LRN"},
      {V1LayerParameter::MVN, "MVN"},
      {V1LayerParameter::POOLING, "Pooling"},
      {V1LayerParameter::POWER, "Power"},
      {V1LayerParameter::RELU, "ReLU"},
      {V1LayerParameter::SIGMOID, "Sigmoid"},
      {V1LayerParameter::SOFTMAX, "Softmax"},
      {V1LayerParameter::SPLIT, "Split"},
      {V1LayerParameter::SLICE, "Slice"},
      {V1LayerParameter::TANH, "TanH"},
      {V1LayerParameter::DATA, "Data"},
      {V1LayerParameter::ACCURACY, "Accuracy"},
      {V1LayerParameter::SOFTMAX_LOSS, "SoftmaxWithLoss"},
      {V1LayerParameter::THRESHOLD, "Threshold"},
      {V1LayerParameter::SILENCE, "Silence"}};
  auto it = names.find(t);
  return it != names.end() ? it->second : V1LayerParameter::LayerType_Name(t);
}

// The deprecated `layers` format in the current one (same parameter messages).
void UpgradeV1(NetParameter& net) {
  for (const V1LayerParameter& v1 : net.layers()) {
    LayerParameter* l = net.add_layer();
    l->set_name(v1.name());
    l->set_type(V1TypeName(v1.type()));
    *l->mutable_bottom() = v1.bottom();
    *l->mutable_top() = v1.top();
    *l->mutable_blobs() = v1.blobs();
    *l->mutable_include() = v1.include();
    *l->mutable_exclude() = v1.exclude();
    if (v1.has_argmax_param()) *l->mutable_argmax_param() = v1.argmax_param();
    if (v1.has_concat_param()) *l->mutable_concat_param() = v1.concat_param();
    if (v1.has_convolution_param()) *l->mutable_convolution_param() = v1.convolution_param();
    if (v1.has_dropout_param()) *l->mutable_dropout_param() = v1.dropout_param();
    if (v1.has_eltwise_param()) *l->mutable_eltwise_param() = v1.eltwise_param();
    if (v1.has_exp_param()) *l->mutable_exp_param() = v1.exp_param();
    if (v1.has_inner_product_param()) *l->mutable_inner_product_param() = v1.inner_product_param();
    if (v1.has_lrn_param()) *l->mutable_lrn_param() = v1.lrn_param();
    if (v1.has_mvn_param()) *l->mutable_mvn_param() = v1.mvn_param();
    if (v1.has_pooling_param()) *l->mutable_pooling_param() = v1.pooling_param();
    if (v1.has_power_param()) *l->mutable_power_param() = v1.power_param();
    if (v1.has_relu_param()) *l->mutable_relu_param() = v1.relu_param();
    if (v1.has_softmax_param()) *l->mutable_softmax_param() = v1.softmax_param();
    if (v1.has_slice_param()) *l->mutable_slice_param() = v1.slice_param();
  }
  net.clear_layers();
}

// Whether a layer takes part in the TEST phase (its include/exclude rules).
bool InTestPhase(const LayerParameter& l) {
  auto test = [](const halo_caffe::NetStateRule& r) {
    return !r.has_phase() || r.phase() == halo_caffe::TEST;
  };
  if (l.include_size()) {
    for (const auto& r : l.include())
      if (test(r)) return true;
    return false;
  }
  for (const auto& r : l.exclude())
    if (test(r)) return false;
  return true;
}

Shape BlobShapeOf(const halo_caffe::BlobShape& s) { return Shape(s.dim().begin(), s.dim().end()); }

// Graph inputs: the net's `input` fields, then Input layers (translated in the loop).
void AddNetInputs(Importer& im, const NetParameter& net, const ImportOptions& opts) {
  const std::string& path = im.path();
  if (net.input_shape_size() && net.input_shape_size() != net.input_size())
    throw Err(path, ": ", net.input_size(), " inputs but ", net.input_shape_size(),
              " input_shape entries");
  if (net.input_dim_size() && net.input_dim_size() != 4 * net.input_size())
    throw Err(path, ": ", net.input_size(), " inputs need ", 4 * net.input_size(),
              " input_dim entries, got ", net.input_dim_size());
  for (int i = 0; i < net.input_size(); ++i) {
    const std::string& name = net.input(i);
    Shape shape;
    if (net.input_shape_size())
      shape = BlobShapeOf(net.input_shape(i));
    else if (net.input_dim_size())
      shape.assign(net.input_dim().begin() + 4 * i, net.input_dim().begin() + 4 * i + 4);
    auto given = opts.input_shapes.find(name);
    if (given != opts.input_shapes.end()) shape = given->second;
    if (shape.empty()) throw Err(path, ": input '", name, "' has no shape (use --input-shape)");
    for (int64_t d : shape)
      if (d <= 0) throw Err(path, ": input '", name, "' has shape ", ShapeToString(shape));
    if (im.blobs().count(name)) throw Err(path, ": input '", name, "' is defined twice");
    im.graph().UniqueName(name);  // reserved: no node takes it
    im.blobs()[name] = im.graph().AddInput(name, Type(DataType::kFloat32, shape));
  }
}

void ImportNet(Importer& im, NetParameter& net, NetParameter* weights, const ImportOptions& opts) {
  const std::string& path = im.path();
  if (net.layers_size()) {
    if (net.layer_size()) throw Err(path, ": both 'layer' and the deprecated 'layers' are given");
    UpgradeV1(net);
  }
  std::map<std::string, const LayerParameter*> learned;
  if (weights) {
    if (weights->layers_size()) UpgradeV1(*weights);
    for (const LayerParameter& l : weights->layer())
      if (l.blobs_size()) learned[l.name()] = &l;
  }
  // The net's outputs, as Caffe finds them: the blobs that no layer reads after it (re)makes
  // them (an in-place layer reads and makes its blob), in the order they are made. Their
  // names are reserved for the output values.
  std::vector<std::string> outputs;
  for (const LayerParameter& l : net.layer()) {
    if (!InTestPhase(l)) continue;
    for (const std::string& b : l.bottom())
      outputs.erase(std::remove(outputs.begin(), outputs.end(), b), outputs.end());
    for (const std::string& t : l.top())
      if (std::find(outputs.begin(), outputs.end(), t) == outputs.end()) outputs.push_back(t);
  }
  for (const std::string& t : outputs) im.graph().UniqueName(t);
  AddNetInputs(im, net, opts);
  const auto& table = LayerTable();
  for (const LayerParameter& l : net.layer()) {
    if (!InTestPhase(l)) continue;
    auto fn = table.find(l.type());
    if (fn == table.end())
      throw Err(path, ": layer '", l.name(), "': unsupported layer type '", l.type(), "'");
    std::vector<const halo_caffe::BlobProto*> blobs;
    auto w = learned.find(l.name());
    const LayerParameter& source = w != learned.end() ? *w->second : l;
    for (const auto& b : source.blobs()) blobs.push_back(&b);
    im.set_layer(&l, blobs);
    fn->second(im);
  }
  for (const std::string& t : outputs) {
    Value* v = im.blobs().at(t);
    if (v->name().empty() && v->producer()->op() != "Constant") {
      v->set_name(t);
    } else if (v->name() != t) {
      Node* n = im.graph().AddNode("Identity", im.graph().UniqueName(t), {v});
      v = n->output();
      VerifyAndInfer(n);
      v->set_name(t);
    }
    im.graph().AddOutput(v);
  }
  if (im.graph().outputs().empty()) throw Err(path, ": the network has no output blob");
}

}  // namespace

Value* Importer::Bottom(int i) {
  Check(i < layer_->bottom_size(), "expects at least ", i + 1, " bottom blobs, got ",
        layer_->bottom_size());
  const std::string& name = layer_->bottom(i);
  auto it = named_.find(name);
  if (it == named_.end()) throw LayerError("bottom blob '", name, "' is produced by no layer");
  return it->second;
}

void Importer::SetTop(int i, Value* v) {
  Check(i < layer_->top_size(), "expects at least ", i + 1, " top blobs, got ", layer_->top_size());
  named_[layer_->top(i)] = v;
}

void Importer::SetTops(const std::vector<Value*>& vs) {
  Check(static_cast<size_t>(layer_->top_size()) == vs.size(), "expects ", vs.size(),
        " top blobs, got ", layer_->top_size());
  for (size_t i = 0; i < vs.size(); ++i) SetTop(static_cast<int>(i), vs[i]);
}

Tensor Importer::BlobTensor(size_t i, const Shape& shape, const char* what) {
  if (i >= blobs_.size())
    throw LayerError("no ", what, " blob (blob ", i, "): give the .caffemodel with the weights");
  const halo_caffe::BlobProto& b = *blobs_[i];
  // Old blobs give 4 dims (num, channels, height, width) and scalars no shape: their
  // element count must fit; a full shape must be the one the prototxt implies.
  Shape got = BlobShapeOf(b.shape());
  int64_t count = b.data_size() ? b.data_size() : b.double_data_size();
  bool legacy = got.empty();
  if (!b.has_shape() && (b.num() || b.channels() || b.height() || b.width()))
    got = {b.num(), b.channels(), b.height(), b.width()};
  bool shape_ok =
      legacy ? (got.empty() ? count : NumElements(got)) == NumElements(shape) : got == shape;
  if (!shape_ok)
    throw LayerError(what, " blob has shape ", ShapeToString(got), ", the prototxt implies ",
                     ShapeToString(shape));
  if (count != NumElements(shape))
    throw LayerError(what, " blob holds ", count, " values, its shape ", ShapeToString(shape),
                     " needs ", NumElements(shape));
  Tensor t(Type(DataType::kFloat32, shape));
  float* p = t.mutable_data<float>();
  for (int64_t k = 0; k < count; ++k)
    p[k] = b.data_size() ? b.data(k) : static_cast<float>(b.double_data(k));
  return t;
}

Value* Importer::BlobConst(size_t i, const Shape& shape, const char* what) {
  return Const(BlobTensor(i, shape, what));
}

Node* Importer::Op(const std::string& op, const std::vector<Value*>& ins, int num_outputs) {
  return g_.AddNode(op, g_.UniqueName(layer_->name()), ins, num_outputs);
}

Value* Importer::Op1(const std::string& op, const std::vector<Value*>& ins,
                     const std::map<std::string, AttrValue>& attrs) {
  Node* n = Op(op, ins);
  for (const auto& kv : attrs) n->set_attr(kv.first, kv.second);
  Infer(n);
  return n->output();
}

void Importer::Infer(Node* n) {
  try {
    VerifyAndInfer(n);
  } catch (const Error& e) {
    throw LayerError(e.what());
  }
}

Value* Importer::Const(Tensor t) {
  return g_.AddConstant(g_.UniqueName(layer_->name() + "_const"), std::move(t));
}

Value* Importer::Ints(const std::vector<int64_t>& v) { return Const(Tensor::FromInts(v)); }

Value* Importer::Scalar(float v) { return Const(Tensor::Scalar(DataType::kFloat32, v)); }

Value* Importer::Reshape(Value* x, const Shape& shape) {
  if (ShapeOf(x) == shape) return x;
  if (const Tensor* t = ConstantOf(x))
    return Const(Tensor(Type(t->type().dtype, shape),
                        std::vector<uint8_t>(t->bytes(), t->bytes() + t->byte_size())));
  return Op1("Reshape", {x, Ints(shape)});
}

Value* Importer::Align(Value* p, int64_t axis, int64_t rank) {
  Shape s = ShapeOf(p);
  while (static_cast<int64_t>(s.size()) + axis < rank) s.push_back(1);
  return Reshape(p, s);
}

int64_t CaffeAxis(const Importer& im, int64_t axis, int64_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  im.Check(a >= 0 && a < rank, "axis ", axis, " is out of range for a blob of rank ", rank);
  return a;
}

const std::map<std::string, LayerFn>& LayerTable() {
  static const std::map<std::string, LayerFn> table = [] {
    std::map<std::string, LayerFn> t;
    AddBasicLayers(t);
    AddShapeLayers(t);
    AddDetectionLayers(t);
    return t;
  }();
  return table;
}

}  // namespace caffe_fe

std::unique_ptr<Graph> ImportCaffe(const std::vector<std::string>& given,
                                   const ImportOptions& opts) {
  if (given.empty() || given.size() > 2)
    throw Err("a Caffe model is a .prototxt and optionally a .caffemodel; got ", given.size(),
              " files");
  // The network first, whichever order the files come in.
  std::vector<std::string> files = given;
  auto weights_file = [](const std::string& f) {
    return f.size() >= 11 && f.compare(f.size() - 11, 11, ".caffemodel") == 0;
  };
  if (files.size() == 2 && weights_file(files[0]) && !weights_file(files[1]))
    std::swap(files[0], files[1]);
  if (weights_file(files[0]))
    throw Err(files[0], ": a .caffemodel holds the weights: give the network's .prototxt too");
  const std::string& path = files[0];
  if (!opts.const_inputs.empty()) throw Err(path, ": --const-input is not supported for Caffe");
  try {
    halo_caffe::NetParameter net = caffe_fe::ReadText(path);
    halo_caffe::NetParameter weights;
    if (files.size() == 2) weights = caffe_fe::ReadBinary(files[1]);
    auto g = std::make_unique<Graph>(net.name().empty() ? "model" : net.name());
    caffe_fe::Importer im(*g, path);
    caffe_fe::ImportNet(im, net, files.size() == 2 ? &weights : nullptr, opts);
    return g;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Err(path, ": ", e.what());
  }
}

}  // namespace halo
