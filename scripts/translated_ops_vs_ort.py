#!/usr/bin/python3
"""Runs one small model per op form that HALO translates itself (ONNX opsets 18 to 25, which
the ONNX library it builds with does not know, and ONNX Runtime's com.microsoft operators)
through `halo run` and ONNX Runtime, and prints max |halo - ORT| / max |ORT| for each
(non-finite entries must coincide).

Usage: scripts/translated_ops_vs_ort.py ORT_DIR [CASE...]
ORT_DIR holds node_modules/onnxruntime-node (bench/setup.sh ORT_DIR installs it). The models
and outputs go to build/translated-ops. Exits non-zero when a case fails or differs by more
than 1e-5."""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HALO = os.path.join(ROOT, "build", "bin", "halo")
WORK = os.path.join(ROOT, "build", "translated-ops")
RUNNER = r"""
const [, dir, model, spec, outdir] = process.argv;  // node -e: no script path
const ort = require(dir + '/node_modules/onnxruntime-node'); const fs = require('fs');
(async () => {
  const s = await ort.InferenceSession.create(model, {graphOptimizationLevel: 'disabled'});
  const arrays = {float32: Float32Array, int64: BigInt64Array, bool: Uint8Array,
                  uint8: Uint8Array, int8: Int8Array, int32: Int32Array};
  const feeds = {};
  for (const [k, v] of Object.entries(JSON.parse(fs.readFileSync(spec)))) {
    const b = fs.readFileSync(v.file);
    feeds[k] = new ort.Tensor(v.dtype, new arrays[v.dtype](
        b.buffer.slice(b.byteOffset, b.byteOffset + b.length)), v.dims);
  }
  const r = await s.run(feeds);
  fs.mkdirSync(outdir, {recursive: true});
  const meta = {};
  for (const k of s.outputNames) {
    fs.writeFileSync(`${outdir}/${k}.bin`, Buffer.from(r[k].data.buffer, r[k].data.byteOffset,
                                                       r[k].data.byteLength));
    meta[k] = {dims: r[k].dims, type: r[k].type};
  }
  fs.writeFileSync(`${outdir}/meta.json`, JSON.stringify(meta));
})().catch(e => { console.error(e.message); process.exit(1); });
"""
MS = "com.microsoft"
NAMES = {np.float32: "float32", np.int64: "int64", np.bool_: "bool", np.uint8: "uint8",
         np.int8: "int8", np.int32: "int32", np.int16: "int16", np.uint16: "uint16"}
ELEM = {np.float32: TensorProto.FLOAT, np.int64: TensorProto.INT64, np.bool_: TensorProto.BOOL,
        np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8, np.int32: TensorProto.INT32}


def run_case(ort_dir, name, opset, nodes, inputs, outputs, inits=(), out_types=None):
    """Returns the worst relative difference over the float `outputs` and the largest
    difference in units over the integer ones, or raises."""
    out_types = out_types or {}
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info(k, ELEM[v.dtype.type], v.shape)
                      for k, v in inputs.items()],
        [helper.make_tensor_value_info(o, out_types.get(o, TensorProto.FLOAT), None)
         for o in outputs],
        [a if isinstance(a, TensorProto) else numpy_helper.from_array(a, n) for n, a in inits])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset),
                                                    helper.make_opsetid(MS, 1)])
    model.ir_version = 10 if opset < 23 else 11
    d = os.path.join(WORK, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(model, path)
    spec, args = {}, []
    for k, v in inputs.items():
        v.tofile(f"{d}/{k}.bin")
        np.save(f"{d}/{k}.npy", v)
        spec[k] = {"file": f"{d}/{k}.bin", "dtype": NAMES[v.dtype.type], "dims": list(v.shape)}
        args += ["--input", f"{k}={d}/{k}.npy"]
    with open(f"{d}/spec.json", "w") as f:
        json.dump(spec, f)
    for cmd, who in ((["node", "-e", RUNNER, ort_dir, path, f"{d}/spec.json", f"{d}/ort"], "ORT"),
                     ([HALO, "run", path, *args, "--output-dir", f"{d}/halo"], "halo")):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"{who}: {r.stderr.strip()[-300:]}")
    with open(f"{d}/ort/meta.json") as f:
        meta = json.load(f)
    worst, units = 0.0, 0
    for o in outputs:
        dtype = np.dtype(meta[o]["type"])
        want = np.fromfile(f"{d}/ort/{o}.bin", dtype).reshape(meta[o]["dims"])
        got = np.load(f"{d}/halo/{o}.npy")
        if got.shape != want.shape or got.dtype != want.dtype:
            raise RuntimeError(f"{o}: {got.dtype}{got.shape}, ORT {want.dtype}{want.shape}")
        if dtype.kind in "iu":  # quantized: the difference in units
            units = max(units, int(np.abs(got.astype(np.int64) - want).max()))
            continue
        fin = np.isfinite(want)
        # ONNX Runtime masks with the lowest float where the definition says -inf.
        fin_got = np.isfinite(got) | (np.isneginf(got) & (want <= -3e38))
        if not np.array_equal(fin | (want <= -3e38), fin_got):
            raise RuntimeError(f"{o}: the non-finite entries differ")
        fin &= want > -3e38
        if fin.any():
            worst = max(worst, float(np.abs(got[fin] - want[fin].astype(np.float64)).max() /
                                     max(np.abs(want[fin]).max(), 1e-30)))
    return worst, units


def four_bit(name, signed, values, int32_data=False):
    """An INT4 (signed) or UINT4 initializer (IR 10; this onnx module predates the enum): two
    values a byte, the first in the low bits; in raw_data, or one byte per int32_data."""
    v = (np.asarray(values).reshape(-1).astype(np.int64) & 15).astype(np.uint8)
    v = np.append(v, np.zeros(v.size % 2, np.uint8))
    packed = v[0::2] | (v[1::2] << 4)
    t = TensorProto(name=name, data_type=22 if signed else 21, dims=np.shape(values))
    if int32_data:
        t.int32_data.extend(int(b) for b in packed)
    else:
        t.raw_data = packed.tobytes()
    return t


def cases(rng):
    """(name, opset, nodes, inputs, outputs, initializers[, output types]) of each case."""
    def f32(*s):
        return rng.standard_normal(s).astype(np.float32)
    n = helper.make_node
    b, s, length, hq, hkv, d = 2, 4, 6, 4, 2, 8
    qkv4 = {"q": f32(b, hq, s, d), "k": f32(b, hq, length, d), "v": f32(b, hq, length, d)}
    pos = rng.integers(0, 10, (b, 5)).astype(np.int64)
    yield ("rmsnorm_last", 23, [n("RMSNormalization", ["x", "s"], ["y"], epsilon=1e-6)],
           {"x": f32(2, 5, 16), "s": f32(16)}, ["y"], ())
    yield ("rmsnorm_axis1", 23, [n("RMSNormalization", ["x", "s"], ["y"], axis=1)],
           {"x": f32(2, 3, 4), "s": f32(3, 4)}, ["y"], ())
    yield ("groupnorm21", 21, [n("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=3,
                                 epsilon=1e-4)],
           {"x": f32(2, 6, 4, 5), "s": f32(6), "b": f32(6)}, ["y"], ())
    yield ("groupnorm18", 18, [n("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=3)],
           {"x": f32(2, 6, 4, 5), "s": f32(3), "b": f32(3)}, ["y"], ())
    yield ("swish24", 24, [n("Swish", ["x"], ["y"], alpha=1.7)], {"x": f32(3, 7)}, ["y"], ())
    cache4, upd4 = f32(2, 3, 6, 4), f32(2, 3, 2, 4)
    yield ("tensor_scatter_linear", 24, [n("TensorScatter", ["c", "u", "w"], ["y"])],
           {"c": cache4, "u": upd4, "w": np.array([1, 4], np.int64)}, ["y"], ())
    yield ("tensor_scatter_circular", 24,
           [n("TensorScatter", ["c", "u", "w"], ["y"], mode="circular")],
           {"c": cache4, "u": upd4, "w": np.array([5, 3], np.int64)}, ["y"], ())
    yield ("tensor_scatter_axis1_no_indices", 24,
           [n("TensorScatter", ["c", "u"], ["y"], axis=1)],
           {"c": f32(2, 5, 3, 2), "u": f32(2, 2, 3, 2)}, ["y"], ())
    # Opset 24's in-place KV cache: TensorScatter writes the step, Attention reads the valid
    # rows (nonpad_kv_seqlen).
    yield ("tensor_scatter_attention_cache", 24,
           [n("TensorScatter", ["pk", "k", "w"], ["ck"]),
            n("TensorScatter", ["pv", "v", "w"], ["cv"]),
            n("Add", ["w", "one"], ["valid"]),
            n("Attention", ["q", "ck", "cv", "", "", "", "valid"], ["y"], is_causal=1)],
           {"q": f32(2, 4, 1, 8), "k": f32(2, 2, 1, 8), "v": f32(2, 2, 1, 8),
            "pk": f32(2, 2, 6, 8), "pv": f32(2, 2, 6, 8), "w": np.array([3, 1], np.int64)},
           ["y", "ck", "cv"], [("one", np.array(1, np.int64))])
    for i in (0, 1):
        yield (f"rope_4d_pos_interleaved{i}", 23,
               [n("RotaryEmbedding", ["x", "c", "s", "p"], ["y"], interleaved=i)],
               {"x": f32(b, 3, 5, d), "c": f32(10, d // 2), "s": f32(10, d // 2), "p": pos},
               ["y"], ())
        yield (f"rope_3d_partial_interleaved{i}", 23,
               [n("RotaryEmbedding", ["x", "c", "s"], ["y"], interleaved=i, num_heads=3,
                  rotary_embedding_dim=4)],
               {"x": f32(b, 5, 3 * d), "c": f32(b, 5, 2), "s": f32(b, 5, 2)}, ["y"], ())
    yield ("attention_4d", 23, [n("Attention", ["q", "k", "v"], ["y"])], qkv4, ["y"], ())
    yield ("attention_3d_gqa_causal", 23,
           [n("Attention", ["q", "k", "v"], ["y"], q_num_heads=hq, kv_num_heads=hkv,
              is_causal=1)],
           {"q": f32(b, s, hq * d), "k": f32(b, s, hkv * d), "v": f32(b, s, hkv * 5)}, ["y"], ())
    yield ("attention_cache_causal_scale", 23,
           [n("Attention", ["q", "k", "v", "", "pk", "pv"], ["y", "pk_out", "pv_out"],
              is_causal=1, scale=0.3)],
           {"q": f32(b, hq, s, d), "k": f32(b, hkv, s, d), "v": f32(b, hkv, s, d),
            "pk": f32(b, hkv, 3, d), "pv": f32(b, hkv, 3, d)}, ["y", "pk_out", "pv_out"], ())
    yield ("attention_bool_mask", 23, [n("Attention", ["q", "k", "v", "m"], ["y"])],
           dict(qkv4, m=np.concatenate([np.ones((s, 2), bool), rng.random((s, length - 2)) > 0.3],
                                       1)), ["y"], ())
    yield ("attention_float_mask_softcap_mode3", 23,
           [n("Attention", ["q", "k", "v", "m"], ["y", "", "", "qk"], softcap=2.0,
              qk_matmul_output_mode=3)], dict(qkv4, m=f32(b, 1, s, length)), ["y", "qk"], ())
    for mode in (0, 1, 2):
        yield (f"attention_qk_mode{mode}", 23,
               [n("Attention", ["q", "k", "v", "m"], ["y", "", "", "qk"],
                  qk_matmul_output_mode=mode, is_causal=1)],
               dict(qkv4, m=f32(s, length)), ["y", "qk"], ())
    nonpad = np.array([6, 4], np.int64)
    for causal in (0, 1):
        yield (f"attention24_nonpad_causal{causal}", 24,
               [n("Attention", ["q", "k", "v", "", "", "", "np"], ["y"], is_causal=causal)],
               dict(qkv4, np=nonpad), ["y"], ())
    i64 = lambda *v: np.array(v, np.int64)  # noqa: E731
    yield ("center_crop_pad", 18, [n("CenterCropPad", ["x", "sh"], ["y"])],
           {"x": f32(5, 4, 7)}, ["y"], [("sh", i64(2, 7, 4))])
    yield ("center_crop_pad_axes", 18, [n("CenterCropPad", ["x", "sh"], ["y"], axes=[-1, 0])],
           {"x": f32(5, 4, 7)}, ["y"], [("sh", i64(10, 3))])
    for align in (0, 1):
        yield (f"affine_grid_2d_align{align}", 20,
               [n("AffineGrid", ["t", "sz"], ["y"], align_corners=align)],
               {"t": f32(2, 2, 3)}, ["y"], [("sz", i64(2, 3, 4, 5))])
        yield (f"affine_grid_3d_align{align}", 20,
               [n("AffineGrid", ["t", "sz"], ["y"], align_corners=align)],
               {"t": f32(2, 3, 4)}, ["y"], [("sz", i64(2, 1, 3, 4, 2))])
    yield ("col2im", 18, [n("Col2Im", ["x", "img", "blk"], ["y"])],
           {"x": f32(2, 3 * 4, 12)}, ["y"], [("img", i64(4, 5)), ("blk", i64(2, 2))])
    yield ("col2im_strides_pads_dilations", 18,
           [n("Col2Im", ["x", "img", "blk"], ["y"], strides=[2, 3], pads=[1, 0, 2, 1],
              dilations=[1, 2])],
           {"x": f32(1, 2 * 6, 5 * 1)}, ["y"], [("img", i64(7, 6)), ("blk", i64(2, 3))])
    i32s = rng.integers(-2**31, 2**31 - 1, (3, 4)).astype(np.int32)
    yield ("bitwise18", 18,
           [n("BitwiseAnd", ["a", "b"], ["band"]), n("BitwiseOr", ["a", "b"], ["bor"]),
            n("BitwiseXor", ["a", "b"], ["bxor"]), n("BitwiseNot", ["a"], ["bnot"]),
            n("BitwiseAnd", ["u", "v"], ["uand"]), n("BitwiseNot", ["u"], ["unot"])],
           {"a": i32s, "b": rng.integers(-2**31, 2**31 - 1, (4,)).astype(np.int32),
            "u": rng.integers(0, 256, (2, 5)).astype(np.uint8),
            "v": rng.integers(0, 256, (2, 1)).astype(np.uint8)},
           ["band", "bor", "bxor", "bnot", "uand", "unot"], (),
           {"band": TensorProto.INT32, "bor": TensorProto.INT32, "bxor": TensorProto.INT32,
            "bnot": TensorProto.INT32, "uand": TensorProto.UINT8, "unot": TensorProto.UINT8})

    yield ("deform_conv19", 19,
           [n("DeformConv", ["x", "w", "off", "b", "m"], ["y"], pads=[1, 0, 1, 2],
              strides=[2, 1], dilations=[1, 2], group=2, offset_group=2),
            n("DeformConv", ["x", "w1", "off1"], ["y1"])],
           {"x": f32(2, 4, 7, 6), "off": f32(2, 2 * 3 * 2 * 2, 4, 6),
            "m": rng.random((2, 2 * 3 * 2, 4, 6)).astype(np.float32),
            "off1": (f32(2, 2 * 2 * 2, 6, 5) * 2).astype(np.float32)}, ["y", "y1"],
           [("w", f32(6, 2, 3, 2)), ("b", f32(6)), ("w1", f32(3, 4, 2, 2))])

    def ms(op, ins, outs, **attrs):
        return n(op, ins, outs, domain=MS, **attrs)
    h = f32(2, 5, 16)
    yield ("ms_gelus", 17,
           [ms("Gelu", ["x"], ["a"]), ms("FastGelu", ["x", "b"], ["c"]),
            ms("FastGelu", ["x"], ["c2"]), ms("BiasGelu", ["x", "b"], ["d"]),
            ms("QuickGelu", ["x"], ["e"]), ms("QuickGelu", ["x"], ["e2"], alpha=1.0)],
           {"x": h, "b": f32(16)}, ["a", "c", "c2", "d", "e", "e2"], ())
    yield ("ms_skip_layer_norm", 17,
           [ms("SkipLayerNormalization", ["x", "s", "g", "be", "bi"], ["y", "", "", "sum"],
               epsilon=1e-5)],
           {"x": h, "s": f32(2, 5, 16), "g": f32(16), "be": f32(16), "bi": f32(16)},
           ["y", "sum"], ())
    yield ("ms_skip_layer_norm_plain", 17,
           [ms("SkipLayerNormalization", ["x", "s", "g"], ["y"])],
           {"x": h, "s": f32(2, 5, 16), "g": f32(16)}, ["y"], ())
    yield ("ms_skip_simplified_layer_norm", 17,
           [ms("SkipSimplifiedLayerNormalization", ["x", "s", "g", "bi"], ["y", "", "", "sum"],
               epsilon=1e-6)],
           {"x": h, "s": f32(2, 5, 16), "g": f32(16), "bi": f32(16)}, ["y", "sum"], ())
    for inter in (0, 1):
        yield (f"ms_rotary_embedding_interleaved{inter}", 17,
               [ms("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], interleaved=inter),
                ms("RotaryEmbedding", ["x", "p1", "c", "s"], ["y1"], interleaved=inter),
                ms("RotaryEmbedding", ["x4", "p", "c", "s"], ["y4"], interleaved=inter)],
               {"x": f32(2, 5, 3 * d), "x4": f32(2, 3, 5, d), "p": pos,
                "p1": np.array([3], np.int64)}, ["y", "y1", "y4"],
               [("c", f32(10, d // 2)), ("s", f32(10, d // 2))])
    yield ("ort_simplified_layer_norm", 17,
           [n("SimplifiedLayerNormalization", ["x", "g"], ["y"], epsilon=1e-6)],
           {"x": h, "g": f32(16)}, ["y"], ())
    yield ("ms_fused_matmul", 17,
           [ms("FusedMatMul", ["a", "b"], ["y"], alpha=0.5, transA=1, transB=1)],
           {"a": f32(3, 4, 5), "b": f32(3, 6, 4)}, ["y"], ())
    yield ("ms_fused_conv_gemm", 17,
           [ms("FusedConv", ["x", "w", "cb", "z"], ["y"], activation="LeakyRelu",
               activation_params=[0.2], pads=[1, 1, 1, 1], strides=[2, 2]),
            ms("FusedConv", ["x", "w"], ["y2"], activation="Clip",
               activation_params=[-0.5, 0.5]),
            ms("FusedGemm", ["a", "gb", "gc"], ["g"], activation="HardSigmoid",
               activation_alpha=0.3, activation_beta=0.4, transB=1, alpha=0.7)],
           {"x": f32(1, 3, 7, 7), "w": f32(4, 3, 3, 3), "cb": f32(4), "z": f32(1, 4, 4, 4),
            "a": f32(3, 5), "gb": f32(6, 5), "gc": f32(6)}, ["y", "y2", "g"], ())
    u8 = lambda *s: rng.integers(0, 256, s).astype(np.uint8)  # noqa: E731
    s8 = lambda *s: rng.integers(-128, 128, s).astype(np.int8)  # noqa: E731
    f = np.float32
    U8, S8 = TensorProto.UINT8, TensorProto.INT8
    scales = [("sa", f(0.05)), ("sb", f(0.02)), ("sc", f(0.07)), ("za", np.uint8(120)),
              ("zb", np.uint8(130)), ("zc", np.uint8(128)), ("ia", np.int8(-3)),
              ("ib", np.int8(5)), ("ic", np.int8(0))]
    yield ("ms_qlinear_add_mul", 17,
           [ms("QLinearAdd", ["a", "sa", "za", "b", "sb", "zb", "sc", "zc"], ["y"]),
            ms("QLinearMul", ["a8", "sa", "ia", "b8", "sb", "ib", "sc", "ic"], ["y8"])],
           {"a": u8(2, 3, 4), "b": u8(4), "a8": s8(2, 3, 4), "b8": s8(3, 1)}, ["y", "y8"],
           scales, {"y": U8, "y8": S8})
    yield ("ms_qlinear_sigmoid_leakyrelu", 17,
           [ms("QLinearSigmoid", ["a", "sa", "za", "sc", "zc"], ["y"]),
            ms("QLinearLeakyRelu", ["a8", "sa", "ia", "sc", "ic"], ["y8"], alpha=0.1)],
           {"a": u8(2, 3, 4), "a8": s8(2, 3, 4)}, ["y", "y8"], scales, {"y": U8, "y8": S8})
    yield ("ms_qlinear_pools", 17,
           [ms("QLinearGlobalAveragePool", ["x", "sa", "za", "sc", "zc"], ["g"]),
            ms("QLinearGlobalAveragePool", ["x", "sa", "za", "sc", "zc"], ["gl"],
               channels_last=1),
            ms("QLinearAveragePool", ["x", "sa", "za", "sc", "zc"], ["p"], kernel_shape=[3, 3],
               strides=[2, 2], pads=[1, 1, 1, 1])],
           {"x": u8(2, 3, 7, 6)}, ["g", "gl", "p"], scales, {"g": U8, "gl": U8, "p": U8})
    yield ("ms_qlinear_concat", 17,
           [ms("QLinearConcat", ["sc", "zc", "a", "sa", "za", "b", "sb", "zb"], ["y"], axis=-1)],
           {"a": u8(2, 3, 4), "b": u8(2, 3, 2)}, ["y"], scales, {"y": U8})
    qg = [("gb", s8(5, 4)), ("gs", (rng.random(4) * 0.05 + 0.01).astype(f)),
          ("gz", np.zeros(4, np.int8)), ("gc", rng.integers(-500, 500, 4).astype(np.int32))]
    yield ("ms_qgemm", 17,
           [ms("QGemm", ["a", "sa", "za", "gb", "gs", "gz", "gc"], ["y"], alpha=0.5),
            ms("QGemm", ["a", "sa", "za", "gb", "gs", "gz", "gc", "sc", "zc"], ["yq"])],
           {"a": u8(3, 5)}, ["y", "yq"], scales + qg, {"yq": U8})
    yield ("ms_dynamic_quantize_matmul", 17,
           [ms("DynamicQuantizeMatMul", ["a", "w", "ws", "", "bias"], ["y"])],
           {"a": f32(2, 3, 8)}, ["y"],
           [("w", s8(8, 6)), ("ws", (rng.random(6) * 0.05 + 0.01).astype(f)),
            ("bias", f32(6))])
    yield ("ms_matmul_integer_to_float", 17,
           [ms("MatMulIntegerToFloat", ["a", "w", "sa", "ws", "za", "", "bias"], ["y"])],
           {"a": u8(3, 8)}, ["y"],
           scales + [("w", s8(8, 5)), ("ws", (rng.random(5) * 0.05).astype(f)),
                     ("bias", f32(5))])
    # The last two: 4 bits in blocks of 32 and 64, HALO's SIMD kernels (dot products, rows one
    # by one and in blocks of rows and columns; the wide kernel from 16 rows), K not a
    # multiple of the block.
    for name, bits, k, nn, block, rows in (("4", 4, 40, 6, 16, 3), ("8", 8, 40, 6, 16, 3),
                                           ("4_block32", 4, 200, 37, 32, 9),
                                           ("4_block64", 4, 300, 9, 64, 45)):
        blocks = (k + block - 1) // block
        packed = u8(nn, blocks, block * bits // 8)
        zp = u8(nn, (blocks * bits + 7) // 8)
        sc = (rng.random((nn, blocks)) * 0.1).astype(f)
        yield (f"ms_matmul_nbits{name}", 17,
               [ms("MatMulNBits", ["a", "b", "s", "z"], ["y"], K=k, N=nn, bits=bits,
                   block_size=block),
                ms("MatMulNBits", ["a", "b", "s", "", "", "bias"], ["y2"], K=k, N=nn,
                   bits=bits, block_size=block)],
               {"a": f32(2, rows, k)}, ["y", "y2"],
               [("b", packed), ("s", sc), ("z", zp), ("bias", f32(nn))])
    i32 = lambda *v: np.array(v, np.int32)  # noqa: E731
    nh, hs, di = 2, 4, 6
    dd = nh * hs
    attn_w = [("w", f32(di, 3 * dd)), ("wb", f32(3 * dd))]
    raw_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], np.int32)
    ids2 = np.array([[3, 0, 7], [7, 1, 2]], np.int64)
    yield ("ms_gather_block_quantized_uint8_4bit", 17,
           [ms("GatherBlockQuantized", ["t", "ids", "sc", "zp"], ["y"], block_size=16,
               bits=4)], {"ids": ids2}, ["y"],
           [("t", rng.integers(0, 256, (8, 20), dtype=np.uint8)),
            ("sc", rng.uniform(0.01, 0.1, (8, 3)).astype(np.float32)),
            ("zp", rng.integers(0, 256, (8, 2), dtype=np.uint8))])
    yield ("ms_gather_block_quantized_uint8_8bit", 17,
           [ms("GatherBlockQuantized", ["t", "ids", "sc"], ["y"], block_size=16, bits=8,
               quantize_axis=1)], {"ids": ids2.astype(np.int32)}, ["y"],
           [("t", rng.integers(0, 256, (8, 40), dtype=np.uint8)),
            ("sc", rng.uniform(0.01, 0.1, (8, 3)).astype(np.float32))])
    yield ("ms_gather_block_quantized_uint8_4bit_rank3", 17,
           [ms("GatherBlockQuantized", ["t", "ids", "sc", "zp"], ["y"], block_size=16,
               bits=4, quantize_axis=2)], {"ids": np.array([[3, 0], [-1, 2]], np.int64)}, ["y"],
           [("t", rng.integers(0, 256, (4, 3, 20), dtype=np.uint8)),
            ("sc", rng.uniform(0.01, 0.1, (4, 3, 3)).astype(np.float32)),
            ("zp", rng.integers(0, 256, (4, 3, 2), dtype=np.uint8))])
    i4t = rng.integers(-8, 8, (32, 6))
    yield ("ms_gather_block_quantized_int4_axes", 17,
           [ms("GatherBlockQuantized", ["t", "ids", "sc", "zp"], ["y"], block_size=16,
               gather_axis=1, quantize_axis=0)], {"ids": np.array([5, 0, 2], np.int64)}, ["y"],
           [("t", four_bit("t", True, i4t)), ("zp", four_bit("zp", True, i4t[:2] // 3)),
            ("sc", rng.uniform(0.01, 0.1, (2, 6)).astype(np.float32))])
    yield ("ms_gather_block_quantized_uint4", 17,
           [ms("GatherBlockQuantized", ["t", "ids", "sc"], ["y"], block_size=16)],
           {"ids": ids2}, ["y"],
           [("t", four_bit("t", False, rng.integers(0, 16, (8, 20)))),
            ("sc", rng.uniform(0.01, 0.1, (8, 2)).astype(np.float32))])
    yield ("ms_quantize_dequantize_int16", 17,
           [ms("QuantizeLinear", ["x", "sc", "zp"], ["q"]),
            ms("DequantizeLinear", ["q", "sc", "zp"], ["y"])],
           {"x": f32(3, 4)}, ["q", "y"],
           [("sc", np.float32(0.0003)), ("zp", np.int16(-40))], {"q": TensorProto.INT16})
    yield ("ms_quantize_dequantize_uint16_per_axis", 17,
           [ms("QuantizeLinear", ["x", "sc", "zp"], ["q"], axis=1),
            ms("DequantizeLinear", ["q", "sc"], ["y"], axis=1)],
           {"x": f32(2, 3, 4)}, ["q", "y"],
           [("sc", np.array([0.001, 0.002, 0.0005], np.float32)),
            ("zp", np.array([30000, 32768, 100], np.uint16))], {"q": TensorProto.UINT16})
    yield ("ms_attention_raw_mask", 17,
           [ms("Attention", ["x", "w", "wb", "m"], ["y"], num_heads=nh)],
           {"x": f32(2, 5, di), "m": raw_mask}, ["y"], attn_w)
    yield ("ms_attention_lengths_causal_bias", 17,
           [ms("Attention", ["x", "w", "wb", "m", "", "ab"], ["y"], num_heads=nh,
               unidirectional=1, scale=0.3)],
           {"x": f32(2, 5, di), "m": i32(3, 5), "ab": f32(1, nh, 5, 5)}, ["y"], attn_w)
    yield ("ms_attention_left_padding", 17,
           [ms("Attention", ["x", "w", "wb", "m"], ["y"], num_heads=nh)],
           {"x": f32(2, 5, di), "m": i32(5, 4, 2, 0)}, ["y"], attn_w)
    yield ("ms_attention_past", 17,
           [ms("Attention", ["x", "w", "wb", "m", "past"], ["y", "present"], num_heads=nh,
               unidirectional=1)],
           {"x": f32(2, 3, di), "m": np.ones((2, 7), np.int32), "past": f32(2, 2, nh, 4, hs)},
           ["y", "present"], attn_w)
    qx = rng.integers(0, 256, (2, 5, di), dtype=np.uint8)
    yield ("ms_qattention_per_column", 17,
           [ms("QAttention", ["x", "w", "wb", "xs", "ws", "m", "xz", "wz"], ["y"],
               num_heads=nh)], {"x": qx, "m": raw_mask}, ["y"],
           [("w", rng.integers(-128, 128, (di, 3 * dd), dtype=np.int8)), ("wb", f32(3 * dd)),
            ("xs", np.float32(0.02)), ("ws", rng.uniform(0.001, 0.01, 3 * dd).astype(np.float32)),
            ("xz", np.uint8(120)), ("wz", rng.integers(-3, 3, 3 * dd, dtype=np.int8))])
    yield ("ms_qattention_past_causal", 17,
           [ms("QAttention", ["x", "w", "wb", "xs", "ws", "m", "xz", "wz", "past"],
               ["y", "present"], num_heads=nh, unidirectional=1)],
           {"x": qx[:, :3], "m": np.ones((2, 7), np.int32), "past": f32(2, 2, nh, 4, hs)},
           ["y", "present"],
           [("w", rng.integers(0, 256, (di, 3 * dd), dtype=np.uint8)), ("wb", f32(3 * dd)),
            ("xs", np.float32(0.02)), ("ws", np.float32(0.004)), ("xz", np.uint8(128)),
            ("wz", np.uint8(127))])
    yield ("ms_multihead_attention", 17,
           [ms("MultiHeadAttention", ["q", "k", "v", "b", "m", "", "pk", "pv"],
               ["y", "ok", "ov", "qk"], num_heads=nh, unidirectional=1)],
           {"q": f32(2, 3, dd), "k": f32(2, 3, dd), "v": f32(2, 3, dd), "b": f32(3 * dd),
            "m": np.array([[1] * 5, [1, 1, 1, 1, 0]], np.int32), "pk": f32(2, nh, 2, hs),
            "pv": f32(2, nh, 2, hs)}, ["y", "ok", "ov", "qk"], ())
    yield ("ms_multihead_attention_cross", 17,
           [ms("MultiHeadAttention", ["q", "k", "v"], ["y"], num_heads=nh, scale=0.5)],
           {"q": f32(2, 3, dd), "k": f32(2, nh, 6, hs), "v": f32(2, nh, 6, hs)}, ["y"], ())
    emb = [("we", f32(20, 8)), ("pe", f32(16, 8)), ("se", f32(2, 8)), ("ga", f32(8)),
           ("be", f32(8))]
    ids = rng.integers(0, 20, (2, 5)).astype(np.int32)
    yield ("ms_embed_layer_norm", 17,
           [ms("EmbedLayerNormalization", ["ids", "seg", "we", "pe", "se", "ga", "be", "m"],
               ["y", "mi", "sum"])],
           {"ids": ids, "seg": (ids % 2).astype(np.int32),
            "m": np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], np.int32)}, ["y", "mi", "sum"],
           emb, {"mi": TensorProto.INT32})
    yield ("ms_embed_layer_norm_positions", 17,
           [ms("EmbedLayerNormalization", ["ids", "", "we", "pe", "", "ga", "be", "", "pos"],
               ["y", "mi"], epsilon=1e-5)],
           {"ids": ids, "pos": rng.integers(0, 16, (1, 5)).astype(np.int32)}, ["y", "mi"], emb,
           {"mi": TensorProto.INT32})
    i4, u4 = rng.integers(-8, 8, (64, 5)), rng.integers(0, 16, (5, 40))
    yield ("dequantize_int4_blocked_matmul", 21,
           [n("DequantizeLinear", ["w", "sc", "zp"], ["wd"], axis=0, block_size=32),
            n("MatMul", ["x", "wd"], ["y"])],
           {"x": f32(3, 64)}, ["y"],
           [("w", four_bit("w", True, i4)), ("zp", four_bit("zp", True, i4[:2] // 2)),
            ("sc", rng.uniform(0.01, 0.1, (2, 5)).astype(np.float32))])
    yield ("dequantize_uint4_blocked_partial_axis1", 21,
           [n("DequantizeLinear", ["w", "sc"], ["y"], axis=1, block_size=16)],
           {}, ["y"], [("w", four_bit("w", False, u4)),
                       ("sc", rng.uniform(0.01, 0.1, (5, 3)).astype(np.float32))])
    yield ("dequantize_int4_per_axis_int32_data", 21,
           [n("DequantizeLinear", ["w", "sc", "zp"], ["y"], axis=1)],
           {}, ["y"], [("w", four_bit("w", True, i4[:3], int32_data=True)),
                       ("zp", four_bit("zp", True, i4[3], int32_data=True)),
                       ("sc", rng.uniform(0.01, 0.1, 5).astype(np.float32))])
    yield ("dequantize_int8_blocked", 21,
           [n("DequantizeLinear", ["x", "sc", "zp"], ["y"], axis=1, block_size=4)],
           {"x": rng.integers(-128, 128, (4, 10)).astype(np.int8)}, ["y"],
           [("sc", rng.uniform(0.01, 0.1, (4, 3)).astype(np.float32)),
            ("zp", rng.integers(-5, 5, (4, 3)).astype(np.int8))])
    yield ("quantize_int8_blocked", 21,
           [n("QuantizeLinear", ["x", "sc", "zp"], ["q"], axis=0, block_size=4)],
           {"x": (f32(6, 8) * 3).astype(np.float32)}, ["q"],
           [("sc", rng.uniform(0.01, 0.05, (2, 8)).astype(np.float32)),
            ("zp", rng.integers(-5, 5, (2, 8)).astype(np.int8))], {"q": TensorProto.INT8})
    yield ("quantize_uint8_blocked_output_dtype", 21,
           [n("QuantizeLinear", ["x", "sc"], ["q"], axis=1, block_size=3,
              output_dtype=TensorProto.UINT8)],
           {"x": (f32(2, 7) * 3).astype(np.float32)}, ["q"],
           [("sc", rng.uniform(0.01, 0.05, (2, 3)).astype(np.float32))], {"q": TensorProto.UINT8})
    for mode, pad in (("bilinear", "zeros"), ("nearest", "border"), ("bicubic", "reflection")):
        yield (f"ms_grid_sample_{mode}", 17,
               [ms("GridSample", ["x", "g"], ["y"], mode=mode, padding_mode=pad,
                   align_corners=int(mode == "nearest"))],
               {"x": f32(2, 3, 5, 6), "g": (f32(2, 4, 7, 2) * 0.8).astype(np.float32)},
               ["y"], ())
    yield ("ms_qlinear_where", 17,
           [ms("QLinearWhere", ["c", "x", "xs", "xz", "y", "ys", "yz", "zs", "zz"], ["z"])],
           {"c": rng.random((3, 1)) > 0.5, "x": rng.integers(0, 256, (3, 4), dtype=np.uint8),
            "y": rng.integers(0, 256, (1, 4), dtype=np.uint8)}, ["z"],
           [("xs", np.float32(0.05)), ("xz", np.uint8(100)), ("ys", np.float32(0.11)),
            ("yz", np.uint8(3)), ("zs", np.float32(0.08)), ("zz", np.uint8(128))],
           {"z": TensorProto.UINT8})
    for name, dtype, opset_attr, axis, ysc, yzp in (
            ("uint8_13", np.uint8, 13, -1, 1 / 256, 0), ("uint8_12_flatten", np.uint8, 12, 1,
                                                          1 / 255, 0),
            ("int8_13_axis1", np.int8, 13, 1, 1 / 256, -128)):
        info = np.iinfo(dtype)
        yield (f"ms_qlinear_softmax_{name}", 17,
               [ms("QLinearSoftmax", ["x", "xs", "xz", "ys", "yz"], ["y"], opset=opset_attr,
                   axis=axis)],
               {"x": rng.integers(info.min, info.max + 1, (2, 3, 6), dtype=dtype)}, ["y"],
               [("xs", np.float32(0.03)), ("xz", dtype(info.min + 50)),
                ("ys", np.float32(ysc)), ("yz", dtype(yzp))],
               {"y": TensorProto.UINT8 if dtype == np.uint8 else TensorProto.INT8})
    qemb = [("we", rng.integers(-128, 128, (20, 8), dtype=np.int8)),
            ("pe", rng.integers(-128, 128, (16, 8), dtype=np.int8)),
            ("se", rng.integers(-128, 128, (2, 8), dtype=np.int8)),
            ("ga", rng.integers(-128, 128, 8, dtype=np.int8)),
            ("be", rng.integers(-128, 128, 8, dtype=np.int8))]
    qemb += [(f"{k}_s", np.float32(0.01 * (i + 1))) for i, (k, _) in enumerate(qemb[:5])]
    qemb += [(f"{k}_z", np.int8(i - 2)) for i, (k, _) in enumerate(qemb[:5])]
    names = ["we", "pe", "se", "ga", "be"]
    yield ("ms_qembed_layer_norm", 17,
           [ms("QEmbedLayerNormalization",
               ["ids", "seg", *names, "m", *[f"{k}_s" for k in names],
                *[f"{k}_z" for k in names]], ["y", "mi"])],
           {"ids": ids, "seg": (ids % 2).astype(np.int32),
            "m": np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], np.int32)}, ["y", "mi"], qemb,
           {"mi": TensorProto.INT32})
    yield ("quantize21_output_dtype", 21,
           [n("QuantizeLinear", ["x", "sc"], ["q"], output_dtype=TensorProto.INT8),
            n("DequantizeLinear", ["q", "sc"], ["y"])],
           {"x": f32(3, 4)}, ["y"], [("sc", np.float32(0.05))])


def gqa_cases(rng):
    """com.microsoft.GroupQueryAttention (ONNX Runtime's CPU kernel): prompts, decoding steps
    of padded batches, caches longer than the total, rotary, windows, sinks, biases. First
    prompts have no padding here: ONNX Runtime leaves the padding queries' results undefined."""
    def f32(*s):
        return rng.standard_normal(s).astype(np.float32)
    n_heads, kv = 4, 2

    def case(name, s, past, seqlens, total, h=8, packed=False, extra=(),
             outs=("y", "pk_o", "pv_o"), **attrs):
        b = len(seqlens)
        ins = {"q": f32(b, s, (n_heads + (2 * kv if packed else 0)) * h)}
        names = ["q", "", ""]
        if not packed:
            ins.update(k=f32(b, s, kv * h), v=f32(b, s, kv * h))
            names[1:] = ["k", "v"]
        names += ["pk", "pv"] if past else ["", ""]
        if past:
            ins.update(pk=f32(b, kv, past, h), pv=f32(b, kv, past, h))
        ins["sl"] = np.array(seqlens, np.int32)
        names += ["sl", "tl"]
        for k, v in extra:
            names.append(k if v is not None else "")
            if v is not None:
                ins[k] = v
        node = helper.make_node("GroupQueryAttention", names, list(outs), domain=MS,
                                num_heads=n_heads, kv_num_heads=kv, **attrs)
        return (name, 17, [node], ins, list(outs), [("tl", np.array(total, np.int32))])
    yield case("gqa_prompt", 4, 0, [3, 3], 4)
    yield case("gqa_prompt_cache_buffer", 4, 6, [3, 3], 4)
    yield case("gqa_decode_padded", 1, 5, [5, 3], 6)
    yield case("gqa_decode_cache_buffer", 1, 8, [5, 2], 6)
    yield case("gqa_subsequent_prompt", 3, 5, [6], 7)
    yield case("gqa_packed_decode", 1, 5, [5, 4], 6, packed=True)
    yield case("gqa_window_prompt", 5, 0, [4, 4], 5, local_window_size=2)
    yield case("gqa_window_decode", 1, 6, [6, 3], 7, local_window_size=3)
    yield case("gqa_softcap_smooth", 1, 5, [5, 2], 6, softcap=3.0, smooth_softmax=1, scale=0.2)
    none3 = [("c", None), ("s", None), ("pid", None)]
    yield case("gqa_sink_bias", 3, 0, [2, 2], 3,
               extra=none3 + [("ab", f32(2, 1, 3, 3)), ("hs", f32(n_heads))])
    yield case("gqa_decode_bias_sink", 1, 4, [4, 3], 5,
               extra=none3 + [("ab", f32(1, n_heads, 1, 5)), ("hs", f32(n_heads))])
    for m in (1, 2):
        yield case(f"gqa_output_qk{m}", 3, 0, [2, 2], 3, outs=("y", "pk_o", "pv_o", "qk"),
                   qk_output=m)
    cs = [("c", f32(16, 8)), ("s", f32(16, 8))]
    for i in (0, 1):
        yield case(f"gqa_rotary_prompt{i}", 4, 0, [3, 3], 4, h=16, extra=cs, do_rotary=1,
                   rotary_interleaved=i)
        yield case(f"gqa_rotary_decode{i}", 1, 6, [6, 3], 7, h=16, extra=cs, do_rotary=1,
                   rotary_interleaved=i)
        yield case(f"gqa_rotary_subsequent{i}", 2, 6, [7], 8, h=16, extra=cs, do_rotary=1,
                   rotary_interleaved=i)
    yield case("gqa_rotary_partial_position_ids", 1, 6, [6, 3], 7, h=32,
               extra=cs + [("pid", np.array([[9], [2]], np.int64))], do_rotary=1)
    yield case("gqa_rotary_prompt_position_ids", 3, 0, [2, 2], 3, h=16,
               extra=cs + [("pid", np.array([[4, 5, 6], [0, 7, 2]], np.int64))], do_rotary=1)
    yield case("gqa_rotary_packed", 1, 6, [6, 3], 7, h=32, packed=True, extra=cs, do_rotary=1)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    chosen = set(argv[2:])
    bad = 0
    rng = np.random.default_rng(5)
    for case in [*cases(rng), *gqa_cases(rng)]:
        name, opset = case[0], case[1]
        if chosen and name not in chosen:
            continue
        try:
            err, units = run_case(argv[1], *case)
            bad += err > 1e-5 or units > 1
            print(f"{name} (opset {opset}): {err:.1e}" + (f", {units} unit(s)" if units else ""))
        except RuntimeError as e:
            bad += 1
            print(f"{name} (opset {opset}): FAILED: {e}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main(sys.argv)
