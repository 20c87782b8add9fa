#!/usr/bin/env bash
# --dynamic-batch end to end: models with a symbolic batch dimension (the MNIST example made
# symbolic; a model that reshapes to [4N x 6] and back through Shape/Gather/Concat) compiled
# once, linked with libodla_ref and run at batch sizes 1, 3 and 8 (with each sample run alone
# at batch size 1 on another thread at the same time: within 1e-5), checked bit for bit
# against `halo run --dynamic-batch` at the same batch size and against numpy. Usage: dynamic_batch.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
halo="$build/bin/halo"
work="$build/test_tmp/dynamic_batch"
rm -rf "$work" && mkdir -p "$work/out" && cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

/usr/bin/python3 "$src/tests/e2e/make_batch_models.py" "$src/examples/mnist/mnist.onnx" models

# model, its input, elements per sample of the input and of the output, a sample's shape
for spec in "mnist_dyn input 784 10 1 x 28 x 28" "reshape x 24 20 4 x 6"; do
  read -r name input in_size out_size shape <<< "$spec"
  step "halo models/$name.onnx --dynamic-batch"
  "$halo" "models/$name.onnx" --dynamic-batch -o "out/$name.cc"
  grep -q "^    int64_t batch, " "out/$name.h" || fail "$name.h: batch is not the first parameter"
  grep -qF "'$input': f32[batch x $shape]" "out/$name.h" || fail "$name.h: no f32[batch x $shape]"
  grep -q "int ${name}_init(int64_t batch);" "out/$name.h" || fail "$name.h: no ${name}_init"
  c++ -std=c++17 -Wall -Wextra -Werror -I "$src/include" -c "out/$name.cc" -o "$name.o"
  cc -std=c99 -Wall -Wextra -Werror -I out -DMODEL_H="\"$name.h\"" -DMODEL="$name" \
    -DIN_SIZE="$in_size" -DOUT_SIZE="$out_size" -c "$src/tests/e2e/batch_app.c" -o "app_$name.o"
  c++ "app_$name.o" "$name.o" "out/$name.bin" -L "$build/lib" -l:libodla_ref.a -lpthread -lm \
    -o "app_$name"
  for b in 1 3 8; do
    step "$name at batch size $b"
    [ "$("./app_$name" "$b" "models/${name}_x$b.f32" "y_${name}_$b.f32" 2> app.err)" = ok ] ||
      fail "app_$name $b: $(cat app.err)"
    grep -q "the batch size must be at least 1, got 0" app.err || fail "batch 0: $(cat app.err)"
    mkdir "run_${name}_$b"
    "$halo" run "models/$name.onnx" --dynamic-batch --input "$input=models/${name}_x$b.npy" \
      --output-dir "run_${name}_$b"
  done
done

step "compare with halo run and numpy"
/usr/bin/python3 - <<'PY'
import glob
import numpy as np
import onnx
from onnx import numpy_helper

for name, out in [("mnist_dyn", "logits"), ("reshape", "y")]:
    for b in (1, 3, 8):
        got = np.fromfile(f"y_{name}_{b}.f32", dtype=np.float32)
        want = np.load(f"run_{name}_{b}/{out}.npy")
        assert want.shape[0] == b, (name, b, want.shape)
        assert np.array_equal(got, want.reshape(-1)), (name, b, got, want)
# The reshape model in numpy.
w = {t.name: numpy_helper.to_array(t) for t in onnx.load("models/reshape.onnx").graph.initializer}
x = np.load("models/reshape_x8.npy")
a = (x.reshape(32, 6) @ w["w1"]).reshape(8, 20)
want = np.maximum(a + x.reshape(8, 24) @ w["w2"] + w["b2"], 0)
got = np.fromfile("y_reshape_8.f32", dtype=np.float32).reshape(8, 20)
assert np.allclose(got, want, rtol=1e-5, atol=1e-5), np.abs(got - want).max()
PY
echo "dynamic batch: all passed"
