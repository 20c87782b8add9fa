// ODLA builders of Gemm and MatMul, and of their fused forms (FusedGemm, FusedMatMul: the
// product, a bias, a residual sum and an activation), on the shared GEMM kernels.
#include "../common/builder.h"
#include "../common/file_pages.h"
#include "../kernels/broadcast.h"
#include "../kernels/dispatch.h"
#include "../kernels/gemm.h"

using namespace odla_rt;

namespace {

// The operands of a fused op beyond the product: Sum (the result's type) and the activation.
Activation CheckFused(odla_value sum, const odla_value_type& result, const char* activation,
                      float alpha, float beta) {
  if (result.element_type != ODLA_FLOAT32 && result.element_type != ODLA_FLOAT64)
    Fail("element type ", TypeToString(result), " is not supported (float32 or float64)");
  if (sum && !SameType(sum->type, result))
    Fail("Sum ", TypeToString(sum->type), " must have the result's type ", TypeToString(result));
  return ParseActivation(activation ? activation : "", alpha, beta);
}

// op(B) packed once when B is a float32 constant and the product has kGemmSmallM rows or more
// (fewer read B itself), else null. B's own pages then leave the resident set where they are
// a file's (ReleaseFilePages).
std::shared_ptr<const GemmPacked> PackedB(odla_value B, bool trans, int64_t k, int64_t n,
                                          int64_t ld, int64_t m) {
  if (B->type.element_type != ODLA_FLOAT32 || !B->const_data || m < kGemmSmallM || k <= 0 || n <= 0)
    return nullptr;
  auto packed = GemmPacked::B(trans, k, n, static_cast<const float*>(B->const_data), ld);
  ReleaseFilePages(B->const_data, ByteSize(B->type));
  return packed;
}

// Gemm<T>, on B's packed copy when there is one (PackedB of the same m).
template <typename T>
void Product(const GemmPacked* pb, bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha,
             const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc,
             const Epilogue<T>* ep) {
  if constexpr (std::is_same_v<T, float>) {
    if (pb) return SgemmPackedB(ta, m, alpha, a, lda, *pb, beta, c, ldc, ep);
  }
  Gemm<T>(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep);
}

// Gemm, plus Sum and the activation when `fused`. C broadcast along the rows with beta 1
// is the epilogue's column bias; other Cs are copied into Y first.
odla_value BuildGemm(const char* op, odla_value A, odla_value B, odla_value C, odla_value Sum,
                     float alpha, float beta, int64_t transA, int64_t transB, const Activation& act,
                     const odla_value_type& result_type, odla_value_id id) {
  CheckInput(A, "A");
  CheckInput(B, "B");
  CheckSameElementType(A, B);
  if (C) CheckSameElementType(A, C);
  auto as = Dims(A->type.shape), bs = Dims(B->type.shape);
  if (as.size() != 2 || bs.size() != 2) Fail("A and B must be matrices");
  bool ta = transA != 0, tb = transB != 0;
  int64_t m = as[ta ? 1 : 0], k = as[ta ? 0 : 1], n = bs[tb ? 0 : 1];
  if (bs[tb ? 1 : 0] != k) Fail("inner dimensions differ: ", k, " and ", bs[tb ? 1 : 0]);
  if (Dims(result_type.shape) != std::vector<int64_t>{m, n})
    Fail("result must be [", m, ", ", n, "]");
  std::vector<int64_t> cst{0, 0};
  if (C) {
    auto cs = Dims(C->type.shape);
    if (cs.size() > 2) Fail("C must have rank 2 or less");
    for (size_t i = 0; i < cs.size(); ++i) {
      int64_t want = i + 2 - cs.size() == 0 ? m : n;
      if (cs[i] != 1 && cs[i] != want)
        Fail("C ", TypeToString(C->type), " does not broadcast to [", m, ", ", n, "]");
    }
    cst = BroadcastStrides(cs, {m, n});
  }
  bool has_c = C != nullptr, has_sum = Sum != nullptr;
  bool col_bias = has_c && beta == 1.0f && cst == std::vector<int64_t>{0, 1};
  auto packed = PackedB(B, tb, k, n, bs[1], m);
  return AddOp1(op, {A, B, C, Sum}, result_type, id,
                DispatchNumeric(A->type.element_type, [&](auto tag) -> Kernel {
                  using T = typename decltype(tag)::type;
                  return [=](const KernelArgs& kk) {
                    T* y = kk.Out<T>(0);
                    Epilogue<T> ep;
                    ep.act = act;
                    ep.sum = has_sum ? kk.In<T>(3) : nullptr;
                    ep.ld_sum = n;
                    if (col_bias) {
                      ep.col_bias = kk.In<T>(2);
                    } else if (has_c) {
                      const T* c = kk.In<T>(2);
                      for (int64_t i = 0; i < m; ++i)
                        for (int64_t j = 0; j < n; ++j) y[i * n + j] = c[i * cst[0] + j * cst[1]];
                    }
                    bool prefilled = has_c && !col_bias;
                    Product<T>(packed.get(), ta, tb, m, n, k, static_cast<T>(alpha), kk.In<T>(0),
                               as[1], kk.In<T>(1), bs[1], prefilled ? static_cast<T>(beta) : T(0),
                               y, n, ep.HasBias() || ep.HasPost() ? &ep : nullptr);
                  };
                }));
}

// MatMul, plus Bias [N], Sum and the activation when fused.
odla_value BuildMatMul(const char* op, odla_value A, odla_value B, odla_value Bias, odla_value Sum,
                       const Activation& act, const odla_value_type& result_type,
                       odla_value_id id) {
  CheckInput(A, "A");
  CheckInput(B, "B");
  CheckSameElementType(A, B);
  MatMulBatches p = PlanMatMul(Dims(A->type.shape), Dims(B->type.shape));
  if (Dims(result_type.shape) != p.out_shape)
    Fail("result type ", TypeToString(result_type), " is wrong");
  int64_t m = p.m, k = p.k, n = p.n, nb = p.nb;
  if (Bias && (B->type.shape.size < 2 || Dims(Bias->type.shape) != std::vector<int64_t>{n}))
    Fail("Bias must be [", n, "] (and B a matrix)");
  std::vector<int64_t> aoff = p.aoff, boff = p.boff;
  bool b_shared = true;  // every batch uses the same B and A's batches are consecutive
  for (int64_t i = 0; i < nb; ++i) b_shared = b_shared && boff[i] == 0 && aoff[i] == i * m * k;
  bool has_bias = Bias != nullptr, has_sum = Sum != nullptr;
  auto packed = b_shared ? PackedB(B, false, k, n, n, nb * m) : nullptr;
  return AddOp1(op, {A, B, Bias, Sum}, result_type, id,
                DispatchNumeric(A->type.element_type, [&](auto tag) -> Kernel {
                  using T = typename decltype(tag)::type;
                  return [=](const KernelArgs& kk) {
                    const T* a = kk.In<T>(0);
                    const T* b = kk.In<T>(1);
                    T* y = kk.Out<T>(0);
                    Epilogue<T> ep;
                    ep.act = act;
                    ep.col_bias = has_bias ? kk.In<T>(2) : nullptr;
                    ep.sum = has_sum ? kk.In<T>(3) : nullptr;
                    ep.ld_sum = n;
                    bool use = ep.HasBias() || ep.HasPost();
                    if (b_shared) {  // A's batches stack into one tall matrix
                      Product<T>(packed.get(), false, false, nb * m, n, k, T(1), a, k, b, n, T(0),
                                 y, n, use ? &ep : nullptr);
                      return;
                    }
                    auto one = [&](int64_t i) {
                      Epilogue<T> ei = ep.At(i * m, 0);
                      Gemm<T>(false, false, m, n, k, T(1), a + aoff[i], k, b + boff[i], n, T(0),
                              y + i * m * n, n, use ? &ei : nullptr);
                    };
                    if (nb >= 2 * NumThreads() && m * n * k < (1 << 22)) {
                      ParallelFor(nb, 1, [&](int64_t s, int64_t e) {
                        for (int64_t i = s; i < e; ++i) one(i);
                      });
                    } else {
                      for (int64_t i = 0; i < nb; ++i) one(i);
                    }
                  };
                }));
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_Gemm(odla_value A, odla_value B, odla_value C, odla_float32 alpha,
                               odla_float32 beta, odla_int64 transA, odla_int64 transB,
                               odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Gemm", id, [&] {
    return BuildGemm("Gemm", A, B, C, nullptr, alpha, beta, transA, transB, {}, result_type, id);
  });
}

ODLA_WEAK odla_value odla_FusedGemm(odla_value A, odla_value B, odla_value C, odla_value Sum,
                                    odla_float32 alpha, odla_float32 beta, odla_int64 transA,
                                    odla_int64 transB, const char* activation,
                                    odla_float32 activation_alpha, odla_float32 activation_beta,
                                    odla_value_type result_type, odla_value_id id) {
  return Guard("odla_FusedGemm", id, [&] {
    Activation act = CheckFused(Sum, result_type, activation, activation_alpha, activation_beta);
    return BuildGemm("FusedGemm", A, B, C, Sum, alpha, beta, transA, transB, act, result_type, id);
  });
}

ODLA_WEAK odla_value odla_MatMul(odla_value A, odla_value B, odla_value_type result_type,
                                 odla_value_id id) {
  return Guard("odla_MatMul", id,
               [&] { return BuildMatMul("MatMul", A, B, nullptr, nullptr, {}, result_type, id); });
}

ODLA_WEAK odla_value odla_FusedMatMul(odla_value A, odla_value B, odla_value Bias, odla_value Sum,
                                      const char* activation, odla_float32 activation_alpha,
                                      odla_float32 activation_beta, odla_value_type result_type,
                                      odla_value_id id) {
  return Guard("odla_FusedMatMul", id, [&] {
    Activation act = CheckFused(Sum, result_type, activation, activation_alpha, activation_beta);
    if (Bias) CheckSameElementType(A, Bias);
    return BuildMatMul("FusedMatMul", A, B, Bias, Sum, act, result_type, id);
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Gemm)
ODLA_REF_ALIAS(FusedGemm)
ODLA_REF_ALIAS(MatMul)
ODLA_REF_ALIAS(FusedMatMul)
