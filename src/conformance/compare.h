// Comparing a test's outputs with the reference outputs of an ONNX backend test.
#pragma once

#include <string>

#include "ir/types.h"

namespace halo::conformance {

// Floats match when |got - expected| <= kAbsTol + kRelTol * |expected| (NaN matches NaN,
// an infinity only itself); integers and bools must be equal.
constexpr double kAbsTol = 1e-5;
constexpr double kRelTol = 1e-3;

// "" when `got` matches `expected` (same element type, same shape, close values), else why
// not: "worst |diff| X at index I (got A, expected B)" or a type mismatch.
std::string CompareTensors(const Tensor& got, const Tensor& expected);

// An IEEE half (its bits) as a float.
float HalfToFloat(uint16_t h);

}  // namespace halo::conformance
