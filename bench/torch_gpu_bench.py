"""Times a benchmark model in PyTorch eager on CUDA: the module it was exported from (eval,
no_grad, cuDNN), with TF32 off for fp32 (torch.backends.cudnn.allow_tf32 and
torch.backends.cuda.matmul.allow_tf32 False) and on for tf32.

Usage: python3 torch_gpu_bench.py MODEL_DIR INPUT.bin BATCH PRECISION WARMUP RUNS OUTPUT.bin
Prints one JSON line: {"times_ms": [...], "device_times_ms": [...], "device": NAME,
"torch": VERSION, "cuda": VERSION, "cudnn": VERSION}. times_ms: each run from the host input
to the host output (copy in, forward, copy out, torch.cuda.synchronize), the work a halo call
does; device_times_ms: the forward alone on a device-resident input, synchronized. Without
CUDA it prints {"error": "..."} and exits 3. With BENCH_TORCH_PROFILE=FILE it then appends
torch.profiler's table of 5 more runs to FILE.
"""
import json
import os
import sys
import time

import numpy as np
import torch

import models


def profile(model, x_host, title, path):
    """Appends torch.profiler's table of 5 runs (host input to host output), the most GPU
    time first, to `path`; or why there is none."""
    try:
        from torch.profiler import ProfilerActivity
        with torch.profiler.profile(activities=[ProfilerActivity.CPU,
                                                ProfilerActivity.CUDA]) as p:
            for _ in range(5):
                model(x_host.cuda()).cpu()
                torch.cuda.synchronize()
        averages = p.key_averages()
        try:
            table = averages.table(sort_by="device_time_total", row_limit=40)
        except (KeyError, AttributeError, ValueError):
            table = averages.table(sort_by="cuda_time_total", row_limit=40)
        text = f"## {title}: torch.profiler, 5 runs\n{table}\n"
    except Exception as e:  # the profiler needs CUPTI, which a wheel may lack
        text = f"## {title}: torch.profiler failed: {type(e).__name__}: {e}\n"
    with open(path, "a") as f:
        f.write(text)


def main(argv):
    if len(argv) != 8:
        sys.exit(__doc__)
    model_dir, in_path, batch, precision, warmup, runs, out_path = argv[1:]
    batch, warmup, runs = int(batch), int(warmup), int(runs)
    if not torch.cuda.is_available():
        print(json.dumps({"error": f"PyTorch {torch.__version__} has no CUDA device "
                          f"(built with CUDA {torch.version.cuda})"}))
        return 3
    tf32 = precision == "tf32"
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = False
    with open(os.path.join(model_dir, "meta.json")) as f:
        meta = json.load(f)
    name = os.path.basename(os.path.normpath(model_dir))
    model = models.build(name)
    model.load_state_dict(torch.load(os.path.join(model_dir, "weights.pt"), map_location="cpu"))
    model = model.eval().cuda()
    x_host = torch.from_numpy(np.fromfile(in_path, np.float32).reshape(batch,
                                                                       *meta["input_shape"]))
    times, device_times = [], []
    with torch.no_grad():
        for i in range(warmup + runs):
            torch.cuda.synchronize()
            start = time.perf_counter()
            y = model(x_host.cuda()).cpu()
            torch.cuda.synchronize()
            if i >= warmup:
                times.append((time.perf_counter() - start) * 1e3)
        x = x_host.cuda()
        for i in range(warmup + runs):
            torch.cuda.synchronize()
            start = time.perf_counter()
            model(x)
            torch.cuda.synchronize()
            if i >= warmup:
                device_times.append((time.perf_counter() - start) * 1e3)
        if os.environ.get("BENCH_TORCH_PROFILE"):
            profile(model, x_host, f"{name} batch {batch} {precision}",
                    os.environ["BENCH_TORCH_PROFILE"])
    y.numpy().astype(np.float32).tofile(out_path)
    print(json.dumps({"times_ms": times, "device_times_ms": device_times,
                      "device": torch.cuda.get_device_name(0), "torch": torch.__version__,
                      "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
