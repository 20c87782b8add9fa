// Sigmoid, HardSwish, LeakyRelu and Elu of a value in NHWC (an XNNPACK result) as XNNPACK
// element-wise ops; the result keeps the layout. The same ops of plain values stay with ref.
#include "../kernels/epilogue.h"
#include "xnn_rt.h"

ODLA_XNN_FILE(unary)

using namespace odla_xnn;

ODLA_REF_DECL(Sigmoid)
ODLA_REF_DECL(HardSwish)
ODLA_REF_DECL(LeakyRelu)
ODLA_REF_DECL(Elu)

namespace {

odla_value BuildUnary(const char* op, odla_rt::ActKind kind, float alpha, float beta, odla_value X,
                      const odla_value_type& result, odla_value_id id) {
  if (!IsNhwc(X)) Reject("input not in NHWC");
  if (!odla_rt::SameType(X->type, result)) Reject("result type");
  UnaryOp u = MakeUnary(static_cast<int>(kind), alpha, beta);
  size_t count = odla_rt::NumElements(result.shape);
  auto run = [=](const odla_rt::KernelArgs& k) { u.Run(count, k.In<float>(0), k.Out<float>(0)); };
  return AddNhwcOp(op, {X}, result, 0, id, run);
}

}  // namespace

extern "C" {

odla_value odla_Sigmoid(odla_value X, odla_value_type result_type, odla_value_id id) {
  odla_value v =
      X ? Try("Sigmoid",
              [&] {
                return BuildUnary("Sigmoid", odla_rt::ActKind::kSigmoid, 0, 0, X, result_type, id);
              })
        : nullptr;
  return v ? v : odla_ref_Sigmoid(X, result_type, id);
}

odla_value odla_HardSwish(odla_value X, odla_value_type result_type, odla_value_id id) {
  odla_value v = X ? Try("HardSwish",
                         [&] {
                           return BuildUnary("HardSwish", odla_rt::ActKind::kHardSwish, 1.0f / 6,
                                             0.5f, X, result_type, id);
                         })
                   : nullptr;
  return v ? v : odla_ref_HardSwish(X, result_type, id);
}

odla_value odla_LeakyRelu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                          odla_value_id id) {
  odla_value v = X ? Try("LeakyRelu",
                         [&] {
                           return BuildUnary("LeakyRelu", odla_rt::ActKind::kLeakyRelu, alpha, 0, X,
                                             result_type, id);
                         })
                   : nullptr;
  return v ? v : odla_ref_LeakyRelu(X, alpha, result_type, id);
}

odla_value odla_Elu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                    odla_value_id id) {
  odla_value v =
      X ? Try("Elu",
              [&] {
                return BuildUnary("Elu", odla_rt::ActKind::kElu, alpha, 0, X, result_type, id);
              })
        : nullptr;
  return v ? v : odla_ref_Elu(X, alpha, result_type, id);
}

}  // extern "C"
