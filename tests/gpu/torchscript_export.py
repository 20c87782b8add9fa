"""Runs a Python script with torch.onnx.export defaulting to the TorchScript exporter
(dynamo=False) where PyTorch (2.9 and later) defaults to the dynamo one: the project's export
scripts (tests/models/export_models.py, bench/models.py) were written for PyTorch 1.13's
exporter and its graphs. Elsewhere it changes nothing.

Usage: python3 torchscript_export.py SCRIPT ARGS...   (or import it and call patch())
"""
import inspect
import os
import runpy
import sys

import torch


def patch():
    export = torch.onnx.export
    if "dynamo" not in inspect.signature(export).parameters or getattr(export, "halo_ts", 0):
        return

    def torchscript_export(*args, **kw):
        kw.setdefault("dynamo", False)
        return export(*args, **kw)
    torchscript_export.halo_ts = 1
    torch.onnx.export = torchscript_export


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    patch()
    script = os.path.abspath(sys.argv[1])
    sys.argv = sys.argv[1:]
    sys.path.insert(0, os.path.dirname(script))
    runpy.run_path(script, run_name="__main__")
