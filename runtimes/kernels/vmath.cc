#include "vmath.h"

#include <cstring>

#include "gemm.h"

#define VMATH_INLINE inline __attribute__((always_inline))

namespace odla_rt {
namespace {

VMATH_INLINE float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// exp(x): x = n ln2 + r (n rounded to nearest, Cody-Waite split of ln2), exp(r) by Cephes'
// expf polynomial, times 2^n as two normal powers of two (so that results near the overflow
// and in the subnormal range are right).
VMATH_INLINE float ExpOne(float x) {
  float c = x < -104.0f ? -104.0f : x;
  c = c > 88.8f ? 88.8f : c;
  c = x == x ? c : 0.0f;  // NaN: computed on 0, then replaced
  const float t = c * 1.44269504088896341f;
  const float n = (t + 12582912.0f) - 12582912.0f;  // 1.5 * 2^23: rounds to an integer
  float r = c - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = (p * (r * r) + r) + 1.0f;
  const int32_t ni = static_cast<int32_t>(n);  // in [-150, 128]
  const int32_t a = ni / 2, b = ni - a;
  const float y = e * FromBits(static_cast<uint32_t>(a + 127) << 23) *
                  FromBits(static_cast<uint32_t>(b + 127) << 23);
  return x == x ? y : x;
}

// erf(x): x * P(x^2) for |x| < 0.921875; 1 - exp(Q(|x|) - x^2) up to 3.92, Q fitted to
// log(erfc(x)) + x^2; +-1 beyond (erfc(3.92) is under half an ulp of 1). Least-squares fits on
// Chebyshev nodes.
VMATH_INLINE float ErfOne(float x) {
  const float ax = x < 0.0f ? -x : x;
  const float u = x * x;
  float p = 8.392696327e-05f;
  p = p * u + -8.148506167e-04f;
  p = p * u + 5.201591644e-03f;
  p = p * u + -2.685964666e-02f;
  p = p * u + 1.128370017e-01f;
  p = p * u + -3.761263490e-01f;
  p = p * u + 1.128379226e+00f;
  const float small = x * p;
  const float t = (ax < 3.92f ? ax : 3.92f) - 2.42093754f;
  float q = 1.636918228e-06f;
  q = q * t + -1.431525834e-05f;
  q = q * t + 8.494842768e-05f;
  q = q * t + -4.587039875e-04f;
  q = q * t + 2.338859485e-03f;
  q = q * t + -1.157024130e-02f;
  q = q * t + 5.876514316e-02f;
  q = q * t + -3.617604971e-01f;
  q = q * t + -1.528575301e+00f;
  const float big = 1.0f - ExpOne(q - u);
  float y = ax < 0.921875f ? small : ax < 3.92f ? big : 1.0f;
  y = x < 0.0f && !(ax < 0.921875f) ? -y : y;
  return x == x ? y : x;
}

VMATH_INLINE void ExpLoop(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = ExpOne(x[i]);
}
VMATH_INLINE void ErfLoop(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = ErfOne(x[i]);
}
VMATH_INLINE void GeluLoop(float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = y[i];
    y[i] = v * (ErfOne(v / 1.41421356237309505f) + 1.0f) * 0.5f;
  }
}

struct Fns {
  void (*exp)(const float*, float*, int64_t);
  void (*erf)(const float*, float*, int64_t);
  void (*gelu)(float*, int64_t);
};

void ExpGeneric(const float* x, float* y, int64_t n) { ExpLoop(x, y, n); }
void ErfGeneric(const float* x, float* y, int64_t n) { ErfLoop(x, y, n); }
void GeluGeneric(float* y, int64_t n) { GeluLoop(y, n); }

#ifdef ODLA_KERNEL_ISAS
__attribute__((target("avx2"))) void ExpAvx2(const float* x, float* y, int64_t n) {
  ExpLoop(x, y, n);
}
__attribute__((target("avx2"))) void ErfAvx2(const float* x, float* y, int64_t n) {
  ErfLoop(x, y, n);
}
__attribute__((target("avx2"))) void GeluAvx2(float* y, int64_t n) { GeluLoop(y, n); }
__attribute__((target("avx512f"))) void ExpAvx512(const float* x, float* y, int64_t n) {
  ExpLoop(x, y, n);
}
__attribute__((target("avx512f"))) void ErfAvx512(const float* x, float* y, int64_t n) {
  ErfLoop(x, y, n);
}
__attribute__((target("avx512f"))) void GeluAvx512(float* y, int64_t n) { GeluLoop(y, n); }
#endif

const Fns& Pick() {
  static const Fns fns =
      ODLA_BY_ISA((Fns{ExpGeneric, ErfGeneric, GeluGeneric}), (Fns{ExpAvx2, ErfAvx2, GeluAvx2}),
                  (Fns{ExpAvx512, ErfAvx512, GeluAvx512}));
  return fns;
}

}  // namespace

void ExpF32(const float* x, float* y, int64_t n) { Pick().exp(x, y, n); }
void ErfF32(const float* x, float* y, int64_t n) { Pick().erf(x, y, n); }
void GeluF32(float* y, int64_t n) { Pick().gelu(y, n); }

}  // namespace odla_rt
