// Reductions over any set of axes (ReduceSum, ReduceMax, ...).
#pragma once

#include <cstdint>
#include <vector>

namespace odla_rt {

enum class ReduceKind { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

// Reduces `x` of shape `dims` over `axes` (sorted, distinct, non-negative) into `out`, which
// holds the kept elements in order. With empty `axes` each element is reduced alone (like
// numpy's axis=()): a copy for sums and extremes, |x| for L1/L2, x*x for SumSquare. Reducing
// zero elements gives the identity of the reduction (0 for sums, 1 for products, -inf/lowest
// for max, ...).
// Instantiated for float, double and the integer types.
template <typename T>
void Reduce(ReduceKind kind, const T* x, const std::vector<int64_t>& dims,
            const std::vector<int64_t>& axes, T* out);

}  // namespace odla_rt
