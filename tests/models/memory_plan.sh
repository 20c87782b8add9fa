#!/usr/bin/env bash
# The static memory plan of real CNNs: `halo --report` on ResNet-50 and MobileNetV2 (exported
# by export_models.py into the real_models cache) must plan an arena within 10% of the lower
# bound (the most bytes live at one step). Usage: memory_plan.sh SRC BUILD
set -euo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
out="$build/real-models/torch"
models=(resnet50_opset13 mobilenet_v2_opset13)
/usr/bin/python3 "$src/tests/models/export_models.py" "$out" "${models[@]}"
status=0
for m in "${models[@]}"; do
  report="$("$build/bin/halo" --report "$out/$m/model.onnx")"
  arena=$(sed -n 's/^planned arena: *\([0-9]*\) bytes.*/\1/p' <<<"$report")
  bound=$(sed -n 's/^lower bound: *\([0-9]*\) bytes.*/\1/p' <<<"$report")
  if [ -z "$arena" ] || [ -z "$bound" ] || [ "$bound" -eq 0 ]; then
    echo "$m: no memory plan in the report" >&2
    status=1
  elif [ $((arena * 100)) -gt $((bound * 110)) ]; then
    echo "$m: arena $arena bytes exceeds 1.10 x the lower bound $bound" >&2
    status=1
  else
    echo "$m: arena $arena bytes, lower bound $bound bytes"
  fi
done
exit $status
