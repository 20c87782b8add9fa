// ODLA builders of the ops that make tensors from shapes and scalars.
#include <type_traits>

#include "../common/builder.h"
#include "../kernels/copy.h"
#include "../kernels/dispatch.h"
#include "../kernels/fill.h"

using namespace odla_rt;

extern "C" {

ODLA_WEAK odla_value odla_Shape(odla_value data, odla_int64 start, odla_int64 end,
                                odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Shape", id, [&] {
    CheckInput(data, "data");
    auto in = Dims(data->type.shape);
    int64_t rank = static_cast<int64_t>(in.size());
    if (start < 0 || end > rank || start > end) Fail("bad range ", start, "..", end);
    std::vector<int64_t> dims(in.begin() + start, in.begin() + end);
    if (result_type.element_type != ODLA_INT64 ||
        Dims(result_type.shape) != std::vector<int64_t>{end - start})
      Fail("the result type must be i64[", end - start, "]");
    return AddOp1("Shape", {data}, result_type, id, [=](const KernelArgs& k) {
      for (size_t i = 0; i < dims.size(); ++i) k.Out<int64_t>(0)[i] = dims[i];
    });
  });
}

ODLA_WEAK odla_value odla_Size(odla_value data, odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Size", id, [&] {
    CheckInput(data, "data");
    if (result_type.element_type != ODLA_INT64 || NumElements(result_type.shape) != 1)
      Fail("the result type must be one i64");
    int64_t n = NumElements(data->type.shape);
    return AddOp1("Size", {data}, result_type, id,
                  [=](const KernelArgs& k) { *k.Out<int64_t>(0) = n; });
  });
}

ODLA_WEAK odla_value odla_ConstantOfShape(odla_float32 value_float, odla_int64 value_int,
                                          odla_value_type result_type, odla_value_id id) {
  return Guard("odla_ConstantOfShape", id, [&] {
    int64_t n = NumElements(result_type.shape);
    return AddOp1("ConstantOfShape", {}, result_type, id,
                  Dispatch(result_type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    T v = std::is_floating_point<T>::value ? static_cast<T>(value_float)
                                                           : static_cast<T>(value_int);
                    return [=](const KernelArgs& k) { FillElements(k.out[0], n, &v, sizeof(T)); };
                  }));
  });
}

ODLA_WEAK odla_value odla_Range(odla_value start, odla_value limit, odla_value delta,
                                odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Range", id, [&] {
    CheckInput(start, "start");
    CheckInput(limit, "limit");
    CheckInput(delta, "delta");
    for (odla_value v : {start, limit, delta}) {
      CheckSameElementType(start, v);
      if (NumElements(v->type.shape) != 1) Fail("start, limit and delta must be scalars");
    }
    if (result_type.element_type != start->type.element_type || result_type.shape.size != 1)
      Fail("the result type must be a list of the inputs' type");
    int64_t n = result_type.shape.dims[0];
    return AddOp1("Range", {start, limit, delta}, result_type, id,
                  DispatchNumeric(start->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      RangeFill(k.Out<T>(0), n, *k.In<T>(0), *k.In<T>(2));
                    };
                  }));
  });
}

ODLA_WEAK odla_value odla_EyeLike(odla_value input, odla_element_type dtype, odla_int64 k,
                                  odla_value_type result_type, odla_value_id id) {
  return Guard("odla_EyeLike", id, [&] {
    CheckInput(input, "input");
    if (input->type.shape.size != 2 || result_type.element_type != dtype ||
        Dims(result_type.shape) != Dims(input->type.shape))
      Fail("the input must be 2-D and the result a ", TypeToString(input->type),
           "-shaped tensor of 'dtype'");
    int64_t rows = input->type.shape.dims[0], cols = input->type.shape.dims[1];
    return AddOp1("EyeLike", {input}, result_type, id, Dispatch(dtype, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& a) {
                      EyeFill(a.Out<T>(0), rows, cols, k, static_cast<T>(1));
                    };
                  }));
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Shape)
ODLA_REF_ALIAS(Size)
ODLA_REF_ALIAS(ConstantOfShape)
ODLA_REF_ALIAS(Range)
ODLA_REF_ALIAS(EyeLike)
