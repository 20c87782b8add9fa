// Building blocks of the version adapters of newer opsets (onnx_adapters_newer.cc,
// onnx_adapters_attention.cc): attribute checks, constant inputs, and the IR nodes an adapter
// writes a newer ONNX op as.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_importer.h"

namespace halo::onnx_fe {

// Removes attribute `name` of p; fails unless it is absent or holds `ok` (an int).
void TakeIntAt(Importer& im, PendingNode& p, const std::string& name, int64_t ok);
// Removes an ints attribute of p that must be all ones (dilations).
void TakeOnes(Importer& im, PendingNode& p, const std::string& name);
// Removes an int / float attribute of p and returns it (`def` when absent).
int64_t TakeInt(PendingNode& p, const std::string& name, int64_t def);
double TakeFloat(PendingNode& p, const std::string& name, double def);

// The constant 1-D integer input i of p (`what` names it in errors).
std::vector<int64_t> IntsInput(Importer& im, PendingNode& p, size_t i, const std::string& what);
// The axes of p's `axes` (as an input or attribute), non-negative for rank r, checked.
std::vector<int64_t> Axes(Importer& im, PendingNode& p, std::vector<int64_t> axes, int64_t r);
// Input i of p, or nullptr when absent.
Value* OptInput(const PendingNode& p, size_t i);

// A node of IR op `op` on `ins` with IR attributes `attrs`, named after p; its result.
Value* Step(Importer& im, const PendingNode& p, const std::string& op, std::vector<Value*> ins,
            std::map<std::string, AttrValue> attrs = {});
// The same with p's remaining ONNX attributes (those `keep` accepts: all when null).
Value* StepWithAttrs(Importer& im, const PendingNode& p, const std::string& op,
                     std::vector<Value*> ins, bool (*keep)(const std::string&) = nullptr);
// A scalar constant of x's (float) element type.
Value* Scalar(Importer& im, const PendingNode& p, Value* x, double v);
// A 1-D int64 constant.
Value* IntsConst(Importer& im, const PendingNode& p, const std::vector<int64_t>& v);
// The int64 constant [[0, 1, ..., n - 1]] (positions of a sequence of n), or of another
// shape of n elements.
Value* Positions(Importer& im, const PendingNode& p, int64_t n, std::vector<int64_t> shape = {});
// A constant of element type t and that shape, every element v.
Value* FilledConst(Importer& im, const PendingNode& p, DataType t, const Shape& shape, double v);
// A constant holding t.
Value* TensorConst(Importer& im, const PendingNode& p, Tensor t);
// x reshaped / transposed / cast to dtype (x itself when it has that type).
Value* Reshaped(Importer& im, const PendingNode& p, Value* x, const std::vector<int64_t>& shape);
Value* Transposed(Importer& im, const PendingNode& p, Value* x, const std::vector<int64_t>& perm);
Value* CastTo(Importer& im, const PendingNode& p, Value* x, DataType dtype);
// x padded with v at the end of axis to `to` elements (x itself when it has them).
Value* PadEnd(Importer& im, const PendingNode& p, Value* x, int64_t axis, int64_t to, double v);
// x[..., begin:end:step] along axis.
Value* SliceAxis(Importer& im, const PendingNode& p, Value* x, int64_t axis, int64_t begin,
                 int64_t end, int64_t step = 1);
// [B, M, L, R]: row j of entry b is rows[b, :, at[b, 0, j, 0], :] (rows [B, M, S, R], at
// int64 [B, 1, L, 1]), or zeros where at is outside 0 .. S - 1; exact (a one-hot MatMul).
Value* RowsAt(Importer& im, const PendingNode& p, Value* rows, Value* at);
// p becomes the last step: IR op `op` on `ins`, with p's first result (fails when another
// result of p's node is used).
void Finish(Importer& im, PendingNode& p, const std::string& op, std::vector<Value*> ins,
            std::map<std::string, AttrValue> attrs = {});

// p becomes GELU of x: x * (erf(x / sqrt(2)) + 1) * 0.5 (as PyTorch's TorchScript exporter
// wrote it, which fuse-gemm recognises), or the tanh form, x * (tanh(sqrt(2 / pi) * (x +
// 0.044715 x^3)) + 1) * 0.5.
void GeluOf(Importer& im, PendingNode& p, Value* x, bool tanh_form);

// ONNX attributes an adapter adds to a node before handing it to another adapter (the ONNX
// form of an op that another domain's op translates to); they live as long as this object.
class AddedAttrs {
 public:
  void Int(PendingNode& p, const std::string& name, int64_t v);
  void Float(PendingNode& p, const std::string& name, double v);

 private:
  onnx::AttributeProto& Add(PendingNode& p, const std::string& name);
  std::deque<onnx::AttributeProto> store_;
};

// Pieces of the transformer ops (onnx_adapters_attention.cc).
// Scaled dot-product attention of q [B, Hq, S, D] over k and v [B, Hkv, L, D] (query head h
// reads KV head h / (Hq / Hkv)): softmax(softcap(q k^T * scale) + bias) v, the softmax in
// soft_t, with one more logit per head when sink ([1, Hq, 1, 1]) is given. Its steps:
struct Attended {
  Value* scores;  // q k^T * scale
  Value* biased;  // after the softcap and the bias
  Value* probs;   // the softmax (without the sink's share)
  Value* y;       // [B, Hq, S, D]
};
Attended Attend(Importer& im, const PendingNode& p, Value* q, Value* k, Value* v, double scale,
                double softcap, Value* bias, DataType soft_t, Value* sink);
// h [B, S, H, D] (head_axis 2) or [B, H, S, D] (head_axis 1) with the first rot values of
// each head rotated by the angles whose cos and sin [B, S, rot / 2] give (RotaryEmbedding).
Value* Rotate(Importer& im, const PendingNode& p, Value* h, int64_t head_axis, Value* cos,
              Value* sin, int64_t rot, bool interleaved);

// Adapters of the transformer ops of opset 23 (onnx_adapters_attention.cc).
void Attention(Importer& im, PendingNode& p);
void RotaryEmbedding(Importer& im, PendingNode& p);
void RmsNormalization(Importer& im, PendingNode& p);
void TensorScatter(Importer& im, PendingNode& p);
// QuantizeLinear and DequantizeLinear of opsets 19 to 25 (onnx_adapters_newer.cc), which
// ONNX Runtime's com.microsoft versions of them share.
void QuantizeLinear19(Importer& im, PendingNode& p);
void DequantizeLinear19(Importer& im, PendingNode& p);
// Adapters of spatial ops of opsets 18 to 20 (onnx_adapters_spatial.cc).
void CenterCropPad(Importer& im, PendingNode& p);
void AffineGrid(Importer& im, PendingNode& p);
void Col2Im(Importer& im, PendingNode& p);
void DeformConv(Importer& im, PendingNode& p);

// (A - a_zp)(B - b_zp) in int32, as float times a_scale * b_scale (+ bias): the integer
// product of ONNX Runtime's quantized operators (onnx_contrib_ms_quant.cc).
Value* IntegerProductOf(Importer& im, const PendingNode& p, Value* a, Value* a_scale, Value* a_zp,
                        Value* b, Value* b_scale, Value* b_zp, Value* bias);
// The adapter of a quantized com.microsoft operator (onnx_contrib_ms_quant.cc), or nullptr.
Adapter FindMsQuantAdapter(const std::string& op_type);
// The adapter of a com.microsoft attention operator (onnx_contrib_ms_attention.cc), or
// nullptr.
Adapter FindMsAttentionAdapter(const std::string& op_type);
// com.microsoft.GroupQueryAttention (onnx_contrib_ms_gqa.cc).
void MsGroupQueryAttention(Importer& im, PendingNode& p);

}  // namespace halo::onnx_fe
