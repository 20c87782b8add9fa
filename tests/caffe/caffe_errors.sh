#!/usr/bin/env bash
# Bad Caffe inputs: each gives one clear error line, a non-zero exit and no output files.
# Usage: caffe_errors.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
halo="$build/bin/halo"
work="$build/test_tmp/caffe_errors"
rm -rf "$work" && mkdir -p "$work/out"
cd "$work"
failures=0

# expect NAME TEXT... -- ARGS: halo ARGS fails with exit 1, one line holding every TEXT.
expect() {
  local name="$1"
  shift
  local texts=()
  while [ "$1" != "--" ]; do texts+=("$1"); shift; done
  shift
  local log code
  log="$("$halo" "$@" 2>&1)"
  code=$?
  local ok=1
  [ "$code" = 1 ] || ok=0
  [ "$(printf '%s\n' "$log" | wc -l)" = 1 ] || ok=0
  for t in "${texts[@]}"; do [[ "$log" == *"$t"* ]] || ok=0; done
  [ -z "$(ls -A out)" ] || ok=0
  if [ "$ok" = 1 ]; then
    echo "ok   $name: $log"
  else
    echo "FAIL $name (exit $code, files: $(ls -A out)): $log"
    failures=$((failures + 1))
  fi
  rm -rf out && mkdir out
}

net() {  # net FILE LAYERS...: an input [1, 2, 4, 4] then the layers
  { echo 'name: "t" input: "data" input_shape { dim: 1 dim: 2 dim: 4 dim: 4 }'; shift 0; cat; } > "$1"
}

net syntax.prototxt <<'P'
layer {
  name: "relu" type: "ReLU"
  bottom: "data" top: "relu"
  relu_param { negative_slope: }
}
P
expect syntax "syntax.prototxt" "line 5, column" -- syntax.prototxt -o out/m.cc

net missing_bottom.prototxt <<'P'
layer { name: "relu" type: "ReLU" bottom: "dat" top: "relu" }
P
expect missing_bottom "missing_bottom.prototxt" "layer 'relu' (ReLU)" "bottom blob 'dat'" \
  "produced by no layer" -- missing_bottom.prototxt -o out/m.cc

net unknown_type.prototxt <<'P'
layer { name: "frob" type: "Frobnicate" bottom: "data" top: "frob" }
P
expect unknown_type "unknown_type.prototxt" "layer 'frob'" "unsupported layer type 'Frobnicate'" \
  -- unknown_type.prototxt -o out/m.cc

# The weights of a 3-output convolution for a prototxt that asks for 4 outputs.
net conv3.prototxt <<'P'
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
  convolution_param { num_output: 3 kernel_size: 1 } }
P
sed 's/num_output: 3/num_output: 4/' conv3.prototxt > conv4.prototxt
/usr/bin/python3 "$src/tests/caffe/make_caffe_weights.py" "$build" conv3.prototxt conv3.caffemodel ||
  failures=$((failures + 1))
expect blob_shape "conv4.prototxt" "layer 'conv' (Convolution)" "weight blob has shape 3x2x1x1" \
  "the prototxt implies 4x2x1x1" -- conv4.prototxt conv3.caffemodel -o out/m.cc
expect no_weights "conv4.prototxt" "layer 'conv' (Convolution)" "no weight blob" \
  -- conv4.prototxt -o out/m.cc
expect not_a_caffemodel "conv4.prototxt" "not a Caffe weights file" \
  -- conv4.prototxt conv4.prototxt -o out/m.cc

expect weights_only "conv3.caffemodel" "give the network's .prototxt too" \
  -- conv3.caffemodel -o out/m.cc
printf 'name: "t"\ninput: "data"\nlayer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n' \
  > no_shape.prototxt
expect input_without_shape "no_shape.prototxt" "input 'data' has no shape" "--input-shape" \
  -- no_shape.prototxt -o out/m.cc
# The weights may come first; --input-shape gives a shape; -x caffe takes any file name.
cp conv3.prototxt conv3.txt
if ! "$halo" conv3.caffemodel conv3.prototxt -o out/m.cc || ! "$halo" no_shape.prototxt \
  --input-shape data:1x2x3x3 -o out/m.cc || ! "$halo" -x caffe conv3.txt conv3.caffemodel \
  -o out/m.cc; then
  echo "FAIL weights_first / input_shape / -x caffe: halo failed"
  failures=$((failures + 1))
fi

if [ "$failures" != 0 ]; then
  echo "$failures Caffe error case(s) failed"
  exit 1
fi
echo "caffe errors: all passed"
