// Determinants of square matrices by LU decomposition with partial pivoting (in double); the
// elimination of one matrix runs on the host and (compiled by nvcc) on the device.
#pragma once

#include <math.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "../common/runtime.h"
#include "host_device.h"

namespace odla_rt {

// det(a) of the row-major n x n matrix a (overwritten by the elimination).
ODLA_HD inline double DetInPlace(double* a, int64_t n) {
  double det = 1;
  for (int64_t col = 0; col < n && det != 0; ++col) {
    int64_t piv = col;
    for (int64_t r = col + 1; r < n; ++r)
      if (fabs(a[r * n + col]) > fabs(a[piv * n + col])) piv = r;
    if (a[piv * n + col] == 0) return 0;
    if (piv != col) {
      for (int64_t j = 0; j < n; ++j) {
        double t = a[piv * n + j];
        a[piv * n + j] = a[col * n + j];
        a[col * n + j] = t;
      }
      det = -det;
    }
    double d = a[col * n + col];
    det *= d;
    for (int64_t r = col + 1; r < n; ++r) {
      double f = a[r * n + col] / d;
      for (int64_t j = col + 1; j < n; ++j) a[r * n + j] -= MulRounded(f, a[col * n + j]);
    }
  }
  return det;
}

// y[b] = det(x[b]) for `batch` row-major n x n matrices.
template <typename T>
void Det(int64_t batch, int64_t n, const T* x, T* y) {
  ParallelFor(batch, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n * n * n)),
              [&](int64_t s, int64_t e) {
                std::vector<double> a(n * n);
                for (int64_t b = s; b < e; ++b) {
                  const T* m = x + b * n * n;
                  for (int64_t i = 0; i < n * n; ++i) a[i] = static_cast<double>(m[i]);
                  y[b] = static_cast<T>(DetInPlace(a.data(), n));
                }
              });
}

}  // namespace odla_rt
