"""Single-operator cases of tflite_ops_index.cc (SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND,
REVERSE_V2, CUMSUM, ONE_HOT, EMBEDDING_LOOKUP, FILL, RANGE, ATAN2, DYNAMIC_UPDATE_SLICE,
SCATTER_ND, MATRIX_DIAG, MATRIX_SET_DIAG, the segment reductions, BUCKETIZE,
REVERSE_SEQUENCE, BITWISE_XOR; CONV_3D) and their numpy
references, written from TFLite's reference kernels (ArmNN 20.08 runs few of them)."""
import numpy as np


def index_cases(rng):
    """(name, op, inputs, output shapes, options type, options), as op_cases."""
    i32 = lambda *v: np.array(v, dtype=np.int32)
    F = np.float32
    c = [("space_to_batch_nd", "SPACE_TO_BATCH_ND",
          [((1, 5, 6, 2), None), i32(2, 3), i32(1, 0, 0, 0).reshape(2, 2)],
          [((6, 3, 2, 2), F)], "SpaceToBatchNDOptions", {}),
         ("space_to_batch_nd_3d", "SPACE_TO_BATCH_ND",
          [((2, 3, 3), None), i32(2), i32(1, 0).reshape(1, 2)], [((4, 2, 3), F)],
          "SpaceToBatchNDOptions", {}),
         ("batch_to_space_nd", "BATCH_TO_SPACE_ND",
          [((6, 3, 2, 2), None), i32(2, 3), i32(1, 0, 0, 1).reshape(2, 2)],
          [((1, 5, 5, 2), F)], "BatchToSpaceNDOptions", {}),
         ("reverse_v2", "REVERSE_V2", [((2, 3, 4), None), i32(1)], [((2, 3, 4), F)],
          "ReverseV2Options", {}),
         ("embedding_lookup", "EMBEDDING_LOOKUP", [i32(2, 0, 2), ((4, 3), None)],
          [((3, 3), F)], None, None),
         ("fill", "FILL", [i32(2, 3), np.array(1.5, F)], [((2, 3), F)], "FillOptions", {}),
         ("range", "RANGE", [np.array(1.0, F), np.array(4.0, F), np.array(0.5, F)],
          [((6,), F)], "RangeOptions", {}),
         ("atan2", "ATAN2", [((2, 3), None), np.array([[0, -1, 1], [-0.5, 0, 2]], F)],
          [((2, 3), F)], None, None)]
    c += [("dynamic_update_slice", "DYNAMIC_UPDATE_SLICE",
           [((2, 6, 4), None), ((1, 3, 4), None), i32(1, 2, 0)], [((2, 6, 4), F)], None, None),
          ("dynamic_update_slice_clamped", "DYNAMIC_UPDATE_SLICE",
           [((2, 6, 4), None), ((2, 3, 2), None), i32(-1, 5, 1)], [((2, 6, 4), F)], None, None),
          ("dynamic_update_slice_runtime_start", "DYNAMIC_UPDATE_SLICE",
           [((2, 6, 4), None), ((1, 2, 3), None), ((3,), np.int32)], [((2, 6, 4), F)], None,
           None),
          ("scatter_nd_repeated", "SCATTER_ND",
           [i32(1, 0, 3, 1).reshape(4, 1), ((4, 3), None), i32(5, 3)], [((5, 3), F)], None,
           None),
          ("matrix_diag", "MATRIX_DIAG", [((2, 3), None)], [((2, 3, 3), F)], None, None),
          ("matrix_set_diag", "MATRIX_SET_DIAG", [((2, 4, 3), None), ((2, 3), None)],
           [((2, 4, 3), F)], None, None)]
    f = lambda *shape: rng.standard_normal(shape).astype(F)
    c += [("conv_3d_same", "CONV_3D", [((1, 4, 5, 5, 2), None), f(2, 3, 3, 2, 3), f(3)],
           [((1, 4, 5, 5, 3), F)], "Conv3DOptions",
           {"padding": "SAME", "stride_d": 1, "stride_h": 1, "stride_w": 1,
            "fused_activation_function": "RELU"}),
          ("conv_3d_valid_s2_d2", "CONV_3D", [((1, 6, 7, 7, 2), None), f(2, 2, 2, 2, 3)],
           [((1, 2, 3, 3, 3), F)], "Conv3DOptions",
           {"padding": "VALID", "stride_d": 2, "stride_h": 2, "stride_w": 2,
            "dilation_d_factor": 2, "dilation_h_factor": 2, "dilation_w_factor": 2})]
    seg = i32(2, -1, 0, 2, 4)  # row 1 dropped, rows 1 and 3 of the output empty
    for op in ("UNSORTED_SEGMENT_SUM", "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX",
               "UNSORTED_SEGMENT_MIN"):
        c.append((op.lower(), op, [((5, 3), None), seg, i32(5)], [((5, 3), F)], None, None))
    c.append(("unsorted_segment_sum_2d_ids", "UNSORTED_SEGMENT_SUM",
              [((2, 3, 2), None), i32(0, 1, 1, 3, 0, 1).reshape(2, 3), i32(4)],
              [((4, 2), F)], None, None))
    c.append(("segment_sum", "SEGMENT_SUM", [((5, 2), None), i32(0, 0, 1, 3, 3)],
              [((4, 2), F)], "SegmentSumOptions", {}))
    c.append(("bucketize", "BUCKETIZE", [((3, 4), None)], [((3, 4), np.int32)],
              "BucketizeOptions", {"boundaries": [-1.0, 0.0, 0.5, 2.0]}))
    c.append(("reverse_sequence", "REVERSE_SEQUENCE", [((3, 2, 4), None), i32(1, 3)],
              [((3, 2, 4), F)], "ReverseSequenceOptions", {"seq_dim": 2, "batch_dim": 1}))
    c.append(("bitwise_xor", "BITWISE_XOR", [((2, 3), np.int32), ((2, 3), np.int32)],
              [((2, 3), np.int32)], None, None))
    for excl in (False, True):
        for rev in (False, True):
            c.append(("cumsum%s%s" % ("_exclusive" * excl, "_reverse" * rev), "CUMSUM",
                      [((2, 5), None), i32(1)], [((2, 5), F)], "CumsumOptions",
                      {"exclusive": excl, "reverse": rev}))
    for axis in (-1, 0):
        shape = (2, 3, 5) if axis == -1 else (5, 2, 3)
        c.append(("one_hot_axis%d" % axis, "ONE_HOT",
                  [((2, 3), np.int32), i32(5), np.array(2.0, F), np.array(-1.0, F)],
                  [(shape, F)], "OneHotOptions", {"axis": axis}))
    return c


def conv3d_reference(x, w, b, o):
    """TFLite's CONV_3D: NDHWC input, [KD, KH, KW, C, O] filter, SAME pads floor(total / 2)
    at the start."""
    strides = [o.get("stride_d", 1), o.get("stride_h", 1), o.get("stride_w", 1)]
    dil = [o.get("dilation_d_factor", 1), o.get("dilation_h_factor", 1),
           o.get("dilation_w_factor", 1)]
    ks = w.shape[:3]
    pads = []
    for i in range(3):
        eff = (ks[i] - 1) * dil[i] + 1
        if o.get("padding") == "SAME":
            out = -(-x.shape[i + 1] // strides[i])
            total = max((out - 1) * strides[i] + eff - x.shape[i + 1], 0)
            pads.append((total // 2, total - total // 2))
        else:
            pads.append((0, 0))
    xp = np.pad(x.astype(np.float64), [(0, 0)] + pads + [(0, 0)])
    outs = [(xp.shape[i + 1] - ((ks[i] - 1) * dil[i] + 1)) // strides[i] + 1 for i in range(3)]
    y = np.zeros((x.shape[0], *outs, w.shape[4]))
    for d in range(outs[0]):
        for h in range(outs[1]):
            for v in range(outs[2]):
                patch = xp[:, d * strides[0]:d * strides[0] + (ks[0] - 1) * dil[0] + 1:dil[0],
                           h * strides[1]:h * strides[1] + (ks[1] - 1) * dil[1] + 1:dil[1],
                           v * strides[2]:v * strides[2] + (ks[2] - 1) * dil[2] + 1:dil[2]]
                y[:, d, h, v] = np.tensordot(patch, w, axes=([1, 2, 3, 4], [0, 1, 2, 3]))
    if b is not None:
        y += b
    return np.maximum(y, 0) if o.get("fused_activation_function") == "RELU" else y


def index_reference(op, a, options):
    """The reference outputs of an index_cases case, or None for other operators."""
    options = options or {}
    if op == "SPACE_TO_BATCH_ND":
        x, block, pads = a[0], list(a[1]), a[2]
        m = len(block)
        x = np.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)] * (x.ndim - m - 1))
        split = [x.shape[0]]
        for i, b in enumerate(block):
            split += [x.shape[i + 1] // b, b]
        split += list(x.shape[m + 1:])
        perm = [2 * i + 2 for i in range(m)] + [0] + [2 * i + 1 for i in range(m)] + \
            list(range(2 * m + 1, len(split)))
        y = x.reshape(split).transpose(perm)
        return [y.reshape([-1] + [x.shape[i + 1] // b for i, b in enumerate(block)] +
                          list(x.shape[m + 1:]))]
    if op == "BATCH_TO_SPACE_ND":
        x, block, crops = a[0], list(a[1]), a[2]
        m, n = len(block), a[0].shape[0] // int(np.prod(a[1]))
        y = x.reshape(block + [n] + list(x.shape[1:]))
        perm = [m] + [v for i in range(m) for v in (m + 1 + i, i)] + \
            list(range(2 * m + 1, y.ndim))
        y = y.transpose(perm).reshape([n] + [x.shape[i + 1] * b for i, b in enumerate(block)] +
                                      list(x.shape[m + 1:]))
        for i in range(m):
            y = np.take(y, range(crops[i][0], y.shape[i + 1] - crops[i][1]), axis=i + 1)
        return [y]
    if op == "REVERSE_V2":
        return [np.flip(a[0], axis=tuple(int(v) for v in a[1]))]
    if op == "CUMSUM":
        x = np.flip(a[0], 1) if options.get("reverse") else a[0]
        y = np.cumsum(x, axis=1, dtype=np.float64)
        if options.get("exclusive"):
            y = np.concatenate([np.zeros_like(y[:, :1]), y[:, :-1]], axis=1)
        return [np.flip(y, 1) if options.get("reverse") else y]
    if op == "ONE_HOT":
        idx, depth, on, off = a[0], int(a[1][0]), float(a[2]), float(a[3])
        y = np.where(idx[..., None] == np.arange(depth), on, off)
        return [y if options.get("axis") == -1 else np.moveaxis(y, -1, 0)]
    if op == "EMBEDDING_LOOKUP":
        return [a[1][a[0]]]
    if op == "FILL":
        return [np.full(tuple(a[0]), a[1])]
    if op == "RANGE":
        return [np.arange(a[0], a[1], a[2])]
    if op == "ATAN2":
        return [np.arctan2(a[0], a[1])]
    if op == "BUCKETIZE":
        return [np.searchsorted(np.array(options["boundaries"], np.float32), a[0], "right")]
    if op == "REVERSE_SEQUENCE":
        y, seq, batch = a[0].copy(), options["seq_dim"], options.get("batch_dim", 0)
        for b, n in enumerate(a[1]):
            pick = [slice(None)] * y.ndim
            pick[batch], pick[seq] = b, slice(0, n)
            y[tuple(pick)] = np.flip(a[0][tuple(pick)], axis=seq - (batch < seq))
        return [y]
    if op == "BITWISE_XOR":
        return [np.bitwise_xor(a[0], a[1])]
    if op == "CONV_3D":
        return [conv3d_reference(a[0], a[1], a[2] if len(a) > 2 else None, options)]
    if "SEGMENT" in op:
        x, ids = a[0].astype(np.float64), a[1]
        n = int(a[2]) if len(a) > 2 else int(ids.max()) + 1
        kind = op.rsplit("_", 1)[1]
        start = {"SUM": 0.0, "PROD": 1.0, "MAX": -np.finfo(np.float32).max,
                 "MIN": np.finfo(np.float32).max}[kind]
        y = np.full((n,) + x.shape[ids.ndim:], start)
        for pos in np.ndindex(ids.shape):
            if ids[pos] >= 0:
                f = {"SUM": np.add, "PROD": np.multiply, "MAX": np.maximum,
                     "MIN": np.minimum}[kind]
                y[ids[pos]] = f(y[ids[pos]], x[pos])
        return [y]
    if op == "DYNAMIC_UPDATE_SLICE":
        y, u = a[0].copy(), a[1]
        at = [min(max(int(s), 0), d - k) for s, d, k in zip(a[2], y.shape, u.shape)]
        y[tuple(slice(s, s + k) for s, k in zip(at, u.shape))] = u
        return [y]
    if op == "SCATTER_ND":
        y = np.zeros(tuple(a[2]), a[1].dtype)
        for i, row in zip(a[0][:, 0], a[1]):
            y[i] += row
        return [y]
    if op == "MATRIX_DIAG":
        return [a[0][..., None] * np.eye(a[0].shape[-1])]
    if op == "MATRIX_SET_DIAG":
        y = a[0].copy()
        k = min(y.shape[-2:])
        y[..., range(k), range(k)] = a[1]
        return [y]
    return None
