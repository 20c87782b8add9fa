// Dispatch restricted to a set of element types, so that kernels are only instantiated for
// the types an operator accepts: DispatchIn<kFloatSet>(t, [&](auto tag) { ... }).
#pragma once

#include <type_traits>

#include "dispatch.h"

namespace odla_rt {

enum TypeSetBits : unsigned {
  kFloatSet = 1,
  kSignedSet = 2,
  kUnsignedSet = 4,
  kBoolSet = 8,
  kIntSet = kSignedSet | kUnsignedSet,
  kNumericSet = kFloatSet | kIntSet,
  kAnySet = kNumericSet | kBoolSet,
};

template <unsigned S, typename T>
constexpr bool InTypeSet() {
  if constexpr (std::is_same_v<T, bool>)
    return S & kBoolSet;
  else if constexpr (std::is_floating_point_v<T>)
    return S & kFloatSet;
  else if constexpr (std::is_signed_v<T>)
    return S & kSignedSet;
  else
    return S & kUnsignedSet;
}

const char* ElementTypeName(odla_element_type t);

template <unsigned S, typename F>
auto DispatchIn(odla_element_type t, F&& f) {
  using R = decltype(f(Tag<float>{}));
  return Dispatch(t, [&](auto tag) -> R {
    using T = typename decltype(tag)::type;
    if constexpr (InTypeSet<S, T>()) {
      return f(tag);
    } else {
      Fail("element type ", ElementTypeName(t), " is not supported by this operator");
    }
  });
}

}  // namespace odla_rt
