"""Compiles large models with halo, measures halo's peak memory, and runs the compiled models.

Usage: large_model_test.py SOURCE_DIR BUILD_DIR [--big]

Default: an MLP with 304 MiB of float weights, as ONNX external data, inline as initializers,
inline as Constant nodes, and transposed (constant folding transposes them back). halo's peak resident memory must stay within
1.5 x the weights + ALLOWANCE (code, libraries and the IR); the compiled model, linked with
libodla_ref, must compute what numpy computes.

--big (runs only when HALO_BIG_TESTS=1, else exits with 77: skipped): a 2.0 GiB model
(external data; one weight tensor is over 2 GB, the next lies past 2 GB in the weights
object), the same checks; then the progress line when halo's stderr is a terminal, for a
slow compile (the 304 MiB model with --emit-data-as-c: it must show when halo takes over
3 s, and be cleared). Needs about 7 GB of disk and a minute or two.
The models are cached under BUILD_DIR/cache/large.
"""
import os
import pty
import select
import subprocess
import sys
import time

import numpy as np

ALLOWANCE = 60 << 20  # halo's code, ONNX and protobuf libraries, the IR: measured ~10 MB

APP = r"""
#include <stdio.h>
#include <stdlib.h>
#include "mlp.h"
/* app X.bin Y.bin N_IN N_OUT: runs the model on raw floats. */
int main(int argc, char** argv) {
  if (argc != 5) return 2;
  long n_in = atol(argv[3]), n_out = atol(argv[4]);
  float* x = malloc(n_in * sizeof(float));
  float* y = malloc(n_out * sizeof(float));
  FILE* f = fopen(argv[1], "rb");
  if (!f || fread(x, sizeof(float), n_in, f) != (size_t)n_in) return 3;
  fclose(f);
  if (mlp(x, y) != 0) return 4;
  f = fopen(argv[2], "wb");
  if (!f || fwrite(y, sizeof(float), n_out, f) != (size_t)n_out) return 5;
  fclose(f);
  mlp_fini();
  return 0;
}
"""


def fail(msg):
    sys.exit(f"FAIL: {msg}")


def step(msg):
    print(f"== {msg}", flush=True)


def run_measured(cmd):
    """Runs cmd; returns (exit status, stderr, peak RSS in bytes, seconds)."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, err.decode(errors="replace"), usage.ru_maxrss * 1024, \
        time.monotonic() - start


def run_on_terminal(cmd):
    """Runs cmd with its stderr on a pseudo-terminal; returns (exit status, what it wrote)."""
    master, slave = pty.openpty()
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    os.close(master)
    return p.wait(), out.decode(errors="replace"), time.monotonic() - start


def check_model(src, build, name, model_dir, widths, work):
    halo = os.path.join(build, "bin", "halo")
    weights = sum(a * b * 4 + b * 4 for a, b in zip(widths, widths[1:]))
    out = os.path.join(work, name)
    os.makedirs(out, exist_ok=True)
    cc = os.path.join(out, "mlp.cc")

    step(f"{name}: halo {model_dir}/model.onnx ({weights / 2**20:.0f} MiB of weights)")
    cmd = [halo, os.path.join(model_dir, "model.onnx"), "-o", cc, "--entry-func-name", "mlp"]
    rc, err, peak, secs = run_measured(cmd)
    if rc != 0:
        fail(f"halo exited with {rc}: {err}")
    if err:
        fail(f"halo wrote to stderr (not a terminal: no progress line): {err!r}")
    limit = 1.5 * weights + ALLOWANCE
    print(f"peak RSS {peak / 2**20:.0f} MiB = {peak / weights:.2f} x the weights "
          f"(limit 1.5 x + {ALLOWANCE >> 20} MiB = {limit / 2**20:.0f} MiB), {secs:.1f} s")
    if peak > limit:
        fail(f"halo's peak RSS {peak} bytes is over {limit:.0f}")
    bin_size = os.path.getsize(os.path.join(out, "mlp.bin"))
    if bin_size < weights:
        fail(f"mlp.bin has {bin_size} bytes, fewer than the {weights} of the weights")

    step(f"{name}: compile, link and run")
    with open(os.path.join(out, "app.c"), "w") as f:
        f.write(APP)
    cxx = ["c++", "-std=c++17", "-O1", "-I", os.path.join(src, "include")]
    subprocess.run(cxx + ["-c", cc, "-o", os.path.join(out, "mlp.o")], check=True)
    subprocess.run(["cc", "-std=c99", "-I", out, "-c", os.path.join(out, "app.c"), "-o",
                    os.path.join(out, "app.o")], check=True)
    app = os.path.join(out, "app")
    subprocess.run(["c++", os.path.join(out, "app.o"), os.path.join(out, "mlp.o"),
                    os.path.join(out, "mlp.bin"), "-L", os.path.join(build, "lib"),
                    "-l:libodla_ref.a", "-lpthread", "-o", app], check=True)
    os.remove(os.path.join(out, "mlp.bin"))  # the executable holds the weights now
    x = np.load(os.path.join(model_dir, "x.npy"))
    want = np.load(os.path.join(model_dir, "y.npy"))
    x.tofile(os.path.join(out, "x.bin"))
    subprocess.run([app, os.path.join(out, "x.bin"), os.path.join(out, "y.bin"), str(x.size),
                    str(want.size)], check=True)
    y = np.fromfile(os.path.join(out, "y.bin"), dtype=np.float32).reshape(want.shape)
    if not np.allclose(y, want, rtol=1e-3, atol=1e-3):
        fail(f"{name}: outputs differ from numpy: max |diff| {np.abs(y - want).max()}")
    print(f"outputs match numpy (max |diff| {np.abs(y - want).max():.2e})")
    os.remove(app)
    return cmd, secs


def main(src, build, big):
    if big and os.environ.get("HALO_BIG_TESTS") != "1":
        print("skipped: set HALO_BIG_TESTS=1 to run the 2.2 GB model")
        sys.exit(77)
    make = os.path.join(src, "tests", "large", "make_large_model.py")
    cache = os.path.join(build, "cache", "large")
    work = os.path.join(build, "test_tmp", "large")
    os.makedirs(work, exist_ok=True)
    if not big:
        widths = [2048] * 20  # 19 layers of 16 MiB
        for name, extra in (("external", []), ("inline", ["--inline"]),
                            ("constants", ["--constants"]), ("transposed", ["--transposed"])):
            model_dir = os.path.join(cache, name)
            step(f"make the {name} model")
            subprocess.run([sys.executable, make, model_dir, "x".join(map(str, widths))] + extra,
                           check=True)
            check_model(src, build, name, model_dir, widths, work)
    else:
        widths = [4096, 131200, 64]  # a 2.0 GiB matrix, then one that starts past 2 GiB
        model_dir = os.path.join(cache, "big")
        step("make the big model")
        subprocess.run([sys.executable, make, model_dir, "x".join(map(str, widths))],
                       check=True)
        cmd, secs = check_model(src, build, "big", model_dir, widths, work)
        # The progress line: on a terminal, for a compile that takes a while (weights as C).
        small = os.path.join(cache, "external")
        subprocess.run([sys.executable, make, small, "x".join(["2048"] * 20)], check=True)
        out = os.path.join(work, "progress")
        os.makedirs(out, exist_ok=True)
        step("the progress line on a terminal: halo --emit-data-as-c")
        rc, text, secs = run_on_terminal([cmd[0], os.path.join(small, "model.onnx"), "-o",
                                          os.path.join(out, "m.cc"), "--emit-data-as-c"])
        for f in os.listdir(out):
            os.remove(os.path.join(out, f))
        if rc != 0:
            fail(f"halo on a terminal exited with {rc}: {text!r}")
        lines = [s for s in text.split("\r") if s.strip()]
        print(f"{len(lines)} progress updates in {secs:.1f} s" +
              (f", the last {lines[-1]!r}" if lines else ""))
        if secs > 3 and not any(s.startswith("halo: emit: ") for s in lines):
            fail("no progress line for the emit phase although halo took over 3 s")
        if any(not s.startswith("halo: ") for s in lines):
            fail(f"not a progress line in {text!r}")
        if text and not text.endswith("\r"):
            fail(f"the progress line was not cleared: {text[-80:]!r}")
        for f in os.listdir(os.path.join(work, "big")):
            os.remove(os.path.join(work, "big", f))
    print("large models: all passed")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--big"):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], len(sys.argv) == 4)
