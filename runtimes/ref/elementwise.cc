// ODLA builders of element-wise ops on the shared reference kernels.
#include "../common/builder.h"
#include "../kernels/broadcast.h"
#include "../kernels/dispatch.h"

using namespace odla_rt;

extern "C" {

ODLA_WEAK odla_value odla_Add(odla_value A, odla_value B, odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Add", id, [&] {
    CheckInput(A, "A");
    CheckInput(B, "B");
    CheckSameElementType(A, B);
    auto as = Dims(A->type.shape), bs = Dims(B->type.shape), os = Dims(result_type.shape);
    return AddOp1("Add", {A, B}, result_type, id, DispatchNumeric(A->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& k) {
        BinaryBroadcast(k.In<T>(0), as, k.In<T>(1), bs, k.Out<T>(0), os, [](T x, T y) { return static_cast<T>(x + y); });
      };
    }));
  });
}

ODLA_WEAK odla_value odla_Relu(odla_value X, odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Relu", id, [&] {
    CheckInput(X, "X");
    int64_t n = NumElements(X->type.shape);
    return AddOp1("Relu", {X}, result_type, id, DispatchNumeric(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& k) { UnaryMap(k.In<T>(0), k.Out<T>(0), n, [](T x) { return x > T(0) ? x : T(0); }); };
    }));
  });
}

}  // extern "C"
