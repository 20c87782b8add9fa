"""Runs mnist.onnx on the test digits with a tiny numpy interpreter.

Supports only the ops train.py's export produces (Conv, Relu, MaxPool,
Flatten, Gemm), so it checks the ONNX file itself, independent of torch.

Usage: /usr/bin/python3 check_onnx.py [MODEL] [CACHE_DIR]
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def conv(x, w, b, a):
    # NCHW, group 1, dilation 1 only.
    assert a.get("group", 1) == 1 and set(a.get("dilations", [1, 1])) == {1}
    kh, kw = w.shape[2:]
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    x = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    n, c, h, wd = x.shape
    oh, ow = (h - kh) // sh + 1, (wd - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i : i + sh * oh : sh, j : j + sw * ow : sw]
    y = np.einsum("nckhxy,ockh->noxy", cols, w)
    return y + (b.reshape(1, -1, 1, 1) if b is not None else 0)


def maxpool(x, a):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    assert not any(a.get("pads", [0])) and not a.get("ceil_mode", 0), "unsupported MaxPool"
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    y = np.full((n, c, oh, ow), -np.inf, x.dtype)
    for i in range(kh):
        for j in range(kw):
            y = np.maximum(y, x[:, :, i : i + sh * oh : sh, j : j + sw * ow : sw])
    return y


def gemm(a_, b_, c_, a):
    a_ = a_.T if a.get("transA", 0) else a_
    b_ = b_.T if a.get("transB", 0) else b_
    y = a.get("alpha", 1.0) * (a_ @ b_)
    return y + a.get("beta", 1.0) * c_ if c_ is not None else y


def run(model, x):
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        ins = [env[i] if i else None for i in node.input]
        ins += [None] * (3 - len(ins))
        a = attrs(node)
        op = node.op_type
        if op == "Conv":
            y = conv(ins[0], ins[1], ins[2], a)
        elif op == "Relu":
            y = np.maximum(ins[0], 0)
        elif op == "MaxPool":
            y = maxpool(ins[0], a)
        elif op == "Flatten":
            axis = a.get("axis", 1)
            y = ins[0].reshape(int(np.prod(ins[0].shape[:axis])), -1)
        elif op == "Gemm":
            y = gemm(ins[0], ins[1], ins[2], a)
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = y.astype(np.float32)
    return env[model.graph.output[0].name]


def load_test(cache):
    labels = np.fromfile(os.path.join(cache, "test_labels.u8"), np.uint8)
    images = np.fromfile(os.path.join(cache, "test_images.u8"), np.uint8)
    return images.reshape(len(labels), 1, 28, 28).astype(np.float32) / 255, labels


def correct(model_path, cache):
    """Returns (number of correctly classified test digits, number of digits)."""
    model = onnx.load(model_path)
    onnx.checker.check_model(model)
    images, labels = load_test(cache)
    # The model has a static batch of 1; run one digit at a time.
    pred = np.array([run(model, images[i : i + 1]).argmax() for i in range(len(labels))])
    return int((pred == labels).sum()), len(labels)


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "mnist.onnx")
    cache = sys.argv[2] if len(sys.argv) > 2 else "build/cache/mnist"
    ok, n = correct(path, cache)
    print(f"onnx (numpy) test accuracy: {100 * ok / n:.2f}% ({ok}/{n})")
