"""TFLite files as JSON through flatc and HALO's schema (Debian has no Python flatbuffers).

  tflite_json.py for-reference SCHEMA IN.tflite OUT.tflite
      The model in operators a float reference runner (ArmNN 20.08) has: see for_reference.
  tflite_json.py unpack-assets LOADER.js PACKED.data DIR
      Extracts the .tflite files of a MediaPipe packed-assets file (offsets in its loader).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np


def load(schema, path):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["flatc", "--json", "--strict-json", "--raw-binary", "-o", d, schema,
                        "--", path], check=True)
        name = os.path.splitext(os.path.basename(path))[0] + ".json"
        with open(os.path.join(d, name)) as f:
            return json.load(f)


def save(schema, model, path):
    with tempfile.TemporaryDirectory() as d:
        j = os.path.join(d, "model.json")
        with open(j, "w") as f:
            json.dump(model, f)
        subprocess.run(["flatc", "-b", "-o", d, schema, j], check=True)
        os.replace(os.path.join(d, "model.tflite"), path)


def load_exact(schema, path):
    """The model as JSON with its quantization scales exact, and the same model as JSON for a
    copy of the schema that declares the scales as uint (to write back with save_exact):
    flatc prints floats with six decimals, so the scales are read as their bits, then
    reinterpreted as float32."""
    import copy
    import numpy as np
    with tempfile.TemporaryDirectory() as d:
        bits = load(_bits_schema(schema, d), path)
    model = copy.deepcopy(bits)
    for sg in model.get("subgraphs", []):
        for t in sg.get("tensors", []):
            q = t.get("quantization", {})
            if "scale" in q:
                q["scale"] = np.array(q["scale"], np.uint32).view(np.float32).tolist()
    return model, bits


def save_exact(schema, bits, path):
    """Writes a model in load_exact's bits form."""
    with tempfile.TemporaryDirectory() as d:
        save(_bits_schema(schema, d), bits, path)


def _bits_schema(schema, d):
    """A copy of the schema in `d` with `scale:[uint]`."""
    path = os.path.join(d, "tflite_scale_bits.fbs")
    with open(schema) as f:
        text = f.read().replace("  scale:[float];", "  scale:[uint];", 1)
    with open(path, "w") as f:
        f.write(text)
    return path

def opcode(model, index):
    """The builtin code (flatc writes builtin_code as a name; the byte field suffices below
    127, the placeholder of larger codes)."""
    c = model["operator_codes"][index]
    code = c.get("deprecated_builtin_code", 0)
    if code == 127 and isinstance(c.get("builtin_code"), int):
        code = c["builtin_code"]
    return code


DEQUANTIZE = 6
DENSIFY = 124
DEPTH_TO_SPACE = 5
RESHAPE = 22
TRANSPOSE = 39
PRELU = 54
RELU = 19
MINIMUM = 57
MUL = 18
CUSTOM = 32


def densify(t, values):
    """The dense array of a sparse constant (TACO encoding: traversal order, block map,
    dense or CSR levels)."""
    sp = t["sparsity"]
    shape = t["shape"]
    order = sp["traversal_order"]
    block_map = sp.get("block_map", [])
    dims = sp["dim_metadata"]
    n = len(shape)
    block_size = {order[l] - n: dims[l].get("dense_size", 0)
                  for l in range(len(order)) if order[l] >= n}
    out = np.zeros(shape, values.dtype)
    coords = [0] * len(order)

    def vec(u):
        return u["values"] if u else []

    def visit(level, pos):
        if level == len(order):
            idx = list(coords[:n])
            for b, d in enumerate(block_map):
                idx[d] = idx[d] * block_size[b] + coords[n + b]
            out[tuple(idx)] = values[pos]
            return
        dm = dims[level]
        d = order[level]
        if dm.get("format", "DENSE") == "DENSE":
            size = dm.get("dense_size", 0)
            for i in range(size):
                coords[d] = i
                visit(level + 1, pos * size + i)
        else:
            seg, ind = vec(dm.get("array_segments")), vec(dm.get("array_indices"))
            for p in range(seg[pos], seg[pos + 1]):
                coords[d] = ind[p]
                visit(level + 1, p)

    visit(0, 0)
    return out


def add_opcode(model, code, custom=None):
    for i, c in enumerate(model["operator_codes"]):
        if opcode(model, i) == code and c.get("custom_code") == custom:
            return i
    model["operator_codes"].append({"deprecated_builtin_code": min(code, 127),
                                    "builtin_code": code})
    return len(model["operator_codes"]) - 1


def for_reference(model, densify_only=False):
    """Rewrites for float reference runners (ArmNN 20.08) in operators they have: DENSIFY
    of a sparse constant and DEQUANTIZE of a FLOAT16 constant become float32 constants;
    MediaPipe's Convolution2DTransposeBias becomes TRANSPOSE_CONV (output size from its
    output tensor) then ADD of the bias; DEPTH_TO_SPACE (batch 1) becomes RESHAPE, TRANSPOSE,
    RESHAPE; PRELU becomes RELU(x) + alpha * MINIMUM(x, 0). densify_only: the first only."""
    buffers = model["buffers"]
    types = {"FLOAT32": "<f4", "FLOAT16": "<f2", "INT32": "<i4", "INT8": "i1"}
    for sg in model["subgraphs"]:
        tensors = sg["tensors"]
        kept = []

        def data_of(t):
            return buffers[t.get("buffer", 0)].get("data")

        def set_data(t, array):
            buffers.append({"data": list(np.ascontiguousarray(array).tobytes())})
            t["buffer"] = len(buffers) - 1

        for op in sg.get("operators", []):
            code = opcode(model, op.get("opcode_index", 0))
            src = tensors[op["inputs"][0]]
            out = tensors[op["outputs"][0]]
            if code == DENSIFY and data_of(src) and "sparsity" in src:
                values = np.frombuffer(bytes(data_of(src)), types[src.get("type", "FLOAT32")])
                set_data(out, densify(src, values))
                out["type"] = src.get("type", "FLOAT32")
            elif densify_only:
                kept.append(op)
            elif code == DEQUANTIZE and src.get("type") == "FLOAT16" and data_of(src):
                set_data(out, np.frombuffer(bytes(data_of(src)), "<f2").astype("<f4"))
            elif (code == CUSTOM and model["operator_codes"][op["opcode_index"]].get(
                    "custom_code") == "Convolution2DTransposeBias"):
                opts = np.frombuffer(bytes(op["custom_options"][:12]), "<i4")
                x, w, b = op["inputs"]
                shape_t = {"name": out.get("name", "") + "/shape", "shape": [4],
                           "type": "INT32"}
                tensors.append(shape_t)
                set_data(shape_t, np.array(out["shape"], "<i4"))
                tmp = dict(out, name=out.get("name", "") + "/nobias", buffer=0)
                tensors.append(tmp)
                kept.append({"opcode_index": add_opcode(model, 67),
                             "inputs": [len(tensors) - 2, w, x],
                             "outputs": [len(tensors) - 1],
                             "builtin_options_type": "TransposeConvOptions",
                             "builtin_options": {"padding": "SAME" if opts[0] == 1 else "VALID",
                                                 "stride_w": int(opts[1]),
                                                 "stride_h": int(opts[2])}})
                kept.append({"opcode_index": add_opcode(model, 0),
                             "inputs": [len(tensors) - 1, b], "outputs": op["outputs"],
                             "builtin_options_type": "AddOptions", "builtin_options": {}})
            elif code == DEPTH_TO_SPACE and src["shape"][0] == 1:
                # [1, H, W, b*b*C] -> [H, W, b, b*C] -> [H, b, W, b*C] -> [1, H*b, W*b, C]
                bs = op["builtin_options"]["block_size"]
                _, h, w, d = src["shape"]
                mid = [h, w, bs, d // bs]
                steps = [(RESHAPE, [h, w, bs, d // bs]), (TRANSPOSE, [0, 2, 1, 3]),
                         (RESHAPE, out["shape"])]
                cur = op["inputs"][0]
                for k, (c, arg) in enumerate(steps):
                    tensors.append({"name": out.get("name", "") + "/d2s_arg%d" % k,
                                    "shape": [len(arg)], "type": "INT32"})
                    set_data(tensors[-1], np.array(arg, "<i4"))
                    arg_index = len(tensors) - 1
                    if k == len(steps) - 1:
                        dst = op["outputs"][0]
                    else:
                        tensors.append({"name": out.get("name", "") + "/d2s%d" % k,
                                        "shape": mid if k == 0 else [h, bs, w, d // bs],
                                        "type": "FLOAT32"})
                        dst = len(tensors) - 1
                    kept.append({"opcode_index": add_opcode(model, c),
                                 "inputs": [cur, arg_index], "outputs": [dst]})
                    cur = dst
            elif code == PRELU:
                # relu(x) + alpha * min(x, 0), alpha and 0 of the input's rank
                x, alpha = op["inputs"]
                rank = len(src["shape"])

                def const(name, array):
                    tensors.append({"name": out.get("name", "") + name,
                                    "shape": list(array.shape), "type": "FLOAT32"})
                    set_data(tensors[-1], array.astype("<f4"))
                    return len(tensors) - 1

                def temp(name):
                    tensors.append(dict(out, name=out.get("name", "") + name, buffer=0))
                    return len(tensors) - 1

                a = tensors[alpha]
                a_data = np.frombuffer(bytes(data_of(a)), "<f4")
                a_shape = [1] * (rank - len(a["shape"])) + a["shape"]
                a4 = const("/alpha", a_data.reshape(a_shape))
                zero = const("/zero", np.zeros([1] * rank))
                pos, neg, scaled = temp("/pos"), temp("/neg"), temp("/scaled")
                for c, ins, dst in ((RELU, [x], pos), (MINIMUM, [x, zero], neg),
                                    (MUL, [neg, a4], scaled), (0, [pos, scaled], op["outputs"][0])):
                    kept.append({"opcode_index": add_opcode(model, c), "inputs": ins,
                                 "outputs": [dst]})
            else:
                kept.append(op)
        sg["operators"] = kept
    return model


def unpack_assets(loader, data, out):
    text = open(loader).read()
    blob = open(data, "rb").read()
    for m in re.finditer(r'"filename": *"([^"]+)", *"start": *(\d+), *"end": *(\d+)', text):
        name = os.path.basename(m.group(1))
        if name.endswith(".tflite"):
            with open(os.path.join(out, name), "wb") as f:
                f.write(blob[int(m.group(2)):int(m.group(3))])


def main():
    if sys.argv[1] == "for-reference":
        schema, src, dst = sys.argv[2:5]
        save(schema, for_reference(load(schema, src)), dst)
    elif sys.argv[1] == "unpack-assets":
        unpack_assets(*sys.argv[2:5])
    else:
        sys.exit("unknown command " + sys.argv[1])


if __name__ == "__main__":
    main()
