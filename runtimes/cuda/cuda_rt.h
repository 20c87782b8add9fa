// Shared machinery of libodla_cuda: the CUDA device (memory, streams with their cuBLAS and
// cuDNN handles), status checks that turn CUDA, cuBLAS and cuDNN failures into one-line
// RtErrors, kernel launch helpers, and the Try/Reject pattern: a builder that does not handle
// a case rejects it and the shared (ref) builder runs the op on the host instead.
//
// Builders check their case first (Reject), then touch the GPU (AddCudaOp, BuildCudnn): a
// model whose ops all fall back runs without a GPU; one with a CUDA op fails to build without
// one, with "libodla_cuda: no CUDA device (cudaGetDeviceCount: ...)".
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "../common/builder.h"
#include "../common/device.h"

// Marks a file of builders for cuda_runtime.cc's table (the static library links them all).
#define ODLA_CUDA_FILE(F) extern "C" const char odla_cuda_file_##F = 0;

// Calls fn(args...) and checks its status: ODLA_CUDA_CALL(cudaMemsetAsync, p, 0, n, s).
#define ODLA_CUDA_CALL(fn, ...) ::odla_cuda::Check(fn(__VA_ARGS__), #fn)

namespace odla_cuda {

// What a context's stream object (KernelArgs::stream) holds: the stream (non-blocking), the
// library handles bound to it, and cuBLAS's workspace (set with cublasSetWorkspace, so that
// cuBLAS does not allocate while a graph is captured).
struct Stream {
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  cudnnHandle_t cudnn = nullptr;
  void* cublas_workspace = nullptr;
  // ODLA_CUDA_PINNED=1: copies from the host go through two page-locked staging buffers
  // (made at the first copy), each free again once the copy that last used it is done.
  void* staging[2] = {nullptr, nullptr};
  cudaEvent_t staged[2] = {nullptr, nullptr};
  int next_staging = 0;
};

// The device of libodla_cuda (CUDA device 0). Alloc, NewStream and Upload throw the
// no-device error when there is no GPU.
odla_rt::Device& TheDevice();

// `bytes` of host data in device memory of their own, uploaded now (at build time, so that a
// graph can hold the op that reads them), freed with the last copy of the pointer.
std::shared_ptr<void> UploadTable(const void* data, size_t bytes);

// Throws RtError "libodla_cuda: no CUDA device (cudaGetDeviceCount: <why>)" unless a CUDA
// device is usable (checked once per process).
void RequireDevice();
// Whether a CUDA device is usable, and if not why (the text of RequireDevice's error).
bool HaveDevice(std::string* why = nullptr);

// Status checks: RtError "libodla_cuda: <call>: <status name>[: <text>]" on failure.
void Check(cudaError_t status, const char* call);
void Check(cublasStatus_t status, const char* call);
void Check(cudnnStatus_t status, const char* call);
// After a kernel launch: its launch error, if any, named by the kernel.
void CheckLaunch(const char* kernel);

// A KernelArgs' stream object and its parts.
inline Stream& StreamOf(const odla_rt::KernelArgs& a) { return *static_cast<Stream*>(a.stream); }
inline cudaStream_t CudaStream(const odla_rt::KernelArgs& a) { return StreamOf(a).stream; }
inline cublasHandle_t Cublas(const odla_rt::KernelArgs& a) { return StreamOf(a).cublas; }
inline cudnnHandle_t Cudnn(const odla_rt::KernelArgs& a) { return StreamOf(a).cudnn; }

// Launch shape of grid-stride loops over n elements.
constexpr int kBlock = 256;
inline unsigned GridFor(int64_t n) {
  constexpr int64_t kMaxBlocks = 65535;
  int64_t blocks = (n + kBlock - 1) / kBlock;
  return static_cast<unsigned>(blocks < 1 ? 1 : blocks > kMaxBlocks ? kMaxBlocks : blocks);
}

#ifdef __CUDACC__
// Launches kernel<<<GridFor(n), kBlock, 0, s>>>(args...) (nothing for n <= 0) and checks
// the launch; the kernel loops over [0, n) with a grid stride.
template <typename... P, typename... A>
void Launch(const char* name, cudaStream_t s, int64_t n, void (*kernel)(P...), A&&... args) {
  if (n <= 0) return;
  kernel<<<GridFor(n), kBlock, 0, s>>>(args...);
  CheckLaunch(name);
}
#endif

using odla_rt::Reject;
using odla_rt::Unsupported;

// f(), where an RtError it throws (a check shared with the host builder failing) rejects the
// case with its text: the host builder then runs the same check and reports it.
template <typename F>
auto RejectFailures(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const odla_rt::RtError& e) {
    Reject(e.what());
  }
}

// v as a cuBLAS or cuDNN dimension (an int, not negative); rejects others.
inline int IntDim(int64_t v) {
  if (v > INT32_MAX || v < 0) Reject("dimension ", v, " beyond int");
  return static_cast<int>(v);
}

// bytes rounded up to 256: the alignment of each buffer an op cuts from its scratch memory.
inline size_t ScratchAligned(size_t bytes) { return (bytes + 255) / 256 * 256; }
// A build-time cuDNN status check where a parameter cuDNN does not take or a case it does not
// support (CUDNN_STATUS_BAD_PARAM*, CUDNN_STATUS_NOT_SUPPORTED*) rejects the case; other
// failures throw RtError as Check does.
void CheckOrReject(cudnnStatus_t status, const char* call);

// The whole builder odla_OP: body's value; when body rejects the case (Unsupported), the
// value of `fallback` (odla_ref_OP, the host builder), after logging why when
// ODLA_CUDA_VERBOSE is set. Other errors are recorded as the builder's (odla_rt::Guard:
// NULL, status and text), with the op named "odla_" + op.
odla_value Try(const char* op, odla_value_id id, const std::function<odla_value()>& body,
               const std::function<odla_value()>& fallback);
odla_values TryN(const char* op, odla_value_id id, const std::function<odla_values()>& body,
                 const std::function<odla_values()>& fallback);

// Rejects all but non-empty float32 values (NULL passes).
void RequireF32(std::initializer_list<odla_value> values);
// Rejects a result type that is not non-empty float32.
void RequireF32(const odla_value_type& t);

// Adds an op that runs on the GPU (odla_rt::AddDeviceOp on TheDevice(), after
// RequireDevice(); `data_dependent` as there).
std::vector<odla_value> AddCudaOp(const std::string& op, const std::vector<odla_value>& inputs,
                                  const std::vector<odla_value_type>& result_types,
                                  size_t scratch_bytes, odla_value_id id, odla_rt::Kernel kernel,
                                  const std::vector<bool>& data_dependent = {});
inline odla_value AddCudaOp1(const std::string& op, const std::vector<odla_value>& inputs,
                             const odla_value_type& result_type, size_t scratch_bytes,
                             odla_value_id id, odla_rt::Kernel kernel) {
  return AddCudaOp(op, inputs, {result_type}, scratch_bytes, id, std::move(kernel))[0];
}

// An op whose input `indices_input` (default 1: inputs data, indices[, updates]) holds int32
// or int64 indices, index i within [-bounds[i % bounds.size()], bounds[...]) (with
// `negative` false, [0, bounds[...])); an index out of range rejects the case when the
// indices are constant (the host builder reports it), else fails the run. launch(k, bad)
// queues the kernel, which sets the device int *bad on an index out of range (ops_layout.cc).
// `extra_scratch` bytes of device scratch memory follow *bad at kIndexingScratch.
constexpr size_t kIndexingScratch = 256;
odla_value AddIndexingOp(const char* op, const std::vector<odla_value>& inputs,
                         const odla_value_type& rt, odla_value_id id,
                         const std::vector<int64_t>& bounds,
                         std::function<void(const odla_rt::KernelArgs&, int* bad)> launch,
                         int indices_input = 1, bool negative = true, size_t extra_scratch = 0);

// The process's cuDNN handle for build-time queries (algorithm choice, workspace sizes),
// created at first use; the lock is held while the object lives.
class BuildCudnn {
 public:
  BuildCudnn();
  cudnnHandle_t get() const { return handle_; }

 private:
  std::unique_lock<std::mutex> lock_;
  cudnnHandle_t handle_;
};

// Calls that synchronize the whole device (cudaFree, cudnnDestroy and cublasDestroy, which
// call cudaDeviceSynchronize, cuDNN's timed algorithm search, ...) invalidate a stream
// capture that another thread is running, even in cudaStreamCaptureModeThreadLocal: they hold
// this lock exclusively, a capture (ODLA_GRAPHS) holds it shared.
std::shared_mutex& CaptureLock();

// Whether the current computation may compute float32 products on TF32 tensor cores
// (odla_SetComputationPrecision(ODLA_PRECISION_TF32)).
bool UseTf32();
// The cuDNN math type and cuBLAS compute type for the current computation's precision:
// CUDNN_FMA_MATH / CUBLAS_COMPUTE_32F (strict fp32), or with TF32 CUDNN_DEFAULT_MATH (TF32
// tensor cores from Ampere on, as PyTorch asks for them; not ALLOW_CONVERSION, which may
// convert float32 to half) / CUBLAS_COMPUTE_32F_FAST_TF32.
cudnnMathType_t CudnnMath();
cublasComputeType_t CublasCompute();

// The dimensions of a value or type.
std::vector<int64_t> ValueDims(odla_value v);
std::vector<int64_t> TypeDims(const odla_value_type& t);

// Owning wrappers of cuDNN descriptors (created by the constructor, checked).
struct TensorDesc {
  TensorDesc();
  ~TensorDesc();
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
  // Dense row-major float32 of dims (rank 1 to 8; trailing 1s make it at least 4-D, as
  // cuDNN wants); rejects dimensions beyond int.
  void Set(std::vector<int64_t> dims);
  cudnnTensorDescriptor_t d = nullptr;
};

// The activation epilogue of fused convolutions and matrix products, on the GPU (as
// runtimes/kernels/epilogue.h defines it): y[i] = act(y[i] + bias[(i / inner) % channels] +
// sum[i]) for i in [0, n). bias and sum may be NULL. Activation kinds: odla_rt::ActKind.
struct CudaAct {
  int kind = 0;  // static_cast<int>(odla_rt::ActKind)
  float alpha = 0, beta = 0;
};
// The activation named by a fused op's attribute (Fail()s on unknown names).
CudaAct ParseCudaAct(const char* name, float alpha, float beta);
void Epilogue(cudaStream_t s, float* y, int64_t n, const float* bias, int64_t channels,
              int64_t inner, const float* sum, const CudaAct& act);

}  // namespace odla_cuda
