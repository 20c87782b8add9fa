// ODLA builders of unary element-wise ops and activations on the shared kernels; float16 and
// bfloat16 computed in float.
#include "../kernels/unary.h"

#include "../common/builder.h"
#include "../kernels/broadcast.h"
#include "../kernels/half_float.h"
#include "../kernels/type_sets.h"

using namespace odla_rt;

namespace {

// A unary op on the types of S, result of the input's type (or bool with ToBool).
template <unsigned S, bool ToBool = false, typename Op>
odla_value BuildUnary(const char* op_name, odla_value X, const odla_value_type& result_type,
                      odla_value_id id, Op op) {
  return Guard(("odla_" + std::string(op_name)).c_str(), id, [&] {
    CheckInput(X, "X");
    if (Dims(result_type.shape) != Dims(X->type.shape) ||
        result_type.element_type != (ToBool ? ODLA_BOOL : X->type.element_type))
      Fail("result type ", TypeToString(result_type), " does not match input ",
           TypeToString(X->type));
    int64_t n = NumElements(X->type.shape);
    odla_element_type et = X->type.element_type;
    bool via_float = (S & kFloatSet) && Is16BitFloat(et);
    Kernel k = DispatchIn<S>(via_float ? ODLA_FLOAT32 : et, [&](auto tag) -> Kernel {
      using T = typename decltype(tag)::type;
      using R = std::conditional_t<ToBool, bool, T>;
      return [=](const KernelArgs& a) { UnaryMap(a.In<T>(0), a.Out<R>(0), n, op); };
    });
    if (via_float) k = ThroughFloat(et, std::move(k), {X->type}, {result_type});
    return AddOp1(op_name, {X}, result_type, id, std::move(k));
  });
}

}  // namespace

#define ODLA_UNARY_BUILDER(NAME, SET)                                                             \
  ODLA_WEAK odla_value odla_##NAME(odla_value X, odla_value_type result_type, odla_value_id id) { \
    return BuildUnary<SET>(#NAME, X, result_type, id, unary::NAME{});                             \
  }

extern "C" {

ODLA_UNARY_BUILDER(Abs, kNumericSet)
ODLA_UNARY_BUILDER(Neg, kFloatSet | kSignedSet)
ODLA_UNARY_BUILDER(Exp, kFloatSet)
ODLA_UNARY_BUILDER(Log, kFloatSet)
ODLA_UNARY_BUILDER(Sqrt, kFloatSet)
ODLA_UNARY_BUILDER(Reciprocal, kFloatSet)
ODLA_UNARY_BUILDER(Floor, kFloatSet)
ODLA_UNARY_BUILDER(Ceil, kFloatSet)
ODLA_UNARY_BUILDER(Round, kFloatSet)
ODLA_UNARY_BUILDER(Sign, kNumericSet)
ODLA_UNARY_BUILDER(Sin, kFloatSet)
ODLA_UNARY_BUILDER(Cos, kFloatSet)
ODLA_UNARY_BUILDER(Tan, kFloatSet)
ODLA_UNARY_BUILDER(Asin, kFloatSet)
ODLA_UNARY_BUILDER(Acos, kFloatSet)
ODLA_UNARY_BUILDER(Atan, kFloatSet)
ODLA_UNARY_BUILDER(Sinh, kFloatSet)
ODLA_UNARY_BUILDER(Cosh, kFloatSet)
ODLA_UNARY_BUILDER(Asinh, kFloatSet)
ODLA_UNARY_BUILDER(Acosh, kFloatSet)
ODLA_UNARY_BUILDER(Atanh, kFloatSet)
ODLA_UNARY_BUILDER(Erf, kNumericSet)
ODLA_UNARY_BUILDER(Sigmoid, kFloatSet)
ODLA_UNARY_BUILDER(Tanh, kFloatSet)
ODLA_UNARY_BUILDER(Relu, kFloatSet | kSignedSet)
ODLA_UNARY_BUILDER(HardSwish, kFloatSet)
ODLA_UNARY_BUILDER(Softplus, kFloatSet)
ODLA_UNARY_BUILDER(Softsign, kFloatSet)
ODLA_UNARY_BUILDER(Not, kBoolSet)
ODLA_UNARY_BUILDER(BitwiseNot, kIntSet)
ODLA_UNARY_BUILDER(Identity, kAnySet)

ODLA_WEAK odla_value odla_LeakyRelu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                                    odla_value_id id) {
  return BuildUnary<kFloatSet>("LeakyRelu", X, result_type, id, unary::LeakyRelu{alpha});
}

ODLA_WEAK odla_value odla_Elu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                              odla_value_id id) {
  return BuildUnary<kFloatSet>("Elu", X, result_type, id, unary::Elu{alpha});
}

ODLA_WEAK odla_value odla_Selu(odla_value X, odla_float32 alpha, odla_float32 gamma,
                               odla_value_type result_type, odla_value_id id) {
  return BuildUnary<kFloatSet>("Selu", X, result_type, id, unary::Selu{alpha, gamma});
}

ODLA_WEAK odla_value odla_Celu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                               odla_value_id id) {
  return Guard("odla_Celu", id, [&]() -> odla_value {
    if (alpha == 0) Fail("alpha must not be 0");
    return BuildUnary<kFloatSet>("Celu", X, result_type, id, unary::Celu{alpha});
  });
}

ODLA_WEAK odla_value odla_HardSigmoid(odla_value X, odla_float32 alpha, odla_float32 beta,
                                      odla_value_type result_type, odla_value_id id) {
  return BuildUnary<kFloatSet>("HardSigmoid", X, result_type, id, unary::HardSigmoid{alpha, beta});
}

ODLA_WEAK odla_value odla_ThresholdedRelu(odla_value X, odla_float32 alpha,
                                          odla_value_type result_type, odla_value_id id) {
  return BuildUnary<kFloatSet>("ThresholdedRelu", X, result_type, id,
                               unary::ThresholdedRelu{alpha});
}

ODLA_WEAK odla_value odla_Shrink(odla_value input, odla_float32 bias, odla_float32 lambd,
                                 odla_value_type result_type, odla_value_id id) {
  return BuildUnary<kNumericSet>("Shrink", input, result_type, id, unary::Shrink{bias, lambd});
}

ODLA_WEAK odla_value odla_IsNaN(odla_value X, odla_value_type result_type, odla_value_id id) {
  return BuildUnary<kFloatSet, true>("IsNaN", X, result_type, id, unary::IsNaN{});
}

ODLA_WEAK odla_value odla_IsInf(odla_value X, odla_int64 detect_negative,
                                odla_int64 detect_positive, odla_value_type result_type,
                                odla_value_id id) {
  return BuildUnary<kFloatSet, true>("IsInf", X, result_type, id,
                                     unary::IsInf{detect_negative != 0, detect_positive != 0});
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Relu)
ODLA_REF_ALIAS(Sigmoid)
ODLA_REF_ALIAS(Tanh)
ODLA_REF_ALIAS(HardSwish)
ODLA_REF_ALIAS(Exp)
ODLA_REF_ALIAS(Log)
ODLA_REF_ALIAS(Sqrt)
ODLA_REF_ALIAS(Abs)
ODLA_REF_ALIAS(Neg)
ODLA_REF_ALIAS(Softplus)
ODLA_REF_ALIAS(Reciprocal)
ODLA_REF_ALIAS(Round)
ODLA_REF_ALIAS(LeakyRelu)
ODLA_REF_ALIAS(Elu)
ODLA_REF_ALIAS(Selu)
ODLA_REF_ALIAS(HardSigmoid)
ODLA_REF_ALIAS(Identity)
ODLA_REF_ALIAS(Erf)
ODLA_REF_ALIAS(Floor)
ODLA_REF_ALIAS(Ceil)
ODLA_REF_ALIAS(Sin)
ODLA_REF_ALIAS(Cos)
ODLA_REF_ALIAS(Sign)
ODLA_REF_ALIAS(Not)
ODLA_REF_ALIAS(BitwiseNot)
ODLA_REF_ALIAS(Tan)
ODLA_REF_ALIAS(Asin)
ODLA_REF_ALIAS(Acos)
ODLA_REF_ALIAS(Atan)
ODLA_REF_ALIAS(Sinh)
ODLA_REF_ALIAS(Cosh)
ODLA_REF_ALIAS(Asinh)
ODLA_REF_ALIAS(Acosh)
ODLA_REF_ALIAS(Atanh)
ODLA_REF_ALIAS(Softsign)
ODLA_REF_ALIAS(Celu)
ODLA_REF_ALIAS(ThresholdedRelu)
ODLA_REF_ALIAS(Shrink)
ODLA_REF_ALIAS(IsNaN)
ODLA_REF_ALIAS(IsInf)
