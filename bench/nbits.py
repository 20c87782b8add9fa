"""Benchmarks 4-bit weights (com.microsoft.MatMulNBits, as onnxruntime-genai writes LLMs for the
CPU): halo on the CPU runtimes against ONNX Runtime on the same model, in the same run.

Usage: /usr/bin/python3 bench/nbits.py BUILD_DIR
Environment: BENCH_RUNS (timed runs per process, default 20), BENCH_ROUNDS (processes per
configuration, engines interleaved, default 3), BENCH_WARMUP (3), BENCH_THREADS (default: the
number of cores), NBITS_LAYERS (FFN blocks, default 2).

The model: NBITS_LAYERS feed-forward blocks of a 1B-parameter LLM's size (hidden 2048, FFN 5632:
SiLU(x W_gate) * (x W_up) W_down + x), every product a MatMulNBits with 4-bit weights in blocks
of 32 and packed zero points. Rows 1 (a decoding step), 16 and 64 (prompt chunks). Writes
docs/perf-nbits.md: latency (median of the pooled runs), halo / ONNX Runtime, the largest
difference from ONNX Runtime's output, peak memory, and the size of halo's weights file (.bin)
against float32 weights.
"""
import json
import os
import platform
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import run  # noqa: E402  (build_halo, run_json, stats, machine, versions)
from make_genai_models import MS, quantize4  # noqa: E402

HIDDEN, FFN, BLOCK = 2048, 5632, 32
ROWS = (1, 16, 64)
PASSIVE = "halo/dnnl, OMP_WAIT_POLICY=passive"


def make_model(model_dir, layers):
    """model.onnx, meta.json and input_bN.bin (the benchmark's model-directory layout)."""
    os.makedirs(model_dir, exist_ok=True)
    rng = np.random.default_rng(11)
    nodes, inits, x = [], [], "x"
    for i in range(layers):
        def nbits(name, src, k, n):
            packed, scales, zps, _ = quantize4(rng.standard_normal((k, n)) * 0.005, rng, BLOCK)
            p = f"l{i}_{name}"
            inits.extend([onnx.numpy_helper.from_array(packed, p + "_q"),
                          onnx.numpy_helper.from_array(scales, p + "_s"),
                          onnx.numpy_helper.from_array(zps, p + "_z")])
            return helper.make_node("MatMulNBits", [src, p + "_q", p + "_s", p + "_z"], [p],
                                    domain=MS, K=k, N=n, bits=4, block_size=BLOCK)
        nodes += [nbits("gate", x, HIDDEN, FFN), nbits("up", x, HIDDEN, FFN),
                  helper.make_node("Sigmoid", [f"l{i}_gate"], [f"l{i}_sig"]),
                  helper.make_node("Mul", [f"l{i}_gate", f"l{i}_sig"], [f"l{i}_silu"]),
                  helper.make_node("Mul", [f"l{i}_silu", f"l{i}_up"], [f"l{i}_act"]),
                  nbits("down", f"l{i}_act", FFN, HIDDEN),
                  helper.make_node("Add", [f"l{i}_down", x], [f"l{i}_out"])]
        x = f"l{i}_out"
    nodes.append(helper.make_node("Identity", [x], ["y"]))
    graph = helper.make_graph(
        nodes, "nbits_ffn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", HIDDEN])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", HIDDEN])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid(MS, 1)])
    onnx.save(model, f"{model_dir}/model.onnx")
    with open(f"{model_dir}/meta.json", "w") as f:
        json.dump({"input": "x", "output": "y", "input_shape": [HIDDEN],
                   "output_shape": [HIDDEN]}, f)
    for b in ROWS:
        rng.standard_normal((b, HIDDEN)).astype(np.float32).tofile(f"{model_dir}/input_b{b}.bin")
    return layers * 3 * HIDDEN * FFN  # weights


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    build = os.path.abspath(argv[1])
    out = f"{build}/bench"
    layers = int(os.environ.get("NBITS_LAYERS", "2"))
    ctx = {"runs": int(os.environ.get("BENCH_RUNS", "20")),
           "rounds": int(os.environ.get("BENCH_ROUNDS", "3")),
           "warmup": int(os.environ.get("BENCH_WARMUP", "3")),
           "threads": int(os.environ.get("BENCH_THREADS", str(os.cpu_count())))}
    env = dict(os.environ, OMP_NUM_THREADS=str(ctx["threads"]),
               ODLA_NUM_THREADS=str(ctx["threads"]), NODE_PATH=f"{out}/node_modules")
    runtimes = [rt for rt in run.EXPECTED_RUNTIMES if os.path.exists(f"{build}/lib/libodla_{rt}.so")]
    model_dir = f"{out}/nbits/model"
    weights = make_model(model_dir, layers)
    rows = []
    for b in ROWS:
        gen = f"{out}/nbits/gen_b{b}"
        exes, _ = run.build_halo(build, model_dir, b, "fp32", runtimes, gen)
        bin_bytes = os.path.getsize(f"{gen}/model.bin")

        def output(engine):
            return f"{out}/nbits/out_b{b}_{engine.replace('/', '_')}.bin"

        timing = [str(ctx["warmup"]), str(ctx["runs"])]
        # (engine, command, environment): ONNX Runtime, halo on each runtime, and libodla_dnnl
        # again with OpenMP's threads waiting passively (they spin after oneDNN's ops).
        configs = [("onnxruntime", ["node", f"{HERE}/ort_bench.js", model_dir, str(b),
                                    str(ctx["threads"])] + timing + [output("onnxruntime")], env)]
        configs += [(f"halo/{rt}", [exe, f"{model_dir}/input_b{b}.bin", output(f"halo/{rt}"),
                                    str(b * HIDDEN)] + timing, env) for rt, exe in exes.items()]
        if "dnnl" in exes:
            cmd = [exes["dnnl"], f"{model_dir}/input_b{b}.bin", output(PASSIVE), str(b * HIDDEN)]
            configs.append((PASSIVE, cmd + timing, dict(env, OMP_WAIT_POLICY="passive")))
        res = {}
        for k in range(ctx["rounds"]):
            for engine, cmd, cfg_env in configs:
                print(f"nbits.py: rows {b} {engine} (round {k + 1} of {ctx['rounds']})",
                      flush=True)
                r = run.run_json(cmd, cfg_env, 3600, out)
                acc = res.setdefault(engine, {"times": [], "rss": 0})
                acc["times"] += r["times_ms"]
                acc["rss"] = max(acc["rss"], r["peak_rss_kb"])
        ort_out = np.fromfile(output("onnxruntime"), np.float32)
        for engine, acc in res.items():
            got = np.fromfile(output(engine), np.float32)
            rows.append(dict(run.stats(acc["times"]), rows=b, engine=engine,
                             rss_mb=acc["rss"] / 1024, bin_mb=bin_bytes / 2**20,
                             diff=float(np.abs(got - ort_out).max()),
                             scale=float(np.abs(ort_out).max())))
    write_doc(rows, weights, layers, ctx, build)


def write_doc(rows, weights, layers, ctx, build):
    ort = {r["rows"]: r["median_ms"] for r in rows if r["engine"] == "onnxruntime"}
    m = run.machine()
    with open(f"{build}/bench/node_modules/onnxruntime-node/package.json") as f:
        ort_version = json.load(f)["version"]
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    if subprocess.run(["git", "-C", ROOT, "diff", "--quiet", "HEAD", "--", ".",
                       ":!docs/perf-nbits.md"]).returncode:  # this file aside
        commit += "-dirty"
    date = subprocess.run(["date", "+%F"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# 4-bit weights (MatMulNBits): halo against ONNX Runtime on the CPU",
        "",
        f"Written by `make bench-nbits` (bench/nbits.py) on {date}: {m['cpu']}, {m['cores']} "
        f"cores, {ctx['threads']} threads; halo {commit}, onnxruntime-node {ort_version} "
        f"(CPU provider, all graph optimisations); Python {platform.python_version()}.",
        "",
        f"- Model: {layers} feed-forward blocks of a 1B-parameter LLM (hidden {HIDDEN}, FFN {FFN}, "
        f"SiLU(x W_gate) * (x W_up) W_down + x), each product a com.microsoft.MatMulNBits "
        f"with 4-bit weights in blocks of {BLOCK} and packed zero points: {weights / 1e6:.1f} M "
        f"weights, {weights * 4 / 2**20:.0f} MiB in float32.",
        f"- {ctx['warmup']} warm-up runs, then {ctx['runs']} timed runs per process, "
        f"{ctx['rounds']} processes per engine interleaved; the median of the pooled runs.",
        "- halo keeps the weights packed (its MatMulNBits op); `.bin` is halo's weights file.",
        "- libodla_dnnl runs the element-wise ops on oneDNN, whose OpenMP threads spin a while "
        "after each op; the MatMulNBits kernel (the ref runtime's, which every runtime uses) "
        "runs on the same threads there. The row "
        f"`{PASSIVE}` runs the same program with OpenMP's threads waiting passively.",
        "",
        "| rows | engine | median ms (min / p90) | / ONNX Runtime | peak RSS MB | .bin MiB "
        "| max abs diff from ONNX Runtime (its output's scale) |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ratio = r["median_ms"] / ort[r["rows"]]
        binf = f"{r['bin_mb']:.1f}" if r["engine"] != "onnxruntime" else ""
        lines.append(f"| {r['rows']} | {r['engine']} | {r['median_ms']:.2f} ({r['min_ms']:.2f} / "
                     f"{r['p90_ms']:.2f}) | {ratio:.2f} | {r['rss_mb']:.0f} | {binf} | "
                     f"{r['diff']:.1e} ({r['scale']:.1f}) |")
    path = os.path.join(ROOT, "docs", "perf-nbits.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"nbits.py: wrote {path}")
    with open(f"{build}/bench/nbits/results.json", "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main(sys.argv)
