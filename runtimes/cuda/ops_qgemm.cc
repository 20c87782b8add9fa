// Builders of the integer products on the project's CUDA kernels (kernels_qgemm.cu):
// MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv (both roundings), with the shared
// builders' checks; and MatMulNBits (kernels_nbits.cu, products of more than
// kNBitsGemvRows rows on cuBLAS after dequantizing the weights into scratch memory). Rejected (run
// on the host by the shared builder, which also reports invalid arguments): other element types,
// scales or zero points of other counts or types, empty results.
#include <memory>
#include <string>

#include "../kernels/fixed_point.h"
#include "../kernels/gemm.h"
#include "../ref/nn_window.h"
#include "cuda_rt.h"
#include "gemm_call.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_qgemm)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

ODLA_REF_DECL(MatMulInteger)
ODLA_REF_DECL(QLinearMatMul)
ODLA_REF_DECL(ConvInteger)
ODLA_REF_DECL(QLinearConv)
ODLA_REF_DECL(MatMulNBits)

namespace {

bool Is8Bit(odla_element_type t) { return t == ODLA_INT8 || t == ODLA_UINT8; }

// A scale or zero point: present (unless `optional`), of type t, a scalar or 1-D of 1 or n
// entries (the host builder's ParamCount); its count (1 for a missing one).
int64_t Count(odla_value v, odla_element_type t, int64_t n, bool optional = false) {
  if (!v) {
    if (!optional) Reject("missing scale or zero point");
    return 1;
  }
  const int64_t count = odla_rt::NumElements(v->type.shape);
  if (v->type.element_type != t || ValueDims(v).size() > 1 || (count != 1 && count != n))
    Reject("scale or zero point");
  return count;
}

void RequireResult(const odla_value_type& rt, odla_element_type t, const Ints& dims) {
  if (rt.element_type != t || TypeDims(rt) != dims) Reject("result type");
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty");
}

// The batch offsets of a product uploaded once (NULL for one batch).
std::shared_ptr<void> Offsets(const Ints& off) {
  if (off.size() < 2) return nullptr;
  return UploadTable(off.data(), off.size() * sizeof(int64_t));
}

// A product of a and b with their zero points (inputs a_in, b_in, a_zp_in, b_zp_in of the
// op) into `out` (scales and y's zero point set by the caller from the op's inputs).
odla_value AddQMatMul(const char* op, odla_value A, odla_value azp, odla_value B, odla_value bzp,
                      const std::vector<odla_value>& inputs, const odla_value_type& rt,
                      odla_value_id id, const Ints& in_at,
                      std::function<void(const KernelArgs&, QOutput*)> output) {
  if (!A || !B || !Is8Bit(A->type.element_type) || !Is8Bit(B->type.element_type))
    Reject("element types");
  const odla_rt::MatMulBatches p =
      RejectFailures([&] { return odla_rt::PlanMatMul(ValueDims(A), ValueDims(B)); });
  const bool quantized = output != nullptr;
  RequireResult(rt, quantized ? rt.element_type : ODLA_INT32, p.out_shape);
  if (quantized && !Is8Bit(rt.element_type)) Reject("result type");
  QOperand a, b;
  a.type = A->type.element_type;
  b.type = B->type.element_type;
  a.zp_n = Count(azp, a.type, p.m, !quantized);
  b.zp_n = Count(bzp, b.type, p.n, !quantized);
  std::shared_ptr<void> aoff = Offsets(p.aoff), boff = Offsets(p.boff);
  const odla_element_type yt = rt.element_type;
  return AddCudaOp1(op, inputs, rt, 0, id, [=](const KernelArgs& k) {
    QOperand ka = a, kb = b;
    ka.data = k.in[in_at[0]], ka.zp = k.in[in_at[1]];
    kb.data = k.in[in_at[2]], kb.zp = k.in[in_at[3]];
    QOutput y;
    y.y = k.out[0];
    y.type = yt;
    if (output) output(k, &y);
    QMatMul(CudaStream(k), ka, kb, static_cast<const int64_t*>(aoff.get()),
            static_cast<const int64_t*>(boff.get()), p.nb, p.m, p.k, p.n, y);
  });
}

odla_value BuildMatMulInteger(odla_value A, odla_value B, odla_value azp, odla_value bzp,
                              const odla_value_type& rt, odla_value_id id) {
  return AddQMatMul("MatMulInteger", A, azp, B, bzp, {A, B, azp, bzp}, rt, id, {0, 2, 1, 3},
                    nullptr);
}

odla_value BuildQLinearMatMul(odla_value a, odla_value as, odla_value azp, odla_value b,
                              odla_value bs, odla_value bzp, odla_value ys, odla_value yzp,
                              const odla_value_type& rt, odla_value_id id) {
  if (!a || !b) Reject("missing input");
  const odla_rt::MatMulBatches p =
      RejectFailures([&] { return odla_rt::PlanMatMul(ValueDims(a), ValueDims(b)); });
  const int64_t asn = Count(as, ODLA_FLOAT32, p.m), bsn = Count(bs, ODLA_FLOAT32, p.n);
  Count(ys, ODLA_FLOAT32, 1);
  if (!yzp || rt.element_type != yzp->type.element_type) Reject("result type");
  Count(yzp, rt.element_type, 1);
  return AddQMatMul("QLinearMatMul", a, azp, b, bzp, {a, as, azp, b, bs, bzp, ys, yzp}, rt, id,
                    {0, 2, 3, 5}, [=](const KernelArgs& k, QOutput* y) {
                      y->kind = QOutput::kOnnx;
                      y->row_scale = k.In<float>(1), y->row_scale_n = asn;
                      y->col_scale = k.In<float>(4), y->col_scale_n = bsn;
                      y->y_scale = k.In<float>(6);
                      y->y_zp = k.in[7];
                    });
}

struct ConvArgs {
  odla_value x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B;
  const char* rounding;  // NULL: ConvInteger
  odla_ints dilations;
  odla_int64 group;
  odla_ints pads, strides;
  odla_value_type rt;
};

odla_value BuildConv(const char* op, const ConvArgs& c, odla_value_id id) {
  const bool integer = c.rounding == nullptr;
  const std::string rounding = integer ? "" : c.rounding;
  const bool tflite = rounding == "tflite";
  if (!integer && !tflite && rounding != "onnx") Reject("rounding");
  if (!c.x || !c.w || !Is8Bit(c.w->type.element_type)) Reject("element types");
  const odla_element_type xt = c.x->type.element_type, yt = c.rt.element_type;
  const bool wide = xt == ODLA_INT16;
  if (wide ? !tflite || c.w->type.element_type != ODLA_INT8 || yt != ODLA_INT16 : !Is8Bit(xt))
    Reject("element types");
  if (!integer && ((!c.y_zp || c.y_zp->type.element_type != yt) || (!wide && !Is8Bit(yt))))
    Reject("result type");
  const odla_rt::ConvShape s = RejectFailures([&] {
    return odla_rt::ConvGeometry(c.x, c.w, nullptr, c.rt, c.group, c.strides, c.dilations, c.pads,
                                 false);
  });
  RequireResult(c.rt, integer ? ODLA_INT32 : yt, TypeDims(c.rt));
  QOperand x, w;
  x.type = xt;
  w.type = c.w->type.element_type;
  Count(c.x_zp, xt, 1, integer);
  w.zp_n = Count(c.w_zp, w.type, s.m, integer);
  int64_t wsn = 1;
  if (!integer) {
    Count(c.x_scale, ODLA_FLOAT32, 1);
    wsn = Count(c.w_scale, ODLA_FLOAT32, s.m);
    Count(c.y_scale, ODLA_FLOAT32, 1);
    Count(c.y_zp, yt, 1);
    if (c.B &&
        (c.B->type.element_type != (wide ? ODLA_INT64 : ODLA_INT32) || ValueDims(c.B) != Ints{s.m}))
      Reject("B");
  }
  // TFLite's multipliers: made now from constant scales (as TfliteConv makes them: x_scale *
  // w_scale / y_scale in double), else by a kernel at each run, in scratch memory.
  std::shared_ptr<void> multipliers;
  if (tflite && c.x_scale->const_data && c.w_scale->const_data && c.y_scale->const_data) {
    const double xs = *static_cast<const float*>(c.x_scale->const_data);
    const double ys = *static_cast<const float*>(c.y_scale->const_data);
    const auto* ws = static_cast<const float*>(c.w_scale->const_data);
    std::vector<odla_rt::QMultiplier> q(wsn);
    for (int64_t i = 0; i < wsn; ++i)
      q[i] = odla_rt::QuantizeMultiplier(xs * static_cast<double>(ws[i]) / ys);
    multipliers = UploadTable(q.data(), q.size() * sizeof(q[0]));
  }
  const size_t scratch = tflite && !multipliers ? wsn * sizeof(odla_rt::QMultiplier) : 0;
  std::vector<odla_value> inputs = {c.x, c.w, c.x_zp, c.w_zp};
  if (!integer) inputs = {c.x, c.x_scale, c.x_zp, c.w, c.w_scale, c.w_zp, c.y_scale, c.y_zp, c.B};
  return AddCudaOp1(op, inputs, c.rt, scratch, id, [=](const KernelArgs& k) {
    QOperand kx = x, kw = w;
    QOutput y;
    y.y = k.out[0];
    y.type = integer ? ODLA_INT32 : yt;
    if (integer) {
      kx.data = k.in[0], kx.zp = k.in[2], kw.data = k.in[1], kw.zp = k.in[3];
    } else {
      kx.data = k.in[0], kx.zp = k.in[2], kw.data = k.in[3], kw.zp = k.in[5];
      y.kind = tflite ? QOutput::kTflite : QOutput::kOnnx;
      y.row_scale = k.In<float>(4), y.row_scale_n = wsn;
      y.col_scale = k.In<float>(1);
      y.y_scale = k.In<float>(6);
      y.y_zp = k.in[7];
      y.bias = k.in[8];
      y.multipliers = static_cast<const odla_rt::QMultiplier*>(multipliers.get());
      y.scratch = k.scratch;
    }
    QConv(CudaStream(k), s, kx, kw, y);
  });
}

odla_value BuildMatMulNBits(odla_value A, odla_value B, odla_value scales, odla_value zp,
                            odla_int64 bits, odla_int64 block, const odla_value_type& rt,
                            odla_value_id id) {
  const odla_rt::NBitsWeights plan =
      RejectFailures([&] { return odla_rt::PlanNBits(A, B, scales, zp, bits, block, rt); });
  if (odla_rt::NumElements(rt.shape) == 0 || plan.k == 0) Reject("empty");
  const int64_t m = odla_rt::NumElements(A->type.shape) / plan.k;
  const bool gemv = m <= kNBitsGemvRows, zp_float = zp && zp->type.element_type == ODLA_FLOAT32;
  GemmCall call;
  call.tb = true;
  call.m = IntDim(m), call.n = IntDim(plan.n), call.k = IntDim(plan.k);
  call.lda = call.k, call.ldb = call.k;
  call.compute = CublasCompute();
  const size_t scratch = gemv ? 0 : ScratchAligned(plan.n * plan.k * sizeof(float));
  return AddCudaOp1("MatMulNBits", {A, B, scales, zp}, rt, scratch, id, [=](const KernelArgs& k) {
    odla_rt::NBitsWeights w = plan;
    w.q = k.In<uint8_t>(1);
    w.scales = k.In<float>(2);
    w.zp_packed = zp && !zp_float ? k.In<uint8_t>(3) : nullptr;
    w.zp_float = zp_float ? k.In<float>(3) : nullptr;
    if (gemv) return NBitsGemv(CudaStream(k), w, k.In<float>(0), m, k.Out<float>(0));
    float* dequantized = static_cast<float*>(k.scratch);
    NBitsDequantize(CudaStream(k), w, dequantized);
    call.Run(k, k.In<float>(0), dequantized, k.Out<float>(0), 1.0f, 0.0f);
  });
}

}  // namespace

extern "C" {

odla_value odla_MatMulInteger(odla_value A, odla_value B, odla_value a_zero_point,
                              odla_value b_zero_point, odla_value_type result_type,
                              odla_value_id id) {
  return Try(
      "MatMulInteger", id,
      [&] { return BuildMatMulInteger(A, B, a_zero_point, b_zero_point, result_type, id); },
      [&] { return odla_ref_MatMulInteger(A, B, a_zero_point, b_zero_point, result_type, id); });
}

odla_value odla_QLinearMatMul(odla_value a, odla_value a_scale, odla_value a_zero_point,
                              odla_value b, odla_value b_scale, odla_value b_zero_point,
                              odla_value y_scale, odla_value y_zero_point,
                              odla_value_type result_type, odla_value_id id) {
  return Try(
      "QLinearMatMul", id,
      [&] {
        return BuildQLinearMatMul(a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
                                  y_zero_point, result_type, id);
      },
      [&] {
        return odla_ref_QLinearMatMul(a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
                                      y_zero_point, result_type, id);
      });
}

odla_value odla_ConvInteger(odla_value x, odla_value w, odla_value x_zero_point,
                            odla_value w_zero_point, odla_ints dilations, odla_int64 group,
                            odla_ints pads, odla_ints strides, odla_value_type result_type,
                            odla_value_id id) {
  ConvArgs c{};
  c.x = x, c.x_zp = x_zero_point, c.w = w, c.w_zp = w_zero_point;
  c.rounding = nullptr;
  c.dilations = dilations, c.group = group, c.pads = pads, c.strides = strides;
  c.rt = result_type;
  return Try(
      "ConvInteger", id, [&] { return BuildConv("ConvInteger", c, id); },
      [&] {
        return odla_ref_ConvInteger(x, w, x_zero_point, w_zero_point, dilations, group, pads,
                                    strides, result_type, id);
      });
}

odla_value odla_QLinearConv(odla_value x, odla_value x_scale, odla_value x_zero_point, odla_value w,
                            odla_value w_scale, odla_value w_zero_point, odla_value y_scale,
                            odla_value y_zero_point, odla_value B, const char* rounding,
                            odla_ints dilations, odla_int64 group, odla_ints pads,
                            odla_ints strides, odla_value_type result_type, odla_value_id id) {
  ConvArgs c{};
  c.x = x, c.x_scale = x_scale, c.x_zp = x_zero_point;
  c.w = w, c.w_scale = w_scale, c.w_zp = w_zero_point;
  c.y_scale = y_scale, c.y_zp = y_zero_point, c.B = B;
  c.rounding = rounding ? rounding : "";
  c.dilations = dilations, c.group = group, c.pads = pads, c.strides = strides;
  c.rt = result_type;
  return Try(
      "QLinearConv", id, [&] { return BuildConv("QLinearConv", c, id); },
      [&] {
        return odla_ref_QLinearConv(x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
                                    y_zero_point, B, rounding, dilations, group, pads, strides,
                                    result_type, id);
      });
}

odla_value odla_MatMulNBits(odla_value A, odla_value B, odla_value scales, odla_value zero_points,
                            odla_int64 bits, odla_int64 block_size, odla_value_type result_type,
                            odla_value_id id) {
  return Try(
      "MatMulNBits", id,
      [&] {
        return BuildMatMulNBits(A, B, scales, zero_points, bits, block_size, result_type, id);
      },
      [&] {
        return odla_ref_MatMulNBits(A, B, scales, zero_points, bits, block_size, result_type, id);
      });
}

}  // extern "C"
