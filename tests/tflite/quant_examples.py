"""The int8 tflite-micro models that have no golden data, against the same network in float:
each model is dequantized (dequantize_model.py: constants dequantized, activations float32)
and run on ArmNN's CpuRef (Debian's ArmNN 20.08, built as armnn_ref) or, for the LSTM, on
HALO's float path; HALO runs the int8
model on a seeded random input, and the float network gets that input dequantized. HALO's
runs all go through the AOT path (aot.py: halo compiles the model to C++, which is built
against libodla_ref.a and run). Checked: the same top-1, and the dequantized int8 output within
`mean` and `max` output steps of the float one on average and at worst (the quantization
noise of a whole network). micro_speech is also run on ArmNN in int8 (its kernels are
ArmNN's own integer ones), which it must match within one unit.

  quant_examples.py SRC BUILD
"""
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

src, build = (os.path.abspath(p) for p in sys.argv[1:3])
here = os.path.join(src, "tests", "tflite")
sys.path.insert(0, here)
import aot  # noqa: E402
import tflite_json  # noqa: E402

schema = os.path.join(src, "src", "frontends", "tflite", "schema", "tflite.fbs")
micro = os.path.join(src, "..", "shared", "models", "tflite-micro")
work = os.path.join(build, "tflite", "quant")
os.makedirs(work, exist_ok=True)

# model, input name, input shape, input (scale, zp), output (scale, zp), mean and max steps
# allowed, the float runner (ArmNN 20.08 has no UNIDIRECTIONAL_SEQUENCE_LSTM: HALO's float
# LSTM, which the tflite_frontend test checks against numpy, runs that one). dtln's worst
# case: its second LSTM's hidden zero point is -4, which TFLite's integer LSTM subtracts
# instead of adding (docs/tflite-quant.md), 8 steps off in its output state.
MODELS = [
    ("models/mobilenet_v2_quantized_1x3x224x224.tflite", "input.5", [1, 3, 224, 224],
     (0.018631115555763245, -14), (0.11373531818389893, -24), 4, 16, "armnn"),
    ("examples/micro_speech/models/micro_speech_quantized.tflite", "Reshape_1", [1, 1960],
     (0.10171568393707275, -128), (0.00390625, -128), 2, 8, "armnn"),
    ("examples/mnist_lstm/trained_lstm_int8.tflite", "serving_default_fixed_input:0",
     [1, 28, 28], (0.003921568859368563, -128), (0.00390625, -128), 2, 8, "halo"),
    ("examples/dtln/dtln_noise_suppression.tflite", "serving_default_input_7:0", [1, 1, 257],
     (0.06857891380786896, -128), (0.00390625, -128), 4, 32, "halo"),
]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


if not os.path.isdir(micro):
    fail(micro + " not found: the tflite-micro models come from ../shared beside the "
         "repository (see ../shared/README.md)")
armnn = os.path.join(build, "tflite", "armnn_ref")
if not os.path.exists(armnn) or os.path.getmtime(armnn) < os.path.getmtime(
        os.path.join(here, "armnn_ref.cc")):
    subprocess.run(["c++", "-std=c++17", "-O1", os.path.join(here, "armnn_ref.cc"), "-o", armnn,
                    "-larmnnTfLiteParser", "-larmnn"], check=True)


def prepare(i, rel, shape, runner):
    """The seeded int8 input, the dequantized model, and the programs to build: the int8
    model and, for runner "halo", the dequantized one."""
    model = os.path.join(micro, rel)
    base = os.path.splitext(os.path.basename(model))[0]
    d = os.path.join(work, base)
    os.makedirs(os.path.join(d, "float"), exist_ok=True)
    q = np.random.default_rng(i).integers(-128, 128, size=shape).astype(np.int8)
    fmodel = os.path.join(d, "float.tflite")
    if not os.path.exists(fmodel) or os.path.getmtime(fmodel) < os.path.getmtime(model):
        subprocess.run([sys.executable, os.path.join(here, "dequantize_model.py"), schema, model,
                        fmodel], check=True)
    n = int(np.prod(shape))
    builds = [(model, base, np.int8, n, np.int8)]
    if runner == "halo":
        builds.append((fmodel, base + "_float", np.float32, n, np.float32))
    return model, base, d, q, fmodel, builds


def out_size(model):
    sg = tflite_json.load(schema, model)["subgraphs"][0]
    return int(np.prod(sg["tensors"][sg["outputs"][0]].get("shape", [])))


cases = [prepare(i, m[0], m[2], m[7]) for i, m in enumerate(MODELS)]
jobs = [b for c in cases for b in c[5]]
with ThreadPoolExecutor(2) as pool:  # halo and c++ run as subprocesses: two at a time
    programs = list(pool.map(
        lambda b: aot.Program(src, build, work, b[0], b[1], b[2], b[3], b[4], out_size(b[0])),
        jobs))
programs = {p.name: p for p in programs}

status = 0
for (rel, name, shape, (in_s, in_zp), (out_s, out_zp), mean_steps, max_steps, runner), \
        (model, base, d, q, fmodel, _) in zip(MODELS, cases):
    got_q = programs[base].run(q.reshape(1, -1)).astype(np.int64).ravel()
    got = (got_q - out_zp) * out_s
    fin = ((q.astype(np.float32) - in_zp) * np.float32(in_s)).astype("<f4")
    if runner == "armnn":
        fin.tofile(os.path.join(d, "float", "input_0.bin"))
        subprocess.run([armnn, fmodel, os.path.join(d, "float")], check=True)
        want = np.fromfile(os.path.join(d, "float", "output_0.bin"), "<f4")
    else:
        want = programs[base + "_float"].run(fin.reshape(1, -1))
    want = want.astype(np.float64).ravel()
    err = np.abs(got - want) / out_s
    ok = got.argmax() == want.argmax() and err.mean() <= mean_steps and err.max() <= max_steps
    print("%s %s: top-1 %d (float %d), |int8 - float| %.2f steps on average, %.2f at worst" %
          ("PASS" if ok else "FAIL", base, got.argmax(), want.argmax(), err.mean(), err.max()))
    status |= not ok
    if base == "micro_speech_quantized":
        os.makedirs(os.path.join(d, "int8"), exist_ok=True)
        q.tofile(os.path.join(d, "int8", "input_0.bin"))
        subprocess.run([armnn, model, os.path.join(d, "int8")], check=True)
        ref = np.fromfile(os.path.join(d, "int8", "output_0.bin"), "i1").astype(np.int64)
        worst = np.abs(ref - got_q).max()
        print("%s %s: ArmNN int8 within %d unit(s)" % ("PASS" if worst <= 1 else "FAIL", base,
                                                        worst))
        status |= worst > 1
sys.exit(1 if status else 0)
