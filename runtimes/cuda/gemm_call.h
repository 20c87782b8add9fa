// One row-major product on cuBLAS (cublasGemmEx, or its strided batched form for nb
// products): Y = alpha * op(A) op(B) + beta * Y with op(A) [m, k], op(B) [k, n], Y [m, n].
// cuBLAS is column-major: Y^T = op(B)^T op(A)^T is computed, the same buffers read
// column-major. Shared by the products (gemm.cc) and the pointwise convolutions (conv.cc).
#pragma once

#include "cuda_rt.h"

namespace odla_cuda {

struct GemmCall {
  bool ta = false, tb = false;
  int m = 0, n = 0, k = 0, lda = 0, ldb = 0, batches = 1;
  int ldy = 0;  // Y's row stride; 0: n (dense)
  long long stride_a = 0, stride_b = 0;
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;

  void Run(const odla_rt::KernelArgs& kk, const float* a, const float* b, float* y, float alpha,
           float beta) const {
    cublasOperation_t opa = ta ? CUBLAS_OP_T : CUBLAS_OP_N, opb = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
    if (batches == 1)
      ODLA_CUDA_CALL(cublasGemmEx, Cublas(kk), opb, opa, n, m, k, &alpha, b, CUDA_R_32F, ldb, a,
                     CUDA_R_32F, lda, &beta, y, CUDA_R_32F, ldy ? ldy : n, compute,
                     CUBLAS_GEMM_DEFAULT);
    else
      ODLA_CUDA_CALL(cublasGemmStridedBatchedEx, Cublas(kk), opb, opa, n, m, k, &alpha, b,
                     CUDA_R_32F, ldb, stride_b, a, CUDA_R_32F, lda, stride_a, &beta, y, CUDA_R_32F,
                     n, static_cast<long long>(m) * n, batches, compute, CUBLAS_GEMM_DEFAULT);
  }
};

}  // namespace odla_cuda
