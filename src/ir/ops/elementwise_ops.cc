// Element-wise ops: unary maps and broadcasting binary ops.
#include "ir/ops/rules.h"

namespace halo {

static void BinaryRule(InferContext& c) {
  const Type& a = c.in(0);
  const Type& b = c.in(1);
  c.check(a.dtype == b.dtype, "element types differ: ", a.ToString(), " and ", b.ToString());
  c.set_out(Type(a.dtype, BroadcastShapes(a.shape, b.shape)));
}

void RegisterElementwiseOps(OpRegistry& r) {
  r.Add("Add").Doc("Element-wise sum with numpy broadcasting.").In("A").In("B").Out("C").Rule(BinaryRule);
  r.Add("Relu").Doc("max(X, 0) element-wise.").In("X").Out("Y").Rule(SameAsInput0);
}

}  // namespace halo
