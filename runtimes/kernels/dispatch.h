// Element-type dispatch for kernels: Dispatch(t, [&](auto tag) { using T = typename
// decltype(tag)::type; ... }) calls the lambda with the C type of `t`.
#pragma once

#include <odla/odla.h>

#include <cstdint>

#include "../common/runtime.h"

namespace odla_rt {

template <typename T>
struct Tag {
  using type = T;
};

// bool is stored as one byte (uint8_t holding 0 or 1), float16 is not computed on.
template <typename F>
auto Dispatch(odla_element_type t, F&& f) {
  switch (t) {
    case ODLA_FLOAT32:
      return f(Tag<float>{});
    case ODLA_FLOAT64:
      return f(Tag<double>{});
    case ODLA_INT8:
      return f(Tag<int8_t>{});
    case ODLA_UINT8:
      return f(Tag<uint8_t>{});
    case ODLA_INT16:
      return f(Tag<int16_t>{});
    case ODLA_UINT16:
      return f(Tag<uint16_t>{});
    case ODLA_INT32:
      return f(Tag<int32_t>{});
    case ODLA_UINT32:
      return f(Tag<uint32_t>{});
    case ODLA_INT64:
      return f(Tag<int64_t>{});
    case ODLA_UINT64:
      return f(Tag<uint64_t>{});
    case ODLA_BOOL:
      return f(Tag<bool>{});
    default:
      break;
  }
  Fail("element type ", static_cast<int>(t), " is not supported by this operator");
}

// Float types only.
template <typename F>
auto DispatchFloat(odla_element_type t, F&& f) {
  switch (t) {
    case ODLA_FLOAT32:
      return f(Tag<float>{});
    case ODLA_FLOAT64:
      return f(Tag<double>{});
    default:
      break;
  }
  Fail("element type ", static_cast<int>(t), " is not supported by this operator (float only)");
}

// Numeric types (no bool).
template <typename F>
auto DispatchNumeric(odla_element_type t, F&& f) {
  if (t == ODLA_BOOL) Fail("bool is not supported by this operator");
  return Dispatch(t, std::forward<F>(f));
}

}  // namespace odla_rt
