// Activations as oneDNN eltwise operations, alone or as post-ops of a fused op.
#pragma once

#include "../kernels/epilogue.h"
#include "dnnl_rt.h"

namespace odla_dnnl {

// One oneDNN eltwise operation.
struct EltOp {
  dnnl::algorithm alg;
  float alpha = 0, beta = 0;
};

// The eltwise operations that compute the activation, in order (none for kNone); rejects
// those oneDNN cannot compute.
std::vector<EltOp> EltOpsOf(const odla_rt::Activation& act);
// The same for a fused op's activation attributes.
std::vector<EltOp> EltOpsOf(const char* activation, float alpha, float beta);

// Attributes (user scratchpad) with the post-ops: a sum of what dst holds (has_sum), then
// the eltwise operations.
dnnl::primitive_attr PostOpsAttr(bool has_sum, const std::vector<EltOp>& ops);

// The same with a binary addition of a tensor in descriptor sum_md (the post-op's
// DNNL_ARG_SRC_1) in place of the sum.
dnnl::primitive_attr PostOpsAttr(const memory::desc& sum_md, const std::vector<EltOp>& ops);

// Adds the steps that apply `ops` in place to `data` (in descriptor md).
void RunEltOps(Plan& plan, const Slot& data, const std::vector<EltOp>& ops);

// Rejects a residual `sum` that does not have the result's type; else adds the step that
// copies it into output 0 (in dst_md), for a sum post-op to add.
void CopySum(Plan& plan, int index, odla_value sum, const odla_value_type& result,
             const memory::desc& dst_md);

}  // namespace odla_dnnl
