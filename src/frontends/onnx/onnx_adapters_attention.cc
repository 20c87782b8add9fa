// The transformer ops of opsets 23 and 24, written as the IR ops of their ONNX definitions:
// Attention (scaled dot-product attention with heads, grouped KV heads, a KV cache, masks
// and softcap), RotaryEmbedding, RMSNormalization and TensorScatter (KV cache writes).
#include <cmath>
#include <limits>

#include "frontends/onnx/onnx_adapter_util.h"
#include "frontends/onnx/onnx_subgraph.h"
#include "frontends/onnx/onnx_tensor.h"

namespace halo::onnx_fe {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// [B, S, heads * D] viewed as [B, heads, S, D].
Value* Heads(Importer& im, const PendingNode& p, Value* x, const Type& t, int64_t heads) {
  const int64_t hidden = t.shape[2];
  if (heads <= 0 || hidden % heads != 0)
    im.Fail(p, "a hidden size of ", hidden, " does not divide into ", heads, " heads");
  return Transposed(im, p, Reshaped(im, p, x, {t.shape[0], t.shape[1], heads, hidden / heads}),
                    {0, 2, 1, 3});
}

// x [B, kv_heads, L, D] with each head repeated `reps` times in a row: [B, kv_heads * reps,
// L, D] (grouped-query attention: query head h reads KV head h / reps).
Value* RepeatHeads(Importer& im, const PendingNode& p, Value* x, const Type& t, int64_t reps) {
  if (reps == 1) return x;
  const int64_t b = t.shape[0], h = t.shape[1], l = t.shape[2], d = t.shape[3];
  Value* e = Step(im, p, "Expand",
                  {Reshaped(im, p, x, {b, h, 1, l, d}), IntsConst(im, p, {b, h, reps, l, d})});
  return Reshaped(im, p, e, {b, h * reps, l, d});
}

// The additive bias that attn_mask gives (a bool mask: 0 where true, -inf where false),
// padded with -inf to `total` keys.
Value* MaskBias(Importer& im, const PendingNode& p, Value* mask, DataType dtype, int64_t total) {
  const Type mt = im.KnownType(p, mask, "'attn_mask'");
  Value* bias = mask;
  if (mt.dtype == DataType::kBool) {
    bias = Step(im, p, "Where",
                {mask, FilledConst(im, p, dtype, {}, 0.0), FilledConst(im, p, dtype, {}, -kInf)});
  } else if (mt.dtype != dtype) {
    im.Fail(p, "'attn_mask' must be bool or of the query's type (", DataTypeName(dtype), "), got ",
            mt.ToString());
  }
  if (mt.Rank() == 0) im.Fail(p, "'attn_mask' must have rank 1 or more");
  const int64_t have = mt.shape.back();
  if (have > total)
    im.Fail(p, "'attn_mask' covers ", have, " keys, more than the ", total, " there are");
  return PadEnd(im, p, bias, mt.Rank() - 1, total, -kInf);
}

// The causal bias [S, L]: -inf where key j comes after query i (j > i + past), else 0.
Value* CausalBias(Importer& im, const PendingNode& p, DataType dtype, int64_t s, int64_t l,
                  int64_t past) {
  Tensor t(Type(DataType::kFloat32, {s, l}));
  float* v = t.mutable_data<float>();
  for (int64_t i = 0; i < s; ++i)
    for (int64_t j = 0; j < l; ++j) v[i * l + j] = j > i + past ? -INFINITY : 0.0f;
  return CastTo(im, p, TensorConst(im, p, std::move(t)), dtype);
}

// The bias [B, 1, S or 1, L] that nonpad_kv_seqlen [B] gives (Attention-24): -inf for the
// keys from nonpad[b] on and, when causal, for key j of query i where j > i + nonpad[b] - S
// (the queries are the last S of the valid keys).
Value* NonPadBias(Importer& im, const PendingNode& p, Value* nonpad, DataType dtype, int64_t b,
                  int64_t s, int64_t l, bool causal) {
  const Type nt = im.KnownType(p, nonpad, "'nonpad_kv_seqlen'");
  if (nt.dtype != DataType::kInt64 || nt.shape != Shape{b})
    im.Fail(p, "'nonpad_kv_seqlen' must be i64[", b, "], got ", nt.ToString());
  // Key j is kept when limit[i, j] <= nonpad[b]: limit j + 1 for the padding, j - i + S for
  // the causal frontier (which implies the padding's).
  const int64_t rows = causal ? s : 1;
  Tensor limit(Type(DataType::kInt64, {rows, l}));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < l; ++j)
      limit.mutable_data<int64_t>()[i * l + j] = causal ? j - i + s : j + 1;
  Value* keep = Step(im, p, "LessOrEqual",
                     {TensorConst(im, p, std::move(limit)), Reshaped(im, p, nonpad, {b, 1, 1})});
  Value* bias =
      Step(im, p, "Where",
           {keep, FilledConst(im, p, dtype, {}, 0.0), FilledConst(im, p, dtype, {}, -kInf)});
  return Reshaped(im, p, bias, {b, 1, rows, l});
}

}  // namespace

Attended Attend(Importer& im, const PendingNode& p, Value* q, Value* k, Value* v, double scale,
                double softcap, Value* bias, DataType soft_t, Value* sink) {
  const Type qt = im.KnownType(p, q, "'Q'"), kt = im.KnownType(p, k, "the keys");
  const int64_t reps = qt.shape[1] / kt.shape[1];
  k = RepeatHeads(im, p, k, kt, reps);
  v = RepeatHeads(im, p, v, im.KnownType(p, v, "the values"), reps);
  Attended a;
  a.scores =
      Step(im, p, "MatMul",
           {Step(im, p, "Mul", {q, Scalar(im, p, q, scale)}), Transposed(im, p, k, {0, 1, 3, 2})});
  Value* scores = a.scores;
  if (softcap > 0)
    scores = Step(im, p, "Mul",
                  {Step(im, p, "Tanh", {Step(im, p, "Div", {scores, Scalar(im, p, q, softcap)})}),
                   Scalar(im, p, q, softcap)});
  if (bias) scores = Step(im, p, "Add", {scores, bias});
  a.biased = scores;
  const int64_t keys = kt.shape[2];
  if (sink) {
    Shape shape = im.KnownType(p, scores, "the scores").shape;
    shape[3] = 1;
    scores = Step(im, p, "Concat", {scores, Step(im, p, "Expand", {sink, IntsConst(im, p, shape)})},
                  {{"axis", int64_t{3}}});
  }
  a.probs =
      CastTo(im, p, Step(im, p, "Softmax", {CastTo(im, p, scores, soft_t)}, {{"axis", int64_t{3}}}),
             qt.dtype);
  if (sink) a.probs = SliceAxis(im, p, a.probs, 3, 0, keys);
  a.y = Step(im, p, "MatMul", {a.probs, v});
  return a;
}

// Attention-23 and 24: Q [B, S, Hq * D] or [B, Hq, S, D], K and V alike with Hkv heads.
// Y = softmax(softcap(Q K^T * scale) + bias) V, the bias from attn_mask, is_causal and
// nonpad_kv_seqlen (24); past_key / past_value are prepended to K and V, which the present
// outputs return.
void Attention(Importer& im, PendingNode& p) {
  const bool causal = TakeInt(p, "is_causal", 0) != 0;
  const int64_t q_heads_attr = TakeInt(p, "q_num_heads", 0);
  const int64_t kv_heads_attr = TakeInt(p, "kv_num_heads", 0);
  const int64_t mode = TakeInt(p, "qk_matmul_output_mode", 0);
  const onnx::AttributeProto* scale_attr = p.take_attr("scale");
  const double softcap = TakeFloat(p, "softcap", 0.0);
  const int64_t precision = TakeInt(p, "softmax_precision", 0);
  Value *q = p.inputs.at(0), *k = p.inputs.at(1), *v = p.inputs.at(2);
  Value *mask = OptInput(p, 3), *past_k = OptInput(p, 4), *past_v = OptInput(p, 5);
  if (!past_k != !past_v) im.Fail(p, "'past_key' and 'past_value' must be given together");
  const Type qt = im.KnownType(p, q, "'Q'"), kt = im.KnownType(p, k, "'K'"),
             vt = im.KnownType(p, v, "'V'");
  if (!IsFloat(qt.dtype)) im.Fail(p, "'Q' must be a float tensor, got ", qt.ToString());
  if (kt.dtype != qt.dtype || vt.dtype != qt.dtype)
    im.Fail(p, "'Q', 'K' and 'V' must have one element type");
  const int rank = qt.Rank();
  if ((rank != 3 && rank != 4) || kt.Rank() != rank || vt.Rank() != rank)
    im.Fail(p, "'Q', 'K' and 'V' must all have rank 3 or all rank 4");
  if (rank == 3) {
    if (q_heads_attr <= 0 || kv_heads_attr <= 0)
      im.Fail(p, "3-D inputs need the attributes 'q_num_heads' and 'kv_num_heads'");
    q = Heads(im, p, q, qt, q_heads_attr);
    k = Heads(im, p, k, kt, kv_heads_attr);
    v = Heads(im, p, v, vt, kv_heads_attr);
  }
  const Type q4 = im.KnownType(p, q, "'Q'"), v4 = im.KnownType(p, v, "'V'");
  Type k4 = im.KnownType(p, k, "'K'");
  const int64_t b = q4.shape[0], hq = q4.shape[1], s = q4.shape[2], d = q4.shape[3];
  const int64_t hkv = k4.shape[1];
  if (k4.shape[0] != b || v4.shape[0] != b) im.Fail(p, "'Q', 'K' and 'V' differ in batch size");
  if (k4.shape[3] != d) im.Fail(p, "'K' has head size ", k4.shape[3], ", 'Q' ", d);
  if (v4.shape[1] != hkv || v4.shape[2] != k4.shape[2])
    im.Fail(p, "'V' must have the heads and sequence length of 'K'");
  if (hkv <= 0 || hq % hkv != 0)
    im.Fail(p, "the ", hq, " query heads do not divide into groups for ", hkv, " KV heads");
  int64_t past = 0;
  if (past_k) {
    past = im.KnownType(p, past_k, "'past_key'").shape.at(2);
    k = Step(im, p, "Concat", {past_k, k}, {{"axis", int64_t{2}}});
    v = Step(im, p, "Concat", {past_v, v}, {{"axis", int64_t{2}}});
    k4 = im.KnownType(p, k, "the keys");
  }
  Value *present_k = k, *present_v = v;
  const int64_t total = k4.shape[2];
  const double scale = scale_attr ? scale_attr->f() : 1.0 / std::sqrt(static_cast<double>(d));
  Value* bias = mask ? MaskBias(im, p, mask, qt.dtype, total) : nullptr;
  Value* nonpad = OptInput(p, 6);
  if (nonpad && past_k)
    im.Fail(p, "'nonpad_kv_seqlen' with 'past_key' and 'past_value' is not supported (ONNX: they ",
            "are not to be used together)");
  if (causal && !nonpad) {
    Value* c = CausalBias(im, p, qt.dtype, s, total, past);
    bias = bias ? Step(im, p, "Add", {bias, c}) : c;
  }
  if (nonpad) {
    Value* c = NonPadBias(im, p, nonpad, qt.dtype, b, s, total, causal);
    bias = bias ? Step(im, p, "Add", {bias, c}) : c;
  }
  DataType soft_t = qt.dtype;
  if (precision != 0) {
    soft_t = DataTypeFromOnnx(static_cast<int32_t>(precision));
    if (!IsFloat(soft_t)) im.Fail(p, "softmax_precision ", precision, " is not a float type");
  }
  const Attended a = Attend(im, p, q, k, v, scale, softcap, bias, soft_t, nullptr);
  Value *raw = a.scores, *biased = a.biased, *probs = a.probs, *y = a.y;

  std::vector<std::string> outs = p.outputs;
  outs.resize(4);
  if (!outs[3].empty()) {
    if (mode < 0 || mode > 3) im.Fail(p, "qk_matmul_output_mode ", mode, " is not 0 to 3");
    if (softcap > 0 && mode != 3)
      im.Fail(p, "qk_matmul_output_mode ", mode, " with a softcap is not supported");
    // As ONNX's reference and ONNX Runtime: modes 0 and 1 give Q K^T (scaled), 2 with the
    // bias added, 3 the softmax.
    im.Bind(outs[3], mode <= 1 ? raw : mode == 2 ? biased : probs);
  }
  if (!outs[1].empty()) im.Bind(outs[1], present_k);
  if (!outs[2].empty()) im.Bind(outs[2], present_v);
  p.outputs.resize(1);  // the others are bound
  if (rank == 4) return Finish(im, p, "Identity", {y});
  Finish(im, p, "Reshape",
         {Transposed(im, p, y, {0, 2, 1, 3}), IntsConst(im, p, {b, s, hq * v4.shape[3]})});
}

Value* Rotate(Importer& im, const PendingNode& p, Value* h, int64_t head_axis, Value* cos,
              Value* sin, int64_t rot, bool interleaved) {
  const int64_t d = im.KnownType(p, h, "the input").shape[3];
  cos = Step(im, p, "Unsqueeze", {cos, IntsConst(im, p, {head_axis})});
  sin = Step(im, p, "Unsqueeze", {sin, IntsConst(im, p, {head_axis})});
  Value *x1, *x2;
  if (interleaved) {
    x1 = SliceAxis(im, p, h, 3, 0, rot, 2);
    x2 = SliceAxis(im, p, h, 3, 1, rot, 2);
  } else {
    x1 = SliceAxis(im, p, h, 3, 0, rot / 2);
    x2 = SliceAxis(im, p, h, 3, rot / 2, rot);
  }
  Value* real = Step(im, p, "Sub", {Step(im, p, "Mul", {cos, x1}), Step(im, p, "Mul", {sin, x2})});
  Value* imag = Step(im, p, "Add", {Step(im, p, "Mul", {sin, x1}), Step(im, p, "Mul", {cos, x2})});
  Value* rotated;
  if (interleaved) {
    Shape shape = im.KnownType(p, real, "the rotation").shape;
    Value* pairs = Stack(im, p, {real, imag}, 4, p.name + "/pairs");
    shape[3] = rot;
    rotated = Reshaped(im, p, pairs, shape);
  } else {
    rotated = Step(im, p, "Concat", {real, imag}, {{"axis", int64_t{3}}});
  }
  if (rot < d)
    rotated =
        Step(im, p, "Concat", {rotated, SliceAxis(im, p, h, 3, rot, d)}, {{"axis", int64_t{3}}});
  return rotated;
}

// RotaryEmbedding-23: X [B, H, S, D] or [B, S, H * D] (num_heads); the first
// rotary_embedding_dim (R, default D) of each head's D values rotate in pairs (halves, or
// neighbours when interleaved) by the angles whose cos and sin the caches give, per
// position: cos_cache [B, S, R / 2], or [max_position + 1, R / 2] indexed by position_ids.
void RotaryEmbedding(Importer& im, PendingNode& p) {
  const bool interleaved = TakeInt(p, "interleaved", 0) != 0;
  const int64_t heads_attr = TakeInt(p, "num_heads", 0);
  int64_t rot = TakeInt(p, "rotary_embedding_dim", 0);
  Value *x = p.inputs.at(0), *cos = p.inputs.at(1), *sin = p.inputs.at(2);
  const Type xt = im.KnownType(p, x, "the input");
  if (!IsFloat(xt.dtype)) im.Fail(p, "the input must be a float tensor, got ", xt.ToString());
  if (xt.Rank() != 3 && xt.Rank() != 4) im.Fail(p, "the input must have rank 3 or 4");
  // Work in [B, S, H, D] (rank 3) or [B, H, S, D] (rank 4); cos and sin get a heads axis.
  int64_t head_axis = 1;
  Value* h = x;
  if (xt.Rank() == 3) {
    if (heads_attr <= 0 || xt.shape[2] % heads_attr != 0)
      im.Fail(p, "a 3-D input needs 'num_heads' dividing its ", xt.shape[2], " values");
    h = Reshaped(im, p, x, {xt.shape[0], xt.shape[1], heads_attr, xt.shape[2] / heads_attr});
    head_axis = 2;
  }
  const int64_t d = im.KnownType(p, h, "the input").shape[3];
  if (rot == 0) rot = d;
  if (rot <= 0 || rot > d || rot % 2 != 0)
    im.Fail(p, "rotary_embedding_dim ", rot, " must be even and at most the head size ", d);
  if (Value* pos = OptInput(p, 3)) {
    cos = Step(im, p, "Gather", {cos, pos}, {{"axis", int64_t{0}}});
    sin = Step(im, p, "Gather", {sin, pos}, {{"axis", int64_t{0}}});
  }
  for (Value* c : {cos, sin}) {
    const Type ct = im.KnownType(p, c, "the cos and sin values");
    if (ct.Rank() != 3 || ct.shape[2] != rot / 2 || ct.dtype != xt.dtype)
      im.Fail(p, "the cos and sin values must be ", DataTypeName(xt.dtype), "[B, S, ", rot / 2,
              "], got ", ct.ToString());
  }
  Value* rotated = Rotate(im, p, h, head_axis, cos, sin, rot, interleaved);
  if (xt.Rank() == 4) return Finish(im, p, "Identity", {rotated});
  Finish(im, p, "Reshape", {rotated, IntsConst(im, p, xt.shape)});
}

// RMSNormalization-23 (and ONNX Runtime's SimplifiedLayerNormalization, the same without
// its optional inv_std_var result): Y = X / sqrt(mean(X^2 over the axes from `axis` on) +
// epsilon) * scale, the normalisation in stash_type (float32 by default) and cast back
// before the scale.
void RmsNormalization(Importer& im, PendingNode& p) {
  int64_t axis = TakeInt(p, "axis", -1);
  const double eps = TakeFloat(p, "epsilon", 1e-5);
  const int64_t stash_onnx = TakeInt(p, "stash_type", 1);
  const DataType stash = DataTypeFromOnnx(static_cast<int32_t>(stash_onnx));
  if (!IsFloat(stash)) im.Fail(p, "stash_type ", stash_onnx, " is not a float type");
  if (p.inputs.size() != 2) im.Fail(p, "takes 2 inputs (X, scale), got ", p.inputs.size());
  if (p.onnx_op == "SimplifiedLayerNormalization" && p.inputs[1] &&
      im.KnownType(p, p.inputs[1], "'scale'").dtype != im.KnownType(p, p.inputs[0], "X").dtype)
    im.Fail(p, "a scale of another element type than X is not supported");
  Value* x = p.inputs[0];
  const Type xt = im.KnownType(p, x, "the input");
  if (!IsFloat(xt.dtype)) im.Fail(p, "the input must be a float tensor, got ", xt.ToString());
  const int64_t r = xt.Rank();
  axis = Axes(im, p, {axis}, r)[0];
  std::vector<int64_t> axes;
  for (int64_t a = axis; a < r; ++a) axes.push_back(a);
  Value* xs = CastTo(im, p, x, stash);
  Value* mean = Step(im, p, "ReduceMean", {Step(im, p, "Mul", {xs, xs}), IntsConst(im, p, axes)},
                     {{"keepdims", int64_t{1}}});
  Value* rms = Step(im, p, "Sqrt", {Step(im, p, "Add", {mean, Scalar(im, p, mean, eps)})});
  Value* normed = CastTo(im, p, Step(im, p, "Div", {xs, rms}), xt.dtype);
  Finish(im, p, "Mul", {normed, p.inputs[1]});
}

// TensorScatter-24: past_cache with update (its S rows along `axis`) written at rows
// write_indices[b] .. + S - 1 of each batch entry b (default 0); mode "circular" wraps the
// rows around the cache's L. Viewed as [B, M, L, R], the rows come from a one-hot product.
void TensorScatter(Importer& im, PendingNode& p) {
  int64_t axis = TakeInt(p, "axis", -2);
  std::string mode = "linear";
  if (const onnx::AttributeProto* a = p.take_attr("mode")) mode = a->s();
  if (mode != "linear" && mode != "circular")
    im.Fail(p, "mode '", mode, "' is not 'linear' or 'circular'");
  Value *cache = p.inputs.at(0), *update = p.inputs.at(1), *at = OptInput(p, 2);
  const Type ct = im.KnownType(p, cache, "'past_cache'"), ut = im.KnownType(p, update, "'update'");
  const int64_t r = ct.Rank();
  if (r < 2) im.Fail(p, "'past_cache' must have rank 2 or more, got ", ct.ToString());
  axis = Axes(im, p, {axis}, r)[0];
  if (axis == 0) im.Fail(p, "axis 0 is the batch axis");
  Shape want = ct.shape;
  want[axis] = ut.Rank() == r ? ut.shape[axis] : -1;
  if (ut.dtype != ct.dtype || ut.shape != want || want[axis] > ct.shape[axis])
    im.Fail(p, "'update' must be 'past_cache' but for at most ", ct.shape[axis], " rows on axis ",
            axis, ", got ", ut.ToString());
  const int64_t b = ct.shape[0], len = ct.shape[axis], s = ut.shape[axis];
  int64_t m = 1, rest = 1;
  for (int64_t i = 1; i < axis; ++i) m *= ct.shape[i];
  for (int64_t i = axis + 1; i < r; ++i) rest *= ct.shape[i];
  Value* start = FilledConst(im, p, DataType::kInt64, {b, 1, 1, 1}, 0.0);
  if (at) {
    const Type at_t = im.KnownType(p, at, "'write_indices'");
    if (at_t.dtype != DataType::kInt64 || at_t.shape != Shape{b})
      im.Fail(p, "'write_indices' must be i64[", b, "], got ", at_t.ToString());
    start = Reshaped(im, p, at, {b, 1, 1, 1});
  }
  // Row j of entry b takes update row j - start[b] (modulo L when circular).
  Value* idx = Step(im, p, "Sub", {Positions(im, p, len, {1, 1, len, 1}), start});
  if (mode == "circular")
    idx = Step(im, p, "Mod",
               {Step(im, p, "Add", {idx, IntsConst(im, p, {len})}), IntsConst(im, p, {len})});
  Value* hit = Step(im, p, "And",
                    {Step(im, p, "GreaterOrEqual", {idx, IntsConst(im, p, {0})}),
                     Step(im, p, "Less", {idx, IntsConst(im, p, {s})})});
  Value* rows = RowsAt(im, p, Reshaped(im, p, update, {b, m, s, rest}), idx);
  Value* y = Step(im, p, "Where", {hit, rows, Reshaped(im, p, cache, {b, m, len, rest})});
  Finish(im, p, "Reshape", {y, IntsConst(im, p, ct.shape)});
}

}  // namespace halo::onnx_fe
