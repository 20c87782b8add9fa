"""Times a benchmark model in PyTorch: the module it was exported from, eval mode, no_grad.

Usage: /usr/bin/python3 torch_bench.py MODEL_DIR BATCH THREADS WARMUP RUNS OUTPUT.bin
Writes the output of the last run to OUTPUT.bin (raw float32) and prints one JSON line,
{"times_ms": [...], "peak_rss_kb": N, "blas": PATH}: the wall time of each timed run, the
process's peak resident memory (VmHWM) and the BLAS library it loaded.
"""
import json
import os
import sys
import time

import numpy as np
import torch

import models


def main(argv):
    if len(argv) != 7:
        sys.exit(__doc__)
    model_dir, batch, threads, warmup, runs, out_path = argv[1:]
    batch, threads, warmup, runs = int(batch), int(threads), int(warmup), int(runs)
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    with open(os.path.join(model_dir, "meta.json")) as f:
        meta = json.load(f)
    name = os.path.basename(os.path.normpath(model_dir))
    model = models.build(name)
    model.load_state_dict(torch.load(os.path.join(model_dir, "weights.pt")))
    model.eval()
    x = np.fromfile(os.path.join(model_dir, f"input_b{batch}.bin"), np.float32)
    x = torch.from_numpy(x.reshape(batch, *meta["input_shape"]))
    times = []
    with torch.no_grad():
        for i in range(warmup + runs):
            start = time.perf_counter()
            y = model(x)
            if i >= warmup:
                times.append((time.perf_counter() - start) * 1e3)
    y.numpy().astype(np.float32).tofile(out_path)
    with open("/proc/self/status") as f:
        hwm = [int(line.split()[1]) for line in f if line.startswith("VmHWM:")]
    with open("/proc/self/maps") as f:
        blas = sorted({line.split()[-1] for line in f if "blas" in line.split()[-1]})
    print(json.dumps({"times_ms": times, "peak_rss_kb": hwm[0] if hwm else -1,
                      "blas": " ".join(blas)}))


if __name__ == "__main__":
    main(sys.argv)
