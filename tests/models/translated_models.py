"""Writes the transformer models of tests/e2e/make_models.py and make_genai_models.py whose
ops HALO translates itself (opsets 23 and 24; ONNX Runtime's com.microsoft ops, among them
onnxruntime-genai's decoder layer) in the ONNX backend-test layout, with their numpy float64
outputs as references, for halo-conformance on every runtime.
Usage: translated_models.py OUT"""
import os
import shutil
import sys
import tempfile

import numpy as np
from onnx import numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import make_genai_models  # noqa: E402
import make_models  # noqa: E402

# test name -> (the make_models function, its inputs, its outputs), as make_models names the
# files: MODEL.onnx, PREFIX_INPUT.npy, PREFIX_OUTPUT.npy.
MODELS = {
    "decoder_block24": (make_models.decoder_block24, "decoder",
                        ["x", "pos", "past_k", "past_v"], ["y", "present_k", "present_v"]),
    "bert_layer_ort": (make_models.bert_layer_ort, "bert", ["ids", "mask"], ["y"]),
    "genai_decoder": (make_genai_models.genai_decoder, "genai",
                      ["input_ids", "attention_mask", "past_k", "past_v"],
                      ["y", "present_k", "present_v"]),
}


def main(out):
    with tempfile.TemporaryDirectory() as tmp:
        for name, (make, prefix, inputs, outputs) in MODELS.items():
            make(tmp)
            test = os.path.join(out, name)
            data = os.path.join(test, "test_data_set_0")
            os.makedirs(data, exist_ok=True)
            shutil.copy(os.path.join(tmp, f"{name}.onnx"), os.path.join(test, "model.onnx"))
            for kind, names in (("input", inputs), ("output", outputs)):
                for i, n in enumerate(names):
                    a = np.load(os.path.join(tmp, f"{prefix}_{n}.npy"))
                    if a.dtype == np.float64:
                        a = a.astype(np.float32)
                    with open(os.path.join(data, f"{kind}_{i}.pb"), "wb") as f:
                        f.write(numpy_helper.from_array(a, n).SerializeToString())


if __name__ == "__main__":
    main(sys.argv[1])
