// ONNX Runtime's GroupQueryAttention (com.microsoft), the attention of the LLMs that
// onnxruntime-genai exports, as ONNX Runtime's CPU kernel computes it (docs/onnx-conformance.md).
// Each batch entry b has its own length, seqlens_k[b] + 1 keys: its S new keys and values go
// into the present cache at rows past_b .. past_b + S - 1 (past_b = seqlens_k[b] + 1 - S, or 0
// in a first prompt, S == total_sequence_length), after the past_b rows it keeps of past_key
// and past_value; the other rows are zero. Query s of entry b sits at position past_b + s and
// sees the keys up to it (within local_window_size).
#include <cmath>
#include <limits>
#include <string>

#include "frontends/onnx/onnx_adapter_util.h"

namespace halo::onnx_fe {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The cache [B, KV, L, H] of the new rows x [B, KV, S, H] written at rows past_b of each entry
// b (past_b [B, 1, 1, 1]) after the first past_b rows of past [B, KV, P, H] (when given); in a
// first prompt (`first`: past_b is 0), x and zero rows.
Value* Present(Importer& im, const PendingNode& p, Value* x, Value* past, Value* past_b,
               int64_t len, bool first) {
  if (first) return PadEnd(im, p, x, 2, len, 0.0);
  Value* j = Positions(im, p, len, {1, 1, len, 1});
  Value* rows = RowsAt(im, p, x, Step(im, p, "Sub", {j, past_b}));
  if (!past) return rows;
  return Step(im, p, "Where",
              {Step(im, p, "Less", {j, past_b}), PadEnd(im, p, past, 2, len, 0.0), rows});
}

}  // namespace

// GroupQueryAttention: query [B, S, N * H] (or Q | K | V packed: [B, S, (N + 2 KV) * H]),
// key and value [B, S, KV * H], past_key / past_value [B, KV, P, H], seqlens_k [B],
// total_sequence_length T (known at compile time), cos_cache / sin_cache (do_rotary),
// position_ids, attention_bias [B or 1, N or 1, S, T], head_sink [N]. Results: output
// [B, S, N * H], present_key / present_value [B, KV, max(T, P), H], output_qk [B, N, S, T].
void MsGroupQueryAttention(Importer& im, PendingNode& p) {
  const int64_t n = TakeInt(p, "num_heads", 0), kv = TakeInt(p, "kv_num_heads", 0);
  double scale = TakeFloat(p, "scale", 0.0);
  const double softcap = TakeFloat(p, "softcap", 0.0);
  const int64_t window = TakeInt(p, "local_window_size", -1);
  const bool rotary = TakeInt(p, "do_rotary", 0) != 0;
  const bool interleaved = TakeInt(p, "rotary_interleaved", 0) != 0;
  const bool smooth = TakeInt(p, "smooth_softmax", -1) == 1;
  const int64_t qk_mode = TakeInt(p, "qk_output", 0);
  for (const char* a : {"k_quant_type", "v_quant_type"})
    if (const onnx::AttributeProto* q = p.take_attr(a); q && q->s() != "NONE")
      im.Fail(p, "quantized KV caches (", a, " ", q->s(), ") are not supported");
  TakeIntAt(im, p, "kv_cache_bit_width", 0);
  if (OptInput(p, 12) || OptInput(p, 13))
    im.Fail(p, "inputs 'k_scale' and 'v_scale' (quantized KV caches) are not supported");
  if (n <= 0 || kv <= 0 || n % kv != 0)
    im.Fail(p, "num_heads ", n, " must be a positive multiple of kv_num_heads ", kv);
  if (window == 0 || window < -1) im.Fail(p, "local_window_size ", window, " is not supported");
  if (qk_mode < 0 || qk_mode > 2) im.Fail(p, "qk_output ", qk_mode, " is not 0, 1 or 2");

  Value *q = p.inputs.at(0), *k = OptInput(p, 1), *v = OptInput(p, 2);
  Value *past_k = OptInput(p, 3), *past_v = OptInput(p, 4);
  const Type qt = im.KnownType(p, q, "'query'");
  if (qt.dtype != DataType::kFloat32 || qt.Rank() != 3)
    im.Fail(p, "'query' must be float32[B, S, hidden], got ", qt.ToString());
  if (!k != !v) im.Fail(p, "'key' and 'value' must be given together");
  if (!past_k != !past_v) im.Fail(p, "'past_key' and 'past_value' must be given together");
  const int64_t b = qt.shape[0], s = qt.shape[1];
  const int64_t h = qt.shape[2] / (k ? n : n + 2 * kv);
  if (h * (k ? n : n + 2 * kv) != qt.shape[2])
    im.Fail(p, "'query' of ", qt.shape[2], " values does not divide into the heads");
  if (!k) {  // packed
    k = SliceAxis(im, p, q, 2, n * h, (n + kv) * h);
    v = SliceAxis(im, p, q, 2, (n + kv) * h, (n + 2 * kv) * h);
    q = SliceAxis(im, p, q, 2, 0, n * h);
  }
  for (Value* x : {k, v})
    if (im.KnownType(p, x, "'key' and 'value'") != Type(qt.dtype, {b, s, kv * h}))
      im.Fail(p, "'key' and 'value' must be ", Type(qt.dtype, {b, s, kv * h}).ToString(), ", got ",
              im.KnownType(p, x, "'key' and 'value'").ToString());
  int64_t past_len = 0;
  if (past_k) {
    past_len = im.KnownType(p, past_k, "'past_key'").shape.at(2);
    for (Value* x : {past_k, past_v})
      if (im.KnownType(p, x, "the past") != Type(qt.dtype, {b, kv, past_len, h}))
        im.Fail(p, "'past_key' and 'past_value' must be ",
                Type(qt.dtype, {b, kv, past_len, h}).ToString());
  }
  const std::vector<int64_t> total_in = IntsInput(im, p, 6, "'total_sequence_length'");
  if (total_in.size() != 1 || total_in[0] < s)
    im.Fail(p, "'total_sequence_length' must be one value of at least the ", s, " new tokens");
  const int64_t total = total_in[0], len = std::max(total, past_len);
  const bool first = s == total;  // a first prompt: nothing of the past is kept

  // past_b [B, 1, 1, 1] and the query positions [B, 1, S, 1] (int64).
  const Type st = im.KnownType(p, p.inputs.at(5), "'seqlens_k'");
  if (st.dtype != DataType::kInt32 || st.NumElements() != b)
    im.Fail(p, "'seqlens_k' must be int32[", b, "], got ", st.ToString());
  Value* past_b =
      first ? FilledConst(im, p, DataType::kInt64, {b, 1, 1, 1}, 0.0)
            : Step(im, p, "Add",
                   {Reshaped(im, p, CastTo(im, p, p.inputs[5], DataType::kInt64), {b, 1, 1, 1}),
                    IntsConst(im, p, {1 - s})});
  Value* at = Step(im, p, "Add", {past_b, Positions(im, p, s, {1, 1, s, 1})});

  Value* qh = Reshaped(im, p, q, {b, s, n, h});
  Value* kh = Reshaped(im, p, k, {b, s, kv, h});
  if (rotary) {
    Value *cos = OptInput(p, 7), *sin = OptInput(p, 8);
    if (!cos || !sin) im.Fail(p, "do_rotary needs 'cos_cache' and 'sin_cache'");
    const Type ct = im.KnownType(p, cos, "'cos_cache'");
    if (ct.Rank() != 2 || ct.dtype != qt.dtype || 2 * ct.shape[1] > h ||
        im.KnownType(p, sin, "'sin_cache'") != ct)
      im.Fail(p, "'cos_cache' and 'sin_cache' must be ", DataTypeName(qt.dtype),
              "[positions, at most ", h / 2, "] alike, got ", ct.ToString());
    // The positions: a first prompt's run on from position_ids[0] (or 0), others' are
    // position_ids or the queries' own.
    Value* ids = OptInput(p, 9);
    if (ids && (im.KnownType(p, ids, "'position_ids'").Rank() != 2 ||
                im.KnownType(p, ids, "'position_ids'").shape[1] < s))
      im.Fail(p, "'position_ids' must be [B, at least ", s, "]");
    Value* pos = Reshaped(im, p, at, {b, s});
    if (ids && first)
      pos =
          Step(im, p, "Add",
               {Reshaped(im, p, SliceAxis(im, p, SliceAxis(im, p, ids, 0, 0, 1), 1, 0, 1), {1, 1}),
                pos});
    else if (ids)
      pos = SliceAxis(im, p, ids, 1, 0, s);
    cos = Step(im, p, "Gather", {cos, pos}, {{"axis", int64_t{0}}});
    sin = Step(im, p, "Gather", {sin, pos}, {{"axis", int64_t{0}}});
    qh = Rotate(im, p, qh, 2, cos, sin, 2 * ct.shape[1], interleaved);
    kh = Rotate(im, p, kh, 2, cos, sin, 2 * ct.shape[1], interleaved);
  }
  qh = Transposed(im, p, qh, {0, 2, 1, 3});
  Value* present_k =
      Present(im, p, Transposed(im, p, kh, {0, 2, 1, 3}), past_k, past_b, len, first);
  Value* present_v =
      Present(im, p, Transposed(im, p, Reshaped(im, p, v, {b, s, kv, h}), {0, 2, 1, 3}), past_v,
              past_b, len, first);

  // Key j is visible to the query at position a when a - window < j <= a.
  Value* j = Positions(im, p, len, {1, 1, 1, len});
  Value* visible = Step(im, p, "LessOrEqual", {j, at});
  if (window > 0)
    visible = Step(im, p, "And",
                   {visible, Step(im, p, "Greater",
                                  {j, Step(im, p, "Sub", {at, IntsConst(im, p, {window})})})});
  Value* bias = Step(
      im, p, "Where",
      {visible, FilledConst(im, p, qt.dtype, {}, 0.0), FilledConst(im, p, qt.dtype, {}, -kInf)});
  if (Value* extra = OptInput(p, 10)) {
    const Type et = im.KnownType(p, extra, "'attention_bias'");
    if (et.Rank() != 4 || et.dtype != qt.dtype || (et.shape[0] != b && et.shape[0] != 1) ||
        (et.shape[1] != n && et.shape[1] != 1) || et.shape[2] != s || et.shape[3] != total)
      im.Fail(p, "'attention_bias' must be ", DataTypeName(qt.dtype), "[", b, " or 1, ", n,
              " or 1, ", s, ", ", total, "], got ", et.ToString());
    bias = Step(im, p, "Add", {bias, PadEnd(im, p, extra, 3, len, 0.0)});
  }
  Value* sink = nullptr;
  if (Value* hs = OptInput(p, 11)) {
    if (im.KnownType(p, hs, "'head_sink'") != Type(qt.dtype, {n}))
      im.Fail(p, "'head_sink' must be ", Type(qt.dtype, {n}).ToString());
    sink = Reshaped(im, p, hs, {1, n, 1, 1});
  } else if (smooth) {
    sink = FilledConst(im, p, qt.dtype, {1, n, 1, 1}, 0.0);
  }
  if (scale == 0) scale = 1.0 / std::sqrt(static_cast<double>(h));
  const Attended a = Attend(im, p, qh, present_k, present_v, scale, softcap, bias, qt.dtype, sink);

  std::vector<std::string> outs = p.outputs;
  outs.resize(4);
  if (!outs[1].empty()) im.Bind(outs[1], present_k);
  if (!outs[2].empty()) im.Bind(outs[2], present_v);
  if (!outs[3].empty()) {
    if (qk_mode == 0) im.Fail(p, "'output_qk' needs qk_output 1 or 2");
    // Mode 1: the scores with the softcap and bias, 0 where not visible; 2: the softmax.
    Value* qk = qk_mode == 2 ? a.probs
                             : Step(im, p, "Where",
                                    {visible, a.biased, FilledConst(im, p, qt.dtype, {}, 0.0)});
    im.Bind(outs[3], SliceAxis(im, p, qk, 3, 0, total));
  }
  p.outputs.resize(1);  // the others are bound
  Finish(im, p, "Reshape", {Transposed(im, p, a.y, {0, 2, 1, 3}), IntsConst(im, p, {b, s, n * h})});
}

}  // namespace halo::onnx_fe
