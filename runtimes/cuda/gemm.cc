// Gemm, FusedGemm, MatMul and FusedMatMul through cuBLAS (cublasGemmEx and its strided
// batched form), then bias, residual sum and activation in one epilogue kernel. cuBLAS is
// column-major: a row-major Y = op(A) op(B) is computed as Y^T = op(B)^T op(A)^T, which is
// the same buffers read column-major. Rejected (run on the host): other element types,
// dimensions beyond int, a C that broadcasts with beta other than 1, MatMul batches whose
// offsets are not a constant stride.
#include "../kernels/gemm.h"

#include "cuda_rt.h"
#include "gemm_call.h"

ODLA_CUDA_FILE(gemm)

using namespace odla_cuda;

ODLA_REF_DECL(Gemm)
ODLA_REF_DECL(FusedGemm)
ODLA_REF_DECL(MatMul)
ODLA_REF_DECL(FusedMatMul)

namespace {

using odla_rt::KernelArgs;

// What follows the product: a bias (element i of Y gets bias[(i / inner) % channels]), the
// residual Sum and the activation.
struct Post {
  int64_t channels = 1, inner = 1;
  CudaAct act;
};

odla_value AddGemmOp(const char* op, const std::vector<odla_value>& inputs,
                     const odla_value_type& result, odla_value_id id, const GemmCall& g,
                     float alpha, float beta, bool copy_c, bool bias, const Post& post) {
  const int64_t count = odla_rt::NumElements(result.shape);
  odla_rt::Kernel kernel = [g, alpha, beta, copy_c, bias, post, count](const KernelArgs& k) {
    float* y = k.Out<float>(0);
    const float* c = k.In<float>(2);
    if (copy_c)
      ODLA_CUDA_CALL(cudaMemcpyAsync, y, c, count * sizeof(float), cudaMemcpyDeviceToDevice,
                     CudaStream(k));
    g.Run(k, k.In<float>(0), k.In<float>(1), y, alpha, copy_c ? beta : 0.f);
    Epilogue(CudaStream(k), y, count, bias ? c : nullptr, post.channels, post.inner, k.In<float>(3),
             post.act);
  };
  return AddCudaOp1(op, inputs, result, 0, id, std::move(kernel));
}

odla_value BuildGemm(const char* op, odla_value A, odla_value B, odla_value C, odla_value Sum,
                     float alpha, float beta, int64_t transA, int64_t transB, const CudaAct& act,
                     const odla_value_type& result, odla_value_id id) {
  if (!A || !B) Reject("missing input");
  RequireF32({A, B, C, Sum});
  RequireF32(result);
  auto as = ValueDims(A), bs = ValueDims(B);
  if (as.size() != 2 || bs.size() != 2) Reject("A and B must be matrices");
  GemmCall g;
  g.ta = transA != 0;
  g.tb = transB != 0;
  int64_t m = as[g.ta ? 1 : 0], k = as[g.ta ? 0 : 1], n = bs[g.tb ? 0 : 1];
  if (bs[g.tb ? 1 : 0] != k || TypeDims(result) != std::vector<int64_t>{m, n}) Reject("shapes");
  if (Sum && !odla_rt::SameType(Sum->type, result)) Reject("Sum's type");
  g.m = IntDim(m);
  g.n = IntDim(n);
  g.k = IntDim(k);
  g.lda = IntDim(as[1]);
  g.ldb = IntDim(bs[1]);
  g.compute = CublasCompute();
  // C [m, n] is copied into Y and scaled by beta in the product; a broadcast C (beta 1) is
  // the epilogue's bias: per column, per row or one value.
  bool copy_c = false, bias = false;
  Post post;
  post.act = act;
  if (C) {
    auto cs = ValueDims(C);
    if (cs.size() > 2) Reject("C's rank");
    while (cs.size() < 2) cs.insert(cs.begin(), 1);
    if (cs[0] == m && cs[1] == n) {
      copy_c = true;
    } else {
      if ((cs[0] != 1 && cs[0] != m) || (cs[1] != 1 && cs[1] != n)) Reject("C's shape");
      if (beta != 1.0f) Reject("a broadcast C with beta ", beta);
      bias = true;
      if (cs[1] == n) {
        post.channels = n;
      } else if (cs[0] == m) {
        post.channels = m;
        post.inner = n;
      }
    }
  }
  return AddGemmOp(op, {A, B, C, Sum}, result, id, g, alpha, beta, copy_c, bias, post);
}

odla_value BuildMatMul(const char* op, odla_value A, odla_value B, odla_value Bias, odla_value Sum,
                       const CudaAct& act, const odla_value_type& result, odla_value_id id) {
  if (!A || !B) Reject("missing input");
  RequireF32({A, B, Bias, Sum});
  RequireF32(result);
  odla_rt::MatMulBatches p = odla_rt::PlanMatMul(ValueDims(A), ValueDims(B));  // the ref's
  if (TypeDims(result) != p.out_shape) Reject("result shape");
  if (Bias && (ValueDims(B).size() < 2 || ValueDims(Bias) != std::vector<int64_t>{p.n}))
    Reject("Bias shape");
  if (Sum && !odla_rt::SameType(Sum->type, result)) Reject("Sum's type");
  GemmCall g;
  g.compute = CublasCompute();
  g.n = IntDim(p.n);
  g.k = IntDim(p.k);
  g.lda = g.k;
  g.ldb = g.n;
  // B shared by all batches and A's batches consecutive: one product of A's stacked rows.
  bool b_shared = true;
  for (int64_t i = 0; i < p.nb; ++i)
    b_shared = b_shared && p.boff[i] == 0 && p.aoff[i] == i * p.m * p.k;
  if (b_shared) {
    g.m = IntDim(p.nb * p.m);
  } else {
    g.m = IntDim(p.m);
    g.batches = IntDim(p.nb);
    g.stride_a = p.nb > 1 ? p.aoff[1] - p.aoff[0] : 0;
    g.stride_b = p.nb > 1 ? p.boff[1] - p.boff[0] : 0;
    for (int64_t i = 0; i < p.nb; ++i)
      if (p.aoff[i] != i * g.stride_a || p.boff[i] != i * g.stride_b)
        Reject("batch offsets are not strided");
  }
  Post post;
  post.act = act;
  post.channels = p.n;
  return AddGemmOp(op, {A, B, Bias, Sum}, result, id, g, 1.f, 0.f, false, Bias != nullptr, post);
}

}  // namespace

extern "C" {

odla_value odla_Gemm(odla_value A, odla_value B, odla_value C, odla_float32 alpha,
                     odla_float32 beta, odla_int64 transA, odla_int64 transB,
                     odla_value_type result_type, odla_value_id id) {
  return Try(
      "Gemm", id,
      [&] {
        return BuildGemm("Gemm", A, B, C, nullptr, alpha, beta, transA, transB, CudaAct{},
                         result_type, id);
      },
      [&] { return odla_ref_Gemm(A, B, C, alpha, beta, transA, transB, result_type, id); });
}

odla_value odla_FusedGemm(odla_value A, odla_value B, odla_value C, odla_value Sum,
                          odla_float32 alpha, odla_float32 beta, odla_int64 transA,
                          odla_int64 transB, const char* activation, odla_float32 activation_alpha,
                          odla_float32 activation_beta, odla_value_type result_type,
                          odla_value_id id) {
  return Try(
      "FusedGemm", id,
      [&] {
        return BuildGemm("FusedGemm", A, B, C, Sum, alpha, beta, transA, transB,
                         ParseCudaAct(activation, activation_alpha, activation_beta), result_type,
                         id);
      },
      [&] {
        return odla_ref_FusedGemm(A, B, C, Sum, alpha, beta, transA, transB, activation,
                                  activation_alpha, activation_beta, result_type, id);
      });
}

odla_value odla_MatMul(odla_value A, odla_value B, odla_value_type result_type, odla_value_id id) {
  return Try(
      "MatMul", id,
      [&] { return BuildMatMul("MatMul", A, B, nullptr, nullptr, CudaAct{}, result_type, id); },
      [&] { return odla_ref_MatMul(A, B, result_type, id); });
}

odla_value odla_FusedMatMul(odla_value A, odla_value B, odla_value Bias, odla_value Sum,
                            const char* activation, odla_float32 activation_alpha,
                            odla_float32 activation_beta, odla_value_type result_type,
                            odla_value_id id) {
  return Try(
      "FusedMatMul", id,
      [&] {
        return BuildMatMul("FusedMatMul", A, B, Bias, Sum,
                           ParseCudaAct(activation, activation_alpha, activation_beta), result_type,
                           id);
      },
      [&] {
        return odla_ref_FusedMatMul(A, B, Bias, Sum, activation, activation_alpha, activation_beta,
                                    result_type, id);
      });
}

}  // extern "C"
