"""HALO's caffe.proto for Python: compiled by protoc --python_out into the build dir, then
imported. Shared by the Caffe test scripts."""
import importlib
import os
import subprocess
import sys

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTO_DIR = os.path.join(SRC, "src", "frontends", "caffe")


def load(build):
    """The caffe_pb2 module of src/frontends/caffe/caffe.proto (generated under BUILD)."""
    out = os.path.join(build, "caffe_py")
    os.makedirs(out, exist_ok=True)
    proto = os.path.join(PROTO_DIR, "caffe.proto")
    pb2 = os.path.join(out, "caffe_pb2.py")
    if not os.path.exists(pb2) or os.path.getmtime(pb2) < os.path.getmtime(proto):
        subprocess.run(["protoc", f"--python_out={out}", f"-I{PROTO_DIR}", proto], check=True)
    if out not in sys.path:
        sys.path.insert(0, out)
    return importlib.import_module("caffe_pb2")
