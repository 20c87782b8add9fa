"""TFLite's integer UNIDIRECTIONAL_SEQUENCE_LSTM (int8 with an int16 cell state) through HALO's
TfliteQuantizedLSTM, against np_lstm_int.py (TFLite's integer LSTM transcribed to numpy): the
LSTMs of mnist_lstm int8, dtln and micro_speech_lstm (each as a single-operator model with its own weights and
quantization) and generated small cases (zero points, cell scales 2^-11 to 2^-13, cell
clipping that bites, time-major, batch 2, CIFG, peepholes, projection with clipping). Every
model is compiled through the AOT path (aot.py) and run on seeded random int8 inputs; the
outputs must equal the reference exactly.

  quant_lstm.py SRC BUILD
"""
import copy
import os
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

src, build = (os.path.abspath(p) for p in sys.argv[1:3])
sys.path.insert(0, os.path.join(src, "tests", "tflite"))
import aot  # noqa: E402
import np_lstm_int  # noqa: E402
import tflite_json  # noqa: E402

schema = os.path.join(src, "src", "frontends", "tflite", "schema", "tflite.fbs")
micro = os.path.join(src, "..", "shared", "models", "tflite-micro", "examples")
work = os.path.join(build, "tflite", "quant_lstm")
os.makedirs(work, exist_ok=True)
LSTM = 44
RUNS = 4  # random inputs per model


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def exact_scales(path):
    """{tensor: [scales]} of subgraph 0 read from the flatbuffer itself (flatc's JSON prints
    floats with 6 digits): Model.subgraphs(2) -> SubGraph.tensors(0) -> Tensor.quantization(4)
    -> QuantizationParameters.scale(2)."""
    b = open(path, "rb").read()
    u32 = lambda p: struct.unpack_from("<I", b, p)[0]

    def field(table, i):
        vt = table - struct.unpack_from("<i", b, table)[0]
        if 4 + 2 * i >= struct.unpack_from("<H", b, vt)[0]:
            return None
        off = struct.unpack_from("<H", b, vt + 4 + 2 * i)[0]
        return table + off if off else None

    def ref(table, i):
        p = field(table, i)
        return None if p is None else p + u32(p)

    def tables(vec):
        return [vec + 4 + 4 * k + u32(vec + 4 + 4 * k) for k in range(u32(vec))]

    sg = tables(ref(u32(0), 2))[0]
    out = {}
    for i, t in enumerate(tables(ref(sg, 0))):
        q = ref(t, 4)
        s = q and ref(q, 2)
        if s:
            out[i] = list(struct.unpack_from("<%df" % u32(s), b, s + 4))
    return out


def single_op_models(path):
    """Each LSTM of `path` as a model of its own (the whole tensor list, one operator), with
    the exact scales written out in full."""
    m = tflite_json.load(schema, path)
    sg = m["subgraphs"][0]
    for i, s in exact_scales(path).items():
        sg["tensors"][i]["quantization"]["scale"] = [float(v) for v in s]
    m.pop("signature_defs", None)
    models = []
    for op in sg["operators"]:
        if tflite_json.opcode(m, op.get("opcode_index", 0)) != LSTM:
            continue
        one = copy.deepcopy(m)
        one["subgraphs"][0].update(operators=[op], inputs=[op["inputs"][0]],
                                   outputs=[op["outputs"][0]])
        models.append(one)
    return models


def params(model):
    """The numpy reference's parameters of the model's one LSTM."""
    sg = model["subgraphs"][0]
    op = sg["operators"][0]
    ins, o = op["inputs"], op.get("builtin_options", {})
    tensors, buffers = sg["tensors"], model["buffers"]
    types = {"INT8": "i1", "INT16": "<i2", "INT32": "<i4"}

    def val(k):
        i = ins[k]
        if i < 0:
            return None
        t = tensors[i]
        data = buffers[t.get("buffer", 0)].get("data")
        if data is None:
            return None
        return np.frombuffer(bytes(data), types[t["type"]]).reshape(t["shape"])

    def q(i):
        qp = tensors[i].get("quantization", {})
        return float(np.float32(qp.get("scale", [1.0])[0])), int(qp.get("zero_point", [0])[0])

    def sc(k):
        return q(ins[k])[0] if ins[k] >= 0 else 1.0

    hidden = q(op["intermediates"][4])
    h_scale, h_zp = q(ins[18])
    h0 = val(18)
    if h0 is None:  # a variable tensor: starts at its zero point
        h0 = np.full(tensors[ins[18]]["shape"], h_zp, np.int8)
    c0 = val(19)
    if c0 is None:
        c0 = np.zeros(tensors[ins[19]]["shape"], np.int16)
    return dict(w=[val(k) for k in range(1, 5)], r=[val(k) for k in range(5, 9)],
                peep=[val(k) for k in range(9, 12)], b=[val(k) for k in range(12, 16)],
                proj_w=val(16), proj_b=val(17), h0=h0, c0=c0,
                x_scale=q(ins[0])[0], x_zp=q(ins[0])[1],
                w_scale=[sc(k) for k in range(1, 5)], r_scale=[sc(k) for k in range(5, 9)],
                p_scale=[sc(k) for k in range(9, 12)], proj_scale=sc(16),
                h_scale=h_scale, h_zp=h_zp, c_scale=q(ins[19])[0],
                hidden_scale=hidden[0], hidden_zp=hidden[1],
                cell_clip=o.get("cell_clip", 0.0), proj_clip=o.get("proj_clip", 0.0),
                time_major=o.get("time_major", False))


def generated(template, rng, batch, steps, n_in, n_cell, n_out, x_q, h_q, hidden_q, c_scale,
              cell_clip, time_major=False, cifg=False, peephole=False, proj_clip=0.0,
              layer_norm=False):
    """A one-LSTM model with random weights (written from `template`'s operator codes); x_q,
    h_q, hidden_q: (scale, zero point); n_out != n_cell gives a projection."""
    tensors, buffers = [], [{}]

    def tensor(name, shape, typ, scale=None, zp=0, data=None, variable=False):
        t = {"name": name, "shape": list(shape), "type": typ, "buffer": 0}
        if scale is not None:
            t["quantization"] = {"scale": [scale], "zero_point": [zp]}
        if data is not None:
            buffers.append({"data": list(np.ascontiguousarray(data).tobytes())})
            t["buffer"] = len(buffers) - 1
        if variable:
            t["is_variable"] = True
        tensors.append(t)
        return len(tensors) - 1

    # Short decimal scales: float32 values that flatc's JSON prints exactly.
    sc = lambda: float(rng.choice([0.011, 0.0125, 0.017, 0.021, 0.03, 0.047]))
    w8 = lambda shape: rng.integers(-127, 128, shape).astype(np.int8)
    x_shape = [steps, batch, n_in] if time_major else [batch, steps, n_in]
    ins = [tensor("x", x_shape, "INT8", *x_q)]
    ws = [sc() for _ in range(8)]
    for k in range(4):
        ins.append(-1 if cifg and k == 0 else
                   tensor("w%d" % k, [n_cell, n_in], "INT8", ws[k], 0, w8([n_cell, n_in])))
    for k in range(4):
        ins.append(-1 if cifg and k == 0 else
                   tensor("r%d" % k, [n_cell, n_out], "INT8", ws[4 + k], 0, w8([n_cell, n_out])))
    for k in range(3):
        ins.append(tensor("p%d" % k, [n_cell], "INT16", 0.002, 0,
                          rng.integers(-4000, 4000, n_cell).astype("<i2"))
                   if peephole and not (cifg and k == 0) else -1)
    for k in range(4):
        ins.append(-1 if cifg and k == 0 else
                   tensor("b%d" % k, [n_cell], "INT32", x_q[0] * ws[k], 0,
                          rng.integers(-3000, 3000, n_cell).astype("<i4")))
    if n_out != n_cell:
        ins.append(tensor("proj", [n_out, n_cell], "INT8", 0.02, 0, w8([n_out, n_cell])))
        ins.append(tensor("proj_b", [n_out], "INT32", 0.02 * hidden_q[0], 0,
                          rng.integers(-500, 500, n_out).astype("<i4")))
    else:
        ins += [-1, -1]
    ins.append(tensor("h", [batch, n_out], "INT8", *h_q, variable=True))
    ins.append(tensor("c", [batch, n_cell], "INT16", c_scale, 0, variable=True))
    ins += [tensor("ln%d" % k, [n_cell], "INT16", 0.001, 0,
                   rng.integers(1000, 3000, n_cell).astype("<i2")) if layer_norm else -1
            for k in range(4)]
    inter = [tensor("inter%d" % k, [0], "INT8") for k in range(4)]
    inter.append(tensor("hidden", [0], "INT8", *hidden_q))
    y = tensor("y", x_shape[:2] + [n_out], "INT8", *h_q)
    options = {"fused_activation_function": "TANH", "cell_clip": cell_clip,
               "proj_clip": proj_clip, "time_major": time_major}
    op = {"opcode_index": 0, "inputs": ins, "outputs": [y], "intermediates": inter,
          "builtin_options_type": "UnidirectionalSequenceLSTMOptions",
          "builtin_options": options}
    return {"version": 3, "operator_codes": [template["operator_codes"][0]],
            "subgraphs": [{"tensors": tensors, "inputs": [0], "outputs": [y],
                           "operators": [op]}],
            "buffers": buffers}


if not os.path.isdir(micro):
    fail(micro + " not found: the tflite-micro models come from ../shared beside the "
         "repository (see ../shared/README.md)")
cases = []
for rel, base in (("mnist_lstm/trained_lstm_int8.tflite", "mnist_lstm"),
                  ("dtln/dtln_noise_suppression.tflite", "dtln"),
                  ("../models/micro_speech_lstm.tflite", "micro_speech_lstm")):
    for k, model in enumerate(single_op_models(os.path.join(micro, rel))):
        cases.append(("%s_lstm%d" % (base, k), model))
rng = np.random.default_rng(7)
template = cases[0][1]
G = [  # name, batch, steps, in, cell, out, x_q, h_q, hidden_q, c_scale, clip, options
    ("zero_points", 2, 5, 6, 4, 4, (0.05, -3), (0.0078, 5), (0.0078, 5), 2 ** -11, 0.9, {}),
    ("time_major", 2, 4, 5, 3, 3, (0.09, 0), (0.0071, 0), (0.0071, 0), 2 ** -12, 0.0,
     {"time_major": True}),
    ("saturating", 1, 6, 8, 5, 5, (0.3, 10), (0.0078, -2), (0.0078, -2), 2 ** -13, 3.0, {}),
    ("cifg_peephole", 2, 4, 5, 4, 4, (0.06, -7), (0.0078, 3), (0.0078, 3), 2 ** -11, 1.5,
     {"cifg": True, "peephole": True}),
    ("peephole", 1, 4, 3, 4, 4, (0.06, 0), (0.0078, 0), (0.0078, 0), 2 ** -12, 0.0,
     {"peephole": True}),
    ("projection", 2, 4, 5, 6, 3, (0.05, 4), (0.02, -6), (0.0078, 2), 2 ** -11, 2.0,
     {"proj_clip": 1.0}),
]
for name, b, s, i, c, o, xq, hq, hidq, cs, clip, extra in G:
    cases.append(("gen_" + name, generated(template, rng, b, s, i, c, o, xq, hq, hidq, cs, clip,
                                           **extra)))


# An integer LSTM with layer normalisation: refused, with one line naming the file, the node
# and the operator.
refused = os.path.join(work, "layer_norm.tflite")
tflite_json.save(schema, generated(template, rng, 1, 2, 3, 4, 4, (0.05, 0), (0.0078, 0),
                                   (0.0078, 0), 2 ** -12, 0.0, layer_norm=True), refused)
r = subprocess.run([os.path.join(build, "bin", "halo"), refused, "-o",
                    os.path.join(work, "layer_norm.cc")], capture_output=True, text=True)
msg = r.stderr.strip()
ok = r.returncode != 0 and len(msg.splitlines()) == 1 and all(
    s in msg for s in (refused, "UNIDIRECTIONAL_SEQUENCE_LSTM", "layer normalisation"))
print("%s layer_norm refused: %s" % ("PASS" if ok else "FAIL", msg))
status = 0 if ok else 1


def build_case(case):
    name, model = case
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.tflite")
    tflite_json.save(schema, model, path)
    sg = model["subgraphs"][0]
    x_shape = sg["tensors"][sg["inputs"][0]]["shape"]
    y_shape = sg["tensors"][sg["outputs"][0]]["shape"]
    prog = aot.Program(src, build, work, path, name, np.int8, int(np.prod(x_shape)), np.int8,
                       int(np.prod(y_shape)))
    model = tflite_json.load(schema, path)
    for i, scales in exact_scales(path).items():
        model["subgraphs"][0]["tensors"][i]["quantization"]["scale"] = scales
    return prog, model, x_shape


with ThreadPoolExecutor(2) as pool:  # halo and c++ run as subprocesses: two at a time
    built = list(pool.map(build_case, cases))

for (name, _), (prog, model, x_shape) in zip(cases, built):
    p = params(model)
    xs = np.random.default_rng(1).integers(-128, 128, [RUNS] + x_shape).astype(np.int8)
    got = prog.run(xs.reshape(RUNS, -1)).astype(np.int64)
    want = np.stack([np_lstm_int.lstm(x, p).ravel() for x in xs]).astype(np.int64)
    diff = np.abs(got - want)
    ok = diff.max() == 0
    print("%s %s: %d outputs, %d differ (at most by %d); output range [%d, %d]" %
          ("PASS" if ok else "FAIL", name, diff.size, np.count_nonzero(diff), diff.max(),
           want.min(), want.max()))
    status |= not ok
sys.exit(1 if status else 0)
