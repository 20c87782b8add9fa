// What libodla_cuda's quantized builders check: the element types of quantized values, and
// the per-tensor parameters that ops_qlinear.cc and ops_qreduce.cc need as constants at build
// time (each rejects the case otherwise, and the shared builder runs it on the host).
#pragma once

#include <string>

#include "cuda_rt.h"

namespace odla_cuda {

// int8, uint8, int16 (and, with `int32`, int32).
inline bool Quantized(odla_element_type t, bool int32 = false) {
  return t == ODLA_INT8 || t == ODLA_UINT8 || t == ODLA_INT16 || (int32 && t == ODLA_INT32);
}

// A constant float32 scale of one entry.
inline float ConstScale(odla_value v) {
  if (!v || !v->const_data || v->type.element_type != ODLA_FLOAT32 ||
      odla_rt::NumElements(v->type.shape) != 1)
    Reject("scale that is not a constant float32 scalar");
  return *static_cast<const float*>(v->const_data);
}

// A constant zero point of one entry of type t (NULL: 0).
inline int32_t ConstZeroPoint(odla_value v, odla_element_type t) {
  if (!v) return 0;
  if (!v->const_data || v->type.element_type != t || odla_rt::NumElements(v->type.shape) != 1)
    Reject("zero point that is not a constant scalar");
  switch (t) {
    case ODLA_INT8:
      return *static_cast<const int8_t*>(v->const_data);
    case ODLA_UINT8:
      return *static_cast<const uint8_t*>(v->const_data);
    case ODLA_INT16:
      return *static_cast<const int16_t*>(v->const_data);
    default:
      return *static_cast<const int32_t*>(v->const_data);
  }
}

inline bool TfliteRounding(const char* rounding) {
  const std::string r = rounding ? rounding : "";
  if (r != "onnx" && r != "tflite") Reject("rounding");
  return r == "tflite";
}

}  // namespace odla_cuda
