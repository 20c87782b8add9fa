"""TFLite's int16 SOFTMAX and SVDF through the AOT path (halo compiles each model to C++,
which is built against libodla_ref and run; aot.py), against the numpy transcriptions of
TFLite's kernels in int_ref.py:

- int16 SOFTMAX single-operator models (zero points 0, output scale 2^-15): exact;
- SVDF single-operator models: float (within 1e-5 relative), int8 with an int16 state and
  weights_time, int8 with an int8 state (zero point not 0): exact. Each call computes one
  invocation from the zero state (aot.py resets the state before each row);
- keyword_scrambled.tflite and keyword_scrambled_8bit.tflite (tflite-micro): the network up to
  the last FULLY_CONNECTED (QUANTIZE, 7 SVDF, 5 FULLY_CONNECTED) exact against numpy, and the
  whole model (int8 -> int16 SOFTMAX, QUANTIZE to int32) against the float softmax of those
  logits within 1e-3;
- SVDF models halo refuses (rank 0; float input with int8 weights): one line, exit status 1.

  svdf_softmax16.py SRC BUILD
"""
import copy
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

src, build = (os.path.abspath(p) for p in sys.argv[1:3])
sys.path.insert(0, os.path.join(src, "tests", "tflite"))
import aot  # noqa: E402
import int_ref as ref  # noqa: E402
import tflite_json  # noqa: E402

schema = os.path.join(src, "src", "frontends", "tflite", "schema", "tflite.fbs")
models = os.path.join(src, "..", "shared", "models", "tflite-micro", "models")
work = os.path.join(build, "tflite", "svdf_softmax16")
aot.C_TYPES.update({np.int16: "int16_t", np.int32: "int32_t"})
NAMES = {np.dtype(np.int8): "INT8", np.dtype(np.int16): "INT16", np.dtype(np.int32): "INT32",
         np.dtype(np.float32): "FLOAT32"}
SOFTMAX, SVDF = 25, 27


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


if not os.path.isdir(models):
    fail(models + " not found: the tflite-micro models come from ../shared beside the "
         "repository (see ../shared/README.md)")


def one_op_model(path, code, options_type, options, x, consts, state, out_shape, out_dtype,
                 out_q=None):
    """A model of one operator: input 0 is the graph input x = (array, quant), then the
    constants (array or None for an absent input, quant), then an optional variable state
    (shape, dtype, quant); one output."""
    tensors, buffers, inputs = [], [{}], []

    def add(shape, dtype, q, data=None, variable=False):
        t = {"name": "t%d" % len(tensors), "shape": list(shape), "type": NAMES[np.dtype(dtype)],
             "buffer": 0}
        if q is not None:
            t["quantization"] = {"scale": [float(q[0])], "zero_point": [int(q[1])]}
        if data is not None:
            buffers.append({"data": list(np.ascontiguousarray(data).tobytes())})
            t["buffer"] = len(buffers) - 1
        if variable:
            t["is_variable"] = True
        tensors.append(t)
        return len(tensors) - 1

    inputs.append(add(x[0].shape, x[0].dtype, x[1]))
    for a, q in consts:
        inputs.append(-1 if a is None else add(a.shape, a.dtype, q, a))
    if state is not None:
        inputs.append(add(state[0], state[1], state[2], variable=True))
    out = add(out_shape, out_dtype, out_q)
    model = {"version": 3, "buffers": buffers,
             "operator_codes": [{"deprecated_builtin_code": code, "builtin_code": code}],
             "subgraphs": [{"tensors": tensors, "inputs": [inputs[0]], "outputs": [out],
                            "operators": [{"opcode_index": 0, "inputs": inputs,
                                           "outputs": [out], "builtin_options_type": options_type,
                                           "builtin_options": options}]}]}
    tflite_json.save(schema, model, path)


class Case:
    """A model compiled and run on rows of x, checked by `check(got) -> (ok, text)`."""

    def __init__(self, name, model, x, out_dtype, out_size, check):
        self.name, self.model, self.x, self.check = name, model, x, check
        self.out_dtype, self.out_size = out_dtype, out_size

    def run(self):
        rows = self.x.reshape(len(self.x), -1)
        p = aot.Program(src, build, work, self.model, self.name, self.x.dtype.type, rows.shape[1],
                        self.out_dtype, self.out_size)
        return self.check(p.run(rows))


def exact(want):
    def check(got):
        got = got.reshape(want.shape)
        diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        return diff.max() == 0, "%d of %d exact (%d distinct values), %d units off at worst" % (
            (diff == 0).sum(), diff.size, len(np.unique(want)), diff.max())
    return check


def softmax_cases(rng):
    cases = []
    for k, (shape, scale, beta) in enumerate((([3, 10], 0.0005, 1.0), ([2, 3, 7], 1 / 1024, 0.5),
                                              ([4, 100], 0.002, 1.0))):
        x = rng.integers(-32768, 32768, [4] + shape).astype(np.int16)
        x[0].reshape(-1, shape[-1])[0] = 1234  # all equal: 1 / n each
        x[1].reshape(-1, shape[-1])[0] = -32768
        x[1].reshape(-1, shape[-1])[0, 0] = 32767  # one far above the others
        name = "softmax_int16_%d" % k
        path = os.path.join(work, name + ".tflite")
        one_op_model(path, SOFTMAX, "SoftmaxOptions", {"beta": beta}, (x[0], (scale, 0)), [],
                     None, shape, np.int16, (1 / 32768, 0))
        want = np.stack([ref.softmax_int16(r, np.float32(scale) * np.float32(beta)) for r in x])
        cases.append(Case(name, path, x, np.int16, int(np.prod(shape)), exact(want)))
    return cases


def svdf_float_cases(rng):
    cases = []
    for k, (batch, inp, filters, rank, memory, bias, act) in enumerate(
            ((2, 5, 6, 2, 4, True, "RELU"), (1, 8, 3, 1, 10, False, "NONE"))):
        rows = 5
        x = rng.standard_normal((rows, batch, inp)).astype(np.float32)
        wf = rng.standard_normal((filters, inp)).astype(np.float32)
        wt = rng.standard_normal((filters, memory)).astype(np.float32)
        b = rng.standard_normal(filters // rank).astype(np.float32) if bias else None
        name = "svdf_float_%d" % k
        path = os.path.join(work, name + ".tflite")
        one_op_model(path, SVDF, "SVDFOptions", {"rank": rank, "fused_activation_function": act},
                     (x[0], None), [(wf, None), (wt, None), (b, None)],
                     ([batch, filters * memory], np.float32, None), [batch, filters // rank],
                     np.float32)
        zero = np.zeros((batch, filters * memory), np.float32)
        want = np.stack([ref.svdf_float(r, wf, wt, b, zero, rank, act)[0] for r in x])

        def check(got, want=want):
            got = got.reshape(want.shape)
            err = np.abs(got - want) / (np.abs(want) + 1e-6 * np.abs(want).max())
            return err.max() <= 1e-5, "%.2g relative at worst" % err.max()
        cases.append(Case(name, path, x, np.float32, batch * (filters // rank), check))
    return cases


def svdf_int_cases(rng):
    cases = []
    # batch, input, filters, rank, memory, state type, x q, wf scale, wt scale, state q, y q,
    # bias range (0: none)
    specs = ((2, 7, 8, 2, 3, np.int16, (0.05, -5), 0.01, 0.001, (0.01, 0), (1.0, 3), 10**6),
             (1, 9, 4, 1, 5, np.int8, (0.06, -128), 0.009, 0.01, (1.0, -20), (1.0, -7), 10**4),
             (1, 6, 6, 3, 2, np.int16, (0.1, 10), 0.02, 0.002, (0.02, 0), (8.0, -100), 0))
    for k, (batch, inp, filters, rank, memory, st, xq, wfs, wts, sq, yq, bias) in enumerate(specs):
        rows = 6
        x = rng.integers(-128, 128, (rows, batch, inp)).astype(np.int8)
        wf = rng.integers(-127, 128, (filters, inp)).astype(np.int8)
        lim = 2000 if st == np.int16 else 127
        wt = rng.integers(-lim, lim + 1, (filters, memory)).astype(st)
        b = rng.integers(-bias, bias, filters // rank).astype(np.int32) if bias else None
        name = "svdf_int8_%d" % k
        path = os.path.join(work, name + ".tflite")
        one_op_model(path, SVDF, "SVDFOptions", {"rank": rank}, (x[0], xq),
                     [(wf, (wfs, 0)), (wt, (wts, 0)), (b, (sq[0] * wts, 0))],
                     ([batch, filters * memory], st, sq), [batch, filters // rank], np.int8, yq)
        zero = np.full((batch, filters * memory), sq[1], st)
        want = np.stack([ref.svdf_int(r, xq, wf, wfs, wt, wts, b, zero, sq, yq, rank)[0]
                         for r in x])
        cases.append(Case(name, path, x, np.int8, batch * (filters // rank), exact(want)))
    return cases


def tensor_q(t):
    q = t["quantization"]
    return float(np.float32(q["scale"][0])), int(q.get("zero_point", [0])[0])


def keyword_reference(model, x):
    """The network up to its last FULLY_CONNECTED on one int16 input row, in numpy."""
    sg = model["subgraphs"][0]
    T, bufs = sg["tensors"], model["buffers"]
    const = lambda i: np.frombuffer(bytes(bufs[T[i]["buffer"]]["data"]), aot_type(T[i])) \
        .reshape(T[i]["shape"])
    vals = {sg["inputs"][0]: x.reshape(T[sg["inputs"][0]]["shape"])}
    for op in sg["operators"]:
        kind = model["operator_codes"][op.get("opcode_index", 0)]["builtin_code"]
        i, o = op["inputs"], op["outputs"][0]
        if kind == "QUANTIZE":
            vals[o] = ref.requantize(vals[i[0]], tensor_q(T[i[0]]), tensor_q(T[o]), aot_type(T[o]))
        elif kind == "SVDF":
            sq = tensor_q(T[i[4]])
            st = aot_type(T[i[4]])
            rank = op["builtin_options"].get("rank", 0)
            vals[o] = ref.svdf_int(vals[i[0]], tensor_q(T[i[0]]), const(i[1]), tensor_q(T[i[1]])[0],
                                   const(i[2]), tensor_q(T[i[2]])[0], const(i[3]),
                                   np.full(T[i[4]]["shape"], sq[1], st), sq, tensor_q(T[o]),
                                   rank)[0]
        elif kind == "FULLY_CONNECTED":
            vals[o] = ref.fully_connected_int8(vals[i[0]], tensor_q(T[i[0]]), const(i[1]),
                                               tensor_q(T[i[1]])[0], const(i[2]), tensor_q(T[o]))
        else:
            return vals, o
    return vals, None


def aot_type(t):
    return {"INT8": np.int8, "INT16": np.int16, "INT32": np.int32}[t["type"]]


def keyword_cases(rng):
    cases = []
    for name in ("keyword_scrambled", "keyword_scrambled_8bit"):
        path = os.path.join(models, name + ".tflite")
        model, bits = tflite_json.load_exact(schema, path)
        sg = model["subgraphs"][0]
        ops = sg["operators"]
        last_fc = max(k for k, op in enumerate(ops) if model["operator_codes"][
            op.get("opcode_index", 0)]["builtin_code"] == "FULLY_CONNECTED")
        logits = ops[last_fc]["outputs"][0]
        x = rng.integers(0, 24000, (8, 96)).astype(np.int16)
        want = np.stack([keyword_reference(model, r)[0][logits].ravel() for r in x])
        cut = copy.deepcopy(bits)
        cut["subgraphs"][0]["operators"] = ops[:last_fc + 1]
        cut["subgraphs"][0]["outputs"] = [logits]
        cut_path = os.path.join(work, name + "_logits.tflite")
        tflite_json.save_exact(schema, cut, cut_path)
        cases.append(Case(name + "_logits", cut_path, x, np.int8, want.shape[1], exact(want)))
        ls, lz = tensor_q(sg["tensors"][logits])
        out = sg["tensors"][sg["outputs"][0]]
        os_, oz = tensor_q(out)
        e = np.exp((want.astype(np.float64) - lz) * ls)
        probs = e / e.sum(axis=1, keepdims=True)

        def check(got, probs=probs, os_=os_, oz=oz):
            err = np.abs((got.astype(np.float64) - oz) * os_ - probs).max()
            return err <= 1e-3, "%.2g from the float softmax of the logits at worst" % err
        cases.append(Case(name, path, x, aot_type(out), want.shape[1], check))
    return cases


def refused(name, want):
    """SVDF models halo must refuse: exit status 1, one line naming the node, SVDF and `want`."""
    f = np.zeros((2, 3), np.float32)
    path = os.path.join(work, name + ".tflite")
    if name == "svdf_rank0":
        one_op_model(path, SVDF, "SVDFOptions", {"rank": 0}, (f, None), [(f, None), (f, None),
                     (None, None)], ([2, 6], np.float32, None), [2, 2], np.float32)
    else:  # hybrid: float input, int8 weights
        w = np.ones((2, 3), np.int8)
        one_op_model(path, SVDF, "SVDFOptions", {"rank": 1}, (f, None),
                     [(w, (0.1, 0)), (w, (0.1, 0)), (None, None)],
                     ([2, 6], np.float32, None), [2, 2], np.float32)
    r = subprocess.run([os.path.join(build, "bin", "halo"), path, "-o",
                        os.path.join(work, name + ".cc")], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    lines = r.stdout.strip().splitlines()
    ok = (r.returncode == 1 and len(lines) == 1 and "(SVDF)" in lines[0] and want in lines[0]
          and not os.path.exists(os.path.join(work, name + ".cc")))
    return ok, lines[0] if lines else "no message"


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
rng = np.random.default_rng(2026)
cases = softmax_cases(rng) + svdf_float_cases(rng) + svdf_int_cases(rng) + keyword_cases(rng)
with ThreadPoolExecutor(2) as pool:
    results = list(pool.map(Case.run, cases))
names = [c.name for c in cases]
for name, want in (("svdf_rank0", "rank must be positive"),
                   ("svdf_hybrid", "hybrid SVDF")):
    names.append(name)
    results.append(refused(name, want))
for name, (ok, text) in zip(names, results):
    print("%s %s: %s" % ("PASS" if ok else "FAIL", name, text))
passed = sum(ok for ok, _ in results)
print("%d of %d passed" % (passed, len(results)))
sys.exit(0 if passed == len(results) else 1)
