// Matrix multiplication kernels: a blocked, packed, multi-threaded float32 GEMM (with AVX2 /
// AVX-512 code paths chosen at run time on x86-64) and a simple loop for other types.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "../common/runtime.h"
#include "epilogue.h"

namespace odla_rt {

// The right-hand K x N operand of SgemmWith: packs rows [k0, k0 + kc) and columns
// [j0, j0 + nc) into panels of `nr` columns, panel p at dst + p * kc * nr holding row kk at
// dst[p * kc * nr + kk * nr + jj]; entries past column j0 + nc are zero.
class GemmB {
 public:
  virtual ~GemmB() = default;
  virtual void Pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr, float* dst) const = 0;
};

// A plain row-major matrix (transposed when `trans`) as a GemmB.
class GemmBMatrix : public GemmB {
 public:
  GemmBMatrix(const float* b, int64_t ldb, bool trans) : b_(b), ldb_(ldb), trans_(trans) {}
  void Pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr, float* dst) const override;

 private:
  const float* b_;
  int64_t ldb_;
  bool trans_;
};

// C[m x n] = alpha * op(A) * B + beta * C, op(A) = A (m x k, row stride lda) or A^T when
// trans_a (A is k x m). beta == 0 ignores C's previous contents. With `ep`, its bias is
// added with the first K block and its sum and activation applied to each tile of C after
// the last one. Runs on the thread pool (inline when called from a pool thread).
void SgemmWith(bool trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
               int64_t lda, const GemmB& b, float beta, float* c, int64_t ldc,
               const Epilogue<float>* ep = nullptr);

// A constant operand packed once, at build time, into the panels SgemmWith would pack it into
// on every call (for this CPU's kernels): op(A) (m x k) into row panels, or op(B) (k x n) into
// column panels, each panel as long as K. Products with it give the same results, bit for bit,
// as with the plain matrix. Packing the same matrix (address, shape, layout) again while a copy
// is alive returns that copy.
class GemmPacked {
 public:
  // op(A): A is m x k (k x m when trans), row stride ld.
  static std::shared_ptr<const GemmPacked> A(bool trans, int64_t m, int64_t k, const float* a,
                                             int64_t ld);
  // op(B): B is k x n (n x k when trans), row stride ld.
  static std::shared_ptr<const GemmPacked> B(bool trans, int64_t k, int64_t n, const float* b,
                                             int64_t ld);
  int64_t rows() const { return rows_; }  // m (A) or n (B)
  int64_t k() const { return k_; }
  // Panel data from row (A) or column (B) `first`, a multiple of the panel width, at K offset p0.
  const float* At(int64_t first, int64_t p0) const { return data_ + first * k_ + p0 * width_; }

 private:
  GemmPacked(int64_t rows, int64_t k, int width);
  int64_t rows_, k_;
  int width_;
  std::vector<float> buf_;
  float* data_;  // 64-byte aligned, in buf_
};

// C[m x n] = alpha * A * op(B) + beta * C with A packed (GemmPacked::A; m = a.rows()).
void SgemmPackedA(const GemmPacked& a, int64_t n, float alpha, const GemmB& b, float beta, float* c,
                  int64_t ldc, const Epilogue<float>* ep = nullptr);
// C[m x n] = alpha * op(A) * B + beta * C with B packed (GemmPacked::B; n = b.rows()).
void SgemmPackedB(bool trans_a, int64_t m, float alpha, const float* a, int64_t lda,
                  const GemmPacked& b, float beta, float* c, int64_t ldc,
                  const Epilogue<float>* ep = nullptr);

// The instruction set of the float32 kernels (the GEMM's, MatMulNBits'): the CPU's best, or
// the one ODLA_GEMM_ISA=generic|avx2|avx512 forces (where the CPU has it). Chosen once.
enum class KernelIsa { kGeneric, kAvx2, kAvx512 };
KernelIsa KernelIsaOfCpu();

// Of a kernel's three versions, the one for KernelIsaOfCpu(). The AVX2 and AVX-512 versions
// exist only where ODLA_KERNEL_ISAS is defined (x86-64 with GCC or Clang); elsewhere
// ODLA_BY_ISA names the generic one without reading the others.
template <typename T>
T ByIsa(T generic, T avx2, T avx512) {
  switch (KernelIsaOfCpu()) {
    case KernelIsa::kAvx512:
      return avx512;
    case KernelIsa::kAvx2:
      return avx2;
    default:
      return generic;
  }
}
#if defined(__x86_64__) && defined(__GNUC__)
#define ODLA_KERNEL_ISAS 1
#define ODLA_BY_ISA(generic, avx2, avx512) ::odla_rt::ByIsa(generic, avx2, avx512)
#else
#define ODLA_BY_ISA(generic, avx2, avx512) (generic)
#endif

// x . y over k elements in 16 partial sums added in a fixed order: the result does not
// depend on how a caller splits its columns.
float Dot(const float* x, const float* y, int64_t k);

// Products of fewer rows take Sgemm's small-m path: dot products with the plain B, which
// therefore is not worth packing for them.
constexpr int64_t kGemmSmallM = 4;

// The BLAS-like form: op(B) = B (k x n, row stride ldb) or B^T when trans_b.
void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
           const Epilogue<float>* ep = nullptr);

// The same contract for any arithmetic type, as plain loops (parallel over rows).
template <typename T>
void GemmLoop(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
              int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  ParallelFor(m, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, n * k)),
              [&](int64_t s, int64_t e) {
                for (int64_t i = s; i < e; ++i) {
                  T* ci = c + i * ldc;
                  for (int64_t j = 0; j < n; ++j)
                    ci[j] = beta == T(0) ? T(0) : static_cast<T>(beta * ci[j]);
                  for (int64_t p = 0; p < k; ++p) {
                    T av = static_cast<T>(alpha * (trans_a ? a[p * lda + i] : a[i * lda + p]));
                    if (trans_b) {
                      for (int64_t j = 0; j < n; ++j)
                        ci[j] = static_cast<T>(ci[j] + av * b[j * ldb + p]);
                    } else {
                      const T* bp = b + p * ldb;
                      for (int64_t j = 0; j < n; ++j) ci[j] = static_cast<T>(ci[j] + av * bp[j]);
                    }
                  }
                }
              });
}

// Sgemm for float, GemmLoop (then the epilogue over C) otherwise.
template <typename T>
void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc,
          const Epilogue<T>* ep = nullptr) {
  if constexpr (std::is_same_v<T, float>) {
    Sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep);
  } else {
    GemmLoop(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    if (ep) ep->Apply(c, ldc, m, n);
  }
}

// Batches of a numpy matmul: A [.., m, k] x B [.., k, n] with broadcast batch dimensions;
// aoff/boff: element offsets of each batch's matrices.
struct MatMulBatches {
  int64_t m, k, n, nb;
  std::vector<int64_t> aoff, boff, out_shape;
};
// Rank-1 operands are promoted as numpy does; out_shape is the result shape.
MatMulBatches PlanMatMul(std::vector<int64_t> as, std::vector<int64_t> bs);

}  // namespace odla_rt
