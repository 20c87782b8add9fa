"""Writes the model of the heterogeneous-execution test (hetero.sh) and its input.
Usage: make_hetero_models.py DIR"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(out):
    os.makedirs(out, exist_ok=True)
    f32 = TensorProto.FLOAT
    rng = np.random.default_rng(7)
    w1 = numpy_helper.from_array(rng.standard_normal((8, 16)).astype(np.float32), "w1")
    w2 = numpy_helper.from_array(rng.standard_normal((16, 4)).astype(np.float32), "w2")
    s = numpy_helper.from_array(np.float32([0.5, -1, 2, 0.25]), "s")
    # x -> MatMul -> Relu -> MatMul -> Tanh -> Mul -> y; h (the Relu) is an output as well,
    # and the last Mul also reads x's first columns through a Slice (a value two parts away).
    starts = numpy_helper.from_array(np.int64([0]), "starts")
    ends = numpy_helper.from_array(np.int64([4]), "ends")
    axes = numpy_helper.from_array(np.int64([1]), "axes")
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["m1"], name="mm1"),
        helper.make_node("Relu", ["m1"], ["h"], name="relu"),
        helper.make_node("MatMul", ["h", "w2"], ["m2"], name="mm2"),
        helper.make_node("Tanh", ["m2"], ["t"], name="tanh"),
        helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["xs"], name="slice"),
        helper.make_node("Mul", ["t", "s"], ["ts"], name="scale"),
        helper.make_node("Add", ["ts", "xs"], ["y"], name="add"),
    ]
    graph = helper.make_graph(
        nodes, "chain", [helper.make_tensor_value_info("x", f32, [3, 8])],
        [helper.make_tensor_value_info("y", f32, [3, 4]),
         helper.make_tensor_value_info("h", f32, [3, 16])],
        [w1, w2, s, starts, ends, axes])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, f"{out}/chain.onnx")
    # The same with a batch dimension N (--dynamic-batch).
    g = model.graph
    for v, cols in ((g.input[0], 8), (g.output[0], 4), (g.output[1], 16)):
        v.CopyFrom(helper.make_tensor_value_info(v.name, f32, ["N", cols]))
    onnx.save(model, f"{out}/chain_n.onnx")
    # Outputs that no operator computes in a partition: x itself, a constant, y again.
    copies = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu"),
         helper.make_node("Constant", [], ["c"], name="const",
                          value=numpy_helper.from_array(np.float32([1, 2, 3]), "cv"))],
        "copies", [helper.make_tensor_value_info("x", f32, [3, 8])],
        [helper.make_tensor_value_info(n, f32, s)
         for n, s in (("y", [3, 8]), ("x", [3, 8]), ("c", [3]), ("y", [3, 8]))])
    model = helper.make_model(copies, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, f"{out}/copies.onnx")
    # An output with data-dependent dimensions (NonZero), and names the partitioned code's
    # locals have (in, out, shape).
    nonzero = helper.make_graph(
        [helper.make_node("Relu", ["in"], ["out"], name="relu"),
         helper.make_node("NonZero", ["out"], ["shape"], name="nonzero")],
        "nonzero", [helper.make_tensor_value_info("in", f32, [3, 8])],
        [helper.make_tensor_value_info("shape", TensorProto.INT64, [2, None]),
         helper.make_tensor_value_info("out", f32, [3, 8])])
    model = helper.make_model(nonzero, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, f"{out}/nonzero.onnx")
    x = rng.standard_normal((3, 8)).astype(np.float32)
    np.save(f"{out}/x.npy", x)
    x.tofile(f"{out}/x.bin")


if __name__ == "__main__":
    main(sys.argv[1])
