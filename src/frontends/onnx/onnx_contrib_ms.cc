// ONNX Runtime's com.microsoft operators that its transformer optimizer and quantization
// tools write into models, translated into the IR ops of their definitions (ONNX Runtime's
// docs/ContribOperators.md): the fused activations, the skip-and-normalise ops, FusedMatMul,
// FusedConv and FusedGemm. The quantized ones are in onnx_contrib_ms_quant.cc.
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
    p.outputs.resize(3);  // the sum is bound; Finish refuses the others when used
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
bool NotActivation(const std::string& attr) { return attr.rfind("activation", 0) != 0; }
void FusedConv(Importer& im, PendingNode& p) {
  std::vector<Value*> ins = p.inputs;
  ins.resize(std::min<size_t>(ins.size(), 3));
  Value* y = StepWithAttrs(im, p, "Conv", ins, NotActivation);
  if (Value* z = OptInput(p, 3)) y = Step(im, p, "Add", {y, z});
  Activate(im, p, y);
}
void FusedGemm(Importer& im, PendingNode& p) {
  Activate(im, p, StepWithAttrs(im, p, "Gemm", p.inputs, NotActivation));
}

// RotaryEmbedding (com.microsoft): ONNX's RotaryEmbedding-23 with the inputs (input,
// position_ids, cos_cache, sin_cache); position_ids of one element is the position of the
// first token (the others follow); a 3-D input without num_heads has heads of twice the
// caches' width.
void MsRotaryEmbedding(Importer& im, PendingNode& p) {
  if (TakeFloat(p, "scale", 1.0) != 1.0) im.Fail(p, "a scale other than 1 is not supported");
  TakeIntAt(im, p, "is_packed_batching", 0);
  Value *x = p.inputs.at(0), *pos = p.inputs.at(1), *cos = p.inputs.at(2), *sin = p.inputs.at(3);
  const Type xt = im.KnownType(p, x, "the input"), pt = im.KnownType(p, pos, "'position_ids'");
  if (xt.Rank() < 3) im.Fail(p, "the input must have rank 3 or 4, got ", xt.ToString());
  const int64_t b = xt.shape[0], s = xt.shape[xt.Rank() == 3 ? 1 : 2];
  if (pt.NumElements() == 1 && pt.shape != Shape{b, s}) {
    pos = Step(im, p, "Expand",
               {Step(im, p, "Add", {Reshaped(im, p, pos, {1, 1}), Positions(im, p, s)}),
                IntsConst(im, p, {b, s})});
  }
  AddedAttrs heads;
  if (xt.Rank() == 3 && !p.attr("num_heads")) {
    const Type ct = im.KnownType(p, cos, "'cos_cache'");
    const int64_t rot = p.attr("rotary_embedding_dim") ? p.attr("rotary_embedding_dim")->i() : 0;
    const int64_t head = 2 * ct.shape.at(1);
    if (rot != 0 || head <= 0 || xt.shape[2] % head != 0)
      im.Fail(p, "a 3-D input needs 'num_heads' here");
    heads.Int(p, "num_heads", xt.shape[2] / head);
  }
  p.inputs = {x, cos, sin, pos};
  RotaryEmbedding(im, p);
}

// GridSample (com.microsoft, as PyTorch exported grid_sample before ONNX had it): ONNX's
// GridSample-16, the same inputs and attributes (mode bilinear / nearest / bicubic,
// padding_mode, align_corners).
void MsGridSample(Importer& im, PendingNode& p) { im.Build(p); }

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
    {"RotaryEmbedding", MsRotaryEmbedding},
    {"GridSample", MsGridSample},
};

}  // namespace

Adapter FindContribAdapter(const std::string& domain, const std::string& op_type) {
  if (domain != "com.microsoft") return nullptr;
  for (const Entry& e : kMicrosoft)
    if (op_type == e.op) return e.fn;
  if (Adapter a = FindMsQuantAdapter(op_type)) return a;
  return FindMsAttentionAdapter(op_type);
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
