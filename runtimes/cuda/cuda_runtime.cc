// Identity and precision of the CUDA runtime. A static libodla_cuda.a links a member only
// for a symbol still undefined: the table below makes every builder file's member part of
// any program that links this one (odla_CheckVersion needs it), so its builders override the
// shared weak ones. A file of builders marks itself with ODLA_CUDA_FILE(name) and adds its
// name to one of the lists below: the core's (libraries, device) or the project's kernels'.
#include "cuda_rt.h"

#define ODLA_CUDA_CORE_FILES(X) X(device) X(epilogue) X(conv) X(pool) X(norm) X(gemm)
// clang-format off
#define ODLA_CUDA_KERNEL_FILES(X) \
  X(ops_layout) X(ops_elementwise) X(ops_norm) X(ops_reduce) X(ops_depth_space) X(ops_resize) \
  X(ops_index) X(ops_quant) X(ops_qgemm) X(ops_qlinear) X(ops_qreduce) X(ops_rnn) X(ops_linalg) \
  X(ops_sample) X(ops_window) X(ops_generate) X(ops_signal) \
  X(ops_svdf) X(ops_text) X(ops_qlstm)
// clang-format on
#define ODLA_CUDA_FILES(X) ODLA_CUDA_CORE_FILES(X) ODLA_CUDA_KERNEL_FILES(X)
#define ODLA_CUDA_DECLARE(F) extern "C" const char odla_cuda_file_##F;
#define ODLA_CUDA_ENTRY(F) &odla_cuda_file_##F,
ODLA_CUDA_FILES(ODLA_CUDA_DECLARE)

extern "C" const char* odla_GetRuntimeName(void) {
  static const char* const keep[] __attribute__((used)) = {ODLA_CUDA_FILES(ODLA_CUDA_ENTRY)};
  return "cuda";
}

namespace odla_cuda {

bool UseTf32() { return odla_rt::CurrentPrecision() == ODLA_PRECISION_TF32; }

cudnnMathType_t CudnnMath() { return UseTf32() ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH; }

cublasComputeType_t CublasCompute() {
  return UseTf32() ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
}

}  // namespace odla_cuda

// fp32 (the default) and tf32 are honoured; bf16 computes in fp32 with the shared notice.
extern "C" odla_status odla_SetComputationPrecision(odla_computation computation,
                                                    odla_precision precision) {
  return odla_rt::GuardStatus([&] {
    odla_rt::SetPrecision(computation, precision);  // checks the arguments
    if (precision != ODLA_PRECISION_BF16) return;
    odla_rt::SetPrecision(computation, ODLA_PRECISION_FP32);
    odla_rt::PrecisionNotice("bf16 is not supported by this runtime");
  });
}
