// MatMulNBits, products with block-quantized weights: the shared kernel
// (runtimes/kernels/nbits.h) against loops in double for 2, 4 and 8 bits, every zero-point
// form, K a multiple of the block or not; each path: dot products with the packed bytes, rows
// one by one and in blocks of rows and columns (4 bits in blocks of 32 and more, below 16
// rows), the wide kernel (16 rows and more, or 4 and more for other weights; every edge of
// its register blocks, several panels and passes), per-row dot products (other weights,
// fewer than 4 rows); ODLA_GEMM_ISA picks the instruction set. Then the IR op's rule and its run
// through the executor.
#include "../../runtimes/kernels/nbits.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "op_test_util.h"

namespace halo {
namespace {

enum class Zero { kDefault, kPacked, kFloat };

// Random weights of N rows of K `bits`-bit values in blocks, with their scales and zero
// points, and the dequantized rows (in double) they stand for.
struct Weights {
  int64_t n, k, bits, block, blocks;
  std::vector<uint8_t> q, zp_packed;
  std::vector<float> scales, zp_float;
  std::vector<double> w;  // [N, K]

  Weights(int64_t n_, int64_t k_, int64_t bits_, int64_t block_, Zero zero, unsigned seed)
      : n(n_), k(k_), bits(bits_), block(block_), blocks((k_ + block_ - 1) / block_) {
    std::mt19937 gen(seed);
    const int per_byte = static_cast<int>(8 / bits), levels = 1 << bits;
    q.resize(n * blocks * block * bits / 8);
    for (auto& b : q) b = static_cast<uint8_t>(gen());
    scales.resize(n * blocks);
    for (auto& s : scales) s = 0.01f * static_cast<float>(1 + gen() % 50);
    const int64_t zp_row = (blocks * bits + 7) / 8;
    if (zero == Zero::kPacked) {
      zp_packed.resize(n * zp_row);
      for (auto& b : zp_packed) b = static_cast<uint8_t>(gen());
    } else if (zero == Zero::kFloat) {
      zp_float.resize(n * blocks);
      for (auto& z : zp_float) z = static_cast<float>(gen() % (levels * 4)) / 4;
    }
    w.resize(n * k);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t i = 0; i < k; ++i) {
        const int64_t b = i / block, at = i % block;
        const uint8_t byte = q[(r * blocks + b) * block * bits / 8 + at / per_byte];
        const int v = (byte >> ((at % per_byte) * bits)) & (levels - 1);
        double z = levels / 2;
        if (zero == Zero::kPacked)
          z = (zp_packed[r * zp_row + b / per_byte] >> ((b % per_byte) * bits)) & (levels - 1);
        if (zero == Zero::kFloat) z = zp_float[r * blocks + b];
        w[r * k + i] = (v - z) * scales[r * blocks + b];
      }
  }
  odla_rt::NBitsWeights View() const {
    return {q.data(),
            scales.data(),
            zp_packed.empty() ? nullptr : zp_packed.data(),
            zp_float.empty() ? nullptr : zp_float.data(),
            n,
            k,
            bits,
            block};
  }
};

// MatMulNBits on m random rows against loops in double.
void ExpectMatchesLoops(const Weights& w, int64_t m, unsigned seed, const std::string& what) {
  const int64_t n = w.n, k = w.k;
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> a(m * k), y(m * n, -1);
  for (auto& v : a) v = d(gen);
  odla_rt::MatMulNBits(m, a.data(), w.View(), y.data());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t c = 0; c < n; ++c) {
      double sum = 0, mag = 0;
      for (int64_t p = 0; p < k; ++p) {
        sum += a[i * k + p] * w.w[c * k + p];
        mag += std::fabs(a[i * k + p] * w.w[c * k + p]);
      }
      ASSERT_NEAR(y[i * n + c], sum, 1e-6 * (mag + 1))
          << what << " m " << m << " at " << i << "," << c;
    }
}

TEST(NBitsKernel, MatchesLoopsForBitsZeroPointsAndShapes) {
  unsigned seed = 1;
  for (int64_t bits : {2, 4, 8})
    for (Zero zero : {Zero::kDefault, Zero::kPacked, Zero::kFloat})
      for (int64_t block : {16, 32, 64})
        for (int64_t k : {16, 20, 100, 300})
          for (int64_t n : {1, 7, 70})
            for (int64_t m : {1, 3, 4, 9, 16, 40, 90}) {
              Weights w(n, k, bits, block, zero, ++seed);
              ExpectMatchesLoops(w, m, seed,
                                 "bits " + std::to_string(bits) + " zero " +
                                     std::to_string(static_cast<int>(zero)) + " block " +
                                     std::to_string(block) + " k " + std::to_string(k) + " n " +
                                     std::to_string(n));
            }
}

// The wide kernel over several panels of K (the last partial, K not a multiple of 32) and
// several passes over rows.
TEST(NBitsKernel, MatchesLoopsOverPanelsAndPasses) {
  unsigned seed = 100;
  for (int64_t bits : {4, 8})
    for (Zero zero : {Zero::kPacked, Zero::kFloat})
      for (int64_t m : {16, 40, 300}) {
        Weights w(70, 1100, bits, 32, zero, ++seed);
        ExpectMatchesLoops(
            w, m, seed,
            "bits " + std::to_string(bits) + " zero " + std::to_string(static_cast<int>(zero)));
      }
}

// The dequantized weights are exactly (q - zero) * scale in float32.
TEST(NBitsKernel, DequantizesExactly) {
  Weights w(3, 40, 4, 16, Zero::kPacked, 7);
  std::vector<float> row(40 * 2, 99);
  w.View().Dequantize(2, 5, 30, row.data(), 2);
  for (int64_t i = 0; i < 30; ++i) EXPECT_EQ(row[2 * i], static_cast<float>(w.w[2 * 40 + 5 + i]));
  EXPECT_EQ(row[1], 99);
}

using test::Arg;
using test::F32s;
using test::Make;

Tensor U8s(const Shape& s, const std::vector<uint8_t>& v) { return Make(DataType::kUInt8, s, v); }
Tensor F32(const Shape& s, const std::vector<float>& v) { return Make(DataType::kFloat32, s, v); }

// The IR op on batched A [2, 3, K] with constant weights: the executor's result is the
// product with the dequantized weights, of shape [2, 3, N].
// Batches of 2 x 3 rows (the dot products) and 2 x 12 (the wide kernel).
TEST(MatMulNBitsOp, RunsBatchedAndKeepsTheShape) {
  const int64_t k = 40, n = 5;
  Weights w(n, k, 4, 32, Zero::kPacked, 3);
  for (int64_t rows : {3, 12}) {
    std::vector<double> a(2 * rows * k);
    for (size_t i = 0; i < a.size(); ++i) a[i] = std::sin(0.3 * static_cast<double>(i));
    Tensor y =
        test::RunOp("MatMulNBits",
                    {F32s({2, rows, k}, a), Arg::Const(U8s({n, 2, 16}, w.q)),
                     Arg::Const(F32({n, 2}, w.scales)), Arg::Const(U8s({n, 1}, w.zp_packed))},
                    {{"bits", int64_t{4}}, {"block_size", int64_t{32}}});
    ASSERT_EQ(y.type(), Type(DataType::kFloat32, {2, rows, n}));
    for (int64_t i = 0; i < 2 * rows; ++i)
      for (int64_t c = 0; c < n; ++c) {
        double want = 0;
        for (int64_t p = 0; p < k; ++p) want += static_cast<float>(a[i * k + p]) * w.w[c * k + p];
        EXPECT_NEAR(y.data<float>()[i * n + c], want, 1e-5) << rows << ": " << i << "," << c;
      }
  }
}

TEST(MatMulNBitsOp, RuleRefusesWrongOperands) {
  const std::map<std::string, AttrValue> attrs = {{"bits", int64_t{4}},
                                                  {"block_size", int64_t{16}}};
  Tensor a = F32s({2, 20}, std::vector<double>(40, 1.0));
  Tensor b = U8s({3, 2, 8}, std::vector<uint8_t>(48, 0));
  Tensor s = F32({6}, std::vector<float>(6, 1));
  EXPECT_EQ(test::InferError("MatMulNBits", {a, b, s}, attrs), "");
  EXPECT_NE(test::InferError("MatMulNBits", {a, U8s({3, 1, 8}, std::vector<uint8_t>(24)), s}, attrs)
                .find("B must be uint8 [N, 2, 8]"),
            std::string::npos);
  EXPECT_NE(test::InferError("MatMulNBits", {a, b, F32({5}, std::vector<float>(5))}, attrs)
                .find("scales"),
            std::string::npos);
  EXPECT_NE(test::InferError("MatMulNBits", {a, b, s, U8s({4}, std::vector<uint8_t>(4))}, attrs)
                .find("zero_points"),
            std::string::npos);
  EXPECT_NE(test::InferError("MatMulNBits", {a, b, s}, {{"bits", int64_t{3}}}).find("bits"),
            std::string::npos);
  EXPECT_NE(
      test::InferError("MatMulNBits", {a, b, s}, {{"block_size", int64_t{24}}}).find("block_size"),
      std::string::npos);
}

}  // namespace
}  // namespace halo
