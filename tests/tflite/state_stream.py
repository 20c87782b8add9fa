"""Model state across calls (TFLite variable tensors, docs/tflite.md "State across calls"):
streaming models compiled by halo carry their LSTM and SVDF states from one call of the entry
function to the next, as a stream of TFLite Invoke calls does, and NAME_reset() restarts them.
Through the AOT path (aot.py: one call per row, no reset between rows), against numpy
transcriptions of TFLite's kernels (np_lstm_int.py, int_ref.py) run with the state carried:

- dtln (tflite-micro, two int8 LSTMs): T seeded random frames [1, 1, 257], one per call; the
  network up to its FULLY_CONNECTED exact, the whole model (LOGISTIC) within one step of the
  float sigmoid of those logits; then NAME_reset() and the first frame again: its first output
  exactly;
- keyword_scrambled (7 int8 SVDF): T rows one per call, up to its last SVDF exact, then
  NAME_reset() and the first row again;
- the float LSTM of mnist_lstm (unrolled with its cell clipping, and as one IR LSTM without):
  T sequences one per call, within 1e-5 of numpy (float64), then NAME_reset().
Each reference is also computed from the initial state for every row: the carried state must
change the outputs (otherwise the check could not fail). A partitioned model (--device) with
state is refused with one line, and no file written.

  state_stream.py SRC BUILD
"""
import copy
import os
import shutil
import subprocess
import sys

import numpy as np

src, build = (os.path.abspath(p) for p in sys.argv[1:3])
sys.path.insert(0, os.path.join(src, "tests", "tflite"))
import aot  # noqa: E402
import int_ref as ref  # noqa: E402
import np_lstm_int  # noqa: E402
import tflite_json  # noqa: E402

schema = os.path.join(src, "src", "frontends", "tflite", "schema", "tflite.fbs")
micro = os.path.join(src, "..", "shared", "models", "tflite-micro")
work = os.path.join(build, "tflite", "state_stream")
T = 8  # calls per stream
TYPES = {"INT8": np.int8, "INT16": np.int16, "INT32": np.int32}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def save_cut(bits, ops, outputs, path):
    """The model's first `ops` operators with `outputs` as its outputs."""
    cut = copy.deepcopy(bits)
    cut["subgraphs"][0]["operators"] = cut["subgraphs"][0]["operators"][:ops]
    cut["subgraphs"][0]["outputs"] = outputs
    cut.pop("signature_defs", None)
    tflite_json.save_exact(schema, cut, path)


class Net:
    """A numpy interpreter of the integer operators of dtln and keyword_scrambled that keeps
    the variable tensors' values between calls, as TFLite does."""

    def __init__(self, model):
        self.m = model
        self.sg = model["subgraphs"][0]
        self.T = self.sg["tensors"]
        self.reset()

    def q(self, i):
        qp = self.T[i].get("quantization", {})
        return float(np.float32(qp.get("scale", [1.0])[0])), int(qp.get("zero_point", [0])[0])

    def const(self, i):
        if i < 0:
            return None
        t = self.T[i]
        data = self.m["buffers"][t.get("buffer", 0)].get("data")
        if data is None:
            return None
        return np.frombuffer(bytes(data), TYPES[t["type"]]).reshape(t["shape"])

    def reset(self):
        """ResetVariableTensors: each variable tensor at its zero point."""
        self.vars = {i: np.full(t["shape"], self.q(i)[1], TYPES[t["type"]])
                     for i, t in enumerate(self.T) if t.get("is_variable")}

    def lstm_params(self, op):
        ins, o = op["inputs"], op.get("builtin_options", {})
        sc = lambda k: self.q(ins[k])[0] if ins[k] >= 0 else 1.0
        hidden = self.q(op["intermediates"][4])
        return dict(w=[self.const(ins[k]) for k in range(1, 5)],
                    r=[self.const(ins[k]) for k in range(5, 9)],
                    peep=[self.const(ins[k]) for k in range(9, 12)],
                    b=[self.const(ins[k]) for k in range(12, 16)],
                    proj_w=self.const(ins[16]), proj_b=self.const(ins[17]),
                    h0=self.vars[ins[18]], c0=self.vars[ins[19]],
                    x_scale=self.q(ins[0])[0], x_zp=self.q(ins[0])[1],
                    w_scale=[sc(k) for k in range(1, 5)], r_scale=[sc(k) for k in range(5, 9)],
                    p_scale=[sc(k) for k in range(9, 12)], proj_scale=sc(16),
                    h_scale=self.q(ins[18])[0], h_zp=self.q(ins[18])[1],
                    c_scale=self.q(ins[19])[0], hidden_scale=hidden[0], hidden_zp=hidden[1],
                    cell_clip=o.get("cell_clip", 0.0), proj_clip=o.get("proj_clip", 0.0),
                    time_major=o.get("time_major", False))

    def run(self, x, until):
        """One Invoke on input x up to tensor `until`; advances the variable tensors."""
        vals = {self.sg["inputs"][0]: x.reshape(self.T[self.sg["inputs"][0]]["shape"])}
        for op in self.sg["operators"]:
            kind = self.m["operator_codes"][op.get("opcode_index", 0)]["builtin_code"]
            i, o = op["inputs"], op["outputs"][0]
            if kind == "UNIDIRECTIONAL_SEQUENCE_LSTM":
                y, h, c = np_lstm_int.lstm(vals[i[0]], self.lstm_params(op), with_state=True)
                vals[o] = y
                self.vars[i[18]], self.vars[i[19]] = h, c
            elif kind == "SVDF":
                rank = op["builtin_options"].get("rank", 0)
                vals[o], self.vars[i[4]] = ref.svdf_int(
                    vals[i[0]], self.q(i[0]), self.const(i[1]), self.q(i[1])[0],
                    self.const(i[2]), self.q(i[2])[0], self.const(i[3]), self.vars[i[4]],
                    self.q(i[4]), self.q(o), rank)
            elif kind == "QUANTIZE":
                vals[o] = ref.requantize(vals[i[0]], self.q(i[0]), self.q(o),
                                         TYPES[self.T[o]["type"]])
            elif kind == "FULLY_CONNECTED":
                x2 = vals[i[0]].reshape(-1, self.T[i[1]]["shape"][1])
                vals[o] = ref.fully_connected_int8(x2, self.q(i[0]), self.const(i[1]),
                                                   self.q(i[1])[0], self.const(i[2]), self.q(o))
            else:
                raise ValueError("operator %s" % kind)
            if o == until:
                return vals[o]
        raise ValueError("tensor %d not reached" % until)


def stream_case(name, path, in_type, out_type, rows, want_rows):
    """Compiles `path` and runs `rows` one call each in one stream, then NAME_reset() and
    rows[0] again (aot.Program with reset_every=len(rows))."""
    prog = aot.Program(src, build, work, path, name, in_type, rows.shape[1], out_type,
                       want_rows.shape[1], reset_every=len(rows))
    if not prog.stateful:
        return None, "the compiled model has no NAME_reset(): it keeps no state"
    return prog.run(np.concatenate([rows, rows[:1]])), ""


def report(name, ok, text):
    print("%s %s: %s" % ("PASS" if ok else "FAIL", name, text))
    return ok


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
if not os.path.isdir(micro):
    fail(micro + " not found: the tflite-micro models come from ../shared beside the "
         "repository (see ../shared/README.md)")
rng = np.random.default_rng(12)
ok_all = True

# dtln: LSTM, LSTM, FULLY_CONNECTED (the logits), LOGISTIC.
dtln = os.path.join(micro, "examples", "dtln", "dtln_noise_suppression.tflite")
model, bits = tflite_json.load_exact(schema, dtln)
sg = model["subgraphs"][0]
logits = sg["operators"][2]["outputs"][0]
frames = rng.integers(-128, 128, (T, 257)).astype(np.int8)
net = Net(model)
want = np.stack([net.run(f, logits).ravel() for f in frames])
fresh = []
for f in frames:
    net.reset()
    fresh.append(net.run(f, logits).ravel())
carried = int(np.count_nonzero(want != np.stack(fresh)))
cut = os.path.join(work, "dtln_logits.tflite")
save_cut(bits, 3, [logits], cut)
for name, path, check in (("dtln_logits", cut, "exact"), ("dtln", dtln, "sigmoid")):
    got, err = stream_case(name, path, np.int8, np.int8, frames, want)
    if got is None:
        ok_all &= report(name, False, err)
        continue
    got = got.astype(np.int64)
    restart = bool((got[T] == got[0]).all())
    if check == "exact":
        diff = np.abs(got[:T] - want)
        ok = diff.max() == 0 and restart and carried > 0
        text = "%d frames one call each: %d of %d outputs differ from numpy with the state " \
            "carried (%d outputs differ from a fresh state); after %s_reset() the first " \
            "frame's output %s" % (T, np.count_nonzero(diff), diff.size, carried, name,
                                   "again" if restart else "DIFFERS")
    else:
        ls, lz = net.q(logits)
        out = sg["outputs"][0]
        os_, oz = net.q(out)
        sig = 1 / (1 + np.exp(-(want.astype(np.float64) - lz) * ls))
        err = np.abs((got[:T] - oz) - sig / os_).max()
        ok = err <= 1.0 and restart
        text = "%d frames one call each: within %.2f steps of the float sigmoid of the " \
            "carried-state logits; after %s_reset() the first frame's output %s" % (
                T, err, name, "again" if restart else "DIFFERS")
    ok_all &= report(name, ok, text)

# keyword_scrambled: FULLY_CONNECTED and SVDF layers; up to its last SVDF (later layers
# saturate on random inputs; all of keyword_scrambled_8bit does, so the state could not show).
kw = "keyword_scrambled"
path = os.path.join(micro, "models", kw + ".tflite")
model, bits = tflite_json.load_exact(schema, path)
ops = model["subgraphs"][0]["operators"]
last = max(k for k, op in enumerate(ops) if model["operator_codes"][
    op.get("opcode_index", 0)]["builtin_code"] == "SVDF")
out = ops[last]["outputs"][0]
rows = rng.integers(-24000, 24000, (T, 96)).astype(np.int16)
net = Net(model)
want = np.stack([net.run(r, out).ravel() for r in rows]).astype(np.int64)
fresh = []
for r in rows:
    net.reset()
    fresh.append(net.run(r, out).ravel())
carried = int(np.count_nonzero(want != np.stack(fresh)))
cut = os.path.join(work, kw + "_svdf.tflite")
save_cut(bits, last + 1, [out], cut)
aot.C_TYPES.setdefault(np.int16, "int16_t")
got, err = stream_case(kw + "_svdf", cut, np.int16, np.int8, rows, want)
if got is None:
    ok_all &= report(kw + "_svdf", False, err)
else:
    got = got.astype(np.int64)
    diff = np.abs(got[:T] - want)
    restart = bool((got[T] == got[0]).all())
    ok = diff.max() == 0 and restart and carried > 0
    ok_all &= report(kw + "_svdf", ok, "%d rows one call each: %d of %d outputs differ from "
                     "numpy with the 7 SVDF states carried (%d differ from a fresh state); "
                     "after NAME_reset() the first row's output %s" % (
                         T, np.count_nonzero(diff), diff.size, carried,
                         "again" if restart else "DIFFERS"))


def float_lstm(x, w, r, b, h, c, clip):
    """TFLite's float LSTM (gates i, f, c, o; no peepholes or projection) over x [steps, in]
    from states h, c; float64. Returns (y, h, c)."""
    sig = lambda v: 1 / (1 + np.exp(-v))
    ys = []
    for xt in x:
        pre = [w[k] @ xt + r[k] @ h + b[k] for k in range(4)]
        c = sig(pre[1]) * c + sig(pre[0]) * np.tanh(pre[2])
        if clip > 0:
            c = np.clip(c, -clip, clip)
        h = sig(pre[3]) * np.tanh(c)
        ys.append(h)
    return np.stack(ys), h, c


# The float mnist_lstm's LSTM (batch 1, 28 steps of 28): with its cell clipping (HALO unrolls
# it) and without (one IR LSTM); each call a sequence of its own that starts from the state
# the previous call left.
mnist = os.path.join(micro, "examples", "mnist_lstm", "trained_lstm.tflite")
for clip_name, clip in (("unrolled", None), ("ir_lstm", 0.0)):
    model = tflite_json.load(schema, mnist)
    sg = model["subgraphs"][0]
    op = sg["operators"][0]
    if clip is not None:
        op["builtin_options"]["cell_clip"] = clip
    cl = op["builtin_options"].get("cell_clip", 0.0)
    sg["operators"] = [op]
    sg["outputs"] = [op["outputs"][0]]
    model.pop("signature_defs", None)
    path = os.path.join(work, "mnist_lstm_" + clip_name + ".tflite")
    tflite_json.save(schema, model, path)
    f32 = lambda i: np.frombuffer(bytes(model["buffers"][sg["tensors"][i]["buffer"]]["data"]),
                                  "<f4").reshape(sg["tensors"][i]["shape"]).astype(np.float64)
    ins = op["inputs"]
    w, r, b = [f32(ins[k]) for k in range(1, 5)], [f32(ins[k]) for k in range(5, 9)], \
        [f32(ins[k]) for k in range(12, 16)]
    xs = rng.random((T, 28, 28)).astype(np.float32).astype(np.float64)
    h, c = np.zeros(20), np.zeros(20)
    want, fresh = [], []
    for x in xs:
        y, h, c = float_lstm(x, w, r, b, h, c, cl)
        want.append(y.ravel())
        fresh.append(float_lstm(x, w, r, b, np.zeros(20), np.zeros(20), cl)[0].ravel())
    want = np.stack(want)
    carried = float(np.abs(want - np.stack(fresh)).max())
    name = "mnist_lstm_" + clip_name
    got, err = stream_case(name, path, np.float32, np.float32, xs.reshape(T, -1), want)
    if got is None:
        ok_all &= report(name, False, err)
        continue
    e = float(np.abs(got[:T] - want).max())
    restart = bool((got[T] == got[0]).all())
    ok_all &= report(name, e < 1e-5 and restart and carried > 1e-3,
                     "%d sequences one call each: at most %.2g from numpy with the states "
                     "carried (up to %.2g from a fresh state); after NAME_reset() the first "
                     "output %s" % (T, e, carried, "again" if restart else "DIFFERS"))

# --device with state: one line, exit status 1, nothing written.
out_cc = os.path.join(work, "dtln_device.cc")
r = subprocess.run([os.path.join(build, "bin", "halo"), dtln, "-o", out_cc, "--device", "sim"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
lines = r.stdout.strip().splitlines()
ok = (r.returncode == 1 and len(lines) == 1 and "state" in lines[0] and "--device" in lines[0]
      and not os.path.exists(out_cc))
ok_all &= report("dtln_device_refused", ok, lines[0] if lines else "no message")
sys.exit(0 if ok_all else 1)
