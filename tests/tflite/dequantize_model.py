"""The same network in float: a quantized TFLite model with every quantized tensor made
float32 (constants dequantized, per tensor or per axis; activations just retyped), which a
float runner then computes as the reference for the integer model.

  dequantize_model.py SCHEMA IN.tflite OUT.tflite
"""
import sys

import numpy as np

from tflite_json import load, save

TYPES = {"INT8": "i1", "UINT8": "u1", "INT16": "<i2", "INT32": "<i4", "INT64": "<i8"}


def dequantize(model):
    buffers = model["buffers"]
    for sg in model["subgraphs"]:
        for t in sg["tensors"]:
            q = t.get("quantization") or {}
            scale = q.get("scale")
            if not scale or t.get("type", "FLOAT32") not in TYPES:
                continue
            data = buffers[t.get("buffer", 0)].get("data") if t.get("buffer", 0) else None
            if data:
                v = np.frombuffer(bytes(data), TYPES[t["type"]]).astype(np.float64)
                v = v.reshape(t.get("shape", []))
                zp = np.array(q.get("zero_point") or [0] * len(scale), np.float64)
                s = np.array(scale, np.float64)
                if len(scale) > 1:
                    shape = [1] * v.ndim
                    shape[q.get("quantized_dimension", 0)] = len(scale)
                    s, zp = s.reshape(shape), zp.reshape(shape)
                f = ((v - zp) * s).astype("<f4")
                buffers[t["buffer"]] = {"data": list(f.tobytes())}
            t["type"] = "FLOAT32"
            del t["quantization"]
    return model


if __name__ == "__main__":
    schema, src, dst = sys.argv[1:4]
    save(schema, dequantize(load(schema, src)), dst)
