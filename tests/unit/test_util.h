// Small helpers for building IR graphs in tests.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace halo::test {

inline Tensor F32(const Shape& s, const std::vector<float>& v) {
  Tensor t(Type(DataType::kFloat32, s));
  for (size_t i = 0; i < v.size(); ++i) t.mutable_data<float>()[i] = v[i];
  return t;
}

inline std::vector<float> Floats(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.type().NumElements());
}

}  // namespace halo::test
