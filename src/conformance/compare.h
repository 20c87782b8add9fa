// Comparing a test's outputs with the reference outputs of an ONNX backend test.
#pragma once

#include <string>

#include "ir/types.h"

namespace halo::conformance {

// Floats match when |got - expected| <= kAbsTol + kRelTol * |expected| (NaN matches NaN,
// an infinity only itself; bfloat16 allows at least 2^-7 relative); integers and bools must be
// equal.
constexpr double kAbsTol = 1e-5;
constexpr double kRelTol = 1e-3;

// How close float outputs must be. kElement: every element within abs + rel * |expected|.
// kScale: max |got - expected| <= rel * max |expected| over the whole tensor, for whole
// models whose small outputs carry the rounding of the large ones (`abs` is unused).
// Either way NaN matches only NaN and an infinity only itself.
struct Tolerance {
  enum Kind { kElement, kScale } kind = kElement;
  double abs = kAbsTol;
  double rel = kRelTol;
};

// "ABS,REL" (element-wise) or "scale:REL". Throws Error.
Tolerance ParseTolerance(const std::string& spec);

// "" when `got` matches `expected` (same element type, same shape, close values), else why
// not: "worst |diff| X at index I (got A, expected B)" (with ", max |expected| M" for a
// kScale tolerance) or a type mismatch.
std::string CompareTensors(const Tensor& got, const Tensor& expected,
                           const Tolerance& tolerance = {});

// max |got - expected| / max |expected| over finite elements of float tensors of the same
// type (0 when both are all zero; infinity when only `expected` is).
double ScaledError(const Tensor& got, const Tensor& expected);

}  // namespace halo::conformance
