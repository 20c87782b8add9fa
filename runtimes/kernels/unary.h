// Element-wise unary functions as small functor types, so that UnaryMap inlines them. Each
// is only instantiated for the element types its operator accepts.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "arith.h"
#include "vmath.h"

namespace odla_rt::unary {

#define ODLA_UNARY(NAME, EXPR)     \
  struct NAME {                    \
    template <typename T>          \
    T operator()(T x) const {      \
      return static_cast<T>(EXPR); \
    }                              \
  };

ODLA_UNARY(Neg, WrapSub(T(0), x))
ODLA_UNARY(Exp, std::exp(x))
ODLA_UNARY(Log, std::log(x))
ODLA_UNARY(Sqrt, std::sqrt(x))
ODLA_UNARY(Reciprocal, T(1) / x)
ODLA_UNARY(Floor, std::floor(x))
ODLA_UNARY(Ceil, std::ceil(x))
ODLA_UNARY(Round, std::nearbyint(x))  // the default rounding mode: halves to even
ODLA_UNARY(Sin, std::sin(x))
ODLA_UNARY(Cos, std::cos(x))
ODLA_UNARY(Tan, std::tan(x))
ODLA_UNARY(Asin, std::asin(x))
ODLA_UNARY(Acos, std::acos(x))
ODLA_UNARY(Atan, std::atan(x))
ODLA_UNARY(Sinh, std::sinh(x))
ODLA_UNARY(Cosh, std::cosh(x))
ODLA_UNARY(Asinh, std::asinh(x))
ODLA_UNARY(Acosh, std::acosh(x))
ODLA_UNARY(Atanh, std::atanh(x))
ODLA_UNARY(Tanh, std::tanh(x))
ODLA_UNARY(Relu, x > T(0) ? x : T(0))
ODLA_UNARY(HardSwish, x* std::fmax(T(0), std::fmin(T(1), x / T(6) + T(0.5))))
ODLA_UNARY(Softsign, x / (T(1) + std::fabs(x)))
ODLA_UNARY(Not, !x)
ODLA_UNARY(BitwiseNot, static_cast<T>(~x))
ODLA_UNARY(Identity, x)
#undef ODLA_UNARY

struct Abs {
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>)
      return x;
    else
      return x < T(0) ? WrapSub(T(0), x) : x;
  }
};

struct Sign {
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(x)) return x;
    return static_cast<T>((x > T(0)) - (x < T(0)));
  }
};

// float32 by ErfF32 (vmath.h; also over arrays: Array), integers in double and truncated.
struct Erf {
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_same_v<T, float>) {
      ErfF32(&x, &x, 1);
      return x;
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::erf(x);
    } else {
      return static_cast<T>(std::erf(static_cast<double>(x)));
    }
  }
  static void Array(const float* x, float* y, int64_t n) { ErfF32(x, y, n); }
};

struct Sigmoid {
  template <typename T>
  T operator()(T x) const {
    if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
    T e = std::exp(x);
    return e / (T(1) + e);
  }
};

struct Softplus {
  template <typename T>
  T operator()(T x) const {
    return x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
};

struct LeakyRelu {
  float alpha;
  template <typename T>
  T operator()(T x) const {
    return x < T(0) ? T(alpha) * x : x;
  }
};

struct Elu {
  float alpha;
  template <typename T>
  T operator()(T x) const {
    return x < T(0) ? T(alpha) * std::expm1(x) : x;
  }
};

struct Selu {
  float alpha, gamma;
  template <typename T>
  T operator()(T x) const {
    return x > T(0) ? T(gamma) * x : T(gamma) * T(alpha) * std::expm1(x);
  }
};

struct Celu {
  float alpha;
  template <typename T>
  T operator()(T x) const {
    T a = T(alpha);
    return std::fmax(T(0), x) + std::fmin(T(0), a * std::expm1(x / a));
  }
};

struct HardSigmoid {
  float alpha, beta;
  template <typename T>
  T operator()(T x) const {
    return std::fmax(T(0), std::fmin(T(1), T(alpha) * x + T(beta)));
  }
};

struct ThresholdedRelu {
  float alpha;
  template <typename T>
  T operator()(T x) const {
    return x > T(alpha) ? x : T(0);
  }
};

// Integers are compared and shifted in double, then truncated.
struct Shrink {
  float bias, lambd;
  template <typename T>
  T operator()(T x) const {
    using C = std::conditional_t<std::is_floating_point_v<T>, T, double>;
    C v = static_cast<C>(x);
    if (v < -C(lambd)) return static_cast<T>(v + C(bias));
    if (v > C(lambd)) return static_cast<T>(v - C(bias));
    return T(0);
  }
};

struct IsNaN {
  template <typename T>
  bool operator()(T x) const {
    return std::isnan(x);
  }
};

struct IsInf {
  bool negative, positive;
  template <typename T>
  bool operator()(T x) const {
    return std::isinf(x) && (x > 0 ? positive : negative);
  }
};

}  // namespace odla_rt::unary
