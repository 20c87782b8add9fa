// Element-wise builders on the project's CUDA kernels: unary functions and activations, Clip,
// broadcasting binary arithmetic, comparisons and logic, PRelu, Mod, BitShift, the Bitwise ops,
// the variadic Sum/Mean/Max/Min, Where, Cast and CastLike, IsNaN and IsInf (float32 to bool).
// Types: float32 for the float functions; also int32/int64 for Relu, Abs, Neg, Sign, Clip, Add,
// Sub, Mul, Div, Mod (fmod=0: only these), Max, Min, PRelu, Sum and the comparisons;
// int8/uint8/int16 for Clip; unsigned integers for BitShift; all integers for the Bitwise ops;
// bool for Not, And, Or, Xor, Equal and Where's condition; Where and Cast see kernels.h. Rejected
// (run on the host by the shared builder, which also reports invalid arguments): other types, empty
// results, ranks above 8, arguments the shared builder would refuse.
#include <string>

#include "../kernels/broadcast.h"
#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_elementwise)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

namespace {

void CheckShape(const odla_value_type& rt) {
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty result");
  if (rt.shape.size > kMaxDims) Reject("rank above 8");
}

odla_value BuildUnary(const char* name, Unary op, odla_value x, const odla_value_type& rt,
                      odla_value_id id, double a = 0, double b = 0) {
  if (!x) Reject("missing input");
  odla_element_type t = x->type.element_type;
  if (!odla_rt::SameType(x->type, rt)) Reject("result type");
  if (!UnarySupports(op, t)) Reject("element type ", odla_rt::TypeToString(x->type));
  CheckShape(rt);
  int64_t n = odla_rt::NumElements(rt.shape);
  return AddCudaOp1(name, {x}, rt, 0, id, [=](const KernelArgs& k) {
    UnaryOp(CudaStream(k), op, t, k.in[0], k.out[0], n, a, b);
  });
}

// The numpy broadcast of two shapes (rejects shapes that do not broadcast).
Ints Broadcast(const Ints& a, const Ints& b) {
  Ints out;
  if (!odla_rt::BroadcastShapes(a, b, &out)) Reject("shapes do not broadcast");
  return out;
}

bool ToBool(Binary op) { return op >= Binary::kEqual; }

odla_value BuildBinary(const char* name, Binary op, odla_value a, odla_value b,
                       const odla_value_type& rt, odla_value_id id) {
  if (!a || !b) Reject("missing input");
  odla_element_type t = a->type.element_type;
  if (b->type.element_type != t) Reject("element types differ");
  if (!BinarySupports(op, t)) Reject("element type ", odla_rt::TypeToString(a->type));
  Ints as = ValueDims(a), bs = ValueDims(b), os = Broadcast(as, bs);
  if (rt.element_type != (ToBool(op) ? ODLA_BOOL : t) || TypeDims(rt) != os) Reject("result type");
  CheckShape(rt);
  StridedMap m = MakeMap(os, BroadcastStrides(as, os), 0, BroadcastStrides(bs, os), 0);
  return AddCudaOp1(name, {a, b}, rt, 0, id, [=](const KernelArgs& k) {
    BinaryOp(CudaStream(k), op, t, k.in[0], k.in[1], k.out[0], m);
  });
}

// Sum/Mean/Max/Min: the first two inputs combine into the result, the others fold into it
// (as the ref's BuildVariadic); Mean then scales by 1/n.
odla_value BuildVariadic(const char* name, Binary op, const odla_values& data,
                         const odla_value_type& rt, odla_value_id id, bool mean) {
  auto ins = odla_rt::FromValues(data);
  if (ins.empty()) Reject("no inputs");
  odla_element_type t = ins[0] ? ins[0]->type.element_type : ODLA_FLOAT32;
  Ints os;
  std::vector<Ints> shapes;
  for (odla_value v : ins) {
    if (!v || v->type.element_type != t) Reject("inputs");
    shapes.push_back(ValueDims(v));
    os = Broadcast(os, shapes.back());
  }
  if (!BinarySupports(op, t) || (mean && t != ODLA_FLOAT32)) Reject("element type");
  if (rt.element_type != t || TypeDims(rt) != os) Reject("result type");
  CheckShape(rt);
  Ints dense = DenseStrides(os);
  std::vector<StridedMap> maps;  // maps[0]: the first step; maps[i]: folding input i
  if (ins.size() == 1)
    maps.push_back(MakeMap(os, dense, 0, BroadcastStrides(shapes[0], os), 0));
  else
    maps.push_back(
        MakeMap(os, BroadcastStrides(shapes[0], os), 0, BroadcastStrides(shapes[1], os), 0));
  for (size_t i = 2; i < ins.size(); ++i)
    maps.push_back(MakeMap(os, dense, 0, BroadcastStrides(shapes[i], os), 0));
  size_t es = odla_rt::ElementSize(t);
  int64_t n = odla_rt::NumElements(rt.shape);
  size_t count = ins.size();
  return AddCudaOp1(name, ins, rt, 0, id, [=](const KernelArgs& k) {
    cudaStream_t s = CudaStream(k);
    if (count == 1)
      StridedCopy(s, k.out[0], k.in[0], es, maps[0]);
    else
      BinaryOp(s, op, t, k.in[0], k.in[1], k.out[0], maps[0]);
    for (size_t i = 2; i < count; ++i) BinaryOp(s, op, t, k.out[0], k.in[i], k.out[0], maps[i - 1]);
    if (mean) UnaryOp(s, Unary::kScale, t, k.out[0], k.out[0], n, 1.0 / static_cast<double>(count));
  });
}

odla_value BuildPRelu(odla_value x, odla_value slope, const odla_value_type& rt, odla_value_id id) {
  if (!x || !slope) Reject("missing input");
  if (Broadcast(ValueDims(x), ValueDims(slope)) != ValueDims(x)) Reject("slope shape");
  return BuildBinary("PRelu", Binary::kPRelu, x, slope, rt, id);
}

odla_value BuildWhere(odla_value c, odla_value x, odla_value y, const odla_value_type& rt,
                      odla_value_id id) {
  if (!c || !x || !y) Reject("missing input");
  odla_element_type t = x->type.element_type;
  // The shared builder takes the types of Dispatch (not float16 / bfloat16).
  if (c->type.element_type != ODLA_BOOL || y->type.element_type != t || t == ODLA_FLOAT16 ||
      t == ODLA_BFLOAT16)
    Reject("element types");
  Ints cs = ValueDims(c), xs = ValueDims(x), ys = ValueDims(y),
       os = Broadcast(Broadcast(cs, xs), ys);
  if (rt.element_type != x->type.element_type || TypeDims(rt) != os) Reject("result type");
  CheckShape(rt);
  size_t es = odla_rt::ElementSize(rt.element_type);
  Ints cst = BroadcastStrides(cs, os), xst = BroadcastStrides(xs, os),
       yst = BroadcastStrides(ys, os);
  return AddCudaOp1("Where", {c, x, y}, rt, 0, id, [=](const KernelArgs& k) {
    Where(CudaStream(k), es, k.In<uint8_t>(0), k.in[1], k.in[2], k.out[0], os, cst, xst, yst);
  });
}

odla_value BuildCast(odla_value x, odla_element_type to, const odla_value_type& rt,
                     odla_value_id id) {
  if (!x) Reject("missing input");
  odla_element_type from = x->type.element_type;
  if (to != rt.element_type || ValueDims(x) != TypeDims(rt)) Reject("result type");
  if (!CastSupports(from, to)) Reject("element types");
  CheckShape(rt);
  int64_t n = odla_rt::NumElements(rt.shape);
  return AddCudaOp1("Cast", {x}, rt, 0, id, [=](const KernelArgs& k) {
    Cast(CudaStream(k), from, to, k.in[0], k.out[0], n);
  });
}

// IsNaN or IsInf (Classify's kind) of float32 x into bool.
odla_value BuildClassify(const char* name, int kind, odla_value x, bool negative, bool positive,
                         const odla_value_type& rt, odla_value_id id) {
  if (!x) Reject("missing input");
  RequireF32({x});
  if (rt.element_type != ODLA_BOOL || ValueDims(x) != TypeDims(rt)) Reject("result type");
  CheckShape(rt);
  int64_t n = odla_rt::NumElements(rt.shape);
  return AddCudaOp1(name, {x}, rt, 0, id, [=](const KernelArgs& k) {
    Classify(CudaStream(k), kind, k.In<float>(0), static_cast<bool*>(k.out[0]), n, negative,
             positive);
  });
}

odla_value BuildBitShift(odla_value a, odla_value b, const char* direction,
                         const odla_value_type& rt, odla_value_id id) {
  const std::string d = direction ? direction : "";
  if (d != "LEFT" && d != "RIGHT") Reject("direction");
  if (!a || !b) Reject("missing input");
  const odla_element_type t = a->type.element_type;
  if (b->type.element_type != t ||
      (t != ODLA_UINT8 && t != ODLA_UINT16 && t != ODLA_UINT32 && t != ODLA_UINT64))
    Reject("element types");
  Ints as = ValueDims(a), bs = ValueDims(b), os = Broadcast(as, bs);
  if (rt.element_type != t || TypeDims(rt) != os) Reject("result type");
  CheckShape(rt);
  StridedMap m = MakeMap(os, BroadcastStrides(as, os), 0, BroadcastStrides(bs, os), 0);
  const bool left = d == "LEFT";
  return AddCudaOp1("BitShift", {a, b}, rt, 0, id, [=](const KernelArgs& k) {
    BitShift(CudaStream(k), t, left, k.in[0], k.in[1], k.out[0], m);
  });
}

// BitwiseAnd, BitwiseOr, BitwiseXor (op 0 to 2) and BitwiseNot (3; b null) of integers.
odla_value BuildBitwise(const char* name, int op, odla_value a, odla_value b,
                        const odla_value_type& rt, odla_value_id id) {
  if (!a || (op < 3 && !b)) Reject("missing input");
  const odla_element_type t = a->type.element_type;
  const bool integer = t == ODLA_INT8 || t == ODLA_INT16 || t == ODLA_INT32 || t == ODLA_INT64 ||
                       t == ODLA_UINT8 || t == ODLA_UINT16 || t == ODLA_UINT32 || t == ODLA_UINT64;
  if (!integer || (b && b->type.element_type != t)) Reject("element types");
  Ints as = ValueDims(a), bs = b ? ValueDims(b) : as, os = Broadcast(as, bs);
  if (rt.element_type != t || TypeDims(rt) != os) Reject("result type");
  CheckShape(rt);
  StridedMap m = MakeMap(os, BroadcastStrides(as, os), 0, BroadcastStrides(bs, os), 0);
  const size_t es = odla_rt::ElementSize(t);
  std::vector<odla_value> ins = {a};
  if (b) ins.push_back(b);
  return AddCudaOp1(name, ins, rt, 0, id, [=](const KernelArgs& k) {
    Bitwise(CudaStream(k), op, es, k.in[0], op < 3 ? k.in[1] : k.in[0], k.out[0], m);
  });
}

}  // namespace

ODLA_REF_DECL(BitShift)
ODLA_REF_DECL(Clip)
ODLA_REF_DECL(Shrink)
ODLA_REF_DECL(IsNaN)
ODLA_REF_DECL(IsInf)
ODLA_REF_DECL(CastLike)
ODLA_REF_DECL(LeakyRelu)
ODLA_REF_DECL(Elu)
ODLA_REF_DECL(Selu)
ODLA_REF_DECL(HardSigmoid)
ODLA_REF_DECL(Celu)
ODLA_REF_DECL(ThresholdedRelu)
ODLA_REF_DECL(PRelu)
ODLA_REF_DECL(Mod)
ODLA_REF_DECL(Where)
ODLA_REF_DECL(Cast)

extern "C" {

#define ODLA_CUDA_UNARY(NAME)                                                             \
  ODLA_REF_DECL(NAME)                                                                     \
  odla_value odla_##NAME(odla_value x, odla_value_type result_type, odla_value_id id) {   \
    return Try(                                                                           \
        #NAME, id, [&] { return BuildUnary(#NAME, Unary::k##NAME, x, result_type, id); }, \
        [&] { return odla_ref_##NAME(x, result_type, id); });                             \
  }
ODLA_CUDA_UNARY(Relu)
ODLA_CUDA_UNARY(Sigmoid)
ODLA_CUDA_UNARY(Tanh)
ODLA_CUDA_UNARY(Exp)
ODLA_CUDA_UNARY(Log)
ODLA_CUDA_UNARY(Sqrt)
ODLA_CUDA_UNARY(Abs)
ODLA_CUDA_UNARY(Neg)
ODLA_CUDA_UNARY(Reciprocal)
ODLA_CUDA_UNARY(Erf)
ODLA_CUDA_UNARY(Floor)
ODLA_CUDA_UNARY(Ceil)
ODLA_CUDA_UNARY(Round)
ODLA_CUDA_UNARY(Sin)
ODLA_CUDA_UNARY(Cos)
ODLA_CUDA_UNARY(Softplus)
ODLA_CUDA_UNARY(Sign)
ODLA_CUDA_UNARY(Not)
ODLA_CUDA_UNARY(HardSwish)
ODLA_CUDA_UNARY(Tan)
ODLA_CUDA_UNARY(Asin)
ODLA_CUDA_UNARY(Acos)
ODLA_CUDA_UNARY(Atan)
ODLA_CUDA_UNARY(Sinh)
ODLA_CUDA_UNARY(Cosh)
ODLA_CUDA_UNARY(Asinh)
ODLA_CUDA_UNARY(Acosh)
ODLA_CUDA_UNARY(Atanh)
ODLA_CUDA_UNARY(Softsign)
#undef ODLA_CUDA_UNARY

odla_value odla_LeakyRelu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                          odla_value_id id) {
  return Try(
      "LeakyRelu", id,
      [&] { return BuildUnary("LeakyRelu", Unary::kLeakyRelu, X, result_type, id, alpha); },
      [&] { return odla_ref_LeakyRelu(X, alpha, result_type, id); });
}

odla_value odla_Elu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                    odla_value_id id) {
  return Try(
      "Elu", id, [&] { return BuildUnary("Elu", Unary::kElu, X, result_type, id, alpha); },
      [&] { return odla_ref_Elu(X, alpha, result_type, id); });
}

odla_value odla_Selu(odla_value X, odla_float32 alpha, odla_float32 gamma,
                     odla_value_type result_type, odla_value_id id) {
  return Try(
      "Selu", id,
      [&] { return BuildUnary("Selu", Unary::kSelu, X, result_type, id, alpha, gamma); },
      [&] { return odla_ref_Selu(X, alpha, gamma, result_type, id); });
}

odla_value odla_HardSigmoid(odla_value X, odla_float32 alpha, odla_float32 beta,
                            odla_value_type result_type, odla_value_id id) {
  return Try(
      "HardSigmoid", id,
      [&] {
        return BuildUnary("HardSigmoid", Unary::kHardSigmoid, X, result_type, id, alpha, beta);
      },
      [&] { return odla_ref_HardSigmoid(X, alpha, beta, result_type, id); });
}

odla_value odla_Celu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                     odla_value_id id) {
  return Try(
      "Celu", id,
      [&] {
        if (alpha == 0) Reject("alpha 0");
        return BuildUnary("Celu", Unary::kCelu, X, result_type, id, alpha);
      },
      [&] { return odla_ref_Celu(X, alpha, result_type, id); });
}

odla_value odla_ThresholdedRelu(odla_value X, odla_float32 alpha, odla_value_type result_type,
                                odla_value_id id) {
  return Try(
      "ThresholdedRelu", id,
      [&] {
        return BuildUnary("ThresholdedRelu", Unary::kThresholdedRelu, X, result_type, id, alpha);
      },
      [&] { return odla_ref_ThresholdedRelu(X, alpha, result_type, id); });
}

odla_value odla_Shrink(odla_value input, odla_float32 bias, odla_float32 lambd,
                       odla_value_type result_type, odla_value_id id) {
  return Try(
      "Shrink", id,
      [&] { return BuildUnary("Shrink", Unary::kShrink, input, result_type, id, bias, lambd); },
      [&] { return odla_ref_Shrink(input, bias, lambd, result_type, id); });
}

odla_value odla_IsNaN(odla_value X, odla_value_type result_type, odla_value_id id) {
  return Try(
      "IsNaN", id, [&] { return BuildClassify("IsNaN", 0, X, false, false, result_type, id); },
      [&] { return odla_ref_IsNaN(X, result_type, id); });
}

odla_value odla_IsInf(odla_value X, odla_int64 detect_negative, odla_int64 detect_positive,
                      odla_value_type result_type, odla_value_id id) {
  return Try(
      "IsInf", id,
      [&] {
        return BuildClassify("IsInf", 1, X, detect_negative != 0, detect_positive != 0, result_type,
                             id);
      },
      [&] { return odla_ref_IsInf(X, detect_negative, detect_positive, result_type, id); });
}

odla_value odla_Clip(odla_value input, odla_float32 min, odla_float32 max,
                     odla_value_type result_type, odla_value_id id) {
  return Try(
      "Clip", id,
      [&] { return BuildUnary("Clip", Unary::kClip, input, result_type, id, min, max); },
      [&] { return odla_ref_Clip(input, min, max, result_type, id); });
}

#define ODLA_CUDA_BINARY(NAME, A, B)                                                           \
  ODLA_REF_DECL(NAME)                                                                          \
  odla_value odla_##NAME(odla_value A, odla_value B, odla_value_type result_type,              \
                         odla_value_id id) {                                                   \
    return Try(                                                                                \
        #NAME, id, [&] { return BuildBinary(#NAME, Binary::k##NAME, A, B, result_type, id); }, \
        [&] { return odla_ref_##NAME(A, B, result_type, id); });                               \
  }
ODLA_CUDA_BINARY(Add, A, B)
ODLA_CUDA_BINARY(Sub, A, B)
ODLA_CUDA_BINARY(Mul, A, B)
ODLA_CUDA_BINARY(Div, A, B)
ODLA_CUDA_BINARY(Pow, X, Y)
ODLA_CUDA_BINARY(Equal, A, B)
ODLA_CUDA_BINARY(Less, A, B)
ODLA_CUDA_BINARY(Greater, A, B)
ODLA_CUDA_BINARY(LessOrEqual, A, B)
ODLA_CUDA_BINARY(GreaterOrEqual, A, B)
ODLA_CUDA_BINARY(And, A, B)
ODLA_CUDA_BINARY(Or, A, B)
ODLA_CUDA_BINARY(Xor, A, B)
#undef ODLA_CUDA_BINARY

#define ODLA_CUDA_BITWISE(NAME, OP)                                                \
  ODLA_REF_DECL(NAME)                                                              \
  odla_value odla_##NAME(odla_value A, odla_value B, odla_value_type result_type,  \
                         odla_value_id id) {                                       \
    return Try(                                                                    \
        #NAME, id, [&] { return BuildBitwise(#NAME, OP, A, B, result_type, id); }, \
        [&] { return odla_ref_##NAME(A, B, result_type, id); });                   \
  }
ODLA_CUDA_BITWISE(BitwiseAnd, 0)
ODLA_CUDA_BITWISE(BitwiseOr, 1)
ODLA_CUDA_BITWISE(BitwiseXor, 2)
#undef ODLA_CUDA_BITWISE

ODLA_REF_DECL(BitwiseNot)
odla_value odla_BitwiseNot(odla_value X, odla_value_type result_type, odla_value_id id) {
  return Try(
      "BitwiseNot", id, [&] { return BuildBitwise("BitwiseNot", 3, X, nullptr, result_type, id); },
      [&] { return odla_ref_BitwiseNot(X, result_type, id); });
}

#define ODLA_CUDA_VARIADIC(NAME, OP, MEAN)                                                    \
  ODLA_REF_DECL(NAME)                                                                         \
  odla_value odla_##NAME(odla_values data_0, odla_value_type result_type, odla_value_id id) { \
    return Try(                                                                               \
        #NAME, id,                                                                            \
        [&] { return BuildVariadic(#NAME, Binary::OP, data_0, result_type, id, MEAN); },      \
        [&] { return odla_ref_##NAME(data_0, result_type, id); });                            \
  }
ODLA_CUDA_VARIADIC(Sum, kAdd, false)
ODLA_CUDA_VARIADIC(Mean, kAdd, true)
ODLA_CUDA_VARIADIC(Max, kMax, false)
ODLA_CUDA_VARIADIC(Min, kMin, false)
#undef ODLA_CUDA_VARIADIC

odla_value odla_PRelu(odla_value X, odla_value slope, odla_value_type result_type,
                      odla_value_id id) {
  return Try(
      "PRelu", id, [&] { return BuildPRelu(X, slope, result_type, id); },
      [&] { return odla_ref_PRelu(X, slope, result_type, id); });
}

odla_value odla_BitShift(odla_value X, odla_value Y, const char* direction,
                         odla_value_type result_type, odla_value_id id) {
  return Try(
      "BitShift", id, [&] { return BuildBitShift(X, Y, direction, result_type, id); },
      [&] { return odla_ref_BitShift(X, Y, direction, result_type, id); });
}

odla_value odla_Mod(odla_value A, odla_value B, odla_int64 fmod, odla_value_type result_type,
                    odla_value_id id) {
  return Try(
      "Mod", id,
      [&] {
        return BuildBinary("Mod", fmod ? Binary::kFMod : Binary::kMod, A, B, result_type, id);
      },
      [&] { return odla_ref_Mod(A, B, fmod, result_type, id); });
}

odla_value odla_Where(odla_value condition, odla_value X, odla_value Y, odla_value_type result_type,
                      odla_value_id id) {
  return Try(
      "Where", id, [&] { return BuildWhere(condition, X, Y, result_type, id); },
      [&] { return odla_ref_Where(condition, X, Y, result_type, id); });
}

odla_value odla_Cast(odla_value input, odla_element_type to, odla_value_type result_type,
                     odla_value_id id) {
  return Try(
      "Cast", id, [&] { return BuildCast(input, to, result_type, id); },
      [&] { return odla_ref_Cast(input, to, result_type, id); });
}

// The result type names the element type of CastLike's `target_type`.
odla_value odla_CastLike(odla_value input, odla_value_type result_type, odla_value_id id) {
  return Try(
      "CastLike", id, [&] { return BuildCast(input, result_type.element_type, result_type, id); },
      [&] { return odla_ref_CastLike(input, result_type, id); });
}

}  // extern "C"
