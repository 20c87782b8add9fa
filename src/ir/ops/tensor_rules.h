// Helpers shared by the rules of the tensor-manipulation ops (tensor_*_ops.cc).
#pragma once

#include <string>
#include <vector>

#include "ir/ops/rules.h"

namespace halo {

// Compress's and Unique's `axis` when absent: the input is flattened. Outside every valid axis.
constexpr int64_t kNoAxis = -2147483648LL;

// The integer list an op takes from ConstIn input `i` (opsets where it is an input) or from
// attribute `attr` (older opsets) when that input is absent.
std::vector<int64_t> IntsFromInputOrAttr(InferContext& c, size_t i, const std::string& attr);

// Normalises each axis for `rank`; throws on an out-of-range or repeated axis.
std::vector<int64_t> NormalizeAxes(const std::vector<int64_t>& axes, int64_t rank);

// Checks that `t` is an index type (int32 or int64).
void CheckIndexType(InferContext& c, const Type& t, const char* what);

// The single value of a one-element tensor, as int64; throws otherwise.
int64_t ScalarInt(InferContext& c, const Tensor& t, const char* what);

}  // namespace halo
