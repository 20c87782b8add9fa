"""`make bench-gpu`: halo + libodla_cuda against PyTorch eager on the same CUDA GPU, at the
same precision, and writes docs/perf-gpu.md.

Usage: python3 bench/gpu.py BUILD_DIR
Models: ResNet-50 and the BERT-base-sized encoder of bench/models.py (exported, once, into
BUILD_DIR/bench/models), compiled whole for libodla_cuda (halo --batch-size B, no --device:
libodla_cuda runs the operators it lacks itself, on the host) and linked with
BUILD_DIR/lib/libodla_cuda.so through bench/halo_driver.cc, as `make bench` does for the CPU
runtimes. PyTorch: bench/torch_gpu_bench.py. fp32 means TF32 off on both sides (PyTorch:
torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False; halo:
no --precision); tf32 (BENCH_GPU_PRECISIONS=fp32,tf32) turns it on on both.
Both are timed from a host input to a host output (copies included: a halo call takes and
returns host buffers), after warm-up runs, the median of BENCH_RUNS runs; PyTorch's
forward alone on a device-resident input is reported beside it.
Environment: BENCH_GPU_MODELS (resnet50,bert_base_encoder), BENCH_GPU_BATCHES (1,32),
BENCH_GPU_PRECISIONS (fp32), BENCH_RUNS (20), BENCH_WARMUP (5), BENCH_TIMEOUT (s, 900);
BENCH_PROFILE=DIR: after timing each configuration, profile it: halo with ODLA_PROFILE
(10 runs; tables appended to DIR/halo.txt) and PyTorch with torch.profiler (5 runs;
DIR/torch.txt; not with BENCH_PROFILE_TORCH=0); the table then goes to
BUILD_DIR/bench/gpu/perf-gpu-profiled.md (and results-profiled.json), not docs/perf-gpu.md.
BENCH_HALO_VARIANTS: other runtime settings to time in the same run, separated by ';', each
a space-separated list of NAME=VALUE (e.g. "ODLA_GRAPHS=1;ODLA_CUDA_CONV_ALGO=find"): the
same compiled program runs again with them added to the environment, and a second table
gives each one's time, its ratio to PyTorch and to the main row, and its difference from
PyTorch's output. The main table is always the environment's own settings.
Python: the interpreter running this script (it needs torch, torchvision, onnx, numpy).
BUILD_DIR may be a configured build directory (halo, odla_cuda and the probe are built first)
or scripts/gpu_checks.sh's pack.
"""
import datetime
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
# Imported once a GPU is found, so that a machine without one gets the one-line message
# whatever its Python has: numpy, and bench/run.py (build_halo, run_json, stats).
np = run = None


def env_list(name, default):
    return [s for s in os.environ.get(name, default).split(",") if s]


def need_gpu(build):
    """Builds halo, libodla_cuda and the probe (in a configured build directory); returns the
    probe's line naming the GPU, or exits with one line saying why there is none."""
    if os.path.exists(f"{build}/CMakeCache.txt"):
        targets = subprocess.run(["cmake", "--build", build, "--target", "help"],
                                 capture_output=True, text=True).stdout.split()
        if "odla_cuda" not in targets:
            sys.exit("make bench-gpu needs libodla_cuda, which this build lacks (cmake found no "
                     "nvcc and cuDNN 9 under /usr/local/cuda)")
        r = subprocess.run(["cmake", "--build", build, "-j", str(os.cpu_count()), "--target",
                            "halo", "odla_cuda", "halo-cuda-probe"], stdout=subprocess.DEVNULL)
        if r.returncode != 0:
            sys.exit("make bench-gpu: building halo, odla_cuda and halo-cuda-probe failed")
    for f in ("bin/halo", "bin/halo-cuda-probe", "lib/libodla_cuda.so"):
        if not os.path.exists(f"{build}/{f}"):
            sys.exit(f"make bench-gpu needs libodla_cuda: {build}/{f} is missing (make build "
                     "with the CUDA toolkit and cuDNN 9 under /usr/local/cuda)")
    probe = f"{build}/bin/halo-cuda-probe"
    r = subprocess.run([probe], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"make bench-gpu needs a CUDA GPU: {r.stdout.strip() or r.stderr.strip()}")
    return r.stdout.strip()


def export(out, names):
    """bench/models.py's exports (with the TorchScript exporter on PyTorch >= 2.9)."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "gpu"))
    import models
    import torchscript_export
    torchscript_export.patch()
    models.main(["models.py", out] + names)


def input_file(gpu_out, model_dir, name, batch):
    """A fixed random input of the batch size (models.py writes only its BATCHES)."""
    path = f"{gpu_out}/inputs/{name}_b{batch}.bin"
    if not os.path.exists(path):
        with open(f"{model_dir}/meta.json") as f:
            meta = json.load(f)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        rng = np.random.default_rng(900 + batch)
        rng.standard_normal((batch, *meta["input_shape"]), dtype=np.float32).tofile(path)
    return path


def versions(build):
    def text(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"
    nvcc = [line for line in text(["/usr/local/cuda/bin/nvcc", "--version"]).splitlines()
            if "release" in line]
    cudnn = "?"
    cache = f"{build}/CMakeCache.txt"
    inc = "/usr/local/cuda/include"
    if os.path.exists(cache):
        with open(cache) as f:
            for line in f:
                if line.startswith("CUDNN_INCLUDE_DIR:"):
                    inc = line.split("=", 1)[1].strip()
    try:
        with open(f"{inc}/cudnn_version.h") as f:
            v = {k: w[2] for w in (line.split() for line in f) if len(w) == 3
                 for k in ("CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL") if w[1] == k}
        cudnn = f"{v['CUDNN_MAJOR']}.{v['CUDNN_MINOR']}.{v['CUDNN_PATCHLEVEL']}"
    except (OSError, KeyError):
        pass
    return {"halo": text(["git", "-C", ROOT, "describe", "--always", "--dirty"]),
            "nvcc": nvcc[0].strip() if nvcc else "?", "cudnn (libodla_cuda)": cudnn,
            "c++": (text(["c++", "--version"]).splitlines() or ["?"])[0],
            "python": platform.python_version()}


def runtime_settings():
    """The ODLA_ settings of the environment that change how libodla_cuda runs."""
    return " ".join(f"{k}={v}" for k, v in sorted(os.environ.items())
                    if k.startswith("ODLA_") and k not in ("ODLA_NUM_THREADS", "ODLA_PROFILE"))


def variants():
    """BENCH_HALO_VARIANTS as a list of (label, {NAME: VALUE}); exits on a malformed one."""
    out = []
    for v in os.environ.get("BENCH_HALO_VARIANTS", "").split(";"):
        words = v.split()
        if not words:
            continue
        bad = [w for w in words if "=" not in w or not w.split("=", 1)[0]]
        if bad:
            sys.exit(f"gpu.py: BENCH_HALO_VARIANTS: '{bad[0]}' is not NAME=VALUE")
        out.append((" ".join(words), dict(w.split("=", 1) for w in words)))
    return out


def max_diff(row, a_path, b_path):
    """Sets row's max_abs_diff and rel_diff: a against the reference b (float32 files)."""
    a = np.fromfile(a_path, np.float32)
    b = np.fromfile(b_path, np.float32)
    if a.size == b.size:
        row["max_abs_diff"] = float(np.abs(a - b).max())
        row["rel_diff"] = row["max_abs_diff"] / max(float(np.abs(b).max()), 1e-30)


def time_halo(ctx, exe, x, out, n_out, settings=None):
    """The run-time statistics of the compiled program on input x (output to `out`), with
    `settings` added to the environment; RuntimeError when it fails."""
    r = run.run_json([exe, x, out, str(n_out), str(ctx["warmup"]), str(ctx["runs"])],
                     dict(ctx["env"], **(settings or {})), ctx["timeout"])
    return run.stats(r["times_ms"])


def time_variants(ctx, exe, x, res, n_out):
    """Runs the compiled program again under each BENCH_HALO_VARIANTS setting."""
    rows = []
    for i, (label, settings) in enumerate(ctx["variants"]):
        v = {"settings": label, "output": f"{res}_halo_v{i}.bin"}
        print(f"gpu.py:   halo/cuda with {label}", flush=True)
        try:
            v["halo"] = time_halo(ctx, exe, x, v["output"], n_out, settings)
        except RuntimeError as e:
            v["halo_error"] = str(e).strip().splitlines()[-1][:200]
            print(f"gpu.py:   failed: {e}", flush=True)
        rows.append(v)
    return rows


def profile_halo(ctx, exe, x, out, n_out, title):
    """BENCH_PROFILE: one more halo process, 10 runs with ODLA_PROFILE, its table appended to
    BENCH_PROFILE/halo.txt under a title line."""
    path = f"{ctx['profile']}/halo.txt"
    with open(path, "a") as f:
        f.write(f"## {title} ({runtime_settings() or 'default settings'}): ODLA_PROFILE, "
                "10 runs\n")
    run.run_json([exe, x, out, str(n_out), "0", "10"], dict(ctx["env"], ODLA_PROFILE=path),
                 ctx["timeout"])


def bench(ctx, name, batch, precision):
    """Times halo/cuda and PyTorch on one configuration; returns the row."""
    out, build = ctx["out"], ctx["build"]
    model_dir = f"{ctx['models']}/{name}"
    with open(f"{model_dir}/meta.json") as f:
        meta = json.load(f)
    x = input_file(out, model_dir, name, batch)
    row = {"model": name, "batch": batch, "precision": precision}
    res = f"{out}/outputs/{name}_b{batch}_{precision}"
    os.makedirs(os.path.dirname(res), exist_ok=True)
    n_out = batch * int(np.prod(meta["output_shape"]))
    print(f"gpu.py: {name} batch {batch} {precision}: halo/cuda", flush=True)
    try:
        gen = f"{out}/gen/{name}_b{batch}_{precision}"
        exes, row["halo_compile_s"] = run.build_halo(build, model_dir, batch, precision,
                                                     ["cuda"], gen)
        row["halo"] = time_halo(ctx, exes["cuda"], x, f"{res}_halo.bin", n_out)
        row["variants"] = time_variants(ctx, exes["cuda"], x, res, n_out)
        if ctx["profile"]:
            profile_halo(ctx, exes["cuda"], x, f"{res}_halo_profiled.bin", n_out,
                         f"{name} batch {batch} {precision}")
    except RuntimeError as e:
        row["halo_error"] = str(e).strip().splitlines()[-1][:200]
        print(f"gpu.py:   failed: {e}", flush=True)
    print(f"gpu.py: {name} batch {batch} {precision}: PyTorch", flush=True)
    cmd = [sys.executable, f"{HERE}/torch_gpu_bench.py", model_dir, x, str(batch), precision,
           str(ctx["warmup"]), str(ctx["runs"]), f"{res}_torch.bin"]
    env = dict(ctx["env"])
    if ctx["profile"] and os.environ.get("BENCH_PROFILE_TORCH", "1") != "0":
        env["BENCH_TORCH_PROFILE"] = f"{ctx['profile']}/torch.txt"
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE,
                       timeout=ctx["timeout"], stdin=subprocess.DEVNULL)
    last = (p.stdout.strip().splitlines() or ["{}"])[-1]
    try:
        t = json.loads(last)
    except json.JSONDecodeError:
        t = {"error": f"exit {p.returncode}: {p.stderr.strip()[-300:]}"}
    if "error" in t:
        row["torch_error"] = t["error"].splitlines()[-1][:200] if t["error"] else "?"
        ctx["torch_error"] = row["torch_error"]
    else:
        row["torch"] = run.stats(t["times_ms"])
        row["torch_device"] = run.stats(t["device_times_ms"])
        ctx["torch_info"] = {k: t[k] for k in ("device", "torch", "cuda", "cudnn")}
        if "halo" in row:
            max_diff(row, f"{res}_halo.bin", f"{res}_torch.bin")
        for v in row.get("variants", []):
            if "halo" in v:
                max_diff(v, v["output"], f"{res}_torch.bin")
    return row


def ms(t):
    return f"{t:.2f}" if t >= 1 else f"{t:.3f}"


def cell(s):
    return f"{ms(s['median_ms'])} ({ms(s['min_ms'])} / {ms(s['p90_ms'])})"


def ratio(a, b):
    return f"{a['median_ms'] / b['median_ms']:.2f}" if a and b else ""


def diff(r):
    return f"{r['max_abs_diff']:.1e} ({r['rel_diff']:.1e})" if "max_abs_diff" in r else ""


def variants_table(rows):
    """The BENCH_HALO_VARIANTS rows: each setting's time beside the main row's."""
    if not any(r.get("variants") for r in rows):
        return []
    lines = ["", "## halo under other runtime settings (BENCH_HALO_VARIANTS)", "",
             "The same compiled programs, run again in the same session with these settings "
             "added to the main table's.", "",
             "| model | batch | precision | settings | halo/cuda ms (min / p90) | "
             "halo / PyTorch | against the main row | max abs diff (relative) |",
             "|---|---:|---|---|---:|---:|---:|---|"]
    for r in rows:
        for v in r.get("variants", []):
            h = v.get("halo")
            halo = cell(h) if h else f"failed: {v.get('halo_error', '?')}"
            lines.append(f"| {r['model']} | {r['batch']} | {r['precision']} | "
                         f"`{v['settings']}` | {halo} | {ratio(h, r.get('torch'))} | "
                         f"{ratio(h, r.get('halo'))} | {diff(v)} |")
    return lines


def report(info, path):
    lines = ["# GPU performance: halo + libodla_cuda against PyTorch eager", "",
             f"Written by `make bench-gpu` (bench/gpu.py) on {info['date']}.", "",
             f"- GPU: {info['gpu']}",
             f"- host: {info['cpu']}, {info['cores']} cores",
             "- versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items())]
    if info.get("torch_info"):
        t = info["torch_info"]
        lines.append(f"- PyTorch {t['torch']} (CUDA {t['cuda']}, cuDNN {t['cudnn']}) on "
                     f"{t['device']}")
    if info.get("torch_error"):
        lines.append(f"- **PyTorch could not run on the GPU** ({info['torch_error']}): only "
                     "halo is timed; the ratio columns are empty.")
    settings = runtime_settings()
    lines += [f"- {info['warmup']} warm-up runs, then the median of {info['runs']} runs; "
              "every time from a host input to a host output (a halo call copies its input "
              "to the device and its output back; PyTorch: `x.cuda()`, forward, `.cpu()`, "
              "`torch.cuda.synchronize()`). fp32: TF32 off on both sides.",
              "- halo: the whole model compiled for libodla_cuda (`halo --batch-size B`, no "
              "`--device`); operators libodla_cuda lacks run on the host inside it; "
              + (f"settings: `{settings}`" if settings
                 else "default settings (CUDA graphs off: op by op)") + ".", "",
              "| model | batch | precision | halo/cuda ms (min / p90) | PyTorch ms (min / p90) "
              "| halo / PyTorch (target <= 1.0) | PyTorch forward only ms | max abs diff "
              "(relative) |",
              "|---|---:|---|---:|---:|---:|---:|---|"]
    for r in info["rows"]:
        h, t, d = r.get("halo"), r.get("torch"), r.get("torch_device")
        halo = cell(h) if h else f"failed: {r.get('halo_error', '?')}"
        lines.append(f"| {r['model']} | {r['batch']} | {r['precision']} | {halo} | "
                     f"{cell(t) if t else 'could not run'} | {ratio(h, t)} | "
                     f"{ms(d['median_ms']) if d else ''} | {diff(r)} |")
    lines += variants_table(info["rows"])
    done = len(info["rows"])
    took = (f"The whole run took {info['wall_s']:.0f} s" if done >= info.get("planned", done)
            else f"Partial: {done} of {info['planned']} configurations in {info['wall_s']:.0f} s")
    lines += ["", f"{took}. Raw results: BUILD/bench/gpu/results.json.", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    build = os.path.abspath(argv[1])
    gpu = need_gpu(build)
    global np, run
    import numpy as np
    import run
    out = f"{build}/bench/gpu"
    os.makedirs(out, exist_ok=True)
    names = env_list("BENCH_GPU_MODELS", "resnet50,bert_base_encoder")
    batches = [int(b) for b in env_list("BENCH_GPU_BATCHES", "1,32")]
    precisions = env_list("BENCH_GPU_PRECISIONS", "fp32")
    threads = str(os.cpu_count())
    ctx = {"build": build, "out": out, "models": f"{build}/bench/models",
           "runs": int(os.environ.get("BENCH_RUNS", 20)),
           "warmup": int(os.environ.get("BENCH_WARMUP", 5)),
           "timeout": float(os.environ.get("BENCH_TIMEOUT", 900)),
           "env": dict(os.environ, ODLA_NUM_THREADS=threads, OMP_NUM_THREADS=threads),
           "profile": os.path.abspath(os.environ["BENCH_PROFILE"])
           if os.environ.get("BENCH_PROFILE") else None, "variants": variants()}
    if ctx["profile"]:
        os.makedirs(ctx["profile"], exist_ok=True)
    start = time.time()
    print(f"gpu.py: {gpu}; exporting the models not yet in {ctx['models']}", flush=True)
    export(ctx["models"], names)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "unknown")
    info = {"date": datetime.date.today().isoformat(), "gpu": gpu, "cpu": cpu,
            "cores": os.cpu_count(), "versions": versions(build), "runs": ctx["runs"],
            "warmup": ctx["warmup"], "rows": []}
    # Profiled runs are slower: their results are not the ones docs/ keeps.
    tag = "-profiled" if ctx["profile"] else ""
    md = f"{out}/perf-gpu{tag}.md" if tag else f"{ROOT}/docs/perf-gpu.md"
    # The table is written after each configuration, so a run stopped early keeps its rows.
    configs = [(n, b, p) for n in names for b in batches for p in precisions]
    info["planned"] = len(configs)
    for n, b, p in configs:
        info["rows"].append(bench(ctx, n, b, p))
        info.update(torch_info=ctx.get("torch_info"), torch_error=ctx.get("torch_error"),
                    wall_s=time.time() - start)
        with open(f"{out}/results{tag}.json", "w") as f:
            json.dump(info, f, indent=1)
        report(info, md)
    print(f"gpu.py: {info['wall_s']:.0f} s; wrote {md}")
    rows = info["rows"]
    failed = [r for r in rows if "halo" not in r or
              any("halo" not in v for v in r.get("variants", []))]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
