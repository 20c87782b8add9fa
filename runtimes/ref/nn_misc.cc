// ODLA builders of Flatten, DepthToSpace, SpaceToDepth and TopK.
#include <string>

#include "../common/builder.h"
#include "../kernels/copy.h"
#include "../kernels/depth_space.h"
#include "../kernels/dispatch.h"
#include "../kernels/topk.h"

using namespace odla_rt;

namespace {

// Runs fn(tag) with an unsigned integer type of the element's size (layout ops only move
// elements).
template <typename F>
Kernel BySize(odla_element_type t, F fn) {
  switch (ElementSize(t)) {
    case 1:
      return fn(Tag<uint8_t>{});
    case 2:
      return fn(Tag<uint16_t>{});
    case 4:
      return fn(Tag<uint32_t>{});
    default:
      return fn(Tag<uint64_t>{});
  }
}

std::vector<int64_t> Nchw(odla_value X, const odla_value_type& result) {
  CheckInput(X, "input");
  if (result.element_type != X->type.element_type) Fail("result type differs from the input");
  auto xs = Dims(X->type.shape);
  if (xs.size() != 4 || result.shape.size != 4) Fail("input and result must be [N, C, H, W]");
  return xs;
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_Flatten(odla_value input, odla_int64 axis, odla_value_type result_type,
                                  odla_value_id id) {
  return Guard("odla_Flatten", id, [&] {
    CheckInput(input, "input");
    auto xs = Dims(input->type.shape);
    int64_t rank = static_cast<int64_t>(xs.size());
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank) Fail("axis out of range");
    int64_t outer = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= xs[i];
    int64_t inner = NumElements(input->type.shape) / std::max<int64_t>(outer, 1);
    if (outer == 0) inner = 0;
    if (result_type.element_type != input->type.element_type ||
        (Dims(result_type.shape) != std::vector<int64_t>{outer, inner} && outer != 0))
      Fail("result must be [", outer, ", ", inner, "]");
    size_t bytes = ByteSize(input->type);
    return AddOp1("Flatten", {input}, result_type, id,
                  [=](const KernelArgs& k) { CopyBytes(k.out[0], k.in[0], bytes); });
  });
}

ODLA_WEAK odla_value odla_DepthToSpace(odla_value input, odla_int64 blocksize, const char* mode,
                                       odla_value_type result_type, odla_value_id id) {
  return Guard("odla_DepthToSpace", id, [&] {
    auto xs = Nchw(input, result_type);
    std::string m = mode ? mode : "";
    if (m != "DCR" && m != "CRD") Fail("mode must be DCR or CRD");
    int64_t b = blocksize;
    if (b < 1 || xs[1] % (b * b)) Fail("channels are not divisible by blocksize^2");
    if (Dims(result_type.shape) !=
        std::vector<int64_t>{xs[0], xs[1] / (b * b), xs[2] * b, xs[3] * b})
      Fail("result type ", TypeToString(result_type), " is wrong");
    bool crd = m == "CRD";
    return AddOp1("DepthToSpace", {input}, result_type, id,
                  BySize(input->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      DepthToSpace<T>(xs[0], xs[1], xs[2], xs[3], b, crd, k.In<T>(0), k.Out<T>(0));
                    };
                  }));
  });
}

ODLA_WEAK odla_value odla_SpaceToDepth(odla_value input, odla_int64 blocksize,
                                       odla_value_type result_type, odla_value_id id) {
  return Guard("odla_SpaceToDepth", id, [&] {
    auto xs = Nchw(input, result_type);
    int64_t b = blocksize;
    if (b < 1 || xs[2] % b || xs[3] % b) Fail("height and width are not divisible by blocksize");
    if (Dims(result_type.shape) != std::vector<int64_t>{xs[0], xs[1] * b * b, xs[2] / b, xs[3] / b})
      Fail("result type ", TypeToString(result_type), " is wrong");
    return AddOp1("SpaceToDepth", {input}, result_type, id,
                  BySize(input->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      SpaceToDepth<T>(xs[0], xs[1], xs[2], xs[3], b, k.In<T>(0), k.Out<T>(0));
                    };
                  }));
  });
}

ODLA_WEAK odla_values odla_TopK(odla_value X, odla_int64 k, odla_int64 axis, odla_int64 largest,
                                odla_int64 sorted, odla_value_types result_types,
                                odla_value_id id) {
  (void)sorted;  // results are always sorted, which "unsorted" permits
  return GuardN("odla_TopK", id, [&] {
    CheckInput(X, "X");
    auto types = FromTypes(result_types);
    auto xs = Dims(X->type.shape);
    int64_t rank = static_cast<int64_t>(xs.size());
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) Fail("axis out of range");
    if (k < 0 || k > xs[axis]) Fail("k = ", k, " is out of range for axis length ", xs[axis]);
    auto ys = xs;
    ys[axis] = k;
    if (types.size() != 2 || Dims(types[0].shape) != ys || Dims(types[1].shape) != ys ||
        types[0].element_type != X->type.element_type || types[1].element_type != ODLA_INT64)
      Fail("results must be Values and int64 Indices of shape with axis length k");
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= xs[i];
    for (int64_t i = axis + 1; i < rank; ++i) inner *= xs[i];
    int64_t len = xs[axis];
    bool big = largest != 0;
    Kernel kernel = DispatchNumeric(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        TopK<T>(outer, len, inner, k, big, a.In<T>(0), a.Out<T>(0), a.Out<int64_t>(1));
      };
    });
    return ToValues(AddOp("TopK", {X}, types, id, kernel));
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Flatten)
ODLA_REF_ALIAS(DepthToSpace)
ODLA_REF_ALIAS(SpaceToDepth)
ODLA_REF_ALIAS(TopK)
