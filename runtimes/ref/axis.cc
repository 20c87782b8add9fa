// ODLA builders of Softmax, LogSoftmax, Hardmax and CumSum on the shared kernels.
#include "../kernels/axis.h"

#include "../common/builder.h"
#include "../kernels/type_sets.h"

using namespace odla_rt;

namespace {

// The [outer, n, inner] view of `dims` around `axis`; `legacy_2d` (opset < 13) folds all
// dimensions from `axis` on into n.
void AxisView(const std::vector<int64_t>& dims, int64_t axis, bool legacy_2d, int64_t* outer,
              int64_t* n, int64_t* inner) {
  int64_t rank = static_cast<int64_t>(dims.size());
  if (axis < 0 || axis >= rank) Fail("axis ", axis, " is out of range for rank ", rank);
  *outer = *n = *inner = 1;
  for (int64_t i = 0; i < rank; ++i)
    (i < axis ? *outer : i == axis || legacy_2d ? *n : *inner) *= dims[i];
}

odla_value BuildSoftmax(const char* op, SoftmaxKind kind, odla_value input, odla_int64 axis,
                        odla_int64 legacy_2d, const odla_value_type& result_type,
                        odla_value_id id) {
  return Guard(("odla_" + std::string(op)).c_str(), id, [&] {
    CheckInput(input, "input");
    if (!SameType(result_type, input->type)) Fail("result type must be the input's type");
    int64_t outer, n, inner;
    AxisView(Dims(input->type.shape), axis, legacy_2d != 0, &outer, &n, &inner);
    Kernel k = DispatchIn<kFloatSet>(input->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) { Softmax(kind, a.In<T>(0), a.Out<T>(0), outer, n, inner); };
    });
    return AddOp1(op, {input}, result_type, id, std::move(k));
  });
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_Softmax(odla_value input, odla_int64 axis, odla_int64 legacy_2d,
                                  odla_value_type result_type, odla_value_id id) {
  return BuildSoftmax("Softmax", SoftmaxKind::kSoftmax, input, axis, legacy_2d, result_type, id);
}

ODLA_WEAK odla_value odla_LogSoftmax(odla_value input, odla_int64 axis, odla_int64 legacy_2d,
                                     odla_value_type result_type, odla_value_id id) {
  return BuildSoftmax("LogSoftmax", SoftmaxKind::kLogSoftmax, input, axis, legacy_2d, result_type,
                      id);
}

ODLA_WEAK odla_value odla_Hardmax(odla_value input, odla_int64 axis, odla_int64 legacy_2d,
                                  odla_value_type result_type, odla_value_id id) {
  return BuildSoftmax("Hardmax", SoftmaxKind::kHardmax, input, axis, legacy_2d, result_type, id);
}

ODLA_WEAK odla_value odla_CumSum(odla_value x, odla_int64 axis, odla_int64 exclusive,
                                 odla_int64 reverse, odla_value_type result_type,
                                 odla_value_id id) {
  return Guard("odla_CumSum", id, [&] {
    CheckInput(x, "x");
    if (!SameType(result_type, x->type)) Fail("result type must be the input's type");
    int64_t outer, n, inner;
    AxisView(Dims(x->type.shape), axis, false, &outer, &n, &inner);
    bool ex = exclusive != 0, rev = reverse != 0;
    Kernel k = DispatchIn<kNumericSet>(x->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return
          [=](const KernelArgs& a) { CumSum(a.In<T>(0), a.Out<T>(0), outer, n, inner, ex, rev); };
    });
    return AddOp1("CumSum", {x}, result_type, id, std::move(k));
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Softmax)
ODLA_REF_ALIAS(LogSoftmax)
ODLA_REF_ALIAS(Hardmax)
ODLA_REF_ALIAS(CumSum)
