#include "elementwise.h"

namespace odla_rt {

float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t man = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {  // inf / NaN
    bits = sign | 0x7f800000 | (man << 13);
  } else if (exp != 0) {  // normal
    bits = sign | ((exp + 112) << 23) | (man << 13);
  } else if (man == 0) {  // zero
    bits = sign;
  } else {  // subnormal: normalise
    int e = -1;
    do {
      ++e;
      man <<= 1;
    } while (!(man & 0x400));
    bits = sign | (static_cast<uint32_t>(112 - e) << 23) | ((man & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  uint32_t abs = x & 0x7fffffff;
  if (abs >= 0x7f800000)  // inf / NaN (keep NaN quiet)
    return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0);
  if (abs >= 0x477ff000) return sign | 0x7c00;  // rounds past the largest half: inf
  if (abs < 0x38800000) {                       // subnormal half or zero
    if (abs < 0x33000000) return sign;          // below half the smallest subnormal
    uint32_t e = abs >> 23;
    uint32_t man = (abs & 0x7fffff) | 0x800000;
    uint32_t shift = 126 - e;  // the value is man * 2^(e-150); in units of 2^-24: man >> shift
    uint32_t half = man >> shift;
    uint32_t rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1))) ++half;
    return sign | static_cast<uint16_t>(half);
  }
  uint32_t bits = abs - 0x38000000;  // rebias exponent 127 -> 15
  uint32_t half = bits >> 13, rem = bits & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) ++half;
  return sign | static_cast<uint16_t>(half);
}

float BFloat16ToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t FloatToBFloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((x >> 16) | 0x40);  // quiet NaN
  x += 0x7fff + ((x >> 16) & 1);  // round to nearest even; large finite values round to inf
  return static_cast<uint16_t>(x >> 16);
}

float RoundToOddFloat(double x) {
  float f = static_cast<float>(x);
  if (std::isnan(x) || std::isinf(x) || static_cast<double>(f) == x) return f;
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (std::isinf(f) || std::fabs(static_cast<double>(f)) > std::fabs(x)) --bits;  // toward zero
  bits |= 1;
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace odla_rt
