// The shared float32 GEMM (runtimes/kernels/gemm.h) against plain loops in double: every
// combination of transposes, the small-m path (m < 4) and the packed one, K below, at and
// past its 16-lane and block sizes, alpha and beta.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../../runtimes/kernels/gemm.h"
#include "../runtime_test_util.h"

namespace {

TEST(GemmKernel, MatchesLoopsForShapesAndTransposes) {
  for (int64_t m : {1, 2, 3, 4, 9})
    for (int64_t n : {1, 7, 70})
      for (int64_t k : {1, 15, 16, 17, 300})
        for (bool ta : {false, true})
          for (bool tb : {false, true})
            for (float beta : {0.0f, 0.5f}) {
              const float alpha = 1.5f;
              auto a = odla_test::Random(m * k, 1), b = odla_test::Random(k * n, 2),
                   c = odla_test::Random(m * n, 3);
              const int64_t lda = ta ? m : k, ldb = tb ? k : n;
              std::vector<float> got = c;
              odla_rt::Sgemm(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, got.data(),
                             n);
              for (int64_t i = 0; i < m; ++i)
                for (int64_t j = 0; j < n; ++j) {
                  double sum = 0, mag = 0;
                  for (int64_t p = 0; p < k; ++p) {
                    double t = double(ta ? a[p * lda + i] : a[i * lda + p]) *
                               (tb ? b[j * ldb + p] : b[p * ldb + j]);
                    sum += t;
                    mag += std::fabs(t);
                  }
                  double want = alpha * sum + beta * c[i * n + j];
                  ASSERT_NEAR(got[i * n + j], want, 1e-6 * (alpha * mag + 1))
                      << "m " << m << " n " << n << " k " << k << " ta " << ta << " tb " << tb
                      << " beta " << beta << " at " << i << "," << j;
                }
            }
}

}  // namespace
