#!/usr/bin/env bash
# End to end: ONNX model -> halo -> C++ -> compiled with the ref runtime -> numbers checked;
# also `halo run` against numpy and `--print-ir`. Usage: compile_run.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
halo="$build/bin/halo"
work="$build/test_tmp/e2e"
rm -rf "$work" && mkdir -p "$work/out" "$work/out_c" "$work/run"
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

/usr/bin/python3 "$src/tests/e2e/make_models.py" models

step "halo models/add_relu.onnx -o out/add_relu.cc"
"$halo" models/add_relu.onnx -o out/add_relu.cc
for f in add_relu.h add_relu.cc add_relu.bin; do [ -s "out/$f" ] || fail "out/$f missing"; done
[ "$(ls -A out | wc -l)" = 3 ] || fail "unexpected files in out/: $(ls -A out)"

step "the weights object"
readelf -h out/add_relu.bin | grep -q 'REL (Relocatable file)' || fail "not ET_REL"
readelf -S -W out/add_relu.bin | grep -E '\.l?rodata +PROGBITS' | grep -q ' 64$' ||
  fail "the weights section is not 64-byte aligned"
readelf -S -W out/add_relu.bin | grep -q '\.note\.GNU-stack' || fail "no .note.GNU-stack"
nm out/add_relu.bin | grep -Eq '^0+ R add_relu_weights$' || fail "no global add_relu_weights"
readelf -s -W out/add_relu.bin | grep add_relu_weights | grep -q 'OBJECT  GLOBAL' ||
  fail "add_relu_weights is not a global object"

cat > app.c <<'C'
#include <stdio.h>
#include "add_relu.h"
int main(void) {
  const float x[6] = {-1, 1, 2, 3, -4, 5};
  const float want[6] = {0, 0, 2.5f, 4, 0, 5.5f};
  float y[6];
  if (add_relu(x, y) != 0) return 1;
  for (int i = 0; i < 6; ++i)
    if (y[i] != want[i]) { printf("y[%d] = %g, want %g\n", i, y[i], want[i]); return 1; }
  add_relu_fini();
  printf("ok\n");
  return 0;
}
C

for cxx in c++ g++ clang++; do
  command -v "$cxx" > /dev/null || continue
  step "compile the generated code with $cxx"
  "$cxx" -std=c++17 -Wall -Wextra -Werror -I "$src/include" -c out/add_relu.cc -o add_relu.o
  cc -std=c99 -Wall -Wextra -Werror -I out -c app.c -o app.o
  # Static runtime (a C++ library: link with the C++ driver).
  c++ app.o add_relu.o out/add_relu.bin -L "$build/lib" -l:libodla_ref.a -lpthread -o app_static
  [ "$(./app_static)" = ok ] || fail "app_static ($cxx)"
  # Shared runtime, linked by the C driver as the documentation says.
  cc app.o add_relu.o out/add_relu.bin -L "$build/lib" -Wl,-rpath,"$build/lib" -lodla_ref \
    -lpthread -o app_shared
  [ "$(./app_shared)" = ok ] || fail "app_shared ($cxx)"
done

step "ODLA_PROFILE: the compiled program writes its per-op table at exit"
ODLA_PROFILE="$work/profile.txt" ./app_static > /dev/null
grep -q '^# ODLA profile: .* 1 execution(s), runtime on the host;' profile.txt ||
  fail "no profile header in profile.txt: $(cat profile.txt)"
grep -Eq '^ +0  (FusedGemm|Gemm|Add|FusedMatMul) ' profile.txt || fail "no op row: $(cat profile.txt)"
grep -q 'Outputs ' profile.txt || fail "no output row: $(cat profile.txt)"
[ "$(ODLA_PROFILE=0 ./app_static 2>&1)" = ok ] || fail "ODLA_PROFILE=0 prints something"

step "halo --emit-data-as-c --entry-func-name net"
"$halo" models/add_relu.onnx -o out_c/model.cc --emit-data-as-c --entry-func-name net
[ -s out_c/model_weights.c ] && [ ! -e out_c/model.bin ] || fail "expected model_weights.c only"
grep -q 'int net(' out_c/model.h || fail "entry function not renamed"
sed 's/add_relu/net/g; s/"net.h"/"model.h"/' app.c > app_c.c
c++ -std=c++17 -Wall -Wextra -Werror -I "$src/include" -c out_c/model.cc -o model.o
cc -std=c11 -Wall -Wextra -Werror -c out_c/model_weights.c -o model_weights.o
cc -std=c99 -Wall -Wextra -Werror -I out_c -c app_c.c -o app_c.o
c++ app_c.o model.o model_weights.o -L "$build/lib" -l:libodla_ref.a -lpthread -o app_c
[ "$(./app_c)" = ok ] || fail "app_c"

step "halo run"
"$halo" run models/add_relu.onnx --input x=models/x.npy --output-dir run
/usr/bin/python3 - <<'PY'
import numpy as np
x = np.load("models/x.npy")
want = np.maximum(x + np.array([1, -2, 0.5], dtype=np.float32), 0)
y = np.load("run/y.npy")
assert y.dtype == np.float32 and y.shape == (2, 3), (y.dtype, y.shape)
assert np.array_equal(y, want), (y, want)
PY

step "external data: the same weights and results as inline"
grep -q model.weights models/ext/model.onnx || fail "ext/model.onnx has no external data"
mkdir -p out_ext out_ext_inline run_ext run_ext_inline
"$halo" models/ext/model.onnx -o out_ext/ext.cc --entry-func-name ext
"$halo" models/ext_inline.onnx -o out_ext_inline/ext.cc --entry-func-name ext
cmp out_ext/ext.bin out_ext_inline/ext.bin || fail "the weights objects differ"
(cd models && "$halo" run ext/model.onnx --input x=x.npy --output-dir ../run_ext)
"$halo" run models/ext_inline.onnx --input x=models/x.npy --output-dir run_ext_inline
/usr/bin/python3 - <<'PY'
import numpy as np
x = np.load("models/x.npy")
m = np.array([[1, 0, 1], [0, 1, 1]], dtype=bool)
want = np.where(m, x * np.float32([2, -1, 0.5]), np.float32([7, 8, 9])) + \
    np.float32([100, 200, 300]) + np.arange(3, dtype=np.float32) / 4
for d in ("run_ext", "run_ext_inline"):
    y = np.load(f"{d}/y.npy")
    assert np.array_equal(y, want), (d, y, want)
PY

step "data-dependent shapes: NonMaxSuppression compiled and run"
mkdir -p out_nms run_nms
"$halo" models/nms.onnx -o out_nms/nms.cc
grep -q 'int64_t\* selected_shape' out_nms/nms.h || fail "no shape parameter: $(cat out_nms/nms.h)"
cat > nms_app.c <<'C'
#include <stdio.h>
#include "nms.h"
int main(void) {
  const float boxes[24] = {0, 0,  1, 1,  0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                           0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100,   1, 101};
  const float scores[6] = {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};
  const int64_t want[9] = {0, 0, 3, 0, 0, 0, 0, 0, 5};
  int64_t selected[9], shape[2];
  if (nms(boxes, scores, selected, shape) != 0) return 1;
  if (shape[0] != 3 || shape[1] != 3) { printf("shape %ldx%ld\n", (long)shape[0], (long)shape[1]); return 1; }
  for (int i = 0; i < 9; ++i)
    if (selected[i] != want[i]) { printf("selected[%d] = %ld\n", i, (long)selected[i]); return 1; }
  printf("ok\n");
  return 0;
}
C
c++ -std=c++17 -Wall -Wextra -Werror -I "$src/include" -c out_nms/nms.cc -o nms.o
cc -std=c99 -Wall -Wextra -Werror -I out_nms -c nms_app.c -o nms_app.o
c++ nms_app.o nms.o out_nms/nms.bin -L "$build/lib" -l:libodla_ref.a -lpthread -o nms_app
[ "$(./nms_app)" = ok ] || fail "nms_app: $(./nms_app)"
"$halo" run models/nms.onnx --input boxes=models/boxes.npy --input scores=models/scores.npy \
  --output-dir run_nms
/usr/bin/python3 - <<'PY'
import numpy as np
y = np.load("run_nms/selected.npy")
assert y.dtype == np.int64 and y.tolist() == [[0, 0, 3], [0, 0, 0], [0, 0, 5]], y
PY
"$halo" models/nms.onnx --print-ir | grep -q 'i64\[<=3x3\]' || fail "--print-ir: no bounded type"

step "a Split into 130 parts and a Concat of 130 values (ODLA's lists hold 64)"
mkdir -p out_wide
"$halo" models/wide.onnx -o out_wide/wide.cc
cat > wide_app.c <<'C'
#include <stdio.h>
#include "wide.h"
int main(void) {
  float x[130], y[130];
  for (int i = 0; i < 130; ++i) x[i] = (float)(i - 65) / 4;
  if (wide(x, y) != 0) return 1;
  for (int i = 0; i < 130; ++i)
    if (y[i] != (x[i] > 0 ? x[i] : 0)) { printf("y[%d] = %g\n", i, y[i]); return 1; }
  printf("ok\n");
  return 0;
}
C
c++ -std=c++17 -Wall -Wextra -Werror -I "$src/include" -c out_wide/wide.cc -o wide.o
cc -std=c99 -Wall -Wextra -Werror -I out_wide -c wide_app.c -o wide_app.o
c++ wide_app.o wide.o out_wide/wide.bin -L "$build/lib" -l:libodla_ref.a -lpthread -o wide_app
[ "$(./wide_app)" = ok ] || fail "wide_app: $(./wide_app)"

step "opset 20: a Transformer block as PyTorch 2.9 exports it, against numpy"
"$halo" run models/encoder_block20.onnx --input x=models/block_x.npy --output-dir run_block
"$halo" models/encoder_block20.onnx --print-ir > block_ir.txt
grep -q 'FusedMatMul.*Gelu' block_ir.txt || fail "Gelu-20 did not fuse into its product"
! grep -q ' = Split(' block_ir.txt || fail "the QKV product's Split stayed (split-products)"
/usr/bin/python3 - <<'PY'
import numpy as np
y, want = np.load("run_block/y.npy"), np.load("models/block_y.npy")
err = np.abs(y - want).max() / np.abs(want).max()
assert y.shape == want.shape and err < 1e-5, (y.shape, err)
PY

step "opsets 23 and 24: a Llama-style decoder block with a KV cache, against numpy"
"$halo" run models/decoder_block24.onnx --input x=models/decoder_x.npy \
  --input pos=models/decoder_pos.npy --input past_k=models/decoder_past_k.npy \
  --input past_v=models/decoder_past_v.npy --output-dir run_decoder
/usr/bin/python3 - <<'PY'
import numpy as np
for name in ("y", "present_k", "present_v"):
    got, want = np.load(f"run_decoder/{name}.npy"), np.load(f"models/decoder_{name}.npy")
    err = np.abs(got - want).max() / np.abs(want).max()
    assert got.shape == want.shape and err < 1e-5, (name, got.shape, want.shape, err)
PY

step "com.microsoft: a BERT layer as ONNX Runtime's optimizer writes it, against numpy"
"$halo" run models/bert_layer_ort.onnx --input ids=models/bert_ids.npy \
  --input mask=models/bert_mask.npy --output-dir run_bert
/usr/bin/python3 - <<'PY'
import numpy as np
got, want = np.load("run_bert/y.npy"), np.load("models/bert_y.npy")
err = np.abs(got - want).max() / np.abs(want).max()
assert got.shape == want.shape and err < 1e-5, (got.shape, want.shape, err)
PY

step "com.microsoft: a decoder layer as onnxruntime-genai writes it, a padded decoding step"
"$halo" run models/genai_decoder.onnx --input input_ids=models/genai_input_ids.npy \
  --input attention_mask=models/genai_attention_mask.npy \
  --input past_k=models/genai_past_k.npy --input past_v=models/genai_past_v.npy \
  --output-dir run_genai
/usr/bin/python3 - <<'PY'
import numpy as np
for name in ("y", "present_k", "present_v"):
    got, want = np.load(f"run_genai/{name}.npy"), np.load(f"models/genai_{name}.npy")
    err = np.abs(got - want).max() / np.abs(want).max()
    assert got.shape == want.shape and err < 1e-5, (name, got.shape, want.shape, err)
PY

step "halo --print-ir"
"$halo" models/add_relu.onnx --print-ir > ir.txt
grep -q 'input %x:f32\[2x3\]' ir.txt || fail "--print-ir: no input line: $(cat ir.txt)"
grep -q '= Relu(' ir.txt || fail "--print-ir: no Relu: $(cat ir.txt)"
grep -q 'output %y' ir.txt || fail "--print-ir: no output line: $(cat ir.txt)"

echo "e2e: all passed"
