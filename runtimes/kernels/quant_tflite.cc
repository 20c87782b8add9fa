// Fixed-point parameters of the TFLite reference kernels, computed as TFLite's Prepare does.
#include "quant_tflite.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace odla_rt {

TfliteAddParams MakeTfliteAddParams(float as, int32_t azp, float bs, int32_t bzp, float ys,
                                    int32_t yzp, bool wide) {
  TfliteAddParams p;
  p.azp = azp;
  p.bzp = bzp;
  p.yzp = yzp;
  p.left_shift = wide ? 15 : 20;
  double twice_max = 2 * static_cast<double>(std::max(as, bs));
  p.a = QuantizeMultiplier(static_cast<double>(as) / twice_max);
  p.b = QuantizeMultiplier(static_cast<double>(bs) / twice_max);
  p.y = QuantizeMultiplier(twice_max / ((1 << p.left_shift) * static_cast<double>(ys)));
  return p;
}

TfliteLeakyReluParams MakeTfliteLeakyReluParams(float xs, int32_t xzp, float ys, int32_t yzp,
                                                float alpha) {
  TfliteLeakyReluParams p;
  p.xzp = xzp;
  p.yzp = yzp;
  // As leaky_relu_common.cc: the ratios are computed in float, then widened.
  p.alpha = QuantizeMultiplier(static_cast<double>(xs * alpha / ys));
  p.identity = QuantizeMultiplier(static_cast<double>(xs / ys));
  return p;
}

TfliteSigmoidTanhParams MakeTfliteSigmoidTanhParams(float input_scale, int32_t input_zero_point) {
  // As the Micro kernels' Prepare: input_scale * 2^27 as a multiplier with a left shift, and
  // CalculateInputRadius(4, left_shift, 31).
  TfliteSigmoidTanhParams p;
  p.zero_point = input_zero_point;
  double real = static_cast<double>(input_scale) * static_cast<double>(1 << (31 - 4));
  double frac = std::frexp(real, &p.q.shift);
  p.q.mult = static_cast<int32_t>(std::round(frac * static_cast<double>(int64_t{1} << 31)));
  p.radius = static_cast<int32_t>(std::floor(std::ldexp(15.0 * (1 << 27), -p.q.shift)));
  return p;
}

TfliteSoftmaxParams MakeTfliteSoftmaxParams(float beta, float input_scale) {
  // As PreprocessSoftmaxScaling and CalculateInputRadius with 5 integer bits.
  TfliteSoftmaxParams p;
  double real = std::min<double>(
      static_cast<double>(beta) * static_cast<double>(input_scale) * (1 << (31 - 5)),
      (int64_t{1} << 31) - 1.0);
  QMultiplier q = QuantizeMultiplier(real);
  p.multiplier = q.mult;
  p.left_shift = q.shift;
  double radius = 1.0 * ((1 << 5) - 1) * static_cast<double>(int64_t{1} << (31 - 5)) /
                  static_cast<double>(int64_t{1} << p.left_shift);
  p.diff_min = -static_cast<int32_t>(std::floor(radius));
  return p;
}

TfliteSoftmaxInt16Params MakeTfliteSoftmaxInt16Params(double input_scale_times_beta) {
  TfliteSoftmaxInt16Params p;
  p.input = QuantizeMultiplier(input_scale_times_beta / (10.0 / 65535.0));
  return p;
}

void TfliteGenLutInt16(float (*f)(float), float lo, float hi, int16_t* lut) {
  const float step = (hi - lo) / 512, half_step = step / 2;
  const float scale = 65536.0f / 2.0f;  // the int16 range over the output range [-1, 1]
  auto clamp = [](float v) {
    return static_cast<int16_t>(std::min(std::max(v, -32768.0f), 32767.0f));
  };
  for (int i = 0; i < 512; ++i) {
    float val = f(lo + static_cast<float>(i) * step);
    float mid = f(lo + static_cast<float>(i) * step + half_step);
    float next = f(lo + static_cast<float>(i + 1) * step);
    float sample = std::round(val * scale);
    float mid_interp = std::round((next * scale + std::round(val * scale)) / 2);
    float bias = std::round((mid_interp - std::round(mid * scale)) / 2);
    lut[i] = clamp(sample - bias);
  }
  lut[512] = clamp(std::round(f(hi) * scale));
}

namespace {

struct SoftmaxLuts {
  int16_t exp[513], one_over_one_plus_x[513];
  SoftmaxLuts() {
    TfliteGenLutInt16([](float v) { return std::exp(v); }, -10.0f, 0.0f, exp);
    TfliteGenLutInt16([](float v) { return 1.0f / (1.0f + v); }, 0.0f, 1.0f, one_over_one_plus_x);
  }
};

const SoftmaxLuts& Luts() {
  static const SoftmaxLuts luts;
  return luts;
}

}  // namespace

const int16_t* TfliteExpLut() { return Luts().exp; }
const int16_t* TfliteOneOverOnePlusXLut() { return Luts().one_over_one_plus_x; }

void TfliteSoftmaxInt16(int64_t outer, int64_t len, int64_t inner, const int16_t* x,
                        const TfliteSoftmaxInt16Params& p, int16_t* y) {
  const int16_t* exp_lut = TfliteExpLut();
  const int16_t* recip_lut = TfliteOneOverOnePlusXLut();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * len * inner + i;
      TfliteSoftmaxInt16Row(x + base, y + base, len, inner, p, exp_lut, recip_lut);
    }
}

QSoftmaxForm SelectQSoftmax(bool tflite, odla_element_type xt, odla_element_type yt, float ys,
                            int32_t xz, int32_t yz) {
  if (!tflite) return QSoftmaxForm::kFloat;
  const bool x8 = xt == ODLA_INT8 || xt == ODLA_UINT8;
  auto near = [&](double s) { return std::abs(ys - s) <= 0.001 * s; };
  if (x8 && ((yt == ODLA_INT8 && ys == 1.0f / 256 && yz == -128) ||
             (yt == ODLA_UINT8 && ys == 1.0f / 256 && yz == 0) ||
             (yt == ODLA_INT16 && near(1.0 / 65536) && yz == -32768)))
    return QSoftmaxForm::kTflite8;
  // TFLite Micro's int16 kernel, the scales checked as its Prepare.
  if (xt == ODLA_INT16 && yt == ODLA_INT16 && xz == 0 && yz == 0 && near(1.0 / 32768))
    return QSoftmaxForm::kTfliteInt16;
  return QSoftmaxForm::kFloat;
}

namespace {

// TFLite's sigmoid table for the int16 LOGISTIC and TANH kernels: sigmoid(i / 24) in
// unsigned Q0.16 (TFLite's sigmoid_table_uint16, as published; not a plain rounding of the
// function, so kept verbatim). Source: TensorFlow Lite's int16 reference kernels (Apache
// License 2.0, Copyright The TensorFlow Authors).
const uint16_t kSigmoidTable[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794,
    41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443,
    48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374,
    54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544,
    58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279,
    61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990,
    63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030,
    64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652,
    64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019,
    65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234,
    65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360,
    65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476,
    65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498, 65500, 65501,
    65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516,
    65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529,
    65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532,
    65532, 65532, 65532, 65533, 65533, 65533, 65533, 65533, 65533, 65533, 65533, 65534, 65534,
    65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535};

}  // namespace

bool CheckedLog2(float x, int* log2) {
  float l = std::log(x) * (1.0f / std::log(2.0f)), r = std::round(l);
  *log2 = static_cast<int>(r);
  return std::abs(l - r) < 1e-3f;
}

bool MakeTfliteSigmoidTanhInt16Params(float xs, int32_t xzp, float ys, int32_t yzp, bool tanh,
                                      TfliteSigmoidTanhInt16Params* p) {
  int ylog2 = 0;
  if (xzp != 0 || yzp != 0 || !CheckedLog2(ys, &ylog2) || ylog2 != -15) return false;
  int xlog2 = 0;
  bool pot = CheckedLog2(xs, &xlog2);
  p->left_shift = (15 - 3) + xlog2;
  pot = pot && (p->left_shift == 0 || (tanh && p->left_shift == 1));
  if (pot) {
    p->multiplier = 0;
  } else {
    // The input rescaled to 1 / (3 * 4096) with the most bits below 2^15.
    double m = static_cast<double>(xs) * 4096.0 * 3.0;
    p->left_shift = 0;
    while (m <= 32767.0 / 2.0 && p->left_shift <= 30) {
      ++p->left_shift;
      m *= 2.0;
    }
    p->multiplier = static_cast<int32_t>(m);
  }
  return true;
}

int16_t TfliteSigmoidTanhInt16(int16_t x, const TfliteSigmoidTanhInt16Params& p, bool tanh) {
  int32_t mult = p.multiplier, shift = p.left_shift;
  if (mult == 0) {  // power-of-two input scale
    mult = 3 << shift;
    shift = 0;
  }
  int32_t round = shift > 0 ? 1 << (shift - 1) : 0;
  int32_t v = (int32_t{x} * mult + round) >> shift;
  auto abs_v = static_cast<uint32_t>(v >= 0 ? v : -v);
  int frac_bits = tanh ? 8 : 9;  // tanh(x) = 2 sigmoid(2x) - 1: twice the table's step
  uint32_t hi = abs_v >> frac_bits;
  int32_t r;
  if (hi >= 255) {
    r = tanh ? 0xFFFF << 8 : 0x7FFF << 10;
  } else {
    uint32_t a = kSigmoidTable[hi], b = kSigmoidTable[hi + 1];
    uint32_t t = abs_v & ((1u << frac_bits) - 1);
    r = static_cast<int32_t>((a << frac_bits) + t * (b - a));
  }
  if (tanh) {
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    return static_cast<int16_t>(r >> 8);
  }
  r = v >= 0 ? r + (1 << 9) : (1 << 25) - r + (1 << 9) - 1;
  return static_cast<int16_t>(r >> 10);
}

}  // namespace odla_rt
