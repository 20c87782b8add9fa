"""The benchmark's models: PyTorch modules, exported once to ONNX with a dynamic batch.

Usage: /usr/bin/python3 bench/models.py OUT_DIR [NAME ...]

For each model writes OUT_DIR/NAME/: model.onnx (opset 13, 14 with PyTorch 2; batch dimension "batch"),
weights.pt (the module's state_dict, which torch_bench.py loads into the same architecture),
input_bN.bin for each batch size in BATCHES (raw float32, fixed seed) and meta.json (input and
output names and per-sample shapes). A directory whose export.stamp matches this script, the
scripts it reuses and the library versions is kept, so reruns cost nothing.
"""
import hashlib
import json
import os
import shutil
import sys
import warnings

import numpy as np
import onnx
import torch
import torchvision
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "models"))
sys.path.insert(0, os.path.join(ROOT, "examples", "mnist"))
import export_models  # noqa: E402  (torchvision exports of the real-model tests)
import train as mnist_train  # noqa: E402  (the MNIST example's architecture)

# PyTorch 2's encoder layers trace to scaled_dot_product_attention, which ONNX exports from
# opset 14 on (Debian's PyTorch 1.13, which the CPU benchmark uses, exports opset 13).
OPSET = 13 if int(torch.__version__.split(".")[0]) < 2 else 14
BATCHES = (1, 8)
MNIST_ONNX = os.path.join(ROOT, "examples", "mnist", "mnist.onnx")


class BertEncoder(torch.nn.Module):
    """BERT-base's encoder stack: 12 post-norm layers, hidden 768, 12 heads, FFN 3072, GELU,
    LayerNorm eps 1e-12, over already embedded tokens (no mask: every position is a token)."""

    def __init__(self, d_model=768, heads=12, layers=12, ffn=3072):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(d_model, heads, ffn, dropout=0.0,
                                                 activation="gelu", layer_norm_eps=1e-12,
                                                 batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)

    def randomise(self, seed):
        """BERT's initialisation, N(0, 0.02), with non-trivial LayerNorms and biases (the
        layers are deep copies of one layer: each gets its own weights)."""
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, p in self.encoder.named_parameters():
                if p.dim() > 1:
                    p.copy_(torch.randn(p.shape, generator=g) * 0.02)
                elif "norm" in name and name.endswith("weight"):
                    p.copy_(torch.rand(p.shape, generator=g) + 0.5)
                else:
                    p.copy_(torch.randn(p.shape, generator=g) * 0.02)

    def forward(self, x):
        return self.encoder(x)


# name -> (architecture builder, input name, per-sample input shape, output name)
ARCH = {
    "resnet50": (torchvision.models.resnet50, "input", (3, 224, 224), "output"),
    "mobilenet_v2": (torchvision.models.mobilenet_v2, "input", (3, 224, 224), "output"),
    "squeezenet1_1": (torchvision.models.squeezenet1_1, "input", (3, 224, 224), "output"),
    "bert_base_encoder": (BertEncoder, "x", (128, 768), "output"),
    "mnist": (mnist_train.make_model, "input", (1, 28, 28), "logits"),
}


def build(name):
    """The architecture with random weights, in eval mode (torch_bench.py loads the real ones)."""
    return ARCH[name][0]().eval()


def weighted(name):
    """The module with the weights that get exported."""
    if name in export_models.MODELS:  # the real-model tests' seeds and BatchNorm calibration
        return export_models.MODELS[name]()[0].eval()
    model = build(name)
    if name == "bert_base_encoder":
        model.randomise(700)
    elif name == "mnist":  # the trained example: its ONNX initialisers are the state_dict
        state = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
                 for t in onnx.load(MNIST_ONNX).graph.initializer}
        model.load_state_dict(state)
    return model.eval()


def stamp():
    h = hashlib.sha256()
    for path in (__file__, export_models.__file__, mnist_train.__file__, MNIST_ONNX):
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(f"torch {torch.__version__} torchvision {torchvision.__version__} "
             f"onnx {onnx.__version__}".encode())
    return h.hexdigest()


def export(name, path, stamp_text):
    _, in_name, in_shape, out_name = ARCH[name]
    model = weighted(name)
    tmp = f"{path}.tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    sample = torch.zeros(1, *in_shape)
    # Gradients on: PyTorch's fused encoder inference path (taken under no_grad) cannot be
    # exported; the export traces the same computation unfused.
    with warnings.catch_warnings(), torch.enable_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (sample,), os.path.join(tmp, "model.onnx"), opset_version=OPSET,
                          input_names=[in_name], output_names=[out_name],
                          dynamic_axes={in_name: {0: "batch"}, out_name: {0: "batch"}},
                          do_constant_folding=True)
    with torch.no_grad():
        out_shape = list(model(sample).shape[1:])
    onnx.checker.check_model(os.path.join(tmp, "model.onnx"))
    torch.save(model.state_dict(), os.path.join(tmp, "weights.pt"))
    rng = np.random.default_rng(800)
    for b in BATCHES:
        x = rng.standard_normal((b, *in_shape), dtype=np.float32)
        if name == "mnist":
            x = rng.random((b, *in_shape), dtype=np.float32)  # pixels in [0, 1)
        x.tofile(os.path.join(tmp, f"input_b{b}.bin"))
    meta = {"input": in_name, "input_shape": list(in_shape), "output": out_name,
            "output_shape": out_shape, "batches": list(BATCHES), "opset": OPSET}
    with open(os.path.join(tmp, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    with open(os.path.join(tmp, "export.stamp"), "w") as f:
        f.write(stamp_text + "\n")
    shutil.rmtree(path, ignore_errors=True)
    os.rename(tmp, path)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out, names = argv[1], argv[2:] or list(ARCH)
    unknown = [n for n in names if n not in ARCH]
    if unknown:
        sys.exit(f"models.py: unknown models {unknown} (known: {' '.join(ARCH)})")
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    text = stamp()
    for name in names:
        path = os.path.join(out, name)
        try:
            with open(os.path.join(path, "export.stamp")) as f:
                if f.read().strip() == text:
                    continue
        except OSError:
            pass
        print(f"models.py: exporting {name}", flush=True)
        export(name, path, text)


if __name__ == "__main__":
    main(sys.argv)
