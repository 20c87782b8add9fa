// The epilogue of fused convolutions and matrix products: y = act(product + bias + sum),
// applied to a block of the result while it is still in cache. The activations compute
// exactly what their stand-alone operators compute.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "../common/runtime.h"
#include "unary.h"

namespace odla_rt {

enum class ActKind {
  kNone,
  kRelu,
  kLeakyRelu,
  kClip,
  kSigmoid,
  kTanh,
  kHardSigmoid,
  kHardSwish,
  kElu,
  kGelu
};

// An activation: alpha and beta as the fused ops define them (LeakyRelu, Elu: alpha;
// Clip: min, max (+-inf for none); HardSigmoid, HardSwish: x * max(0, min(1, alpha * x + beta))
// for HardSwish; Gelu: none, as exported: x * (erf(x / sqrt(2)) + 1) * 0.5).
struct Activation {
  ActKind kind = ActKind::kNone;
  float alpha = 0, beta = 0;
};

// The activation named by an ONNX operator name ("" for none); Fail()s on others.
Activation ParseActivation(const std::string& name, float alpha, float beta);

// y[0..n) = act(y[0..n)).
template <typename T>
inline void Activate(const Activation& a, T* y, int64_t n) {
  switch (a.kind) {
    case ActKind::kNone:
      return;
    case ActKind::kRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = unary::Relu{}(y[i]);
      return;
    case ActKind::kLeakyRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = unary::LeakyRelu{a.alpha}(y[i]);
      return;
    case ActKind::kClip: {
      // Stand-alone Clip: v = x < lo ? lo : x; y = v > hi ? hi : v (NaN stays NaN).
      const T lo = static_cast<T>(a.alpha), hi = static_cast<T>(a.beta);
      for (int64_t i = 0; i < n; ++i) {
        T v = y[i] < lo ? lo : y[i];
        y[i] = v > hi ? hi : v;
      }
      return;
    }
    case ActKind::kSigmoid:
      for (int64_t i = 0; i < n; ++i) y[i] = unary::Sigmoid{}(y[i]);
      return;
    case ActKind::kTanh:
      for (int64_t i = 0; i < n; ++i) y[i] = unary::Tanh{}(y[i]);
      return;
    case ActKind::kHardSigmoid:
      for (int64_t i = 0; i < n; ++i) y[i] = unary::HardSigmoid{a.alpha, a.beta}(y[i]);
      return;
    case ActKind::kHardSwish: {
      unary::HardSigmoid hs{a.alpha, a.beta};
      for (int64_t i = 0; i < n; ++i) y[i] = y[i] * hs(y[i]);
      return;
    }
    case ActKind::kElu:
      for (int64_t i = 0; i < n; ++i) y[i] = unary::Elu{a.alpha}(y[i]);
      return;
    case ActKind::kGelu: {  // the ops of the exported formula, in their order
      if constexpr (std::is_same_v<T, float>) return GeluF32(y, n);
      const T sqrt2 = static_cast<T>(1.4142135623730951), one = 1, half = static_cast<T>(0.5);
      for (int64_t i = 0; i < n; ++i) y[i] = y[i] * (unary::Erf{}(y[i] / sqrt2) + one) * half;
      return;
    }
  }
}

// What a fused op adds to a row-major block of its product C: row_bias[i] or col_bias[j]
// with the product (in place of beta * C), then sum[i * ld_sum + j], then the activation.
// Pointers are null when absent; indices are those of the whole product.
template <typename T>
struct Epilogue {
  const T* row_bias = nullptr;
  const T* col_bias = nullptr;
  const T* sum = nullptr;
  int64_t ld_sum = 0;
  Activation act;

  bool HasBias() const { return row_bias || col_bias; }
  bool HasPost() const { return sum || act.kind != ActKind::kNone; }
  // The epilogue of the block of C starting at row i0, column j0 (as its own product).
  Epilogue At(int64_t i0, int64_t j0) const {
    Epilogue e = *this;
    if (e.row_bias) e.row_bias += i0;
    if (e.col_bias) e.col_bias += j0;
    if (e.sum) e.sum += i0 * ld_sum + j0;
    return e;
  }
  // c[r * ldc + q] (rows x cols at row i, column j) += the bias.
  void AddBias(T* c, int64_t ldc, int64_t i, int64_t j, int64_t rows, int64_t cols) const {
    for (int64_t r = 0; r < rows; ++r) {
      T* cr = c + r * ldc;
      if (row_bias) {
        const T b = row_bias[i + r];
        for (int64_t q = 0; q < cols; ++q) cr[q] += b;
      } else if (col_bias) {
        const T* b = col_bias + j;
        for (int64_t q = 0; q < cols; ++q) cr[q] += b[q];
      }
    }
  }
  // c = act(c + sum) over the block. Not inlined into the GEMM's FMA-enabled code, where
  // alpha * x + beta would contract to an FMA and round differently from the activation op.
  __attribute__((noinline)) void Post(T* c, int64_t ldc, int64_t i, int64_t j, int64_t rows,
                                      int64_t cols) const {
    for (int64_t r = 0; r < rows; ++r) {
      T* cr = c + r * ldc;
      if (sum) {
        const T* s = sum + (i + r) * ld_sum + j;
        for (int64_t q = 0; q < cols; ++q) cr[q] += s[q];
      }
      if constexpr (std::is_floating_point_v<T>) Activate(act, cr, cols);
    }
  }
  // Both, over a whole rows x cols product whose bias was not added yet.
  void Apply(T* c, int64_t ldc, int64_t rows, int64_t cols) const {
    ParallelFor(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(cols, 1)),
                [&](int64_t s, int64_t e) {
                  AddBias(c + s * ldc, ldc, s, 0, e - s, cols);
                  Post(c + s * ldc, ldc, s, 0, e - s, cols);
                });
  }
};

}  // namespace odla_rt
