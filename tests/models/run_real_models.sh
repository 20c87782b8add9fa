#!/usr/bin/env bash
# Real models through the whole AOT path (halo -> C++ -> c++ -O1 -> run), each checked
# against the framework that made it:
#  - torchvision CNNs and a Transformer encoder exported by PyTorch at opsets 11 and 13
#    (export_models.py, cached in the build dir), within 1e-4 of PyTorch's output scale;
#  - transformer blocks in ops HALO translates itself (opsets 23, 24; ONNX Runtime's
#    com.microsoft ops; translated_models.py), within 1e-5 of numpy's float64 outputs;
#  - OpenCV's ONNX importer tests (../shared/models/opencv_extra/onnx), element-wise.
# Every test listed in expected_pass.txt must pass. Usage: run_real_models.sh SRC BUILD [RUNTIME]
# (RUNTIME: the ODLA runtime to link, build/lib/libodla_RUNTIME.so; default ref).
set -euo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
here="$src/tests/models"
out="$build/real-models"
python=/usr/bin/python3
runtime="${3:-ref}"

"$python" "$here/export_models.py" "$out/torch"
status=0
"$build/bin/halo-conformance" --runtime "$runtime" --expected "$here/expected_pass.txt" \
  --tolerance scale:1e-4 "$out/torch" || status=1

"$python" "$here/translated_models.py" "$out/translated"
"$build/bin/halo-conformance" --runtime "$runtime" --expected "$here/expected_pass.txt" \
  --tolerance scale:1e-5 "$out/translated" || status=1

opencv="$src/../shared/models/opencv_extra/onnx"
if [ -d "$opencv/models" ]; then
  "$python" "$here/convert_opencv_onnx.py" "$opencv" "$out/opencv"
  "$build/bin/halo-conformance" --runtime "$runtime" --expected "$here/expected_pass.txt" \
    "$out/opencv" || status=1
else
  echo "run_real_models: $opencv not found: OpenCV's ONNX tests come from ../shared beside" \
    "the repository (see ../shared/README.md)" >&2
  status=1
fi
exit $status
