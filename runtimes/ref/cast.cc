// ODLA builders of Cast, CastLike, Clip and Dropout (inference) on the shared kernels.
#include <cstring>

#include "../common/builder.h"
#include "../kernels/copy.h"
#include "../kernels/elementwise.h"
#include "../kernels/type_sets.h"

using namespace odla_rt;

namespace {

void CheckSameShape(const odla_value_type& rt, odla_value X) {
  if (Dims(rt.shape) != Dims(X->type.shape))
    Fail("result type ", TypeToString(rt), " does not have the shape of ", TypeToString(X->type));
}

// Dispatch including float16 and bfloat16, carried as uint16_t bits (converted through float,
// which holds both exactly).
struct Half {
  uint16_t bits;
  float ToFloat() const { return HalfToFloat(bits); }
  static Half FromFloat(float f) { return {FloatToHalf(f)}; }
};
struct BFloat16 {
  uint16_t bits;
  float ToFloat() const { return BFloat16ToFloat(bits); }
  static BFloat16 FromFloat(float f) { return {FloatToBFloat16(f)}; }
};

template <typename T>
constexpr bool kIs16BitFloat = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

template <typename F>
Kernel DispatchWithHalf(odla_element_type t, F&& f) {
  if (t == ODLA_FLOAT16) return f(Tag<Half>{});
  if (t == ODLA_BFLOAT16) return f(Tag<BFloat16>{});
  return Dispatch(t, [&](auto tag) -> Kernel { return f(tag); });
}

// Same-type casts are copied and never get here. Other types reach a 16-bit float through a
// float rounded to odd (exact for all but 64-bit integers beyond 2^53, which round twice).
template <typename To, typename From>
To Convert(From x) {
  if constexpr (kIs16BitFloat<From> && kIs16BitFloat<To>)
    return To::FromFloat(x.ToFloat());
  else if constexpr (kIs16BitFloat<From>)
    return CastValue<To>(x.ToFloat());
  else if constexpr (kIs16BitFloat<To>)
    return To::FromFloat(RoundToOddFloat(static_cast<double>(x)));
  else
    return CastValue<To>(x);
}

odla_value BuildCast(const char* op, odla_value input, const odla_value_type& result_type,
                     odla_value_id id) {
  CheckInput(input, "input");
  CheckSameShape(result_type, input);
  int64_t n = NumElements(input->type.shape);
  odla_element_type from = input->type.element_type, to = result_type.element_type;
  Kernel k = DispatchWithHalf(from, [&](auto ftag) -> Kernel {
    using F = typename decltype(ftag)::type;
    return DispatchWithHalf(to, [&](auto ttag) -> Kernel {
      using T = typename decltype(ttag)::type;
      if constexpr (std::is_same_v<F, T>) {
        return [=](const KernelArgs& a) { std::memcpy(a.Out<T>(0), a.In<T>(0), n * sizeof(T)); };
      } else {
        return [=](const KernelArgs& a) {
          const F* x = a.In<F>(0);
          T* y = a.Out<T>(0);
          ParallelFor(n, 1 << 14, [&](int64_t s, int64_t e) {
            for (int64_t i = s; i < e; ++i) y[i] = Convert<T>(x[i]);
          });
        };
      }
    });
  });
  return AddOp1(op, {input}, result_type, id, std::move(k));
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_Cast(odla_value input, odla_element_type to, odla_value_type result_type,
                               odla_value_id id) {
  return Guard("odla_Cast", id, [&] {
    if (to != result_type.element_type)
      Fail("'to' is ", ElementTypeName(to), " but the result type is ", TypeToString(result_type));
    return BuildCast("Cast", input, result_type, id);
  });
}

ODLA_WEAK odla_value odla_CastLike(odla_value input, odla_value_type result_type,
                                   odla_value_id id) {
  return Guard("odla_CastLike", id, [&] { return BuildCast("CastLike", input, result_type, id); });
}

ODLA_WEAK odla_value odla_Clip(odla_value input, odla_float32 min, odla_float32 max,
                               odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Clip", id, [&] {
    CheckInput(input, "input");
    CheckSameShape(result_type, input);
    if (result_type.element_type != input->type.element_type)
      Fail("result type differs from input");
    int64_t n = NumElements(input->type.shape);
    Kernel k = DispatchIn<kNumericSet>(input->type.element_type, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      T lo = ClipBound<T>(min, false), hi = ClipBound<T>(max, true);
      return [=](const KernelArgs& a) { Clip(a.In<T>(0), a.Out<T>(0), n, lo, hi); };
    });
    return AddOp1("Clip", {input}, result_type, id, std::move(k));
  });
}

ODLA_WEAK odla_values odla_Dropout(odla_value data, odla_value_types result_types,
                                   odla_value_id id) {
  return GuardN("odla_Dropout", id, [&] {
    CheckInput(data, "data");
    std::vector<odla_value_type> types = FromTypes(result_types);
    if (types.empty() || types.size() > 2) Fail("Dropout has 1 or 2 results, got ", types.size());
    if (!SameType(types[0], data->type)) Fail("result 0 must have the type of 'data'");
    if (types.size() == 2 &&
        (types[1].element_type != ODLA_BOOL || Dims(types[1].shape) != Dims(data->type.shape)))
      Fail("result 1 (mask) must be bool of the shape of 'data'");
    size_t bytes = ByteSize(data->type);
    int64_t n = NumElements(data->type.shape);
    bool mask = types.size() == 2;
    return ToValues(AddOp("Dropout", {data}, types, id, [=](const KernelArgs& a) {
      CopyBytes(a.out[0], a.in[0], bytes);
      if (mask) std::memset(a.out[1], 1, static_cast<size_t>(n));
    }));
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Clip)
ODLA_REF_ALIAS(Cast)
ODLA_REF_ALIAS(CastLike)
ODLA_REF_ALIAS(Dropout)
