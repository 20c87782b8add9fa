"""OpenCV's TensorFlow importer tests through HALO's AOT path.

Usage: /usr/bin/python3 run_tf_nets.py SRC BUILD [--only REGEX] [--keep]

For each NAME_net.pb in ../shared/models/opencv_extra/tensorflow with NAME_in.npy and
NAME_out.npy: halo compiles the GraphDef to C++, a generated C harness is built against
libodla_ref and fed the input, and its output is compared with the reference. OpenCV keeps
4-D tensors in these files in NCHW order while the graphs compute in NHWC: 4-D inputs are
transposed (0,2,3,1) before feeding, 4-D outputs (0,3,1,2) before comparing.
Prints one line per net and a summary; fails if a net of tests/tensorflow/expected_pass.txt
does not pass. The work files go to BUILD/tf-nets (kept with --keep).
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

import numpy as np

C_TYPES = {"float": np.float32, "double": np.float64, "int32_t": np.int32, "int64_t": np.int64,
           "uint8_t": np.uint8, "int8_t": np.int8, "uint16_t": np.uint16, "int16_t": np.int16,
           "_Bool": np.bool_, "bool": np.bool_}


def placeholders(graph_pb2, path):
    """The float Placeholders of a GraphDef whose shape has unknown dimensions, the bool
    ones (is_training flags, fed False as OpenCV does), and whether it computes in NCHW."""
    g = graph_pb2.GraphDef()
    with open(path, "rb") as f:
        g.ParseFromString(f.read())
    out, flags = [], []
    nchw = any(n.attr["data_format"].s == b"NCHW" for n in g.node if "data_format" in n.attr)
    for n in g.node:
        if n.op != "Placeholder":
            continue
        if n.attr["dtype"].type == graph_pb2.DT_BOOL:
            flags.append(n.name)
            continue
        shape = n.attr["shape"].shape
        if shape.unknown_rank or any(d.size < 0 for d in shape.dim) or not n.attr["shape"].HasField("shape"):
            out.append(n.name)
    return out, flags, nchw


def parse_header(path):
    """The generated function's name and parameters: [(c type, is_input, shape)]."""
    text = open(path).read()
    name = re.search(r"int (\w+)_init\(void\);", text).group(1)
    params = []
    for line in text.split("\n"):
        p = re.match(r"\s*(const )?([A-Za-z_0-9]+)\* ?\w+,?\)?;?\s*/\* (input|output) '.*?': "
                     r"\w+\[(.*?)\] \*/", line)
        if p:
            dims = [] if p.group(4) in ("", "scalar") else [int(d) for d in p.group(4).split("x")]
            params.append((p.group(2), p.group(3) == "input", dims))
    return name, params


def harness(params, name, func):
    lines = ["#include <stdio.h>", "#include <stdlib.h>", f'#include "{name}.h"',
             "int main(void) {"]
    args = []
    for i, (ctype, is_in, dims) in enumerate(params):
        n = int(np.prod(dims)) if dims else 1
        lines.append(f"  {ctype}* p{i} = calloc({max(n, 1)}, sizeof({ctype}));")
        if is_in:
            lines.append(f'  FILE* f{i} = fopen("in{i}.bin", "rb");')
            lines.append(f"  if (!f{i} || fread(p{i}, sizeof({ctype}), {n}, f{i}) != {n}) return 2;")
            lines.append(f"  fclose(f{i});")
        args.append(f"p{i}")
    lines.append(f"  if ({func}({', '.join(args)}) != 0) return 3;")
    outs = [i for i, p in enumerate(params) if not p[1]]
    for k, i in enumerate(outs):
        ctype, _, dims = params[i]
        if True:
            n = int(np.prod(dims)) if dims else 1
            lines.append(f'  FILE* g{i} = fopen("out{k}.bin", "wb");')
            lines.append(f"  fwrite(p{i}, sizeof({ctype}), {n}, g{i});")
            lines.append(f"  fclose(g{i});")
    lines += ["  return 0;", "}"]
    return "\n".join(lines) + "\n"


def run(cmd, cwd):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        lines = [l for l in r.stdout.strip().split("\n") if l.strip()]
        raise RuntimeError(f"{os.path.basename(cmd[0])}: " + (lines[-1] if lines else f"exit {r.returncode}"))


def test_net(ctx, name):
    src, build, data, graph_pb2 = ctx
    work = os.path.join(build, "tf-nets", name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    net = os.path.join(data, f"{name}_net.pb")
    x = np.load(os.path.join(data, f"{name}_in.npy"))
    want = np.load(os.path.join(data, f"{name}_out.npy"))
    open_inputs, flags, nchw = placeholders(graph_pb2, net)
    if x.ndim == 4 and not nchw:
        x = x.transpose(0, 2, 3, 1)
    cmd = [os.path.join(build, "bin", "halo"), net, "-o", os.path.join(work, f"{name}.cc")]
    np.save(os.path.join(work, "false.npy"), np.array(False))
    for p in flags:
        cmd += ["--const-input", f"{p}=" + os.path.join(work, "false.npy")]
    for p in open_inputs:
        cmd += ["--input-shape", f"{p}:" + ("x".join(map(str, x.shape)) or "scalar")]
    run(cmd, work)
    func, params = parse_header(os.path.join(work, f"{name}.h"))
    ins = [p for p in params if p[1]]
    if len(ins) != 1:
        raise RuntimeError(f"the compiled net takes {len(ins)} inputs, the test feeds 1")
    x.astype(C_TYPES[ins[0][0]]).tofile(os.path.join(work, "in0.bin"))
    with open(os.path.join(work, "main.c"), "w") as f:
        f.write(harness(params, name, func))
    inc = os.path.join(src, "include")
    run(["c++", "-std=c++17", "-O1", "-I", inc, "-c", f"{name}.cc", "-o", "model.o"], work)
    run(["cc", "-std=c99", "-O1", "-I", ".", "-c", "main.c", "-o", "main.o"], work)
    run(["c++", "main.o", "model.o", f"{name}.bin", "-L", os.path.join(build, "lib"),
         "-l:libodla_ref.a", "-lpthread", "-o", "app"], work)
    run([os.path.join(work, "app")], work)
    outs = [p for p in params if not p[1]]
    got = np.fromfile(os.path.join(work, "out0.bin"), dtype=C_TYPES[outs[0][0]])
    got = got.reshape(outs[0][2])
    if got.ndim == 4 and not nchw:
        got = got.transpose(0, 3, 1, 2)
    if got.size != want.size:
        raise RuntimeError(f"output shape {list(got.shape)}, reference {list(want.shape)}")
    got = got.reshape(want.shape).astype(np.float64)
    tol = 5e-3 if name.startswith("fp16_") else 1e-4
    err = np.abs(got - want).max() if got.size else 0.0
    scale = max(1.0, float(np.abs(want).max()) if want.size else 1.0)
    if not err <= tol * scale:
        raise RuntimeError(f"max difference {err:.3g} over tolerance {tol * scale:.3g}")
    return f"max difference {err:.2g}"


def main(argv):
    src, build = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    only = argv[argv.index("--only") + 1] if "--only" in argv else ""
    data = os.path.normpath(os.path.join(src, "..", "shared", "models", "opencv_extra",
                                         "tensorflow"))
    if not os.path.isdir(data):
        print(f"run_tf_nets: {data} not found: OpenCV's TensorFlow tests come from ../shared "
              "beside the repository (see ../shared/README.md)", file=sys.stderr)
        return 1
    gen = os.path.join(build, "tf-nets", "proto")
    os.makedirs(gen, exist_ok=True)
    proto_dir = os.path.join(src, "src", "frontends", "tensorflow", "proto")
    subprocess.run(["protoc", f"--python_out={gen}", "-I", proto_dir,
                    os.path.join(proto_dir, "graph.proto")], check=True)
    sys.path.insert(0, gen)
    import graph_pb2  # noqa: E402

    names = sorted(f[:-len("_net.pb")] for f in os.listdir(data) if f.endswith("_net.pb") and
                   os.path.exists(os.path.join(data, f[:-len("_net.pb")] + "_in.npy")) and
                   os.path.exists(os.path.join(data, f[:-len("_net.pb")] + "_out.npy")))
    names = [n for n in names if re.search(only, n)]
    expected = set()
    with open(os.path.join(src, "tests", "tensorflow", "expected_pass.txt")) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                expected.add(line)
    ctx = (src, build, data, graph_pb2)
    results = {}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = {pool.submit(test_net, ctx, n): n for n in names}
        for fut in concurrent.futures.as_completed(futures):
            n = futures[fut]
            try:
                results[n] = (True, fut.result())
            except Exception as e:  # noqa: BLE001
                results[n] = (False, str(e).split("\n")[0])
    passed = 0
    regressions = []
    for n in names:
        ok, msg = results[n]
        passed += ok
        print(f"{'PASS' if ok else 'FAIL'} {n}: {msg}")
        if not ok and n in expected:
            regressions.append(n)
        if ok and "--keep" not in argv:
            shutil.rmtree(os.path.join(build, "tf-nets", n), ignore_errors=True)
    print(f"{passed}/{len(names)} TensorFlow nets pass")
    for n in sorted(expected - set(names)):
        if not only:
            print(f"REGRESSION {n}: listed in expected_pass.txt but not found")
            regressions.append(n)
    for n in regressions:
        print(f"REGRESSION {n}: listed in expected_pass.txt but fails")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
