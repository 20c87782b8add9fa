"""Writes a small Transformer-encoder-like ONNX model for the --device cuda test (cuda.sh):
one post-norm layer (hidden 64, 4 heads, FFN 128 with Erf GELU, LayerNormalization) over
x[2, 16, 64], and an input. Built with onnx.helper (no exporter: the same graph with any
onnx version). Usage: make_encoder.py DIR  (writes DIR/encoder.onnx, DIR/x.npy, DIR/x.bin)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

B, S, D, H, F = 2, 16, 64, 4, 128


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(11)
    inits = []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def weight(name, *shape, scale=0.1):
        return const(name, (rng.standard_normal(shape) * scale).astype(np.float32))

    nodes = []

    def node(op, ins, name, **attrs):
        nodes.append(helper.make_node(op, ins, [name], name=name, **attrs))
        return name

    def linear(x, name, n_in, n_out):
        m = node("MatMul", [x, weight(f"{name}_w", n_in, n_out)], f"{name}_mm")
        return node("Add", [m, weight(f"{name}_b", n_out)], f"{name}_add")

    heads = const("heads_shape", np.int64([B, S, H, D // H]))
    merged = const("merged_shape", np.int64([B, S, D]))

    def split_heads(x, name, perm):
        r = node("Reshape", [x, heads], f"{name}_split")
        return node("Transpose", [r], f"{name}_heads", perm=perm)

    q = split_heads(linear("x", "q", D, D), "q", [0, 2, 1, 3])
    k = split_heads(linear("x", "k", D, D), "k", [0, 2, 3, 1])
    v = split_heads(linear("x", "v", D, D), "v", [0, 2, 1, 3])
    s = node("MatMul", [q, k], "scores")
    s = node("Mul", [s, const("scale", np.float32(1 / np.sqrt(D // H)))], "scaled")
    p = node("Softmax", [s], "probs", axis=-1)
    o = node("MatMul", [p, v], "attn")
    o = node("Transpose", [o], "attn_t", perm=[0, 2, 1, 3])
    o = node("Reshape", [o, merged], "attn_merged")
    o = linear(o, "o", D, D)
    h = node("Add", ["x", o], "res1")
    h = node("LayerNormalization", [h, const("ln1_g", np.ones(D, np.float32) * 1.1),
                                     weight("ln1_b", D)], "ln1", axis=-1, epsilon=1e-5)
    f = linear(h, "ff1", D, F)
    e = node("Div", [f, const("sqrt2", np.float32(np.sqrt(2)))], "gelu_div")
    e = node("Erf", [e], "gelu_erf")
    e = node("Add", [e, const("one", np.float32(1))], "gelu_add")
    e = node("Mul", [f, e], "gelu_mul")
    e = node("Mul", [e, const("half", np.float32(0.5))], "gelu")
    f = linear(e, "ff2", F, D)
    y = node("Add", [h, f], "res2")
    node("LayerNormalization", [y, const("ln2_g", np.ones(D, np.float32) * 0.9),
                                weight("ln2_b", D)], "y", axis=-1, epsilon=1e-5)
    graph = helper.make_graph(
        nodes, "encoder", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [B, S, D])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [B, S, D])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, f"{out}/encoder.onnx")
    x = rng.standard_normal((B, S, D)).astype(np.float32)
    np.save(f"{out}/x.npy", x)
    x.tofile(f"{out}/x.bin")


if __name__ == "__main__":
    main(sys.argv[1])
