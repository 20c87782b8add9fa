// ODLA builders of Reduce* and ArgMax/ArgMin on the shared kernels.
#include "../kernels/reduce.h"

#include <algorithm>

#include "../common/builder.h"
#include "../kernels/axis.h"
#include "../kernels/type_sets.h"

using namespace odla_rt;

namespace {

// The result shape of reducing `dims` over `axes` (sorted, distinct, in range).
std::vector<int64_t> ReducedShape(const std::vector<int64_t>& dims,
                                  const std::vector<int64_t>& axes, bool keepdims) {
  std::vector<int64_t> s;
  for (size_t i = 0; i < dims.size(); ++i) {
    bool r = std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(i));
    if (!r)
      s.push_back(dims[i]);
    else if (keepdims)
      s.push_back(1);
  }
  return s;
}

void CheckResult(const odla_value_type& rt, odla_element_type et,
                 const std::vector<int64_t>& shape) {
  if (rt.element_type != et || Dims(rt.shape) != shape) {
    odla_value_type want{};
    want.element_type = et;
    want.shape = MakeShape(shape);
    Fail("result type ", TypeToString(rt), " should be ", TypeToString(want));
  }
}

odla_value BuildReduce(const char* op, ReduceKind kind, odla_value data, const odla_ints& axes_in,
                       odla_int64 keepdims, const odla_value_type& result_type, odla_value_id id) {
  return Guard(("odla_" + std::string(op)).c_str(), id, [&] {
    CheckInput(data, "data");
    auto dims = Dims(data->type.shape);
    auto axes = FromInts(axes_in);
    for (size_t i = 0; i < axes.size(); ++i)
      if (axes[i] < 0 || axes[i] >= static_cast<int64_t>(dims.size()) ||
          (i && axes[i] <= axes[i - 1]))
        Fail("axes must be sorted, distinct and in [0, ", dims.size(), ")");
    CheckResult(result_type, data->type.element_type, ReducedShape(dims, axes, keepdims != 0));
    Kernel k = DispatchIn<kNumericSet>(data->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) { Reduce(kind, a.In<T>(0), dims, axes, a.Out<T>(0)); };
    });
    return AddOp1(op, {data}, result_type, id, std::move(k));
  });
}

odla_value BuildArg(const char* op, bool is_max, odla_value data, odla_int64 axis,
                    odla_int64 keepdims, odla_int64 select_last_index,
                    const odla_value_type& result_type, odla_value_id id) {
  return Guard(("odla_" + std::string(op)).c_str(), id, [&] {
    CheckInput(data, "data");
    auto dims = Dims(data->type.shape);
    int64_t rank = static_cast<int64_t>(dims.size());
    if (axis < 0 || axis >= rank) Fail("axis ", axis, " is out of range for rank ", rank);
    if (dims[axis] == 0) Fail("the axis is empty");
    CheckResult(result_type, ODLA_INT64, ReducedShape(dims, {axis}, keepdims != 0));
    int64_t outer = 1, n = dims[axis], inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= dims[i];
    for (int64_t i = axis + 1; i < rank; ++i) inner *= dims[i];
    bool last = select_last_index != 0;
    Kernel k = DispatchIn<kNumericSet>(data->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        ArgExtreme(is_max, last, a.In<T>(0), a.Out<int64_t>(0), outer, n, inner);
      };
    });
    return AddOp1(op, {data}, result_type, id, std::move(k));
  });
}

}  // namespace

extern "C" {

#define ODLA_REDUCE_BUILDER(NAME, KIND)                                                  \
  ODLA_WEAK odla_value odla_##NAME(odla_value data, odla_ints axes, odla_int64 keepdims, \
                                   odla_value_type result_type, odla_value_id id) {      \
    return BuildReduce(#NAME, ReduceKind::KIND, data, axes, keepdims, result_type, id);  \
  }
ODLA_REDUCE_BUILDER(ReduceSum, kSum)
ODLA_REDUCE_BUILDER(ReduceMean, kMean)
ODLA_REDUCE_BUILDER(ReduceMax, kMax)
ODLA_REDUCE_BUILDER(ReduceMin, kMin)
ODLA_REDUCE_BUILDER(ReduceProd, kProd)
ODLA_REDUCE_BUILDER(ReduceL1, kL1)
ODLA_REDUCE_BUILDER(ReduceL2, kL2)
ODLA_REDUCE_BUILDER(ReduceLogSum, kLogSum)
ODLA_REDUCE_BUILDER(ReduceLogSumExp, kLogSumExp)
ODLA_REDUCE_BUILDER(ReduceSumSquare, kSumSquare)
#undef ODLA_REDUCE_BUILDER

ODLA_WEAK odla_value odla_ArgMax(odla_value data, odla_int64 axis, odla_int64 keepdims,
                                 odla_int64 select_last_index, odla_value_type result_type,
                                 odla_value_id id) {
  return BuildArg("ArgMax", true, data, axis, keepdims, select_last_index, result_type, id);
}

ODLA_WEAK odla_value odla_ArgMin(odla_value data, odla_int64 axis, odla_int64 keepdims,
                                 odla_int64 select_last_index, odla_value_type result_type,
                                 odla_value_id id) {
  return BuildArg("ArgMin", false, data, axis, keepdims, select_last_index, result_type, id);
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(ReduceSum)
ODLA_REF_ALIAS(ReduceMean)
ODLA_REF_ALIAS(ReduceMax)
ODLA_REF_ALIAS(ReduceMin)
ODLA_REF_ALIAS(ReduceProd)
ODLA_REF_ALIAS(ReduceL2)
ODLA_REF_ALIAS(ArgMax)
ODLA_REF_ALIAS(ArgMin)
ODLA_REF_ALIAS(ReduceL1)
ODLA_REF_ALIAS(ReduceSumSquare)
ODLA_REF_ALIAS(ReduceLogSum)
ODLA_REF_ALIAS(ReduceLogSumExp)
