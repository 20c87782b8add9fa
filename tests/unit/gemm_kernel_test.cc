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

// A product of several row and column tiles packs A and B once, whole, before its tasks; an
// 8 x 128 product (one tile) packs its blocks in its task. Each element comes out the same.
TEST(GemmKernel, WholePacksGiveThePerTaskBits) {
  const int64_t m = 200, n = 200, k = 300;
  auto a = odla_test::Random(m * k, 17), b = odla_test::Random(k * n, 18);
  std::vector<float> full(m * n), part(8 * 128);
  odla_rt::Sgemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, full.data(), n);
  for (int64_t r0 : {0, 96, 192})
    for (int64_t c0 : {0, 64}) {
      odla_rt::Sgemm(false, false, 8, 128, k, 1.0f, a.data() + r0 * k, k, b.data() + c0, n, 0.0f,
                     part.data(), 128);
      for (int64_t i = 0; i < 8; ++i)
        ASSERT_EQ(0, std::memcmp(&full[(r0 + i) * n + c0], &part[i * 128], 128 * sizeof(float)))
            << "rows from " << r0 << ", columns from " << c0 << ", row " << i;
    }
}

// A matrix packed again while its packed copy is alive gets that copy (a model's computations
// for several batch sizes share their weights' copies); another layout, shape or side its own.
TEST(GemmKernel, PackedCopiesAreSharedWhileAlive) {
  auto w = odla_test::Random(64 * 40, 9);
  auto a1 = odla_rt::GemmPacked::A(false, 64, 40, w.data(), 40);
  auto a2 = odla_rt::GemmPacked::A(false, 64, 40, w.data(), 40);
  EXPECT_EQ(a1.get(), a2.get());
  EXPECT_NE(a1.get(), odla_rt::GemmPacked::A(true, 40, 64, w.data(), 40).get());
  EXPECT_NE(a1.get(), odla_rt::GemmPacked::A(false, 32, 40, w.data(), 40).get());
  auto b1 = odla_rt::GemmPacked::B(false, 64, 40, w.data(), 40);
  EXPECT_NE(static_cast<const void*>(a1.get()), static_cast<const void*>(b1.get()));
  EXPECT_EQ(b1.get(), odla_rt::GemmPacked::B(false, 64, 40, w.data(), 40).get());
  // Once released, packing makes a new copy from the matrix's current contents.
  a1.reset();
  a2.reset();
  w[0] += 1.0f;
  auto a3 = odla_rt::GemmPacked::A(false, 64, 40, w.data(), 40);
  EXPECT_EQ(a3->At(0, 0)[0], w[0]);
}

// Full tiles of C go straight from the micro-kernel's registers to C with the bias, sum and Relu
// (MicroC); others through a tile buffer, Update and the epilogue. Both give the same bits:
// with A's rows and B's columns reversed (and the epilogue's operands), elements that were in
// full tiles land in partial ones (9 rows, 37 columns: past the 8-row and 32-, 16- or 8-column
// tiles). Relu, Clip, a bias of rows or columns, a sum, C's contents, or none of them.
TEST(GemmKernel, FullAndPartialTilesGiveTheSameBits) {
  const int64_t m = 9, n = 37;
  for (int64_t k : {100, 300, 600})
    for (int variant = 0; variant < 5; ++variant) {
      auto a = odla_test::Random(m * k, 11), b = odla_test::Random(k * n, 12),
           c = odla_test::Random(m * n, 13), sum = odla_test::Random(m * n, 14),
           rb = odla_test::Random(m, 15), cb = odla_test::Random(n, 16);
      // The same data with A's rows, B's columns and the epilogue's operands reversed.
      std::vector<float> ar(a.size()), br(b.size()), cr(c.size()), sumr(sum.size()), rbr(m), cbr(n);
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t p = 0; p < k; ++p) ar[(m - 1 - i) * k + p] = a[i * k + p];
        for (int64_t j = 0; j < n; ++j) {
          cr[(m - 1 - i) * n + n - 1 - j] = c[i * n + j];
          sumr[(m - 1 - i) * n + n - 1 - j] = sum[i * n + j];
        }
        rbr[m - 1 - i] = rb[i];
      }
      for (int64_t p = 0; p < k; ++p)
        for (int64_t j = 0; j < n; ++j) br[p * n + n - 1 - j] = b[p * n + j];
      for (int64_t j = 0; j < n; ++j) cbr[n - 1 - j] = cb[j];
      auto run = [&](const std::vector<float>& av, const std::vector<float>& bv,
                     std::vector<float> cv, const float* s, const float* row_bias,
                     const float* col_bias) {
        odla_rt::Epilogue<float> ep;
        ep.ld_sum = n;
        float beta = 0.0f;
        if (variant == 0) {  // row bias, sum, Relu
          ep.row_bias = row_bias;
          ep.sum = s;
          ep.act.kind = odla_rt::ActKind::kRelu;
        } else if (variant == 1) {  // column bias, Relu
          ep.col_bias = col_bias;
          ep.act.kind = odla_rt::ActKind::kRelu;
        } else if (variant == 2) {  // onto C's contents (beta 1), with a sum
          beta = 1.0f;
          ep.sum = s;
        } else if (variant == 3) {  // row bias, Clip
          ep.row_bias = row_bias;
          ep.act = {odla_rt::ActKind::kClip, -0.3f, 0.4f};
        }
        bool any = ep.HasBias() || ep.HasPost();
        odla_rt::Sgemm(false, false, m, n, k, 1.0f, av.data(), k, bv.data(), n, beta, cv.data(), n,
                       any ? &ep : nullptr);
        return cv;
      };
      auto got = run(a, b, c, sum.data(), rb.data(), cb.data());
      auto rev = run(ar, br, cr, sumr.data(), rbr.data(), cbr.data());
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          ASSERT_EQ(0, std::memcmp(&got[i * n + j], &rev[(m - 1 - i) * n + n - 1 - j], 4))
              << "k " << k << " variant " << variant << " at " << i << "," << j << ": "
              << got[i * n + j] << " against " << rev[(m - 1 - i) * n + n - 1 - j];
    }
}

}  // namespace
