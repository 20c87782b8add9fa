// ODLA builders of the detection ops: MaxRoiPool and DetectionOutput.
#include "../kernels/detection.h"

#include "../common/builder.h"

using namespace odla_rt;

extern "C" {

ODLA_WEAK odla_value odla_MaxRoiPool(odla_value X, odla_value rois, odla_ints pooled_shape,
                                     odla_float32 spatial_scale, odla_value_type result_type,
                                     odla_value_id id) {
  return Guard("odla_MaxRoiPool", id, [&] {
    CheckInput(X, "X");
    CheckInput(rois, "rois");
    if (X->type.element_type != ODLA_FLOAT32 || rois->type.element_type != ODLA_FLOAT32)
      Fail("X and rois must be float32");
    auto xs = Dims(X->type.shape), rs = Dims(rois->type.shape);
    auto ps = FromInts(pooled_shape);
    if (xs.size() != 4 || rs.size() != 2 || rs[1] != 5) Fail("X must be 4-D and rois [R, 5]");
    if (ps.size() != 2 || ps[0] < 1 || ps[1] < 1) Fail("pooled_shape must be 2 positive sizes");
    if (result_type.element_type != ODLA_FLOAT32 ||
        Dims(result_type.shape) != std::vector<int64_t>{rs[0], xs[1], ps[0], ps[1]})
      Fail("result type ", TypeToString(result_type), " is wrong");
    RoiPoolSpec s{xs[0], xs[1], xs[2], xs[3], ps[0], ps[1], spatial_scale};
    int64_t r = rs[0];
    return AddOp1("MaxRoiPool", {X, rois}, result_type, id, [=](const KernelArgs& a) {
      MaxRoiPool(s, a.In<float>(0), a.In<float>(1), r, a.Out<float>(0));
    });
  });
}

ODLA_WEAK odla_value odla_DetectionOutput(odla_value loc, odla_value conf, odla_value priors,
                                          odla_int64 num_classes, odla_int64 share_location,
                                          odla_int64 background_label_id,
                                          odla_float32 nms_threshold, odla_int64 top_k,
                                          odla_int64 keep_top_k, odla_float32 confidence_threshold,
                                          odla_int64 code_type,
                                          odla_int64 variance_encoded_in_target, odla_int64 clip,
                                          odla_value_type result_type, odla_value_id id) {
  return Guard("odla_DetectionOutput", id, [&] {
    CheckInput(loc, "loc");
    CheckInput(conf, "conf");
    CheckInput(priors, "priors");
    for (odla_value v : {loc, conf, priors})
      if (v->type.element_type != ODLA_FLOAT32) Fail("inputs must be float32");
    auto ls = Dims(loc->type.shape), cs = Dims(conf->type.shape), ps = Dims(priors->type.shape);
    if (ps.size() != 3 || ps[0] != 1 || ps[1] != 2 || ps[2] % 4 != 0)
      Fail("priors must be [1, 2, P*4]");
    if (num_classes < 1 || code_type < 1 || code_type > 3) Fail("bad num_classes or code_type");
    DetectionOutputSpec s{};
    s.priors = ps[2] / 4;
    s.classes = num_classes;
    s.share_location = share_location != 0;
    int64_t loc_classes = s.share_location ? 1 : s.classes;
    if (ls.size() != 2 || cs.size() != 2 || cs[0] != ls[0] || ls[1] != s.priors * 4 * loc_classes ||
        cs[1] != s.priors * s.classes)
      Fail("loc and conf do not fit ", s.priors, " priors and ", s.classes, " classes");
    s.batch = ls[0];
    s.background = background_label_id;
    s.top_k = top_k;
    s.keep_top_k = keep_top_k;
    s.nms_threshold = nms_threshold;
    s.confidence_threshold = confidence_threshold;
    s.code_type = static_cast<int>(code_type);
    s.variance_encoded = variance_encoded_in_target != 0;
    s.clip = clip != 0;
    auto rs = Dims(result_type.shape);
    if (result_type.element_type != ODLA_FLOAT32 || rs.size() != 4 || rs[0] != 1 || rs[1] != 1 ||
        rs[3] != 7)
      Fail("result type ", TypeToString(result_type), " is not [1, 1, K, 7] float32");
    int64_t bound = rs[2];
    Kernel kernel = [=](const KernelArgs& a) {
      std::vector<float> all(static_cast<size_t>(s.batch * s.classes * s.priors * 7));
      int64_t rows = DetectionOutput(s, a.In<float>(0), a.In<float>(1), a.In<float>(2), all.data());
      rows = std::min(rows, bound);
      std::copy(all.begin(), all.begin() + rows * 7, a.Out<float>(0));
      a.SetOutShape(0, {1, 1, rows, 7});
    };
    return AddOp("DetectionOutput", {loc, conf, priors}, {result_type}, id, kernel, {true})[0];
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(MaxRoiPool)
