// Builders of the quantized element-wise ops of the TFLite import (QLinearAdd, QLinearSub,
// QLinearMul, QLinearLeakyRelu, Requantize, QLinearSigmoid, QLinearTanh: both roundings, every
// form of the ref) on the project's CUDA kernels (kernels_quant.cu, kernels_qlinear.cu). Their
// per-tensor scales and zero points must be constants: the parameters are made once, at build time,
// as the ref makes them at each execution. Rejected (run on the host by the shared builder, which
// also reports invalid arguments): scales or zero points that are not constants, other element
// types, empty results.
#include <memory>
#include <string>
#include <vector>

#include "../kernels/broadcast.h"
#include "../kernels/quant_tflite.h"
#include "cuda_rt.h"
#include "kernels.h"
#include "quant_params.h"

ODLA_CUDA_FILE(ops_qlinear)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

ODLA_REF_DECL(QLinearAdd)
ODLA_REF_DECL(QLinearSub)
ODLA_REF_DECL(QLinearMul)
ODLA_REF_DECL(QLinearLeakyRelu)
ODLA_REF_DECL(Requantize)
ODLA_REF_DECL(QLinearSigmoid)
ODLA_REF_DECL(QLinearTanh)

namespace {

void RequireShape(const odla_value_type& rt, const Ints& dims) {
  if (TypeDims(rt) != dims) Reject("result type");
  if (dims.size() > static_cast<size_t>(kMaxDims)) Reject("rank");
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty");
}

// sign: 1 add, -1 subtract, 0 multiply.
odla_value BuildBinary(const char* op, int sign, odla_value a, odla_value as, odla_value az,
                       odla_value b, odla_value bs, odla_value bz, odla_value ys, odla_value yz,
                       const char* rounding, const odla_value_type& rt, odla_value_id id) {
  if (!a || !b) Reject("missing input");
  const odla_element_type t = a->type.element_type;
  if (!Quantized(t) || b->type.element_type != t || rt.element_type != t) Reject("element types");
  Ints os;
  if (!odla_rt::BroadcastShapes(ValueDims(a), ValueDims(b), &os)) Reject("shapes");
  RequireShape(rt, os);
  QElementwise p;
  p.tflite = TfliteRounding(rounding);
  p.sign = sign;
  p.sa = ConstScale(as), p.sb = ConstScale(bs), p.sy = ConstScale(ys);
  p.za = ConstZeroPoint(az, t), p.zb = ConstZeroPoint(bz, t), p.zy = ConstZeroPoint(yz, t);
  if (p.tflite && sign == 0)  // as TFLite's MUL Prepare: the multiplier in double
    p.q = odla_rt::QuantizeMultiplier(static_cast<double>(p.sa) * p.sb / p.sy);
  else if (p.tflite)
    p.add = odla_rt::MakeTfliteAddParams(p.sa, p.za, p.sb, p.zb, p.sy, p.zy, t == ODLA_INT16);
  const StridedMap m =
      MakeMap(os, BroadcastStrides(ValueDims(a), os), 0, BroadcastStrides(ValueDims(b), os), 0);
  return AddCudaOp1(op, {a, as, az, b, bs, bz, ys, yz}, rt, 0, id, [=](const KernelArgs& k) {
    QLinearBinary(CudaStream(k), t, k.in[0], k.in[3], k.out[0], m, p);
  });
}

odla_value BuildLeakyRelu(odla_value x, odla_value xs, odla_value xz, odla_value ys, odla_value yz,
                          float alpha, const char* rounding, const odla_value_type& rt,
                          odla_value_id id) {
  if (!x) Reject("missing input");
  const odla_element_type t = x->type.element_type;
  if (!Quantized(t) || rt.element_type != t) Reject("element types");
  RequireShape(rt, ValueDims(x));
  QElementwise p;
  p.tflite = TfliteRounding(rounding);
  p.sa = ConstScale(xs), p.sy = ConstScale(ys), p.alpha = alpha;
  p.za = ConstZeroPoint(xz, t), p.zy = ConstZeroPoint(yz, t);
  if (p.tflite) p.leaky = odla_rt::MakeTfliteLeakyReluParams(p.sa, p.za, p.sy, p.zy, alpha);
  const int64_t n = odla_rt::NumElements(rt.shape);
  return AddCudaOp1("QLinearLeakyRelu", {x, xs, xz, ys, yz}, rt, 0, id, [=](const KernelArgs& k) {
    QLinearLeakyRelu(CudaStream(k), t, k.in[0], k.out[0], n, p);
  });
}

odla_value BuildRequantize(odla_value x, odla_value xs, odla_value xz, odla_value ys, odla_value yz,
                           const char* rounding, const odla_value_type& rt, odla_value_id id) {
  if (!x || !yz) Reject("missing input");
  const odla_element_type xt = x->type.element_type, yt = yz->type.element_type;
  if (!Quantized(xt, true) || !Quantized(yt, true) || rt.element_type != yt)
    Reject("element types");
  RequireShape(rt, ValueDims(x));
  QElementwise p;
  p.tflite = TfliteRounding(rounding);
  p.sa = ConstScale(xs), p.sy = ConstScale(ys);
  p.za = ConstZeroPoint(xz, xt), p.zy = ConstZeroPoint(yz, yt);
  // As TFLite's quantize Prepare: x_scale / y_scale in double.
  if (p.tflite)
    p.q = odla_rt::QuantizeMultiplier(static_cast<double>(p.sa) / static_cast<double>(p.sy));
  const int64_t n = odla_rt::NumElements(rt.shape);
  return AddCudaOp1("Requantize", {x, xs, xz, ys, yz}, rt, 0, id, [=](const KernelArgs& k) {
    Requantize(CudaStream(k), xt, yt, k.in[0], k.out[0], n, p);
  });
}

// Every form, as a table of the ref's function (odla_rt::QSigmoidTanh) over every value of the
// element type, made at build time: exactly the host's results, exp and tanh included.
template <typename T>
std::shared_ptr<void> SigmoidTanhTable(const odla_rt::QSigmoidTanh<T>& f) {
  std::vector<T> table(size_t{1} << (8 * sizeof(T)));
  for (size_t i = 0; i < table.size(); ++i)
    table[i] = f(static_cast<T>(odla_rt::QRange<T>::lo + static_cast<int64_t>(i)));
  return UploadTable(table.data(), table.size() * sizeof(T));
}

odla_value BuildSigmoidTanh(bool tanh, odla_value x, odla_value xs, odla_value xz, odla_value ys,
                            odla_value yz, const char* rounding, const odla_value_type& rt,
                            odla_value_id id) {
  if (!x || !Quantized(x->type.element_type) || rt.element_type != x->type.element_type)
    Reject("element types");
  const odla_element_type t = x->type.element_type;
  RequireShape(rt, ValueDims(x));
  const bool tflite = TfliteRounding(rounding);
  const float x_scale = ConstScale(xs), y_scale = ConstScale(ys);
  const int32_t x_zp = ConstZeroPoint(xz, t), y_zp = ConstZeroPoint(yz, t);
  auto table = [&](auto tag) {
    using T = decltype(tag);
    return SigmoidTanhTable(odla_rt::QSigmoidTanh<T>(tanh, tflite, x_scale, x_zp, y_scale, y_zp));
  };
  const std::shared_ptr<void> lut = t == ODLA_INT8    ? table(int8_t{})
                                    : t == ODLA_UINT8 ? table(uint8_t{})
                                                      : table(int16_t{});
  const int64_t n = odla_rt::NumElements(rt.shape);
  const char* op = tanh ? "QLinearTanh" : "QLinearSigmoid";
  return AddCudaOp1(op, {x, xs, xz, ys, yz}, rt, 0, id, [=](const KernelArgs& k) {
    QTableLookup(CudaStream(k), op, t, k.in[0], k.out[0], n, lut.get());
  });
}

}  // namespace

extern "C" {

#define ODLA_CUDA_QLINEAR_BINARY(Op, sign)                                                         \
  odla_value odla_##Op(odla_value A, odla_value A_scale, odla_value A_zero_point, odla_value B,    \
                       odla_value B_scale, odla_value B_zero_point, odla_value C_scale,            \
                       odla_value C_zero_point, const char* rounding, odla_value_type result_type, \
                       odla_value_id id) {                                                         \
    return Try(                                                                                    \
        #Op, id,                                                                                   \
        [&] {                                                                                      \
          return BuildBinary(#Op, sign, A, A_scale, A_zero_point, B, B_scale, B_zero_point,        \
                             C_scale, C_zero_point, rounding, result_type, id);                    \
        },                                                                                         \
        [&] {                                                                                      \
          return odla_ref_##Op(A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale,        \
                               C_zero_point, rounding, result_type, id);                           \
        });                                                                                        \
  }
ODLA_CUDA_QLINEAR_BINARY(QLinearAdd, 1)
ODLA_CUDA_QLINEAR_BINARY(QLinearSub, -1)
ODLA_CUDA_QLINEAR_BINARY(QLinearMul, 0)
#undef ODLA_CUDA_QLINEAR_BINARY

odla_value odla_QLinearLeakyRelu(odla_value X, odla_value X_scale, odla_value X_zero_point,
                                 odla_value Y_scale, odla_value Y_zero_point, odla_float32 alpha,
                                 const char* rounding, odla_value_type result_type,
                                 odla_value_id id) {
  return Try(
      "QLinearLeakyRelu", id,
      [&] {
        return BuildLeakyRelu(X, X_scale, X_zero_point, Y_scale, Y_zero_point, alpha, rounding,
                              result_type, id);
      },
      [&] {
        return odla_ref_QLinearLeakyRelu(X, X_scale, X_zero_point, Y_scale, Y_zero_point, alpha,
                                         rounding, result_type, id);
      });
}

odla_value odla_Requantize(odla_value x, odla_value x_scale, odla_value x_zero_point,
                           odla_value y_scale, odla_value y_zero_point, const char* rounding,
                           odla_value_type result_type, odla_value_id id) {
  return Try(
      "Requantize", id,
      [&] {
        return BuildRequantize(x, x_scale, x_zero_point, y_scale, y_zero_point, rounding,
                               result_type, id);
      },
      [&] {
        return odla_ref_Requantize(x, x_scale, x_zero_point, y_scale, y_zero_point, rounding,
                                   result_type, id);
      });
}

#define ODLA_CUDA_QLINEAR_SIGMOID_TANH(Op, tanh)                                                   \
  odla_value odla_##Op(odla_value X, odla_value X_scale, odla_value X_zero_point,                  \
                       odla_value Y_scale, odla_value Y_zero_point, const char* rounding,          \
                       odla_value_type result_type, odla_value_id id) {                            \
    return Try(                                                                                    \
        #Op, id,                                                                                   \
        [&] {                                                                                      \
          return BuildSigmoidTanh(tanh, X, X_scale, X_zero_point, Y_scale, Y_zero_point, rounding, \
                                  result_type, id);                                                \
        },                                                                                         \
        [&] {                                                                                      \
          return odla_ref_##Op(X, X_scale, X_zero_point, Y_scale, Y_zero_point, rounding,          \
                               result_type, id);                                                   \
        });                                                                                        \
  }
ODLA_CUDA_QLINEAR_SIGMOID_TANH(QLinearSigmoid, false)
ODLA_CUDA_QLINEAR_SIGMOID_TANH(QLinearTanh, true)
#undef ODLA_CUDA_QLINEAR_SIGMOID_TANH

}  // extern "C"
