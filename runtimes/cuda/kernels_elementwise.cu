// Element-wise kernels: unary functions, broadcasting binary ops, Where and Cast. Each
// functor mirrors the ref runtime's function of the same name (runtimes/kernels/unary.h,
// runtimes/ref/elementwise.cc, runtimes/kernels/elementwise.h CastValue/ClipBound/Clip).
#include <cfloat>
#include <type_traits>

#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

// Unary functions (f: float only; the others also int32/int64, Not bool).
struct Params {
  float a, b;
};
#define ODLA_CUDA_UNARY(NAME, EXPR)                       \
  struct NAME {                                           \
    template <typename T>                                 \
    __device__ T operator()(T x, const Params& p) const { \
      (void)p;                                            \
      return static_cast<T>(EXPR);                        \
    }                                                     \
  };
ODLA_CUDA_UNARY(ReluF, x > T(0) ? x : T(0))
ODLA_CUDA_UNARY(SigmoidF, x >= 0.f ? 1.f / (1.f + expf(-x)) : expf(x) / (1.f + expf(x)))
ODLA_CUDA_UNARY(TanhF, tanhf(x))
ODLA_CUDA_UNARY(ExpF, expf(x))
ODLA_CUDA_UNARY(LogF, logf(x))
ODLA_CUDA_UNARY(SqrtF, sqrtf(x))
ODLA_CUDA_UNARY(AbsF, x < T(0) ? WSub(T(0), x) : x)
ODLA_CUDA_UNARY(NegF, WSub(T(0), x))
ODLA_CUDA_UNARY(ReciprocalF, 1.f / x)
ODLA_CUDA_UNARY(ErfF, erff(x))
ODLA_CUDA_UNARY(FloorF, floorf(x))
ODLA_CUDA_UNARY(CeilF, ceilf(x))
ODLA_CUDA_UNARY(RoundF, rintf(x))  // halves to even, as nearbyint in the default mode
ODLA_CUDA_UNARY(SinF, sinf(x))
ODLA_CUDA_UNARY(CosF, cosf(x))
ODLA_CUDA_UNARY(SoftplusF, x > 0.f ? x + log1pf(expf(-x)) : log1pf(expf(x)))
ODLA_CUDA_UNARY(NotF, !x)
ODLA_CUDA_UNARY(LeakyReluF, x < 0.f ? p.a * x : x)
ODLA_CUDA_UNARY(EluF, x < 0.f ? p.a * expm1f(x) : x)
ODLA_CUDA_UNARY(SeluF, x > 0.f ? p.b * x : p.b * p.a * expm1f(x))
ODLA_CUDA_UNARY(HardSigmoidF, fmaxf(0.f, fminf(1.f, __fadd_rn(__fmul_rn(p.a, x), p.b))))
ODLA_CUDA_UNARY(HardSwishF, x* fmaxf(0.f, fminf(1.f, x / 6.f + 0.5f)))
ODLA_CUDA_UNARY(ScaleF, x* p.a)
ODLA_CUDA_UNARY(TanF, tanf(x))
ODLA_CUDA_UNARY(AsinF, asinf(x))
ODLA_CUDA_UNARY(AcosF, acosf(x))
ODLA_CUDA_UNARY(AtanF, atanf(x))
ODLA_CUDA_UNARY(SinhF, sinhf(x))
ODLA_CUDA_UNARY(CoshF, coshf(x))
ODLA_CUDA_UNARY(AsinhF, asinhf(x))
ODLA_CUDA_UNARY(AcoshF, acoshf(x))
ODLA_CUDA_UNARY(AtanhF, atanhf(x))
ODLA_CUDA_UNARY(SoftsignF, x / (1.f + fabsf(x)))
ODLA_CUDA_UNARY(CeluF, fmaxf(0.f, x) + fminf(0.f, p.a* expm1f(x / p.a)))
ODLA_CUDA_UNARY(ThresholdedReluF, x > p.a ? x : 0.f)
ODLA_CUDA_UNARY(ShrinkF, x < -p.b ? x + p.a : (x > p.b ? x - p.a : 0.f))
#undef ODLA_CUDA_UNARY

struct SignF {
  template <typename T>
  __device__ T operator()(T x, const Params&) const {
    if constexpr (std::is_floating_point_v<T>)
      if (isnan(x)) return x;
    return static_cast<T>((x > T(0)) - (x < T(0)));
  }
};

template <typename T, typename F>
__global__ void UnaryKernel(const T* x, T* y, int64_t n, F f, Params p) {
  ODLA_CUDA_LOOP(i, n) { y[i] = f(x[i], p); }
}

// Clip with bounds of T (NaN stays NaN; hi wins when lo > hi).
template <typename T>
__global__ void ClipKernel(const T* x, T* y, int64_t n, T lo, T hi) {
  ODLA_CUDA_LOOP(i, n) {
    T v = x[i] < lo ? lo : x[i];
    y[i] = v > hi ? hi : v;
  }
}

// ClipBound of the ref runtime: at or beyond +-FLT_MAX means no bound.
template <typename T>
T ClipBound(float b, bool upper) {
  if (upper ? b >= FLT_MAX : b <= -FLT_MAX)
    return upper ? (std::is_floating_point_v<T> ? cuda::std::numeric_limits<T>::infinity()
                                                : cuda::std::numeric_limits<T>::max())
                 : (std::is_floating_point_v<T> ? -cuda::std::numeric_limits<T>::infinity()
                                                : cuda::std::numeric_limits<T>::lowest());
  return CastValue<T>(b);
}

// f(tag) for the types of `set`: 1 float32, 2 int32/int64, 4 bool.
template <typename F>
bool ByType(unsigned set, odla_element_type t, F&& f) {
  if ((set & 4) && t == ODLA_BOOL) return f(bool{}), true;
  return (set & (t == ODLA_FLOAT32 ? 1 : 2)) && ByNumber(t, f);
}

template <typename T>
void LaunchClip(cudaStream_t s, const void* x, void* y, int64_t n, double lo, double hi) {
  ClipKernel<T><<<GridFor(n), kBlock, 0, s>>>(static_cast<const T*>(x), static_cast<T*>(y), n,
                                              ClipBound<T>(static_cast<float>(lo), false),
                                              ClipBound<T>(static_cast<float>(hi), true));
}

template <typename T, typename F>
void LaunchUnary(cudaStream_t s, const void* x, void* y, int64_t n, Params p) {
  UnaryKernel<T>
      <<<GridFor(n), kBlock, 0, s>>>(static_cast<const T*>(x), static_cast<T*>(y), n, F{}, p);
}

unsigned UnarySet(Unary op) {
  switch (op) {
    case Unary::kRelu:
    case Unary::kAbs:
    case Unary::kNeg:
    case Unary::kSign:
    case Unary::kClip:
      return 3;
    case Unary::kNot:
      return 4;
    default:
      return 1;
  }
}

}  // namespace

// Clip also takes quantized values: the TFLite import's fused activations.
bool UnarySupports(Unary op, odla_element_type t) {
  return ByType(UnarySet(op), t, [](auto) {}) ||
         (op == Unary::kClip && ByQuantized<true, false>(t, [](auto) {}));
}

void UnaryOp(cudaStream_t s, Unary op, odla_element_type t, const void* x, void* y, int64_t n,
             double a, double b) {
  if (n == 0) return;
  if (op == Unary::kClip &&
      ByQuantized<true, false>(t, [&](auto tag) { LaunchClip<decltype(tag)>(s, x, y, n, a, b); }))
    return CheckLaunch("Clip");
  Params p{static_cast<float>(a), static_cast<float>(b)};
  bool ok = ByType(UnarySet(op), t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      LaunchUnary<T, NotF>(s, x, y, n, p);
    } else {
      switch (op) {
        case Unary::kRelu:
          return LaunchUnary<T, ReluF>(s, x, y, n, p);
        case Unary::kAbs:
          return LaunchUnary<T, AbsF>(s, x, y, n, p);
        case Unary::kNeg:
          return LaunchUnary<T, NegF>(s, x, y, n, p);
        case Unary::kSign:
          return LaunchUnary<T, SignF>(s, x, y, n, p);
        case Unary::kClip:
          return LaunchClip<T>(s, x, y, n, a, b);
        default:
          break;
      }
      if constexpr (std::is_same_v<T, float>) {
        switch (op) {
#define ODLA_CUDA_CASE(K, F) \
  case Unary::K:             \
    return LaunchUnary<T, F>(s, x, y, n, p);
          ODLA_CUDA_CASE(kSigmoid, SigmoidF)
          ODLA_CUDA_CASE(kTanh, TanhF)
          ODLA_CUDA_CASE(kExp, ExpF)
          ODLA_CUDA_CASE(kLog, LogF)
          ODLA_CUDA_CASE(kSqrt, SqrtF)
          ODLA_CUDA_CASE(kReciprocal, ReciprocalF)
          ODLA_CUDA_CASE(kErf, ErfF)
          ODLA_CUDA_CASE(kFloor, FloorF)
          ODLA_CUDA_CASE(kCeil, CeilF)
          ODLA_CUDA_CASE(kRound, RoundF)
          ODLA_CUDA_CASE(kSin, SinF)
          ODLA_CUDA_CASE(kCos, CosF)
          ODLA_CUDA_CASE(kSoftplus, SoftplusF)
          ODLA_CUDA_CASE(kLeakyRelu, LeakyReluF)
          ODLA_CUDA_CASE(kElu, EluF)
          ODLA_CUDA_CASE(kSelu, SeluF)
          ODLA_CUDA_CASE(kHardSigmoid, HardSigmoidF)
          ODLA_CUDA_CASE(kHardSwish, HardSwishF)
          ODLA_CUDA_CASE(kScale, ScaleF)
          ODLA_CUDA_CASE(kTan, TanF)
          ODLA_CUDA_CASE(kAsin, AsinF)
          ODLA_CUDA_CASE(kAcos, AcosF)
          ODLA_CUDA_CASE(kAtan, AtanF)
          ODLA_CUDA_CASE(kSinh, SinhF)
          ODLA_CUDA_CASE(kCosh, CoshF)
          ODLA_CUDA_CASE(kAsinh, AsinhF)
          ODLA_CUDA_CASE(kAcosh, AcoshF)
          ODLA_CUDA_CASE(kAtanh, AtanhF)
          ODLA_CUDA_CASE(kSoftsign, SoftsignF)
          ODLA_CUDA_CASE(kCelu, CeluF)
          ODLA_CUDA_CASE(kThresholdedRelu, ThresholdedReluF)
          ODLA_CUDA_CASE(kShrink, ShrinkF)
#undef ODLA_CUDA_CASE
          default:
            break;
        }
      }
    }
  });
  if (!ok) throw odla_rt::RtError("libodla_cuda: unary op on an unsupported type");
  CheckLaunch("Unary");
}

namespace {

__global__ void ClassifyKernel(const float* x, bool* y, int64_t n, int kind, bool negative,
                               bool positive) {
  ODLA_CUDA_LOOP(i, n) {
    const float v = x[i];
    y[i] = kind == 0 ? isnan(v) : isinf(v) && (v > 0.f ? positive : negative);
  }
}

}  // namespace

void Classify(cudaStream_t s, int kind, const float* x, bool* y, int64_t n, bool negative,
              bool positive) {
  Launch("Classify", s, n, ClassifyKernel, x, y, n, kind, negative, positive);
}

namespace {

// Binary functors of runtimes/ref/elementwise.cc. The result type is spelled out: the host
// pass deduces LaunchBinary's R from it, and a deduced (auto) return type of a __device__
// function differs there, which names a kernel that was never compiled for the device
// (cudaErrorInvalidDeviceFunction at launch).
#define ODLA_CUDA_BINARY(NAME, R, EXPR)       \
  struct NAME {                               \
    template <typename T>                     \
    __device__ R operator()(T a, T b) const { \
      return EXPR;                            \
    }                                         \
  };
ODLA_CUDA_BINARY(AddF, T, WAdd(a, b))
ODLA_CUDA_BINARY(SubF, T, WSub(a, b))
ODLA_CUDA_BINARY(MulF, T, WMul(a, b))
ODLA_CUDA_BINARY(PowF, T, powf(a, b))
ODLA_CUDA_BINARY(EqualF, bool, a == b)
ODLA_CUDA_BINARY(LessF, bool, a < b)
ODLA_CUDA_BINARY(GreaterF, bool, a > b)
ODLA_CUDA_BINARY(LessOrEqualF, bool, a <= b)
ODLA_CUDA_BINARY(GreaterOrEqualF, bool, a >= b)
ODLA_CUDA_BINARY(AndF, bool, a&& b)
ODLA_CUDA_BINARY(OrF, bool, a || b)
ODLA_CUDA_BINARY(XorF, bool, a != b)
#undef ODLA_CUDA_BINARY

// Integer division truncates; x/0 gives 0 and MIN/-1 wraps (DivFn).
struct DivF {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return a / b;
    } else {
      if (b == 0) return T(0);
      if (b == T(-1)) return WSub(T(0), a);
      return static_cast<T>(a / b);
    }
  }
};

struct PReluF {
  template <typename T>
  __device__ T operator()(T x, T slope) const {
    return x < T(0) ? WMul(slope, x) : x;
  }
};

// ModFn: fmod=1 the sign of the dividend, fmod=0 of the divisor; x % 0 and x % -1 give 0.
template <bool FMod>
struct ModF {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return fmodf(a, b);
    } else {
      if (b == 0 || b == T(-1)) return T(0);
      T r = static_cast<T>(a % b);
      if (!FMod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
      return r;
    }
  }
};

// Max/Min propagate NaN like numpy (MaxFn, MinFn).
struct MaxF {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>)
      if (isnan(b)) return b;
    return b > a ? b : a;
  }
};
struct MinF {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>)
      if (isnan(b)) return b;
    return b < a ? b : a;
  }
};

// Flat: the map has at most one dimension (no index division).
template <bool Flat, typename T, typename R, typename F>
__global__ void BinaryKernel(const T* a, const T* b, R* out, StridedMap m, int64_t n, F f) {
  ODLA_CUDA_LOOP(i, n) {
    int64_t oa, ob;
    if (Flat) {
      oa = m.a_base + i * m.a_strides[0];
      ob = m.b_base + i * m.b_strides[0];
    } else {
      MapOffsets(m, i, &oa, &ob);
    }
    out[i] = static_cast<R>(f(a[oa], b[ob]));
  }
}

// Broadcasts with a 32-bit map (SmallMap).
template <typename T, typename R, typename F>
__global__ void SmallBinaryKernel(const T* a, const T* b, R* out, SmallMap m, uint32_t n, F f) {
  ODLA_CUDA_LOOP32(i, n) {
    int32_t oa, ob;
    MapOffsets32(m, i, &oa, &ob);
    out[i] = static_cast<R>(f(a[oa], b[ob]));
  }
}

template <typename T, typename F>
void LaunchBinary(cudaStream_t s, const void* a, const void* b, void* out, const StridedMap& m) {
  using R = decltype(F{}(T{}, T{}));
  int64_t n = m.Count();
  auto pa = static_cast<const T*>(a);
  auto pb = static_cast<const T*>(b);
  auto po = static_cast<R*>(out);
  SmallMap small;
  if (m.rank <= 1)
    BinaryKernel<true><<<GridFor(n), kBlock, 0, s>>>(pa, pb, po, m, n, F{});
  else if (MakeSmallMap(m, &small))
    SmallBinaryKernel<<<GridFor(n), kBlock, 0, s>>>(pa, pb, po, small, static_cast<uint32_t>(n),
                                                    F{});
  else
    BinaryKernel<false><<<GridFor(n), kBlock, 0, s>>>(pa, pb, po, m, n, F{});
}

unsigned BinarySet(Binary op) {
  switch (op) {
    case Binary::kPow:
      return 1;
    case Binary::kMod:
      return 2;
    case Binary::kEqual:
      return 7;
    case Binary::kAnd:
    case Binary::kOr:
    case Binary::kXor:
      return 4;
    default:
      return 3;
  }
}

}  // namespace

bool BinarySupports(Binary op, odla_element_type t) {
  return ByType(BinarySet(op), t, [](auto) {});
}

void BinaryOp(cudaStream_t s, Binary op, odla_element_type t, const void* a, const void* b,
              void* out, const StridedMap& m) {
  if (m.Count() == 0) return;
  bool ok = ByType(BinarySet(op), t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      switch (op) {
        case Binary::kAnd:
          return LaunchBinary<T, AndF>(s, a, b, out, m);
        case Binary::kOr:
          return LaunchBinary<T, OrF>(s, a, b, out, m);
        case Binary::kXor:
          return LaunchBinary<T, XorF>(s, a, b, out, m);
        default:
          return LaunchBinary<T, EqualF>(s, a, b, out, m);
      }
    } else {
      switch (op) {
        case Binary::kAdd:
          return LaunchBinary<T, AddF>(s, a, b, out, m);
        case Binary::kSub:
          return LaunchBinary<T, SubF>(s, a, b, out, m);
        case Binary::kMul:
          return LaunchBinary<T, MulF>(s, a, b, out, m);
        case Binary::kDiv:
          return LaunchBinary<T, DivF>(s, a, b, out, m);
        case Binary::kMax:
          return LaunchBinary<T, MaxF>(s, a, b, out, m);
        case Binary::kMin:
          return LaunchBinary<T, MinF>(s, a, b, out, m);
        case Binary::kPRelu:
          return LaunchBinary<T, PReluF>(s, a, b, out, m);
        case Binary::kFMod:
          return LaunchBinary<T, ModF<true>>(s, a, b, out, m);
        case Binary::kMod:
          if constexpr (!std::is_floating_point_v<T>)
            return LaunchBinary<T, ModF<false>>(s, a, b, out, m);
          break;
        case Binary::kEqual:
          return LaunchBinary<T, EqualF>(s, a, b, out, m);
        case Binary::kLess:
          return LaunchBinary<T, LessF>(s, a, b, out, m);
        case Binary::kGreater:
          return LaunchBinary<T, GreaterF>(s, a, b, out, m);
        case Binary::kLessOrEqual:
          return LaunchBinary<T, LessOrEqualF>(s, a, b, out, m);
        case Binary::kGreaterOrEqual:
          return LaunchBinary<T, GreaterOrEqualF>(s, a, b, out, m);
        case Binary::kPow:
          if constexpr (std::is_same_v<T, float>) return LaunchBinary<T, PowF>(s, a, b, out, m);
          break;
        default:
          break;
      }
    }
  });
  if (!ok) throw odla_rt::RtError("libodla_cuda: binary op on an unsupported type");
  CheckLaunch("Binary");
}

}  // namespace odla_cuda
