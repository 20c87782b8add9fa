// The shared float32 GEMM (runtimes/kernels/gemm.h) against plain loops in double: every
// combination of transposes, the small-m path (m < 4) and the packed one, K below, at and
// past its 16-lane and block sizes, alpha and beta.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
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

// Products with a constant operand packed at build time (GemmPacked) equal the plain GEMM's bit
// for bit: the same panels, K blocks and micro-kernel. Shapes below, at and past the panel
// widths (8 or 6 rows of A, 32, 16 or 8 columns of B) and the K block (256), with an epilogue.
TEST(GemmKernel, PackedOperandsGiveThePlainProductsBits) {
  for (int64_t m : {4, 9, 70})
    for (int64_t n : {1, 33, 100})
      for (int64_t k : {1, 17, 256, 300, 600})
        for (bool trans : {false, true})
          for (float beta : {0.0f, 0.5f}) {
            auto a = odla_test::Random(m * k, 4), b = odla_test::Random(k * n, 5),
                 c = odla_test::Random(m * n, 6), bias = odla_test::Random(m, 7),
                 cbias = odla_test::Random(n, 8);
            std::string what = "m " + std::to_string(m) + " n " + std::to_string(n) + " k " +
                               std::to_string(k) + " trans " + std::to_string(trans) + " beta " +
                               std::to_string(beta);
            const int64_t lda = trans ? m : k, ldb = trans ? k : n;
            // Packed A (trans: A stored k x m) against SgemmWith with B plain.
            odla_rt::Epilogue<float> ep;
            ep.row_bias = bias.data();
            ep.act.kind = odla_rt::ActKind::kRelu;
            std::vector<float> want = c, got = c;
            odla_rt::GemmBMatrix bm(b.data(), n, false);
            odla_rt::SgemmWith(trans, m, n, k, 1.5f, a.data(), lda, bm, beta, want.data(), n, &ep);
            auto pa = odla_rt::GemmPacked::A(trans, m, k, a.data(), lda);
            odla_rt::SgemmPackedA(*pa, n, 1.5f, bm, beta, got.data(), n, &ep);
            ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float)))
                << "packed A, " << what;
            // Packed B (trans: B stored n x k) against Sgemm, A transposed too.
            odla_rt::Epilogue<float> ecol;
            ecol.col_bias = cbias.data();
            want = c;
            got = c;
            odla_rt::Sgemm(trans, trans, m, n, k, 0.5f, a.data(), lda, b.data(), ldb, beta,
                           want.data(), n, &ecol);
            auto pb = odla_rt::GemmPacked::B(trans, k, n, b.data(), ldb);
            odla_rt::SgemmPackedB(trans, m, 0.5f, a.data(), lda, *pb, beta, got.data(), n, &ecol);
            ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float)))
                << "packed B, " << what;
          }
}

}  // namespace
