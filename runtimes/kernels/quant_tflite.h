// Integer arithmetic of the TensorFlow Lite reference kernels (tensorflow/lite/kernels/internal,
// tflite-micro): the quantized convolution, add / sub, leaky relu, requantize, softmax,
// pooling, mean, logistic and tanh, built on fixed_point.h's multipliers, so that integer
// results match TFLite bit for bit.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "../common/runtime.h"
#include "conv.h"
#include "fixed_point.h"
#include "gemmlowp.h"

namespace odla_rt {

// TFLite's quantized convolution (reference_integer_ops::ConvPerChannel and the uint8
// reference_ops::Conv) on NCHW data: acc = conv(x - xzp, w - wzp) + bias in Acc (int32, or
// int64 for int16 activations), y = saturate(MultiplyByQuantizedMultiplier(acc, q[c]) + yzp).
// q and wzp (null: 0) have 1 (per tensor) or m entries; bias (m entries) may be null.
template <typename X, typename W, typename Acc, typename Y>
void TfliteConv(const ConvShape& s, const X* x, int32_t xzp, const W* w, const W* wzp,
                int64_t wzp_n, const Acc* bias, const std::vector<QMultiplier>& q, int32_t yzp,
                Y* y) {
  int64_t ks = (s.c / s.group) * s.w.KSize();
  int64_t xn = s.n * s.c * s.w.InSize(), wn = s.m * ks, out = s.w.OutSize();
  std::vector<Acc> xa(xn), wa(wn), acc(s.n * s.m * out);
  for (int64_t i = 0; i < xn; ++i) xa[i] = static_cast<Acc>(x[i]) - xzp;
  for (int64_t i = 0; i < wn; ++i)
    wa[i] = static_cast<Acc>(w[i]) - (wzp ? static_cast<Acc>(wzp[wzp_n == 1 ? 0 : i / ks]) : 0);
  ConvLoop<Acc>(s, xa.data(), wa.data(), bias, acc.data());
  ParallelFor(s.n * s.m, 1, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      QMultiplier m = q[q.size() == 1 ? 0 : p % s.m];
      for (int64_t i = p * out; i < (p + 1) * out; ++i)
        y[i] = SaturateTo<Y>(int64_t{MultiplyByQuantizedMultiplier(acc[i], m)} + yzp);
    }
  });
}

// From the float scales (as TFLite's Prepare computes them); 16-bit when `wide`.
TfliteAddParams MakeTfliteAddParams(float as, int32_t azp, float bs, int32_t bzp, float ys,
                                    int32_t yzp, bool wide);
TfliteLeakyReluParams MakeTfliteLeakyReluParams(float xs, int32_t xzp, float ys, int32_t yzp,
                                                float alpha);

// TFLite's QUANTIZE between integer types (reference_ops::Requantize):
// saturate(MultiplyByQuantizedMultiplier(x - xzp, q) + yzp) with q from xs / ys.
template <typename X, typename Y>
void TfliteRequantize(int64_t n, const X* x, int32_t xzp, QMultiplier q, int32_t yzp, Y* y) {
  ParallelFor(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      y[i] = SaturateTo<Y>(int64_t{MultiplyByQuantizedMultiplier(
                               static_cast<int32_t>(static_cast<int64_t>(x[i]) - xzp), q)} +
                           yzp);
  });
}

// TFLite's 8-bit SOFTMAX (gemmlowp.h's TfliteSoftmaxRow) from the float scales.
TfliteSoftmaxParams MakeTfliteSoftmaxParams(float beta, float input_scale);

// x viewed as [outer, len, inner], the softmax over len.
template <typename X, typename Y>
void TfliteSoftmax(int64_t outer, int64_t len, int64_t inner, const X* x,
                   const TfliteSoftmaxParams& p, Y* y) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      TfliteSoftmaxRow(x + o * len * inner + i, y + o * len * inner + i, len, inner, p);
}

// TFLite's int16 SOFTMAX (reference_ops::SoftmaxInt16 with TFLite Micro's softmax_common.cc
// Prepare): x - max rescaled so that [-65535, 0] spans [-10, 0] (the multiplier of
// input_scale * beta / (10 / 65535)), recentred to int16 and looked up in a 513-entry table of
// exp over [-10, 0]; the sum's reciprocal from a table of 1 / (1 + x) over [0, 1]; the output
// at scale 2^-15, zero point 0. Both tables are gen_lut's (float arithmetic, output range
// [-1, 1]), interpolated as generic_int16_table_lookup does.
struct TfliteSoftmaxInt16Params {
  QMultiplier input;
};
TfliteSoftmaxInt16Params MakeTfliteSoftmaxInt16Params(double input_scale_times_beta);
// The two tables: exp(x) on [-10, 0] and 1 / (1 + x) on [0, 1], 513 entries each.
const int16_t* TfliteExpLut();
const int16_t* TfliteOneOverOnePlusXLut();
// TFLite's gen_lut for an int16 -> int16 table: 512 samples of f over [lo, hi] (the last one
// added), each corrected by half the interpolation error at its midpoint, output range [-1, 1].
void TfliteGenLutInt16(float (*f)(float), float lo, float hi, int16_t* lut);
// TFLite's generic_int16_table_lookup: the entry of v's top 9 bits, interpolated by its low 7.
ODLA_HD inline int16_t TfliteLutLookup(int16_t v, const int16_t* lut) {
  int index = 256 + (v >> 7), offset = v & 0x7f;
  int base = lut[index], slope = lut[index + 1] - lut[index];
  return static_cast<int16_t>(base + ((slope * offset + 64) >> 7));
}
// One int16 softmax: len values of x at stride `inner` into y, with the two tables above (host
// and device: libodla_cuda uploads the tables).
ODLA_HD inline void TfliteSoftmaxInt16Row(const int16_t* x, int16_t* y, int64_t len, int64_t inner,
                                          const TfliteSoftmaxInt16Params& p, const int16_t* exp_lut,
                                          const int16_t* recip_lut) {
  int32_t mx = INT16_MIN;
  for (int64_t k = 0; k < len; ++k) mx = mx < x[k * inner] ? x[k * inner] : mx;
  auto exp_of = [&](int64_t k) {
    int64_t scaled = MultiplyByQuantizedMultiplier(int32_t{x[k * inner]} - mx, p.input);
    return TfliteLutLookup(SaturateTo<int16_t>(scaled + 32767), exp_lut);
  };
  int32_t sum = 0;  // Q16.15
  for (int64_t k = 0; k < len; ++k) sum += exp_of(k);
  const int headroom_plus_one = LeadingZeros(static_cast<uint32_t>(sum));
  const auto shifted_sum = static_cast<int32_t>(
      ((static_cast<int64_t>(sum) << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
  // 1 / (1 + x) of x = sum - 1, recentred from [0, 65535] to int16.
  const int16_t recip = TfliteLutLookup(
      SaturateTo<int16_t>(int64_t{shifted_sum} - ((1 << 15) + (1 << 16))), recip_lut);
  const int right_shift = 31 - headroom_plus_one;
  for (int64_t k = 0; k < len; ++k) {
    const int64_t r =
        (int64_t{exp_of(k)} * recip + (int64_t{1} << (right_shift - 1))) >> right_shift;
    y[k * inner] = static_cast<int16_t>(ClampInt(r, 0, 32767));
  }
}
// x viewed as [outer, len, inner], the softmax over len.
void TfliteSoftmaxInt16(int64_t outer, int64_t len, int64_t inner, const int16_t* x,
                        const TfliteSoftmaxInt16Params& p, int16_t* y);

// The forms of QLinearSoftmax: TFLite's 8-bit kernels (8-bit x; 8-bit y at scale 1/256 with
// zero point at y's minimum, or int16 y at 2^-16 with zero point -32768), TFLite's int16
// kernel (int16 x and y, zero points 0, y at 2^-15), each only with TFLite's rounding; else
// float (QSoftmaxFloatRow).
enum class QSoftmaxForm { kTflite8, kTfliteInt16, kFloat };
QSoftmaxForm SelectQSoftmax(bool tflite, odla_element_type xt, odla_element_type yt, float ys,
                            int32_t xz, int32_t yz);

// The float form's exp of a difference d <= 0 from the row's maximum, at x's scale (host
// only: libodla_cuda tabulates it over every difference).
inline float QSoftmaxExp(int32_t d, float xs) { return std::exp(static_cast<float>(d) * xs); }

// The float form of one softmax: len values of x at stride `inner` into y, exp_of(d) giving
// QSoftmaxExp(d, xs); the zero point of x cancels out. With `e` (len floats) each exp is
// computed once and kept there; without it (the GPU's table lookups) it is asked for twice.
template <typename X, typename Y, typename E>
ODLA_HD void QSoftmaxFloatRow(const X* x, Y* y, int64_t len, int64_t inner, const E& exp_of,
                              float ys, int32_t yz, float* e = nullptr) {
  if (len == 0) return;
  int32_t mx = x[0];
  for (int64_t k = 1; k < len; ++k) mx = mx < x[k * inner] ? x[k * inner] : mx;
  float sum = 0;
  for (int64_t k = 0; k < len; ++k) {
    const float v = exp_of(int32_t{x[k * inner]} - mx);
    if (e) e[k] = v;
    sum += v;
  }
  for (int64_t k = 0; k < len; ++k) {
    const float v = e ? e[k] : exp_of(int32_t{x[k * inner]} - mx);
    y[k * inner] = RoundToQ<Y>(v / sum / ys, yz);
  }
}

// A 2-D pooling window on NCHW data: input [n, c, h, w], output [n, c, oh, ow], windows of
// kh x kw moved by sh, sw from -pad_t, -pad_l.
struct Pool2D {
  int64_t n = 1, c = 1, h = 1, w = 1, oh = 1, ow = 1, kh = 1, kw = 1, sh = 1, sw = 1;
  int64_t pad_t = 0, pad_l = 0;
};

// The int32 sum of the elements of output (oy, ox)'s window that lie inside plane xp, and their
// count (host and device: libodla_cuda's QLinearAveragePool runs it).
template <typename X>
ODLA_HD void PoolWindowSum(const Pool2D& p, const X* xp, int64_t oy, int64_t ox, int32_t* sum,
                           int32_t* count) {
  int64_t y0 = oy * p.sh - p.pad_t, x0 = ox * p.sw - p.pad_l;
  int64_t ya = y0 > 0 ? y0 : 0, yb = y0 + p.kh < p.h ? y0 + p.kh : p.h;
  int64_t xa = x0 > 0 ? x0 : 0, xb = x0 + p.kw < p.w ? x0 + p.kw : p.w;
  int32_t s = 0;
  for (int64_t iy = ya; iy < yb; ++iy)
    for (int64_t ix = xa; ix < xb; ++ix) s += xp[iy * p.w + ix];
  *sum = s;
  *count = static_cast<int32_t>((yb > ya ? yb - ya : 0) * (xb > xa ? xb - xa : 0));
}

// For each output element, y = finish(sum, count) of its window (PoolWindowSum).
template <typename X, typename Y, typename F>
void PoolSum2D(const Pool2D& p, const X* x, Y* y, F finish) {
  ParallelFor(p.n * p.c, 1, [&](int64_t b, int64_t e) {
    for (int64_t nc = b; nc < e; ++nc) {
      const X* xp = x + nc * p.h * p.w;
      Y* yp = y + nc * p.oh * p.ow;
      for (int64_t oy = 0; oy < p.oh; ++oy)
        for (int64_t ox = 0; ox < p.ow; ++ox) {
          int32_t sum, count;
          PoolWindowSum(p, xp, oy, ox, &sum, &count);
          yp[oy * p.ow + ox] = finish(sum, count);
        }
    }
  });
}

// TFLite's quantized AVERAGE_POOL_2D (reference_integer_ops::AveragePool, int8 and int16; input
// and output share their quantization): the sum divided by the count of valid (non-padded)
// elements, rounding halves away from zero. An empty window gives 0.
template <typename T>
void TfliteAveragePool(const Pool2D& p, const T* x, T* y) {
  PoolSum2D(p, x, y, [](int32_t sum, int32_t count) {
    return SaturateTo<T>(TfliteRoundedMean(sum, count));
  });
}

// TFLite's quantized MEAN (reference_ops::QuantizedMeanOrSum, as TFLite Micro's reduce.cc
// runs it for int8 and int16): the int32 sum of the `count` raw inputs, less count * xzp,
// times the multiplier q (x_scale / y_scale) with 1 / count folded in, plus yzp, saturated.
// The multiplier is pre-shifted by up to 32 bits (and at most 31 + q.shift) before the
// integer division by count, as TFLite does.
inline QMultiplier TfliteMeanMultiplier(QMultiplier q, int64_t count) {
  int shift = 63 - __builtin_clzll(static_cast<uint64_t>(count));
  shift = std::min(shift, 32);
  shift = std::min(shift, 31 + q.shift);
  QMultiplier r;
  r.mult = static_cast<int32_t>((static_cast<int64_t>(q.mult) << shift) / count);
  r.shift = q.shift - shift;
  return r;
}

template <typename T>
T TfliteMeanOf(int64_t sum, int64_t count, int32_t xzp, QMultiplier q_over_count, int32_t yzp) {
  return SaturateTo<T>(TfliteMeanUnsaturated(sum, count, xzp, q_over_count, yzp));
}

// TFLite's CheckedLog2: the rounded log2 and whether x is a power of two within 1e-3.
bool CheckedLog2(float x, int* log2);

// The parameters of TfliteSigmoidTanhInt8 (gemmlowp.h), as TFLite Micro's Prepare makes them.
TfliteSigmoidTanhParams MakeTfliteSigmoidTanhParams(float input_scale, int32_t input_zero_point);

// TFLite's int16 LOGISTIC and TANH (reference_integer_ops::Logistic / Tanh for int16): the
// input rescaled to 1 / (3 * 4096) by multiplier and left_shift (TFLite Micro's Prepare; a
// power-of-two scale gives multiplier 0), then TFLite's 256-entry sigmoid table interpolated
// linearly, into Q0.15. Needs zero points 0 and an output scale of 2^-15; false otherwise.
struct TfliteSigmoidTanhInt16Params {
  int32_t multiplier = 0, left_shift = 0;
};
bool MakeTfliteSigmoidTanhInt16Params(float xs, int32_t xzp, float ys, int32_t yzp, bool tanh,
                                      TfliteSigmoidTanhInt16Params* p);
int16_t TfliteSigmoidTanhInt16(int16_t x, const TfliteSigmoidTanhInt16Params& p, bool tanh);

// QLinearSigmoid or QLinearTanh of one value of T (int8, uint8, int16) as the ref computes it:
// TFLite's int8 kernel (int8, TFLite's rounding, y at 1/256 and -128 for sigmoid, 1/128 and 0
// for tanh), TFLite's int16 kernel (int16, TFLite's rounding, scales its Prepare accepts), else
// in float with the host's exp and tanh (host only: libodla_cuda tabulates it over every value
// of T).
template <typename T>
class QSigmoidTanh {
 public:
  QSigmoidTanh(bool tanh, bool tflite, float xs, int32_t xz, float ys, int32_t yz)
      : tanh_(tanh), xs_(xs), ys_(ys), xz_(xz), yz_(yz) {
    if (tflite && std::is_same<T, int8_t>::value &&
        (tanh ? ys == 1.0f / 128 && yz == 0 : ys == 1.0f / 256 && yz == -128)) {
      form_ = kInt8;
      p8_ = MakeTfliteSigmoidTanhParams(xs, xz);
    } else if (tflite && std::is_same<T, int16_t>::value &&
               MakeTfliteSigmoidTanhInt16Params(xs, xz, ys, yz, tanh, &p16_)) {
      form_ = kInt16;
    }
  }
  T operator()(T v) const {
    if (form_ == kInt8)
      return static_cast<T>(TfliteSigmoidTanhInt8(static_cast<int8_t>(v), p8_, tanh_));
    if (form_ == kInt16)
      return static_cast<T>(TfliteSigmoidTanhInt16(static_cast<int16_t>(v), p16_, tanh_));
    float f = static_cast<float>(int32_t{v} - xz_) * xs_;
    return RoundToQ<T>((tanh_ ? std::tanh(f) : 1.0f / (1.0f + std::exp(-f))) / ys_, yz_);
  }

 private:
  enum Form { kFloat, kInt8, kInt16 } form_ = kFloat;
  bool tanh_;
  float xs_, ys_;
  int32_t xz_, yz_;
  TfliteSigmoidTanhParams p8_;
  TfliteSigmoidTanhInt16Params p16_;
};

}  // namespace odla_rt
