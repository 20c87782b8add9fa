// ODLA builders of broadcasting binary ops (arithmetic, comparisons, logic), PRelu, Where and
// the variadic Sum/Mean/Max/Min on the shared kernels; float16 and bfloat16 computed in float.
#include "../kernels/elementwise.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "../common/builder.h"
#include "../kernels/arith.h"
#include "../kernels/broadcast.h"
#include "../kernels/half_float.h"
#include "../kernels/type_sets.h"

using namespace odla_rt;

namespace {

void CheckResult(const odla_value_type& rt, odla_element_type et,
                 const std::vector<int64_t>& shape) {
  if (rt.element_type != et || Dims(rt.shape) != shape) {
    odla_value_type want{};
    want.element_type = et;
    want.shape = MakeShape(shape);
    Fail("result type ", TypeToString(rt), " should be ", TypeToString(want));
  }
}

// The numpy broadcast of two shapes; fails when they do not broadcast.
std::vector<int64_t> Broadcast(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  std::vector<int64_t> out;
  if (!BroadcastShapes(a, b, &out)) Fail("shapes do not broadcast");
  return out;
}

// A broadcasting binary op on inputs of one type in S; the result is T or bool.
template <unsigned S, bool ToBool = false, typename Op>
odla_value BuildBinary(const char* op_name, odla_value A, odla_value B,
                       const odla_value_type& result_type, odla_value_id id, Op op) {
  return Guard(("odla_" + std::string(op_name)).c_str(), id, [&] {
    CheckInput(A, "A");
    CheckInput(B, "B");
    CheckSameElementType(A, B);
    auto as = Dims(A->type.shape), bs = Dims(B->type.shape), os = Broadcast(as, bs);
    odla_element_type et = A->type.element_type;
    CheckResult(result_type, ToBool ? ODLA_BOOL : et, os);
    bool via_float = (S & kFloatSet) && Is16BitFloat(et);
    Kernel k = DispatchIn<S>(via_float ? ODLA_FLOAT32 : et, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      using R = std::conditional_t<ToBool, bool, T>;
      return [=](const KernelArgs& a) {
        BinaryBroadcast(a.In<T>(0), as, a.In<T>(1), bs, a.Out<R>(0), os, op);
      };
    });
    if (via_float) k = ThroughFloat(et, std::move(k), {A->type, B->type}, {result_type});
    return AddOp1(op_name, {A, B}, result_type, id, std::move(k));
  });
}

#define ODLA_BINARY_OP(NAME, EXPR)    \
  struct NAME##Fn {                   \
    template <typename T>             \
    auto operator()(T a, T b) const { \
      return EXPR;                    \
    }                                 \
  };
ODLA_BINARY_OP(Add, WrapAdd(a, b))
ODLA_BINARY_OP(Sub, WrapSub(a, b))
ODLA_BINARY_OP(Mul, WrapMul(a, b))
ODLA_BINARY_OP(Equal, a == b)
ODLA_BINARY_OP(Less, a < b)
ODLA_BINARY_OP(LessOrEqual, a <= b)
ODLA_BINARY_OP(Greater, a > b)
ODLA_BINARY_OP(GreaterOrEqual, a >= b)
ODLA_BINARY_OP(And, a&& b)
ODLA_BINARY_OP(Or, a || b)
ODLA_BINARY_OP(Xor, a != b)
ODLA_BINARY_OP(BitwiseAnd, static_cast<T>(a& b))
ODLA_BINARY_OP(BitwiseOr, static_cast<T>(a | b))
ODLA_BINARY_OP(BitwiseXor, static_cast<T>(a ^ b))
#undef ODLA_BINARY_OP

// Integer division truncates; x/0 gives 0 and the overflowing MIN/-1 wraps.
struct DivFn {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return a / b;
    } else {
      if (b == 0) return T(0);
      if constexpr (std::is_signed_v<T>)
        if (b == T(-1)) return WrapSub(T(0), a);
      return static_cast<T>(a / b);
    }
  }
};

// fmod=1: the sign of the dividend (C fmod); fmod=0: of the divisor (Python, integers).
struct ModFn {
  bool fmod;
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::fmod(a, b);
    } else {
      if (b == 0) return T(0);
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return T(0);
        T r = static_cast<T>(a % b);
        if (!fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
        return r;
      } else {
        return static_cast<T>(a % b);
      }
    }
  }
};

struct BitShiftFn {
  bool left;
  template <typename T>
  T operator()(T a, T b) const {
    if (b >= sizeof(T) * 8) return T(0);
    return static_cast<T>(left ? a << b : a >> b);
  }
};

struct PReluFn {
  template <typename T>
  T operator()(T x, T slope) const {
    return x < T(0) ? WrapMul(slope, x) : x;
  }
};

// Max/Min propagate NaN like numpy.
struct MaxFn {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(b)) return b;
    return b > a ? b : a;
  }
};
struct MinFn {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(b)) return b;
    return b < a ? b : a;
  }
};

// X^Y with X's type: integer powers by squaring, everything else through double.
template <typename T, typename E>
T Power(T x, E y) {
  if constexpr (std::is_integral_v<T> && std::is_integral_v<E>) {
    bool negative = false;
    if constexpr (std::is_signed_v<E>) negative = y < E(0);
    if (!negative) {
      T r = 1;
      using U = std::make_unsigned_t<E>;
      for (U e = static_cast<U>(y); e; e >>= 1, x = WrapMul(x, x))
        if (e & 1) r = WrapMul(r, x);
      return r;
    }
  }
  if constexpr (std::is_same_v<T, float> && std::is_same_v<E, float>) return std::pow(x, y);
  return CastValue<T>(std::pow(static_cast<double>(x), static_cast<double>(y)));
}

// Sum/Mean/Max/Min: the first two inputs combine into the result, the others fold into it.
template <unsigned S, typename Op>
odla_value BuildVariadic(const char* op_name, const odla_values& data,
                         const odla_value_type& result_type, odla_value_id id, Op op, bool mean) {
  return Guard(("odla_" + std::string(op_name)).c_str(), id, [&] {
    std::vector<odla_value> ins = FromValues(data);
    if (ins.empty()) Fail("needs at least one input");
    std::vector<std::vector<int64_t>> shapes;
    std::vector<int64_t> os;
    for (odla_value v : ins) {
      CheckInput(v, "data_0");
      CheckSameElementType(ins[0], v);
      shapes.push_back(Dims(v->type.shape));
      os = Broadcast(os, shapes.back());
    }
    odla_element_type et = ins[0]->type.element_type;
    CheckResult(result_type, et, os);
    bool via_float = (S & kFloatSet) && Is16BitFloat(et);
    Kernel k = DispatchIn<S>(via_float ? ODLA_FLOAT32 : et, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        T* out = a.Out<T>(0);
        if (shapes.size() == 1)
          BroadcastCopy(a.In<T>(0), shapes[0], out, os);
        else
          BinaryBroadcast(a.In<T>(0), shapes[0], a.In<T>(1), shapes[1], out, os, op);
        for (size_t i = 2; i < shapes.size(); ++i)
          BinaryBroadcast(out, os, a.In<T>(i), shapes[i], out, os, op);
        if constexpr (std::is_floating_point_v<T>) {
          if (mean) {
            T scale = T(1) / static_cast<T>(shapes.size());
            int64_t n = 1;
            for (int64_t d : os) n *= d;
            UnaryMap(out, out, n, [scale](T v) { return v * scale; });
          }
        }
      };
    });
    if (via_float) {
      std::vector<odla_value_type> in_types;
      for (odla_value v : ins) in_types.push_back(v->type);
      k = ThroughFloat(et, std::move(k), in_types, {result_type});
    }
    return AddOp1(op_name, ins, result_type, id, std::move(k));
  });
}

}  // namespace

extern "C" {

#define ODLA_BINARY_BUILDER(NAME, SET, TO_BOOL)                                             \
  ODLA_WEAK odla_value odla_##NAME(odla_value A, odla_value B, odla_value_type result_type, \
                                   odla_value_id id) {                                      \
    return BuildBinary<SET, TO_BOOL>(#NAME, A, B, result_type, id, NAME##Fn{});             \
  }
ODLA_BINARY_BUILDER(Add, kNumericSet, false)
ODLA_BINARY_BUILDER(Sub, kNumericSet, false)
ODLA_BINARY_BUILDER(Mul, kNumericSet, false)
ODLA_BINARY_BUILDER(Div, kNumericSet, false)
ODLA_BINARY_BUILDER(Equal, kAnySet, true)
ODLA_BINARY_BUILDER(Less, kNumericSet, true)
ODLA_BINARY_BUILDER(LessOrEqual, kNumericSet, true)
ODLA_BINARY_BUILDER(Greater, kNumericSet, true)
ODLA_BINARY_BUILDER(GreaterOrEqual, kNumericSet, true)
ODLA_BINARY_BUILDER(And, kBoolSet, true)
ODLA_BINARY_BUILDER(Or, kBoolSet, true)
ODLA_BINARY_BUILDER(Xor, kBoolSet, true)
ODLA_BINARY_BUILDER(BitwiseAnd, kIntSet, false)
ODLA_BINARY_BUILDER(BitwiseOr, kIntSet, false)
ODLA_BINARY_BUILDER(BitwiseXor, kIntSet, false)
#undef ODLA_BINARY_BUILDER

ODLA_WEAK odla_value odla_Mod(odla_value A, odla_value B, odla_int64 fmod,
                              odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Mod", id, [&]() -> odla_value {
    if (A &&
        (A->type.element_type == ODLA_FLOAT32 || A->type.element_type == ODLA_FLOAT64 ||
         Is16BitFloat(A->type.element_type)) &&
        !fmod)
      Fail("float Mod requires fmod=1");
    return BuildBinary<kNumericSet>("Mod", A, B, result_type, id, ModFn{fmod != 0});
  });
}

ODLA_WEAK odla_value odla_BitShift(odla_value X, odla_value Y, const char* direction,
                                   odla_value_type result_type, odla_value_id id) {
  return Guard("odla_BitShift", id, [&]() -> odla_value {
    std::string d = direction ? direction : "";
    if (d != "LEFT" && d != "RIGHT") Fail("direction must be LEFT or RIGHT, got '", d, "'");
    return BuildBinary<kUnsignedSet>("BitShift", X, Y, result_type, id, BitShiftFn{d == "LEFT"});
  });
}

ODLA_WEAK odla_value odla_PRelu(odla_value X, odla_value slope, odla_value_type result_type,
                                odla_value_id id) {
  return Guard("odla_PRelu", id, [&]() -> odla_value {
    CheckInput(X, "X");
    CheckInput(slope, "slope");
    if (Broadcast(Dims(X->type.shape), Dims(slope->type.shape)) != Dims(X->type.shape))
      Fail("slope ", TypeToString(slope->type), " does not broadcast to X ", TypeToString(X->type));
    return BuildBinary<kFloatSet | kSignedSet>("PRelu", X, slope, result_type, id, PReluFn{});
  });
}

ODLA_WEAK odla_value odla_Pow(odla_value X, odla_value Y, odla_value_type result_type,
                              odla_value_id id) {
  return Guard("odla_Pow", id, [&] {
    CheckInput(X, "X");
    CheckInput(Y, "Y");
    auto xs = Dims(X->type.shape), ys = Dims(Y->type.shape), os = Broadcast(xs, ys);
    CheckResult(result_type, X->type.element_type, os);
    Kernel k = DispatchIn<kFloatSet | kSignedSet>(X->type.element_type, [&](auto xtag) -> Kernel {
      using T = typename decltype(xtag)::type;
      return DispatchIn<kNumericSet>(Y->type.element_type, [&](auto ytag) -> Kernel {
        using E = typename decltype(ytag)::type;
        return [=](const KernelArgs& a) {
          BinaryBroadcast(a.In<T>(0), xs, a.In<E>(1), ys, a.Out<T>(0), os,
                          [](T x, E y) { return Power(x, y); });
        };
      });
    });
    return AddOp1("Pow", {X, Y}, result_type, id, std::move(k));
  });
}

ODLA_WEAK odla_value odla_Where(odla_value condition, odla_value X, odla_value Y,
                                odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Where", id, [&] {
    CheckInput(condition, "condition");
    CheckInput(X, "X");
    CheckInput(Y, "Y");
    if (condition->type.element_type != ODLA_BOOL) Fail("condition must be bool");
    CheckSameElementType(X, Y);
    auto cs = Dims(condition->type.shape), xs = Dims(X->type.shape), ys = Dims(Y->type.shape);
    auto os = Broadcast(Broadcast(cs, xs), ys);
    CheckResult(result_type, X->type.element_type, os);
    Kernel k = Dispatch(X->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      return [=](const KernelArgs& a) {
        TernaryBroadcast(a.In<bool>(0), cs, a.In<T>(1), xs, a.In<T>(2), ys, a.Out<T>(0), os,
                         [](bool c, T x, T y) { return c ? x : y; });
      };
    });
    return AddOp1("Where", {condition, X, Y}, result_type, id, std::move(k));
  });
}

ODLA_WEAK odla_value odla_Sum(odla_values data_0, odla_value_type result_type, odla_value_id id) {
  return BuildVariadic<kNumericSet>("Sum", data_0, result_type, id, AddFn{}, false);
}

ODLA_WEAK odla_value odla_Mean(odla_values data_0, odla_value_type result_type, odla_value_id id) {
  return BuildVariadic<kFloatSet>("Mean", data_0, result_type, id, AddFn{}, true);
}

ODLA_WEAK odla_value odla_Max(odla_values data_0, odla_value_type result_type, odla_value_id id) {
  return BuildVariadic<kNumericSet>("Max", data_0, result_type, id, MaxFn{}, false);
}

ODLA_WEAK odla_value odla_Min(odla_values data_0, odla_value_type result_type, odla_value_id id) {
  return BuildVariadic<kNumericSet>("Min", data_0, result_type, id, MinFn{}, false);
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Add)
ODLA_REF_ALIAS(Sub)
ODLA_REF_ALIAS(Mul)
ODLA_REF_ALIAS(Div)
ODLA_REF_ALIAS(BitShift)
ODLA_REF_ALIAS(Sum)
ODLA_REF_ALIAS(Max)
ODLA_REF_ALIAS(Min)
ODLA_REF_ALIAS(Pow)
ODLA_REF_ALIAS(Equal)
ODLA_REF_ALIAS(Less)
ODLA_REF_ALIAS(Greater)
ODLA_REF_ALIAS(LessOrEqual)
ODLA_REF_ALIAS(GreaterOrEqual)
ODLA_REF_ALIAS(And)
ODLA_REF_ALIAS(BitwiseAnd)
ODLA_REF_ALIAS(BitwiseOr)
ODLA_REF_ALIAS(BitwiseXor)
ODLA_REF_ALIAS(Or)
ODLA_REF_ALIAS(Xor)
ODLA_REF_ALIAS(Where)
ODLA_REF_ALIAS(Mean)
ODLA_REF_ALIAS(PRelu)
ODLA_REF_ALIAS(Mod)
