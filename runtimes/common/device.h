// Device memory in the shared runtime machinery: a runtime whose operators run on a device
// with memory of its own (libodla_cuda) adds them with AddDeviceOp. Their inputs and results
// live in device memory; every other op (AddOp, AddLayoutOp: the shared builders the runtime
// does not override) runs on the host, as in a host runtime. Where a value crosses between
// the two, the runtime adds a copy op at build time: "ToDevice" (an argument or a host result
// that a device op reads), "ToHost" (a device result that a host op reads). A constant that a
// device op reads is uploaded once, when that op is built. Outputs on the device are copied
// straight into the caller's buffers at the end of odla_ExecuteComputation.
//
// Memory: a context's device results get device memory (the compiler's arena, its offsets
// kept, plus a buffer of their own for the others), allocated at its first execution and
// reused; host results keep host memory. Each context has one device stream (Device::Stream),
// made with its memory; device kernels get it as KernelArgs::stream, and the execution waits
// for it before returning.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime.h"

namespace odla_rt {

// A device's memory and streams. One object per device runtime, alive for the process;
// every method may be called from several threads at once. Failures throw RtError.
class Device {
 public:
  virtual ~Device() = default;
  virtual const char* Name() const = 0;
  virtual void* Alloc(size_t bytes) = 0;  // device memory (NULL for 0 bytes)
  virtual void Free(void* p) = 0;
  // A new stream with the state device kernels need (library handles, ...); freed with
  // DestroyStream. Kernels get it as KernelArgs::stream.
  virtual void* NewStream() = 0;
  virtual void DestroyStream(void* stream) = 0;
  // Copies on `stream`, in order with its kernels. ToDevice may return before the copy is
  // done but the source may be reused at once; ToHost returns when the bytes are on the host.
  virtual void ToDevice(void* stream, void* dst, const void* src, size_t bytes) = 0;
  virtual void ToHost(void* stream, void* dst, const void* src, size_t bytes) = 0;
  // Waits for all work queued on `stream`.
  virtual void Sync(void* stream) = 0;
  // Copies host bytes to device memory outside any context (constants at build time).
  virtual void Upload(void* dst, const void* src, size_t bytes) = 0;

  // Graphs (graphs.h): Capture records the work that run() queues on `stream` without doing
  // it, and returns an executable graph of it, or NULL where the device cannot capture (the
  // default). If run() throws, the capture is discarded and the exception passed on. Replay
  // queues the graph's work on `stream`; DestroyGraph frees it.
  virtual void* Capture(void* stream, const std::function<void()>& run) {
    (void)stream, (void)run;
    return nullptr;
  }
  virtual void Replay(void* stream, void* graph) { (void)stream, (void)graph; }
  virtual void DestroyGraph(void* graph) { (void)graph; }

  // Profiling (profile.h): a mark that RecordMark queues on `stream`, and the milliseconds
  // from one mark to another once the stream has passed both. NewMark returns NULL where the
  // device cannot time its work (the default).
  virtual void* NewMark() { return nullptr; }
  virtual void DestroyMark(void* mark) { (void)mark; }
  virtual void RecordMark(void* stream, void* mark) { (void)stream, (void)mark; }
  virtual double ElapsedMs(void* from, void* to) {
    (void)from, (void)to;
    return 0;
  }
};

// Adds an op that runs on `device` to the current computation (a computation has at most one
// device). Its inputs are the device copies of `inputs` (made as described above; NULL stays
// NULL), its results live in device memory, and its kernel gets device pointers, the
// context's stream and `scratch_bytes` of device scratch memory. Results flagged in
// `data_dependent` have data-dependent dimensions, as with AddOp: the kernel sets their actual
// shapes, which it must first read back from the device, so the op is never captured in a
// graph.
std::vector<odla_value> AddDeviceOp(Device& device, const std::string& op,
                                    const std::vector<odla_value>& inputs,
                                    const std::vector<odla_value_type>& result_types,
                                    size_t scratch_bytes, odla_value_id id, Kernel kernel,
                                    const std::vector<bool>& data_dependent = {});

inline odla_value AddDeviceOp1(Device& device, const std::string& op,
                               const std::vector<odla_value>& inputs,
                               const odla_value_type& result_type, size_t scratch_bytes,
                               odla_value_id id, Kernel kernel) {
  return AddDeviceOp(device, op, inputs, {result_type}, scratch_bytes, id, std::move(kernel))[0];
}

// Marks the device op that produced `result` as one whose kernel cannot be captured in a
// graph (it waits for the device, or copies from pageable host memory): it runs on its own,
// between graphs.
void SetNotCapturable(odla_value result);

// Whether v lives in device memory (a device op's result or a constant's device copy).
bool OnDevice(odla_value v);

}  // namespace odla_rt
