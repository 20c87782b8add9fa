// Version adapters: ONNX node forms of opsets 7..16 that differ from the opset-17 form
// HALO's ops mirror in ways attribute names cannot express. (Attributes that later became
// inputs need no adapter: HALO's ops declare the old attribute too, and Importer::Build
// turns an attribute the op does not declare into a constant for the input of that name,
// e.g. Clip min/max, Dropout ratio, TopK k -> K.)
#include <cstring>

#include "frontends/onnx/onnx_importer.h"

namespace halo::onnx_fe {
namespace {

// BatchNormalization-7/8: `spatial` (1: per-channel statistics, the only later form).
void BatchNormSpatial(Importer& im, PendingNode& p) {
  if (const onnx::AttributeProto* a = p.take_attr("spatial"))
    if (a->i() != 1) im.Fail(p, "spatial=", a->i(), " (per-element statistics) is not supported");
  im.Build(p);
}

// Softmax, LogSoftmax, Hardmax before 13: the input is coerced to 2-D at `axis` (default 1)
// and each row normalised. Same as the new form (axis -1) when axis is the last axis;
// otherwise Flatten(axis) -> op(axis -1) -> Reshape to the input's shape.
void OldSoftmax(Importer& im, PendingNode& p) {
  int64_t axis = 1;
  if (const onnx::AttributeProto* a = p.take_attr("axis")) axis = a->i();
  Value* x = p.inputs.empty() ? nullptr : p.inputs[0];
  if (!x) im.Fail(p, "input 'input' is missing");
  int rank = im.RankOf(x->name());
  if (rank >= 0 && axis < 0) axis += rank;
  p.ir_attrs["axis"] = int64_t{-1};
  if (axis == -1 || (rank >= 0 && axis == rank - 1)) {
    im.Build(p);
    return;
  }
  Value* flat = im.AddHelper(p, "Flatten", {x}, {{"axis", axis}});
  Value* shape = im.AddHelper(p, "Shape", {x});
  PendingNode reshape;
  reshape.onnx_op = p.onnx_op;
  reshape.op = "Reshape";
  reshape.name = im.NewNodeName(p.name + "_Reshape");
  reshape.outputs = p.outputs;
  p.inputs = {flat};
  p.outputs = {""};
  reshape.inputs = {im.Build(p)->output(), shape};
  im.Build(reshape);
}

// Upsample (deprecated in 10) -> Resize. Upsample's scales are an attribute before 9 and
// an input from 9; its coordinate mapping is Resize's `asymmetric` with floor rounding.
void UpsampleToResize(Importer& im, PendingNode& p) {
  std::string mode = "nearest";
  if (const onnx::AttributeProto* a = p.take_attr("mode")) mode = a->s();
  Value* scales = p.inputs.size() > 1 ? p.inputs[1] : nullptr;
  if (const onnx::AttributeProto* a = p.take_attr("scales")) {
    Tensor t(Type(DataType::kFloat32, {a->floats_size()}));
    for (int i = 0; i < a->floats_size(); ++i) t.mutable_data<float>()[i] = a->floats(i);
    scales = im.AddConst(p.name + "_scales", std::move(t));
  }
  if (!scales || p.inputs.empty() || !p.inputs[0]) im.Fail(p, "needs an input and scales");
  p.op = "Resize";
  p.inputs = {p.inputs[0], nullptr, scales};
  p.ir_attrs["mode"] = mode;
  p.ir_attrs["coordinate_transformation_mode"] = std::string("asymmetric");
  if (mode == "nearest") p.ir_attrs["nearest_mode"] = std::string("floor");
  im.Build(p);
}

// Resize-10 takes (X, scales) and maps coordinates like Upsample. Resize-11 and later
// accept an empty constant for the unused one of roi/scales: it becomes absent.
void ResizeForms(Importer& im, PendingNode& p) {
  if (im.opset() == 10) {
    if (p.inputs.size() != 2) im.Fail(p, "expects 2 inputs at opset 10, got ", p.inputs.size());
    p.inputs = {p.inputs[0], nullptr, p.inputs[1]};
    std::string mode = "nearest";
    if (const onnx::AttributeProto* a = p.attr("mode")) mode = a->s();
    p.ir_attrs["coordinate_transformation_mode"] = std::string("asymmetric");
    if (mode == "nearest") p.ir_attrs["nearest_mode"] = std::string("floor");
  }
  for (size_t i = 1; i < p.inputs.size() && i <= 2; ++i) {
    const Tensor* t = ConstantOf(p.inputs[i]);
    if (t && t->type().NumElements() == 0) p.inputs[i] = nullptr;
  }
  im.Build(p);
}

struct Entry {
  const char* op;
  int64_t max_opset;  // applies to models of opsets up to this one
  Adapter fn;
};

const Entry kAdapters[] = {
    {"BatchNormalization", 8, BatchNormSpatial},
    {"Softmax", 12, OldSoftmax},
    {"LogSoftmax", 12, OldSoftmax},
    {"Hardmax", 12, OldSoftmax},
    {"Upsample", 9, UpsampleToResize},
    {"Resize", kMaxOpset, ResizeForms},
};

}  // namespace

Adapter FindAdapter(const std::string& op_type, int64_t opset) {
  for (const Entry& e : kAdapters)
    if (op_type == e.op && opset <= e.max_opset) return e.fn;
  return nullptr;
}

}  // namespace halo::onnx_fe
