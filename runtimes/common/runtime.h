// Shared machinery of ODLA runtimes: computations, values, contexts, execution, errors.
// An operator builder (odla_Add, ...) checks its inputs, then calls AddOp() with a kernel
// closure; execution runs the kernels in order over per-context buffers.
#pragma once

#include <odla/odla.h>

#include <cstring>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace odla_rt {
struct Layout;
}

struct _odla_value {
  odla_value_type type;
  std::string id;
  int index = -1;                    // position in the computation's value list
  const void* const_data = nullptr;  // constants
  int arg_index = -1;                // arguments
  bool data_dependent = false;       // its type's shape bounds the actual one (see AddOp)
  int64_t arena_offset = -1;         // op results placed by odla_SetValueArenaOffset
  // How the buffer holds the elements when not dense row-major (null: plain); see Layout.
  std::shared_ptr<const odla_rt::Layout> layout;
  odla_value plain = nullptr;  // its plain copy, once a consumer that needs one was added
  // Device memory (device.h): whether the value lives there, and its copy on the other side
  // once an op there reads it (a device constant's host_copy is the constant it copies).
  bool on_device = false;
  odla_value device_copy = nullptr, host_copy = nullptr;
};

namespace odla_rt {

// Thrown by builders and kernels; turned into a status and an error text at the API edge.
struct RtError : std::runtime_error {
  explicit RtError(const std::string& m, odla_status s = ODLA_FAILURE)
      : std::runtime_error(m), status(s) {}
  odla_status status;
};

template <typename... A>
[[noreturn]] void Fail(const A&... a) {
  std::ostringstream os;
  (os << ... << a);
  throw RtError(os.str(), ODLA_INVALID_PARAM);
}

// Kernel arguments: input and output buffers in the order the op was built with, and the
// actual shapes of the results, preset to their types' shapes.
struct KernelArgs {
  const void* const* in;
  void* const* out;
  odla_value_shape* out_shapes;
  void* scratch = nullptr;  // the op's per-context scratch memory (see AddLayoutOp)
  void* stream = nullptr;   // the context's device stream (device.h), else NULL
  // Sets the actual shape of data-dependent result i (the rank stays; no dimension may
  // exceed the bound, its type's). The kernel writes the result densely in that shape.
  void SetOutShape(int i, const std::vector<int64_t>& dims) const;
  template <typename T>
  const T* In(int i) const {
    return static_cast<const T*>(in[i]);
  }
  template <typename T>
  T* Out(int i) const {
    return static_cast<T*>(out[i]);
  }
};
using Kernel = std::function<void(const KernelArgs&)>;

struct OpNode {
  std::string op;
  std::vector<odla_value> inputs;  // may hold nullptr for absent optional inputs
  std::vector<odla_value> outputs;
  Kernel kernel;
  size_t scratch_bytes = 0;
  bool on_device = false;  // added by AddDeviceOp (device.h)
  bool capturable = true;  // a device op that a graph may hold (graphs.h)
};

// A runtime-specific arrangement of a value's elements in its buffer (blocked, padded, ...),
// set by the op that produces the value. Only ops added with AddLayoutOp see such buffers:
// AddOp, and odla_SetValueAsOutput, give every other consumer the value's plain copy, made
// by one conversion op added when the first such consumer is added.
struct Layout {
  virtual ~Layout() = default;
  virtual size_t Bytes() const = 0;  // the buffer size
  // The kernel that writes input 0, in this layout, densely as `type` into output 0.
  virtual Kernel ToPlain(const odla_value_type& type) const = 0;
};
using LayoutPtr = std::shared_ptr<const Layout>;

size_t ElementSize(odla_element_type t);
int64_t NumElements(const odla_value_shape& s);
inline size_t ByteSize(const odla_value_type& t) {
  return ElementSize(t.element_type) * NumElements(t.shape);
}
std::string TypeToString(const odla_value_type& t);
std::vector<int64_t> Dims(const odla_value_shape& s);
odla_value_shape MakeShape(const std::vector<int64_t>& d);
inline bool SameType(const odla_value_type& a, const odla_value_type& b) {
  return a.element_type == b.element_type && Dims(a.shape) == Dims(b.shape);
}

// The computation the calling thread builds into (odla_CreateComputation sets it).
odla_computation Current();

// The precision the current computation computes in: what its runtime honours of the
// odla_SetComputationPrecision request (fp32 by default).
odla_precision CurrentPrecision();
// Records precision p as honoured for c (checks c, p, and that c has no operators yet).
void SetPrecision(odla_computation c, odla_precision p);
// Prints "libodla_NAME: <why>; computing in fp32" on stderr, once per process.
void PrecisionNotice(const std::string& why);

// The runtimes' settings in the environment (halo --help lists them): the value of `name`,
// "" when unset; and whether `name` is set to something other than "" and "0".
std::string Env(const char* name);
bool EnvFlag(const char* name);

// Adds an op to the current computation: its results get the given types. Returns the
// result values. Results flagged in `data_dependent` have data-dependent dimensions: their
// types are bounds and the kernel sets their actual shapes (KernelArgs::SetOutShape); such a
// value can only be a computation output. Throws RtError if an input is one.
std::vector<odla_value> AddOp(const std::string& op, const std::vector<odla_value>& inputs,
                              const std::vector<odla_value_type>& result_types, odla_value_id id,
                              Kernel kernel, const std::vector<bool>& data_dependent = {});

// Adds an op whose kernel takes its inputs in their layouts (each input's `layout`) and
// writes result i in result_layouts[i] (plain where null or absent); the kernel gets
// `scratch_bytes` of scratch memory (64-byte aligned) of its own in each context.
std::vector<odla_value> AddLayoutOp(const std::string& op, const std::vector<odla_value>& inputs,
                                    const std::vector<odla_value_type>& result_types,
                                    const std::vector<LayoutPtr>& result_layouts,
                                    size_t scratch_bytes, odla_value_id id, Kernel kernel);

// The plain form of v: v itself, or its plain copy (added on first use).
odla_value Plain(odla_value v);

// Runs a builder body: returns its value, or records the error (status, thread error text,
// the computation's first error) and returns NULL / an empty odla_values.
odla_value Guard(const char* op, odla_value_id id, const std::function<odla_value()>& body);
odla_values GuardN(const char* op, odla_value_id id, const std::function<odla_values()>& body);
odla_status GuardStatus(const std::function<void()>& body);

odla_values ToValues(const std::vector<odla_value>& v);
std::vector<odla_value> FromValues(const odla_values& v);
std::vector<odla_value_type> FromTypes(const odla_value_types& t);
std::vector<int64_t> FromInts(const odla_ints& v);
std::vector<float> FromFloats(const odla_floats& v);

// Checks helpers for builders.
void CheckInput(odla_value v, const char* what);
void CheckSameElementType(odla_value a, odla_value b);

// The current thread's error text.
void SetLastError(const std::string& s);

// Runs fn(begin, end) over [0, n) split into chunks on the shared thread pool. Chunks are
// at least `grain` long. Calls from a pool thread run inline.
void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
int NumThreads();

// Runs fn(0) .. fn(chunks - 1) on NumThreads() threads and returns when all are done (fn does
// not throw: ParallelFor catches its chunks' exceptions and rethrows the first). A runtime
// whose library has threads of its own sets one, and ParallelFor's chunks run there instead
// of on the shared pool (libodla_dnnl: OpenMP's, which oneDNN's primitives use;
// libodla_xnnpack: its pthreadpool).
using ParallelRunner = void (*)(int64_t chunks, const std::function<void(int64_t)>& fn);
void SetParallelRunner(ParallelRunner runner);

}  // namespace odla_rt
