"""TFLite files as JSON through flatc and HALO's schema (Debian has no Python flatbuffers).

  tflite_json.py fold-fp16 SCHEMA IN.tflite OUT.tflite
      Rewrites FLOAT16 constants that feed DEQUANTIZE into float32 constants and drops the
      DEQUANTIZE operators (for reference runners without float16 support).
"""
import json
import os
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


def opcode(model, index):
    """The builtin code (flatc writes builtin_code as a name; the byte field suffices below
    127, the placeholder of larger codes)."""
    c = model["operator_codes"][index]
    code = c.get("deprecated_builtin_code", 0)
    if code == 127 and isinstance(c.get("builtin_code"), int):
        code = c["builtin_code"]
    return code


DEQUANTIZE = 6


def fold_fp16(model):
    buffers = model["buffers"]
    for sg in model["subgraphs"]:
        tensors = sg["tensors"]
        kept = []
        for op in sg.get("operators", []):
            src = op["inputs"][0]
            t = tensors[src]
            data = buffers[t.get("buffer", 0)].get("data")
            if (opcode(model, op.get("opcode_index", 0)) != DEQUANTIZE or
                    t.get("type") != "FLOAT16" or not data):
                kept.append(op)
                continue
            f32 = np.frombuffer(bytes(data), dtype="<f2").astype("<f4")
            buffers.append({"data": list(f32.tobytes())})
            out = tensors[op["outputs"][0]]
            out["buffer"] = len(buffers) - 1
        sg["operators"] = kept
    return model


def main():
    if sys.argv[1] == "fold-fp16":
        schema, src, dst = sys.argv[2:5]
        save(schema, fold_fp16(load(schema, src)), dst)
    else:
        sys.exit("unknown command " + sys.argv[1])


if __name__ == "__main__":
    main()
