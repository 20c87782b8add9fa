"""Builds the TFLite test cases for halo-conformance (DIR/NAME/model.tflite with
test_data_set_0/input_I.pb and output_I.pb) and the malformed models of the bad-input test.

  make_cases.py ops SCHEMA ARMNN_REF OUT        single-operator models, ArmNN's outputs
  make_cases.py model SCHEMA ARMNN_REF OUT NAME MODEL.tflite LO HI REF
                                                a whole model on seeded random inputs in
                                                [LO, HI); REF: armnn, numpy (np_interp.py)
                                                or both (ArmNN's, after checking that
                                                np_interp agrees)
  make_cases.py lstm SCHEMA OUT NAME MODEL.tflite
                                                a float LSTM model, numpy's outputs
  make_cases.py bad SCHEMA GOOD.tflite OUT      malformed models
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import np_interp  # noqa: E402
import tflite_json  # noqa: E402

NP_TYPES = {"FLOAT32": np.float32, "INT32": np.int32, "INT64": np.int64, "BOOL": np.bool_,
            "FLOAT16": np.float16, "INT8": np.int8, "UINT8": np.uint8}


def builtin_codes(schema):
    text = open(schema).read()
    body = text[text.index("enum BuiltinOperator"):]
    body = body[:body.index("}")]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"(\w+) = (\d+)", body)}


def write_case(out, name, model_path, inputs, outputs):
    d = os.path.join(out, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    shutil.copy(model_path, os.path.join(d, "model.tflite"))
    for kind, arrays in (("input", inputs), ("output", outputs)):
        for i, a in enumerate(arrays):
            t = numpy_helper.from_array(np.ascontiguousarray(a), "%s_%d" % (kind, i))
            with open(os.path.join(d, "test_data_set_0", "%s_%d.pb" % (kind, i)), "wb") as f:
                f.write(t.SerializeToString())


def io_specs(model):
    sg = model["subgraphs"][0]
    spec = lambda i: (sg["tensors"][i].get("shape", []),
                      NP_TYPES[sg["tensors"][i].get("type", "FLOAT32")])
    return [spec(i) for i in sg["inputs"]], [spec(i) for i in sg["outputs"]]


def run_armnn(armnn_ref, schema, model_path, inputs):
    """ArmNN's outputs for `inputs` (on the model rewritten by tflite_json.for_reference)."""
    model = tflite_json.load(schema, model_path)
    _, out_specs = io_specs(model)
    with tempfile.TemporaryDirectory() as d:
        folded = os.path.join(d, "folded.tflite")
        tflite_json.save(schema, tflite_json.for_reference(model), folded)
        for i, a in enumerate(inputs):
            np.ascontiguousarray(a).tofile(os.path.join(d, "input_%d.bin" % i))
        subprocess.run([armnn_ref, folded, d], check=True)
        return [np.fromfile(os.path.join(d, "output_%d.bin" % i), dtype=t).reshape(s)
                for i, (s, t) in enumerate(out_specs)]


def random_inputs(specs, lo, hi, seed):
    rng = np.random.default_rng(seed)
    return [rng.uniform(lo, hi, s).astype(t) for s, t in specs]


# ---- single-operator models ----

class OpModel:
    """One operator; runtime inputs are given as (shape, dtype or None), constants as
    arrays. quant maps tensor names (in0, c1, out0: by input or output position) to
    QuantizationParameters ({"scale": [...], "zero_point": [...], ...})."""

    def __init__(self, codes, op, inputs, out_shapes, options_type=None, options=None,
                 custom=None, custom_options=None, quant=None):
        self.tensors, self.buffers, self.graph_inputs = [], [{}], []
        in_idx = []
        for k, x in enumerate(inputs):
            if x is None:
                in_idx.append(-1)
                continue
            if isinstance(x, tuple) and x[1] == "variable":  # a zero state (LSTM)
                in_idx.append(self.tensor("state%d" % k, x[0], np.float32))
                self.tensors[-1]["is_variable"] = True
                continue
            if isinstance(x, tuple):
                t = x[1] if x[1] is not None and not isinstance(x[1], str) else np.float32
                in_idx.append(self.tensor("in%d" % k, x[0], t))
                self.graph_inputs.append(in_idx[-1])
            else:
                in_idx.append(self.tensor("c%d" % k, x.shape, x.dtype, x))
        outs = [self.tensor("out%d" % k, s, t) for k, (s, t) in enumerate(out_shapes)]
        code = {"deprecated_builtin_code": min(codes[op], 127), "builtin_code": codes[op]}
        if custom:
            code["custom_code"] = custom
        o = {"opcode_index": 0, "inputs": in_idx, "outputs": outs}
        if options_type:
            o["builtin_options_type"] = options_type
            o["builtin_options"] = options or {}
        if custom_options is not None:
            o["custom_options"] = list(custom_options)
        for t in self.tensors:
            if quant and t["name"] in quant:
                t["quantization"] = quant[t["name"]]
        self.model = {"version": 3, "operator_codes": [code], "buffers": self.buffers,
                      "subgraphs": [{"tensors": self.tensors, "inputs": self.graph_inputs,
                                     "outputs": outs, "operators": [o]}]}

    def tensor(self, name, shape, dtype, data=None):
        tname = {np.dtype(v): k for k, v in NP_TYPES.items()}[np.dtype(dtype)]
        t = {"name": name, "shape": list(shape), "type": tname, "buffer": 0}
        if data is not None:
            self.buffers.append({"data": list(np.ascontiguousarray(data).tobytes())})
            t["buffer"] = len(self.buffers) - 1
        self.tensors.append(t)
        return len(self.tensors) - 1


def op_cases(rng):
    """(name, op, inputs, output shapes, options type, options[, custom, custom options])."""
    f = lambda *s: rng.standard_normal(s).astype(np.float32)
    i32 = lambda *v: np.array(v, dtype=np.int32)
    x = ((1, 8, 8, 3), None)
    F = np.float32
    c = []
    for pad, stride, dil, act in (("SAME", 1, 1, "NONE"), ("VALID", 2, 1, "RELU"),
                                  ("SAME", 2, 1, "RELU6"), ("SAME", 1, 2, "NONE")):
        o = 8 if pad == "SAME" else 3
        o = (o + stride - 1) // stride if pad == "SAME" else o
        c.append(("conv_%s_s%d_d%d" % (pad, stride, dil), "CONV_2D", [x, f(4, 3, 3, 3), f(4)],
                  [((1, o, o, 4), F)], "Conv2DOptions",
                  {"padding": pad, "stride_w": stride, "stride_h": stride,
                   "dilation_w_factor": dil, "dilation_h_factor": dil,
                   "fused_activation_function": act}))
    c.append(("depthwise_m2_s2", "DEPTHWISE_CONV_2D", [x, f(1, 3, 3, 6), f(6)],
              [((1, 4, 4, 6), F)], "DepthwiseConv2DOptions",
              {"padding": "SAME", "stride_w": 2, "stride_h": 2, "depth_multiplier": 2}))
    c.append(("depthwise_valid", "DEPTHWISE_CONV_2D", [x, f(1, 3, 3, 3), f(3)],
              [((1, 6, 6, 3), F)], "DepthwiseConv2DOptions",
              {"padding": "VALID", "stride_w": 1, "stride_h": 1, "depth_multiplier": 1}))
    c.append(("transpose_conv_same", "TRANSPOSE_CONV",
              [i32(1, 16, 16, 2), f(2, 3, 3, 3), x], [((1, 16, 16, 2), F)],
              "TransposeConvOptions", {"padding": "SAME", "stride_w": 2, "stride_h": 2}))
    c.append(("transpose_conv_valid", "TRANSPOSE_CONV",
              [i32(1, 17, 17, 2), f(2, 3, 3, 3), x], [((1, 17, 17, 2), F)],
              "TransposeConvOptions", {"padding": "VALID", "stride_w": 2, "stride_h": 2}))
    c.append(("fully_connected", "FULLY_CONNECTED", [((2, 6), None), f(5, 6), f(5)],
              [((2, 5), F)], "FullyConnectedOptions", {"fused_activation_function": "RELU"}))
    c.append(("fully_connected_flatten", "FULLY_CONNECTED", [((1, 2, 3, 4), None), f(5, 24)],
              [((1, 5), F)], "FullyConnectedOptions", {}))
    for op in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
        c.append((op.lower() + "_same", op, [x], [((1, 3, 3, 3), F)], "Pool2DOptions",
                  {"padding": "SAME", "stride_w": 3, "stride_h": 3, "filter_width": 3,
                   "filter_height": 3}))
        c.append((op.lower() + "_valid", op, [x], [((1, 4, 4, 3), F)], "Pool2DOptions",
                  {"padding": "VALID", "stride_w": 2, "stride_h": 2, "filter_width": 2,
                   "filter_height": 2}))
    for name, opts in (("asym", {}), ("align", {"align_corners": True}),
                       ("half", {"half_pixel_centers": True})):
        c.append(("resize_bilinear_" + name, "RESIZE_BILINEAR", [x, i32(12, 16)],
                  [((1, 12, 16, 3), F)], "ResizeBilinearOptions", opts))
        c.append(("resize_nearest_" + name, "RESIZE_NEAREST_NEIGHBOR", [x, i32(16, 12)],
                  [((1, 16, 12, 3), F)], "ResizeNearestNeighborOptions", opts))
    y = ((1, 8, 8, 3), None)
    for op, act in (("ADD", "RELU6"), ("SUB", "NONE"), ("MUL", "RELU"), ("DIV", "NONE")):
        c.append((op.lower(), op, [x, y], [((1, 8, 8, 3), F)], op.capitalize() + "Options",
                  {"fused_activation_function": act}))
    c.append(("add_broadcast", "ADD", [x, f(3)], [((1, 8, 8, 3), F)], "AddOptions", {}))
    for op in ("MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE"):
        c.append((op.lower(), op, [x, y], [((1, 8, 8, 3), F)], None, None))
    for op in ("RELU", "RELU6", "RELU_N1_TO_1", "LOGISTIC", "TANH", "HARD_SWISH", "ELU",
               "EXP", "ABS", "NEG", "FLOOR", "SQUARE", "LOG_SOFTMAX", "GELU"):
        c.append((op.lower(), op, [x], [((1, 8, 8, 3), F)], None, None))
    c.append(("leaky_relu", "LEAKY_RELU", [x], [((1, 8, 8, 3), F)], "LeakyReluOptions",
              {"alpha": 0.2}))
    c.append(("prelu", "PRELU", [x, f(1, 1, 3)], [((1, 8, 8, 3), F)], None, None))
    c.append(("softmax_beta", "SOFTMAX", [((2, 10), None)], [((2, 10), F)], "SoftmaxOptions",
              {"beta": 0.5}))
    c.append(("l2_normalization", "L2_NORMALIZATION", [x], [((1, 8, 8, 3), F)], None, None))
    c.append(("mean_hw", "MEAN", [x, i32(1, 2)], [((1, 1, 1, 3), F)], "ReducerOptions",
              {"keep_dims": True}))
    c.append(("sum_c", "SUM", [x, i32(-1)], [((1, 8, 8), F)], "ReducerOptions", {}))
    c.append(("reduce_max", "REDUCE_MAX", [x, i32(1)], [((1, 8, 3), F)], "ReducerOptions", {}))
    c.append(("reduce_min", "REDUCE_MIN", [x, i32(2)], [((1, 8, 3), F)], "ReducerOptions", {}))
    c.append(("reduce_prod", "REDUCE_PROD", [x, i32(3)], [((1, 8, 8), F)], "ReducerOptions",
              {}))
    c.append(("reshape", "RESHAPE", [x, i32(1, -1)], [((1, 192), F)], None, None))
    c.append(("squeeze", "SQUEEZE", [((1, 5, 1, 3), None)], [((5, 3), F)], "SqueezeOptions",
              {"squeeze_dims": [0, 2]}))
    c.append(("expand_dims", "EXPAND_DIMS", [x, i32(-1)], [((1, 8, 8, 3, 1), F)], None, None))
    c.append(("concatenation", "CONCATENATION", [x, f(1, 8, 8, 2)], [((1, 8, 8, 5), F)],
              "ConcatenationOptions", {"axis": 3}))
    c.append(("pack", "PACK", [((2, 3), None), ((2, 3), None)], [((2, 2, 3), F)],
              "PackOptions", {"values_count": 2, "axis": 1}))
    c.append(("unpack", "UNPACK", [((2, 3), None)], [((2,), F)] * 3, "UnpackOptions",
              {"num": 3, "axis": 1}))
    c.append(("split", "SPLIT", [i32(3), ((1, 2, 2, 6), None)], [((1, 2, 2, 2), F)] * 3,
              "SplitOptions", {"num_splits": 3}))
    c.append(("split_v", "SPLIT_V", [((1, 2, 2, 6), None), i32(1, -1, 2), i32(3)],
              [((1, 2, 2, 1), F), ((1, 2, 2, 3), F), ((1, 2, 2, 2), F)], "SplitVOptions",
              {"num_splits": 3}))
    c.append(("slice", "SLICE", [x, i32(0, 1, 2, 0), i32(1, -1, 3, 2)], [((1, 7, 3, 2), F)],
              None, None))
    c.append(("strided_slice", "STRIDED_SLICE",
              [x, i32(0, 1, 7, 0), i32(1, 8, 0, 3), i32(1, 2, -2, 1)], [((1, 4, 4, 3), F)],
              "StridedSliceOptions", {"begin_mask": 1, "end_mask": 8}))
    c.append(("strided_slice_shrink", "STRIDED_SLICE",
              [x, i32(0, 2, 0, 1), i32(1, 3, 8, 2), i32(1, 1, 1, 1)], [((1, 8), F)],
              "StridedSliceOptions", {"shrink_axis_mask": 10}))
    c.append(("pad", "PAD", [x, i32(0, 0, 1, 2, 2, 1, 0, 0)], [((1, 11, 11, 3), F)],
              None, None))
    c.append(("padv2", "PADV2", [x, i32(0, 0, 1, 2, 2, 1, 0, 0), np.array([0.5], F)],
              [((1, 11, 11, 3), F)], None, None))
    c.append(("mirror_pad", "MIRROR_PAD", [x, i32(0, 0, 1, 2, 2, 1, 0, 0)],
              [((1, 11, 11, 3), F)], "MirrorPadOptions", {"mode": "REFLECT"}))
    c.append(("mirror_pad_symmetric", "MIRROR_PAD", [x, i32(0, 0, 2, 0, 1, 3, 0, 0)],
              [((1, 10, 12, 3), F)], "MirrorPadOptions", {"mode": "SYMMETRIC"}))
    c.append(("gather_nd", "GATHER_ND", [x, i32(0, 1, 2, 0, 7, 7).reshape(2, 3)],
              [((2, 3), F)], None, None))
    c.append(("select_rows", "SELECT", [((4,), np.bool_), ((4, 3), None), ((4, 3), None)],
              [((4, 3), F)], None, None))
    for op in ("NOT_EQUAL", "GREATER", "GREATER_EQUAL", "LESS_EQUAL"):
        c.append((op.lower(), op, [((2, 3), None), ((2, 3), None)], [((2, 3), np.bool_)],
                  None, None))
    c.append(("logical_and", "LOGICAL_AND", [((2, 3), np.bool_), ((2, 3), np.bool_)],
              [((2, 3), np.bool_)], None, None))
    c.append(("logical_not", "LOGICAL_NOT", [((2, 3), np.bool_)], [((2, 3), np.bool_)],
              None, None))
    for op in ("SQRT", "RSQRT", "LOG"):
        c.append((op.lower(), op, [((2, 3), "positive")], [((2, 3), F)], None, None))
    c.append(("gelu_tanh", "GELU", [x], [((1, 8, 8, 3), F)], "GeluOptions",
              {"approximate": True}))
    c.append(("floor_div", "FLOOR_DIV", [((2, 3), None), np.array([0.7, -1.3, 2.0], F)],
              [((2, 3), F)], None, None))
    c.append(("batch_matmul_adj", "BATCH_MATMUL", [((2, 4, 3), None), ((2, 5, 4), None)],
              [((2, 3, 5), F)], "BatchMatMulOptions", {"adj_x": True, "adj_y": True}))
    c.append(("fully_connected_keep_dims", "FULLY_CONNECTED",
              [((2, 3, 6), None), f(5, 6), f(5)], [((2, 3, 5), F)], "FullyConnectedOptions",
              {"keep_num_dims": True}))
    c.append(("dequantize_fp16", "DEQUANTIZE", [f(3, 4).astype(np.float16)], [((3, 4), F)],
              None, None))
    for op in ("RELU_0_TO_1", "SIGN", "SIN", "COS", "CEIL", "ROUND"):
        c.append((op.lower(), op, [((2, 3), None)], [((2, 3), F)], None, None))
    c.append(("add_n", "ADD_N", [((2, 3), None), ((2, 3), None), f(2, 3)], [((2, 3), F)],
              None, None))
    c.append(("floor_mod", "FLOOR_MOD", [((2, 3), None), np.array([0.7, -1.3, 2.0], F)],
              [((2, 3), F)], None, None))
    c.append(("broadcast_to", "BROADCAST_TO", [((1, 3), None), i32(4, 3)], [((4, 3), F)],
              None, None))
    c.append(("zeros_like", "ZEROS_LIKE", [((2, 3), None)], [((2, 3), F)], None, None))
    c.append(("local_response_normalization", "LOCAL_RESPONSE_NORMALIZATION", [x],
              [((1, 8, 8, 3), F)], "LocalResponseNormalizationOptions",
              {"radius": 1, "bias": 1.5, "alpha": 0.3, "beta": 0.75}))
    c.append(("transpose", "TRANSPOSE", [x, i32(0, 3, 1, 2)], [((1, 3, 8, 8), F)], None,
              None))
    c.append(("gather", "GATHER", [x, i32(2, 0, 5)], [((1, 3, 8, 3), F)], "GatherOptions",
              {"axis": 1}))
    c.append(("depth_to_space", "DEPTH_TO_SPACE", [((1, 2, 3, 8), None)],
              [((1, 4, 6, 2), F)], "DepthToSpaceOptions", {"block_size": 2}))
    c.append(("space_to_depth", "SPACE_TO_DEPTH", [x], [((1, 4, 4, 12), F)],
              "SpaceToDepthOptions", {"block_size": 2}))
    c.append(("batch_matmul", "BATCH_MATMUL", [((2, 3, 4), None), ((2, 4, 5), None)],
              [((2, 3, 5), F)], "BatchMatMulOptions", {}))
    c.append(("tile", "TILE", [((2, 3), None), i32(2, 2)], [((4, 6), F)], None, None))
    c.append(("arg_max", "ARG_MAX", [x, i32(3)], [((1, 8, 8), np.int32)], "ArgMaxOptions",
              {"output_type": "INT32"}))
    c.append(("arg_min", "ARG_MIN", [x, i32(1)], [((1, 8, 3), np.int32)], "ArgMinOptions",
              {"output_type": "INT32"}))
    c.append(("cast_to_int32", "CAST", [((4, 5), None)], [((4, 5), np.int32)], None, None))
    c.append(("shape", "SHAPE", [x], [((4,), np.int32)], "ShapeOptions",
              {"out_type": "INT32"}))
    c.append(("greater_select", "SELECT_V2", [((2, 3), np.bool_), ((2, 3), None),
                                              ((2, 3), None)], [((2, 3), F)], None, None))
    c.append(("equal", "EQUAL", [((2, 3), None), ((2, 3), None)], [((2, 3), np.bool_)],
              None, None))
    c.append(("less", "LESS", [((2, 3), None), ((2, 3), None)], [((2, 3), np.bool_)],
              None, None))
    c.append(("logical_or", "LOGICAL_OR", [((2, 3), np.bool_), ((2, 3), np.bool_)],
              [((2, 3), np.bool_)], None, None))
    c.append(("top_k", "TOPK_V2", [((3, 10), None), i32(4)], [((3, 4), F), ((3, 4), np.int32)],
              None, None))
    c.append(("pow", "POW", [((2, 3), None), np.full((2, 3), 2.0, F)], [((2, 3), F)],
              None, None))
    c.append(("convolution_2d_transpose_bias", "CUSTOM", [x, f(2, 4, 4, 3), f(2)],
              [((1, 16, 16, 2), F)], None, None, "Convolution2DTransposeBias",
              np.array([1, 2, 2], np.int32).tobytes()))
    return c


def resize_reference(x, size, bilinear, options):
    """TFLite's reference resize kernels (ArmNN 20.08 ignores half_pixel_centers, and
    align_corners for nearest)."""
    align = options.get("align_corners", False)
    half = options.get("half_pixel_centers", False)

    def axis(i_size, o_size):
        scale = (i_size - 1) / (o_size - 1) if align and o_size > 1 else i_size / o_size
        o = np.arange(o_size)
        if not bilinear:
            v = np.round((o + (0.5 if half else 0)) * scale) if align else \
                np.floor((o + (0.5 if half else 0)) * scale)
            return np.clip(v.astype(int), 0, i_size - 1)
        v = (o + 0.5) * scale - 0.5 if half else o * scale
        lo = np.maximum(np.floor(v).astype(int), 0)
        hi = np.minimum(np.ceil(v).astype(int), i_size - 1)
        return v - np.floor(v), lo, hi

    if not bilinear:
        return x[:, axis(x.shape[1], size[0])][:, :, axis(x.shape[2], size[1])]
    dy, y0, y1 = axis(x.shape[1], size[0])
    dx, x0, x1 = axis(x.shape[2], size[1])
    dy, dx = dy[None, :, None, None], dx[None, None, :, None]
    top = x[:, y0][:, :, x0] * (1 - dx) + x[:, y0][:, :, x1] * dx
    bottom = x[:, y1][:, :, x0] * (1 - dx) + x[:, y1][:, :, x1] * dx
    return top * (1 - dy) + bottom * dy


def numpy_reference(name, op, inputs, options):
    """References for operators ArmNN 20.08 does not run (or runs wrongly)."""
    a = inputs
    if op in ("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"):
        return [resize_reference(a[0], a[1], op == "RESIZE_BILINEAR", options or {})]
    if op == "HARD_SWISH":
        return [a[0] * np.clip(a[0] + 3, 0, 6) / 6]
    if op == "ELU":
        return [np.where(a[0] > 0, a[0], np.expm1(a[0]))]
    if op == "GELU":
        from math import erf
        return [(a[0] * 0.5 * (1 + np.vectorize(erf)(a[0] / np.sqrt(2)))).astype(np.float32)]
    if op == "SQUARED_DIFFERENCE":
        return [(a[0] - a[1]) ** 2]
    if op == "SQUARE":
        return [a[0] * a[0]]
    if op == "FLOOR":
        return [np.floor(a[0])]
    if op == "ABS":
        return [np.abs(a[0])]
    if op == "EXP":
        return [np.exp(a[0])]
    if op == "LOG_SOFTMAX":
        m = a[0] - a[0].max(-1, keepdims=True)
        return [m - np.log(np.exp(m).sum(-1, keepdims=True))]
    if op == "RELU_N1_TO_1":
        return [np.clip(a[0], -1, 1)]
    if op == "REDUCE_PROD":
        return [np.prod(a[0], axis=3)]
    if op == "REDUCE_MIN":
        return [np.min(a[0], axis=2)]
    if op == "MIRROR_PAD" and options.get("mode") == "REFLECT":
        return [np.pad(a[0], ((0, 0), (1, 2), (2, 1), (0, 0)), mode="reflect")]
    if op == "TILE":
        return [np.tile(a[0], (2, 2))]
    if op == "ARG_MIN":
        return [np.argmin(a[0], axis=1).astype(np.int32)]
    if op == "CAST":
        return [a[0].astype(np.int32)]
    if op == "SHAPE":
        return [np.array(a[0].shape, np.int32)]
    if op == "SELECT_V2":
        return [np.where(a[0], a[1], a[2])]
    if op == "EQUAL":
        return [a[0] == a[1]]
    if op == "LESS":
        return [a[0] < a[1]]
    if op == "LOGICAL_OR":
        return [a[0] | a[1]]
    if op == "POW":
        return [a[0] ** 2]
    if op == "TOPK_V2":
        idx = np.argsort(-a[0], axis=-1, kind="stable")[:, :4]
        return [np.take_along_axis(a[0], idx, -1), idx.astype(np.int32)]
    if op == "PACK":
        return [np.stack(a, axis=1)]
    if op == "RELU_0_TO_1":
        return [np.clip(a[0], 0, 1)]
    if op in ("SIGN", "SIN", "COS", "CEIL"):
        return [getattr(np, op.lower())(a[0])]
    if op == "ROUND":  # half to even, as TFLite's kernel
        return [np.round(a[0])]
    if op == "ADD_N":
        return [a[0] + a[1] + a[2]]
    if op == "FLOOR_MOD":
        return [np.mod(a[0], a[1])]
    if op == "BROADCAST_TO":
        return [np.broadcast_to(a[0], (4, 3))]
    if op == "ZEROS_LIKE":
        return [np.zeros_like(a[0])]
    if op == "LOCAL_RESPONSE_NORMALIZATION":
        sq = np.pad(a[0].astype(np.float64) ** 2, ((0, 0), (0, 0), (0, 0), (1, 1)))
        window = sq[..., :-2] + sq[..., 1:-1] + sq[..., 2:]
        return [a[0] / (1.5 + 0.3 * window) ** 0.75]
    if op == "MIRROR_PAD" and options.get("mode") == "SYMMETRIC":
        return [np.pad(a[0], ((0, 0), (2, 0), (1, 3), (0, 0)), mode="symmetric")]
    if op == "GATHER_ND":
        return [a[0][tuple(a[1].T)]]
    if op == "SELECT":
        return [np.where(a[0][:, None], a[1], a[2])]
    if op == "NOT_EQUAL":
        return [a[0] != a[1]]
    if op == "GREATER":
        return [a[0] > a[1]]
    if op == "GREATER_EQUAL":
        return [a[0] >= a[1]]
    if op == "LESS_EQUAL":
        return [a[0] <= a[1]]
    if op == "LOGICAL_AND":
        return [a[0] & a[1]]
    if op == "LOGICAL_NOT":
        return [~a[0]]
    if op == "SQRT":
        return [np.sqrt(a[0])]
    if op == "RSQRT":
        return [1 / np.sqrt(a[0])]
    if op == "LOG":
        return [np.log(a[0])]
    if op == "GELU" and options and options.get("approximate"):
        v = a[0].astype(np.float64)
        return [0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v ** 3)))]
    if op == "FLOOR_DIV":
        return [np.floor(a[0] / a[1])]
    if op == "BATCH_MATMUL" and options.get("adj_x"):
        return [a[0].transpose(0, 2, 1) @ a[1].transpose(0, 2, 1)]
    if op == "FULLY_CONNECTED" and options.get("keep_num_dims"):
        return [a[0] @ a[1].T + a[2]]
    if op == "DEQUANTIZE":
        return [a[0].astype(np.float32)]
    if op == "PRELU":
        return [np.where(a[0] >= 0, a[0], a[0] * a[1])]
    if op == "SUM":
        return [a[0].sum(axis=-1)]
    if op == "REDUCE_MAX":
        return [a[0].max(axis=1)]
    if op == "EXPAND_DIMS":
        return [a[0][..., None]]
    if op == "SLICE":
        return [a[0][0:1, 1:, 2:5, 0:2]]
    if op == "PADV2":
        return [np.pad(a[0], ((0, 0), (1, 2), (2, 1), (0, 0)), constant_values=0.5)]
    if op == "GATHER":
        return [a[0][:, [2, 0, 5]]]
    if op == "DEPTH_TO_SPACE":  # NHWC, TF's order: (by, bx, c) within the depth
        n, h, w, d = a[0].shape
        y = a[0].reshape(n, h, w, 2, 2, d // 4).transpose(0, 1, 3, 2, 4, 5)
        return [y.reshape(n, h * 2, w * 2, d // 4)]
    if op == "SPACE_TO_DEPTH":
        n, h, w, d = a[0].shape
        y = a[0].reshape(n, h // 2, 2, w // 2, 2, d).transpose(0, 1, 3, 2, 4, 5)
        return [y.reshape(n, h // 2, w // 2, 4 * d)]
    if op == "BATCH_MATMUL":
        return [a[0] @ a[1]]
    if op == "ARG_MAX":
        return [np.argmax(a[0], axis=3).astype(np.int32)]
    if op == "UNPACK":
        return [a[0][:, k] for k in range(3)]
    return None


def make_ops(schema, armnn_ref, out):
    codes = builtin_codes(schema)
    rng = np.random.default_rng(7)
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in op_cases(rng):
            name, op, inputs, out_shapes, otype, opts = case[:6]
            custom = case[6] if len(case) > 6 else None
            cust_opts = case[7] if len(case) > 7 else None
            m = OpModel(codes, op, inputs, out_shapes, otype, opts, custom, cust_opts)
            path = os.path.join(tmp, name + ".tflite")
            tflite_json.save(schema, m.model, path)
            feeds = []
            for x in inputs:
                if isinstance(x, tuple):
                    t = x[1] or np.float32
                    v = rng.standard_normal(x[0]) * 2
                    if isinstance(t, str):  # "positive"
                        v, t = np.abs(v) + 0.1, np.float32
                    if t == np.bool_:
                        v = v > 0
                    elif op == "CAST":
                        v = v * 10
                    feeds.append(v.astype(t))
            # Where two inputs share a shape, tie a few elements so EQUAL has both answers.
            if op in ("EQUAL", "LESS", "NOT_EQUAL", "GREATER", "GREATER_EQUAL",
                      "LESS_EQUAL") and len(feeds) == 2:
                feeds[1].flat[::2] = feeds[0].flat[::2]
            it = iter(feeds)
            every = [next(it) if isinstance(v, tuple) else v for v in inputs if v is not None]
            ref = numpy_reference(name, op, every, opts)
            if custom == "Convolution2DTransposeBias":
                # ArmNN runs no custom operator: TRANSPOSE_CONV without the bias, plus it.
                tc = OpModel(codes, "TRANSPOSE_CONV", [np.array(out_shapes[0][0], np.int32),
                                                       inputs[1], inputs[0]],
                             out_shapes, "TransposeConvOptions",
                             {"padding": "SAME", "stride_w": 2, "stride_h": 2})
                tc_path = os.path.join(tmp, name + "_tc.tflite")
                tflite_json.save(schema, tc.model, tc_path)
                ref = [run_armnn(armnn_ref, schema, tc_path, feeds)[0] + inputs[2]]
            if ref is None:
                try:
                    ref = run_armnn(armnn_ref, schema, path, feeds)
                except subprocess.CalledProcessError:
                    failed.append(name)
                    continue
            ref = [np.asarray(r).astype(t).reshape(s) for r, (s, t) in zip(ref, out_shapes)]
            write_case(out, name, path, feeds, ref)
        # RESHAPE to a computed shape, as Keras' Flatten converts: SHAPE, STRIDED_SLICE
        # (the batch), PACK with -1, RESHAPE.
        i32 = lambda *v: list(np.array(v, "<i4").tobytes())
        flatten = {
            "version": 3,
            "operator_codes": [{"deprecated_builtin_code": codes[n], "builtin_code": codes[n]}
                               for n in ("SHAPE", "STRIDED_SLICE", "PACK", "RESHAPE")],
            "buffers": [{}, {"data": i32(0)}, {"data": i32(1)}, {"data": i32(1)},
                        {"data": i32(-1)}],
            "subgraphs": [{
                "tensors": [
                    {"name": "x", "shape": [2, 3, 4], "type": "FLOAT32"},
                    {"name": "shape", "shape": [3], "type": "INT32"},
                    {"name": "begin", "shape": [1], "type": "INT32", "buffer": 1},
                    {"name": "end", "shape": [1], "type": "INT32", "buffer": 2},
                    {"name": "strides", "shape": [1], "type": "INT32", "buffer": 3},
                    {"name": "batch", "shape": [], "type": "INT32"},
                    {"name": "minus_one", "shape": [], "type": "INT32", "buffer": 4},
                    {"name": "new_shape", "shape": [2], "type": "INT32"},
                    {"name": "y", "shape": [2, 12], "type": "FLOAT32"}],
                "inputs": [0], "outputs": [8],
                "operators": [
                    {"opcode_index": 0, "inputs": [0], "outputs": [1],
                     "builtin_options_type": "ShapeOptions",
                     "builtin_options": {"out_type": "INT32"}},
                    {"opcode_index": 1, "inputs": [1, 2, 3, 4], "outputs": [5],
                     "builtin_options_type": "StridedSliceOptions",
                     "builtin_options": {"shrink_axis_mask": 1}},
                    {"opcode_index": 2, "inputs": [5, 6], "outputs": [7],
                     "builtin_options_type": "PackOptions",
                     "builtin_options": {"values_count": 2}},
                    {"opcode_index": 3, "inputs": [0, 7], "outputs": [8]}]}]}
        path = os.path.join(tmp, "reshape_computed_shape.tflite")
        tflite_json.save(schema, flatten, path)
        feed = rng.standard_normal((2, 3, 4)).astype(np.float32)
        write_case(out, "reshape_computed_shape", path, [feed], [feed.reshape(2, 12)])
        # UNIDIRECTIONAL_SEQUENCE_LSTM: the IR LSTM (no clip) and the unrolled form (clip).
        for clip, time_major in ((0.0, False), (0.5, True)):
            hidden, inp = 4, 3
            w = lambda *s: (rng.standard_normal(s) * 0.5).astype(np.float32)
            xs = (5, 2, inp) if time_major else (2, 5, inp)
            inputs = ([(xs, None)] + [w(hidden, inp) for _ in range(4)] +
                      [w(hidden, hidden) for _ in range(4)] + [None] * 3 +
                      [w(hidden) for _ in range(4)] + [None] * 2 +
                      [((2, hidden), "variable")] * 2 + [None] * 4)
            name = "lstm_clip" if clip else "lstm"
            m = OpModel(codes, "UNIDIRECTIONAL_SEQUENCE_LSTM", inputs,
                        [((xs[0], xs[1], hidden), np.float32)],
                        "UnidirectionalSequenceLSTMOptions",
                        {"fused_activation_function": "TANH", "cell_clip": clip,
                         "time_major": time_major})
            path = os.path.join(tmp, name + ".tflite")
            tflite_json.save(schema, m.model, path)
            feed = rng.standard_normal(xs).astype(np.float32) * 2
            write_case(out, name, path, [feed], lstm_reference(schema, path, feed))
    if failed:
        sys.exit("make_cases: no reference for " + ", ".join(failed))


# ---- a float LSTM model (tflite-micro's mnist_lstm), computed with numpy ----

def lstm_reference(schema, model_path, x):
    """Evaluates a model made of UNIDIRECTIONAL_SEQUENCE_LSTM (no projection, peepholes or
    layer norm), RESHAPE, FULLY_CONNECTED and SOFTMAX as TFLite's reference kernels do."""
    m = tflite_json.load(schema, model_path)
    sg = m["subgraphs"][0]
    tensors, buffers = sg["tensors"], m["buffers"]
    vals = {sg["inputs"][0]: x}

    def val(i):
        if i in vals:
            return vals[i]
        t = tensors[i]
        data = buffers[t.get("buffer", 0)].get("data")
        if data is None:
            return np.zeros(t["shape"], np.float32)
        return np.frombuffer(bytes(data), NP_TYPES[t.get("type", "FLOAT32")]).reshape(t["shape"])

    sig = lambda v: 1 / (1 + np.exp(-v))
    for op in sg["operators"]:
        code = tflite_json.opcode(m, op.get("opcode_index", 0))
        ins, o = op["inputs"], op.get("builtin_options", {})
        if code == 44:
            assert all(i < 0 for i in ins[9:12] + ins[16:18] + ins[20:])
            xs = val(ins[0])
            if not o.get("time_major", False):
                xs = xs.transpose(1, 0, 2)
            w = [val(i) for i in ins[1:5]]
            r = [val(i) for i in ins[5:9]]
            b = [val(i) for i in ins[12:16]]
            h, c = val(ins[18]).copy(), val(ins[19]).copy()
            clip = o.get("cell_clip", 0.0)
            ys = []
            for t in range(xs.shape[0]):
                g = [xs[t] @ w[k].T + h @ r[k].T + b[k] for k in range(4)]
                c = sig(g[1]) * c + sig(g[0]) * np.tanh(g[2])
                if clip > 0:
                    c = np.clip(c, -clip, clip)
                h = sig(g[3]) * np.tanh(c)
                ys.append(h)
            y = np.stack(ys)
            vals[op["outputs"][0]] = y if o.get("time_major", False) else y.transpose(1, 0, 2)
        elif code == 22:
            vals[op["outputs"][0]] = val(ins[0]).reshape(val(ins[1]))
        elif code == 9:
            a = val(ins[0])
            y = a.reshape(-1, val(ins[1]).shape[1]) @ val(ins[1]).T
            if len(ins) > 2 and ins[2] >= 0:
                y = y + val(ins[2])
            vals[op["outputs"][0]] = y
        elif code == 25:
            a = val(ins[0]) * o.get("beta", 1.0)
            e = np.exp(a - a.max(-1, keepdims=True))
            vals[op["outputs"][0]] = e / e.sum(-1, keepdims=True)
        else:
            raise SystemExit("lstm_reference: operator %d is not modelled" % code)
    return [vals[i].astype(np.float32) for i in sg["outputs"]]


# ---- malformed models ----

def make_bad(schema, good, out):
    os.makedirs(out, exist_ok=True)
    data = open(good, "rb").read()
    open(os.path.join(out, "truncated.tflite"), "wb").write(data[:len(data) // 2])
    codes = builtin_codes(schema)

    def variant(name, edit):
        m = tflite_json.load(schema, good)
        edit(m)
        tflite_json.save(schema, m, os.path.join(out, name + ".tflite"))

    def buffer_oob(m):
        sg = m["subgraphs"][0]
        sg["tensors"][sg["operators"][0]["inputs"][1]]["buffer"] = 9999

    def shape_mismatch(m):
        sg = m["subgraphs"][0]
        t = sg["tensors"][sg["operators"][0]["inputs"][1]]
        t["shape"] = [d + 1 for d in t["shape"]]

    def opcode_oob(m):
        m["operator_codes"][0] = {"deprecated_builtin_code": 127, "builtin_code": 250}

    def opcode_index_oob(m):
        m["subgraphs"][0]["operators"][0]["opcode_index"] = 77

    def tensor_oob(m):
        m["subgraphs"][0]["operators"][0]["inputs"][1] = 500

    def extra_subgraph(m):  # valid: a second subgraph, metadata and a signature def
        sg = dict(m["subgraphs"][0], name="unused")
        m["subgraphs"].append(sg)
        m["buffers"].append({"data": list(b"metadata")})
        m["metadata"] = [{"name": "halo_test", "buffer": len(m["buffers"]) - 1}]
        m["signature_defs"] = [{"signature_key": "serving_default", "subgraph_index": 0}]

    def huge_shape(m):
        sg = m["subgraphs"][0]
        sg["tensors"][sg["inputs"][0]]["shape"] = [65536, 65536, 65536]

    def old_version(m):
        m["version"] = 2

    def wrong_output_shape(m):
        sg = m["subgraphs"][0]
        sg["tensors"][sg["outputs"][0]]["shape"] = [1, 2]

    variant("schema_version_2", old_version)
    variant("wrong_output_shape", wrong_output_shape)
    variant("extra_subgraph", extra_subgraph)
    variant("huge_shape", huge_shape)
    variant("buffer_index_out_of_range", buffer_oob)
    variant("shape_disagrees_with_buffer", shape_mismatch)
    variant("operator_code_out_of_range", opcode_oob)
    variant("opcode_index_out_of_range", opcode_index_oob)
    variant("tensor_index_out_of_range", tensor_oob)
    assert codes["CUSTOM"] == 32


def main():
    cmd = sys.argv[1]
    if cmd == "ops":
        make_ops(*sys.argv[2:5])
    elif cmd == "model":
        schema, armnn_ref, out, name, path, lo, hi, ref = sys.argv[2:10]
        in_specs, _ = io_specs(tflite_json.load(schema, path))
        inputs = random_inputs(in_specs, float(lo), float(hi), 1)
        if ref == "numpy":
            expected = np_interp.run(schema, path, inputs)
        else:
            expected = run_armnn(armnn_ref, schema, path, inputs)
        if ref == "both":  # the numpy interpreter checked against ArmNN
            for k, (a, b) in enumerate(zip(expected, np_interp.run(schema, path, inputs))):
                err = np.abs(a - b).max() / max(np.abs(a).max(), 1e-30)
                print("%s: output %d: numpy vs ArmNN: max |diff| / max |ArmNN| %.2e" %
                      (name, k, err))
                if err > 1e-4:
                    sys.exit("make_cases: the numpy interpreter and ArmNN disagree")
        write_case(out, name, path, inputs, expected)
    elif cmd == "lstm":
        schema, out, name, path = sys.argv[2:6]
        in_specs, _ = io_specs(tflite_json.load(schema, path))
        inputs = random_inputs(in_specs, 0.0, 1.0, 1)
        write_case(out, name, path, inputs, lstm_reference(schema, path, inputs[0]))
    elif cmd == "bad":
        make_bad(*sys.argv[2:5])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
