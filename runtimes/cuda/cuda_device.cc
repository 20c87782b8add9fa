// libodla_cuda's device (CUDA device 0: memory, streams with cuBLAS and cuDNN handles,
// copies), status checks and the builder machinery of cuda_rt.h.
#include <algorithm>
#include <cstring>
#include <iostream>
#include <memory>
#include <sstream>
#include <type_traits>

#include "../kernels/epilogue.h"
#include "cuda_rt.h"

ODLA_CUDA_FILE(device)

namespace odla_cuda {

using odla_rt::RtError;

bool HaveDevice(std::string* why) {
  static const std::string error = [] {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
      cudaGetLastError();  // clears it
      return std::string("libodla_cuda: no CUDA device (cudaGetDeviceCount: ") +
             cudaGetErrorString(e) + ")";
    }
    if (n == 0) return std::string("libodla_cuda: no CUDA device (cudaGetDeviceCount: 0)");
    return std::string();
  }();
  if (why) *why = error;
  return error.empty();
}

void RequireDevice() {
  std::string why;
  if (!HaveDevice(&why)) throw RtError(why, ODLA_UNSUPPORTED);
}

void Check(cudaError_t status, const char* call) {
  if (status == cudaSuccess) return;
  cudaGetLastError();  // a later CheckLaunch must not report this one again
  odla_status s = status == cudaErrorMemoryAllocation ? ODLA_OUT_OF_MEMORY : ODLA_FAILURE;
  throw RtError(std::string("libodla_cuda: ") + call + ": " + cudaGetErrorName(status) + ": " +
                    cudaGetErrorString(status),
                s);
}

void Check(cublasStatus_t status, const char* call) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  odla_status s = status == CUBLAS_STATUS_ALLOC_FAILED ? ODLA_OUT_OF_MEMORY : ODLA_FAILURE;
  throw RtError(std::string("libodla_cuda: ") + call + ": " + cublasGetStatusName(status) + ": " +
                    cublasGetStatusString(status),
                s);
}

static std::string CudnnText(cudnnStatus_t status, const char* call) {
  std::string msg = std::string("libodla_cuda: ") + call + ": " + cudnnGetErrorString(status);
  char detail[512] = {0};
  cudnnGetLastErrorString(detail, sizeof(detail));
  std::string d(detail);
  for (char& c : d)
    if (c == '\n' || c == '\r') c = ' ';
  if (!d.empty()) msg += " (" + d + ")";
  return msg;
}

void Check(cudnnStatus_t status, const char* call) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  odla_status s = status == CUDNN_STATUS_ALLOC_FAILED ? ODLA_OUT_OF_MEMORY : ODLA_FAILURE;
  throw RtError(CudnnText(status, call), s);
}

void CheckOrReject(cudnnStatus_t status, const char* call) {
  if (status >= CUDNN_STATUS_BAD_PARAM && status < CUDNN_STATUS_INTERNAL_ERROR)
    Reject(CudnnText(status, call));
  Check(status, call);
}

void CheckLaunch(const char* kernel) { Check(cudaGetLastError(), kernel); }

namespace {

class CudaDevice : public odla_rt::Device {
 public:
  const char* Name() const override { return "cuda"; }

  void* Alloc(size_t bytes) override {
    if (bytes == 0) return nullptr;
    RequireDevice();
    std::unique_lock<std::shared_mutex> device_wide(CaptureLock());
    void* p = nullptr;
    ODLA_CUDA_CALL(cudaMalloc, &p, bytes);
    return p;
  }

  // Called from deleters: errors (at process exit, the runtime may be unloading) are ignored.
  void Free(void* p) override {
    if (!p) return;
    std::unique_lock<std::shared_mutex> device_wide(CaptureLock());
    cudaFree(p);
    cudaGetLastError();  // an error here must not fail a later launch of this thread
  }

  void* NewStream() override {
    RequireDevice();
    std::unique_lock<std::shared_mutex> device_wide(CaptureLock());
    auto s = std::make_unique<Stream>();
    try {
      ODLA_CUDA_CALL(cudaStreamCreateWithFlags, &s->stream, cudaStreamNonBlocking);
      ODLA_CUDA_CALL(cublasCreate, &s->cublas);
      ODLA_CUDA_CALL(cublasSetStream, s->cublas, s->stream);
      ODLA_CUDA_CALL(cudaMalloc, &s->cublas_workspace, kCublasWorkspace);
      ODLA_CUDA_CALL(cublasSetWorkspace, s->cublas, s->cublas_workspace, kCublasWorkspace);
      ODLA_CUDA_CALL(cudnnCreate, &s->cudnn);
      ODLA_CUDA_CALL(cudnnSetStream, s->cudnn, s->stream);
    } catch (...) {
      device_wide.unlock();
      DestroyStream(s.release());
      throw;
    }
    return s.release();
  }

  void DestroyStream(void* stream) override {
    auto* s = static_cast<Stream*>(stream);
    if (!s) return;
    std::unique_lock<std::shared_mutex> device_wide(CaptureLock());
    if (s->stream) cudaStreamSynchronize(s->stream);
    for (int i = 0; i < 2; ++i) {
      if (s->staging[i]) cudaFreeHost(s->staging[i]);
      if (s->staged[i]) cudaEventDestroy(s->staged[i]);
    }
    if (s->cudnn) cudnnDestroy(s->cudnn);
    if (s->cublas) cublasDestroy(s->cublas);
    if (s->cublas_workspace) cudaFree(s->cublas_workspace);
    if (s->stream) cudaStreamDestroy(s->stream);
    delete s;
    cudaGetLastError();  // errors are ignored here, and must not fail a later launch
  }

  // The sources are the caller's arguments (unchanged until the execution ends) or host
  // results in pageable memory, which cudaMemcpyAsync stages before it returns; or, with
  // ODLA_CUDA_PINNED=1, which this copies into the stream's page-locked staging buffers.
  void ToDevice(void* stream, void* dst, const void* src, size_t bytes) override {
    auto* s = static_cast<Stream*>(stream);
    if (!PinnedStaging()) {
      ODLA_CUDA_CALL(cudaMemcpyAsync, dst, src, bytes, cudaMemcpyHostToDevice, s->stream);
      return;
    }
    for (size_t done = 0; done < bytes;) {
      size_t n = std::min(kStaging, bytes - done);
      int k = s->next_staging;
      s->next_staging ^= 1;
      if (!s->staging[k]) {
        ODLA_CUDA_CALL(cudaHostAlloc, &s->staging[k], kStaging, cudaHostAllocDefault);
        ODLA_CUDA_CALL(cudaEventCreateWithFlags, &s->staged[k], cudaEventDisableTiming);
      }
      // The buffer's last copy is done (at once for an event never recorded).
      ODLA_CUDA_CALL(cudaEventSynchronize, s->staged[k]);
      std::memcpy(s->staging[k], static_cast<const char*>(src) + done, n);
      ODLA_CUDA_CALL(cudaMemcpyAsync, static_cast<char*>(dst) + done, s->staging[k], n,
                     cudaMemcpyHostToDevice, s->stream);
      ODLA_CUDA_CALL(cudaEventRecord, s->staged[k], s->stream);
      done += n;
    }
  }

  void ToHost(void* stream, void* dst, const void* src, size_t bytes) override {
    cudaStream_t s = static_cast<Stream*>(stream)->stream;
    ODLA_CUDA_CALL(cudaMemcpyAsync, dst, src, bytes, cudaMemcpyDeviceToHost, s);
    ODLA_CUDA_CALL(cudaStreamSynchronize, s);
  }

  void Sync(void* stream) override {
    ODLA_CUDA_CALL(cudaStreamSynchronize, static_cast<Stream*>(stream)->stream);
  }

  // cudaMemcpy from pageable memory may return before the bytes reach the device, and the
  // contexts' streams do not wait for the legacy default stream: wait for it here.
  void Upload(void* dst, const void* src, size_t bytes) override {
    RequireDevice();
    std::unique_lock<std::shared_mutex> device_wide(CaptureLock());
    ODLA_CUDA_CALL(cudaMemcpy, dst, src, bytes, cudaMemcpyHostToDevice);
    ODLA_CUDA_CALL(cudaStreamSynchronize, cudaStreamLegacy);
  }

  // Thread-local capture mode: other threads' CUDA calls (other contexts) go on as usual.
  void* Capture(void* stream, const std::function<void()>& run) override {
    cudaStream_t s = static_cast<Stream*>(stream)->stream;
    std::shared_lock<std::shared_mutex> capturing(CaptureLock());
    ODLA_CUDA_CALL(cudaStreamBeginCapture, s, cudaStreamCaptureModeThreadLocal);
    cudaGraph_t graph = nullptr;
    try {
      run();
    } catch (...) {
      cudaStreamEndCapture(s, &graph);  // ends the capture; the partial graph is dropped
      if (graph) cudaGraphDestroy(graph);
      cudaGetLastError();
      throw;
    }
    ODLA_CUDA_CALL(cudaStreamEndCapture, s, &graph);
    cudaGraphExec_t exec = nullptr;
    cudaError_t status = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    Check(status, "cudaGraphInstantiate");
    return exec;
  }

  void Replay(void* stream, void* graph) override {
    ODLA_CUDA_CALL(cudaGraphLaunch, static_cast<cudaGraphExec_t>(graph),
                   static_cast<Stream*>(stream)->stream);
  }

  // Called from deleters, after the context's stream has finished: errors are ignored.
  void DestroyGraph(void* graph) override {
    if (graph) cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(graph));
  }

  // ODLA_PROFILE's marks: CUDA events (with timing).
  void* NewMark() override {
    cudaEvent_t e = nullptr;
    ODLA_CUDA_CALL(cudaEventCreate, &e);
    return e;
  }

  void DestroyMark(void* mark) override {
    if (mark) cudaEventDestroy(static_cast<cudaEvent_t>(mark));
  }

  void RecordMark(void* stream, void* mark) override {
    ODLA_CUDA_CALL(cudaEventRecord, static_cast<cudaEvent_t>(mark),
                   static_cast<Stream*>(stream)->stream);
  }

  double ElapsedMs(void* from, void* to) override {
    float ms = 0;
    ODLA_CUDA_CALL(cudaEventElapsedTime, &ms, static_cast<cudaEvent_t>(from),
                   static_cast<cudaEvent_t>(to));
    return ms;
  }

 private:
  static constexpr size_t kCublasWorkspace = size_t(32) << 20;
  static constexpr size_t kStaging = size_t(4) << 20;  // per staging buffer

  static bool PinnedStaging() {
    static const bool pinned = odla_rt::Env("ODLA_CUDA_PINNED") == "1";
    return pinned;
  }
};

bool Verbose() {
  static const bool verbose = odla_rt::EnvFlag("ODLA_CUDA_VERBOSE");
  return verbose;
}

// Whether ODLA_CUDA_HOST_OPS (a comma-separated list of op names, spaces around them
// ignored, read at each build) sends `op` to the host: a way around a GPU kernel's fault
// without rebuilding.
bool SentToHost(const char* op) {
  std::stringstream list(odla_rt::Env("ODLA_CUDA_HOST_OPS"));
  for (std::string name; std::getline(list, name, ',');) {
    const size_t b = name.find_first_not_of(" \t"), e = name.find_last_not_of(" \t");
    if (b != std::string::npos && name.compare(b, e - b + 1, op) == 0) return true;
  }
  return false;
}

template <typename R>
R TryBody(const char* op, odla_value_id id, const std::function<R()>& body,
          const std::function<R()>& fallback) {
  std::string name = std::string("odla_") + op;
  auto run = [&] {
    try {
      if (SentToHost(op)) Reject("listed in ODLA_CUDA_HOST_OPS");
      return body();
    } catch (const Unsupported& e) {
      if (Verbose())
        std::cerr << "libodla_cuda: " << op << " runs on the host: " << e.what() << "\n";
    }
    return fallback();
  };
  if constexpr (std::is_same_v<R, odla_value>)
    return odla_rt::Guard(name.c_str(), id, run);
  else
    return odla_rt::GuardN(name.c_str(), id, run);
}

}  // namespace

odla_rt::Device& TheDevice() {
  static CudaDevice device;
  return device;
}

std::shared_ptr<void> UploadTable(const void* data, size_t bytes) {
  odla_rt::Device& device = TheDevice();
  std::shared_ptr<void> p(device.Alloc(bytes), [](void* q) { TheDevice().Free(q); });
  device.Upload(p.get(), data, bytes);
  return p;
}

odla_value Try(const char* op, odla_value_id id, const std::function<odla_value()>& body,
               const std::function<odla_value()>& fallback) {
  return TryBody<odla_value>(op, id, body, fallback);
}

odla_values TryN(const char* op, odla_value_id id, const std::function<odla_values()>& body,
                 const std::function<odla_values()>& fallback) {
  return TryBody<odla_values>(op, id, body, fallback);
}

void RequireF32(const odla_value_type& t) {
  if (t.element_type != ODLA_FLOAT32) Reject("element type ", odla_rt::TypeToString(t));
  if (odla_rt::NumElements(t.shape) == 0) Reject("empty value ", odla_rt::TypeToString(t));
}

void RequireF32(std::initializer_list<odla_value> values) {
  for (odla_value v : values)
    if (v) RequireF32(v->type);
}

std::vector<odla_value> AddCudaOp(const std::string& op, const std::vector<odla_value>& inputs,
                                  const std::vector<odla_value_type>& result_types,
                                  size_t scratch_bytes, odla_value_id id, odla_rt::Kernel kernel,
                                  const std::vector<bool>& data_dependent) {
  RequireDevice();
  return odla_rt::AddDeviceOp(TheDevice(), op, inputs, result_types, scratch_bytes, id,
                              std::move(kernel), data_dependent);
}

std::shared_mutex& CaptureLock() {
  static std::shared_mutex lock;
  return lock;
}

static std::mutex build_mutex;

BuildCudnn::BuildCudnn() : lock_(build_mutex) {
  static cudnnHandle_t handle = nullptr;
  if (!handle) {
    RequireDevice();
    ODLA_CUDA_CALL(cudnnCreate, &handle);
  }
  handle_ = handle;
}

std::vector<int64_t> ValueDims(odla_value v) { return odla_rt::Dims(v->type.shape); }
std::vector<int64_t> TypeDims(const odla_value_type& t) { return odla_rt::Dims(t.shape); }

TensorDesc::TensorDesc() { ODLA_CUDA_CALL(cudnnCreateTensorDescriptor, &d); }
TensorDesc::~TensorDesc() { cudnnDestroyTensorDescriptor(d); }

void TensorDesc::Set(std::vector<int64_t> dims) {
  if (dims.empty() || dims.size() > CUDNN_DIM_MAX) Reject("rank ", dims.size());
  while (dims.size() < 4) dims.push_back(1);
  int rank = static_cast<int>(dims.size());
  std::vector<int> d32(rank), strides(rank);
  int64_t stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    if (dims[i] > INT32_MAX || stride > INT32_MAX) Reject("dimensions beyond int");
    d32[i] = static_cast<int>(dims[i]);
    strides[i] = static_cast<int>(stride);
    stride *= dims[i];
  }
  CheckOrReject(cudnnSetTensorNdDescriptor(d, CUDNN_DATA_FLOAT, rank, d32.data(), strides.data()),
                "cudnnSetTensorNdDescriptor");
}

CudaAct ParseCudaAct(const char* name, float alpha, float beta) {
  odla_rt::Activation a = odla_rt::ParseActivation(name ? name : "", alpha, beta);
  return {static_cast<int>(a.kind), a.alpha, a.beta};
}

}  // namespace odla_cuda
