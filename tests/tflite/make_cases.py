"""Builds the TFLite test cases for halo-conformance (DIR/NAME/model.tflite with
test_data_set_0/input_I.pb and output_I.pb) and the malformed models of the bad-input test.

  make_cases.py ops SCHEMA ARMNN_REF OUT        single-operator models, ArmNN's outputs
  make_cases.py model SCHEMA ARMNN_REF OUT NAME MODEL.tflite LO HI REF
                                                a whole model on seeded random inputs in
                                                [LO, HI); REF: armnn, numpy (np_interp.py)
                                                or both (ArmNN's, after checking that
                                                np_interp agrees)
  make_cases.py lstm SCHEMA OUT NAME MODEL.tflite
                                                a float LSTM model, numpy's outputs
  make_cases.py bad SCHEMA GOOD.tflite OUT      malformed models
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import np_interp  # noqa: E402
import tflite_json  # noqa: E402
from op_cases import NP_TYPES, OpModel, op_cases  # noqa: E402
from op_cases_index import index_cases, index_reference  # noqa: E402
from op_reference import numpy_reference  # noqa: E402


def builtin_codes(schema):
    text = open(schema).read()
    body = text[text.index("enum BuiltinOperator"):]
    body = body[:body.index("}")]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"(\w+) = (\d+)", body)}


def write_case(out, name, model_path, inputs, outputs):
    d = os.path.join(out, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    shutil.copy(model_path, os.path.join(d, "model.tflite"))
    for kind, arrays in (("input", inputs), ("output", outputs)):
        for i, a in enumerate(arrays):
            t = numpy_helper.from_array(np.ascontiguousarray(a), "%s_%d" % (kind, i))
            with open(os.path.join(d, "test_data_set_0", "%s_%d.pb" % (kind, i)), "wb") as f:
                f.write(t.SerializeToString())


def io_specs(model):
    sg = model["subgraphs"][0]
    spec = lambda i: (sg["tensors"][i].get("shape", []),
                      NP_TYPES[sg["tensors"][i].get("type", "FLOAT32")])
    return [spec(i) for i in sg["inputs"]], [spec(i) for i in sg["outputs"]]


def run_armnn(armnn_ref, schema, model_path, inputs):
    """ArmNN's outputs for `inputs` (on the model rewritten by tflite_json.for_reference)."""
    model = tflite_json.load(schema, model_path)
    _, out_specs = io_specs(model)
    with tempfile.TemporaryDirectory() as d:
        folded = os.path.join(d, "folded.tflite")
        tflite_json.save(schema, tflite_json.for_reference(model), folded)
        for i, a in enumerate(inputs):
            np.ascontiguousarray(a).tofile(os.path.join(d, "input_%d.bin" % i))
        subprocess.run([armnn_ref, folded, d], check=True)
        return [np.fromfile(os.path.join(d, "output_%d.bin" % i), dtype=t).reshape(s)
                for i, (s, t) in enumerate(out_specs)]


def random_inputs(specs, lo, hi, seed):
    rng = np.random.default_rng(seed)
    return [rng.uniform(lo, hi, s).astype(t) for s, t in specs]


def make_ops(schema, armnn_ref, out):
    codes = builtin_codes(schema)
    rng = np.random.default_rng(7)
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in op_cases(rng) + index_cases(rng):
            name, op, inputs, out_shapes, otype, opts = case[:6]
            custom = case[6] if len(case) > 6 else None
            cust_opts = case[7] if len(case) > 7 else None
            m = OpModel(codes, op, inputs, out_shapes, otype, opts, custom, cust_opts)
            path = os.path.join(tmp, name + ".tflite")
            tflite_json.save(schema, m.model, path)
            feeds = []
            for x in inputs:
                if isinstance(x, tuple):
                    t = x[1] or np.float32
                    v = rng.standard_normal(x[0]) * 2
                    if isinstance(t, str):  # "positive"
                        v, t = np.abs(v) + 0.1, np.float32
                    if t == np.bool_:
                        v = v > 0
                    elif op == "CAST":
                        v = v * 10
                    feeds.append(v.astype(t))
            # Where two inputs share a shape, tie a few elements so EQUAL has both answers.
            if op in ("EQUAL", "LESS", "NOT_EQUAL", "GREATER", "GREATER_EQUAL",
                      "LESS_EQUAL") and len(feeds) == 2:
                feeds[1].flat[::2] = feeds[0].flat[::2]
            it = iter(feeds)
            every = [next(it) if isinstance(v, tuple) else v for v in inputs if v is not None]
            ref = numpy_reference(name, op, every, opts)
            if ref is None:
                ref = index_reference(op, every, opts)
            if custom == "Convolution2DTransposeBias":
                # ArmNN runs no custom operator: TRANSPOSE_CONV without the bias, plus it.
                tc = OpModel(codes, "TRANSPOSE_CONV", [np.array(out_shapes[0][0], np.int32),
                                                       inputs[1], inputs[0]],
                             out_shapes, "TransposeConvOptions",
                             {"padding": "SAME", "stride_w": 2, "stride_h": 2})
                tc_path = os.path.join(tmp, name + "_tc.tflite")
                tflite_json.save(schema, tc.model, tc_path)
                ref = [run_armnn(armnn_ref, schema, tc_path, feeds)[0] + inputs[2]]
            if ref is None:
                try:
                    ref = run_armnn(armnn_ref, schema, path, feeds)
                except subprocess.CalledProcessError:
                    failed.append(name)
                    continue
            ref = [np.asarray(r).astype(t).reshape(s) for r, (s, t) in zip(ref, out_shapes)]
            write_case(out, name, path, feeds, ref)
        # RESHAPE to a computed shape, as Keras' Flatten converts: SHAPE, STRIDED_SLICE
        # (the batch), PACK with -1, RESHAPE.
        i32 = lambda *v: list(np.array(v, "<i4").tobytes())
        flatten = {
            "version": 3,
            "operator_codes": [{"deprecated_builtin_code": codes[n], "builtin_code": codes[n]}
                               for n in ("SHAPE", "STRIDED_SLICE", "PACK", "RESHAPE")],
            "buffers": [{}, {"data": i32(0)}, {"data": i32(1)}, {"data": i32(1)},
                        {"data": i32(-1)}],
            "subgraphs": [{
                "tensors": [
                    {"name": "x", "shape": [2, 3, 4], "type": "FLOAT32"},
                    {"name": "shape", "shape": [3], "type": "INT32"},
                    {"name": "begin", "shape": [1], "type": "INT32", "buffer": 1},
                    {"name": "end", "shape": [1], "type": "INT32", "buffer": 2},
                    {"name": "strides", "shape": [1], "type": "INT32", "buffer": 3},
                    {"name": "batch", "shape": [], "type": "INT32"},
                    {"name": "minus_one", "shape": [], "type": "INT32", "buffer": 4},
                    {"name": "new_shape", "shape": [2], "type": "INT32"},
                    {"name": "y", "shape": [2, 12], "type": "FLOAT32"}],
                "inputs": [0], "outputs": [8],
                "operators": [
                    {"opcode_index": 0, "inputs": [0], "outputs": [1],
                     "builtin_options_type": "ShapeOptions",
                     "builtin_options": {"out_type": "INT32"}},
                    {"opcode_index": 1, "inputs": [1, 2, 3, 4], "outputs": [5],
                     "builtin_options_type": "StridedSliceOptions",
                     "builtin_options": {"shrink_axis_mask": 1}},
                    {"opcode_index": 2, "inputs": [5, 6], "outputs": [7],
                     "builtin_options_type": "PackOptions",
                     "builtin_options": {"values_count": 2}},
                    {"opcode_index": 3, "inputs": [0, 7], "outputs": [8]}]}]}
        path = os.path.join(tmp, "reshape_computed_shape.tflite")
        tflite_json.save(schema, flatten, path)
        feed = rng.standard_normal((2, 3, 4)).astype(np.float32)
        write_case(out, "reshape_computed_shape", path, [feed], [feed.reshape(2, 12)])
        # UNIDIRECTIONAL_SEQUENCE_LSTM: the IR LSTM (no clip) and the unrolled form (clip).
        for clip, time_major in ((0.0, False), (0.5, True)):
            hidden, inp = 4, 3
            w = lambda *s: (rng.standard_normal(s) * 0.5).astype(np.float32)
            xs = (5, 2, inp) if time_major else (2, 5, inp)
            inputs = ([(xs, None)] + [w(hidden, inp) for _ in range(4)] +
                      [w(hidden, hidden) for _ in range(4)] + [None] * 3 +
                      [w(hidden) for _ in range(4)] + [None] * 2 +
                      [((2, hidden), "variable")] * 2 + [None] * 4)
            name = "lstm_clip" if clip else "lstm"
            m = OpModel(codes, "UNIDIRECTIONAL_SEQUENCE_LSTM", inputs,
                        [((xs[0], xs[1], hidden), np.float32)],
                        "UnidirectionalSequenceLSTMOptions",
                        {"fused_activation_function": "TANH", "cell_clip": clip,
                         "time_major": time_major})
            path = os.path.join(tmp, name + ".tflite")
            tflite_json.save(schema, m.model, path)
            feed = rng.standard_normal(xs).astype(np.float32) * 2
            write_case(out, name, path, [feed], lstm_reference(schema, path, feed))
    if failed:
        sys.exit("make_cases: no reference for " + ", ".join(failed))


# ---- a float LSTM model (tflite-micro's mnist_lstm), computed with numpy ----

def lstm_reference(schema, model_path, x):
    """Evaluates a model made of UNIDIRECTIONAL_SEQUENCE_LSTM (no projection, peepholes or
    layer norm), RESHAPE, FULLY_CONNECTED and SOFTMAX as TFLite's reference kernels do."""
    m = tflite_json.load(schema, model_path)
    sg = m["subgraphs"][0]
    tensors, buffers = sg["tensors"], m["buffers"]
    vals = {sg["inputs"][0]: x}

    def val(i):
        if i in vals:
            return vals[i]
        t = tensors[i]
        data = buffers[t.get("buffer", 0)].get("data")
        if data is None:
            return np.zeros(t["shape"], np.float32)
        return np.frombuffer(bytes(data), NP_TYPES[t.get("type", "FLOAT32")]).reshape(t["shape"])

    sig = lambda v: 1 / (1 + np.exp(-v))
    for op in sg["operators"]:
        code = tflite_json.opcode(m, op.get("opcode_index", 0))
        ins, o = op["inputs"], op.get("builtin_options", {})
        if code == 44:
            assert all(i < 0 for i in ins[9:12] + ins[16:18] + ins[20:])
            xs = val(ins[0])
            if not o.get("time_major", False):
                xs = xs.transpose(1, 0, 2)
            w = [val(i) for i in ins[1:5]]
            r = [val(i) for i in ins[5:9]]
            b = [val(i) for i in ins[12:16]]
            h, c = val(ins[18]).copy(), val(ins[19]).copy()
            clip = o.get("cell_clip", 0.0)
            ys = []
            for t in range(xs.shape[0]):
                g = [xs[t] @ w[k].T + h @ r[k].T + b[k] for k in range(4)]
                c = sig(g[1]) * c + sig(g[0]) * np.tanh(g[2])
                if clip > 0:
                    c = np.clip(c, -clip, clip)
                h = sig(g[3]) * np.tanh(c)
                ys.append(h)
            y = np.stack(ys)
            vals[op["outputs"][0]] = y if o.get("time_major", False) else y.transpose(1, 0, 2)
        elif code == 22:
            vals[op["outputs"][0]] = val(ins[0]).reshape(val(ins[1]))
        elif code == 9:
            a = val(ins[0])
            y = a.reshape(-1, val(ins[1]).shape[1]) @ val(ins[1]).T
            if len(ins) > 2 and ins[2] >= 0:
                y = y + val(ins[2])
            vals[op["outputs"][0]] = y
        elif code == 25:
            a = val(ins[0]) * o.get("beta", 1.0)
            e = np.exp(a - a.max(-1, keepdims=True))
            vals[op["outputs"][0]] = e / e.sum(-1, keepdims=True)
        else:
            raise SystemExit("lstm_reference: operator %d is not modelled" % code)
    return [vals[i].astype(np.float32) for i in sg["outputs"]]


# ---- malformed models ----

def make_bad(schema, good, out):
    os.makedirs(out, exist_ok=True)
    data = open(good, "rb").read()
    open(os.path.join(out, "truncated.tflite"), "wb").write(data[:len(data) // 2])
    codes = builtin_codes(schema)

    def variant(name, edit):
        m = tflite_json.load(schema, good)
        edit(m)
        tflite_json.save(schema, m, os.path.join(out, name + ".tflite"))

    def buffer_oob(m):
        sg = m["subgraphs"][0]
        sg["tensors"][sg["operators"][0]["inputs"][1]]["buffer"] = 9999

    def shape_mismatch(m):
        sg = m["subgraphs"][0]
        t = sg["tensors"][sg["operators"][0]["inputs"][1]]
        t["shape"] = [d + 1 for d in t["shape"]]

    def opcode_oob(m):
        m["operator_codes"][0] = {"deprecated_builtin_code": 127, "builtin_code": 250}

    def opcode_index_oob(m):
        m["subgraphs"][0]["operators"][0]["opcode_index"] = 77

    def tensor_oob(m):
        m["subgraphs"][0]["operators"][0]["inputs"][1] = 500

    def extra_subgraph(m):  # valid: a second subgraph, metadata and a signature def
        sg = dict(m["subgraphs"][0], name="unused")
        m["subgraphs"].append(sg)
        m["buffers"].append({"data": list(b"metadata")})
        m["metadata"] = [{"name": "halo_test", "buffer": len(m["buffers"]) - 1}]
        m["signature_defs"] = [{"signature_key": "serving_default", "subgraph_index": 0}]

    def huge_shape(m):
        sg = m["subgraphs"][0]
        sg["tensors"][sg["inputs"][0]]["shape"] = [65536, 65536, 65536]

    def old_version(m):
        m["version"] = 2

    def wrong_output_shape(m):
        sg = m["subgraphs"][0]
        sg["tensors"][sg["outputs"][0]]["shape"] = [1, 2]

    variant("schema_version_2", old_version)
    variant("wrong_output_shape", wrong_output_shape)
    variant("extra_subgraph", extra_subgraph)
    variant("huge_shape", huge_shape)
    variant("buffer_index_out_of_range", buffer_oob)
    variant("shape_disagrees_with_buffer", shape_mismatch)
    variant("operator_code_out_of_range", opcode_oob)
    variant("opcode_index_out_of_range", opcode_index_oob)
    variant("tensor_index_out_of_range", tensor_oob)
    assert codes["CUSTOM"] == 32


def main():
    cmd = sys.argv[1]
    if cmd == "ops":
        make_ops(*sys.argv[2:5])
    elif cmd == "model":
        schema, armnn_ref, out, name, path, lo, hi, ref = sys.argv[2:10]
        in_specs, _ = io_specs(tflite_json.load(schema, path))
        inputs = random_inputs(in_specs, float(lo), float(hi), 1)
        if ref == "numpy":
            expected = np_interp.run(schema, path, inputs)
        else:
            expected = run_armnn(armnn_ref, schema, path, inputs)
        if ref == "both":  # the numpy interpreter checked against ArmNN
            for k, (a, b) in enumerate(zip(expected, np_interp.run(schema, path, inputs))):
                err = np.abs(a - b).max() / max(np.abs(a).max(), 1e-30)
                print("%s: output %d: numpy vs ArmNN: max |diff| / max |ArmNN| %.2e" %
                      (name, k, err))
                if err > 1e-4:
                    sys.exit("make_cases: the numpy interpreter and ArmNN disagree")
        write_case(out, name, path, inputs, expected)
    elif cmd == "lstm":
        schema, out, name, path = sys.argv[2:6]
        in_specs, _ = io_specs(tflite_json.load(schema, path))
        inputs = random_inputs(in_specs, 0.0, 1.0, 1)
        write_case(out, name, path, inputs, lstm_reference(schema, path, inputs[0]))
    elif cmd == "bad":
        make_bad(*sys.argv[2:5])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
