// ODLA builders of the quantization ops.
#include "../kernels/quant.h"

#include "../common/builder.h"
#include "../kernels/dispatch.h"
#include "../kernels/nbits.h"
#include "nn_window.h"
#include "quant_tflite.h"

using namespace odla_rt;

namespace {

// int8 or uint8.
template <typename F>
auto DispatchQ(odla_element_type t, F&& f) {
  if (t == ODLA_INT8) return f(Tag<int8_t>{});
  if (t == ODLA_UINT8) return f(Tag<uint8_t>{});
  Fail("element type ", static_cast<int>(t), " is not int8 or uint8");
}

// int8, uint8 or int16.
template <typename F>
auto DispatchQ16(odla_element_type t, F&& f) {
  if (t == ODLA_INT16) return f(Tag<int16_t>{});
  return DispatchQ(t, f);
}

// Number of entries of a scale / zero point, which must be 1 or `n`.
int64_t ParamCount(odla_value v, const char* what, int64_t n, odla_element_type t) {
  CheckInput(v, what);
  if (v->type.element_type != t) Fail(what, " has the wrong element type");
  auto d = Dims(v->type.shape);
  int64_t count = NumElements(v->type.shape);
  if (d.size() > 1 || (count != 1 && count != n)) Fail(what, " must have 1 or ", n, " entries");
  return count;
}

// A zero point of QuantizeLinear / DequantizeLinear: exactly as many entries as the scale
// (`len`; ONNX requires the same shape), since the kernels read one per scale entry.
void ZeroPointCount(odla_value v, const char* what, int64_t len, odla_element_type t) {
  if (ParamCount(v, what, len, t) != len)
    Fail(what, " has 1 entry for a per-axis scale of ", len, " entries");
}

// [outer, len, inner] view of x for a per-tensor (len 1) or per-axis scale.
void AxisView(odla_value x, odla_value scale, int64_t axis, int64_t* outer, int64_t* len,
              int64_t* inner) {
  auto xs = Dims(x->type.shape);
  int64_t total = NumElements(x->type.shape);
  int64_t count = NumElements(scale->type.shape);
  if (Dims(scale->type.shape).size() > 1) Fail("the scale must be a scalar or 1-D");
  if (count == 1) {
    *outer = 1, *len = 1, *inner = total;
    return;
  }
  if (axis < 0 || axis >= static_cast<int64_t>(xs.size())) Fail("axis ", axis, " is out of range");
  if (xs[axis] != count)
    Fail("the per-axis scale has ", count, " entries for axis length ", xs[axis]);
  *outer = 1, *inner = 1, *len = count;
  for (int64_t i = 0; i < axis; ++i) *outer *= xs[i];
  for (size_t i = axis + 1; i < xs.size(); ++i) *inner *= xs[i];
}

void CheckResult(const odla_value_type& r, odla_element_type t, const std::vector<int64_t>& s) {
  if (r.element_type != t || Dims(r.shape) != s) Fail("result type ", TypeToString(r), " is wrong");
}

std::vector<float> Floats(const KernelArgs& a, int i, int64_t n) {
  const float* p = a.In<float>(i);
  return std::vector<float>(p, p + n);
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_QuantizeLinear(odla_value x, odla_value y_scale, odla_value y_zero_point,
                                         odla_int64 axis, const char* rounding,
                                         odla_value_type result_type, odla_value_id id) {
  return Guard("odla_QuantizeLinear", id, [&] {
    std::string r = rounding ? rounding : "";
    if (r != "onnx" && r != "tflite") Fail("rounding must be onnx or tflite, got ", r);
    bool away = r == "tflite";
    CheckInput(x, "x");
    CheckInput(y_scale, "y_scale");
    if (y_scale->type.element_type != ODLA_FLOAT32) Fail("y_scale must be float32");
    odla_element_type q = y_zero_point ? y_zero_point->type.element_type : ODLA_UINT8;
    CheckResult(result_type, q, Dims(x->type.shape));
    int64_t outer, len, inner;
    AxisView(x, y_scale, axis, &outer, &len, &inner);
    if (y_zero_point) ZeroPointCount(y_zero_point, "y_zero_point", len, q);
    odla_element_type xt = x->type.element_type;
    if (xt != ODLA_FLOAT32 && xt != ODLA_INT32) Fail("x must be float32 or int32");
    Kernel kernel = DispatchQ16(q, [&](auto qtag) -> Kernel {
      using Q = typename decltype(qtag)::type;
      if (xt == ODLA_INT32)
        return [=](const KernelArgs& a) {
          QuantizeLinear<int32_t, Q>(outer, len, inner, a.In<int32_t>(0), a.In<float>(1),
                                     a.In<Q>(2), a.Out<Q>(0), away);
        };
      return [=](const KernelArgs& a) {
        QuantizeLinear<float, Q>(outer, len, inner, a.In<float>(0), a.In<float>(1), a.In<Q>(2),
                                 a.Out<Q>(0), away);
      };
    });
    return AddOp1("QuantizeLinear", {x, y_scale, y_zero_point}, result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_DequantizeLinear(odla_value x, odla_value x_scale,
                                           odla_value x_zero_point, odla_int64 axis,
                                           odla_value_type result_type, odla_value_id id) {
  return Guard("odla_DequantizeLinear", id, [&] {
    CheckInput(x, "x");
    CheckInput(x_scale, "x_scale");
    if (x_scale->type.element_type != ODLA_FLOAT32) Fail("x_scale must be float32");
    CheckResult(result_type, ODLA_FLOAT32, Dims(x->type.shape));
    int64_t outer, len, inner;
    AxisView(x, x_scale, axis, &outer, &len, &inner);
    odla_element_type xt = x->type.element_type;
    if (x_zero_point) ZeroPointCount(x_zero_point, "x_zero_point", len, xt);
    auto make = [&](auto tag) -> Kernel {
      using X = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        DequantizeLinear<X>(outer, len, inner, a.In<X>(0), a.In<float>(1), a.In<X>(2),
                            a.Out<float>(0));
      };
    };
    Kernel kernel = xt == ODLA_INT32 ? make(Tag<int32_t>{}) : DispatchQ16(xt, make);
    return AddOp1("DequantizeLinear", {x, x_scale, x_zero_point}, result_type, id, kernel);
  });
}

ODLA_WEAK odla_values odla_DynamicQuantizeLinear(odla_value x, odla_value_types result_types,
                                                 odla_value_id id) {
  return GuardN("odla_DynamicQuantizeLinear", id, [&] {
    CheckInput(x, "x");
    if (x->type.element_type != ODLA_FLOAT32) Fail("x must be float32");
    auto types = FromTypes(result_types);
    if (types.size() != 3) Fail("DynamicQuantizeLinear has 3 results");
    CheckResult(types[0], ODLA_UINT8, Dims(x->type.shape));
    CheckResult(types[1], ODLA_FLOAT32, {});
    CheckResult(types[2], ODLA_UINT8, {});
    int64_t n = NumElements(x->type.shape);
    return ToValues(AddOp("DynamicQuantizeLinear", {x}, types, id, [=](const KernelArgs& a) {
      DynamicQuantizeLinear(n, a.In<float>(0), a.Out<uint8_t>(0), a.Out<float>(1),
                            a.Out<uint8_t>(2));
    }));
  });
}

ODLA_WEAK odla_value odla_MatMulInteger(odla_value A, odla_value B, odla_value a_zero_point,
                                        odla_value b_zero_point, odla_value_type result_type,
                                        odla_value_id id) {
  return Guard("odla_MatMulInteger", id, [&] {
    CheckInput(A, "A");
    CheckInput(B, "B");
    MatMulBatches p = PlanMatMul(Dims(A->type.shape), Dims(B->type.shape));
    CheckResult(result_type, ODLA_INT32, p.out_shape);
    int64_t an =
        a_zero_point ? ParamCount(a_zero_point, "a_zero_point", p.m, A->type.element_type) : 1;
    int64_t bn =
        b_zero_point ? ParamCount(b_zero_point, "b_zero_point", p.n, B->type.element_type) : 1;
    Kernel kernel = DispatchQ(A->type.element_type, [&](auto at) -> Kernel {
      using TA = typename decltype(at)::type;
      return DispatchQ(B->type.element_type, [&](auto bt) -> Kernel {
        using TB = typename decltype(bt)::type;
        return [=](const KernelArgs& a) {
          MatMulInt32<TA, TB>(p, a.In<TA>(0), a.In<TA>(2), an, a.In<TB>(1), a.In<TB>(3), bn,
                              a.Out<int32_t>(0));
        };
      });
    });
    return AddOp1("MatMulInteger", {A, B, a_zero_point, b_zero_point}, result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_QLinearMatMul(odla_value a, odla_value a_scale, odla_value a_zero_point,
                                        odla_value b, odla_value b_scale, odla_value b_zero_point,
                                        odla_value y_scale, odla_value y_zero_point,
                                        odla_value_type result_type, odla_value_id id) {
  return Guard("odla_QLinearMatMul", id, [&] {
    CheckInput(a, "a");
    CheckInput(b, "b");
    CheckInput(y_zero_point, "y_zero_point");
    MatMulBatches p = PlanMatMul(Dims(a->type.shape), Dims(b->type.shape));
    odla_element_type yt = y_zero_point->type.element_type;
    CheckResult(result_type, yt, p.out_shape);
    int64_t asn = ParamCount(a_scale, "a_scale", p.m, ODLA_FLOAT32);
    int64_t an = ParamCount(a_zero_point, "a_zero_point", p.m, a->type.element_type);
    int64_t bsn = ParamCount(b_scale, "b_scale", p.n, ODLA_FLOAT32);
    int64_t bn = ParamCount(b_zero_point, "b_zero_point", p.n, b->type.element_type);
    ParamCount(y_scale, "y_scale", 1, ODLA_FLOAT32);
    ParamCount(y_zero_point, "y_zero_point", 1, yt);
    Kernel kernel = DispatchQ(a->type.element_type, [&](auto at) -> Kernel {
      using TA = typename decltype(at)::type;
      return DispatchQ(b->type.element_type, [&](auto bt) -> Kernel {
        using TB = typename decltype(bt)::type;
        return DispatchQ(yt, [&](auto yt_tag) -> Kernel {
          using TY = typename decltype(yt_tag)::type;
          return [=](const KernelArgs& k) {
            std::vector<int32_t> acc(p.nb * p.m * p.n);
            MatMulInt32<TA, TB>(p, k.In<TA>(0), k.In<TA>(2), an, k.In<TB>(3), k.In<TB>(5), bn,
                                acc.data());
            auto as = Floats(k, 1, asn), bs = Floats(k, 4, bsn);
            float ys = *k.In<float>(6);
            int32_t yz = *k.In<TY>(7);
            TY* y = k.Out<TY>(0);
            for (int64_t s = 0; s < p.nb; ++s)
              for (int64_t i = 0; i < p.m; ++i)
                for (int64_t j = 0; j < p.n; ++j) {
                  float sc = as[asn == 1 ? 0 : i] * bs[bsn == 1 ? 0 : j] / ys;
                  int64_t o = (s * p.m + i) * p.n + j;
                  y[o] = RoundToQ<TY>(static_cast<float>(acc[o]) * sc, yz);
                }
          };
        });
      });
    });
    return AddOp1("QLinearMatMul",
                  {a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point},
                  result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_ConvInteger(odla_value x, odla_value w, odla_value x_zero_point,
                                      odla_value w_zero_point, odla_ints dilations,
                                      odla_int64 group, odla_ints pads, odla_ints strides,
                                      odla_value_type result_type, odla_value_id id) {
  return Guard("odla_ConvInteger", id, [&] {
    CheckInput(x, "x");
    CheckInput(w, "w");
    if (result_type.element_type != ODLA_INT32) Fail("the result must be int32");
    ConvShape s = ConvGeometry(x, w, nullptr, result_type, group, strides, dilations, pads, false);
    if (x_zero_point) ParamCount(x_zero_point, "x_zero_point", 1, x->type.element_type);
    int64_t wn =
        w_zero_point ? ParamCount(w_zero_point, "w_zero_point", s.m, w->type.element_type) : 1;
    Kernel kernel = DispatchQ(x->type.element_type, [&](auto xt) -> Kernel {
      using TX = typename decltype(xt)::type;
      return DispatchQ(w->type.element_type, [&](auto wt) -> Kernel {
        using TW = typename decltype(wt)::type;
        return [=](const KernelArgs& a) {
          ConvInt32<TX, TW>(s, a.In<TX>(0), a.In<TX>(2), a.In<TW>(1), a.In<TW>(3), wn, nullptr,
                            a.Out<int32_t>(0));
        };
      });
    });
    return AddOp1("ConvInteger", {x, w, x_zero_point, w_zero_point}, result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_QLinearConv(odla_value x, odla_value x_scale, odla_value x_zero_point,
                                      odla_value w, odla_value w_scale, odla_value w_zero_point,
                                      odla_value y_scale, odla_value y_zero_point, odla_value B,
                                      const char* rounding, odla_ints dilations, odla_int64 group,
                                      odla_ints pads, odla_ints strides,
                                      odla_value_type result_type, odla_value_id id) {
  return Guard("odla_QLinearConv", id, [&] {
    CheckInput(x, "x");
    CheckInput(w, "w");
    CheckInput(y_zero_point, "y_zero_point");
    odla_element_type yt = y_zero_point->type.element_type;
    if (result_type.element_type != yt) Fail("the result must have y_zero_point's type");
    ConvShape s = ConvGeometry(x, w, nullptr, result_type, group, strides, dilations, pads, false);
    ParamCount(x_scale, "x_scale", 1, ODLA_FLOAT32);
    ParamCount(x_zero_point, "x_zero_point", 1, x->type.element_type);
    int64_t wsn = ParamCount(w_scale, "w_scale", s.m, ODLA_FLOAT32);
    int64_t wn = ParamCount(w_zero_point, "w_zero_point", s.m, w->type.element_type);
    ParamCount(y_scale, "y_scale", 1, ODLA_FLOAT32);
    ParamCount(y_zero_point, "y_zero_point", 1, yt);
    if (std::string(rounding) == "tflite")
      return AddOp1("QLinearConv",
                    {x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B},
                    result_type, id, TfliteQLinearConvKernel(s, x, w, yt, B, wsn, wn));
    if (std::string(rounding) != "onnx") Fail("unknown rounding ", rounding);
    if (B &&
        (B->type.element_type != ODLA_INT32 || Dims(B->type.shape) != std::vector<int64_t>{s.m}))
      Fail("B must be int32 [", s.m, "]");
    int64_t out = s.w.OutSize();
    Kernel kernel = DispatchQ(x->type.element_type, [&](auto xt) -> Kernel {
      using TX = typename decltype(xt)::type;
      return DispatchQ(w->type.element_type, [&](auto wt) -> Kernel {
        using TW = typename decltype(wt)::type;
        return DispatchQ(yt, [&](auto yt_tag) -> Kernel {
          using TY = typename decltype(yt_tag)::type;
          return [=](const KernelArgs& a) {
            std::vector<int32_t> acc(s.n * s.m * out);
            ConvInt32<TX, TW>(s, a.In<TX>(0), a.In<TX>(2), a.In<TW>(3), a.In<TW>(5), wn,
                              a.In<int32_t>(8), acc.data());
            float xsc = *a.In<float>(1), ysc = *a.In<float>(6);
            auto wsc = Floats(a, 4, wsn);
            std::vector<float> scale(wsn);
            for (int64_t i = 0; i < wsn; ++i) scale[i] = xsc * wsc[i] / ysc;
            Requantize<TY>(s.n, s.m, out, acc.data(), scale, *a.In<TY>(7), a.Out<TY>(0));
          };
        });
      });
    });
    return AddOp1("QLinearConv",
                  {x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B},
                  result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_MatMulNBits(odla_value A, odla_value B, odla_value scales,
                                      odla_value zero_points, odla_int64 bits,
                                      odla_int64 block_size, odla_value_type result_type,
                                      odla_value_id id) {
  return Guard("odla_MatMulNBits", id, [&] {
    NBitsWeights w = PlanNBits(A, B, scales, zero_points, bits, block_size, result_type);
    const int64_t m = NumElements(A->type.shape) / std::max<int64_t>(1, w.k);
    const bool zp_float = zero_points && zero_points->type.element_type == ODLA_FLOAT32;
    return AddOp1("MatMulNBits", {A, B, scales, zero_points}, result_type, id,
                  [=](const KernelArgs& a) {
                    NBitsWeights at = w;
                    at.q = a.In<uint8_t>(1);
                    at.scales = a.In<float>(2);
                    at.zp_packed = zero_points && !zp_float ? a.In<uint8_t>(3) : nullptr;
                    at.zp_float = zp_float ? a.In<float>(3) : nullptr;
                    MatMulNBits(m, a.In<float>(0), at, a.Out<float>(0));
                  });
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(QuantizeLinear)
ODLA_REF_ALIAS(DequantizeLinear)
ODLA_REF_ALIAS(DynamicQuantizeLinear)
ODLA_REF_ALIAS(MatMulInteger)
ODLA_REF_ALIAS(QLinearMatMul)
ODLA_REF_ALIAS(ConvInteger)
ODLA_REF_ALIAS(QLinearConv)
ODLA_REF_ALIAS(MatMulNBits)
