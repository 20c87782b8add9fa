"""Writes the small ONNX models the end-to-end and error tests use. Usage: make_models.py DIR"""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_genai_models  # noqa: E402

OPSET = [helper.make_opsetid("", 17)]


def save(graph, path, opset=None):
    imports = [helper.make_opsetid("", opset)] if opset else OPSET
    model = helper.make_model(graph, opset_imports=imports, producer_name="halo-tests")
    model.ir_version = 10 if opset and opset >= 20 else 8
    onnx.save(model, path)


def encoder_block20(out):
    """A Transformer encoder block as PyTorch 2.9's exporter writes it (opset 20, IR 10):
    LayerNormalization, a fused QKV product cut by Split-18's num_outputs, attention, Gelu-20,
    and ReduceMean-18's axes input; with its output computed by numpy in float64."""
    rng = np.random.default_rng(0)
    d, heads, s, f = 64, 4, 16, 256
    w = {k: (rng.standard_normal(shape) * scale).astype(np.float32) for k, shape, scale in [
        ("ln1_s", (d,), 1.0), ("ln1_b", (d,), 0.1), ("wqkv", (d, 3 * d), 0.1),
        ("bqkv", (3 * d,), 0.1), ("wo", (d, d), 0.1), ("bo", (d,), 0.1), ("ln2_s", (d,), 1.0),
        ("ln2_b", (d,), 0.1), ("w1", (d, f), 0.1), ("b1", (f,), 0.1), ("w2", (f, d), 0.1),
        ("b2", (d,), 0.1)]}
    inits = [numpy_helper.from_array(v, k) for k, v in w.items()] + [
        numpy_helper.from_array(np.array(v, np.int64), k) for k, v in
        [("heads_shape", [1, s, heads, d // heads]), ("merge_shape", [1, s, d]),
         ("mean_axes", [-1])]] + [
        numpy_helper.from_array(np.array(1 / np.sqrt(d // heads), np.float32), "scale")]
    n = helper.make_node
    nodes = [n("LayerNormalization", ["x", "ln1_s", "ln1_b"], ["h"], axis=-1, epsilon=1e-5),
             n("MatMul", ["h", "wqkv"], ["qkv0"]), n("Add", ["qkv0", "bqkv"], ["qkv"]),
             n("Split", ["qkv"], ["q0", "k0", "v0"], axis=-1, num_outputs=3)]
    for t in "qkv":
        nodes += [n("Reshape", [f"{t}0", "heads_shape"], [f"{t}1"]),
                  n("Transpose", [f"{t}1"], [f"{t}2"], perm=[0, 2, 1, 3])]
    nodes += [
        n("Transpose", ["k2"], ["kt"], perm=[0, 1, 3, 2]), n("MatMul", ["q2", "kt"], ["sc0"]),
        n("Mul", ["sc0", "scale"], ["sc"]), n("Softmax", ["sc"], ["p"], axis=-1),
        n("MatMul", ["p", "v2"], ["ctx0"]), n("Transpose", ["ctx0"], ["ctx1"], perm=[0, 2, 1, 3]),
        n("Reshape", ["ctx1", "merge_shape"], ["ctx"]), n("MatMul", ["ctx", "wo"], ["o0"]),
        n("Add", ["o0", "bo"], ["o"]), n("Add", ["x", "o"], ["r1"]),
        n("LayerNormalization", ["r1", "ln2_s", "ln2_b"], ["h2"], axis=-1, epsilon=1e-5),
        n("MatMul", ["h2", "w1"], ["f0"]), n("Add", ["f0", "b1"], ["f1"]),
        n("Gelu", ["f1"], ["f2"]), n("MatMul", ["f2", "w2"], ["f3"]),
        n("Add", ["f3", "b2"], ["f4"]), n("Add", ["r1", "f4"], ["y0"]),
        n("ReduceMean", ["y0", "mean_axes"], ["m"], keepdims=1), n("Sub", ["y0", "m"], ["y"])]
    f32 = TensorProto.FLOAT
    save(helper.make_graph(nodes, "encoder_block20",
                           [helper.make_tensor_value_info("x", f32, [1, s, d])],
                           [helper.make_tensor_value_info("y", f32, [1, s, d])], inits),
         f"{out}/encoder_block20.onnx", opset=20)
    x = rng.standard_normal((1, s, d)).astype(np.float32)
    np.save(f"{out}/block_x.npy", x)
    v = {k: a.astype(np.float64) for k, a in w.items()}

    def layer_norm(a, scale, bias):
        mu = a.mean(-1, keepdims=True)
        return (a - mu) / np.sqrt(((a - mu) ** 2).mean(-1, keepdims=True) + 1e-5) * scale + bias

    def heads_of(a):
        return a.reshape(1, s, heads, d // heads).transpose(0, 2, 1, 3)

    x64 = x.astype(np.float64)
    qkv = layer_norm(x64, v["ln1_s"], v["ln1_b"]) @ v["wqkv"] + v["bqkv"]
    q, k, val = (heads_of(t) for t in np.split(qkv, 3, axis=-1))
    sc = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d // heads)
    p = np.exp(sc - sc.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    ctx = (p @ val).transpose(0, 2, 1, 3).reshape(1, s, d)
    r1 = x64 + ctx @ v["wo"] + v["bo"]
    f1 = layer_norm(r1, v["ln2_s"], v["ln2_b"]) @ v["w1"] + v["b1"]
    erf = np.vectorize(math.erf)
    y0 = r1 + (0.5 * f1 * (1 + erf(f1 / math.sqrt(2)))) @ v["w2"] + v["b2"]
    np.save(f"{out}/block_y.npy", y0 - y0.mean(-1, keepdims=True))


def decoder_block24(out):
    """A Llama-style decoder block in the ops of opsets 23 and 24: RMSNormalization,
    RotaryEmbedding with position ids, Attention with 4 query heads over 2 KV heads, causal,
    with a KV cache (present_key / present_value out), and a SwiGLU feed-forward through
    Swish; with its outputs computed by numpy in float64."""
    rng = np.random.default_rng(1)
    d, hq, hkv, s, past, f, positions = 64, 4, 2, 8, 4, 128, 16
    hd = d // hq
    w = {k: (rng.standard_normal(shape) * scale).astype(np.float32) for k, shape, scale in [
        ("n1", (d,), 1.0), ("wq", (d, d), 0.1), ("wk", (d, hkv * hd), 0.1),
        ("wv", (d, hkv * hd), 0.1), ("wo", (d, d), 0.1), ("n2", (d,), 1.0),
        ("wg", (d, f), 0.1), ("wu", (d, f), 0.1), ("wd", (f, d), 0.1)]}
    angles = np.arange(positions)[:, None] / 10000 ** (np.arange(hd // 2) / (hd // 2))
    w["cos"], w["sin"] = np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)
    n = helper.make_node
    nodes = [n("RMSNormalization", ["x", "n1"], ["h"], epsilon=1e-6),
             n("MatMul", ["h", "wq"], ["q"]), n("MatMul", ["h", "wk"], ["k"]),
             n("MatMul", ["h", "wv"], ["v"]),
             n("RotaryEmbedding", ["q", "cos", "sin", "pos"], ["qr"], num_heads=hq),
             n("RotaryEmbedding", ["k", "cos", "sin", "pos"], ["kr"], num_heads=hkv),
             n("Attention", ["qr", "kr", "v", "", "past_k", "past_v"],
               ["ctx", "present_k", "present_v"], q_num_heads=hq, kv_num_heads=hkv, is_causal=1),
             n("MatMul", ["ctx", "wo"], ["o"]), n("Add", ["x", "o"], ["r1"]),
             n("RMSNormalization", ["r1", "n2"], ["h2"], epsilon=1e-6),
             n("MatMul", ["h2", "wg"], ["g"]), n("Swish", ["g"], ["sg"]),
             n("MatMul", ["h2", "wu"], ["u"]), n("Mul", ["sg", "u"], ["gu"]),
             n("MatMul", ["gu", "wd"], ["fo"]), n("Add", ["r1", "fo"], ["y"])]
    f32, cache = TensorProto.FLOAT, [1, hkv, past, hd]
    save(helper.make_graph(
        nodes, "decoder_block24",
        [helper.make_tensor_value_info("x", f32, [1, s, d]),
         helper.make_tensor_value_info("pos", TensorProto.INT64, [1, s]),
         helper.make_tensor_value_info("past_k", f32, cache),
         helper.make_tensor_value_info("past_v", f32, cache)],
        [helper.make_tensor_value_info(o, f32, None) for o in ("y", "present_k", "present_v")],
        [numpy_helper.from_array(v, k) for k, v in w.items()]),
        f"{out}/decoder_block24.onnx", opset=24)
    ins = {"x": rng.standard_normal((1, s, d)).astype(np.float32),
           "pos": np.arange(past, past + s, dtype=np.int64).reshape(1, s),
           "past_k": rng.standard_normal(cache).astype(np.float32),
           "past_v": rng.standard_normal(cache).astype(np.float32)}
    for k, a in ins.items():
        np.save(f"{out}/decoder_{k}.npy", a)
    v = {k: a.astype(np.float64) for k, a in w.items()}
    x = ins["x"].astype(np.float64)

    def rms(a, scale):
        return a / np.sqrt((a * a).mean(-1, keepdims=True) + 1e-6) * scale

    def rope(a, heads):  # [1, s, heads * hd] -> [1, heads, s, hd], rotated in halves
        a = a.reshape(1, s, heads, hd).transpose(0, 2, 1, 3)
        c, sn = v["cos"][ins["pos"][0]], v["sin"][ins["pos"][0]]
        a1, a2 = a[..., :hd // 2], a[..., hd // 2:]
        return np.concatenate([c * a1 - sn * a2, sn * a1 + c * a2], -1)

    h = rms(x, v["n1"])
    q, k = rope(h @ v["wq"], hq), rope(h @ v["wk"], hkv)
    val = (h @ v["wv"]).reshape(1, s, hkv, hd).transpose(0, 2, 1, 3)
    k = np.concatenate([ins["past_k"], k], 2)
    val = np.concatenate([ins["past_v"], val], 2)
    kk, vv = np.repeat(k, hq // hkv, 1), np.repeat(val, hq // hkv, 1)
    sc = q @ kk.transpose(0, 1, 3, 2) / np.sqrt(hd)
    sc += np.triu(np.full((s, past + s), -np.inf), past + 1)
    p = np.exp(sc - sc.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    r1 = x + (p @ vv).transpose(0, 2, 1, 3).reshape(1, s, d) @ v["wo"]
    h2 = rms(r1, v["n2"])
    g = h2 @ v["wg"]
    np.save(f"{out}/decoder_y.npy", r1 + (g / (1 + np.exp(-g)) * (h2 @ v["wu"])) @ v["wd"])
    np.save(f"{out}/decoder_present_k.npy", k)
    np.save(f"{out}/decoder_present_v.npy", val)


def bert_layer_ort(out):
    """A BERT layer as ONNX Runtime's transformer optimizer writes it (com.microsoft ops):
    EmbedLayerNormalization with a mask, Attention on its mask_index, SkipLayerNormalization,
    FastGelu; with its output computed by numpy in float64."""
    rng = np.random.default_rng(2)
    d, heads, s, f, vocab = 16, 2, 6, 32, 30
    w = {k: (rng.standard_normal(shape) * scale).astype(np.float32) for k, shape, scale in [
        ("we", (vocab, d), 1.0), ("pe", (s, d), 1.0), ("g0", (d,), 1.0), ("b0", (d,), 0.1),
        ("wqkv", (d, 3 * d), 0.3), ("bqkv", (3 * d,), 0.1), ("wo", (d, d), 0.3),
        ("bo", (d,), 0.1), ("g1", (d,), 1.0), ("b1", (d,), 0.1), ("w1", (d, f), 0.3),
        ("bf", (f,), 0.1), ("w2", (f, d), 0.3), ("b2f", (d,), 0.1), ("g2", (d,), 1.0),
        ("b2", (d,), 0.1)]}
    ms = "com.microsoft"
    n = helper.make_node
    nodes = [
        n("EmbedLayerNormalization", ["ids", "", "we", "pe", "", "g0", "b0", "mask"],
          ["emb", "lengths"], domain=ms),
        n("Attention", ["emb", "wqkv", "bqkv", "lengths"], ["ctx"], domain=ms, num_heads=heads),
        n("MatMul", ["ctx", "wo"], ["o"]),
        n("SkipLayerNormalization", ["o", "emb", "g1", "b1", "bo"], ["h1"], domain=ms),
        n("MatMul", ["h1", "w1"], ["f0"]), n("FastGelu", ["f0", "bf"], ["f1"], domain=ms),
        n("MatMul", ["f1", "w2"], ["f2"]),
        n("SkipLayerNormalization", ["f2", "h1", "g2", "b2", "b2f"], ["y"], domain=ms)]
    i32 = TensorProto.INT32
    graph = helper.make_graph(
        nodes, "bert_layer_ort", [helper.make_tensor_value_info("ids", i32, [1, s]),
                                  helper.make_tensor_value_info("mask", i32, [1, s])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, s, d])],
        [numpy_helper.from_array(v, k) for k, v in w.items()])
    model = helper.make_model(graph, producer_name="halo-tests",
                              opset_imports=[helper.make_opsetid("", 17),
                                             helper.make_opsetid(ms, 1)])
    model.ir_version = 8
    onnx.save(model, f"{out}/bert_layer_ort.onnx")
    ids = rng.integers(0, vocab, (1, s)).astype(np.int32)
    mask = np.array([[1, 1, 1, 1, 0, 0]], np.int32)
    np.save(f"{out}/bert_ids.npy", ids)
    np.save(f"{out}/bert_mask.npy", mask)
    v = {k: a.astype(np.float64) for k, a in w.items()}

    def layer_norm(a, scale, bias, eps):
        mu = a.mean(-1, keepdims=True)
        return (a - mu) / np.sqrt(((a - mu) ** 2).mean(-1, keepdims=True) + eps) * scale + bias

    emb = layer_norm(v["we"][ids] + v["pe"][np.arange(s)], v["g0"], v["b0"], 1e-12)
    qkv = emb @ v["wqkv"] + v["bqkv"]
    q, k, val = (t.reshape(1, s, heads, d // heads).transpose(0, 2, 1, 3)
                 for t in np.split(qkv, 3, axis=-1))
    sc = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d // heads)
    sc += np.where(np.arange(s) < mask.sum(), 0.0, -10000.0)  # keys from the length on
    p = np.exp(sc - sc.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    ctx = (p @ val).transpose(0, 2, 1, 3).reshape(1, s, d)
    h1 = layer_norm(ctx @ v["wo"] + emb + v["bo"], v["g1"], v["b1"], 1e-12)
    f0 = h1 @ v["w1"] + v["bf"]
    gelu = 0.5 * f0 * (1 + np.tanh(np.sqrt(2 / np.pi) * (f0 + 0.044715 * f0 ** 3)))
    np.save(f"{out}/bert_y.npy",
            layer_norm(gelu @ v["w2"] + h1 + v["b2f"], v["g2"], v["b2"], 1e-12))


def main(out):
    os.makedirs(out, exist_ok=True)
    f32 = TensorProto.FLOAT

    # y = relu(x + c): a graph input, an initializer, two nodes.
    c = numpy_helper.from_array(np.array([1.0, -2.0, 0.5], dtype=np.float32), "c")
    save(helper.make_graph(
        [helper.make_node("Add", ["x", "c"], ["sum"], name="add"),
         helper.make_node("Relu", ["sum"], ["y"], name="relu")],
        "add_relu", [helper.make_tensor_value_info("x", f32, [2, 3])],
        [helper.make_tensor_value_info("y", f32, [2, 3])], [c]), f"{out}/add_relu.onnx")

    # An operator nobody knows.
    save(helper.make_graph(
        [helper.make_node("FooBar", ["x"], ["y"], name="foo")], "foobar",
        [helper.make_tensor_value_info("x", f32, [2])],
        [helper.make_tensor_value_info("y", f32, [2])]), f"{out}/foobar.onnx")

    # A string input: an element type HALO does not support.
    save(helper.make_graph(
        [helper.make_node("Identity", ["s"], ["y"], name="ident")], "strings",
        [helper.make_tensor_value_info("s", TensorProto.STRING, [2])],
        [helper.make_tensor_value_info("y", TensorProto.STRING, [2])]), f"{out}/string_input.onnx")

    # Add of 2x3 and 4: the shapes do not broadcast.
    save(helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["y"], name="bad_add")], "bad_shape",
        [helper.make_tensor_value_info("a", f32, [2, 3]),
         helper.make_tensor_value_info("b", f32, [4])],
        [helper.make_tensor_value_info("y", f32, None)]), f"{out}/bad_shape.onnx")

    # The first half of a good model, and a file that is no model at all.
    data = open(f"{out}/add_relu.onnx", "rb").read()
    open(f"{out}/truncated.onnx", "wb").write(data[: len(data) // 2])
    open(f"{out}/not_a_model.onnx", "w").write("this is not an ONNX model\n")

    # ext = Where(m, x * w, b) + Cast(k): the same model with its initializers inline and as
    # ONNX external data in one file (onnx.save_model). The 6-byte bool m comes first, so
    # the tensors after it lie at offsets that do not suit their element type.
    inits = [numpy_helper.from_array(np.array([[1, 0, 1], [0, 1, 1]], dtype=bool), "m"),
             numpy_helper.from_array(np.array([2, -1, 0.5], dtype=np.float32), "w"),
             numpy_helper.from_array(np.array([7, 8, 9], dtype=np.float32), "b"),
             numpy_helper.from_array(np.array([100, 200, 300], dtype=np.int64), "k"),
             numpy_helper.from_array(np.arange(3, dtype=np.float32) / 4, "e")]
    ext = helper.make_graph(
        [helper.make_node("Mul", ["x", "w"], ["xw"]),
         helper.make_node("Where", ["m", "xw", "b"], ["sel"]),
         helper.make_node("Cast", ["k"], ["kf"], to=f32),
         helper.make_node("Add", ["sel", "kf"], ["sum"]),
         helper.make_node("Add", ["sum", "e"], ["y"])], "ext",
        [helper.make_tensor_value_info("x", f32, [2, 3])],
        [helper.make_tensor_value_info("y", f32, [2, 3])], inits)
    save(ext, f"{out}/ext_inline.onnx")
    model = helper.make_model(ext, opset_imports=OPSET, producer_name="halo-tests")
    model.ir_version = 8
    os.makedirs(f"{out}/ext", exist_ok=True)
    onnx.save_model(model, f"{out}/ext/model.onnx", save_as_external_data=True,
                    all_tensors_to_one_file=True, location="model.weights", size_threshold=0)

    # y = x + ConstantOfShape(Shape(x)), x: f32[N x 3]: an unknown batch size; with
    # --dynamic-batch, a folded constant that depends on it.
    save(helper.make_graph(
        [helper.make_node("Shape", ["x"], ["shape"], name="shape"),
         helper.make_node("ConstantOfShape", ["shape"], ["zeros"], name="zeros"),
         helper.make_node("Add", ["x", "zeros"], ["y"], name="add")], "batch_const",
        [helper.make_tensor_value_info("x", f32, ["N", 3])],
        [helper.make_tensor_value_info("y", f32, ["N", 3])]), f"{out}/batch_const.onnx")

    # Detection post-processing: NonMaxSuppression, whose number of rows depends on the data,
    # with its limits as initializers.
    limits = [numpy_helper.from_array(np.array([3], dtype=np.int64), "max_out"),
              numpy_helper.from_array(np.array([0.5], dtype=np.float32), "iou"),
              numpy_helper.from_array(np.array([0.0], dtype=np.float32), "min_score")]
    save(helper.make_graph(
        [helper.make_node("NonMaxSuppression", ["boxes", "scores", "max_out", "iou", "min_score"],
                          ["selected"], name="nms")], "nms",
        [helper.make_tensor_value_info("boxes", f32, [1, 6, 4]),
         helper.make_tensor_value_info("scores", f32, [1, 1, 6])],
        [helper.make_tensor_value_info("selected", TensorProto.INT64, ["n", 3])], limits),
        f"{out}/nms.onnx")
    np.save(f"{out}/boxes.npy", np.array(
        [[[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11], [0, 10.1, 1, 11.1],
          [0, 100, 1, 101]]], dtype=np.float32))
    np.save(f"{out}/scores.npy", np.array([[[0.9, 0.75, 0.6, 0.95, 0.5, 0.3]]], dtype=np.float32))

    # NonZero's result, whose shape depends on the data, fed to another operator.
    save(helper.make_graph(
        [helper.make_node("NonZero", ["x"], ["idx"], name="nz"),
         helper.make_node("Transpose", ["idx"], ["y"], name="transpose")], "nonzero_transpose",
        [helper.make_tensor_value_info("x", f32, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.INT64, None)]),
        f"{out}/nonzero_transpose.onnx")

    # PyTorch's unbind and stack over a long axis: a Split into 130 parts and a Concat of 130
    # values, wider than ODLA's lists of 64 (split-wide-ops makes them fit).
    n = 130
    save(helper.make_graph(
        [helper.make_node("Split", ["x", "parts"], [f"s{i}" for i in range(n)], axis=1,
                          name="unbind")] +
        [helper.make_node("Relu", [f"s{i}"], [f"r{i}"], name=f"relu{i}") for i in range(n)] +
        [helper.make_node("Concat", [f"r{i}" for i in range(n)], ["y"], axis=1, name="stack")],
        "wide", [helper.make_tensor_value_info("x", f32, [1, n])],
        [helper.make_tensor_value_info("y", f32, [1, n])],
        [numpy_helper.from_array(np.ones(n, dtype=np.int64), "parts")]), f"{out}/wide.onnx")
    # A Mean of 70 inputs: left wide, so that lowering refuses it.
    save(helper.make_graph(
        [helper.make_node("Mean", [f"x{i}" for i in range(70)], ["y"], name="mean70")],
        "wide_mean", [helper.make_tensor_value_info(f"x{i}", f32, [2]) for i in range(70)],
        [helper.make_tensor_value_info("y", f32, [2])]), f"{out}/wide_mean.onnx")

    # An input of rank 9, reshaped at once: ODLA values have rank 8 at most.
    save(helper.make_graph(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="flatten")], "rank9",
        [helper.make_tensor_value_info("x", f32, [1] * 8 + [2])],
        [helper.make_tensor_value_info("y", f32, [2])],
        [numpy_helper.from_array(np.array([2], dtype=np.int64), "shape")]), f"{out}/rank9.onnx")

    encoder_block20(out)
    decoder_block24(out)
    bert_layer_ort(out)
    make_genai_models.genai_decoder(out)

    # Inputs for `halo run`.
    np.save(f"{out}/x.npy", np.array([[-1, 1, 2], [3, -4, 5]], dtype=np.float32))
    np.save(f"{out}/x_f64.npy", np.zeros((2, 3), dtype=np.float64))


if __name__ == "__main__":
    main(sys.argv[1])
