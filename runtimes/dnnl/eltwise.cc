// Unary element-wise ops and activations as oneDNN eltwise operations in the input's layout.
#include "post_ops.h"

ODLA_DNNL_FILE(eltwise)

using namespace odla_dnnl;
using dnnl::algorithm;

namespace {

odla_value BuildEltwise(const char* op, odla_value X, const std::vector<EltOp>& ops,
                        const odla_value_type& result, odla_value_id id) {
  RequireF32({X});
  if (!odla_rt::SameType(result, X->type)) Reject("result type");
  memory::desc md = MdOf(X);
  Plan plan;
  Slot out = plan.Out(0, md);
  // The first operation reads X, the others work in place.
  for (size_t i = 0; i < ops.size(); ++i) {
    dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, ops[i].alg, md, ops[i].alpha,
                                  ops[i].beta);
    dnnl::eltwise_forward::primitive_desc pd(d, ScratchAttr(), Engine());
    std::unordered_map<int, Slot> args{{DNNL_ARG_SRC, i ? out : plan.Input(0, X)},
                                       {DNNL_ARG_DST, out}};
    plan.AddScratchpad(pd, args);
    plan.Run(dnnl::eltwise_forward(pd), args);
  }
  return AddPlanOp(op, {X}, result, md, id, plan);
}

// Builds op with oneDNN, else with the ref builder `ref` (the same arguments).
template <typename Ref, typename... A>
odla_value Eltwise(const char* op, odla_value X, const std::function<std::vector<EltOp>()>& ops,
                   Ref ref, odla_value_type result, odla_value_id id, A... attrs) {
  if (X) {
    odla_value v = Try(op, [&] { return BuildEltwise(op, X, ops(), result, id); });
    if (v) return v;
  }
  return ref(X, attrs..., result, id);
}

using Ops = std::vector<EltOp>;

}  // namespace

#define ODLA_DNNL_UNARY(NAME, ...)                                                                 \
  ODLA_REF_DECL(NAME)                                                                              \
  extern "C" odla_value odla_##NAME(odla_value X, odla_value_type result_type, odla_value_id id) { \
    return Eltwise(                                                                                \
        #NAME, X, [] { return Ops{__VA_ARGS__}; }, odla_ref_##NAME, result_type, id);              \
  }

ODLA_DNNL_UNARY(Relu, {algorithm::eltwise_relu, 0, 0})
ODLA_DNNL_UNARY(Sigmoid, {algorithm::eltwise_logistic, 0, 0})
ODLA_DNNL_UNARY(Tanh, {algorithm::eltwise_tanh, 0, 0})
ODLA_DNNL_UNARY(HardSwish, {algorithm::eltwise_hardswish, 0, 0})
ODLA_DNNL_UNARY(Exp, {algorithm::eltwise_exp, 0, 0})
ODLA_DNNL_UNARY(Log, {algorithm::eltwise_log, 0, 0})
ODLA_DNNL_UNARY(Sqrt, {algorithm::eltwise_sqrt, 0, 0})
ODLA_DNNL_UNARY(Abs, {algorithm::eltwise_abs, 0, 0})
ODLA_DNNL_UNARY(Neg, {algorithm::eltwise_linear, -1, 0})
ODLA_DNNL_UNARY(Softplus, {algorithm::eltwise_soft_relu, 0, 0})
ODLA_DNNL_UNARY(Reciprocal, {algorithm::eltwise_pow, 1, -1})
ODLA_DNNL_UNARY(Round, {algorithm::eltwise_round, 0, 0})

ODLA_REF_DECL(LeakyRelu)
ODLA_REF_DECL(Elu)
ODLA_REF_DECL(Selu)
ODLA_REF_DECL(HardSigmoid)
ODLA_REF_DECL(Clip)

extern "C" {

odla_value odla_LeakyRelu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                          odla_value_id id) {
  return Eltwise(
      "LeakyRelu", X,
      [&] {
        return Ops{{algorithm::eltwise_relu, alpha, 0}};
      },
      odla_ref_LeakyRelu, result_type, id, alpha);
}

odla_value odla_Elu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                    odla_value_id id) {
  return Eltwise(
      "Elu", X,
      [&] {
        return Ops{{algorithm::eltwise_elu, alpha, 0}};
      },
      odla_ref_Elu, result_type, id, alpha);
}

odla_value odla_Selu(odla_value X, odla_float32 alpha, odla_float32 gamma,
                     odla_value_type result_type, odla_value_id id) {
  auto ops = [&] {  // gamma * elu_alpha(x)
    return Ops{{algorithm::eltwise_elu, alpha, 0}, {algorithm::eltwise_linear, gamma, 0}};
  };
  return Eltwise("Selu", X, ops, odla_ref_Selu, result_type, id, alpha, gamma);
}

odla_value odla_HardSigmoid(odla_value X, odla_float32 alpha, odla_float32 beta,
                            odla_value_type result_type, odla_value_id id) {
  auto ops = [&] {
    return EltOpsOf(odla_rt::Activation{odla_rt::ActKind::kHardSigmoid, alpha, beta});
  };
  return Eltwise("HardSigmoid", X, ops, odla_ref_HardSigmoid, result_type, id, alpha, beta);
}

odla_value odla_Clip(odla_value input, odla_float32 min, odla_float32 max,
                     odla_value_type result_type, odla_value_id id) {
  auto ops = [&] {
    if (min > max) Reject("min above max");  // Clip gives max then, oneDNN min
    return EltOpsOf("Clip", min, max);
  };
  return Eltwise("Clip", input, ops, odla_ref_Clip, result_type, id, min, max);
}

}  // extern "C"
