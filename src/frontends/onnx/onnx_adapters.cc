// Version adapters: ONNX node forms of opsets 7..16 that differ from the opset-17 form
// HALO's ops mirror in ways attribute names cannot express. Most old forms need none:
// HALO's ops also declare the attributes that later became inputs (Clip min/max, Slice
// starts, Squeeze axes, TopK k, ...) and accept the old input lists (Resize-10, Upsample).
#include <set>
#include <unordered_map>

#include "frontends/onnx/onnx_importer.h"

namespace halo::onnx_fe {
namespace {

// Softmax, LogSoftmax, Hardmax before 13 coerce the input to 2-D at `axis` (default 1)
// and normalise each row: HALO's legacy_2d form, with the axis given explicitly.
void OldSoftmax(Importer& im, PendingNode& p) {
  int64_t axis = 1;
  if (const onnx::AttributeProto* a = p.take_attr("axis")) axis = a->i();
  p.ir_attrs["axis"] = axis;
  p.ir_attrs["legacy_2d"] = int64_t{1};
  im.Build(p);
}

// BatchNormalization with training_mode=1 (opset 14+) is HALO's BatchNormalizationTraining,
// so that the inference op keeps one result and a plain ODLA builder.
void TrainingBatchNorm(Importer& im, PendingNode& p) {
  const onnx::AttributeProto* mode = p.attr("training_mode");
  if (mode && mode->i() == 1) {
    p.take_attr("training_mode");
    p.op = "BatchNormalizationTraining";
  }
  im.Build(p);
}

struct Entry {
  const char* op;
  int64_t max_opset;  // applies to models of opsets up to this one
  Adapter fn;
};

const Entry kAdapters[] = {
    {"Softmax", 12, OldSoftmax},
    {"LogSoftmax", 12, OldSoftmax},
    {"Hardmax", 12, OldSoftmax},
    {"BatchNormalization", kMaxOpset, TrainingBatchNorm},
};

}  // namespace

void AdaptBeforeUpgrade(onnx::ModelProto& m) {
  // PRelu before opset 7 applied a 1-D slope [C] along axis 1 (the channels); from 7 on it
  // broadcasts numpy-style, which the version converter ignores. A constant slope becomes
  // [C, 1, ...] for the input's rank (from ONNX's shape inference).
  onnx::GraphProto* g = m.mutable_graph();
  std::unordered_map<std::string, int> rank;
  for (const auto* list : {&g->input(), &g->value_info()})
    for (const auto& vi : *list)
      if (vi.type().tensor_type().has_shape())
        rank[vi.name()] = vi.type().tensor_type().shape().dim_size();
  std::set<std::string> names;
  for (const auto& t : g->initializer()) names.insert(t.name());
  for (auto& n : *g->mutable_node()) {
    if (n.op_type() != "PRelu" || n.input_size() != 2 || !rank.count(n.input(0))) continue;
    int r = rank[n.input(0)];
    const onnx::TensorProto* slope = nullptr;
    for (const auto& t : g->initializer())
      if (t.name() == n.input(1)) slope = &t;
    if (!slope || slope->dims_size() != 1 || slope->dims(0) <= 1 || r < 3) continue;
    onnx::TensorProto t = *slope;
    std::string name = t.name() + "_per_channel";
    while (names.count(name)) name += "_";
    names.insert(name);
    t.set_name(name);
    for (int i = 2; i < r; ++i) t.add_dims(1);
    if (m.ir_version() < 4) {  // initializers must be graph inputs too
      auto* vi = g->add_input();
      vi->set_name(name);
      vi->mutable_type()->mutable_tensor_type()->set_elem_type(t.data_type());
      for (int64_t d : t.dims())
        vi->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    }
    *g->add_initializer() = std::move(t);
    n.set_input(1, name);
  }
}

Adapter FindAdapter(const std::string& op_type, int64_t opset) {
  if (Adapter a = FindNewerAdapter(op_type, opset)) return a;
  for (const Entry& e : kAdapters)
    if (op_type == e.op && opset <= e.max_opset) return e.fn;
  return nullptr;
}

}  // namespace halo::onnx_fe
