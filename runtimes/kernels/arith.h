// Integer arithmetic that wraps like numpy instead of overflowing (signed overflow, and the
// promotion of narrow unsigned types to int, are undefined in C++). Floats are unchanged.
#pragma once

#include <type_traits>

namespace odla_rt {

// The type integer arithmetic on T is done in: unsigned, at least as wide as unsigned int.
template <typename T, bool = std::is_integral_v<T> && !std::is_same_v<T, bool>>
struct WrapTypeOf {
  using type = T;
};
template <typename T>
struct WrapTypeOf<T, true> {
  using type =
      std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
};
template <typename T>
using WrapType = typename WrapTypeOf<T>::type;

template <typename T>
T WrapAdd(T a, T b) {
  return static_cast<T>(static_cast<WrapType<T>>(a) + static_cast<WrapType<T>>(b));
}
template <typename T>
T WrapSub(T a, T b) {
  return static_cast<T>(static_cast<WrapType<T>>(a) - static_cast<WrapType<T>>(b));
}
template <typename T>
T WrapMul(T a, T b) {
  return static_cast<T>(static_cast<WrapType<T>>(a) * static_cast<WrapType<T>>(b));
}

}  // namespace odla_rt
