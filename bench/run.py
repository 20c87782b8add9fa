"""Runs the benchmark: each model and batch size on every engine, then writes the report.

Usage: /usr/bin/python3 bench/run.py BUILD_DIR
Environment: BENCH_MODELS (comma-separated, default all of models.py), BENCH_BATCHES (1,8),
BENCH_RUNS (timed runs per process, default 20), BENCH_ROUNDS (processes per configuration,
interleaved with the other engines', default 3; the table pools their runs), BENCH_WARMUP (3),
BENCH_THREADS (default: the number of cores), BENCH_TIMEOUT (seconds per process, 3600), BENCH_SPIN (1, the default: each engine's
own idle-thread policy, what its users get: ONNX Runtime's and OpenMP's threads spin a while
before they sleep; 0: they wait passively, which suits a machine shared with other work).

Engines: halo with every CPU ODLA runtime library in BUILD_DIR/lib (libodla_*.so but cuda and
the test-only cuda_emu ones), ONNX Runtime
(onnxruntime-node in BUILD_DIR/bench/node_modules) and PyTorch. Each configuration runs in its
own process, which reports its run times and peak resident memory and writes its output, which
is compared with ONNX Runtime's. Results go to BUILD_DIR/bench/results.json, then
report.py writes docs/perf.md and docs/perf.png.
"""
import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"
EXPECTED_RUNTIMES = ("ref", "dnnl", "xnnpack")  # the ones the project builds or plans
GPU_RUNTIMES = ("cuda",)  # timed by bench/gpu.py (make bench-gpu), not here
# libodla_cuda built against the test-only emulation of CUDA on the CPU (tests/cuda_emu): not
# a runtime anyone would ship, so not timed.
TEST_RUNTIMES = ("cuda_emu", "cuda_emu_asan")
BF16_RUNTIMES = ("dnnl",)  # those that compute in bf16 (the others compute fp32: not timed)
ORT = "onnxruntime"
TORCH = "pytorch"


def env_list(name, default):
    return [s for s in os.environ.get(name, default).split(",") if s]


def run_json(cmd, env, timeout, cwd=None):
    """Runs cmd; returns its last stdout line as JSON, or raises RuntimeError."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd,
                           timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {timeout:.0f} s")
    if r.returncode != 0:
        raise RuntimeError(f"exit {r.returncode}: {r.stderr.strip()[-500:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def check(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr[-2000:]}")
    return r.stdout


def halo_has_precision(build):
    return "--precision" in subprocess.run([f"{build}/bin/halo", "--help"], capture_output=True,
                                           text=True).stdout


def build_halo(build, model_dir, batch, precision, runtimes, gen):
    """Compiles the model with halo and links one timing executable per runtime."""
    os.makedirs(gen, exist_ok=True)
    cmd = [f"{build}/bin/halo", f"{model_dir}/model.onnx", "--batch-size", str(batch),
           "--entry-func-name", "model", "-o", f"{gen}/model.cc"]
    if precision != "fp32":
        cmd += ["--precision", precision]
    start = time.time()
    check(cmd)
    halo_s = time.time() - start
    cxx = ["c++", "-O2", "-std=c++17", "-Wall", "-Wextra", "-Werror"]
    check(cxx + ["-I", f"{ROOT}/include", "-c", f"{gen}/model.cc", "-o", f"{gen}/model.o"])
    check(cxx + ["-I", gen, "-c", f"{HERE}/halo_driver.cc", "-o", f"{gen}/driver.o"])
    exes = {}
    for rt in runtimes:
        exes[rt] = f"{gen}/bench_{rt}"
        check(["c++", f"{gen}/driver.o", f"{gen}/model.o", f"{gen}/model.bin",
               f"{build}/lib/libodla_{rt}.so", f"-Wl,-rpath,{os.path.abspath(build)}/lib",
               "-lpthread", "-o", exes[rt]])
    return exes, halo_s


def stats(times):
    t = np.array(times)
    return {"median_ms": float(np.median(t)), "min_ms": float(t.min()),
            "p90_ms": float(np.percentile(t, 90)), "runs": len(times)}


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 2**20, 1),
            "kernel": platform.release(), "load_before": os.getloadavg()}


def versions(build, out):
    def text(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"
    with open(f"{out}/node_modules/onnxruntime-node/package.json") as f:
        ort_version = json.load(f)["version"]
    torch_info = text([PYTHON, "-c", "import torch; print(torch.__version__, "
                      "torch.backends.mkldnn.is_available())"]).split()
    with open(f"{out}/openblas/VERSION") as f:
        openblas = f.read().strip()
    return {"halo": text(["git", "-C", ROOT, "describe", "--always", "--dirty"]),
            "onnxruntime-node": ort_version, "node": text(["node", "--version"]),
            "torch": torch_info[0] if torch_info else "?",
            "torch_mkldnn": torch_info[1:] == ["True"], "openblas": openblas,
            "c++": text(["c++", "--version"]).splitlines()[0]}


def halo_configs(ctx, name, batch, meta, result):
    """Compiles the model for each precision; returns the configurations to run, (precision,
    engine, command, cwd, env) per runtime, and rows for those that failed to compile."""
    model_dir = f"{ctx['out']}/models/{name}"
    configs, failed = [], []
    for precision in ctx["precisions"]:
        runtimes = [rt for rt in ctx["runtimes"] if precision == "fp32" or rt in BF16_RUNTIMES]
        if not runtimes:
            continue
        try:
            exes, _ = build_halo(ctx["build"], model_dir, batch, precision, runtimes,
                                 f"{ctx['out']}/gen/{name}_b{batch}/{precision}")
        except RuntimeError as e:
            failed += [{"model": name, "batch": batch, "precision": precision,
                        "engine": f"halo/{rt}", "error": f"compile: {e}"} for rt in runtimes]
            continue
        out_elems = batch * int(np.prod(meta["output_shape"]))
        for rt, exe in exes.items():
            engine = f"halo/{rt}"
            configs.append((precision, engine,
                            [exe, f"{model_dir}/input_b{batch}.bin", result(engine, precision),
                             str(out_elems), str(ctx["warmup"]), str(ctx["runs"])], None,
                            ctx["env"]))
    return configs, failed


def bench(ctx, name, batch):
    """Runs every engine on one model and batch size; returns the result rows."""
    out, model_dir = ctx["out"], f"{ctx['out']}/models/{name}"
    with open(f"{model_dir}/meta.json") as f:
        meta = json.load(f)
    outputs = f"{out}/outputs/{name}_b{batch}"
    os.makedirs(outputs, exist_ok=True)

    def result(engine, precision):
        return f"{outputs}/{engine.replace('/', '_')}_{precision}.bin"

    common = [model_dir, str(batch), str(ctx["threads"]), str(ctx["warmup"]), str(ctx["runs"])]
    configs = [("fp32", ORT, ["node", f"{HERE}/ort_bench.js"] + common + [result(ORT, "fp32")],
                out, ctx["env"])]
    halo, rows = halo_configs(ctx, name, batch, meta, result)
    configs += halo
    torch_env = dict(ctx["env"], LD_LIBRARY_PATH=f"{out}/openblas")  # OpenBLAS (setup.sh)
    configs.append(("fp32", TORCH, [PYTHON, f"{HERE}/torch_bench.py"] + common +
                    [result(TORCH, "fp32")], HERE, torch_env))
    # Rounds: every configuration once per round, engines interleaved, so that a spell of
    # load from other processes falls on all of them; the row pools the rounds' runs.
    runs = {}
    for k in range(ctx["rounds"]):
        for precision, engine, cmd, cwd, env in configs:
            key = (precision, engine)
            if k > 0 and key not in runs:
                continue  # failed in an earlier round
            print(f"run.py: {name} batch {batch} {precision} {engine} (round {k + 1} of "
                  f"{ctx['rounds']})", flush=True)
            try:
                res = run_json(cmd, env, ctx["timeout"], cwd)
            except RuntimeError as e:
                runs.pop(key, None)
                rows.append({"model": name, "batch": batch, "precision": precision,
                             "engine": engine, "error": str(e)})
                print(f"run.py:   failed: {e}", flush=True)
                continue
            r = runs.setdefault(key, {"times": [], "rss": 0, "medians": []})
            r["times"] += res["times_ms"]
            r["rss"] = max(r["rss"], res["peak_rss_kb"])
            r["medians"].append(float(np.median(res["times_ms"])))
            if "blas" in res:
                ctx["torch_blas"] = res["blas"]
            print(f"run.py:   median {r['medians'][-1]:.2f} ms, "
                  f"peak RSS {res['peak_rss_kb'] / 1024:.0f} MB", flush=True)
    for precision, engine, *_ in configs:
        r = runs.get((precision, engine))
        if r:
            rows.append(dict({"model": name, "batch": batch, "precision": precision,
                              "engine": engine}, **stats(r["times"]), peak_rss_mb=r["rss"] / 1024,
                             round_medians_ms=r["medians"], output=result(engine, precision)))
    shutil.rmtree(f"{out}/gen/{name}_b{batch}", ignore_errors=True)  # the weights, once per binary
    ref = next((r for r in rows if r["engine"] == ORT and "output" in r), None)
    for r in rows:
        if ref and "output" in r:
            a, b = np.fromfile(r["output"], np.float32), np.fromfile(ref["output"], np.float32)
            r["max_abs_diff"] = float(np.abs(a - b).max()) if a.size == b.size else None
            r["ort_scale"] = float(np.abs(b).max())
    return rows


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    build = os.path.abspath(argv[1])
    out = f"{build}/bench"
    sys.path.insert(0, HERE)
    import models
    names = env_list("BENCH_MODELS", ",".join(models.ARCH))
    batches = [int(b) for b in env_list("BENCH_BATCHES", "1,8")]
    for n in names:
        if n not in models.ARCH:
            sys.exit(f"run.py: unknown model {n} (known: {' '.join(models.ARCH)})")
    for b in batches:
        if b not in models.BATCHES:
            sys.exit(f"run.py: batch {b} is not exported (models.BATCHES: {models.BATCHES})")
    threads = int(os.environ.get("BENCH_THREADS", os.cpu_count()))
    runtimes = sorted(os.path.basename(p)[len("libodla_"):-len(".so")]
                      for p in glob.glob(f"{build}/lib/libodla_*.so"))
    runtimes = [r for r in runtimes if r not in GPU_RUNTIMES + TEST_RUNTIMES]
    ctx = {"build": build, "out": out, "threads": threads, "runtimes": runtimes,
           "runs": int(os.environ.get("BENCH_RUNS", 20)),
           "rounds": int(os.environ.get("BENCH_ROUNDS", 3)),
           "warmup": int(os.environ.get("BENCH_WARMUP", 3)),
           "timeout": float(os.environ.get("BENCH_TIMEOUT", 3600)),
           "precisions": ["fp32"] + (["bf16"] if halo_has_precision(build) else []),
           "spin": os.environ.get("BENCH_SPIN", "1") == "1"}
    ctx["env"] = dict(os.environ, ODLA_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
                      NODE_PATH=f"{out}/node_modules", ORT_ALLOW_SPINNING=str(int(ctx["spin"])))
    if not ctx["spin"]:
        ctx["env"]["OMP_WAIT_POLICY"] = "PASSIVE"

    start = time.time()
    info = {"machine": machine(), "versions": versions(build, out), "threads": threads,
            "runs": ctx["runs"], "rounds": ctx["rounds"], "warmup": ctx["warmup"],
            "spin": ctx["spin"], "models": names,
            "batches": batches, "runtimes": runtimes, "precisions": ctx["precisions"],
            "absent_runtimes": [r for r in EXPECTED_RUNTIMES if r not in runtimes]}
    print("run.py: exporting the models not yet in build/bench/models (about 4 minutes for all)",
          flush=True)
    check([PYTHON, f"{HERE}/models.py", f"{out}/models"] + names)
    info["rows"] = [row for name in names for batch in batches for row in bench(ctx, name, batch)]
    info["machine"]["load_after"] = os.getloadavg()
    info["versions"]["torch_blas"] = ctx.get("torch_blas", "?")
    info["wall_s"] = time.time() - start
    with open(f"{out}/results.json", "w") as f:
        json.dump(info, f, indent=1)
    check([PYTHON, f"{HERE}/report.py", f"{out}/results.json", f"{ROOT}/docs"])
    print(f"run.py: {info['wall_s']:.0f} s; wrote docs/perf.md and docs/perf.png")


if __name__ == "__main__":
    main(sys.argv)
