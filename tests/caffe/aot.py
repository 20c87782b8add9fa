"""The AOT path for the Caffe tests: halo MODEL... -o DIR/model.cc, a harness written from
the generated header, c++ against libodla_ref, run on .npy inputs, outputs back as arrays."""
import os
import re
import subprocess

import numpy as np

CTYPES = {"float": np.float32, "double": np.float64, "int64_t": np.int64, "int32_t": np.int32,
          "int8_t": np.int8, "uint8_t": np.uint8, "bool": np.bool_}


class Failure(Exception):
    pass


def run(cmd, cwd=None, timeout=600):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout)
    return r.returncode, r.stdout


def params(header):
    """The entry function's parameters: (kind, ctype, name) with kind input, output, shape."""
    text = open(header).read()
    m = re.search(r"^int model\(\n(.*?\);[^\n]*)", text, re.S | re.M)
    if not m:
        raise Failure("no entry function in " + header)
    out = []
    for line in m.group(1).splitlines():
        d = re.match(r"\s*(const )?(\w+)\* (\w+)[,)]", line)
        if not d:
            continue
        kind = "input" if d.group(1) else "output"
        if d.group(2) == "int64_t" and "receives the" in line:
            kind = "shape"
        quoted = re.search(r"/\* \w+ '([^']*)'", line)
        out.append((kind, d.group(2), quoted.group(1) if quoted else d.group(3)))
    return out


HARNESS = r"""
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "model.h"
static std::vector<char> Read(const char* dir, const char* name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "harness: cannot read %s\n", path); exit(2); }
  fseek(f, 0, SEEK_END);
  std::vector<char> b(ftell(f));
  fseek(f, 0, SEEK_SET);
  if (fread(b.data(), 1, b.size(), f) != b.size()) exit(2);
  fclose(f);
  return b;
}
static void Write(const char* dir, const char* name, const void* p, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "wb");
  if (!f || fwrite(p, 1, n, f) != n) { fprintf(stderr, "harness: cannot write %s\n", path); exit(2); }
  fclose(f);
}
int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const char* dir = argv[1];
  (void)argc;
@BODY@
  return 0;
}
"""


def build(halo, build_dir, src, models, work, extra=()):
    """Compiles the model into WORK/app; returns the header's parameters."""
    os.makedirs(work, exist_ok=True)
    code, log = run([halo, *models, "-o", os.path.join(work, "model.cc"), "--entry-func-name",
                     "model", *extra])
    if code != 0:
        raise Failure(log.strip().splitlines()[-1] if log.strip() else "halo failed")
    ps = params(os.path.join(work, "model.h"))
    body, args, outs = [], [], 0
    ins = 0
    for kind, ctype, name in ps:
        if kind == "input":
            body.append(f'  std::vector<char> in{ins} = Read(dir, "input_{ins}.bin");')
            args.append(f"reinterpret_cast<const {ctype}*>(in{ins}.data())")
            ins += 1
        elif kind == "output":
            body.append(f"  std::vector<char> out{outs}(atol(argv[2 + {outs}]));")
            args.append(f"reinterpret_cast<{ctype}*>(out{outs}.data())")
            outs += 1
        else:
            body.append(f"  int64_t shape{outs - 1}[8] = {{0}};")
            args.append(f"shape{outs - 1}")
    body.append(f"  if (model({', '.join(args)}) != 0) return 1;")
    o = 0
    for kind, ctype, name in ps:
        if kind == "output":
            body.append(f'  Write(dir, "output_{o}.bin", out{o}.data(), out{o}.size());')
            o += 1
        elif kind == "shape":
            body.append(f'  Write(dir, "shape_{o - 1}.bin", shape{o - 1}, sizeof shape{o - 1});')
    with open(os.path.join(work, "harness.cc"), "w") as f:
        f.write(HARNESS.replace("@BODY@", "\n".join(body)))
    inc = os.path.join(src, "include")
    for c in ("model.cc", "harness.cc"):
        code, log = run(["c++", "-std=c++17", "-O1", "-I", inc, "-I", work, "-c",
                         os.path.join(work, c), "-o", os.path.join(work, c + ".o")])
        if code != 0:
            raise Failure(f"c++ {c}: " + log[-2000:])
    code, log = run(["c++", os.path.join(work, "model.cc.o"), os.path.join(work, "harness.cc.o"),
                     os.path.join(work, "model.bin"), "-L", os.path.join(build_dir, "lib"),
                     "-l:libodla_ref.a", "-lpthread", "-o", os.path.join(work, "app")])
    if code != 0:
        raise Failure("link: " + log[-2000:])
    return ps


def execute(work, ps, inputs, out_bytes):
    """Runs WORK/app on `inputs` (arrays in parameter order); out_bytes: each output's
    buffer size. Returns the outputs as (raw bytes, shape or None)."""
    run_dir = os.path.join(work, "run")
    os.makedirs(run_dir, exist_ok=True)
    for i, a in enumerate(inputs):
        with open(os.path.join(run_dir, f"input_{i}.bin"), "wb") as f:
            f.write(np.ascontiguousarray(a).tobytes())
    code, log = run([os.path.join(work, "app"), run_dir, *[str(n) for n in out_bytes]])
    if code != 0:
        raise Failure("run: " + log.strip()[-500:])
    outs = []
    o = 0
    for kind, ctype, name in ps:
        if kind != "output":
            continue
        data = open(os.path.join(run_dir, f"output_{o}.bin"), "rb").read()
        shape_file = os.path.join(run_dir, f"shape_{o}.bin")
        shape = None
        if os.path.exists(shape_file):
            shape = np.fromfile(shape_file, dtype=np.int64)
        outs.append((np.frombuffer(data, dtype=CTYPES[ctype]), shape))
        o += 1
    return outs


def compare(got, want, atol=1e-4, rtol=1e-4):
    """'' when got matches want within (atol + rtol) * max|want|, else why not."""
    if got.size != want.size:
        return f"got {got.size} elements, expected {want.size} {want.shape}"
    got = got.reshape(want.shape).astype(np.float64)
    want = want.astype(np.float64)
    scale = float(np.abs(want).max()) if want.size else 0.0
    scale = scale if scale > 0 else 1.0
    err = np.abs(got - want)
    if not np.all(np.isfinite(got)) or float(err.max(initial=0)) > (atol + rtol) * scale:
        i = int(np.argmax(err))
        return (f"max |error| {float(err.max()):.3g} at flat index {i} "
                f"(got {got.ravel()[i]:.6g}, expected {want.ravel()[i]:.6g})")
    return ""
