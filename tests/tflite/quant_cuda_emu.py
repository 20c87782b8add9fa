"""Whole quantized TFLite models on libodla_cuda's kernels, bit for bit: each model is compiled
once by halo, built against libodla_ref.a and against libodla_cuda_emu.a (libodla_cuda on the
CUDA emulation, tests/cuda_emu), and both programs run the same seeded inputs; every output
byte must agree. With ODLA_PROFILE the emulated run also counts its copies from device to
host (printed: each feeds operators that ran on the host). The first input and libodla_ref's
output of each model are also written as a backend-test directory,
BUILD/tflite/quant_models/NAME (model.tflite, test_data_set_0), for the same check on a GPU
(scripts/gpu_checks.sh packs them for its `tflite` step).

  quant_cuda_emu.py SRC BUILD
"""
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from onnx import numpy_helper

src, build = (os.path.abspath(p) for p in sys.argv[1:3])
here = os.path.join(src, "tests", "tflite")
sys.path.insert(0, here)
import aot  # noqa: E402
import tflite_json  # noqa: E402

schema = os.path.join(src, "src", "frontends", "tflite", "schema", "tflite.fbs")
micro = os.path.join(src, "..", "shared", "models", "tflite-micro")
work = os.path.join(build, "tflite", "quant_cuda_emu")
cases = os.path.join(build, "tflite", "quant_models")
TYPES = {"INT8": np.int8, "UINT8": np.uint8, "FLOAT32": np.float32}
# int8 CNNs and a keyword spotter: QLinearConv (depthwise too), QLinearAdd, average pooling,
# fully connected layers, softmax; and hello_world's three dense layers.
MODELS = ["models/mobilenet_v2_quantized_1x3x224x224.tflite", "models/person_detect.tflite",
          "examples/micro_speech/models/micro_speech_quantized.tflite",
          "examples/hello_world/models/hello_world_int8.tflite"]
ROWS = 2

if not os.path.isdir(micro):
    print("FAIL: " + micro + " not found: the tflite-micro models come from ../shared beside "
          "the repository (see ../shared/README.md)")
    sys.exit(1)


def io_specs(model):
    """(type, shape) of the input and of the output."""
    sg = tflite_json.load(schema, model)["subgraphs"][0]
    t = [sg["tensors"][sg[k][0]] for k in ("inputs", "outputs")]
    return [(TYPES[x.get("type", "FLOAT32")], x.get("shape", [])) for x in t]


def build_pair(rel):
    model = os.path.join(micro, rel)
    base = os.path.splitext(os.path.basename(model))[0]
    (it, ishape), (ot, oshape) = io_specs(model)
    isz, osz = int(np.prod(ishape)), int(np.prod(oshape))
    return [aot.Program(src, build, work, model, base + "_" + rt, it, isz, ot, osz, runtime=rt)
            for rt in ("ref", "cuda_emu")] + [model, ishape, oshape]


def write_case(model, name, x, y):
    d = os.path.join(cases, name)
    data = os.path.join(d, "test_data_set_0")
    os.makedirs(data)
    shutil.copy(model, os.path.join(d, "model.tflite"))
    for kind, a in (("input_0", x), ("output_0", y)):
        with open(os.path.join(data, kind + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(a).SerializeToString())


with ThreadPoolExecutor(2) as pool:
    pairs = list(pool.map(build_pair, MODELS))

status = 0
shutil.rmtree(cases, ignore_errors=True)
for i, (ref, emu, model, ishape, oshape) in enumerate(pairs):
    info = np.iinfo(ref.in_type)  # the models' inputs are quantized
    size = int(np.prod(ishape))
    x = np.random.default_rng(900 + i).integers(info.min, info.max + 1, size=(ROWS, size))
    x = x.astype(ref.in_type)
    want = ref.run(x)
    write_case(model, ref.name[:-4], x[0].reshape(ishape), want[0].reshape(oshape))
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as prof:
        os.environ["ODLA_PROFILE"] = prof.name
        got = emu.run(x)
        del os.environ["ODLA_PROFILE"]
        table = prof.read()
    to_host = len(re.findall(r"^\s+\d+\s+ToHost\s", table, re.M))  # rows of one execution
    same = got.shape == want.shape and np.array_equal(got, want)
    print("%s %s: %d outputs %s on libodla_cuda_emu and libodla_ref; %d copies to the host "
          "per run" % ("PASS" if same else "FAIL", ref.name[:-4], want.size,
                       "equal" if same else "DIFFER", to_host))
    status |= not same
sys.exit(1 if status else 0)
