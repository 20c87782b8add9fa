"""numpy references, written from TFLite's reference kernels, for the single-operator cases
that ArmNN 20.08 does not run, or runs wrongly (make_cases.py)."""
import numpy as np

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
