// Fused ops that the compiler's fusion passes make (no ONNX model holds them): a
// convolution or matrix product, its bias, an optional residual Sum and an activation,
// computed as y = act(product + bias + Sum) in one pass over the result.
#include "ir/ops/rules.h"

namespace halo {
namespace {

const char* const kActivations[] = {"",     "Relu",        "LeakyRelu", "Clip", "Sigmoid",
                                    "Tanh", "HardSigmoid", "HardSwish", "Elu",  "Gelu"};

// Checks the element type, the optional Sum (input `sum`, the result's type) and the
// activation of a fused node whose result type the base rule has set.
void CheckFused(InferContext& c, size_t sum) {
  const Type& y = c.node()->output()->type();
  c.check(y.dtype == DataType::kFloat32 || y.dtype == DataType::kFloat64, "element type ",
          DataTypeName(y.dtype), " is not supported (float32 or float64)");
  if (c.has_input(sum))
    c.check(c.in(sum) == y, "Sum must have the result's type ", y.ToString(), ", got ",
            c.in(sum).ToString());
  const std::string& act = c.node()->GetString("activation");
  bool known = false;
  for (const char* a : kActivations) known = known || act == a;
  c.check(known, "unknown activation '", act, "'");
}

void FusedConvRule(InferContext& c) {
  ConvRule(c);
  CheckFused(c, 3);
}

void FusedGemmRule(InferContext& c) {
  GemmRule(c);
  CheckFused(c, 3);
}

void FusedMatMulRule(InferContext& c) {
  MatMulRule(c);
  const Type& y = c.node()->output()->type();
  if (c.has_input(2)) {
    c.check(c.in(1).Rank() >= 2, "Bias needs a matrix B");
    c.check(c.in(2) == Type(y.dtype, {y.shape.back()}), "Bias must be ", DataTypeName(y.dtype), "[",
            y.shape.back(), "], got ", c.in(2).ToString());
  }
  CheckFused(c, 3);
}

// The product's FLOPs plus one per result element for each of the bias (FusedMatMul's
// Bias; the others count theirs with the product), the Sum and the activation.
FlopsFn FusedFlops(double (*product)(const Node&)) {
  return [product](const Node& n) {
    double out = static_cast<double>(n.output()->type().NumElements());
    double extra = (n.op() == "FusedMatMul" && n.input(2)) + (n.input(3) != nullptr) +
                   !n.GetString("activation").empty();
    return product(n) + extra * out;
  };
}

const char* kActivationDoc =
    "applied last: '' (none), Relu, LeakyRelu (alpha), Clip (min alpha, max beta; beyond "
    "+-FLT_MAX: none), Sigmoid, Tanh, HardSigmoid (max(0, min(1, alpha*x + beta))), HardSwish "
    "(x * max(0, min(1, alpha*x + beta))), Elu (alpha) or Gelu (x * (erf(x / sqrt(2)) + 1) * 0.5)";

OpDef& Activation(OpDef& d) {
  return d.Str("activation", "", kActivationDoc)
      .Float("activation_alpha", 0.0, "the activation's alpha")
      .Float("activation_beta", 0.0, "the activation's beta");
}

}  // namespace

void RegisterNNFusedOps(OpRegistry& r) {
  Activation(r.Add("FusedConv")
                 .Doc("Y = act(Conv(X, W, B) + Sum): a convolution as Conv computes it, then the "
                      "optional Sum [N, M, D...] and the activation.")
                 .In("X")
                 .In("W")
                 .OptIn("B", "bias [M]")
                 .OptIn("Sum", "added after the bias, before the activation (a residual)")
                 .Meta("auto_pad", AttrKind::kString, std::string("NOTSET"), "as for Conv")
                 .Ints("dilations", {}, "dilation per spatial axis")
                 .Int("group", 1, "number of channel groups")
                 .Meta("kernel_shape", AttrKind::kInts, std::vector<int64_t>{}, "W's spatial dims")
                 .Ints("pads", {}, "[begin..., end...] per spatial axis")
                 .Ints("strides", {}, "stride per spatial axis"))
      .Out("Y")
      .Flops(FusedFlops(ConvFlops))
      .Rule(FusedConvRule);
  Activation(r.Add("FusedGemm")
                 .Doc("Y = act(alpha * op(A) * op(B) + beta * C + Sum): Gemm, then the optional "
                      "Sum [M, N] and the activation.")
                 .In("A")
                 .In("B")
                 .OptIn("C", "added (broadcast) to the product")
                 .OptIn("Sum", "added after C, before the activation")
                 .Float("alpha", 1.0, "product scale")
                 .Float("beta", 1.0, "C scale")
                 .Int("transA", 0, "1: transpose A")
                 .Int("transB", 0, "1: transpose B"))
      .Out("Y")
      .Flops(FusedFlops(GemmFlops))
      .Rule(FusedGemmRule);
  Activation(r.Add("FusedMatMul")
                 .Doc("Y = act(MatMul(A, B) + Bias + Sum): a numpy matrix product, then the "
                      "optional Bias (one per column) and Sum (the result's shape) and the "
                      "activation.")
                 .In("A")
                 .In("B")
                 .OptIn("Bias", "[N], added to each row of the product")
                 .OptIn("Sum", "added after the bias, before the activation"))
      .Out("Y")
      .Flops(FusedFlops(MatMulFlops))
      .Rule(FusedMatMulRule);
}

}  // namespace halo
