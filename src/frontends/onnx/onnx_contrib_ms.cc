// ONNX Runtime's com.microsoft operators that its transformer optimizer and quantization
// tools write into models, translated into the IR ops of their definitions (ONNX Runtime's
// docs/ContribOperators.md): the fused activations, the skip-and-normalise ops, FusedMatMul,
// FusedConv and FusedGemm. The quantized ones are in onnx_contrib_ms_quant.cc.
#include <cstring>
#include <string>

#include "frontends/onnx/onnx_adapter_util.h"

namespace halo::onnx_fe {
namespace {

// Gelu (exact) and FastGelu (the tanh form) of X + bias (bias optional); BiasGelu: exact GELU
// of A + B.
void MsGelu(Importer& im, PendingNode& p, bool tanh_form) {
  Value* x = p.inputs.at(0);
  if (Value* bias = OptInput(p, 1)) x = Step(im, p, "Add", {x, bias});
  GeluOf(im, p, x, tanh_form);
}
void Gelu(Importer& im, PendingNode& p) { MsGelu(im, p, false); }
void FastGelu(Importer& im, PendingNode& p) { MsGelu(im, p, true); }

// QuickGelu: x * sigmoid(alpha * x), alpha 1.702 by default.
void QuickGelu(Importer& im, PendingNode& p) {
  const double alpha = TakeFloat(p, "alpha", 1.702);
  Value* x = p.inputs.at(0);
  Value* ax = alpha == 1.0 ? x : Step(im, p, "Mul", {x, Scalar(im, p, x, alpha)});
  Finish(im, p, "Mul", {x, Step(im, p, "Sigmoid", {ax})});
}

// BiasAdd: X + bias + skip.
void BiasAdd(Importer& im, PendingNode& p) {
  Finish(im, p, "Add", {Step(im, p, "Add", {p.inputs.at(0), p.inputs.at(1)}), p.inputs.at(2)});
}

// SkipLayerNormalization (simplified: RMS normalisation, without beta): the sum input +
// skip (+ bias) normalised over its last axis, times gamma (+ beta). Results: the output,
// the mean and inverse standard deviation (LayerNormalization's; none when simplified), and
// the sum.
void SkipNorm(Importer& im, PendingNode& p, bool simplified) {
  const double eps = TakeFloat(p, "epsilon", 1e-12);
  Value* sum = Step(im, p, "Add", {p.inputs.at(0), p.inputs.at(1)});
  Value* gamma = p.inputs.at(2);
  Value* beta = simplified ? nullptr : OptInput(p, 3);
  if (Value* bias = OptInput(p, simplified ? 3 : 4)) sum = Step(im, p, "Add", {sum, bias});
  std::vector<std::string> outs = p.outputs;
  outs.resize(4);
  if (!outs[3].empty()) im.Bind(outs[3], sum);
  const int64_t last = im.KnownType(p, sum, "the sum").Rank() - 1;
  if (simplified) {
    if (!outs[1].empty() || !outs[2].empty())
      im.Fail(p, "the mean and inv_std_var results are not supported");
    p.outputs.resize(1);  // the sum is bound
    Value* rms = Step(
        im, p, "Sqrt",
        {Step(im, p, "Add",
              {Step(im, p, "ReduceMean", {Step(im, p, "Mul", {sum, sum}), IntsConst(im, p, {last})},
                    {{"keepdims", int64_t{1}}}),
               Scalar(im, p, sum, eps)})});
    return Finish(im, p, "Mul", {Step(im, p, "Div", {sum, rms}), gamma});
  }
  p.op = "LayerNormalization";
  p.inputs = {sum, gamma, beta};
  p.ir_attrs["axis"] = last;
  p.ir_attrs["epsilon"] = eps;
  p.outputs = {outs[0], outs[1], outs[2]};
  im.Build(p);
}
void SkipLayerNormalization(Importer& im, PendingNode& p) { SkipNorm(im, p, false); }
void SkipSimplifiedLayerNormalization(Importer& im, PendingNode& p) { SkipNorm(im, p, true); }

// FusedMatMul: alpha * op(A) op(B), op transposing the last two axes where asked.
void FusedMatMul(Importer& im, PendingNode& p) {
  const double alpha = TakeFloat(p, "alpha", 1.0);
  const bool ta = TakeInt(p, "transA", 0) != 0, tb = TakeInt(p, "transB", 0) != 0;
  TakeIntAt(im, p, "transBatchA", 0);
  TakeIntAt(im, p, "transBatchB", 0);
  auto swap_last = [&](Value* v, const char* what) {
    const int r = im.KnownType(p, v, what).Rank();
    if (r < 2) im.Fail(p, what, " must have rank 2 or more to be transposed");
    std::vector<int64_t> perm(static_cast<size_t>(r));
    for (int i = 0; i < r; ++i) perm[i] = i;
    std::swap(perm[r - 1], perm[r - 2]);
    return Transposed(im, p, v, perm);
  };
  Value* a = ta ? swap_last(p.inputs.at(0), "'A'") : p.inputs.at(0);
  Value* b = tb ? swap_last(p.inputs.at(1), "'B'") : p.inputs.at(1);
  if (alpha == 1.0) return Finish(im, p, "MatMul", {a, b});
  Finish(im, p, "Mul", {Step(im, p, "MatMul", {a, b}), Scalar(im, p, a, alpha)});
}

// The activation that FusedConv and FusedGemm apply (`activation` and its parameters) to y;
// p's result.
void Activate(Importer& im, PendingNode& p, Value* y) {
  std::string act;
  if (const onnx::AttributeProto* a = p.take_attr("activation")) act = a->s();
  std::vector<float> params;  // FusedConv's activation_params, FusedGemm's activation_alpha...
  if (const onnx::AttributeProto* a = p.take_attr("activation_params"))
    params.assign(a->floats().begin(), a->floats().end());
  for (const char* name : {"activation_alpha", "activation_beta", "activation_gamma"})
    if (const onnx::AttributeProto* a = p.take_attr(name)) {
      params.resize(static_cast<size_t>(name[11] == 'a' ? 1 : name[11] == 'b' ? 2 : 3));
      params.back() = a->f();
    }
  auto param = [&](size_t i, double def) { return i < params.size() ? params[i] : def; };
  p.attrs.clear();
  if (act.empty()) return Finish(im, p, "Identity", {y});
  if (act == "Relu" || act == "Tanh" || act == "Sigmoid") return Finish(im, p, act, {y});
  if (act == "LeakyRelu") return Finish(im, p, act, {y}, {{"alpha", param(0, 0.01)}});
  if (act == "HardSigmoid")
    return Finish(im, p, act, {y}, {{"alpha", param(0, 0.2)}, {"beta", param(1, 0.5)}});
  if (act == "Clip")
    return Finish(im, p, act,
                  {y, Scalar(im, p, y, param(0, -3.4028234663852886e38)),
                   Scalar(im, p, y, param(1, 3.4028234663852886e38))});
  im.Fail(p, "activation '", act, "' is not supported");
}

// FusedConv: Conv (+ Z) then the activation. FusedGemm: Gemm then the activation.
void FusedConv(Importer& im, PendingNode& p) {
  PendingNode conv = p;
  conv.op = "Conv";
  conv.name = im.NewNodeName(p.name + "/Conv");
  conv.outputs = {""};
  conv.attrs.clear();
  for (const onnx::AttributeProto* a : p.attrs)
    if (std::strncmp(a->name().c_str(), "activation", 10) != 0) conv.attrs.push_back(a);
  conv.inputs.resize(std::min<size_t>(p.inputs.size(), 3));
  Value* y = im.Build(conv)->output();
  if (Value* z = OptInput(p, 3)) y = Step(im, p, "Add", {y, z});
  Activate(im, p, y);
}
void FusedGemm(Importer& im, PendingNode& p) {
  PendingNode gemm = p;
  gemm.op = "Gemm";
  gemm.name = im.NewNodeName(p.name + "/Gemm");
  gemm.outputs = {""};
  gemm.attrs.clear();
  for (const onnx::AttributeProto* a : p.attrs)
    if (std::strncmp(a->name().c_str(), "activation", 10) != 0) gemm.attrs.push_back(a);
  Activate(im, p, im.Build(gemm)->output());
}

struct Entry {
  const char* op;
  Adapter fn;
};

const Entry kMicrosoft[] = {
    {"Gelu", Gelu},
    {"FastGelu", FastGelu},
    {"BiasGelu", Gelu},
    {"QuickGelu", QuickGelu},
    {"BiasAdd", BiasAdd},
    {"SkipLayerNormalization", SkipLayerNormalization},
    {"SkipSimplifiedLayerNormalization", SkipSimplifiedLayerNormalization},
    {"FusedMatMul", FusedMatMul},
    {"FusedConv", FusedConv},
    {"FusedGemm", FusedGemm},
};

}  // namespace

Adapter FindContribAdapter(const std::string& domain, const std::string& op_type) {
  if (domain != "com.microsoft") return nullptr;
  for (const Entry& e : kMicrosoft)
    if (op_type == e.op) return e.fn;
  return FindMsQuantAdapter(op_type);
}

std::string UnsupportedDomainOp(const std::string& domain, const std::string& op_type) {
  if (domain == "com.microsoft")
    return "ONNX Runtime's operator com.microsoft." + op_type +
           " is not supported (HALO translates some of them: docs/onnx-conformance.md)";
  return "operator domain '" + domain +
         "' is not supported (HALO reads the default ONNX domain and some of ONNX Runtime's "
         "com.microsoft operators)";
}

}  // namespace halo::onnx_fe
