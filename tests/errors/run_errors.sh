#!/usr/bin/env bash
# Error cases of `halo`: each must print exactly one line on stderr naming the file (and the
# node and operator where there is one) with the reason, exit non-zero and leave no file
# behind. Usage: run_errors.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
halo="$build/bin/halo"
work="$build/test_tmp/errors"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
/usr/bin/python3 "$src/tests/e2e/make_models.py" models || exit 1
echo "not a directory" > regular_file

failures=0
# expect NAME WANT_RC 'PATTERN'... -- HALO_ARGS...: runs halo with an empty out/ directory.
expect() {
  local name="$1" want_rc="$2"
  shift 2
  local patterns=()
  while [ "$1" != "--" ]; do patterns+=("$1"); shift; done
  shift
  rm -rf out && mkdir out
  "$halo" "$@" > stdout.txt 2> stderr.txt
  local rc=$?
  local problems=""
  [ "$rc" = "$want_rc" ] || problems+=" exit code $rc (want $want_rc);"
  [ "$(wc -l < stderr.txt)" = 1 ] || problems+=" $(wc -l < stderr.txt) lines on stderr;"
  grep -q '^halo: ' stderr.txt || problems+=" no 'halo: ' prefix;"
  for p in "${patterns[@]}"; do
    grep -qiF -- "$p" stderr.txt || problems+=" stderr lacks '$p';"
  done
  [ -z "$(ls -A out)" ] || problems+=" left files: $(ls -A out);"
  [ "$(ls -A . | grep -c '\.tmp')" = 0 ] || problems+=" left temporaries;"
  if [ -n "$problems" ]; then
    echo "FAIL $name:$problems"
    sed 's/^/    stderr: /' stderr.txt
    failures=$((failures + 1))
  else
    echo "ok   $name: $(cat stderr.txt)"
  fi
}

expect missing_file 1 "models/missing.onnx" -- models/missing.onnx -o out/m.cc
expect truncated_file 1 "models/truncated.onnx" -- models/truncated.onnx -o out/m.cc
expect not_a_model 1 "models/not_a_model.onnx" -- models/not_a_model.onnx -o out/m.cc
expect unknown_operator 1 "models/foobar.onnx" "node 'foo'" "FooBar" -- \
  models/foobar.onnx -o out/m.cc
expect unsupported_type 1 "models/string_input.onnx" "string" -- \
  models/string_input.onnx -o out/m.cc
expect data_dependent_shape 1 "models/nonzero_transpose.onnx" "node 'transpose' (Transpose)" \
  "input 'data'" "data-dependent shape" -- models/nonzero_transpose.onnx -o out/m.cc
expect inconsistent_shape 1 "models/bad_shape.onnx" "node 'bad_add' (Add)" "2x3" -- \
  models/bad_shape.onnx -o out/m.cc
# A file over protobuf's 2 GB (sparse: it takes no disk space).
truncate -s 2200M models/over_2gb.onnx
expect over_2gb_inline 1 "models/over_2gb.onnx" "over 2 GB" "external data" -- \
  models/over_2gb.onnx -o out/m.cc
rm -f models/over_2gb.onnx
expect unwritable_output 1 "regular_file/m." -- models/add_relu.onnx -o regular_file/m.cc
expect missing_output_dir 1 "out/no_such_dir/m." -- models/add_relu.onnx -o out/no_such_dir/m.cc
expect run_missing_input 1 "models/add_relu.onnx" "input 'x'" -- \
  run models/add_relu.onnx --output-dir out
expect run_wrong_input_type 1 "models/x_f64.npy" "f32[2x3]" "f64[2x3]" -- \
  run models/add_relu.onnx --input x=models/x_f64.npy --output-dir out
expect run_unknown_input 1 "no input 'z'" -- \
  run models/add_relu.onnx --input x=models/x.npy --input z=models/x.npy --output-dir out
expect run_unwritable_dir 1 "regular_file/y.npy" -- \
  run models/add_relu.onnx --input x=models/x.npy --output-dir regular_file
expect unknown_batch 1 "models/batch_const.onnx" "input 'x' has an unknown dimension" \
  "--input-shape x:" "--batch-size N" "--dynamic-batch" -- models/batch_const.onnx -o out/m.cc
expect dynamic_batch_constant 1 "models/batch_const.onnx" "--dynamic-batch" \
  "the constant 'zeros' depends on the batch size" -- \
  models/batch_const.onnx --dynamic-batch -o out/m.cc
expect dynamic_batch_static 1 "models/add_relu.onnx" "no input depends on the batch size" -- \
  models/add_relu.onnx --dynamic-batch -o out/m.cc
expect wide_mean 1 "models/wide_mean.onnx" "node 'mean70' (Mean)" "70 values" \
  "ODLA takes at most 64" -- models/wide_mean.onnx -o out/m.cc
expect rank9_input 1 "models/rank9.onnx" "input 'x'" "has rank 9; ODLA supports up to 8" -- \
  models/rank9.onnx -o out/m.cc
expect usage_dynamic_and_fixed_batch 2 "--batch-size and --dynamic-batch" -- \
  models/batch_const.onnx --dynamic-batch --batch-size 2 -o out/m.cc
expect usage_unknown_option 2 "--frobnicate" -- models/add_relu.onnx --frobnicate
expect usage_no_output 2 "-o" -- models/add_relu.onnx
expect usage_bad_output_name 2 "NAME.cc" -- models/add_relu.onnx -o out/m.c

if [ "$failures" != 0 ]; then
  echo "$failures error case(s) failed"
  exit 1
fi
echo "errors: all passed"
