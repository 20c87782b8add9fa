// Kernels that run along one axis of a tensor viewed as [outer, n, inner]: the softmax
// family, ArgMax/ArgMin and CumSum. Instantiated for the element types their ops accept.
#pragma once

#include <cstdint>

namespace odla_rt {

enum class SoftmaxKind { kSoftmax, kLogSoftmax, kHardmax };

// Float types.
template <typename T>
void Softmax(SoftmaxKind kind, const T* x, T* y, int64_t outer, int64_t n, int64_t inner);

// Numeric types. The index of the first (or with `last`, the last) extreme element.
template <typename T>
void ArgExtreme(bool is_max, bool last, const T* x, int64_t* y, int64_t outer, int64_t n,
                int64_t inner);

// Numeric types. `exclusive`: each sum leaves its own element out; `reverse`: from the end.
template <typename T>
void CumSum(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool exclusive,
            bool reverse);

}  // namespace odla_rt
