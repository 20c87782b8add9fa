// ONNX Runtime's attention operators of the com.microsoft domain, which its transformer
// optimizer writes into BERT- and GPT-like models: Attention (a packed QKV projection),
// MultiHeadAttention and EmbedLayerNormalization. As ONNX Runtime's CPU kernels compute them
// (docs/onnx-conformance.md): the attention itself is ONNX's Attention-23 (Attention in
// onnx_adapters_attention.cc) with the additive bias their masks give.
#include <limits>
#include <string>

#include "frontends/onnx/onnx_adapter_util.h"
#include "frontends/onnx/onnx_subgraph.h"

namespace halo::onnx_fe {
namespace {

// The additive bias [B, 1, S or 1, T] of an int32 mask: 0 where it keeps a key, `filter`
// (mask_filter_value) where not. Forms: [B, T] or [B, S, T] (kept where > 0), [B] (key
// lengths: keys from len[b] on are masked), [2B] (ends, then starts: keys before start[b]
// are masked too); [B or 1, 1] masks nothing (nullptr).
Value* KeyMaskBias(Importer& im, const PendingNode& p, Value* mask, int64_t b, int64_t s, int64_t t,
                   double filter) {
  const Type mt = im.KnownType(p, mask, "the mask");
  if (mt.dtype != DataType::kInt32) im.Fail(p, "the mask must be int32, got ", mt.ToString());
  Value* keep = nullptr;
  Shape shape = {b, 1, 1, t};
  if (mt.Rank() == 2 && mt.shape[1] == 1 && t != 1) {
    return nullptr;  // ONNX Runtime: the same value for every key, no mask
  } else if ((mt.Rank() == 2 && mt.shape == Shape{b, t}) ||
             (mt.Rank() == 3 && mt.shape == Shape{b, s, t})) {
    keep = Step(im, p, "Greater", {mask, FilledConst(im, p, DataType::kInt32, {}, 0.0)});
    if (mt.Rank() == 3) shape = {b, 1, s, t};
  } else if (mt.Rank() == 1 && (mt.shape[0] == b || mt.shape[0] == 2 * b)) {
    Tensor keys(Type(DataType::kInt32, {1, t}));
    for (int64_t j = 0; j < t; ++j) keys.mutable_data<int32_t>()[j] = static_cast<int32_t>(j);
    Value* j = TensorConst(im, p, std::move(keys));
    Value* ends = mt.shape[0] == b ? mask : SliceAxis(im, p, mask, 0, 0, b);
    keep = Step(im, p, "Less", {j, Reshaped(im, p, ends, {b, 1})});
    if (mt.shape[0] == 2 * b) {
      Value* starts = Reshaped(im, p, SliceAxis(im, p, mask, 0, b, 2 * b), {b, 1});
      keep = Step(im, p, "And", {keep, Step(im, p, "Not", {Step(im, p, "Less", {j, starts})})});
    }
  } else {
    im.Fail(p, "a mask of shape ", mt.ToString(), " is not supported (", b, " batches, ", s,
            " queries, ", t, " keys)");
  }
  Value* bias = Step(im, p, "Where",
                     {keep, FilledConst(im, p, DataType::kFloat32, {}, 0.0),
                      FilledConst(im, p, DataType::kFloat32, {}, filter)});
  return Reshaped(im, p, bias, shape);
}

Value* AddBias(Importer& im, const PendingNode& p, Value* a, Value* b) {
  return !a ? b : !b ? a : Step(im, p, "Add", {a, b});
}

// x[..., begin:end] along the last axis.
Value* Columns(Importer& im, const PendingNode& p, Value* x, int64_t begin, int64_t end) {
  return SliceAxis(im, p, x, im.KnownType(p, x, "a value").Rank() - 1, begin, end);
}

// The attention of com.microsoft.Attention and QAttention on their QKV product qkv [B, S,
// D + D + Dv] (qkv_hidden_sizes, or thirds): p's num_heads, mask_filter_value, scale and
// unidirectional; its inputs mask_index (at mask_at), past (2, B, N, P, H; at past_at) and
// attention_bias (at bias_at, when there is one); results output and present.
void AttentionOnQkv(Importer& im, PendingNode& p, Value* qkv, size_t mask_at, size_t past_at,
                    size_t bias_at) {
  const int64_t heads = TakeInt(p, "num_heads", 0);
  const double filter = TakeFloat(p, "mask_filter_value", -10000.0);
  const double scale = TakeFloat(p, "scale", 0.0);
  const bool causal = TakeInt(p, "unidirectional", 0) != 0;
  TakeIntAt(im, p, "do_rotary", 0);
  TakeIntAt(im, p, "past_present_share_buffer", 0);
  p.take_attr("rotary_embedding_dim");
  const Type qt = im.KnownType(p, qkv, "the QKV product");
  std::vector<int64_t> sizes(3, qt.shape[2] / 3);
  if (const onnx::AttributeProto* a = p.take_attr("qkv_hidden_sizes"))
    sizes.assign(a->ints().begin(), a->ints().end());
  if (heads <= 0) im.Fail(p, "needs num_heads");
  if (sizes.size() != 3 || sizes[0] != sizes[1] || sizes[0] + sizes[1] + sizes[2] != qt.shape[2])
    im.Fail(p, "qkv_hidden_sizes must be [D, D, Dv] summing to the product's ", qt.shape[2],
            " columns");
  const int64_t b = qt.shape[0], s = qt.shape[1], d = sizes[0];
  std::vector<Value*> ins = {Columns(im, p, qkv, 0, d), Columns(im, p, qkv, d, 2 * d),
                             Columns(im, p, qkv, 2 * d, 2 * d + sizes[2]), nullptr};
  int64_t past_len = 0;
  if (Value* past = OptInput(p, past_at)) {
    const Type pt = im.KnownType(p, past, "'past'");
    if (pt.Rank() != 5 || pt.shape[0] != 2) im.Fail(p, "'past' must be [2, B, N, P, H]");
    past_len = pt.shape[3];
    for (int64_t i : {0, 1})
      ins.push_back(
          Step(im, p, "Squeeze", {SliceAxis(im, p, past, 0, i, i + 1), IntsConst(im, p, {0})}));
  }
  Value* mask = OptInput(p, mask_at)
                    ? KeyMaskBias(im, p, p.inputs[mask_at], b, s, s + past_len, filter)
                    : nullptr;
  ins[3] = AddBias(im, p, mask, OptInput(p, bias_at));
  std::vector<std::string> outs = p.outputs;
  outs.resize(2);
  const std::string pk = im.NewTensorName(p.name + "/present_key"),
                    pv = im.NewTensorName(p.name + "/present_value");
  AddedAttrs attrs;
  p.inputs = ins;
  p.outputs = {outs[0], pk, pv};
  attrs.Int(p, "q_num_heads", heads);
  attrs.Int(p, "kv_num_heads", heads);
  attrs.Int(p, "is_causal", causal ? 1 : 0);
  if (scale != 0) attrs.Float(p, "scale", scale);
  Attention(im, p);
  if (!outs[1].empty())  // (2, B, N, T, H)
    im.Bind(outs[1], Stack(im, p, {im.Find(pk), im.Find(pv)}, 0, p.name + "/present"));
}

// Attention (com.microsoft): input [B, S, Di] times weights [Di, D + D + Dv] (+ bias) gives
// Q | K | V; mask_index, attention_bias, unidirectional, past (2, B, N, P, H) and present.
void MsAttention(Importer& im, PendingNode& p) {
  if (OptInput(p, 6)) im.Fail(p, "input 'past_sequence_length' is not supported");
  Value *x = p.inputs.at(0), *w = p.inputs.at(1), *bias = OptInput(p, 2);
  const Type xt = im.KnownType(p, x, "the input"), wt = im.KnownType(p, w, "the weights");
  if (xt.Rank() != 3 || wt.Rank() != 2)
    im.Fail(p, "needs an input [B, S, hidden] and weights [hidden, D + D + Dv]");
  Value* qkv = Step(im, p, "MatMul", {x, w});
  if (bias) qkv = Step(im, p, "Add", {qkv, bias});
  AttentionOnQkv(im, p, qkv, 3, 4, 5);
}

// QAttention (com.microsoft): Attention whose product is integer: (input - input_zero_point)
// (weight - weight_zero_point) in int32, times input_scale * weight_scale (per tensor or per
// column), + bias. Inputs: input, weight, bias, input_scale, weight_scale, mask_index,
// input_zero_point, weight_zero_point, past.
void MsQAttention(Importer& im, PendingNode& p) {
  Value *x = p.inputs.at(0), *w = p.inputs.at(1);
  const Type xt = im.KnownType(p, x, "the input"), wt = im.KnownType(p, w, "the weights");
  if (xt.Rank() != 3 || wt.Rank() != 2 || wt.shape[0] != xt.shape[2])
    im.Fail(p, "needs an input [B, S, hidden] and weights [hidden, D + D + Dv]");
  Value* qkv = IntegerProductOf(im, p, x, p.inputs.at(3), OptInput(p, 6), w, p.inputs.at(4),
                                OptInput(p, 7), p.inputs.at(2));
  AttentionOnQkv(im, p, qkv, 5, 8, 9);
}

// MultiHeadAttention (com.microsoft): query [B, S, D], key and value [B, L, D] (+ their parts
// of bias) or [B, N, L, H] (cross attention); key_padding_mask, attention_bias, past_key /
// past_value [B, N, P, H], unidirectional. Results: output, present_key, present_value, and
// qk (the scores with the mask and bias added, before the softmax).
void MsMultiHeadAttention(Importer& im, PendingNode& p) {
  const int64_t heads = TakeInt(p, "num_heads", 0);
  const double filter = TakeFloat(p, "mask_filter_value", -10000.0);
  const double scale = TakeFloat(p, "scale", 0.0);
  const bool causal = TakeInt(p, "unidirectional", 0) != 0;
  if (OptInput(p, 8) || OptInput(p, 9))
    im.Fail(p, "inputs 'past_sequence_length' and 'cache_indirection' are not supported");
  Value *q = p.inputs.at(0), *k = OptInput(p, 1), *v = OptInput(p, 2), *bias = OptInput(p, 3);
  const Type qt = im.KnownType(p, q, "'query'");
  if (qt.Rank() != 3 || !k || !v || heads <= 0)
    im.Fail(p,
            "needs query [B, S, D], key and value, and num_heads (packed forms are not "
            "supported)");
  const Type kt = im.KnownType(p, k, "'key'"), vt = im.KnownType(p, v, "'value'");
  const int64_t b = qt.shape[0], s = qt.shape[1], d = qt.shape[2];
  const bool cross = kt.Rank() == 4;
  if (cross && (OptInput(p, 6) || vt.Rank() != 4))
    im.Fail(p, "key and value [B, N, L, H] go together, without a cache");
  if (bias) {
    const int64_t dv = im.KnownType(p, bias, "'bias'").shape.at(0) - 2 * d;
    q = Step(im, p, "Add", {q, Columns(im, p, bias, 0, d)});
    if (!cross) {
      k = Step(im, p, "Add", {k, Columns(im, p, bias, d, 2 * d)});
      v = Step(im, p, "Add", {v, Columns(im, p, bias, 2 * d, 2 * d + dv)});
    }
  }
  if (cross) {  // to [B, L, N * H], as Attention takes 3-D ones
    k = Reshaped(im, p, Transposed(im, p, k, {0, 2, 1, 3}),
                 {kt.shape[0], kt.shape[2], kt.shape[1] * kt.shape[3]});
    v = Reshaped(im, p, Transposed(im, p, v, {0, 2, 1, 3}),
                 {vt.shape[0], vt.shape[2], vt.shape[1] * vt.shape[3]});
  }
  const int64_t past = OptInput(p, 6) ? im.KnownType(p, p.inputs[6], "'past_key'").shape.at(2) : 0;
  const int64_t total = past + im.KnownType(p, k, "'key'").shape[1];
  Value* mask = OptInput(p, 4) ? KeyMaskBias(im, p, p.inputs[4], b, s, total, filter) : nullptr;
  std::vector<Value*> ins = {
      q, k, v, AddBias(im, p, mask, OptInput(p, 5)), OptInput(p, 6), OptInput(p, 7)};
  AddedAttrs attrs;
  p.inputs = ins;
  attrs.Int(p, "q_num_heads", heads);
  attrs.Int(p, "kv_num_heads", heads);
  attrs.Int(p, "is_causal", causal ? 1 : 0);
  attrs.Int(p, "qk_matmul_output_mode", 2);
  if (scale != 0) attrs.Float(p, "scale", scale);
  p.outputs.resize(4);
  Attention(im, p);
}

// EmbedLayerNormalization (com.microsoft): LayerNormalization (gamma, beta, epsilon 1e-12)
// of word_embedding[input_ids] + position_embedding[position_ids or 0..S-1] (+
// segment_embedding[segment_ids]). Results: output, mask_index (int32 [B]: the mask's ones
// per row; zeros without a mask) and embedding_sum (the sum before normalising).
void MsEmbedLayerNormalization(Importer& im, PendingNode& p) {
  const double eps = TakeFloat(p, "epsilon", 1e-12);
  p.take_attr("mask_index_type");  // shape inference only
  Value *ids = p.inputs.at(0), *seg = OptInput(p, 1), *words = p.inputs.at(2),
        *positions = p.inputs.at(3), *seg_table = OptInput(p, 4), *mask = OptInput(p, 7),
        *pos_ids = OptInput(p, 8);
  const Type it = im.KnownType(p, ids, "'input_ids'");
  if (it.Rank() != 2) im.Fail(p, "'input_ids' must be [B, S], got ", it.ToString());
  const int64_t b = it.shape[0], s = it.shape[1];
  if (!pos_ids) pos_ids = Positions(im, p, s);
  Value* sum = Step(im, p, "Add",
                    {Step(im, p, "Gather", {words, ids}, {{"axis", int64_t{0}}}),
                     Step(im, p, "Gather", {positions, pos_ids}, {{"axis", int64_t{0}}})});
  if (seg && seg_table)
    sum =
        Step(im, p, "Add", {sum, Step(im, p, "Gather", {seg_table, seg}, {{"axis", int64_t{0}}})});
  std::vector<std::string> outs = p.outputs;
  outs.resize(3);
  if (!outs[1].empty()) {
    Value* count;
    if (mask) {
      Value* ones = Step(im, p, "Equal", {mask, FilledConst(im, p, DataType::kInt32, {}, 1.0)});
      count =
          Step(im, p, "ReduceSum", {CastTo(im, p, ones, DataType::kInt32), IntsConst(im, p, {1})},
               {{"keepdims", int64_t{0}}});
    } else {
      count = FilledConst(im, p, DataType::kInt32, {b}, 0.0);
    }
    im.Bind(outs[1], count);
  }
  if (!outs[2].empty()) im.Bind(outs[2], sum);
  p.attrs.clear();
  p.outputs = {outs[0]};
  Finish(im, p, "LayerNormalization", {sum, p.inputs.at(5), p.inputs.at(6)},
         {{"axis", int64_t{2}}, {"epsilon", eps}});
}

// QEmbedLayerNormalization (com.microsoft): EmbedLayerNormalization of quantized tables.
// Inputs: input_ids, segment_ids, the word, position and segment embeddings, gamma and beta
// (int8 or uint8), mask, then their scales (word, position, segment, gamma, beta) and zero
// points in that order, each per tensor; dequantized ((q - zero point) * scale) first.
void MsQEmbedLayerNormalization(Importer& im, PendingNode& p) {
  std::vector<Value*> ins(8, nullptr);
  ins[0] = p.inputs.at(0);
  ins[1] = OptInput(p, 1);
  ins[7] = OptInput(p, 7);
  for (size_t t = 0; t < 5; ++t) {  // the tables, inputs 2 to 6 of both
    Value* q = OptInput(p, 2 + t);
    if (!q) continue;
    Value *scale = OptInput(p, 8 + t), *zp = OptInput(p, 13 + t);
    if (!scale || !zp) im.Fail(p, "quantized table ", 2 + t, " needs its scale and zero point");
    for (Value* v : {scale, zp})
      if (im.KnownType(p, v, "a scale or zero point").NumElements() != 1)
        im.Fail(p, "scales and zero points must be per tensor (one value)");
    ins[2 + t] =
        Step(im, p, "DequantizeLinear", {q, Reshaped(im, p, scale, {}), Reshaped(im, p, zp, {})});
  }
  p.inputs = ins;
  MsEmbedLayerNormalization(im, p);
}

}  // namespace

Adapter FindMsAttentionAdapter(const std::string& op_type) {
  if (op_type == "Attention") return MsAttention;
  if (op_type == "QAttention") return MsQAttention;
  if (op_type == "MultiHeadAttention") return MsMultiHeadAttention;
  if (op_type == "EmbedLayerNormalization") return MsEmbedLayerNormalization;
  if (op_type == "QEmbedLayerNormalization") return MsQEmbedLayerNormalization;
  if (op_type == "GroupQueryAttention") return MsGroupQueryAttention;
  return nullptr;
}

}  // namespace halo::onnx_fe
