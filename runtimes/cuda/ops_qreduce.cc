// Builders of the quantized ops of the TFLite import that combine many inputs into each output,
// on the project's CUDA kernels (kernels_qlinear.cu): QLinearSoftmax (each form the ref selects,
// odla_rt::SelectQSoftmax), QLinearAveragePool and QLinearReduceMean (both roundings). Scales
// and zero points must be constants (quant_params.h). Rejected (run on the host by the shared
// builder, which also reports invalid arguments): other element types, empty results.
#include <memory>
#include <vector>

#include "cuda_rt.h"
#include "kernels.h"
#include "quant_params.h"

ODLA_CUDA_FILE(ops_qreduce)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

ODLA_REF_DECL(QLinearSoftmax)
ODLA_REF_DECL(QLinearAveragePool)
ODLA_REF_DECL(QLinearReduceMean)

namespace {

void RequireSameType(odla_value x, const odla_value_type& rt) {
  if (!x || !Quantized(x->type.element_type) || rt.element_type != x->type.element_type)
    Reject("element types");
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty");
}

odla_value BuildSoftmax(odla_value x, odla_value xs, odla_value xz, odla_value ys, odla_value yz,
                        int64_t axis, const char* rounding, const odla_value_type& rt,
                        odla_value_id id) {
  if (!x) Reject("missing input");
  const odla_element_type xt = x->type.element_type, yt = rt.element_type;
  const Ints d = ValueDims(x);
  if (TypeDims(rt) != d || odla_rt::NumElements(rt.shape) == 0) Reject("result type");
  if (axis < 0 || axis >= static_cast<int64_t>(d.size())) Reject("axis");
  if (!Quantized(xt) || !Quantized(yt)) Reject("element types");
  const float x_scale = ConstScale(xs), y_scale = ConstScale(ys);
  const int32_t x_zp = ConstZeroPoint(xz, xt), y_zp = ConstZeroPoint(yz, yt);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= d[i];
  for (size_t i = axis + 1; i < d.size(); ++i) inner *= d[i];
  const int64_t len = d[axis];
  const std::vector<odla_value> inputs = {x, xs, xz, ys, yz};
  switch (odla_rt::SelectQSoftmax(TfliteRounding(rounding), xt, yt, y_scale, x_zp, y_zp)) {
    case odla_rt::QSoftmaxForm::kTflite8: {
      const odla_rt::TfliteSoftmaxParams p = odla_rt::MakeTfliteSoftmaxParams(1.0f, x_scale);
      return AddCudaOp1("QLinearSoftmax", inputs, rt, 0, id, [=](const KernelArgs& k) {
        QSoftmax(CudaStream(k), xt, yt, k.in[0], k.out[0], outer, len, inner, p);
      });
    }
    case odla_rt::QSoftmaxForm::kTfliteInt16: {
      const odla_rt::TfliteSoftmaxInt16Params p = odla_rt::MakeTfliteSoftmaxInt16Params(x_scale);
      const size_t lut_bytes = 513 * sizeof(int16_t);
      const std::shared_ptr<void> exp_lut = UploadTable(odla_rt::TfliteExpLut(), lut_bytes);
      const std::shared_ptr<void> recip_lut =
          UploadTable(odla_rt::TfliteOneOverOnePlusXLut(), lut_bytes);
      return AddCudaOp1("QLinearSoftmax", inputs, rt, 0, id, [=](const KernelArgs& k) {
        QSoftmaxInt16(CudaStream(k), k.In<int16_t>(0), k.Out<int16_t>(0), outer, len, inner, p,
                      static_cast<const int16_t*>(exp_lut.get()),
                      static_cast<const int16_t*>(recip_lut.get()));
      });
    }
    case odla_rt::QSoftmaxForm::kFloat:
      break;
  }
  // exp of every difference from a row's maximum: 0, -1, ... down to the type's span.
  std::vector<float> e(size_t{1} << (8 * (xt == ODLA_INT16 ? 2 : 1)));
  for (size_t i = 0; i < e.size(); ++i)
    e[i] = odla_rt::QSoftmaxExp(-static_cast<int32_t>(i), x_scale);
  const std::shared_ptr<void> exp_table = UploadTable(e.data(), e.size() * sizeof(float));
  return AddCudaOp1("QLinearSoftmax", inputs, rt, 0, id, [=](const KernelArgs& k) {
    QSoftmaxFloat(CudaStream(k), xt, yt, k.in[0], k.out[0], outer, len, inner,
                  static_cast<const float*>(exp_table.get()), y_scale, y_zp);
  });
}

odla_value BuildAveragePool(odla_value x, odla_value xs, odla_value xz, odla_value ys,
                            odla_value yz, int64_t count_include_pad, const odla_ints& kernel,
                            const odla_ints& pads, const odla_ints& strides, const char* rounding,
                            const odla_value_type& rt, odla_value_id id) {
  RequireSameType(x, rt);
  const Ints xd = ValueDims(x), yd = TypeDims(rt);
  if (xd.size() != 4 || yd.size() != 4 || kernel.size != 2 || strides.size != 2 || pads.size != 4)
    Reject("shapes");
  const odla_element_type t = x->type.element_type;
  QElementwise q;
  q.tflite = TfliteRounding(rounding);
  q.sa = ConstScale(xs), q.sy = ConstScale(ys);
  q.za = ConstZeroPoint(xz, t), q.zy = ConstZeroPoint(yz, t);
  const bool include = count_include_pad != 0;
  if (q.tflite && (include || q.sa != q.sy || q.za != q.zy)) Reject("TFLite's requirements");
  odla_rt::Pool2D p;
  p.n = xd[0], p.c = xd[1], p.h = xd[2], p.w = xd[3], p.oh = yd[2], p.ow = yd[3];
  p.kh = kernel.data[0], p.kw = kernel.data[1];
  p.sh = strides.data[0], p.sw = strides.data[1];
  p.pad_t = pads.data[0], p.pad_l = pads.data[1];
  if (yd[0] != p.n || yd[1] != p.c) Reject("result type");
  return AddCudaOp1("QLinearAveragePool", {x, xs, xz, ys, yz}, rt, 0, id, [=](const KernelArgs& k) {
    QAveragePool(CudaStream(k), t, k.in[0], k.out[0], p, q, include);
  });
}

odla_value BuildReduceMean(odla_value x, odla_value xs, odla_value xz, odla_value ys, odla_value yz,
                           const odla_ints& axes, const char* rounding, const odla_value_type& rt,
                           odla_value_id id) {
  RequireSameType(x, rt);
  const Ints d = ValueDims(x);
  const auto rank = static_cast<int64_t>(d.size());
  if (rank > kMaxDims) Reject("rank");
  std::vector<bool> reduced(rank, false);
  for (int32_t i = 0; i < axes.size; ++i) {
    if (axes.data[i] < 0 || axes.data[i] >= rank) Reject("axis");
    reduced[axes.data[i]] = true;
  }
  QMeanPlan m;
  int64_t stride = 1;
  std::vector<int64_t> strides(rank);
  for (int64_t i = rank - 1; i >= 0; --i) strides[i] = stride, stride *= d[i];
  for (int64_t i = 0; i < rank; ++i) {
    if (reduced[i]) {
      m.reduced_dims[m.reduced] = d[i], m.reduced_strides[m.reduced++] = strides[i];
      m.count *= d[i];
    } else {
      m.kept_dims[m.kept] = d[i], m.kept_strides[m.kept++] = strides[i];
      m.outputs *= d[i];
    }
  }
  if (m.count == 0 || m.outputs != odla_rt::NumElements(rt.shape)) Reject("shapes");
  const odla_element_type t = x->type.element_type;
  QElementwise q;
  q.tflite = TfliteRounding(rounding);
  q.sa = ConstScale(xs), q.sy = ConstScale(ys);
  q.za = ConstZeroPoint(xz, t), q.zy = ConstZeroPoint(yz, t);
  // As TFLite's Prepare: data_scale / reduced_scale in double, 1 / count folded in.
  odla_rt::QMultiplier q_count;
  if (q.tflite)
    q_count = odla_rt::TfliteMeanMultiplier(
        odla_rt::QuantizeMultiplier(static_cast<double>(q.sa) / static_cast<double>(q.sy)),
        m.count);
  return AddCudaOp1("QLinearReduceMean", {x, xs, xz, ys, yz}, rt, 0, id, [=](const KernelArgs& k) {
    QReduceMean(CudaStream(k), t, k.in[0], k.out[0], m, q, q_count);
  });
}

}  // namespace

extern "C" {

odla_value odla_QLinearSoftmax(odla_value X, odla_value X_scale, odla_value x_zero_point,
                               odla_value y_scale, odla_value y_zero_point, odla_int64 axis,
                               const char* rounding, odla_value_type result_type,
                               odla_value_id id) {
  return Try(
      "QLinearSoftmax", id,
      [&] {
        return BuildSoftmax(X, X_scale, x_zero_point, y_scale, y_zero_point, axis, rounding,
                            result_type, id);
      },
      [&] {
        return odla_ref_QLinearSoftmax(X, X_scale, x_zero_point, y_scale, y_zero_point, axis,
                                       rounding, result_type, id);
      });
}

odla_value odla_QLinearAveragePool(odla_value X, odla_value x_scale, odla_value x_zero_point,
                                   odla_value y_scale, odla_value y_zero_point,
                                   odla_int64 count_include_pad, odla_ints kernel_shape,
                                   odla_ints pads, odla_ints strides, const char* rounding,
                                   odla_value_type result_type, odla_value_id id) {
  return Try(
      "QLinearAveragePool", id,
      [&] {
        return BuildAveragePool(X, x_scale, x_zero_point, y_scale, y_zero_point, count_include_pad,
                                kernel_shape, pads, strides, rounding, result_type, id);
      },
      [&] {
        return odla_ref_QLinearAveragePool(X, x_scale, x_zero_point, y_scale, y_zero_point,
                                           count_include_pad, kernel_shape, pads, strides, rounding,
                                           result_type, id);
      });
}

odla_value odla_QLinearReduceMean(odla_value data, odla_value data_scale,
                                  odla_value data_zero_point, odla_value reduced_scale,
                                  odla_value reduced_zero_point, odla_ints axes,
                                  odla_int64 keepdims, const char* rounding,
                                  odla_value_type result_type, odla_value_id id) {
  return Try(
      "QLinearReduceMean", id,
      [&] {
        return BuildReduceMean(data, data_scale, data_zero_point, reduced_scale, reduced_zero_point,
                               axes, rounding, result_type, id);
      },
      [&] {
        return odla_ref_QLinearReduceMean(data, data_scale, data_zero_point, reduced_scale,
                                          reduced_zero_point, axes, keepdims, rounding, result_type,
                                          id);
      });
}

}  // extern "C"
