// ODLA builders of the quantized ops with a choice of ONNX (float) or TFLite (fixed-point)
// rounding: QLinearAdd, QLinearSub, QLinearMul, QLinearLeakyRelu, QLinearSoftmax, Requantize,
// QLinearAveragePool, QLinearReduceMean, QLinearSigmoid, QLinearTanh, and the TFLite path of
// QLinearConv.
#include "quant_tflite.h"

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "../common/builder.h"
#include "../kernels/broadcast.h"
#include "../kernels/dispatch.h"
#include "../kernels/quant.h"
#include "../kernels/quant_tflite.h"

using namespace odla_rt;

namespace {

// int8, uint8 or int16 (and int32 when `wide`).
template <typename F>
auto DispatchQ(odla_element_type t, F&& f, bool wide = false) {
  if (t == ODLA_INT8) return f(Tag<int8_t>{});
  if (t == ODLA_UINT8) return f(Tag<uint8_t>{});
  if (t == ODLA_INT16) return f(Tag<int16_t>{});
  if (wide && t == ODLA_INT32) return f(Tag<int32_t>{});
  Fail("element type ", static_cast<int>(t), " is not int8, uint8 or int16",
       wide ? " or int32" : "");
}

// A per-tensor scale (float32 scalar) and an optional zero point of type t.
void CheckParams(odla_value scale, odla_value zp, const char* what, odla_element_type t) {
  CheckInput(scale, what);
  if (scale->type.element_type != ODLA_FLOAT32 || NumElements(scale->type.shape) != 1)
    Fail(what, " scale must be a float32 scalar");
  if (zp && (zp->type.element_type != t || NumElements(zp->type.shape) != 1))
    Fail(what, " zero point must be a scalar of type ", static_cast<int>(t));
}

// A quantized op's input x and its result y of x's element type, each with its scale and
// zero point (named as the op names them); returns the element type.
odla_element_type CheckSameTypeInOut(odla_value x, odla_value x_scale, odla_value x_zp,
                                     const char* x_name, const odla_value_type& y_type,
                                     odla_value y_scale, odla_value y_zp, const char* y_name) {
  CheckInput(x, x_name);
  odla_element_type t = x->type.element_type;
  if (y_type.element_type != t) Fail(y_name, " must have ", x_name, "'s type");
  CheckParams(x_scale, x_zp, x_name, t);
  CheckParams(y_scale, y_zp, y_name, t);
  return t;
}

bool TfliteRounding(const char* rounding) {
  std::string r = rounding ? rounding : "";
  if (r != "onnx" && r != "tflite") Fail("rounding must be onnx or tflite, got ", r);
  return r == "tflite";
}

template <typename T>
int32_t Zp(const KernelArgs& a, int i) {
  const T* p = a.In<T>(i);
  return p ? static_cast<int32_t>(*p) : 0;
}

// sign: 1 add, -1 subtract, 0 multiply.
odla_value QLinearBinary(const char* name, int sign, odla_value A, odla_value A_scale,
                         odla_value A_zero_point, odla_value B, odla_value B_scale,
                         odla_value B_zero_point, odla_value C_scale, odla_value C_zero_point,
                         const char* rounding, odla_value_type result_type, odla_value_id id) {
  CheckInput(A, "A");
  CheckInput(B, "B");
  odla_element_type t = A->type.element_type;
  if (B->type.element_type != t || result_type.element_type != t)
    Fail("A, B and C must have one type");
  CheckParams(A_scale, A_zero_point, "A", t);
  CheckParams(B_scale, B_zero_point, "B", t);
  CheckParams(C_scale, C_zero_point, "C", t);
  auto as = Dims(A->type.shape), bs = Dims(B->type.shape), cs = Dims(result_type.shape);
  bool tfl = TfliteRounding(rounding);
  Kernel kernel = DispatchQ(t, [&](auto tag) -> Kernel {
    using T = typename decltype(tag)::type;
    return [=](const KernelArgs& a) {
      float sa = *a.In<float>(1), sb = *a.In<float>(4), sc = *a.In<float>(6);
      int32_t za = Zp<T>(a, 2), zb = Zp<T>(a, 5), zc = Zp<T>(a, 7);
      if (tfl && sign == 0) {
        // As TFLite's MUL Prepare: the multiplier from the float scales, in double.
        QMultiplier q = QuantizeMultiplier(static_cast<double>(sa) * sb / sc);
        BinaryBroadcast(a.In<T>(0), as, a.In<T>(3), bs, a.Out<T>(0), cs, [&](T x, T y) {
          return SaturateTo<T>(int64_t{TfliteMul(x - za, y - zb, q)} + zc);
        });
        return;
      }
      if (tfl) {
        TfliteAddParams p = MakeTfliteAddParams(sa, za, sb, zb, sc, zc, sizeof(T) == 2);
        BinaryBroadcast(a.In<T>(0), as, a.In<T>(3), bs, a.Out<T>(0), cs,
                        [&](T x, T y) { return SaturateTo<T>(TfliteAddSub(x, y, p, sign)); });
        return;
      }
      BinaryBroadcast(a.In<T>(0), as, a.In<T>(3), bs, a.Out<T>(0), cs, [&](T x, T y) {
        float fx = static_cast<float>(int32_t{x} - za) * sa;
        float fy = static_cast<float>(int32_t{y} - zb) * sb;
        return RoundToQ<T>((sign > 0 ? fx + fy : sign < 0 ? fx - fy : fx * fy) / sc, zc);
      });
    };
  });
  return AddOp1(name, {A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale, C_zero_point},
                result_type, id, kernel);
}

odla_value QLinearSigmoidTanh(const char* name, bool tanh, odla_value X, odla_value X_scale,
                              odla_value X_zero_point, odla_value Y_scale, odla_value Y_zero_point,
                              const char* rounding, odla_value_type result_type, odla_value_id id) {
  odla_element_type t =
      CheckSameTypeInOut(X, X_scale, X_zero_point, "X", result_type, Y_scale, Y_zero_point, "Y");
  int64_t n = NumElements(X->type.shape);
  bool tfl = TfliteRounding(rounding);
  Kernel kernel = DispatchQ(t, [&](auto tag) -> Kernel {
    using T = typename decltype(tag)::type;
    return [=](const KernelArgs& a) {
      QSigmoidTanh<T> f(tanh, tfl, *a.In<float>(1), Zp<T>(a, 2), *a.In<float>(3), Zp<T>(a, 4));
      UnaryMap(a.In<T>(0), a.Out<T>(0), n, f);
    };
  });
  return AddOp1(name, {X, X_scale, X_zero_point, Y_scale, Y_zero_point}, result_type, id, kernel);
}

}  // namespace

namespace odla_rt {

Kernel TfliteQLinearConvKernel(const ConvShape& s, odla_value x, odla_value w, odla_element_type yt,
                               odla_value B, int64_t wsn, int64_t wzn) {
  odla_element_type xt = x->type.element_type;
  bool wide = xt == ODLA_INT16;
  if (wide && (w->type.element_type != ODLA_INT8 || yt != ODLA_INT16))
    Fail("int16 x needs int8 w and an int16 result");
  if (!wide && yt == ODLA_INT16) Fail("an int16 result needs int16 x");
  if (B && (B->type.element_type != (wide ? ODLA_INT64 : ODLA_INT32) ||
            Dims(B->type.shape) != std::vector<int64_t>{s.m}))
    Fail("B must be ", wide ? "int64" : "int32", " [", s.m, "]");
  return DispatchQ(xt, [&](auto xtag) -> Kernel {
    using X = typename decltype(xtag)::type;
    using Acc = std::conditional_t<sizeof(X) == 2, int64_t, int32_t>;
    return DispatchQ(w->type.element_type, [&](auto wtag) -> Kernel {
      using W = typename decltype(wtag)::type;
      if (sizeof(W) != 1) Fail("w must be int8 or uint8");
      return DispatchQ(yt, [&](auto ytag) -> Kernel {
        using Y = typename decltype(ytag)::type;
        return [=](const KernelArgs& a) {
          // As TFLite's PopulateConvolutionQuantizationParams: x_scale * w_scale / y_scale in
          // double from the float scales, one multiplier per output channel.
          double xs = *a.In<float>(1), ys = *a.In<float>(6);
          const float* ws = a.In<float>(4);
          std::vector<QMultiplier> q(wsn);
          for (int64_t i = 0; i < wsn; ++i)
            q[i] = QuantizeMultiplier(xs * static_cast<double>(ws[i]) / ys);
          TfliteConv<X, W, Acc, Y>(s, a.In<X>(0), Zp<X>(a, 2), a.In<W>(3), a.In<W>(5), wzn,
                                   a.In<Acc>(8), q, Zp<Y>(a, 7), a.Out<Y>(0));
        };
      });
    });
  });
}

}  // namespace odla_rt

extern "C" {

ODLA_WEAK odla_value odla_QLinearAdd(odla_value A, odla_value A_scale, odla_value A_zero_point,
                                     odla_value B, odla_value B_scale, odla_value B_zero_point,
                                     odla_value C_scale, odla_value C_zero_point,
                                     const char* rounding, odla_value_type result_type,
                                     odla_value_id id) {
  return Guard("odla_QLinearAdd", id, [&] {
    return QLinearBinary("QLinearAdd", 1, A, A_scale, A_zero_point, B, B_scale, B_zero_point,
                         C_scale, C_zero_point, rounding, result_type, id);
  });
}

ODLA_WEAK odla_value odla_QLinearSub(odla_value A, odla_value A_scale, odla_value A_zero_point,
                                     odla_value B, odla_value B_scale, odla_value B_zero_point,
                                     odla_value C_scale, odla_value C_zero_point,
                                     const char* rounding, odla_value_type result_type,
                                     odla_value_id id) {
  return Guard("odla_QLinearSub", id, [&] {
    return QLinearBinary("QLinearSub", -1, A, A_scale, A_zero_point, B, B_scale, B_zero_point,
                         C_scale, C_zero_point, rounding, result_type, id);
  });
}

ODLA_WEAK odla_value odla_QLinearMul(odla_value A, odla_value A_scale, odla_value A_zero_point,
                                     odla_value B, odla_value B_scale, odla_value B_zero_point,
                                     odla_value C_scale, odla_value C_zero_point,
                                     const char* rounding, odla_value_type result_type,
                                     odla_value_id id) {
  return Guard("odla_QLinearMul", id, [&] {
    return QLinearBinary("QLinearMul", 0, A, A_scale, A_zero_point, B, B_scale, B_zero_point,
                         C_scale, C_zero_point, rounding, result_type, id);
  });
}

ODLA_WEAK odla_value odla_QLinearLeakyRelu(odla_value X, odla_value X_scale,
                                           odla_value X_zero_point, odla_value Y_scale,
                                           odla_value Y_zero_point, odla_float32 alpha,
                                           const char* rounding, odla_value_type result_type,
                                           odla_value_id id) {
  return Guard("odla_QLinearLeakyRelu", id, [&] {
    odla_element_type t =
        CheckSameTypeInOut(X, X_scale, X_zero_point, "X", result_type, Y_scale, Y_zero_point, "Y");
    int64_t n = NumElements(X->type.shape);
    bool tfl = TfliteRounding(rounding);
    Kernel kernel = DispatchQ(t, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        float xs = *a.In<float>(1), ys = *a.In<float>(3);
        int32_t xz = Zp<T>(a, 2), yz = Zp<T>(a, 4);
        if (tfl) {
          TfliteLeakyReluParams p = MakeTfliteLeakyReluParams(xs, xz, ys, yz, alpha);
          UnaryMap(a.In<T>(0), a.Out<T>(0), n,
                   [&](T v) { return SaturateTo<T>(TfliteLeakyRelu(v, p)); });
          return;
        }
        UnaryMap(a.In<T>(0), a.Out<T>(0), n, [&](T v) {
          float f = static_cast<float>(int32_t{v} - xz) * xs;
          return RoundToQ<T>((f >= 0 ? f : alpha * f) / ys, yz);
        });
      };
    });
    return AddOp1("QLinearLeakyRelu", {X, X_scale, X_zero_point, Y_scale, Y_zero_point},
                  result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_QLinearSoftmax(odla_value X, odla_value X_scale, odla_value x_zero_point,
                                         odla_value y_scale, odla_value y_zero_point,
                                         odla_int64 axis, const char* rounding,
                                         odla_value_type result_type, odla_value_id id) {
  return Guard("odla_QLinearSoftmax", id, [&] {
    CheckInput(X, "X");
    odla_element_type xt = X->type.element_type, yt = result_type.element_type;
    CheckParams(X_scale, x_zero_point, "X", xt);
    CheckParams(y_scale, y_zero_point, "y", yt);
    auto d = Dims(X->type.shape);
    if (axis < 0 || axis >= static_cast<int64_t>(d.size())) Fail("axis is out of range");
    int64_t outer = 1, len = d[axis], inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= d[i];
    for (size_t i = axis + 1; i < d.size(); ++i) inner *= d[i];
    bool tfl = TfliteRounding(rounding);
    Kernel kernel = DispatchQ(xt, [&](auto xtag) -> Kernel {
      using X = typename decltype(xtag)::type;
      return DispatchQ(yt, [&](auto ytag) -> Kernel {
        using Y = typename decltype(ytag)::type;
        return [=](const KernelArgs& a) {
          float xs = *a.In<float>(1), ys = *a.In<float>(3);
          int32_t xz = Zp<X>(a, 2), yz = Zp<Y>(a, 4);
          const X* x = a.In<X>(0);
          Y* y = a.Out<Y>(0);
          switch (SelectQSoftmax(tfl, xt, yt, ys, xz, yz)) {
            case QSoftmaxForm::kTflite8:
              return TfliteSoftmax(outer, len, inner, x, MakeTfliteSoftmaxParams(1.0f, xs), y);
            case QSoftmaxForm::kTfliteInt16:
              if constexpr (std::is_same<X, int16_t>::value && std::is_same<Y, int16_t>::value)
                return TfliteSoftmaxInt16(outer, len, inner, x, MakeTfliteSoftmaxInt16Params(xs),
                                          y);
              break;
            case QSoftmaxForm::kFloat:
              break;
          }
          auto exp_of = [xs](int32_t d) { return QSoftmaxExp(d, xs); };
          std::vector<float> e(len);
          for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < inner; ++i) {
              const int64_t base = o * len * inner + i;
              QSoftmaxFloatRow(x + base, y + base, len, inner, exp_of, ys, yz, e.data());
            }
        };
      });
    });
    return AddOp1("QLinearSoftmax", {X, X_scale, x_zero_point, y_scale, y_zero_point}, result_type,
                  id, kernel);
  });
}

ODLA_WEAK odla_value odla_Requantize(odla_value x, odla_value x_scale, odla_value x_zero_point,
                                     odla_value y_scale, odla_value y_zero_point,
                                     const char* rounding, odla_value_type result_type,
                                     odla_value_id id) {
  return Guard("odla_Requantize", id, [&] {
    CheckInput(x, "x");
    CheckInput(y_zero_point, "y_zero_point");
    odla_element_type xt = x->type.element_type, yt = y_zero_point->type.element_type;
    if (result_type.element_type != yt) Fail("y must have y_zero_point's type");
    CheckParams(x_scale, x_zero_point, "x", xt);
    CheckParams(y_scale, y_zero_point, "y", yt);
    int64_t n = NumElements(x->type.shape);
    bool tfl = TfliteRounding(rounding);
    Kernel kernel = DispatchQ(
        xt,
        [&](auto xtag) -> Kernel {
          using X = typename decltype(xtag)::type;
          return DispatchQ(
              yt,
              [&](auto ytag) -> Kernel {
                using Y = typename decltype(ytag)::type;
                return [=](const KernelArgs& a) {
                  float xs = *a.In<float>(1), ys = *a.In<float>(3);
                  int32_t xz = Zp<X>(a, 2), yz = Zp<Y>(a, 4);
                  if (tfl) {
                    // As TFLite's quantize Prepare: x_scale / y_scale in double.
                    QMultiplier q =
                        QuantizeMultiplier(static_cast<double>(xs) / static_cast<double>(ys));
                    TfliteRequantize(n, a.In<X>(0), xz, q, yz, a.Out<Y>(0));
                    return;
                  }
                  double r = static_cast<double>(xs) / ys;
                  UnaryMap(a.In<X>(0), a.Out<Y>(0), n, [&](X v) {
                    return SaturateTo<Y>(
                        ToSaturatedInt(std::nearbyint((static_cast<double>(v) - xz) * r)) + yz);
                  });
                };
              },
              true);
        },
        true);
    return AddOp1("Requantize", {x, x_scale, x_zero_point, y_scale, y_zero_point}, result_type, id,
                  kernel);
  });
}

}  // extern "C"

extern "C" {

ODLA_WEAK odla_value odla_QLinearAveragePool(odla_value X, odla_value x_scale,
                                             odla_value x_zero_point, odla_value y_scale,
                                             odla_value y_zero_point, odla_int64 count_include_pad,
                                             odla_ints kernel_shape, odla_ints pads,
                                             odla_ints strides, const char* rounding,
                                             odla_value_type result_type, odla_value_id id) {
  return Guard("odla_QLinearAveragePool", id, [&] {
    odla_element_type t =
        CheckSameTypeInOut(X, x_scale, x_zero_point, "X", result_type, y_scale, y_zero_point, "Y");
    auto xd = Dims(X->type.shape), yd = Dims(result_type.shape);
    if (xd.size() != 4 || yd.size() != 4 || kernel_shape.size != 2 || strides.size != 2 ||
        pads.size != 4)
      Fail("X and Y must be [N, C, H, W], kernel_shape and strides 2 long, pads 4");
    Pool2D p;
    p.n = xd[0], p.c = xd[1], p.h = xd[2], p.w = xd[3], p.oh = yd[2], p.ow = yd[3];
    p.kh = kernel_shape.data[0], p.kw = kernel_shape.data[1];
    p.sh = strides.data[0], p.sw = strides.data[1];
    p.pad_t = pads.data[0], p.pad_l = pads.data[1];
    bool tfl = TfliteRounding(rounding), include = count_include_pad != 0;
    if (tfl && include) Fail("tflite rounding does not count padding");
    Kernel kernel = DispatchQ(t, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        float xs = *a.In<float>(1), ys = *a.In<float>(3);
        int32_t xz = Zp<T>(a, 2), yz = Zp<T>(a, 4);
        if (tfl) {
          if (xs != ys || xz != yz) Fail("tflite rounding needs X and Y quantized alike");
          TfliteAveragePool(p, a.In<T>(0), a.Out<T>(0));
          return;
        }
        int32_t window = static_cast<int32_t>(p.kh * p.kw);
        PoolSum2D(p, a.In<T>(0), a.Out<T>(0), [&](int32_t sum, int32_t count) {
          int32_t d = include ? window : count;
          if (d == 0) return RoundToQ<T>(0.0f, yz);
          float mean = static_cast<float>(sum) / static_cast<float>(d);
          // Padded elements count as real zeros (not the zero point) with count_include_pad.
          float real = (mean - static_cast<float>(xz) * static_cast<float>(count) / d) * xs;
          return RoundToQ<T>(real / ys, yz);
        });
      };
    });
    return AddOp1("QLinearAveragePool", {X, x_scale, x_zero_point, y_scale, y_zero_point},
                  result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_QLinearReduceMean(odla_value data, odla_value data_scale,
                                            odla_value data_zero_point, odla_value reduced_scale,
                                            odla_value reduced_zero_point, odla_ints axes,
                                            odla_int64 keepdims, const char* rounding,
                                            odla_value_type result_type, odla_value_id id) {
  return Guard("odla_QLinearReduceMean", id, [&] {
    odla_element_type t = CheckSameTypeInOut(data, data_scale, data_zero_point, "data", result_type,
                                             reduced_scale, reduced_zero_point, "reduced");
    (void)keepdims;  // the result shape already says it
    auto d = Dims(data->type.shape);
    int64_t rank = static_cast<int64_t>(d.size());
    // Output strides per input axis (0 on reduced axes).
    std::vector<int64_t> ostride(rank, 0);
    std::vector<bool> reduced(rank, false);
    for (int32_t i = 0; i < axes.size; ++i) {
      if (axes.data[i] < 0 || axes.data[i] >= rank) Fail("axis ", axes.data[i], " out of range");
      reduced[axes.data[i]] = true;
    }
    int64_t nout = 1, count = 1;
    for (int64_t i = rank - 1; i >= 0; --i) {
      if (reduced[i]) {
        count *= d[i];
        continue;
      }
      ostride[i] = nout;
      nout *= d[i];
    }
    if (count == 0) Fail("a reduced axis is empty");
    int64_t nin = NumElements(data->type.shape);
    bool tfl = TfliteRounding(rounding);
    Kernel kernel = DispatchQ(t, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        float xs = *a.In<float>(1), ys = *a.In<float>(3);
        int32_t xz = Zp<T>(a, 2), yz = Zp<T>(a, 4);
        const T* x = a.In<T>(0);
        T* y = a.Out<T>(0);
        std::vector<int64_t> sum(nout, 0), idx(rank, 0);
        int64_t o = 0;
        for (int64_t i = 0; i < nin; ++i) {
          sum[o] += x[i];
          for (int64_t k = rank - 1; k >= 0; --k) {  // next multi-index, tracking o
            o += ostride[k];
            if (++idx[k] < d[k]) break;
            o -= ostride[k] * d[k];
            idx[k] = 0;
          }
        }
        if (tfl) {
          // As TFLite's Prepare: data_scale / reduced_scale in double.
          QMultiplier q = TfliteMeanMultiplier(
              QuantizeMultiplier(static_cast<double>(xs) / static_cast<double>(ys)), count);
          for (int64_t j = 0; j < nout; ++j) y[j] = TfliteMeanOf<T>(sum[j], count, xz, q, yz);
          return;
        }
        for (int64_t j = 0; j < nout; ++j) {
          float mean = static_cast<float>(sum[j]) / static_cast<float>(count);
          y[j] = RoundToQ<T>((mean - static_cast<float>(xz)) * xs / ys, yz);
        }
      };
    });
    return AddOp1("QLinearReduceMean",
                  {data, data_scale, data_zero_point, reduced_scale, reduced_zero_point},
                  result_type, id, kernel);
  });
}

ODLA_WEAK odla_value odla_QLinearSigmoid(odla_value X, odla_value X_scale, odla_value X_zero_point,
                                         odla_value Y_scale, odla_value Y_zero_point,
                                         const char* rounding, odla_value_type result_type,
                                         odla_value_id id) {
  return Guard("odla_QLinearSigmoid", id, [&] {
    return QLinearSigmoidTanh("QLinearSigmoid", false, X, X_scale, X_zero_point, Y_scale,
                              Y_zero_point, rounding, result_type, id);
  });
}

ODLA_WEAK odla_value odla_QLinearTanh(odla_value X, odla_value X_scale, odla_value X_zero_point,
                                      odla_value Y_scale, odla_value Y_zero_point,
                                      const char* rounding, odla_value_type result_type,
                                      odla_value_id id) {
  return Guard("odla_QLinearTanh", id, [&] {
    return QLinearSigmoidTanh("QLinearTanh", true, X, X_scale, X_zero_point, Y_scale, Y_zero_point,
                              rounding, result_type, id);
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(QLinearAdd)
ODLA_REF_ALIAS(QLinearSub)
ODLA_REF_ALIAS(QLinearMul)
ODLA_REF_ALIAS(QLinearLeakyRelu)
ODLA_REF_ALIAS(Requantize)
ODLA_REF_ALIAS(QLinearSigmoid)
ODLA_REF_ALIAS(QLinearTanh)
ODLA_REF_ALIAS(QLinearSoftmax)
ODLA_REF_ALIAS(QLinearAveragePool)
ODLA_REF_ALIAS(QLinearReduceMean)
