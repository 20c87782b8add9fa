"""Writes a large ONNX model (an MLP of MatMul + Add + Relu layers with random float weights)
and a numpy reference for it. Usage:

  make_large_model.py DIR WIDTHS [--inline | --constants | --transposed]

WIDTHS: the layer widths, e.g. 2048x2048x2048 (two 2048x2048 weight matrices). Writes
DIR/model.onnx (weights as ONNX external data in DIR/model.weights, or inline: initializers
with --inline, Constant nodes with --constants, initializers holding the transposed matrices
that Transpose nodes turn back with --transposed: constant folding computes them),
DIR/x.npy (an input) and DIR/y.npy (the output numpy computes), and DIR/stamp. The weights
are written one matrix at a time, so the script needs little memory even for a model of
several GB (an inline model is held whole: protobuf's 2 GB limit keeps it small). A DIR whose
stamp matches is kept as it is (a cache).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CHUNK_BYTES = 64 << 20  # weights generated at once


def layer_weights(rng, rows, cols):
    """Yields the rows of a rows x cols weight matrix in chunks (scaled to keep |y| ~ 1)."""
    scale = np.float32(1.0 / np.sqrt(rows))
    chunk_rows = max(1, CHUNK_BYTES // (cols * 4))
    for start in range(0, rows, chunk_rows):
        n = min(chunk_rows, rows - start)
        w = rng.standard_normal((n, cols), dtype=np.float32)
        w *= scale
        yield start, w


def main(out, widths_arg, form):
    widths = [int(w) for w in widths_arg.split("x")]
    stamp = f"widths={widths_arg} form={form} v2\n"
    stamp_path = os.path.join(out, "stamp")
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        return
    os.makedirs(out, exist_ok=True)
    if os.path.exists(stamp_path):
        os.remove(stamp_path)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, widths[0]), dtype=np.float32)
    data_name = "model.weights"
    data = None if form != "external" else open(os.path.join(out, data_name), "wb")
    initializers, nodes = [], []
    h, h_name = x, "x"
    for i, (rows, cols) in enumerate(zip(widths, widths[1:])):
        w_name, b_name = f"w{i}", f"b{i}"
        y = np.zeros((1, cols), dtype=np.float32)
        chunks = []
        w_offset = data.tell() if data else 0
        for start, w in layer_weights(rng, rows, cols):
            y += h[:, start:start + w.shape[0]] @ w
            if data:
                data.write(w.tobytes())
            else:
                chunks.append(w)
        b = rng.standard_normal(cols, dtype=np.float32) * np.float32(0.1)
        y += b
        if data:
            b_offset = data.tell()
            data.write(b.tobytes())
            w_t, b_t = TensorProto(), TensorProto()
            for t, name, dims, off in ((w_t, w_name, [rows, cols], w_offset),
                                       (b_t, b_name, [cols], b_offset)):
                t.name, t.data_type = name, TensorProto.FLOAT
                t.dims.extend(dims)
                size = int(np.prod(dims)) * 4
                t.data_location = TensorProto.EXTERNAL
                for k, v in (("location", data_name), ("offset", off), ("length", size)):
                    e = t.external_data.add()
                    e.key, e.value = k, str(v)
        elif form == "transposed":
            w_t = numpy_helper.from_array(np.concatenate(chunks).T.copy(), w_name + "_t")
            b_t = numpy_helper.from_array(b, b_name)
            nodes.append(helper.make_node("Transpose", [w_t.name], [w_name], name=f"tr{i}"))
        else:
            w_t = numpy_helper.from_array(np.concatenate(chunks), w_name)
            b_t = numpy_helper.from_array(b, b_name)
        if form == "constants":
            nodes += [helper.make_node("Constant", [], [t.name], name=f"const_{t.name}", value=t)
                      for t in (w_t, b_t)]
        else:
            initializers += [w_t, b_t]
        last = i == len(widths) - 2
        nodes += [helper.make_node("MatMul", [h_name, w_name], [f"mm{i}"], name=f"matmul{i}"),
                  helper.make_node("Add", [f"mm{i}", b_name], ["y" if last else f"a{i}"],
                                   name=f"add{i}")]
        if not last:
            nodes.append(helper.make_node("Relu", [f"a{i}"], [f"h{i}"], name=f"relu{i}"))
            y = np.maximum(y, 0)
        h, h_name = y, f"h{i}"
    if data:
        data.close()
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, widths[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, widths[-1]])], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="halo-tests")
    model.ir_version = 8
    with open(os.path.join(out, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "y.npy"), h)
    open(stamp_path, "w").write(stamp)


if __name__ == "__main__":
    forms = {"--inline": "inline", "--constants": "constants", "--transposed": "transposed"}
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] not in forms):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], forms[sys.argv[3]] if len(sys.argv) == 4 else "external")
