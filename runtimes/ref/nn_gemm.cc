// ODLA builders of Gemm and MatMul on the shared GEMM kernels.
#include "../common/builder.h"
#include "../kernels/broadcast.h"
#include "../kernels/dispatch.h"
#include "../kernels/gemm.h"

using namespace odla_rt;

extern "C" {

ODLA_WEAK odla_value odla_Gemm(odla_value A, odla_value B, odla_value C, odla_float32 alpha,
                               odla_float32 beta, odla_int64 transA, odla_int64 transB,
                               odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Gemm", id, [&] {
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
    bool has_c = C != nullptr;
    return AddOp1("Gemm", {A, B, C}, result_type, id,
                  DispatchNumeric(A->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& kk) {
                      T* y = kk.Out<T>(0);
                      if (has_c) {
                        const T* c = kk.In<T>(2);
                        for (int64_t i = 0; i < m; ++i)
                          for (int64_t j = 0; j < n; ++j) y[i * n + j] = c[i * cst[0] + j * cst[1]];
                      }
                      Gemm<T>(ta, tb, m, n, k, static_cast<T>(alpha), kk.In<T>(0), as[1],
                              kk.In<T>(1), bs[1], has_c ? static_cast<T>(beta) : T(0), y, n);
                    };
                  }));
  });
}

ODLA_WEAK odla_value odla_MatMul(odla_value A, odla_value B, odla_value_type result_type,
                                 odla_value_id id) {
  return Guard("odla_MatMul", id, [&] {
    CheckInput(A, "A");
    CheckInput(B, "B");
    CheckSameElementType(A, B);
    MatMulBatches p = PlanMatMul(Dims(A->type.shape), Dims(B->type.shape));
    if (Dims(result_type.shape) != p.out_shape)
      Fail("result type ", TypeToString(result_type), " is wrong");
    int64_t m = p.m, k = p.k, n = p.n, nb = p.nb;
    std::vector<int64_t> aoff = p.aoff, boff = p.boff;
    bool b_shared = true;  // every batch uses the same B and A's batches are consecutive
    for (int64_t i = 0; i < nb; ++i) b_shared = b_shared && boff[i] == 0 && aoff[i] == i * m * k;
    return AddOp1("MatMul", {A, B}, result_type, id,
                  DispatchNumeric(A->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& kk) {
                      const T* a = kk.In<T>(0);
                      const T* b = kk.In<T>(1);
                      T* y = kk.Out<T>(0);
                      if (b_shared) {  // A's batches stack into one tall matrix
                        Gemm<T>(false, false, nb * m, n, k, T(1), a, k, b, n, T(0), y, n);
                        return;
                      }
                      auto one = [&](int64_t i) {
                        Gemm<T>(false, false, m, n, k, T(1), a + aoff[i], k, b + boff[i], n, T(0),
                                y + i * m * n, n);
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
  });
}

}  // extern "C"
