"""The single-operator TFLite models of the `ops` cases (make_cases.py): OpModel writes one
operator as a model (tflite_json's JSON form), op_cases lists the operators and their
inputs."""
import numpy as np

NP_TYPES = {"FLOAT32": np.float32, "INT32": np.int32, "INT64": np.int64, "BOOL": np.bool_,
            "FLOAT16": np.float16, "INT8": np.int8, "UINT8": np.uint8}

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
