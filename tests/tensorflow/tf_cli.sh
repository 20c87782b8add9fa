#!/usr/bin/env bash
# The TensorFlow frontend from the command line: bad GraphDefs (each one error line naming
# the node, no file written), text and binary GraphDefs, -x tensorflow, --inputs/--outputs,
# operator cases against numpy (halo run), and the transposes left in a NHWC conv net's
# code. Usage: tf_cli.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
halo="$build/bin/halo"
work="$build/test_tmp/tf_cli"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
/usr/bin/python3 "$src/tests/tensorflow/make_tf_graphs.py" graphs || exit 1
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }

# error NAME 'PATTERN'... -- HALO_ARGS...: one line on stderr with every pattern, exit 1,
# nothing in out/.
error() {
  local name="$1" patterns=()
  shift
  while [ "$1" != "--" ]; do patterns+=("$1"); shift; done
  shift
  rm -rf out && mkdir out
  "$halo" "$@" > /dev/null 2> stderr.txt
  local rc=$? problems=""
  [ "$rc" = 1 ] || problems+=" exit code $rc;"
  [ "$(wc -l < stderr.txt)" = 1 ] || problems+=" $(wc -l < stderr.txt) lines on stderr;"
  for p in "${patterns[@]}"; do grep -qF -- "$p" stderr.txt || problems+=" stderr lacks '$p';"; done
  [ -z "$(ls -A out)" ] || problems+=" left files: $(ls -A out);"
  if [ -n "$problems" ]; then fail "$name:$problems"; sed 's/^/    /' stderr.txt; else ok "$name: $(cat stderr.txt)"; fi
}

e=graphs/errors
echo "garbage bytes" > regular.pb
echo "node { name: " > bad.pbtxt
error cycle "$e/cycle.pb" "node 'b' (Relu)" "cycle" -- "$e/cycle.pb" -o out/m.cc
error missing_input "$e/missing_input.pb" "node 'out' (Add)" "'ghost'" -- \
  "$e/missing_input.pb" -o out/m.cc
error unknown_operator "$e/unknown_op.pb" "node 'weird' (FancyOp)" "unsupported operator" -- \
  "$e/unknown_op.pb" -o out/m.cc
error variable_v2 "$e/VariableV2.pb" "node 'w' (VariableV2)" "not frozen" -- \
  "$e/VariableV2.pb" -o out/m.cc
error var_handle_op "$e/VarHandleOp.pb" "node 'w' (VarHandleOp)" "not frozen" -- \
  "$e/VarHandleOp.pb" -o out/m.cc
error not_a_graphdef "regular.pb" "not a TensorFlow GraphDef" -- regular.pb -o out/m.cc
error bad_text "bad.pbtxt" "not a TensorFlow text GraphDef" "line 2" -- bad.pbtxt -o out/m.cc
error unknown_input_shape "graphs/convnet.pb" "--input-shape" "'inptu'" -- graphs/convnet.pb \
  --input-shape inptu:1x16x16x3 -o out/m.cc
error unknown_output "graphs/convnet.pb" "--outputs" "'nope'" -- graphs/convnet.pb \
  --outputs nope -o out/m.cc

# Transposes: the conv net computes in NHWC; only the input's and the output's layout
# changes may remain in the generated code (no pair between consecutive operators).
rm -rf out && mkdir out
if "$halo" graphs/convnet.pb -o out/convnet.cc 2> stderr.txt; then
  n=$(grep -c 'odla_Transpose(' out/convnet.cc)
  [ "$n" = 2 ] && ok "convnet_transposes: $n odla_Transpose calls" ||
    fail "convnet_transposes: $n odla_Transpose calls in out/convnet.cc (want 2)"
else
  fail "convnet: $(cat stderr.txt)"
fi

# The conv net's results with the layout rewrites against those without (--no-opt).
/usr/bin/python3 -c "import numpy as np
np.save('cx.npy', np.random.default_rng(1).standard_normal((1, 16, 16, 3)).astype(np.float32))"
rm -rf run_opt run_plain && mkdir run_opt run_plain
if "$halo" run graphs/convnet.pb --input input=cx.npy --output-dir run_opt 2> stderr.txt &&
  "$halo" run graphs/convnet.pb --no-opt --input input=cx.npy --output-dir run_plain 2>> stderr.txt &&
  /usr/bin/python3 -c "import numpy as np, sys
a, b = np.load('run_opt/out.npy'), np.load('run_plain/out.npy')
sys.exit(0 if a.shape == (1, 4, 4, 4) and 0.05 < a.std() and np.allclose(a, b, atol=1e-5) else 1)"; then
  ok "convnet results"
else
  fail "convnet results: optimised and plain runs differ $(cat stderr.txt)"
fi

# Text GraphDefs (OpenCV's .pbtxt files) and -x tensorflow on another file name.
shared="$src/../shared/models/opencv_extra/tensorflow"
if [ -f "$shared/two_inputs_net.pbtxt" ]; then
  "$halo" "$shared/two_inputs_net.pbtxt" --input-shape first_input:1x2x3x4 \
    --input-shape second_input:1x2x3x4 -o out/two.cc 2> stderr.txt &&
    grep -q "input 'second_input': f32\[1x2x3x4\]" out/two.h && ok "pbtxt two_inputs" || fail "pbtxt two_inputs: $(cat stderr.txt)"
  cp "$shared/matmul_net.pb" matmul.graph
  "$halo" -x tensorflow matmul.graph --input-shape input_21:2x3 -o out/mm.cc 2> stderr.txt && ok "-x tensorflow" ||
    fail "-x tensorflow: $(cat stderr.txt)"
  # Detected from the contents without -x, binary and text.
  "$halo" matmul.graph --input-shape input_21:2x3 -o out/mm2.cc 2> stderr.txt &&
    ok "detected binary GraphDef" || fail "detected binary GraphDef: $(cat stderr.txt)"
  cp "$shared/two_inputs_net.pbtxt" two_inputs.txt
  "$halo" two_inputs.txt --input-shape first_input:2 --input-shape second_input:2 \
    -o out/two2.cc 2> stderr.txt && ok "detected text GraphDef" ||
    fail "detected text GraphDef: $(cat stderr.txt)"
else
  fail "$shared not found (see ../shared/README.md)"
fi

# --inputs/--outputs: the sub-graph from pool1 to relu6.
rm -rf out && mkdir out
if "$halo" graphs/convnet.pb --inputs pool1 --input-shape pool1:1x8x8x8 --outputs relur \
  -o out/sub.cc 2> stderr.txt; then
  grep -q "input 'pool1': f32\[1x8x8x8\]" out/sub.h && grep -q "output 'relur': f32\[1x8x8x8\]" out/sub.h &&
    ! grep -q "w1" out/sub.cc && ok "sub-graph" || fail "sub-graph: unexpected out/sub.h"
else
  fail "sub-graph: $(cat stderr.txt)"
fi

# Operators against numpy.
for pb in graphs/ops/*.pb; do
  name=$(basename "$pb" .pb)
  rm -rf run && mkdir run
  if ! "$halo" run "$pb" --input "x=graphs/ops/${name}_x.npy" --output-dir run 2> stderr.txt; then
    fail "op $name: $(cat stderr.txt)"
    continue
  fi
  if /usr/bin/python3 -c "
import numpy as np, sys
y = np.load('run/y.npy'); want = np.load('graphs/ops/${name}_y.npy')
sys.exit(0 if y.shape == want.shape and np.allclose(y, want, atol=1e-5, rtol=1e-5) else 1)"; then
    ok "op $name"
  else
    fail "op $name: differs from numpy"
  fi
done

echo "$failures failure(s)"
[ "$failures" = 0 ]
