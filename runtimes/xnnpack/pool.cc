// MaxPool, AveragePool and GlobalAveragePool (2-D) as XNNPACK NHWC pooling. ceil_mode
// windows past the padding, MaxPool's indices and AveragePool's count_include_pad with
// padding fall back to ref.
#include <cmath>

#include "xnn_rt.h"

ODLA_XNN_FILE(pool)

using namespace odla_xnn;

ODLA_REF_DECL(MaxPool)
ODLA_REF_DECL(AveragePool)
ODLA_REF_DECL(GlobalAveragePool)

namespace {

odla_value BuildPool(const char* op, bool max, odla_value X, const odla_ints& kernel,
                     const odla_ints& strides, const odla_ints& dilations, const odla_ints& pads,
                     const odla_value_type& result, odla_value_id id) {
  RequireF32x4({X});
  if (result.element_type != ODLA_FLOAT32 || result.shape.size != 4) Reject("result type");
  Dims xd = ValueDims(X), yd = odla_rt::Dims(result.shape);
  if (kernel.size != 2 || yd[0] != xd[0] || yd[1] != xd[1]) Reject("shapes");
  Window w = MakeWindow(strides, dilations, pads);
  for (int i = 0; i < 2; ++i) {
    int64_t k = (kernel.data[i] - 1) * w.dilation[i] + 1,
            span = xd[i + 2] + w.pad[i] + w.pad[i + 2];
    if (kernel.data[i] < 1 || span < k || yd[i + 2] != (span - k) / w.stride[i] + 1)
      Reject("window");
  }
  uint32_t kh = kernel.data[0], kw = kernel.data[1];
  size_t c = xd[1];
  XOpPtr pool = NewOp();
  if (max) {
    Check(xnn_create_max_pooling2d_nhwc_f32(w.pad[0], w.pad[3], w.pad[2], w.pad[1], kh, kw,
                                            w.stride[0], w.stride[1], w.dilation[0], w.dilation[1],
                                            c, c, c, -INFINITY, INFINITY, 0, &pool->op),
          "xnn_create_max_pooling2d_nhwc_f32");
  } else {
    Check(xnn_create_average_pooling2d_nhwc_f32(w.pad[0], w.pad[3], w.pad[2], w.pad[1], kh, kw,
                                                w.stride[0], w.stride[1], c, c, c, -INFINITY,
                                                INFINITY, 0, &pool->op),
          "xnn_create_average_pooling2d_nhwc_f32");
  }
  size_t scratch = 0;
  NhwcInput x = PlanInput(0, X, scratch);
  size_t n = xd[0], h = xd[2], wi = xd[3];
  auto run = [=](const odla_rt::KernelArgs& k) {
    const float* in = x.Get(k);
    float* y = k.Out<float>(0);
    Run(*pool, "pooling", [&](xnn_operator_t o) {
      return max ? xnn_setup_max_pooling2d_nhwc_f32(o, n, h, wi, in, y, Pool())
                 : xnn_setup_average_pooling2d_nhwc_f32(o, n, h, wi, in, y, Pool());
    });
  };
  return AddNhwcOp(op, {X}, result, scratch, id, run);
}

odla_value BuildGlobalAverage(odla_value X, const odla_value_type& result, odla_value_id id) {
  RequireF32x4({X});
  Dims xd = ValueDims(X);
  if (result.element_type != ODLA_FLOAT32 ||
      odla_rt::Dims(result.shape) != Dims{xd[0], xd[1], 1, 1})
    Reject("result type");
  size_t c = xd[1];
  XOpPtr pool = NewOp();
  Check(xnn_create_global_average_pooling_nwc_f32(c, c, c, -INFINITY, INFINITY, 0, &pool->op),
        "xnn_create_global_average_pooling_nwc_f32");
  size_t scratch = 0;
  NhwcInput x = PlanInput(0, X, scratch);
  size_t n = xd[0], hw = xd[2] * xd[3];
  auto run = [=](const odla_rt::KernelArgs& k) {
    const float* in = x.Get(k);
    float* y = k.Out<float>(0);
    Run(*pool, "global average pooling", [&](xnn_operator_t o) {
      return xnn_setup_global_average_pooling_nwc_f32(o, n, hw, in, y, Pool());
    });
  };
  return AddNhwcOp("GlobalAveragePool", {X}, result, scratch, id, run);
}

}  // namespace

extern "C" {

odla_values odla_MaxPool(odla_value X, odla_int64 ceil_mode, odla_ints dilations,
                         odla_ints kernel_shape, odla_ints pads, odla_int64 storage_order,
                         odla_ints strides, odla_value_types result_types, odla_value_id id) {
  if (X && result_types.size == 1) {
    odla_value v = Try("MaxPool", [&] {
      return BuildPool("MaxPool", true, X, kernel_shape, strides, dilations, pads,
                       result_types.types[0], id);
    });
    if (v) return odla_rt::ToValues({v});
  }
  return odla_ref_MaxPool(X, ceil_mode, dilations, kernel_shape, pads, storage_order, strides,
                          result_types, id);
}

odla_value odla_AveragePool(odla_value X, odla_int64 ceil_mode, odla_int64 count_include_pad,
                            odla_ints kernel_shape, odla_ints pads, odla_ints strides,
                            odla_value_type result_type, odla_value_id id) {
  bool padded = false;
  for (int i = 0; i < pads.size; ++i) padded = padded || pads.data[i] != 0;
  if (X && !(count_include_pad && padded)) {
    odla_value v = Try("AveragePool", [&] {
      return BuildPool("AveragePool", false, X, kernel_shape, strides, {}, pads, result_type, id);
    });
    if (v) return v;
  }
  return odla_ref_AveragePool(X, ceil_mode, count_include_pad, kernel_shape, pads, strides,
                              result_type, id);
}

odla_value odla_GlobalAveragePool(odla_value X, odla_value_type result_type, odla_value_id id) {
  if (X) {
    odla_value v = Try("GlobalAveragePool", [&] { return BuildGlobalAverage(X, result_type, id); });
    if (v) return v;
  }
  return odla_ref_GlobalAveragePool(X, result_type, id);
}

}  // extern "C"
