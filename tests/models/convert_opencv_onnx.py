"""Puts OpenCV's ONNX importer tests into the ONNX backend-test layout.

Usage: /usr/bin/python3 convert_opencv_onnx.py SRC_DIR OUT_DIR

SRC_DIR is opencv_extra's testdata/dnn/onnx: models/NAME.onnx with data/input_NAME.npy and
data/output_NAME.npy (input_NAME_0.npy, input_NAME_1.npy, ... for several). Each model
becomes OUT_DIR/NAME/model.onnx with test_data_set_0/{input,output}_N.pb. A test is written
under a temporary name and renamed when complete; an up-to-date one is kept.
"""
import glob
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def arrays(data_dir, kind, name):
    """The .npy files of one side of a test, in order: KIND_NAME.npy or KIND_NAME_N.npy."""
    single = os.path.join(data_dir, f"{kind}_{name}.npy")
    if os.path.exists(single):
        return [single]
    files = []
    while os.path.exists(os.path.join(data_dir, f"{kind}_{name}_{len(files)}.npy")):
        files.append(os.path.join(data_dir, f"{kind}_{name}_{len(files)}.npy"))
    return files


def convert(model_path, data_dir, out_dir):
    name = os.path.splitext(os.path.basename(model_path))[0]
    inputs, outputs = arrays(data_dir, "input", name), arrays(data_dir, "output", name)
    if not inputs or not outputs:
        print(f"convert_opencv_onnx: {name}: no reference data, skipped")
        return
    path = os.path.join(out_dir, name)
    sources = [model_path] + inputs + outputs
    if os.path.isdir(path) and os.path.getmtime(path) >= max(map(os.path.getmtime, sources)):
        return
    model = onnx.load(model_path)
    initializers = {t.name for t in model.graph.initializer}
    input_names = [i.name for i in model.graph.input if i.name not in initializers]
    output_names = [o.name for o in model.graph.output]
    tmp = f"{path}.tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    data = os.path.join(tmp, "test_data_set_0")
    os.makedirs(data)
    shutil.copyfile(model_path, os.path.join(tmp, "model.onnx"))
    for kind, files, names in (("input", inputs, input_names), ("output", outputs, output_names)):
        for i, f in enumerate(files):
            tensor_name = names[i] if i < len(names) else f"{kind}_{i}"
            t = numpy_helper.from_array(np.load(f), tensor_name)
            with open(os.path.join(data, f"{kind}_{i}.pb"), "wb") as out:
                out.write(t.SerializeToString())
    shutil.rmtree(path, ignore_errors=True)
    os.rename(tmp, path)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    src, out = argv[1], argv[2]
    models = sorted(glob.glob(os.path.join(src, "models", "*.onnx")))
    if not models:
        sys.exit(f"convert_opencv_onnx: {src}/models holds no .onnx file")
    os.makedirs(out, exist_ok=True)
    for m in models:
        convert(m, os.path.join(src, "data"), out)


if __name__ == "__main__":
    main(sys.argv)
