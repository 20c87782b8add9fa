// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceSumSquare
// (float32, int32, int64), ReduceL2, ReduceLogSum and ReduceLogSumExp (float32) over any axes,
// ArgMax and ArgMin (float32, int32, int64) on the project's CUDA kernels. Rejected (run on the
// host by the shared builder, which also reports invalid arguments): other types, empty results,
// ranks above 8.
#include <algorithm>

#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_reduce)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

namespace {

odla_value BuildReduce(const char* op, Reduce kind, odla_value x, const odla_ints& axes_in,
                       bool keepdims, const odla_value_type& rt, odla_value_id id) {
  if (!x) Reject("missing input");
  odla_element_type t = x->type.element_type;
  if (!ReduceSupports(kind, t) || rt.element_type != t) Reject("element type");
  Ints dims = ValueDims(x), axes = odla_rt::FromInts(axes_in), shape;
  if (dims.size() > static_cast<size_t>(kMaxDims)) Reject("rank above 8");
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] < 0 || axes[i] >= static_cast<int64_t>(dims.size()) ||
        (i && axes[i] <= axes[i - 1]))
      Reject("axes");
  for (size_t i = 0; i < dims.size(); ++i) {
    bool r = std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(i));
    if (!r)
      shape.push_back(dims[i]);
    else if (keepdims)
      shape.push_back(1);
  }
  if (TypeDims(rt) != shape) Reject("result shape");
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty result");
  return AddCudaOp1(op, {x}, rt, kReduceScratch, id, [=](const KernelArgs& k) {
    ReduceOp(CudaStream(k), kind, t, k.in[0], dims, axes, k.out[0], k.scratch);
  });
}

odla_value BuildArg(const char* op, bool is_max, odla_value x, int64_t axis, bool keepdims,
                    bool last, const odla_value_type& rt, odla_value_id id) {
  if (!x) Reject("missing input");
  odla_element_type t = x->type.element_type;
  if (t != ODLA_FLOAT32 && t != ODLA_INT32 && t != ODLA_INT64) Reject("element type");
  Ints dims = ValueDims(x), shape;
  int64_t rank = static_cast<int64_t>(dims.size());
  if (axis < 0 || axis >= rank || dims[axis] == 0) Reject("axis");
  int64_t outer = 1, n = dims[axis], inner = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (i < axis) outer *= dims[i];
    if (i > axis) inner *= dims[i];
    if (i != axis || keepdims) shape.push_back(i == axis ? 1 : dims[i]);
  }
  if (rt.element_type != ODLA_INT64 || TypeDims(rt) != shape) Reject("result type");
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty result");
  return AddCudaOp1(op, {x}, rt, 0, id, [=](const KernelArgs& k) {
    ArgExtreme(CudaStream(k), is_max, last, t, k.in[0], k.Out<int64_t>(0), outer, n, inner);
  });
}

}  // namespace

ODLA_REF_DECL(ArgMax)
ODLA_REF_DECL(ArgMin)

extern "C" {

#define ODLA_CUDA_REDUCE(NAME, KIND)                                                           \
  ODLA_REF_DECL(NAME)                                                                          \
  odla_value odla_##NAME(odla_value data, odla_ints axes, odla_int64 keepdims,                 \
                         odla_value_type result_type, odla_value_id id) {                      \
    return Try(                                                                                \
        #NAME, id,                                                                             \
        [&] {                                                                                  \
          return BuildReduce(#NAME, Reduce::KIND, data, axes, keepdims != 0, result_type, id); \
        },                                                                                     \
        [&] { return odla_ref_##NAME(data, axes, keepdims, result_type, id); });               \
  }
ODLA_CUDA_REDUCE(ReduceSum, kSum)
ODLA_CUDA_REDUCE(ReduceMean, kMean)
ODLA_CUDA_REDUCE(ReduceMax, kMax)
ODLA_CUDA_REDUCE(ReduceMin, kMin)
ODLA_CUDA_REDUCE(ReduceProd, kProd)
ODLA_CUDA_REDUCE(ReduceL2, kL2)
ODLA_CUDA_REDUCE(ReduceL1, kL1)
ODLA_CUDA_REDUCE(ReduceSumSquare, kSumSquare)
ODLA_CUDA_REDUCE(ReduceLogSum, kLogSum)
ODLA_CUDA_REDUCE(ReduceLogSumExp, kLogSumExp)
#undef ODLA_CUDA_REDUCE

odla_value odla_ArgMax(odla_value data, odla_int64 axis, odla_int64 keepdims,
                       odla_int64 select_last_index, odla_value_type result_type,
                       odla_value_id id) {
  return Try(
      "ArgMax", id,
      [&] {
        return BuildArg("ArgMax", true, data, axis, keepdims != 0, select_last_index != 0,
                        result_type, id);
      },
      [&] { return odla_ref_ArgMax(data, axis, keepdims, select_last_index, result_type, id); });
}

odla_value odla_ArgMin(odla_value data, odla_int64 axis, odla_int64 keepdims,
                       odla_int64 select_last_index, odla_value_type result_type,
                       odla_value_id id) {
  return Try(
      "ArgMin", id,
      [&] {
        return BuildArg("ArgMin", false, data, axis, keepdims != 0, select_last_index != 0,
                        result_type, id);
      },
      [&] { return odla_ref_ArgMin(data, axis, keepdims, select_last_index, result_type, id); });
}

}  // extern "C"
