"""merge-transposes on attention as PyTorch exports it, at a batch size above 1 (at batch 1
cancel-transposes already makes the layer's Transposes Reshapes, which real_models covers).

A 2-layer nn.TransformerEncoder (batch_first, 4 heads of 16) exported at batch 3: `halo --report`
must show 4 Transposes per layer (6 with --disable-pass merge-transposes) and no Add (the second
fuse-gemm run fuses the attention output's residual Add, which merge-transposes leaves after a
Reshape of the out-projection), and `halo run` must match PyTorch within 1e-4 of the output's
scale. Usage: attention_transposes.py BUILD_DIR
"""
import os
import subprocess
import sys
import warnings

import numpy as np
import torch

LAYERS, BATCH, SEQ, D_MODEL, HEADS = 2, 3, 16, 64, 4


def fail(msg):
    print(f"attention_transposes: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def count(halo, model, op, *extra):
    r = subprocess.run([halo, model, "--report", *extra], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"halo --report {' '.join(extra)}: {r.stderr.strip()}")
    return sum(1 for line in r.stdout.splitlines()[2:] if line.split()[1:2] == [op])


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    build = os.path.abspath(argv[1])
    halo = f"{build}/bin/halo"
    work = f"{build}/attention-transposes"
    os.makedirs(f"{work}/out", exist_ok=True)
    torch.manual_seed(11)
    layer = torch.nn.TransformerEncoderLayer(D_MODEL, HEADS, dim_feedforward=2 * D_MODEL,
                                             dropout=0.0, batch_first=True)
    model = torch.nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False).eval()
    with torch.no_grad():
        for p in model.parameters():  # every layer its own weights (the encoder copies one)
            p.normal_(0, 0.2)
    x = torch.randn(BATCH, SEQ, D_MODEL, generator=torch.Generator().manual_seed(12))
    with torch.enable_grad():  # the math path, which the export takes too (not the fused one)
        want = model(x).detach().numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), f"{work}/model.onnx", opset_version=13,
                          input_names=["x"], output_names=["y"])
    np.save(f"{work}/x.npy", x.numpy())

    got, unmerged = count(halo, f"{work}/model.onnx", "Transpose"), count(
        halo, f"{work}/model.onnx", "Transpose", "--disable-pass", "merge-transposes")
    adds = count(halo, f"{work}/model.onnx", "Add")
    print(f"attention_transposes: {got} Transposes ({unmerged} without merge-transposes) "
          f"and {adds} Adds in {LAYERS} layers")
    if (got, unmerged) != (4 * LAYERS, 6 * LAYERS):
        fail(f"expected {4 * LAYERS} and {6 * LAYERS} Transposes")
    if adds:
        fail("expected every residual Add fused into a product")

    r = subprocess.run([halo, "run", f"{work}/model.onnx", "--input", f"x={work}/x.npy",
                        "--output-dir", f"{work}/out"], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"halo run: {r.stderr.strip()}")
    y = np.load(f"{work}/out/y.npy")
    if y.shape != want.shape:
        fail(f"result shape {y.shape}, PyTorch's {want.shape}")
    diff, scale = float(np.abs(y - want).max()), float(np.abs(want).max())
    print(f"attention_transposes: max |halo - PyTorch| {diff:.3g} (output scale {scale:.3g})")
    if not diff <= 1e-4 * scale:
        fail("results differ from PyTorch's")


if __name__ == "__main__":
    main(sys.argv)
