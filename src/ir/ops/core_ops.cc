// Graph inputs and constants: not lowered to operator builders.
#include "ir/op_registry.h"

namespace halo {

void RegisterCoreOps(OpRegistry& r) {
  OpDef& in = r.Add("Input").Doc("A model input; its type is set when it is created.").Out("value");
  in.lowered = false;
  in.foldable = false;
  OpDef& k = r.Add("Constant")
                 .Doc("A constant tensor.")
                 .Out("value")
                 .Attr("value", AttrKind::kTensor, Tensor(), "the tensor", false);
  k.lowered = false;
  k.foldable = false;
}

}  // namespace halo
