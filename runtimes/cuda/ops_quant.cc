// Builders of QuantizeLinear and DequantizeLinear (per tensor or per axis) and of
// DynamicQuantizeLinear on the project's CUDA kernels (kernels_quant.cu). Rejected (run on the host
// by the shared builder, which also reports invalid arguments): empty results, other element types,
// arguments the shared builder would refuse.
#include <string>

#include "cuda_rt.h"
#include "kernels.h"
#include "quant_params.h"

ODLA_CUDA_FILE(ops_quant)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

ODLA_REF_DECL(QuantizeLinear)
ODLA_REF_DECL(DequantizeLinear)
ODLA_REF_DECL(DynamicQuantizeLinear)

namespace {

// x as [outer, len, inner] for a scale of 1 (per tensor) or len (per axis) entries, with a
// zero point (may be NULL) of the same count and element type `zt`.
void AxisView(odla_value x, odla_value scale, odla_value zp, odla_element_type zt, int64_t axis,
              int64_t* outer, int64_t* len, int64_t* inner) {
  if (!x || !scale || scale->type.element_type != ODLA_FLOAT32) Reject("scale");
  Ints xs = ValueDims(x), ss = ValueDims(scale);
  const int64_t count = odla_rt::NumElements(scale->type.shape);
  if (ss.size() > 1) Reject("scale shape");
  *outer = 1, *len = count, *inner = 1;
  if (count == 1) {
    *inner = odla_rt::NumElements(x->type.shape);
  } else {
    if (axis < 0 || axis >= static_cast<int64_t>(xs.size()) || xs[axis] != count) Reject("axis");
    for (int64_t d = 0; d < axis; ++d) *outer *= xs[d];
    for (size_t d = axis + 1; d < xs.size(); ++d) *inner *= xs[d];
  }
  if (zp && (zp->type.element_type != zt || ValueDims(zp).size() > 1 ||
             odla_rt::NumElements(zp->type.shape) != count))
    Reject("zero point");
  if (*outer * *len * *inner == 0) Reject("empty");
}

odla_value BuildQuantize(odla_value x, odla_value scale, odla_value zp, int64_t axis,
                         const char* rounding, const odla_value_type& rt, odla_value_id id) {
  const std::string r = rounding ? rounding : "";
  if (r != "onnx" && r != "tflite") Reject("rounding");
  if (!x) Reject("missing input");
  const odla_element_type q = zp ? zp->type.element_type : ODLA_UINT8;
  const odla_element_type xt = x->type.element_type;
  if (!Quantized(q) || rt.element_type != q || TypeDims(rt) != ValueDims(x) ||
      (xt != ODLA_FLOAT32 && xt != ODLA_INT32))
    Reject("element types");
  int64_t outer, len, inner;
  AxisView(x, scale, zp, q, axis, &outer, &len, &inner);
  const bool away = r == "tflite";
  return AddCudaOp1("QuantizeLinear", {x, scale, zp}, rt, 0, id, [=](const KernelArgs& a) {
    QuantizeLinear(CudaStream(a), xt, q, a.in[0], a.In<float>(1), a.in[2], a.out[0], outer, len,
                   inner, away);
  });
}

odla_value BuildDequantize(odla_value x, odla_value scale, odla_value zp, int64_t axis,
                           const odla_value_type& rt, odla_value_id id) {
  if (!x) Reject("missing input");
  const odla_element_type xt = x->type.element_type;
  if (!Quantized(xt, true) || rt.element_type != ODLA_FLOAT32 || TypeDims(rt) != ValueDims(x))
    Reject("element types");
  int64_t outer, len, inner;
  AxisView(x, scale, zp, xt, axis, &outer, &len, &inner);
  return AddCudaOp1("DequantizeLinear", {x, scale, zp}, rt, 0, id, [=](const KernelArgs& a) {
    DequantizeLinear(CudaStream(a), xt, a.in[0], a.In<float>(1), a.in[2], a.Out<float>(0), outer,
                     len, inner);
  });
}

odla_values BuildDynamicQuantize(odla_value x, const odla_value_types& rts, odla_value_id id) {
  if (!x || x->type.element_type != ODLA_FLOAT32 || rts.size != 3) Reject("element types");
  const int64_t n = odla_rt::NumElements(x->type.shape);
  const odla_value_type y = rts.types[0], scale = rts.types[1], zp = rts.types[2];
  if (n == 0 || y.element_type != ODLA_UINT8 || TypeDims(y) != ValueDims(x) ||
      scale.element_type != ODLA_FLOAT32 || !TypeDims(scale).empty() ||
      zp.element_type != ODLA_UINT8 || !TypeDims(zp).empty())
    Reject("result types");
  auto out =
      AddCudaOp("DynamicQuantizeLinear", {x}, {y, scale, zp}, 0, id, [=](const KernelArgs& a) {
        DynamicQuantizeLinear(CudaStream(a), a.In<float>(0), n, a.Out<uint8_t>(0), a.Out<float>(1),
                              a.Out<uint8_t>(2));
      });
  return odla_rt::ToValues(out);
}

}  // namespace

extern "C" {

odla_value odla_QuantizeLinear(odla_value x, odla_value y_scale, odla_value y_zero_point,
                               odla_int64 axis, const char* rounding, odla_value_type result_type,
                               odla_value_id id) {
  return Try(
      "QuantizeLinear", id,
      [&] { return BuildQuantize(x, y_scale, y_zero_point, axis, rounding, result_type, id); },
      [&] {
        return odla_ref_QuantizeLinear(x, y_scale, y_zero_point, axis, rounding, result_type, id);
      });
}

odla_value odla_DequantizeLinear(odla_value x, odla_value x_scale, odla_value x_zero_point,
                                 odla_int64 axis, odla_value_type result_type, odla_value_id id) {
  return Try(
      "DequantizeLinear", id,
      [&] { return BuildDequantize(x, x_scale, x_zero_point, axis, result_type, id); },
      [&] { return odla_ref_DequantizeLinear(x, x_scale, x_zero_point, axis, result_type, id); });
}

odla_values odla_DynamicQuantizeLinear(odla_value x, odla_value_types result_types,
                                       odla_value_id id) {
  return TryN(
      "DynamicQuantizeLinear", id, [&] { return BuildDynamicQuantize(x, result_types, id); },
      [&] { return odla_ref_DynamicQuantizeLinear(x, result_types, id); });
}

}  // extern "C"
