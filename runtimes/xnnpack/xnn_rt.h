// Shared machinery of libodla_xnnpack: XNNPACK's initialisation and thread pool, the NHWC
// layout an XNNPACK result keeps for its XNNPACK consumers, and XOp, an XNNPACK operator
// created once at build time (weights packed once) and set up and run per execution.
#pragma once

#include <xnnpack.h>

#include <memory>
#include <mutex>

#include "../common/builder.h"

// Marks a file of builders for xnn_runtime.cc's table (the static library links them all).
#define ODLA_XNN_FILE(F) extern "C" const char odla_xnn_file_##F = 0;

namespace odla_xnn {

using Dims = std::vector<int64_t>;

using odla_rt::Reject;
using odla_rt::Unsupported;

// Rejects unless s is xnn_status_success.
void Check(xnn_status s, const char* what);

// Runs an XNNPACK builder body; returns NULL (after logging why when ODLA_XNN_VERBOSE is set)
// if it rejects the case: the caller then runs the ref builder.
odla_value Try(const char* op, const std::function<odla_value()>& body);

// Rejects all but non-empty float32 values of rank 4 (NULL passes).
void RequireF32x4(std::initializer_list<odla_value> values);

// XNNPACK's thread pool: ODLA_NUM_THREADS threads (NULL: the calling thread alone).
pthreadpool_t Pool();

// A rank-4 value [N, C, H, W] stored as [N, H, W, C], with XNN_EXTRA_BYTES of slack after
// the elements (XNNPACK's kernels may read that far).
class NhwcLayout : public odla_rt::Layout {
 public:
  explicit NhwcLayout(const Dims& nchw) : dims_(nchw) {}
  size_t Bytes() const override;
  odla_rt::Kernel ToPlain(const odla_value_type& type) const override;

 private:
  Dims dims_;
};

// Whether v's buffer is NHWC.
bool IsNhwc(odla_value v);
// The layout of an XNNPACK result of type t.
odla_rt::LayoutPtr Nhwc(const odla_value_type& t);
// The padded size of an NHWC copy of v (scratch).
size_t NhwcBytes(odla_value v);

// Dense NCHW <-> NHWC copies of n images of c channels of hw pixels.
void NchwToNhwc(const float* src, float* dst, int64_t n, int64_t c, int64_t hw);
void NhwcToNchw(const float* src, float* dst, int64_t n, int64_t c, int64_t hw);

// Input `index` (value v) in NHWC at run time: its buffer if v is NHWC, else an NHWC copy
// made in the scratch memory at `offset`.
struct NhwcInput {
  int index = 0;
  bool copy = false;
  size_t offset = 0;
  Dims dims;  // NCHW
  const float* Get(const odla_rt::KernelArgs& a) const;
};
// Plans input `index` (value v); grows `scratch` by the copy when one is needed.
NhwcInput PlanInput(int index, odla_value v, size_t& scratch);

// An XNNPACK operator; XNNPACK operators hold the pointers of their last setup, so contexts
// that run the same computation at once take turns.
struct XOp {
  xnn_operator_t op = nullptr;
  std::mutex mu;
  XOp() = default;
  XOp(const XOp&) = delete;
  ~XOp() { xnn_delete_operator(op); }
};
using XOpPtr = std::shared_ptr<XOp>;
XOpPtr NewOp();

Dims ValueDims(odla_value v);

}  // namespace odla_xnn

namespace odla_xnn {

// Sets op up (setup(op->op)) and runs it on Pool(), holding op's lock.
template <typename Setup>
void Run(XOp& op, const char* what, Setup setup) {
  std::lock_guard<std::mutex> lock(op.mu);
  xnn_status s = setup(op.op);
  if (s == xnn_status_success) s = xnn_run_operator(op.op, Pool());
  if (s != xnn_status_success)
    throw odla_rt::RtError(std::string("XNNPACK ") + what + " failed (status " +
                           std::to_string(static_cast<int>(s)) + ")");
}

// Adds an XNNPACK op: its single result in NHWC.
odla_value AddNhwcOp(const std::string& op, const std::vector<odla_value>& inputs,
                     const odla_value_type& result, size_t scratch, odla_value_id id,
                     odla_rt::Kernel kernel);

// The spatial attributes of a 2-D window (ONNX pads: top, left, bottom, right); empty
// lists get defaults (stride and dilation 1, pads 0).
struct Window {
  uint32_t stride[2], dilation[2], pad[4];
};
Window MakeWindow(const odla_ints& strides, const odla_ints& dilations, const odla_ints& pads);

// The output range [lo, hi] that computes a fused activation (none, Relu, Clip); rejects
// the others.
void OutputRange(const char* activation, float alpha, float beta, float& lo, float& hi);

// An element-wise XNNPACK op (Sigmoid, HardSwish, LeakyRelu, Elu, a clamp) over a flat buffer.
struct UnaryOp {
  XOpPtr op;
  xnn_status (*setup)(xnn_operator_t, size_t, const float*, float*, pthreadpool_t) = nullptr;
  explicit operator bool() const { return op != nullptr; }
  // y[0..n) = f(x[0..n)); y may be x.
  void Run(size_t n, const float* x, float* y) const;
};
// The op of a fused activation that no output range computes (none: empty).
UnaryOp ActivationOp(const char* activation, float alpha, float beta);
// The op of `kind` (ActKind's Sigmoid, HardSwish (alpha 1/6, beta 1/2), LeakyRelu, Elu).
UnaryOp MakeUnary(int kind, float alpha, float beta);

}  // namespace odla_xnn
