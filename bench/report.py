"""Writes DOCS_DIR/perf.md and DOCS_DIR/perf.png from run.py's results.json.

Usage: /usr/bin/python3 bench/report.py RESULTS.json DOCS_DIR
"""
import json
import os
import sys
import textwrap

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ORT = "onnxruntime"
# max |diff| / max |ORT output| above this is flagged, by precision
MISMATCH = {"fp32": 1e-3, "bf16": 5e-2}


def engine_order(rows):
    halo = sorted({r["engine"] for r in rows if r["engine"].startswith("halo/")})
    return halo + [ORT, "pytorch"]


def ort_median(rows, r):
    return next((o.get("median_ms") for o in rows if o["engine"] == ORT and
                 o["model"] == r["model"] and o["batch"] == r["batch"]), None)


def diff_text(r):
    if r["engine"] == ORT or "max_abs_diff" not in r:
        return ""
    if r["max_abs_diff"] is None:
        return "shape differs"
    rel = r["max_abs_diff"] / max(r["ort_scale"], 1e-30)
    flag = " **MISMATCH**" if not rel <= MISMATCH[r["precision"]] else ""
    return f"{r['max_abs_diff']:.1e} ({rel:.1e}){flag}"


def ms(t):
    return f"{t:.2f}" if t >= 1 else f"{t:.3f}"


def table(info):
    rows, order = info["rows"], engine_order(info["rows"])
    lines = ["| model | batch | precision | runtime | median ms | min / p90 ms | time / ORT time "
             "| peak RSS MB | max abs diff vs ORT (relative) | round medians ms |",
             "|---|---:|---|---|---:|---:|---:|---:|---|---|"]
    rows = sorted(rows, key=lambda r: (info["models"].index(r["model"]), r["batch"],
                                       r["precision"] != "fp32", order.index(r["engine"])))
    for r in rows:
        head = f"| {r['model']} | {r['batch']} | {r['precision']} | {r['engine']} |"
        if "error" in r:
            lines.append(f"{head} failed: {r['error'].splitlines()[0][:120]} | | | | | |")
            continue
        base = ort_median(rows, r)
        ratio = f"{r['median_ms'] / base:.2f}" if base else ""
        lines.append(f"{head} {ms(r['median_ms'])} | {ms(r['min_ms'])} / {ms(r['p90_ms'])} | "
                     f"{ratio} | {r['peak_rss_mb']:.0f} | {diff_text(r)} | "
                     f"{' / '.join(ms(t) for t in r.get('round_medians_ms', []))} |")
    return "\n".join(lines)


def plot(info, path):
    rows = [r for r in info["rows"] if "median_ms" in r and r["precision"] == "fp32"]
    groups = [(m, b) for m in info["models"] for b in info["batches"]
              if any(r["model"] == m and r["batch"] == b for r in rows)]
    engines = [e for e in engine_order(rows) if e != ORT and any(r["engine"] == e for r in rows)]
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(groups) + 2), 4.5))
    width = 0.8 / max(1, len(engines))
    ratios = [1.0]
    for i, e in enumerate(engines):
        xs, ys = [], []
        for g, (m, b) in enumerate(groups):
            r = next((r for r in rows if (r["model"], r["batch"], r["engine"]) == (m, b, e)), None)
            base = r and ort_median(rows, r)
            if base:
                xs.append(g + (i - (len(engines) - 1) / 2) * width)
                ys.append(r["median_ms"] / base)
        # Bars grow from 1 (as fast as ONNX Runtime): up when slower, down when faster.
        bars = ax.bar(xs, [y - 1 for y in ys], width, bottom=1, label=e)
        ax.bar_label(bars, labels=[f"{y:.2g}" for y in ys], fontsize=7, padding=1)
        ratios += ys
    ax.axhline(1, color="black", linewidth=0.8, label=f"{ORT} (= 1)")
    ax.set_yscale("log")
    ticks = [t * 10.0**k for k in range(-2, 3) for t in (1, 2, 5)]
    ax.set_yticks([t for t in ticks if min(ratios) / 2 <= t <= max(ratios) * 2])
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([f"{m}\nbatch {b}" for m, b in groups], fontsize=8)
    ax.set_ylabel("median latency / ONNX Runtime's (log scale)")
    ax.set_title(f"fp32, {info['threads']} threads, {info['machine']['cpu']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def spin_text(info):
    if info["spin"]:
        return ("Idle threads: each engine's own policy, what its users get (ONNX Runtime's "
                "and OpenMP's threads spin a while before they sleep). On a machine shared "
                "with other work spinning threads steal the cores they wait for: "
                "`BENCH_SPIN=0` makes every engine wait passively.")
    return ("Idle threads wait passively in every engine (`BENCH_SPIN=0`): ONNX Runtime "
            "with `session.intra_op.allow_spinning=0`, OpenMP (oneDNN, PyTorch) with "
            "`OMP_WAIT_POLICY=PASSIVE`. Each parallel region then pays a thread wake-up, "
            "which the small layers of MobileNetV2 and SqueezeNet feel most.")


def reflow(text, width=96):
    """Fills each "- " bullet (continued by lines indented two spaces) to `width` columns."""
    out, bullet = [], None
    for line in text.splitlines() + [""]:
        if bullet is not None and line.startswith("  "):
            bullet += " " + line.strip()
            continue
        if bullet is not None:
            out.append(textwrap.fill(bullet, width, subsequent_indent="  ",
                                     break_long_words=False, break_on_hyphens=False))
            bullet = None
        if line.startswith("- "):
            bullet = line
        else:
            out.append(line)
    return "\n".join(out[:-1]) + "\n"


def markdown(info):
    m, v = info["machine"], info["versions"]
    rounds = info.get("rounds", 1)
    blas = ", ".join(f"`{os.path.basename(p)}`" for p in v["torch_blas"].split()) or "?"
    absent = ", ".join(f"libodla_{r}" for r in info["absent_runtimes"]) or "none"
    bf16 = ("bf16 rows: halo compiled with `--precision bf16` on libodla_dnnl, the runtime that "
            "computes in bf16 (convolutions and matrix products with bfloat16 operands, float32 "
            "accumulation, where the CPU has AVX512-BF16 or AMX; docs/bf16.md); ratios against "
            "ONNX Runtime's fp32." if "bf16" in info["precisions"] else
            "bf16: not measured: halo has no `--precision` option yet; once it has, run.py "
            "adds a bf16 row per halo runtime (against ONNX Runtime's fp32).")
    return reflow(f"""# Performance

Generated by `make bench` (`bench/run.py`, `bench/report.py`); do not edit by hand.

![latency relative to ONNX Runtime](perf.png)

{table(info)}

- **time / ORT time**: median latency divided by ONNX Runtime's for the same model and
  batch (below 1: faster than ONNX Runtime).
- **max abs diff vs ORT**: the largest element-wise difference from ONNX Runtime's output on
  the same input; in brackets divided by the largest ONNX Runtime output (flagged above
  {MISMATCH['fp32']:g} for fp32, {MISMATCH['bf16']:g} for bf16), so that a fast wrong answer
  cannot hide.
- Runtimes measured: {", ".join(f"halo/{r}" for r in info["runtimes"])}. Absent from
  `build/lib` in this run (not measured): {absent}.
- {bf16}

## Machine and method

- CPU: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB memory, Linux {m['kernel']}.
  The machine is shared by several engineers' builds and tests and was busy: load average
  {m['load_before'][0]:.1f} at the start, {m['load_after'][0]:.1f} at the end. Latencies
  therefore carry noise from other processes. Each configuration runs in {rounds} processes,
  one per round, and each round runs every engine one after the other, so a spell of load falls
  on all of them; the table pools the rounds' runs (the last column gives each round's median).
  Still, read the ratios of the small models at batch 1 as rough (whole runs half an hour apart
  under load 4-6 gave ratios up to 3x apart), the minimum column as the least disturbed.
- Threads: {info['threads']} for every engine: `ODLA_NUM_THREADS` for halo's runtimes,
  `intraOpNumThreads` (1 inter-op thread, sequential execution, all graph optimisations) for
  ONNX Runtime, `torch.set_num_threads` (1 inter-op thread) for PyTorch; `OMP_NUM_THREADS` too.
  {spin_text(info)}
- Each process of a configuration (model, batch, precision, engine) makes
  {info['warmup']} warm-up and {info['runs']} timed runs; the table gives the median,
  the minimum and the 90th percentile of the {rounds} processes' runs together. Peak RSS is the process's maximum resident set size
  (`VmHWM`, which unlike getrusage's `ru_maxrss` leaves out the parent's memory inherited
  across exec), loading included: weights, buffers and the engine itself (the MNIST rows
  show about what Python with PyTorch and Node with ONNX Runtime weigh on their own).
- Models (`bench/models.py`, exported once with PyTorch {v['torch']} to ONNX opset 13 with a
  dynamic batch dimension and cached in `build/bench/models`): torchvision's ResNet-50,
  MobileNetV2 and SqueezeNet 1.1 (random weights, calibrated BatchNorm, as in the real-model
  tests), a BERT-base-sized encoder (12 post-norm layers, hidden 768, 12 heads, FFN 3072, GELU,
  sequence 128, random weights; the input is the embedded sequence, no mask) and the MNIST
  example's trained CNN. Inputs: random, fixed seed, the same file for every engine.
- halo ({v['halo']}) compiles each model for its batch size (`--batch-size`), `c++ -O2`, linked
  with each CPU runtime `build/lib/libodla_*.so` (libodla_cuda: `make bench-gpu`); the model
  is built (`model_init`) before timing.
- ONNX Runtime: npm `onnxruntime-node` {v['onnxruntime-node']} (installed with
  `--ignore-scripts`: its bundled linux-x64 binding), CPU execution provider, Node {v['node']}.
- PyTorch {v['torch']} (Debian `python3-torch`): the modules the ONNX files were exported
  from, with the same weights, `eval()` and `no_grad()` (so the encoder takes PyTorch's fused
  inference path, while the ONNX export traces the unfused layers); oneDNN (MKL-DNN)
  available: {v['torch_mkldnn']}. Debian's libtorch recommends an optimised BLAS, which this machine
  lacks (only the reference `libblas3`, with which the encoder took 18 s instead of 0.4 s at
  batch 1): `bench/setup.sh` unpacks Debian's `libopenblas0-openmp` {v['openblas']} into
  `build/bench/openblas` for PyTorch alone (loaded: {blas}).
- Compiler: {v['c++']}.
- The whole run took {info['wall_s'] / 60:.1f} minutes (model exports cached: the first
  takes about 4 minutes more; `build/bench` then holds about 1.3 GB). `BENCH_MODELS=mnist,resnet50`,
  `BENCH_BATCHES=1`, `BENCH_RUNS=20`, `BENCH_WARMUP=3` and `BENCH_THREADS=2` restrict or
  change it (see `bench/run.py`).
""")


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        info = json.load(f)
    with open(os.path.join(argv[2], "perf.md"), "w") as f:
        f.write(markdown(info))
    plot(info, os.path.join(argv[2], "perf.png"))


if __name__ == "__main__":
    main(sys.argv)
