"""The quantized tflite-micro models with reference outputs, all through the AOT path (halo
compiles to C++, the C++ is built against libodla_ref, the program runs):

- the 88 seanet int16 single-operator models against their golden CSVs (TFLite's reference
  kernels): each becomes an ONNX backend-test directory (model.tflite,
  test_data_set_0/input_N.pb, output_0.pb) under BUILD/tflite/quant_golden/seanet, run by
  halo-conformance, which compares integer outputs exactly: all 88 must be bit-exact;
- hello_world int8 at 8 points of [0, 2 pi] against the same network in float (its int8
  weights and int32 biases dequantized, float activations; computed with numpy from the
  model's tensors) within 3 output steps, and against the float model (also compiled) within
  0.1;
- person_detect int8: top-1 on person.bmp and no_person.bmp;
- single-operator models written here (BUILD/tflite/quant_golden/tflite_quant_ops, also run
  by halo-conformance, exact): uint8 CONCATENATION of inputs quantized differently against
  TFLite's ConcatenationWithScaling, and int8 / int16 MUL against TFLite's integer MUL
  (reference_integer_ops::MulElementwise), both transcribed to numpy below.

  quant_golden.py SRC BUILD
"""
import glob
import math
import os
import shutil
import subprocess
import sys

import numpy as np
from onnx import numpy_helper

src, build = (os.path.abspath(p) for p in sys.argv[1:3])
sys.path.insert(0, os.path.join(src, "tests", "tflite"))
import aot  # noqa: E402
from int_ref import mbqm as multiply_by_quantized_multiplier  # noqa: E402
from int_ref import quantize_multiplier  # noqa: E402
import tflite_json  # noqa: E402

schema = os.path.join(src, "src", "frontends", "tflite", "schema", "tflite.fbs")
micro = os.path.join(src, "..", "shared", "models", "tflite-micro")
work = os.path.join(build, "tflite", "quant_golden")
TYPES = {"INT8": np.int8, "UINT8": np.uint8, "INT16": np.int16, "INT32": np.int32,
         "FLOAT32": np.float32}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


if not os.path.isdir(micro):
    fail(micro + " not found: the tflite-micro models come from ../shared beside the "
         "repository (see ../shared/README.md)")


def read_csv(path):
    text = open(path).read().replace("\n", ",")
    return np.array([int(x) for x in text.split(",") if x.strip()], dtype=np.int64)


def find_csv(d, prefix):
    found = glob.glob(os.path.join(d, prefix + "*.csv"))
    if len(found) != 1:
        fail("expected one %s*.csv in %s, found %d" % (prefix, d, len(found)))
    return found[0]


def seanet():
    """Writes the seanet cases and runs halo-conformance on them; True when all are exact."""
    root = os.path.join(micro, "integration_tests", "seanet")
    out = os.path.join(work, "seanet")
    shutil.rmtree(out, ignore_errors=True)
    models = sorted(glob.glob(os.path.join(root, "*", "*.tflite")))
    for m in models:
        name = os.path.splitext(os.path.basename(m))[0]
        d = os.path.join(out, name)
        data = os.path.join(d, "test_data_set_0")
        os.makedirs(data)
        shutil.copy(m, os.path.join(d, "model.tflite"))
        sg = tflite_json.load(schema, m)["subgraphs"][0]
        spec = lambda i: (sg["tensors"][i].get("shape", []),
                          TYPES[sg["tensors"][i].get("type", "FLOAT32")])
        for k, t in enumerate(sg["inputs"]):
            shape, dtype = spec(t)
            v = read_csv(find_csv(os.path.dirname(m), "%s_input%d_" % (name, k)))
            a = v.astype(dtype).reshape(shape)
            with open(os.path.join(data, "input_%d.pb" % k), "wb") as f:
                f.write(numpy_helper.from_array(a).SerializeToString())
        shape, dtype = spec(sg["outputs"][0])
        v = read_csv(find_csv(os.path.dirname(m), name + "_golden_"))
        with open(os.path.join(data, "output_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(v.astype(dtype).reshape(shape)).SerializeToString())
    r = subprocess.run([os.path.join(build, "bin", "halo-conformance"), "-j", "2", out],
                       stdout=subprocess.PIPE, universal_newlines=True)
    failed = [line for line in r.stdout.splitlines() if not line.startswith("PASS ")]
    print("\n".join(failed))
    passed = r.stdout.count("\nPASS ") + r.stdout.startswith("PASS ")
    ok = r.returncode == 0 and passed == len(models) == 88
    print("%s seanet: %d models, %d bit-exact (halo-conformance, integer outputs compared "
          "exactly)" % ("PASS" if ok else "FAIL", len(models), passed))
    return ok


def uint8_concat_case(out):
    """uint8 CONCATENATION along axis 1 of three inputs: one quantized as the output (copied),
    one whose values land on halves (rounded away from zero), one with another zero point."""
    rng = np.random.default_rng(7)
    params = [(0.5, 0), (0.25, 3), (0.3, 10)]  # inputs' (scale, zero point)
    y_scale, y_zp = 0.5, 0
    xs = [rng.integers(0, 256, (2, 5 + k, 3)).astype(np.uint8) for k in range(3)]
    want = []
    for x, (s, zp) in zip(xs, params):
        if (s, zp) == (y_scale, y_zp):
            want.append(x)
            continue
        scale = np.float32(s) * (np.float32(1) / np.float32(y_scale))
        bias = -np.float32(zp) * scale
        v = (x.astype(np.float32) * scale + bias).astype(np.float64)
        r = np.sign(v) * np.floor(np.abs(v) + 0.5) + y_zp  # std::round: halves away from 0
        want.append(np.clip(r, 0, 255).astype(np.uint8))
    want = np.concatenate(want, axis=1)
    q = lambda s, zp: {"scale": [s], "zero_point": [zp]}
    tensors = [{"name": "in%d" % k, "shape": list(x.shape), "type": "UINT8", "buffer": 0,
                "quantization": q(*params[k])} for k, x in enumerate(xs)]
    tensors.append({"name": "out", "shape": list(want.shape), "type": "UINT8", "buffer": 0,
                    "quantization": q(y_scale, y_zp)})
    model = {"version": 3, "buffers": [{}],
             "operator_codes": [{"deprecated_builtin_code": 2, "builtin_code": 2}],
             "subgraphs": [{"tensors": tensors, "inputs": [0, 1, 2], "outputs": [3],
                            "operators": [{"opcode_index": 0, "inputs": [0, 1, 2],
                                           "outputs": [3],
                                           "builtin_options_type": "ConcatenationOptions",
                                           "builtin_options": {"axis": 1}}]}]}
    d = os.path.join(out, "uint8_concatenation_rescaled")
    os.makedirs(os.path.join(d, "test_data_set_0"))
    tflite_json.save(schema, model, os.path.join(d, "model.tflite"))
    for k, a in enumerate(xs + [want]):
        kind = "output_0" if k == len(xs) else "input_%d" % k
        with open(os.path.join(d, "test_data_set_0", kind + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(a).SerializeToString())


def write_single_op(out, name, op, code, options_type, options, ins, out_q, want):
    """A one-operator model: inputs (array, (scale, zero point)), the output's (scale, zp)."""
    types = {np.dtype(np.int8): "INT8", np.dtype(np.uint8): "UINT8", np.dtype(np.int16): "INT16"}
    q = lambda s, zp: {"scale": [s], "zero_point": [zp]}
    tensors = [{"name": "in%d" % k, "shape": list(x.shape), "type": types[x.dtype],
                "buffer": 0, "quantization": q(*p)} for k, (x, p) in enumerate(ins)]
    tensors.append({"name": "out", "shape": list(want.shape), "type": types[want.dtype],
                    "buffer": 0, "quantization": q(*out_q)})
    n = len(ins)
    model = {"version": 3, "buffers": [{}],
             "operator_codes": [{"deprecated_builtin_code": code, "builtin_code": code}],
             "subgraphs": [{"tensors": tensors, "inputs": list(range(n)), "outputs": [n],
                            "operators": [{"opcode_index": 0, "inputs": list(range(n)),
                                           "outputs": [n], "builtin_options_type": options_type,
                                           "builtin_options": options}]}]}
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    tflite_json.save(schema, model, os.path.join(d, "model.tflite"))
    for k, a in enumerate([x for x, _ in ins] + [want]):
        kind = "output_0" if k == n else "input_%d" % k
        with open(os.path.join(d, "test_data_set_0", kind + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(a).SerializeToString())


def mul_cases(out):
    """MUL (code 18) as reference_integer_ops::MulElementwise: the offset inputs' product
    rescaled by A_scale * B_scale / C_scale (double), plus the output zero point, saturated
    and clamped to the fused activation's range."""
    rng = np.random.default_rng(11)
    for name, dtype, pa, pb, pc, act in (
            ("int8_mul_broadcast", np.int8, (0.05, -3), (0.02, 5), (0.01, 2), "NONE"),
            ("int8_mul_relu", np.int8, (0.1, 0), (0.07, -10), (0.3, -128), "RELU"),
            ("int16_mul", np.int16, (0.001, 0), (0.0005, 0), (0.0003, 0), "NONE")):
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max + 1, (2, 3, 4)).astype(dtype)
        b = rng.integers(info.min, info.max + 1, (4,)).astype(dtype)
        q, shift = quantize_multiplier(float(np.float32(pa[0])) * float(np.float32(pb[0])) /
                                       float(np.float32(pc[0])))
        lo, hi = info.min, info.max
        if act == "RELU":
            lo = max(lo, pc[1])
        av, bv = np.broadcast_arrays(a.astype(np.int64) - pa[1], b.astype(np.int64) - pb[1])
        want = np.array([min(max(multiply_by_quantized_multiplier(int(x) * int(y), q, shift) +
                                 pc[1], lo), hi) for x, y in zip(av.ravel(), bv.ravel())],
                        dtype=dtype).reshape(av.shape)
        write_single_op(out, name, "MUL", 18, "MulOptions", {"fused_activation_function": act},
                        [(a, pa), (b, pb)], pc, want)


def single_ops():
    out = os.path.join(work, "tflite_quant_ops")
    shutil.rmtree(out, ignore_errors=True)
    uint8_concat_case(out)
    mul_cases(out)
    r = subprocess.run([os.path.join(build, "bin", "halo-conformance"), "-j", "2", out],
                       stdout=subprocess.PIPE, universal_newlines=True)
    print(r.stdout, end="")
    ok = r.returncode == 0 and r.stdout.count("PASS ") == 4 and "FAIL" not in r.stdout
    print("%s single-operator models (exact)" % ("PASS" if ok else "FAIL"))
    return ok


def compile_run(model, name, in_type, in_size, out_type, out_size, inputs):
    return aot.compile_run(src, build, work, model, name, in_type, in_size, out_type, out_size,
                           inputs)


def hello_world():
    d = os.path.join(micro, "examples", "hello_world", "models")
    in_scale, in_zp = 0.024480115622282028, -128
    out_scale, out_zp = 0.008290956728160381, 5
    dequantized = [0.0010272, 0.6917856, 0.9997878, 0.6994931, -0.0075664, -0.6726132,
                   -1.0766628, -0.7424043]
    x = np.float32(6.2831853) * np.arange(8, dtype=np.float32) / np.float32(8)
    q = np.clip(np.array([math.floor(v / np.float32(in_scale) + 0.5) for v in x]) + in_zp, -128,
                127)
    got = compile_run(os.path.join(d, "hello_world_int8.tflite"), "hello_int8", np.int8, 1,
                      np.int8, 1, q.reshape(8, 1))[:, 0]
    fl = compile_run(os.path.join(d, "hello_world_float.tflite"), "hello_float", np.float32, 1,
                     np.float32, 1, x.reshape(8, 1))[:, 0]
    y = (got.astype(np.float64) - out_zp) * out_scale
    steps = np.abs(y - dequantized) / out_scale
    ok = steps.max() <= 3 and np.abs(y - fl).max() <= 0.1
    print("%s hello_world int8: %.2f output steps from the dequantized network at worst, "
          "%.3f from the float model" % ("PASS" if ok else "FAIL", steps.max(),
                                         np.abs(y - fl).max()))
    return ok


def read_bmp(path, w, h):
    """An 8-bit grayscale BMP (bottom-up rows), top row first, each pixel byte read as int8 as
    TFLite Micro's person_detection test feeds its images (docs/tflite-quant.md)."""
    b = open(path, "rb").read()
    off = int.from_bytes(b[10:14], "little")
    stride = (w + 3) // 4 * 4
    rows = [np.frombuffer(b, np.uint8, w, off + y * stride) for y in range(h - 1, -1, -1)]
    return np.concatenate(rows).view(np.int8)


def person_detect():
    data = os.path.join(micro, "examples", "person_detection", "testdata")
    images = [read_bmp(os.path.join(data, f), 96, 96) for f in ("no_person.bmp", "person.bmp")]
    out = compile_run(os.path.join(micro, "models", "person_detect.tflite"), "person_detect",
                      np.int8, 96 * 96, np.int8, 2, images)
    ok = out[0].argmax() == 0 and out[1].argmax() == 1
    print("%s person_detect: no_person.bmp scores %s, person.bmp scores %s (no person, person)"
          % ("PASS" if ok else "FAIL", out[0].tolist(), out[1].tolist()))
    return ok


results = [seanet(), hello_world(), person_detect(), single_ops()]
sys.exit(0 if all(results) else 1)
