// The cuBLAS calls libodla_cuda makes, as naive host loops: handles bound to a stream and
// fp32 products (cublasGemmEx and its strided batched form) in host pointer mode. Products
// accumulate in double and round once; with CUBLAS_COMPUTE_32F_FAST_TF32 the operands are
// rounded to TF32 first.
#include <cublas_v2.h>

#include "cuda_emu.h"

struct cublasContext {
  cudaStream_t stream = nullptr;
  void* workspace = nullptr;
  size_t workspace_bytes = 0;
};

namespace {

// One batched product's arguments, read by value when the work runs.
struct Gemm {
  bool ta, tb, tf32;
  int m, n, k, lda, ldb, ldc, batches;
  long long stride_a, stride_b, stride_c;
  float alpha, beta;
  const float* a;
  const float* b;
  float* c;

  void Run() const {
    for (int batch = 0; batch < batches; ++batch) {
      const float* pa = a + batch * stride_a;
      const float* pb = b + batch * stride_b;
      float* pc = c + batch * stride_c;
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < m; ++i) {
          double acc = 0;
          for (int p = 0; alpha != 0 && p < k; ++p) {  // alpha 0: A and B are not read
            float x = ta ? pa[p + static_cast<long long>(i) * lda]
                         : pa[i + static_cast<long long>(p) * lda];
            float y = tb ? pb[j + static_cast<long long>(p) * ldb]
                         : pb[p + static_cast<long long>(j) * ldb];
            if (tf32) x = cuda_emu::Tf32(x), y = cuda_emu::Tf32(y);
            acc += static_cast<double>(x) * y;
          }
          float& out = pc[i + static_cast<long long>(j) * ldc];
          double r = static_cast<double>(alpha) * acc;
          if (beta != 0) r += static_cast<double>(beta) * out;  // beta 0: C is not read
          out = static_cast<float>(r);
        }
    }
  }
};

bool Transposed(cublasOperation_t op, bool* t) {
  // For real types C (conjugate transpose) is T.
  if (op != CUBLAS_OP_N && op != CUBLAS_OP_T && op != CUBLAS_OP_C) return false;
  *t = op != CUBLAS_OP_N;
  return true;
}

cublasStatus_t GemmBatched(cublasHandle_t handle, cublasOperation_t transa,
                           cublasOperation_t transb, int m, int n, int k, const void* alpha,
                           const void* A, cudaDataType Atype, int lda, long long strideA,
                           const void* B, cudaDataType Btype, int ldb, long long strideB,
                           const void* beta, void* C, cudaDataType Ctype, int ldc,
                           long long strideC, int batchCount, cublasComputeType_t computeType) {
  if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
  Gemm g{};
  if (!Transposed(transa, &g.ta) || !Transposed(transb, &g.tb)) return CUBLAS_STATUS_INVALID_VALUE;
  if (m < 0 || n < 0 || k < 0 || batchCount < 0) return CUBLAS_STATUS_INVALID_VALUE;
  if (lda < std::max(1, g.ta ? k : m) || ldb < std::max(1, g.tb ? n : k) || ldc < std::max(1, m))
    return CUBLAS_STATUS_INVALID_VALUE;
  if (!alpha || !beta) return CUBLAS_STATUS_INVALID_VALUE;
  if (Atype != CUDA_R_32F || Btype != CUDA_R_32F || Ctype != CUDA_R_32F ||
      (computeType != CUBLAS_COMPUTE_32F && computeType != CUBLAS_COMPUTE_32F_FAST_TF32))
    return CUBLAS_STATUS_NOT_SUPPORTED;
  if (m == 0 || n == 0 || batchCount == 0) return CUBLAS_STATUS_SUCCESS;
  g.tf32 = computeType == CUBLAS_COMPUTE_32F_FAST_TF32;
  g.m = m, g.n = n, g.k = k, g.lda = lda, g.ldb = ldb, g.ldc = ldc, g.batches = batchCount;
  g.stride_a = strideA, g.stride_b = strideB, g.stride_c = strideC;
  g.alpha = *static_cast<const float*>(alpha);  // host pointer mode: read at the call
  g.beta = *static_cast<const float*>(beta);
  g.a = static_cast<const float*>(A);
  g.b = static_cast<const float*>(B);
  g.c = static_cast<float*>(C);
  cuda_emu::Enqueue(handle->stream, [g] { g.Run(); });
  return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
  if (!handle) return CUBLAS_STATUS_INVALID_VALUE;
  *handle = new cublasContext;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
  if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId) {
  if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->stream = streamId;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void* workspace,
                                     size_t workspaceSizeInBytes) {
  if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
  // cuBLAS wants the workspace aligned to 256 bytes.
  if (reinterpret_cast<uintptr_t>(workspace) % 256 != 0) return CUBLAS_STATUS_INVALID_VALUE;
  handle->workspace = workspace;
  handle->workspace_bytes = workspaceSizeInBytes;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa,
                            cublasOperation_t transb, int m, int n, int k, const void* alpha,
                            const void* A, cudaDataType Atype, int lda, const void* B,
                            cudaDataType Btype, int ldb, const void* beta, void* C,
                            cudaDataType Ctype, int ldc, cublasComputeType_t computeType,
                            cublasGemmAlgo_t /*algo*/) {
  return GemmBatched(handle, transa, transb, m, n, k, alpha, A, Atype, lda, 0, B, Btype, ldb, 0,
                     beta, C, Ctype, ldc, 0, 1, computeType);
}

cublasStatus_t cublasGemmStridedBatchedEx(
    cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
    const void* alpha, const void* A, cudaDataType Atype, int lda, long long int strideA,
    const void* B, cudaDataType Btype, int ldb, long long int strideB, const void* beta, void* C,
    cudaDataType Ctype, int ldc, long long int strideC, int batchCount,
    cublasComputeType_t computeType, cublasGemmAlgo_t /*algo*/) {
  return GemmBatched(handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb,
                     strideB, beta, C, Ctype, ldc, strideC, batchCount, computeType);
}

const char* cublasGetStatusName(cublasStatus_t status) {
  switch (status) {
#define NAME(s) \
  case s:       \
    return #s;
    NAME(CUBLAS_STATUS_SUCCESS)
    NAME(CUBLAS_STATUS_NOT_INITIALIZED)
    NAME(CUBLAS_STATUS_ALLOC_FAILED)
    NAME(CUBLAS_STATUS_INVALID_VALUE)
    NAME(CUBLAS_STATUS_ARCH_MISMATCH)
    NAME(CUBLAS_STATUS_MAPPING_ERROR)
    NAME(CUBLAS_STATUS_EXECUTION_FAILED)
    NAME(CUBLAS_STATUS_INTERNAL_ERROR)
    NAME(CUBLAS_STATUS_NOT_SUPPORTED)
    NAME(CUBLAS_STATUS_LICENSE_ERROR)
#undef NAME
  }
  return "<unknown>";
}

const char* cublasGetStatusString(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS:
      return "success";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "the library was not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED:
      return "the resource allocation failed";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "an invalid numeric value was used as an argument";
    case CUBLAS_STATUS_ARCH_MISMATCH:
      return "an absent device architectural feature is required";
    case CUBLAS_STATUS_MAPPING_ERROR:
      return "an access to GPU memory space failed";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return "the GPU program failed to execute";
    case CUBLAS_STATUS_INTERNAL_ERROR:
      return "an internal operation failed";
    case CUBLAS_STATUS_NOT_SUPPORTED:
      return "the functionality requested is not supported";
    case CUBLAS_STATUS_LICENSE_ERROR:
      return "error detected trying to check the license";
  }
  return "unknown error";
}
