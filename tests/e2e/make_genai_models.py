"""A decoder layer as onnxruntime-genai's model builder writes LLMs for the CPU: 4-bit
MatMulNBits projections (one packed QKV product), SimplifiedLayerNormalization and
SkipSimplifiedLayerNormalization, GroupQueryAttention on the packed QKV with rotary and a KV
cache, seqlens_k and total_sequence_length computed from attention_mask; with its outputs for a
decoding step of a padded batch computed by numpy in float64 (files genai_*.npy)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS = "com.microsoft"


def quantize4(w, rng, block=32):
    """(B, scales, zero_points, dequantized W) of MatMulNBits for w [K, N]: 4-bit values
    packed two per byte (low nibble first), per block of `block` rows of each column."""
    k, n = w.shape
    blocks = (k + block - 1) // block
    vals = rng.integers(0, 16, (n, blocks * block)).astype(np.uint8)
    scales = (np.abs(w).max(0)[:, None] / 8 * rng.uniform(0.5, 1.5, (n, blocks))).astype(
        np.float32)
    zps = rng.integers(0, 16, (n, blocks)).astype(np.uint8)
    packed = (vals[:, 0::2] | (vals[:, 1::2] << 4)).reshape(n, blocks, block // 2)
    zp_packed = np.zeros((n, (blocks + 1) // 2), np.uint8)
    for j in range(blocks):
        zp_packed[:, j // 2] |= zps[:, j] << (4 * (j % 2))
    deq = (vals.reshape(n, blocks, block).astype(np.float64) - zps[:, :, None]) * \
        scales[:, :, None].astype(np.float64)
    return packed, scales.reshape(-1), zp_packed.reshape(-1), deq.reshape(n, -1)[:, :k].T


def genai_decoder(out):
    rng = np.random.default_rng(3)
    d, heads, kv, hd, f, vocab, positions = 64, 4, 2, 16, 96, 50, 32
    b, past = 2, 6
    lengths = [5, 3]  # tokens each entry had before this step (the cache holds `past` rows)
    inits, deq = {}, {}

    def nbits(name, k, n):
        packed, scales, zps, w = quantize4(rng.standard_normal((k, n)) * 0.2, rng)
        inits.update({f"{name}_q": packed, f"{name}_s": scales, f"{name}_z": zps})
        deq[name] = w
        return helper.make_node("MatMulNBits", ["?", f"{name}_q", f"{name}_s", f"{name}_z"],
                                [name + "_out"], domain=MS, K=k, N=n, bits=4, block_size=32)
    qkv, o, gate, up, down = (nbits("qkv", d, (heads + 2 * kv) * hd), nbits("o", heads * hd, d),
                              nbits("gate", d, f), nbits("up", d, f), nbits("down", f, d))
    for node, x in ((qkv, "h"), (o, "ctx"), (gate, "h2"), (up, "h2"), (down, "gu")):
        node.input[0] = x
    inits["embed"] = rng.standard_normal((vocab, d)).astype(np.float32)
    inits["n1"] = rng.uniform(0.5, 1.5, d).astype(np.float32)
    inits["n2"] = rng.uniform(0.5, 1.5, d).astype(np.float32)
    angles = np.arange(positions)[:, None] / 10000 ** (np.arange(hd // 2) / (hd // 2))
    inits["cos"], inits["sin"] = (np.cos(angles).astype(np.float32),
                                  np.sin(angles).astype(np.float32))
    inits["one"], inits["axis1"] = np.array(1, np.int64), np.array([1], np.int64)
    n = helper.make_node
    nodes = [
        n("Gather", ["embed", "input_ids"], ["x"]),
        n("ReduceSum", ["attention_mask", "axis1"], ["lens"], keepdims=0),
        n("Sub", ["lens", "one"], ["lens1"]),
        n("Cast", ["lens1"], ["seqlens_k"], to=TensorProto.INT32),
        n("Shape", ["attention_mask"], ["mask_shape"]),
        n("Gather", ["mask_shape", "one"], ["total64"]),
        n("Cast", ["total64"], ["total"], to=TensorProto.INT32),
        n("SimplifiedLayerNormalization", ["x", "n1"], ["h"], epsilon=1e-6),
        qkv,
        n("GroupQueryAttention", ["qkv_out", "", "", "past_k", "past_v", "seqlens_k", "total",
                                  "cos", "sin"], ["ctx", "present_k", "present_v"], domain=MS,
          num_heads=heads, kv_num_heads=kv, do_rotary=1),
        o,
        n("SkipSimplifiedLayerNormalization", ["o_out", "x", "n2"], ["h2", "", "", "r1"],
          domain=MS, epsilon=1e-6),
        gate, n("Sigmoid", ["gate_out"], ["sg"]), n("Mul", ["gate_out", "sg"], ["silu"]),
        up, n("Mul", ["silu", "up_out"], ["gu"]), down,
        n("Add", ["r1", "down_out"], ["y"])]
    f32, cache = TensorProto.FLOAT, [b, kv, past, hd]
    graph = helper.make_graph(
        nodes, "genai_decoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [b, 1]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, [b, past + 1]),
         helper.make_tensor_value_info("past_k", f32, cache),
         helper.make_tensor_value_info("past_v", f32, cache)],
        [helper.make_tensor_value_info(o, f32, None) for o in ("y", "present_k", "present_v")],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, producer_name="halo-tests",
                              opset_imports=[helper.make_opsetid("", 17),
                                             helper.make_opsetid(MS, 1)])
    model.ir_version = 8
    onnx.save(model, f"{out}/genai_decoder.onnx")
    mask = np.zeros((b, past + 1), np.int64)
    for i, n_past in enumerate(lengths):
        mask[i, :n_past + 1] = 1
    ins = {"input_ids": rng.integers(0, vocab, (b, 1)).astype(np.int64), "attention_mask": mask,
           "past_k": rng.standard_normal(cache).astype(np.float32),
           "past_v": rng.standard_normal(cache).astype(np.float32)}
    for k, a in ins.items():
        np.save(f"{out}/genai_{k}.npy", a)

    v = {k: a.astype(np.float64) for k, a in inits.items()}

    def rms(a, scale):
        return a / np.sqrt((a * a).mean(-1, keepdims=True) + 1e-6) * scale

    def rope(a, pos):  # a [heads, hd] at position pos, rotated in halves
        c, sn = v["cos"][pos], v["sin"][pos]
        return np.concatenate([c * a[:, :hd // 2] - sn * a[:, hd // 2:],
                               sn * a[:, :hd // 2] + c * a[:, hd // 2:]], -1)

    x = v["embed"][ins["input_ids"][:, 0]]  # [b, d]
    h = rms(x, v["n1"])
    t = h @ deq["qkv"]
    present_k, present_v = np.zeros((b, kv, past + 1, hd)), np.zeros((b, kv, past + 1, hd))
    ctx = np.zeros((b, heads * hd))
    for i, n_past in enumerate(lengths):
        q = rope(t[i, :heads * hd].reshape(heads, hd), n_past)
        k = rope(t[i, heads * hd:(heads + kv) * hd].reshape(kv, hd), n_past)
        val = t[i, (heads + kv) * hd:].reshape(kv, hd)
        present_k[i, :, :n_past] = ins["past_k"][i, :, :n_past]
        present_v[i, :, :n_past] = ins["past_v"][i, :, :n_past]
        present_k[i, :, n_past], present_v[i, :, n_past] = k, val
        for hh in range(heads):
            g = hh // (heads // kv)
            sc = present_k[i, g, :n_past + 1] @ q[hh] / np.sqrt(hd)
            p = np.exp(sc - sc.max())
            ctx[i, hh * hd:(hh + 1) * hd] = p / p.sum() @ present_v[i, g, :n_past + 1]
    r1 = x + ctx @ deq["o"]
    h2 = rms(r1, v["n2"])
    g = h2 @ deq["gate"]
    y = r1 + (g / (1 + np.exp(-g)) * (h2 @ deq["up"])) @ deq["down"]
    np.save(f"{out}/genai_y.npy", y.reshape(b, 1, d))
    np.save(f"{out}/genai_present_k.npy", present_k)
    np.save(f"{out}/genai_present_v.npy", present_v)
