// Shared machinery of libodla_dnnl: the oneDNN engine, memory descriptors of ODLA values,
// the blocked layout a oneDNN result keeps for its oneDNN consumers, and Plan, the kernel of
// a oneDNN op (primitives created once at build time, constants reordered once).
#pragma once

#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

#include "../common/builder.h"

// Marks a file of builders for dnnl_runtime.cc's table (the static library links them all).
#define ODLA_DNNL_FILE(F) extern "C" const char odla_dnnl_file_##F = 0;

namespace odla_dnnl {

using dnnl::memory;
using Dims = memory::dims;

dnnl::engine& Engine();

using odla_rt::Reject;
using odla_rt::Unsupported;

// Runs a oneDNN builder body; returns NULL (after logging why when ODLA_DNNL_VERBOSE is set)
// if it rejects the case or oneDNN cannot create a primitive for it.
odla_value Try(const char* op, const std::function<odla_value()>& body);
odla_values TryN(const char* op, const std::function<odla_values()>& body);

// Whether oneDNN's instruction set computes bf16 natively (AVX512-BF16 or AMX).
bool CpuHasBf16();
// Whether the current computation computes its products in bf16 (odla_SetComputationPrecision
// honoured: the request on a CPU with bf16 instructions).
bool UseBf16();
// For builders with a bf16 form (conv, matmul): body(true) when UseBf16(), then body(false)
// when that was not possible, then NULL (as Try).
odla_value TryPrecision(const char* op, const std::function<odla_value(bool bf16)>& body);

// Rejects all but float32 values (NULL passes).
void RequireF32(std::initializer_list<odla_value> values);

// Dense row-major float32 descriptor of `dims` (a scalar as [1]); strides follow `order`
// (outermost first) when given, so a transposed view is described without a copy.
memory::desc PlainMd(const Dims& dims, const std::vector<int>& order = {});
// md with element type t (same dimensions and strides; blocked layouts keep their blocks).
memory::desc WithType(const memory::desc& md, memory::data_type t);
// The descriptor of v's buffer: its oneDNN layout's, else plain.
memory::desc MdOf(odla_value v);
// Reshapes v's descriptor to `rank` by leading 1s.
memory::desc MdOfRank(odla_value v, int rank);

// The layout of a result in md: NULL when md is the plain one of its type.
odla_rt::LayoutPtr LayoutOf(const memory::desc& md, const odla_value_type& type);

// Where an argument of a primitive lives when the kernel runs.
struct Slot {
  enum Kind { kIn, kOut, kScratch, kConst } kind;
  int index = 0;              // input or output index
  size_t offset = 0;          // bytes into the input, output or scratch memory
  const void* ptr = nullptr;  // constant data
  memory::desc md;
};

// The kernel of one ODLA op as a sequence of oneDNN primitives over its inputs, outputs,
// constants and scratch memory.
class Plan {
 public:
  // Input i (value v): a constant's data, or the buffer in v's layout.
  Slot Input(int i, odla_value v);
  Slot Out(int i, const memory::desc& md) { return {Slot::kOut, i, 0, nullptr, md}; }
  Slot Scratch(const memory::desc& md);
  // Data made at build time, kept for the computation's life.
  Slot Own(std::shared_ptr<void> data, const memory::desc& md);
  // The data of `from` in descriptor `want`: `from` itself if it is in it already, else a
  // reordered copy, made now for a constant (kept for the computation's life) or by a
  // reorder at run time into scratch memory.
  Slot As(const Slot& from, const memory::desc& want);
  // Adds pd's scratchpad (scratchpad mode user) to args.
  void AddScratchpad(const dnnl::primitive_desc_base& pd, std::unordered_map<int, Slot>& args);
  void Run(const dnnl::primitive& p, std::unordered_map<int, Slot> args);
  size_t ScratchBytes() const { return scratch_; }
  odla_rt::Kernel Build() const;

 private:
  struct Step {
    dnnl::primitive prim;
    std::unordered_map<int, Slot> args;
  };
  std::vector<Step> steps_;
  std::vector<std::shared_ptr<void>> owned_;  // reordered constants
  size_t scratch_ = 0;
};

// Attributes with the user scratchpad mode (the scratchpad is per context: contexts may
// run at once).
dnnl::primitive_attr ScratchAttr();

// Adds the op: its single result in dst_md's layout.
odla_value AddPlanOp(const std::string& op, const std::vector<odla_value>& inputs,
                     const odla_value_type& result_type, const memory::desc& dst_md,
                     odla_value_id id, const Plan& plan);

// The spatial attribute lists of ONNX windows in oneDNN's terms.
struct Window {
  Dims strides, dilates, pad_l, pad_r;  // dilates count the gaps (ONNX dilation - 1)
};
// Rejects lists of the wrong length; empty lists get defaults (1, 1, 0).
Window MakeWindow(int spatial, const odla_ints& strides, const odla_ints& dilations,
                  const odla_ints& pads);

Dims ValueDims(odla_value v);
Dims TypeDims(const odla_value_type& t);

}  // namespace odla_dnnl
