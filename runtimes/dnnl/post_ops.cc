#include "post_ops.h"

namespace odla_dnnl {

using dnnl::algorithm;
using odla_rt::ActKind;

std::vector<EltOp> EltOpsOf(const odla_rt::Activation& a) {
  switch (a.kind) {
    case ActKind::kNone:
      return {};
    case ActKind::kRelu:
      return {{algorithm::eltwise_relu, 0, 0}};
    case ActKind::kLeakyRelu:
      return {{algorithm::eltwise_relu, a.alpha, 0}};
    case ActKind::kClip:
      return {{algorithm::eltwise_clip, a.alpha, a.beta}};
    case ActKind::kSigmoid:
      return {{algorithm::eltwise_logistic, 0, 0}};
    case ActKind::kTanh:
      return {{algorithm::eltwise_tanh, 0, 0}};
    case ActKind::kHardSigmoid:  // max(0, min(1, alpha * x + beta))
      return {{algorithm::eltwise_linear, a.alpha, a.beta}, {algorithm::eltwise_clip, 0, 1}};
    case ActKind::kHardSwish:  // oneDNN's is x * max(0, min(1, x / 6 + 1 / 2))
      if (a.alpha != 1.0f / 6 || a.beta != 0.5f) Reject("HardSwish with other alpha, beta");
      return {{algorithm::eltwise_hardswish, 0, 0}};
    case ActKind::kElu:
      return {{algorithm::eltwise_elu, a.alpha, 0}};
    case ActKind::kGelu:
      return {{algorithm::eltwise_gelu_erf, 0, 0}};
  }
  Reject("activation");
}

std::vector<EltOp> EltOpsOf(const char* activation, float alpha, float beta) {
  try {
    return EltOpsOf(odla_rt::ParseActivation(activation ? activation : "", alpha, beta));
  } catch (const odla_rt::RtError& e) {
    Reject(e.what());
  }
}

dnnl::primitive_attr PostOpsAttr(bool has_sum, const std::vector<EltOp>& ops) {
  dnnl::primitive_attr attr = ScratchAttr();
  dnnl::post_ops po;
  if (has_sum) po.append_sum(1.0f);
  for (const EltOp& op : ops) po.append_eltwise(1.0f, op.alg, op.alpha, op.beta);
  attr.set_post_ops(po);
  return attr;
}

dnnl::primitive_attr PostOpsAttr(const memory::desc& sum_md, const std::vector<EltOp>& ops) {
  dnnl::primitive_attr attr = ScratchAttr();
  dnnl::post_ops po;
  po.append_binary(algorithm::binary_add, sum_md);
  for (const EltOp& op : ops) po.append_eltwise(1.0f, op.alg, op.alpha, op.beta);
  attr.set_post_ops(po);
  return attr;
}

void RunEltOps(Plan& plan, const Slot& data, const std::vector<EltOp>& ops) {
  for (const EltOp& op : ops) {
    dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, op.alg, data.md, op.alpha,
                                  op.beta);
    dnnl::eltwise_forward::primitive_desc pd(d, ScratchAttr(), Engine());
    std::unordered_map<int, Slot> args{{DNNL_ARG_SRC, data}, {DNNL_ARG_DST, data}};
    plan.AddScratchpad(pd, args);
    plan.Run(dnnl::eltwise_forward(pd), args);
  }
}

void CopySum(Plan& plan, int index, odla_value sum, const odla_value_type& result,
             const memory::desc& dst_md) {
  if (!odla_rt::SameType(sum->type, result)) Reject("Sum's type differs from the result's");
  Slot from = plan.Input(index, sum);
  dnnl::reorder::primitive_desc pd(Engine(), from.md, Engine(), dst_md);
  plan.Run(dnnl::reorder(pd), {{DNNL_ARG_SRC, from}, {DNNL_ARG_DST, plan.Out(0, dst_md)}});
}

}  // namespace odla_dnnl
