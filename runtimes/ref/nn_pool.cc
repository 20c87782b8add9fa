// ODLA builders of the pooling ops.
#include "../kernels/dispatch.h"
#include "../kernels/pool.h"
#include "nn_window.h"

using namespace odla_rt;

namespace {

// Checks X against the result type; returns planes (N * C).
int64_t Planes(odla_value X, const odla_value_type& result) {
  CheckInput(X, "X");
  auto xs = Dims(X->type.shape), ys = Dims(result.shape);
  if (xs.size() < 3 || ys.size() != xs.size() || ys[0] != xs[0] || ys[1] != xs[1])
    Fail("result ", TypeToString(result), " does not match input ", TypeToString(X->type));
  if (result.element_type != X->type.element_type) Fail("result type differs from X");
  return xs[0] * xs[1];
}

template <typename F>
Kernel FloatKernel(odla_element_type t, F make) {
  return DispatchFloat(t, [&](auto tag) -> Kernel { return make(tag); });
}

}  // namespace

extern "C" {

ODLA_WEAK odla_values odla_MaxPool(odla_value X, odla_int64 ceil_mode, odla_ints dilations,
                                   odla_ints kernel_shape, odla_ints pads, odla_int64 storage_order,
                                   odla_ints strides, odla_value_types result_types,
                                   odla_value_id id) {
  return GuardN("odla_MaxPool", id, [&] {
    auto types = FromTypes(result_types);
    if (types.empty() || types.size() > 2) Fail("MaxPool has 1 or 2 results");
    int64_t planes = Planes(X, types[0]);
    Window3 w =
        MakeWindow(Dims(X->type.shape), Dims(types[0].shape), FromInts(kernel_shape),
                   FromInts(strides), FromInts(dilations), FromInts(pads), false, ceil_mode != 0);
    bool indices = types.size() == 2, col = storage_order != 0;
    if (indices &&
        (types[1].element_type != ODLA_INT64 || Dims(types[1].shape) != Dims(types[0].shape)))
      Fail("Indices must be int64 of the shape of Y");
    Kernel kernel = DispatchNumeric(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& k) {
        MaxPool<T>(w, planes, k.In<T>(0), k.Out<T>(0), indices ? k.Out<int64_t>(1) : nullptr, col);
      };
    });
    return ToValues(AddOp("MaxPool", {X}, types, id, kernel));
  });
}

ODLA_WEAK odla_value odla_AveragePool(odla_value X, odla_int64 ceil_mode,
                                      odla_int64 count_include_pad, odla_ints kernel_shape,
                                      odla_ints pads, odla_ints strides,
                                      odla_value_type result_type, odla_value_id id) {
  return Guard("odla_AveragePool", id, [&] {
    int64_t planes = Planes(X, result_type);
    Window3 w = MakeWindow(Dims(X->type.shape), Dims(result_type.shape), FromInts(kernel_shape),
                           FromInts(strides), {}, FromInts(pads), false, ceil_mode != 0);
    bool include = count_include_pad != 0;
    return AddOp1("AveragePool", {X}, result_type, id,
                  FloatKernel(X->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      AveragePool<T>(w, planes, k.In<T>(0), k.Out<T>(0), include);
                    };
                  }));
  });
}

ODLA_WEAK odla_value odla_LpPool(odla_value X, odla_ints kernel_shape, odla_int64 p, odla_ints pads,
                                 odla_ints strides, odla_value_type result_type, odla_value_id id) {
  return Guard("odla_LpPool", id, [&] {
    int64_t planes = Planes(X, result_type);
    if (p < 1) Fail("p must be positive");
    Window3 w = MakeWindow(Dims(X->type.shape), Dims(result_type.shape), FromInts(kernel_shape),
                           FromInts(strides), {}, FromInts(pads), false, false);
    return AddOp1(
        "LpPool", {X}, result_type, id, FloatKernel(X->type.element_type, [&](auto tag) -> Kernel {
          using T = typename decltype(tag)::type;
          return [=](const KernelArgs& k) { LpPool<T>(w, planes, k.In<T>(0), k.Out<T>(0), p); };
        }));
  });
}

static odla_value GlobalPoolOp(const char* op, odla_value X, const odla_value_type& result_type,
                               odla_value_id id, bool max) {
  int64_t planes = Planes(X, result_type);
  if (NumElements(result_type.shape) != planes) Fail("result must be [N, C, 1...]");
  int64_t size = planes ? NumElements(X->type.shape) / planes : 0;
  return AddOp1(
      op, {X}, result_type, id, FloatKernel(X->type.element_type, [&](auto tag) -> Kernel {
        using T = typename decltype(tag)::type;
        return
            [=](const KernelArgs& k) { GlobalPool<T>(planes, size, k.In<T>(0), k.Out<T>(0), max); };
      }));
}

ODLA_WEAK odla_value odla_GlobalAveragePool(odla_value X, odla_value_type result_type,
                                            odla_value_id id) {
  return Guard("odla_GlobalAveragePool", id,
               [&] { return GlobalPoolOp("GlobalAveragePool", X, result_type, id, false); });
}

ODLA_WEAK odla_value odla_GlobalMaxPool(odla_value X, odla_value_type result_type,
                                        odla_value_id id) {
  return Guard("odla_GlobalMaxPool", id,
               [&] { return GlobalPoolOp("GlobalMaxPool", X, result_type, id, true); });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(MaxPool)
ODLA_REF_ALIAS(AveragePool)
ODLA_REF_ALIAS(GlobalAveragePool)
ODLA_REF_ALIAS(GlobalMaxPool)
ODLA_REF_ALIAS(LpPool)
