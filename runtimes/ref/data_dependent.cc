// ODLA builders of the ops whose result shapes depend on the input values: NonZero, Unique,
// NonMaxSuppression. Their result types are upper bounds; the kernels set the actual shapes.
#include <algorithm>
#include <string>

#include "../common/builder.h"
#include "../kernels/dispatch.h"
#include "../kernels/half_float.h"
#include "../kernels/nms.h"
#include "../kernels/nonzero.h"
#include "../kernels/unique.h"

using namespace odla_rt;

namespace {

constexpr int64_t kNoAxis = -2147483648LL;  // Unique over the flattened input

void CheckResult(const odla_value_type& got, odla_element_type et,
                 const std::vector<int64_t>& bound, const char* what) {
  if (got.element_type != et || Dims(got.shape) != bound) {
    odla_value_type want{};
    want.element_type = et;
    want.shape = MakeShape(bound);
    Fail("result '", what, "' must be ", TypeToString(want), ", got ", TypeToString(got));
  }
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_NonZero(odla_value X, odla_value_type result_type, odla_value_id id) {
  return Guard("odla_NonZero", id, [&] {
    CheckInput(X, "X");
    auto dims = Dims(X->type.shape);
    if (dims.empty()) dims = {1};  // a scalar counts as a one-element list
    int64_t rank = static_cast<int64_t>(dims.size());
    CheckResult(result_type, ODLA_INT64, {rank, NumElements(X->type.shape)}, "Y");
    odla_element_type t = X->type.element_type;
    Kernel kernel;
    if (Is16BitFloat(t)) {  // any bits but the sign's make a non-zero
      kernel = [=](const KernelArgs& a) {
        auto nonzero = [](uint16_t v) { return (v & 0x7fff) != 0; };
        a.SetOutShape(0, {rank, NonZero(a.In<uint16_t>(0), dims, nonzero, a.Out<int64_t>(0))});
      };
    } else {
      kernel = Dispatch(t, [&](auto tag) -> Kernel {
        using T = typename decltype(tag)::type;
        return [=](const KernelArgs& a) {
          auto nonzero = [](T v) { return v != T(0); };
          a.SetOutShape(0, {rank, NonZero(a.In<T>(0), dims, nonzero, a.Out<int64_t>(0))});
        };
      });
    }
    return AddOp("NonZero", {X}, {result_type}, id, kernel, {true})[0];
  });
}

ODLA_WEAK odla_values odla_Unique(odla_value X, odla_int64 axis, odla_int64 sorted,
                                  odla_value_types result_types, odla_value_id id) {
  return GuardN("odla_Unique", id, [&] {
    CheckInput(X, "X");
    auto types = FromTypes(result_types);
    auto xs = Dims(X->type.shape);
    int64_t rank = static_cast<int64_t>(xs.size());
    bool flat = axis == kNoAxis;
    if (!flat && (axis < 0 || axis >= rank)) Fail("bad axis ", axis, " for rank ", rank);
    int64_t outer = 1, len = flat ? NumElements(X->type.shape) : xs[axis], inner = 1;
    for (int64_t d = 0; !flat && d < axis; ++d) outer *= xs[d];
    for (int64_t d = axis + 1; !flat && d < rank; ++d) inner *= xs[d];
    if (types.empty() || types.size() > 4) Fail("Unique has 1 to 4 results, got ", types.size());
    auto ys = flat ? std::vector<int64_t>{len} : xs;
    const char* names[] = {"Y", "indices", "inverse_indices", "counts"};
    CheckResult(types[0], X->type.element_type, ys, names[0]);
    for (size_t i = 1; i < types.size(); ++i) CheckResult(types[i], ODLA_INT64, {len}, names[i]);
    int y_axis = flat ? 0 : static_cast<int>(axis);
    int results = static_cast<int>(types.size());
    bool sort = sorted != 0;
    Kernel kernel = Dispatch(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        auto out = [&](int i) { return i < results ? a.Out<int64_t>(i) : nullptr; };
        int64_t count =
            Unique(a.In<T>(0), outer, len, inner, sort, a.Out<T>(0), out(1), out(2), out(3));
        auto shape = ys;
        shape[y_axis] = count;
        a.SetOutShape(0, shape);
        for (int i : {1, 3})
          if (i < results) a.SetOutShape(i, {count});
      };
    });
    std::vector<bool> data_dependent = {true, true, false, true};
    data_dependent.resize(results);
    return ToValues(AddOp("Unique", {X}, types, id, kernel, data_dependent));
  });
}

ODLA_WEAK odla_value odla_NonMaxSuppression(odla_value boxes, odla_value scores,
                                            odla_int64 center_point_box,
                                            odla_int64 max_output_boxes_per_class,
                                            odla_float32 iou_threshold,
                                            odla_float32 score_threshold,
                                            odla_value_type result_type, odla_value_id id) {
  return Guard("odla_NonMaxSuppression", id, [&] {
    CheckInput(boxes, "boxes");
    CheckInput(scores, "scores");
    CheckSameElementType(boxes, scores);
    auto bs = Dims(boxes->type.shape), ss = Dims(scores->type.shape);
    if (bs.size() != 3 || bs[2] != 4 || ss.size() != 3 || ss[0] != bs[0] || ss[2] != bs[1])
      Fail("'boxes' ", TypeToString(boxes->type), " and 'scores' ", TypeToString(scores->type),
           " must be [batches, boxes, 4] and [batches, classes, boxes]");
    if (center_point_box != 0 && center_point_box != 1) Fail("center_point_box must be 0 or 1");
    int64_t max_keep = std::max<int64_t>(max_output_boxes_per_class, 0);
    int64_t batches = bs[0], classes = ss[1], n = bs[1];
    CheckResult(result_type, ODLA_INT64, {batches * classes * std::min(max_keep, n), 3},
                "selected_indices");
    bool center = center_point_box != 0;
    Kernel kernel = DispatchFloat(boxes->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      T iou = iou_threshold, score = score_threshold;
      return [=](const KernelArgs& a) {
        int64_t rows = NonMaxSuppression(a.In<T>(0), a.In<T>(1), batches, classes, n, center,
                                         max_keep, iou, score, a.Out<int64_t>(0));
        a.SetOutShape(0, {rows, 3});
      };
    });
    return AddOp("NonMaxSuppression", {boxes, scores}, {result_type}, id, kernel, {true})[0];
  });
}

}  // extern "C"

// The fallback of runtimes that override this builder (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(NonZero)
