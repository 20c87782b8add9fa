"""Writes the models and inputs of dynamic_batch.sh (--dynamic-batch end to end).
Usage: make_batch_models.py MNIST_ONNX DIR

DIR/mnist_dyn.onnx: the MNIST example with a symbolic batch dimension "N" (the example's
is 1). DIR/reshape.onnx, x: f32[N x 4 x 6], with r = x reversed along the batch:
    y = R(Relu(Reshape(Reshape(r, [4N, 6]) @ w1, [N, 20]) + Gemm(Flatten(r), w2, b2)))
with [4N, 6] and [N, 20] computed in the graph by Shape, Gather, Mul and Concat. R, the
reversal (Slice with step -1), starts at row N - 1: an attribute of the form a * N + b.
DIR/NAME_xB.npy: inputs of batch sizes B = 1, 3 and 8 (the first samples of one array).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def symbolic_batch(path, out):
    m = onnx.load(path)
    for v in list(m.graph.input) + list(m.graph.output):
        v.type.tensor_type.shape.dim[0].dim_param = "N"
    onnx.save(m, out)


def reshape_model(out):
    rng = np.random.default_rng(1)
    f32 = TensorProto.FLOAT
    inits = [numpy_helper.from_array(a, n) for n, a in [
        ("zero", np.array(0, dtype=np.int64)),
        ("one", np.array([1], dtype=np.int64)),
        ("four", np.array([4], dtype=np.int64)),
        ("six", np.array([6], dtype=np.int64)),
        ("twenty", np.array([20], dtype=np.int64)),
        ("last", np.array([-1], dtype=np.int64)),
        ("before_first", np.array([np.iinfo(np.int64).min], dtype=np.int64)),
        ("w1", rng.standard_normal((6, 5)).astype(np.float32)),
        ("w2", rng.standard_normal((24, 20)).astype(np.float32)),
        ("b2", rng.standard_normal(20).astype(np.float32))]]
    reverse = ["last", "before_first", "zero_axes", "minus_one"]
    inits.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), "minus_one"))
    nodes = [
        helper.make_node("Slice", ["x"] + reverse, ["r"]),
        helper.make_node("Shape", ["x"], ["shape"]),
        helper.make_node("Gather", ["shape", "zero"], ["n"]),
        helper.make_node("Unsqueeze", ["n", "zero_axes"], ["nv"]),
        helper.make_node("Mul", ["nv", "four"], ["n4"]),
        helper.make_node("Concat", ["n4", "six"], ["rows_shape"], axis=0),
        helper.make_node("Reshape", ["r", "rows_shape"], ["rows"]),
        helper.make_node("MatMul", ["rows", "w1"], ["rows_w"]),
        helper.make_node("Concat", ["nv", "twenty"], ["out_shape"], axis=0),
        helper.make_node("Reshape", ["rows_w", "out_shape"], ["a"]),
        helper.make_node("Flatten", ["r"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "w2", "b2"], ["b"]),
        helper.make_node("Add", ["a", "b"], ["sum"]),
        helper.make_node("Relu", ["sum"], ["yr"]),
        helper.make_node("Slice", ["yr"] + reverse, ["y"]),
    ]
    inits.append(numpy_helper.from_array(np.array([0], dtype=np.int64), "zero_axes"))
    graph = helper.make_graph(
        nodes, "reshape", [helper.make_tensor_value_info("x", f32, ["N", 4, 6])],
        [helper.make_tensor_value_info("y", f32, ["N", 20])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, out)


def main(mnist, out):
    os.makedirs(out, exist_ok=True)
    symbolic_batch(mnist, f"{out}/mnist_dyn.onnx")
    reshape_model(f"{out}/reshape.onnx")
    rng = np.random.default_rng(0)
    for name, shape in [("mnist_dyn", (1, 28, 28)), ("reshape", (4, 6))]:
        x = rng.standard_normal((8,) + shape).astype(np.float32)
        for b in (1, 3, 8):
            np.save(f"{out}/{name}_x{b}.npy", x[:b])
            x[:b].tofile(f"{out}/{name}_x{b}.f32")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
