// ODLA builders of Einsum and Det.
#include "../common/builder.h"
#include "../kernels/det.h"
#include "../kernels/dispatch.h"
#include "../kernels/einsum.h"
#include "../kernels/type_sets.h"

using namespace odla_rt;

extern "C" {

ODLA_WEAK odla_value odla_Einsum(odla_values Inputs, const char* equation,
                                 odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Einsum", id, [&] {
    auto ins = FromValues(Inputs);
    if (ins.empty()) Fail("no inputs");
    std::vector<std::vector<int64_t>> shapes;
    for (odla_value v : ins) {
      CheckInput(v, "Inputs");
      CheckSameElementType(ins[0], v);
      shapes.push_back(Dims(v->type.shape));
    }
    if (result_type.element_type != ins[0]->type.element_type)
      Fail("the result must have the element type of the inputs");
    EinsumPlan plan(equation ? equation : "", shapes);
    if (plan.out_shape() != Dims(result_type.shape))
      Fail("result type ", TypeToString(result_type), " does not match the equation");
    size_t n = ins.size();
    Kernel kernel = DispatchIn<kNumericSet>(ins[0]->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        std::vector<const T*> in(n);
        for (size_t i = 0; i < n; ++i) in[i] = a.In<T>(static_cast<int>(i));
        plan.Run<T>(in, a.Out<T>(0));
      };
    });
    return AddOp1("Einsum", ins, result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_Det(odla_value X, odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Det", id, [&] {
    CheckInput(X, "X");
    auto xs = Dims(X->type.shape);
    size_t r = xs.size();
    if (r < 2 || xs[r - 1] != xs[r - 2]) Fail("X must be [*, M, M]");
    std::vector<int64_t> ys(xs.begin(), xs.end() - 2);
    if (result_type.element_type != X->type.element_type || Dims(result_type.shape) != ys)
      Fail("result type ", TypeToString(result_type), " is wrong");
    int64_t n = xs[r - 1], batch = NumElements(result_type.shape);
    Kernel kernel = DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) { Det<T>(batch, n, a.In<T>(0), a.Out<T>(0)); };
    });
    return AddOp1("Det", {X}, result_type, id, kernel);
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Einsum)
ODLA_REF_ALIAS(Det)
