"""Exports real architectures from PyTorch to ONNX, with PyTorch's own outputs as reference.

Usage: /usr/bin/python3 export_models.py OUT_DIR [NAME_opsetK ...]

Writes the ONNX backend-test layout, one test per model and opset (OPSETS, or OPSETS_OF):
  OUT_DIR/NAME_opsetK/model.onnx
  OUT_DIR/NAME_opsetK/test_data_set_0/input_0.pb ... output_0.pb  (onnx TensorProto files)
Weights are random (fixed seeds); BatchNorm statistics are calibrated on random batches and
then perturbed, so activations neither vanish nor explode and eval-mode BatchNorm is not the
identity. A test directory is written under a temporary name and renamed when complete; one
that exists with the stamp of this script's current text is kept, so reruns cost nothing.
"""
import hashlib
import os
import shutil
import sys
import warnings

import numpy as np
import onnx
import torch
import torchvision
from onnx import numpy_helper

OPSETS = (11, 13)
STAMP = "export.stamp"


def randomise_batchnorm(model, make_batch, seed):
    """Random affine parameters, then running statistics measured on random batches and
    perturbed, so that eval-mode BatchNorm normalises to a sensible scale."""
    g = torch.Generator().manual_seed(seed)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for bn in bns:
            n = bn.num_features
            bn.weight.copy_(torch.rand(n, generator=g) + 0.5)
            bn.bias.copy_(torch.randn(n, generator=g) * 0.1)
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the calibration batches
        model.train()
        for _ in range(2):
            model(make_batch(g))
        for bn in bns:
            n = bn.num_features
            bn.running_mean.add_(torch.randn(n, generator=g) * 0.05)
            bn.running_var.mul_(torch.rand(n, generator=g) * 0.4 + 0.8)
    model.eval()


def vision(name, build, seed):
    def make():
        torch.manual_seed(seed)
        model = build()
        randomise_batchnorm(model, lambda g: torch.randn(4, 3, 224, 224, generator=g), seed + 1)
        g = torch.Generator().manual_seed(seed + 2)
        x = torch.randn(1, 3, 224, 224, generator=g)
        return model, (x,), ["input"], ["output"], None
    return name, make


class Encoder(torch.nn.Module):
    """A 4-layer Transformer encoder over embedded tokens, with a key-padding mask."""

    def __init__(self, d_model=256, heads=4, layers=4):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=4 * d_model,
                                                 dropout=0.0, batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        # The encoder deep-copies one layer: give every layer its own weights.
        with torch.no_grad():
            for name, p in self.encoder.named_parameters():
                if p.dim() > 1:
                    torch.nn.init.xavier_uniform_(p)
                elif "norm" in name and name.endswith("weight"):
                    p.uniform_(0.5, 1.5)
                else:
                    p.normal_(0, 0.1)

    def forward(self, x, padding_mask):
        return self.encoder(x, src_key_padding_mask=padding_mask)


def transformer(seed):
    def make():
        torch.manual_seed(seed)
        model = Encoder().eval()
        g = torch.Generator().manual_seed(seed + 2)
        seq = 32
        x = torch.randn(1, seq, 256, generator=g)
        mask = torch.zeros(1, seq, dtype=torch.bool)
        mask[0, seq - 7:] = True  # the last 7 positions are padding
        # The reference must take the same (math) path as the export: PyTorch's fused
        # inference path is off while gradients are recorded.
        return model, (x, mask), ["x", "padding_mask"], ["output"], {"grad": True}
    return "transformer_encoder", make


MODELS = dict([
    vision("resnet50", lambda: torchvision.models.resnet50(), 100),
    vision("mobilenet_v2", lambda: torchvision.models.mobilenet_v2(), 200),
    vision("mobilenet_v3_large", lambda: torchvision.models.mobilenet_v3_large(), 300),
    vision("squeezenet1_1", lambda: torchvision.models.squeezenet1_1(), 400),
    vision("shufflenet_v2_x1_0", lambda: torchvision.models.shufflenet_v2_x1_0(), 500),
    transformer(600),
    # Opset 13 only (their operators are those of the models above, in new arrangements).
    vision("regnet_y_400mf", lambda: torchvision.models.regnet_y_400mf(), 800),
    vision("googlenet", lambda: torchvision.models.googlenet(aux_logits=False,
                                                             init_weights=True), 900),
    vision("densenet121", lambda: torchvision.models.densenet121(), 1000),
])
OPSETS_OF = {name: (13,) for name in
             ("regnet_y_400mf", "googlenet", "densenet121")}


def script_stamp():
    with open(os.path.abspath(__file__), "rb") as f:
        text = f.read()
    versions = f"torch {torch.__version__} torchvision {torchvision.__version__} " \
               f"onnx {onnx.__version__}"
    return hashlib.sha256(text + versions.encode()).hexdigest()


def is_current(path, stamp):
    try:
        with open(os.path.join(path, STAMP)) as f:
            return f.read().strip() == stamp
    except OSError:
        return False


def write_test(path, model, args, input_names, output_names, outputs, opset, stamp):
    tmp = f"{path}.tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "test_data_set_0"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, os.path.join(tmp, "model.onnx"), opset_version=opset,
                          input_names=input_names, output_names=output_names,
                          do_constant_folding=True)
    onnx.checker.check_model(os.path.join(tmp, "model.onnx"))
    data = os.path.join(tmp, "test_data_set_0")
    for i, (name, a) in enumerate(zip(input_names, args)):
        t = numpy_helper.from_array(a.detach().numpy(), name)
        with open(os.path.join(data, f"input_{i}.pb"), "wb") as f:
            f.write(t.SerializeToString())
    for i, (name, a) in enumerate(zip(output_names, outputs)):
        t = numpy_helper.from_array(a, name)
        with open(os.path.join(data, f"output_{i}.pb"), "wb") as f:
            f.write(t.SerializeToString())
    with open(os.path.join(tmp, STAMP), "w") as f:
        f.write(stamp + "\n")
    shutil.rmtree(path, ignore_errors=True)
    os.rename(tmp, path)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out = argv[1]
    wanted = set(argv[2:])
    tests = [(name, opset) for name in MODELS for opset in OPSETS_OF.get(name, OPSETS)
             if not wanted or f"{name}_opset{opset}" in wanted]
    unknown = wanted - {f"{n}_opset{k}" for n, k in tests}
    if unknown:
        sys.exit(f"unknown models: {' '.join(sorted(unknown))}")
    os.makedirs(out, exist_ok=True)
    stamp = script_stamp()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    for name in dict.fromkeys(n for n, _ in tests):
        todo = [k for n, k in tests if n == name and
                not is_current(os.path.join(out, f"{name}_opset{k}"), stamp)]
        if not todo:
            continue
        model, args, input_names, output_names, opts = MODELS[name]()
        with torch.set_grad_enabled(bool(opts and opts.get("grad"))):
            result = model(*args)
        results = result if isinstance(result, (tuple, list)) else (result,)
        outputs = [r.detach().numpy().astype(np.float32) for r in results]
        for opset in todo:
            path = os.path.join(out, f"{name}_opset{opset}")
            print(f"export_models: {name}_opset{opset}", flush=True)
            write_test(path, model, args, input_names, output_names, outputs, opset, stamp)


if __name__ == "__main__":
    main(sys.argv)
