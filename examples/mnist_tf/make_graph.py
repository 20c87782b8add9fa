"""Trains TensorFlow's MNIST tutorial model (softmax regression: y = softmax(x W + b), input
1x784) on the digits of examples/mnist/fetch_digits.sh with numpy, and writes it as a frozen
GraphDef (W and b as Const nodes) with the project's own GraphDef .proto.

Usage: /usr/bin/python3 make_graph.py DIGITS_DIR OUT.pb
The trained weights are cached beside OUT.pb (weights.npz); the generated protobuf module
goes there too (protoc --python_out).
"""
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "..", "src", "frontends", "tensorflow", "proto")


def load(digits, kind):
    images = np.fromfile(os.path.join(digits, f"{kind}_images.u8"), dtype=np.uint8)
    labels = np.fromfile(os.path.join(digits, f"{kind}_labels.u8"), dtype=np.uint8)
    return images.reshape(-1, 784).astype(np.float32) / 255.0, labels.astype(np.int64)


def train(x, labels, epochs=40, batch=100, rate=0.5):
    """Mini-batch gradient descent on the cross-entropy, as the tutorial does."""
    rng = np.random.default_rng(0)
    w = np.zeros((784, 10), np.float32)
    b = np.zeros(10, np.float32)
    onehot = np.eye(10, dtype=np.float32)[labels]
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            logits = x[idx] @ w + b
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            g = (p - onehot[idx]) / len(idx)
            w -= rate * x[idx].T @ g
            b -= rate * g.sum(axis=0)
    return w, b


def main(digits, out):
    out_dir = os.path.dirname(os.path.abspath(out))
    os.makedirs(out_dir, exist_ok=True)
    subprocess.run(["protoc", f"--python_out={out_dir}", "-I", PROTO_DIR,
                    os.path.join(PROTO_DIR, "graph.proto")], check=True)
    sys.path.insert(0, out_dir)
    import graph_pb2 as tf  # noqa: E402

    cache = os.path.join(out_dir, "weights.npz")
    if os.path.exists(cache):
        saved = np.load(cache)
        w, b = saved["w"], saved["b"]
    else:
        w, b = train(*load(digits, "train"))
        np.savez(cache, w=w, b=b)
    x, labels = load(digits, "test")
    accuracy = float(((x @ w + b).argmax(axis=1) == labels).mean())
    print(f"numpy accuracy on the held-aside digits: {100 * accuracy:.2f}%")

    g = tf.GraphDef()
    g.versions.producer = 27

    def node(name, op, inputs=(), **attrs):
        n = g.node.add(name=name, op=op, input=list(inputs))
        for k, v in attrs.items():
            n.attr[k].CopyFrom(v)
        return n

    def const(name, array):
        t = tf.TensorProto(dtype=tf.DT_FLOAT, tensor_content=array.astype("<f4").tobytes())
        t.tensor_shape.dim.extend(tf.TensorShapeProto.Dim(size=d) for d in array.shape)
        node(name, "Const", value=tf.AttrValue(tensor=t), dtype=tf.AttrValue(type=tf.DT_FLOAT))

    float_t = tf.AttrValue(type=tf.DT_FLOAT)
    shape = tf.TensorShapeProto(dim=[tf.TensorShapeProto.Dim(size=-1),
                                     tf.TensorShapeProto.Dim(size=784)])
    node("x", "Placeholder", dtype=float_t, shape=tf.AttrValue(shape=shape))
    const("W", w)
    const("b", b)
    node("MatMul", "MatMul", ["x", "W"], T=float_t, transpose_a=tf.AttrValue(b=False),
         transpose_b=tf.AttrValue(b=False))
    node("add", "Add", ["MatMul", "b"], T=float_t)
    node("y", "Softmax", ["add"], T=float_t)
    with open(out, "wb") as f:
        f.write(g.SerializeToString())
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
