"""Writes the small ONNX models the end-to-end and error tests use. Usage: make_models.py DIR"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = [helper.make_opsetid("", 17)]


def save(graph, path):
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="halo-tests")
    model.ir_version = 8
    onnx.save(model, path)


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

    # Inputs for `halo run`.
    np.save(f"{out}/x.npy", np.array([[-1, 1, 2], [3, -4, 5]], dtype=np.float32))
    np.save(f"{out}/x_f64.npy", np.zeros((2, 3), dtype=np.float64))


if __name__ == "__main__":
    main(sys.argv[1])
