"""A numpy interpreter of float TFLite models (the operators of the MediaPipe models),
written from TFLite's reference kernels: a second reference where ArmNN 20.08 lacks an
operator or gets it wrong (it ignores half_pixel_centers of RESIZE_BILINEAR). The tests
check it against ArmNN on the models both can run."""
import numpy as np

import tflite_json

TYPES = {"FLOAT32": "<f4", "FLOAT16": "<f2", "INT32": "<i4", "INT64": "<i8", "INT8": "i1",
         "UINT8": "u1", "BOOL": "?"}


def fused(y, act):
    return {"NONE": y, None: y, "RELU": np.maximum(y, 0), "RELU6": np.clip(y, 0, 6),
            "RELU_N1_TO_1": np.clip(y, -1, 1), "TANH": np.tanh(y)}[act]


def same_pads(in_size, k, s, d, padding):
    if padding == "VALID":
        return (in_size - (k - 1) * d - 1) // s + 1, 0
    out = (in_size + s - 1) // s
    total = max((out - 1) * s + (k - 1) * d + 1 - in_size, 0)
    return out, total // 2


def conv(x, w, b, o, depthwise=False):
    n, h, wd, c = x.shape
    kh, kw = w.shape[1], w.shape[2]
    sh, sw = o.get("stride_h", 1), o.get("stride_w", 1)
    dh, dw = o.get("dilation_h_factor", 1), o.get("dilation_w_factor", 1)
    pad = o.get("padding", "SAME")
    oh, ph = same_pads(h, kh, sh, dh, pad)
    ow, pw = same_pads(wd, kw, sw, dw, pad)
    need_h = (oh - 1) * sh + (kh - 1) * dh + 1
    need_w = (ow - 1) * sw + (kw - 1) * dw + 1
    xp = np.zeros((n, max(need_h, h + ph), max(need_w, wd + pw), c), np.float64)
    xp[:, ph:ph + h, pw:pw + wd] = x
    out_c = w.shape[3] if depthwise else w.shape[0]
    y = np.zeros((n, oh, ow, out_c))
    groups = 1 if depthwise else c // w.shape[3]
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw]
            if depthwise:
                m = out_c // c
                y += np.repeat(patch, m, axis=3) * w[0, i, j]
            else:
                cg, og = c // groups, out_c // groups
                for g in range(groups):
                    y[..., g * og:(g + 1) * og] += patch[..., g * cg:(g + 1) * cg] @ \
                        w[g * og:(g + 1) * og, i, j, :].T
    if b is not None:
        y = y + b
    return y


def transpose_conv(x, w, b, out_shape, padding, sh, sw):
    n, h, wd, _ = x.shape
    o, kh, kw, _ = w.shape
    full = np.zeros((n, max((h - 1) * sh + kh, out_shape[1]), max((wd - 1) * sw + kw, out_shape[2]), o))
    for i in range(kh):
        for j in range(kw):
            full[:, i:i + (h - 1) * sh + 1:sh, j:j + (wd - 1) * sw + 1:sw] += x @ w[:, i, j, :].T
    ph = max((h - 1) * sh + kh - out_shape[1], 0) // 2 if padding == "SAME" else 0
    pw = max((wd - 1) * sw + kw - out_shape[2], 0) // 2 if padding == "SAME" else 0
    y = full[:, ph:ph + out_shape[1], pw:pw + out_shape[2]]
    return y + b if b is not None else y


def pool(x, o, kind):
    n, h, wd, c = x.shape
    kh, kw = o["filter_height"], o["filter_width"]
    sh, sw = o["stride_h"], o["stride_w"]
    oh, ph = same_pads(h, kh, sh, 1, o.get("padding", "SAME"))
    ow, pw = same_pads(wd, kw, sw, 1, o.get("padding", "SAME"))
    y = np.zeros((n, oh, ow, c))
    for a in range(oh):
        for bb in range(ow):
            h0, w0 = a * sh - ph, bb * sw - pw
            win = x[:, max(h0, 0):min(h0 + kh, h), max(w0, 0):min(w0 + kw, wd)]
            y[:, a, bb] = win.max((1, 2)) if kind == "max" else win.mean((1, 2))
    return fused(y, o.get("fused_activation_function"))


def resize_bilinear(x, size, o):
    align, half = o.get("align_corners", False), o.get("half_pixel_centers", False)

    def axis(i_size, o_size):
        scale = (i_size - 1) / (o_size - 1) if align and o_size > 1 else i_size / o_size
        v = (np.arange(o_size) + 0.5) * scale - 0.5 if half else np.arange(o_size) * scale
        lo = np.maximum(np.floor(v).astype(int), 0)
        hi = np.minimum(np.ceil(v).astype(int), i_size - 1)
        return v - np.floor(v), lo, hi

    dy, y0, y1 = axis(x.shape[1], size[0])
    dx, x0, x1 = axis(x.shape[2], size[1])
    dy, dx = dy[None, :, None, None], dx[None, None, :, None]
    top = x[:, y0][:, :, x0] * (1 - dx) + x[:, y0][:, :, x1] * dx
    bottom = x[:, y1][:, :, x0] * (1 - dx) + x[:, y1][:, :, x1] * dx
    return top * (1 - dy) + bottom * dy


def run(schema, path, inputs):
    m = tflite_json.load(schema, path)
    m = tflite_json.for_reference(m, densify_only=True)
    sg = m["subgraphs"][0]
    tensors, buffers = sg["tensors"], m["buffers"]
    vals = dict(zip(sg["inputs"], [np.asarray(a, np.float64) for a in inputs]))

    def val(i):
        if i < 0:
            return None
        if i not in vals:
            t = tensors[i]
            data = buffers[t.get("buffer", 0)].get("data")
            a = np.frombuffer(bytes(data), TYPES[t.get("type", "FLOAT32")]).reshape(t["shape"])
            vals[i] = a.astype(np.float64) if a.dtype.kind == "f" else a
        return vals[i]

    sig = lambda v: 0.5 * (1 + np.tanh(0.5 * v))  # 1 / (1 + exp(-v)) without overflow
    for op in sg["operators"]:
        code = tflite_json.opcode(m, op.get("opcode_index", 0))
        oc = m["operator_codes"][op.get("opcode_index", 0)]
        ins = [val(i) for i in op["inputs"]]
        o = op.get("builtin_options", {})
        act = o.get("fused_activation_function")
        out_shape = tensors[op["outputs"][0]]["shape"]
        if code == 3:
            y = fused(conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, o), act)
        elif code == 4:
            y = fused(conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, o, True), act)
        elif code == 0:
            y = fused(ins[0] + ins[1], act)
        elif code == 18:
            y = fused(ins[0] * ins[1], act)
        elif code == 41:
            y = fused(ins[0] - ins[1], act)
        elif code == 34:
            y = np.pad(ins[0], ins[1].reshape(-1, 2))
        elif code == 17:
            y = pool(ins[0], o, "max")
        elif code == 1:
            y = pool(ins[0], o, "avg")
        elif code == 22:
            y = ins[0].reshape(out_shape)
        elif code == 2:
            axis = o.get("axis", 0)
            y = fused(np.concatenate(ins, axis=axis), act)
        elif code == 23:
            y = resize_bilinear(ins[0], ins[1], o)
        elif code == 5:
            bs = o["block_size"]
            n, h, w, d = ins[0].shape
            y = ins[0].reshape(n, h, w, bs, bs, d // (bs * bs)).transpose(0, 1, 3, 2, 4, 5)
            y = y.reshape(n, h * bs, w * bs, d // (bs * bs))
        elif code == 6:
            y = ins[0].astype(np.float64)
        elif code == 40:
            y = ins[0].mean(axis=tuple(int(a) for a in ins[1].reshape(-1)),
                            keepdims=o.get("keep_dims", False))
        elif code == 19:
            y = np.maximum(ins[0], 0)
        elif code == 21:
            y = np.clip(ins[0], 0, 6)
        elif code == 14:
            y = sig(ins[0])
        elif code == 28:
            y = np.tanh(ins[0])
        elif code == 54:
            y = np.where(ins[0] >= 0, ins[0], ins[0] * ins[1])
        elif code == 117:
            y = ins[0] * np.clip(ins[0] + 3, 0, 6) / 6
        elif code == 9:
            w = ins[1]
            y = ins[0].reshape(-1, w.shape[1]) @ w.T
            if len(ins) > 2 and ins[2] is not None:
                y = y + ins[2]
            y = fused(y.reshape(out_shape), act)
        elif code == 67:
            y = transpose_conv(ins[2], ins[1], ins[3] if len(ins) > 3 else None, out_shape,
                               o.get("padding", "SAME"), o["stride_h"], o["stride_w"])
            y = fused(y, act)
        elif code == 32 and oc.get("custom_code") == "Convolution2DTransposeBias":
            p = np.frombuffer(bytes(op["custom_options"][:12]), "<i4")
            y = transpose_conv(ins[0], ins[1], ins[2], out_shape,
                               "SAME" if p[0] == 1 else "VALID", p[2], p[1])
        else:
            raise SystemExit("np_interp: operator %d is not modelled" % code)
        vals[op["outputs"][0]] = y
    return [vals[i].astype(np.float32) for i in sg["outputs"]]
