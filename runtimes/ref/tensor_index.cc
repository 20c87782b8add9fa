// ODLA builders of the indexing ops: Gather*, Scatter*, OneHot. Indices are checked at run
// time (a bad index fails the execution).
#include <string>

#include "../common/builder.h"
#include "../kernels/dispatch.h"
#include "../kernels/fill.h"
#include "../kernels/gather.h"

using namespace odla_rt;

namespace {

void CheckIndices(odla_value v, bool allow32) {
  odla_element_type t = v->type.element_type;
  if (t != ODLA_INT64 && !(allow32 && t == ODLA_INT32))
    Fail("'indices' must be ", allow32 ? "int32 or int64" : "int64", ", got ",
         TypeToString(v->type));
}

void CheckAxis(int64_t axis, size_t rank) {
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) Fail("bad axis ", axis, " for rank ", rank);
}

// ScatterElements and Scatter.
odla_value ScatterElementsOp(const char* op, odla_value data, odla_value indices,
                             odla_value updates, int64_t axis, Reduction red,
                             const odla_value_type& rt, odla_value_id id) {
  CheckInput(data, "data");
  CheckInput(indices, "indices");
  CheckInput(updates, "updates");
  CheckIndices(indices, true);
  CheckSameElementType(data, updates);
  if (!SameType(data->type, rt)) Fail("the result type must be the type of 'data'");
  auto ds = Dims(data->type.shape), is = Dims(indices->type.shape);
  CheckAxis(axis, ds.size());
  bool ok = is == Dims(updates->type.shape) && is.size() == ds.size();
  for (size_t d = 0; ok && d < ds.size(); ++d)
    ok = static_cast<int64_t>(d) == axis || is[d] <= ds[d];
  if (!ok) Fail("'indices' and 'updates' must have one shape that fits in 'data'");
  bool is64 = indices->type.element_type == ODLA_INT64;
  int64_t n = NumElements(indices->type.shape), bound = ds[axis];
  int ax = static_cast<int>(axis);
  if (red != Reduction::kNone && data->type.element_type == ODLA_BOOL)
    Fail("reductions do not apply to bool");
  return AddOp1(op, {data, indices, updates}, rt, id,
                Dispatch(data->type.element_type, [&](auto tag) -> Kernel {
                  using T = typename decltype(tag)::type;
                  return [=](const KernelArgs& k) {
                    auto idx = LoadIndices(k.in[1], is64, n, bound, "indices");
                    ScatterElements(k.Out<T>(0), k.In<T>(0), ds, k.In<T>(2), is, ax, idx, red);
                  };
                }));
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_Gather(odla_value data, odla_value indices, odla_int64 axis,
                                 odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Gather", id, [&] {
    CheckInput(data, "data");
    CheckInput(indices, "indices");
    CheckIndices(indices, true);
    auto ds = Dims(data->type.shape);
    CheckAxis(axis, ds.size());
    int64_t outer = 1, inner = 1, n = NumElements(indices->type.shape), dim = ds[axis];
    for (int64_t d = 0; d < axis; ++d) outer *= ds[d];
    for (size_t d = axis + 1; d < ds.size(); ++d) inner *= ds[d];
    if (result_type.element_type != data->type.element_type ||
        NumElements(result_type.shape) != outer * n * inner)
      Fail("the result type ", TypeToString(result_type), " does not fit");
    bool is64 = indices->type.element_type == ODLA_INT64;
    size_t es = ElementSize(data->type.element_type);
    return AddOp1("Gather", {data, indices}, result_type, id, [=](const KernelArgs& k) {
      auto idx = LoadIndices(k.in[1], is64, n, dim, "indices");
      GatherCopy(k.out[0], k.in[0], es, outer, dim, inner, idx);
    });
  });
}

ODLA_WEAK odla_value odla_GatherElements(odla_value data, odla_value indices, odla_int64 axis,
                                         odla_value_type result_type, odla_value_id id) {
  return Guard("odla_GatherElements", id, [&] {
    CheckInput(data, "data");
    CheckInput(indices, "indices");
    CheckIndices(indices, true);
    auto ds = Dims(data->type.shape), is = Dims(indices->type.shape);
    CheckAxis(axis, ds.size());
    bool ok = is.size() == ds.size() && Dims(result_type.shape) == is &&
              result_type.element_type == data->type.element_type;
    for (size_t d = 0; ok && d < ds.size(); ++d)
      ok = static_cast<int64_t>(d) == axis || is[d] <= ds[d];
    if (!ok) Fail("'indices' ", TypeToString(indices->type), " or the result type do not fit");
    bool is64 = indices->type.element_type == ODLA_INT64;
    int64_t n = NumElements(indices->type.shape), dim = ds[axis];
    size_t es = ElementSize(data->type.element_type);
    int ax = static_cast<int>(axis);
    return AddOp1("GatherElements", {data, indices}, result_type, id, [=](const KernelArgs& k) {
      auto idx = LoadIndices(k.in[1], is64, n, dim, "indices");
      GatherElementsCopy(k.out[0], k.in[0], es, ds, is, ax, idx);
    });
  });
}

ODLA_WEAK odla_value odla_GatherND(odla_value data, odla_value indices, odla_int64 batch_dims,
                                   odla_value_type result_type, odla_value_id id) {
  return Guard("odla_GatherND", id, [&] {
    CheckInput(data, "data");
    CheckInput(indices, "indices");
    CheckIndices(indices, false);
    auto ds = Dims(data->type.shape), is = Dims(indices->type.shape);
    int64_t b = batch_dims, r = static_cast<int64_t>(ds.size());
    if (is.empty() || b < 0 || b >= std::min<int64_t>(r, is.size())) Fail("bad batch_dims ", b);
    int64_t k = is.back();
    if (k < 1 || k > r - b) Fail("the last dimension of 'indices' must be in 1..", r - b);
    int64_t batches = 1, batch_elems = 1, block = 1;
    for (int64_t d = 0; d < b; ++d) {
      if (ds[d] != is[d]) Fail("batch dimension ", d, " differs");
      batches *= ds[d];
    }
    for (int64_t d = b; d < r; ++d) batch_elems *= ds[d];
    for (int64_t d = b + k; d < r; ++d) block *= ds[d];
    int64_t tuples = NumElements(indices->type.shape) / k;
    if (result_type.element_type != data->type.element_type ||
        NumElements(result_type.shape) != tuples * block)
      Fail("the result type ", TypeToString(result_type), " does not fit");
    size_t es = ElementSize(data->type.element_type);
    int bd = static_cast<int>(b);
    return AddOp1("GatherND", {data, indices}, result_type, id, [=](const KernelArgs& a) {
      auto offs = TupleOffsets(ds, a.In<int64_t>(1), is, bd, "indices");
      GatherNDCopy(a.out[0], a.in[0], es, batches, batch_elems, offs, block);
    });
  });
}

ODLA_WEAK odla_value odla_ScatterElements(odla_value data, odla_value indices, odla_value updates,
                                          odla_int64 axis, const char* reduction,
                                          odla_value_type result_type, odla_value_id id) {
  return Guard("odla_ScatterElements", id, [&] {
    Reduction r = ParseReduction(reduction ? reduction : "");
    return ScatterElementsOp("ScatterElements", data, indices, updates, axis, r, result_type, id);
  });
}

ODLA_WEAK odla_value odla_Scatter(odla_value data, odla_value indices, odla_value updates,
                                  odla_int64 axis, odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Scatter", id, [&] {
    return ScatterElementsOp("Scatter", data, indices, updates, axis, Reduction::kNone, result_type,
                             id);
  });
}

ODLA_WEAK odla_value odla_ScatterND(odla_value data, odla_value indices, odla_value updates,
                                    const char* reduction, odla_value_type result_type,
                                    odla_value_id id) {
  return Guard("odla_ScatterND", id, [&] {
    CheckInput(data, "data");
    CheckInput(indices, "indices");
    CheckInput(updates, "updates");
    CheckIndices(indices, false);
    CheckSameElementType(data, updates);
    if (!SameType(data->type, result_type)) Fail("the result type must be the type of 'data'");
    Reduction red = ParseReduction(reduction ? reduction : "");
    if (red != Reduction::kNone && data->type.element_type == ODLA_BOOL)
      Fail("reductions do not apply to bool");
    auto ds = Dims(data->type.shape), is = Dims(indices->type.shape);
    int64_t k = is.empty() ? 0 : is.back();
    if (k < 1 || k > static_cast<int64_t>(ds.size()))
      Fail("the last dimension of 'indices' must be in 1..", ds.size());
    std::vector<int64_t> want(is.begin(), is.end() - 1);
    want.insert(want.end(), ds.begin() + k, ds.end());
    if (Dims(updates->type.shape) != want) Fail("'updates' has the wrong shape");
    int64_t block = 1, total = NumElements(data->type.shape);
    for (size_t d = k; d < ds.size(); ++d) block *= ds[d];
    return AddOp1("ScatterND", {data, indices, updates}, result_type, id,
                  Dispatch(data->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& a) {
                      auto offs = TupleOffsets(ds, a.In<int64_t>(1), is, 0, "indices");
                      ScatterND(a.Out<T>(0), a.In<T>(0), total, a.In<T>(2), offs, block, red);
                    };
                  }));
  });
}

ODLA_WEAK odla_value odla_OneHot(odla_value indices, odla_value values, odla_int64 axis,
                                 odla_value_type result_type, odla_value_id id) {
  return Guard("odla_OneHot", id, [&] {
    CheckInput(indices, "indices");
    CheckInput(values, "values");
    if (NumElements(values->type.shape) != 2) Fail("'values' must hold [off, on]");
    if (result_type.element_type != values->type.element_type)
      Fail("the result type must have the element type of 'values'");
    auto is = Dims(indices->type.shape), out = Dims(result_type.shape);
    if (out.size() != is.size() + 1 || axis < 0 || axis > static_cast<int64_t>(is.size()))
      Fail("bad axis ", axis, " or result type ", TypeToString(result_type));
    int64_t outer = 1, inner = 1, depth = out[axis];
    for (int64_t d = 0; d < axis; ++d) outer *= is[d];
    for (size_t d = axis; d < is.size(); ++d) inner *= is[d];
    if (NumElements(result_type.shape) != outer * depth * inner) Fail("bad result type");
    int64_t n = NumElements(indices->type.shape);
    size_t es = ElementSize(values->type.element_type);
    return AddOp1("OneHot", {indices, values}, result_type, id,
                  DispatchNumeric(indices->type.element_type, [&](auto tag) -> Kernel {
                    using I = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      const I* p = k.In<I>(0);
                      std::vector<int64_t> idx(p, p + n);
                      const uint8_t* v = k.In<uint8_t>(1);
                      OneHotFill(k.out[0], es, idx, outer, depth, inner, v, v + es);
                    };
                  }));
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Gather)
ODLA_REF_ALIAS(GatherElements)
ODLA_REF_ALIAS(GatherND)
ODLA_REF_ALIAS(OneHot)
ODLA_REF_ALIAS(ScatterElements)
ODLA_REF_ALIAS(Scatter)
ODLA_REF_ALIAS(ScatterND)
