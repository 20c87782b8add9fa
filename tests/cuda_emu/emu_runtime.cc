// The CUDA runtime calls of the emulation: device memory is host memory (filled with 0xff
// bytes when allocated: NaNs as floats), a stream runs its work at once (so synchronisation
// has nothing to wait for) or records it while captured, and a graph replays what was
// recorded. As CUDA in cudaStreamCaptureModeThreadLocal, calls
// that a capture does not allow (a synchronous copy, a synchronisation, an allocation by the
// capturing thread) fail and invalidate the capture.
#include <chrono>
#include <cstdlib>
#include <vector>

#include "cuda_emu.h"

struct CUstream_st {
  bool capturing = false, invalidated = false;
  std::vector<std::function<void()>> recorded;
};
struct CUevent_st {
  bool recorded = false;
  std::chrono::steady_clock::time_point when;
};
struct CUgraph_st {
  std::vector<std::function<void()>> work;
};
struct CUgraphExec_st {
  std::vector<std::function<void()>> work;
};

namespace cuda_emu {
namespace {

thread_local cudaError_t last_error = cudaSuccess;
thread_local CUstream_st* capturing = nullptr;  // the stream this thread captures

cudaError_t Fail(cudaError_t e) {
  last_error = e;
  return e;
}

// A call the running capture does not allow: it fails and invalidates the capture.
bool ForbiddenInCapture() {
  if (!capturing) return false;
  capturing->invalidated = true;
  return true;
}

}  // namespace

bool IsOwnStream(cudaStream_t s) {
  return s != nullptr && s != cudaStreamLegacy && s != cudaStreamPerThread;
}

void Enqueue(cudaStream_t s, std::function<void()> work, bool computation) {
  static const bool no_work = [] {
    const char* e = std::getenv("CUDA_EMU_NO_WORK");
    return e && std::string(e) == "1";
  }();
  if (computation && no_work) work = [] {};
  if (IsOwnStream(s) && s->capturing) {
    s->recorded.push_back(std::move(work));
    return;
  }
  if (capturing && !IsOwnStream(s)) {  // the legacy stream while capturing
    capturing->invalidated = true;
    Fail(cudaErrorStreamCaptureImplicit);
    return;
  }
  work();
}

void SetLastError(cudaError_t e) { last_error = e; }

}  // namespace cuda_emu

using cuda_emu::Enqueue;
using cuda_emu::Fail;
using cuda_emu::ForbiddenInCapture;
using cuda_emu::IsOwnStream;

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}

cudaError_t cudaGetLastError() {
  cudaError_t e = cuda_emu::last_error;
  cuda_emu::last_error = cudaSuccess;
  return e;
}

const char* cudaGetErrorName(cudaError_t e) {
  switch (e) {
    case cudaSuccess:
      return "cudaSuccess";
    case cudaErrorInvalidValue:
      return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation:
      return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration:
      return "cudaErrorInvalidConfiguration";
    case cudaErrorStreamCaptureUnsupported:
      return "cudaErrorStreamCaptureUnsupported";
    case cudaErrorStreamCaptureInvalidated:
      return "cudaErrorStreamCaptureInvalidated";
    case cudaErrorStreamCaptureImplicit:
      return "cudaErrorStreamCaptureImplicit";
    case cudaErrorIllegalState:
      return "cudaErrorIllegalState";
    default:
      return "cudaError (emulated)";
  }
}

const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess:
      return "no error";
    case cudaErrorInvalidConfiguration:
      return "invalid configuration argument";
    case cudaErrorStreamCaptureUnsupported:
      return "operation not permitted when stream is capturing";
    case cudaErrorStreamCaptureInvalidated:
      return "operation failed due to a previous error during capture";
    case cudaErrorStreamCaptureImplicit:
      return "operation would make the legacy stream depend on a capturing blocking stream";
    default:
      return "emulated CUDA error";
  }
}

cudaError_t cudaMalloc(void** p, size_t bytes) {
  *p = nullptr;
  if (ForbiddenInCapture()) return Fail(cudaErrorStreamCaptureUnsupported);
  // 256-byte aligned, as cudaMalloc's, and not rounded up: the ASan build sees a read past
  // the end.
  if (bytes && posix_memalign(p, 256, bytes) != 0) {
    *p = nullptr;
    return Fail(cudaErrorMemoryAllocation);
  }
  // Not zeros, which GPU memory often happens to hold: reads of what no one wrote are NaNs.
  if (*p) std::memset(*p, 0xff, bytes);
  return cudaSuccess;
}

cudaError_t cudaFree(void* p) {
  std::free(p);
  return cudaSuccess;
}

cudaError_t cudaHostAlloc(void** p, size_t bytes, unsigned int) { return cudaMalloc(p, bytes); }

cudaError_t cudaFreeHost(void* p) { return cudaFree(p); }

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind) {
  if (ForbiddenInCapture()) return Fail(cudaErrorStreamCaptureImplicit);
  std::memcpy(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind,
                            cudaStream_t s) {
  Enqueue(
      s, [=] { std::memcpy(dst, src, bytes); }, false);
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t s) {
  Enqueue(
      s, [=] { std::memset(p, value, bytes); }, false);
  return cudaSuccess;
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned int) {
  *s = new CUstream_st;
  return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t s) {
  if (IsOwnStream(s)) delete s;
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t s) {
  if ((IsOwnStream(s) && s->capturing) || ForbiddenInCapture()) {
    if (IsOwnStream(s)) s->invalidated = true;
    return Fail(cudaErrorStreamCaptureUnsupported);
  }
  return cudaSuccess;
}

cudaError_t cudaStreamBeginCapture(cudaStream_t s, cudaStreamCaptureMode) {
  if (!IsOwnStream(s) || s->capturing || cuda_emu::capturing) return Fail(cudaErrorIllegalState);
  s->capturing = true;
  s->invalidated = false;
  s->recorded.clear();
  cuda_emu::capturing = s;
  return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t s, cudaGraph_t* graph) {
  *graph = nullptr;
  if (!IsOwnStream(s) || !s->capturing) return Fail(cudaErrorIllegalState);
  s->capturing = false;
  cuda_emu::capturing = nullptr;
  if (s->invalidated) {
    s->recorded.clear();
    return Fail(cudaErrorStreamCaptureInvalidated);
  }
  *graph = new CUgraph_st{std::move(s->recorded)};
  s->recorded.clear();
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
  *exec = new CUgraphExec_st{graph->work};
  return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t s) {
  for (const auto& w : exec->work) Enqueue(s, w, false);  // (skipped when recorded)
  return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  delete graph;
  return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  delete exec;
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* e) {
  *e = new CUevent_st;
  return cudaSuccess;
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* e, unsigned int) { return cudaEventCreate(e); }

cudaError_t cudaEventDestroy(cudaEvent_t e) {
  delete e;
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s) {
  Enqueue(
      s,
      [e] {
        e->recorded = true;
        e->when = std::chrono::steady_clock::now();
      },
      false);
  return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t) {
  if (ForbiddenInCapture()) return Fail(cudaErrorStreamCaptureUnsupported);
  return cudaSuccess;
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t from, cudaEvent_t to) {
  if (!from->recorded || !to->recorded) return Fail(cudaErrorInvalidResourceHandle);
  *ms = std::chrono::duration<float, std::milli>(to->when - from->when).count();
  return cudaSuccess;
}
