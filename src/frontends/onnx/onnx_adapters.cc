// Version adapters: ONNX node forms of opsets 7..16 that differ from the opset-17 form
// HALO's ops mirror in ways attribute names cannot express. Most old forms need none:
// HALO's ops also declare the attributes that later became inputs (Clip min/max, Slice
// starts, Squeeze axes, TopK k, ...) and accept the old input lists (Resize-10, Upsample).
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

struct Entry {
  const char* op;
  int64_t max_opset;  // applies to models of opsets up to this one
  Adapter fn;
};

const Entry kAdapters[] = {
    {"Softmax", 12, OldSoftmax},
    {"LogSoftmax", 12, OldSoftmax},
    {"Hardmax", 12, OldSoftmax},
};

}  // namespace

Adapter FindAdapter(const std::string& op_type, int64_t opset) {
  for (const Entry& e : kAdapters)
    if (op_type == e.op && opset <= e.max_opset) return e.fn;
  return nullptr;
}

}  // namespace halo::onnx_fe
