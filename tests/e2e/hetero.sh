#!/usr/bin/env bash
# Heterogeneous execution (docs/heterogeneous.md) on the simulated device: every partition
# (all on the device, forced by --place, from a device table that lacks an op, from the cost
# model) computes exactly what the all-host run does, through `halo run` and through the
# generated C++ linked with libodla_sim.a and libodla_ref_host.a; the --report partition
# against its golden file. Usage: hetero.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
halo="$build/bin/halo"
lib="$build/lib"
work="$build/test_tmp/hetero"
rm -rf "$work" && mkdir -p "$work" && cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

for f in libodla_sim.a libodla_ref_host.a; do
  [ -f "$lib/$f" ] || fail "$lib/$f missing: build the target odla_hetero"
done
/usr/bin/python3 "$src/tests/e2e/make_hetero_models.py" m

step "the host runtime archive defines only renamed API symbols"
bad=$(nm -g --defined-only "$lib/libodla_ref_host.a" | awk 'NF == 3 && $3 !~ /^(odla_host_|halo_odla_host_)/')
[ -z "$bad" ] || fail "libodla_ref_host.a defines other globals: $bad"

step "libodla_sim has memory of its own: constants and arguments are copied in"
cat > sim_memory.cc <<'CC'
#include <odla/odla.h>
#include <odla/odla_ops.h>
#include <cstdio>
#include <cstring>
int main() {
  odla_value_type t{ODLA_FLOAT32, {1, {2}}};
  float c[2] = {1, 2}, x[2] = {10, 20}, y[2] = {0, 0};
  odla_computation comp = nullptr;
  if (std::strcmp(odla_GetRuntimeName(), "sim") != 0) return 1;
  if (odla_CreateComputation(&comp) != ODLA_SUCCESS) return 1;
  odla_value a = odla_CreateArgument(t, "x");
  odla_value k = odla_CreateConstant(t, c, "c");
  odla_value s = odla_Add(a, k, t, "y");
  if (!s || odla_SetValueAsOutput(s) != ODLA_SUCCESS) return 1;
  c[0] = c[1] = 100;  // the device holds its own copy of c
  odla_context ctx = nullptr;
  if (odla_CreateContext(&ctx) != ODLA_SUCCESS) return 1;
  if (odla_BindToArgument(ctx, 0, x) != ODLA_SUCCESS) return 1;
  x[0] = x[1] = 1000;  // and of x, from the moment it is bound
  if (odla_BindToOutput(ctx, 0, y) != ODLA_SUCCESS) return 1;
  if (odla_ExecuteComputation(comp, ctx) != ODLA_SUCCESS) return 1;
  std::printf("%g %g\n", y[0], y[1]);
  odla_DestroyContext(ctx);
  odla_DestroyComputation(comp);
  return 0;
}
CC
c++ -std=c++17 -Wall -Wextra -Werror -I "$src/include" sim_memory.cc -L "$lib" -l:libodla_sim.a \
  -lpthread -o sim_memory
[ "$(./sim_memory)" = "11 22" ] || fail "libodla_sim: $(./sim_memory)"

cat > app.c <<'C'
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "chain.h"
static float x[24], y[12], h[48];
static int mismatches = 0;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Runs the model 20 times on another thread; the results must equal the first run's. */
static void* Again(void* arg) {
  (void)arg;
  for (int i = 0; i < 20; ++i) {
    float y2[12], h2[48];
    int bad = chain(x, y2, h2) != 0 || memcmp(y, y2, sizeof(y)) || memcmp(h, h2, sizeof(h));
    pthread_mutex_lock(&lock);
    mismatches += bad;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}
int main(int argc, char** argv) {
  if (argc != 3) return 2;
  FILE* f = fopen(argv[1], "rb");
  if (!f || fread(x, sizeof(float), 24, f) != 24) return 2;
  fclose(f);
  if (chain(x, y, h) != 0) return 1;
  pthread_t threads[4];
  for (int i = 0; i < 4; ++i) pthread_create(&threads[i], NULL, Again, NULL);
  for (int i = 0; i < 4; ++i) pthread_join(threads[i], NULL);
  if (mismatches) return 3;
  f = fopen(argv[2], "wb");
  if (!f || fwrite(y, sizeof(float), 12, f) != 12 || fwrite(h, sizeof(float), 48, f) != 48)
    return 2;
  fclose(f);
  chain_fini();
  return 0;
}
C

# compile_and_run NAME LIBS HALO_OPTIONS...: halo run into run_NAME/, the C++ into out_NAME/,
# its program's outputs into NAME.bin.
compile_and_run() {
  local name="$1" libs="$2"
  shift 2
  mkdir -p "run_$name" "out_$name"
  "$halo" run m/chain.onnx --input x=m/x.npy --output-dir "run_$name" "$@"
  "$halo" m/chain.onnx -o "out_$name/chain.cc" "$@"
  c++ -std=c++17 -Wall -Wextra -Werror -I "$src/include" -c "out_$name/chain.cc" \
    -o "out_$name/chain.o"
  cc -std=c99 -Wall -Wextra -Werror -I "out_$name" -c app.c -o "out_$name/app.o"
  # shellcheck disable=SC2086
  c++ "out_$name/app.o" "out_$name/chain.o" "out_$name/chain.bin" -L "$lib" $libs -lpthread \
    -o "out_$name/app"
  "out_$name/app" m/x.bin "$name.bin" || fail "$name: the compiled model failed (exit $?)"
}
HETERO_LIBS="-l:libodla_sim.a -l:libodla_ref_host.a"

# build_aot MODEL DIR APP_C HALO_OPTIONS...: MODEL (NAME.onnx) compiled into DIR/out/NAME.cc,
# linked with APP_C, libodla_sim.a and libodla_ref_host.a into DIR/app.
build_aot() {
  local model="$1" d="$2" app="$3" name
  name="$(basename "$model" .onnx)"
  shift 3
  mkdir -p "$d/out"
  "$halo" "$model" -o "$d/out/$name.cc" "$@"
  c++ -std=c++17 -Wall -Wextra -Werror -I "$src/include" -c "$d/out/$name.cc" -o "$d/$name.o"
  cc -std=c99 -Wall -Wextra -Werror -I "$d/out" -c "$app" -o "$d/app.o"
  # shellcheck disable=SC2086
  c++ "$d/app.o" "$d/$name.o" "$d/out/$name.bin" -L "$lib" $HETERO_LIBS -lpthread -o "$d/app"
}

step "all on the host (libodla_ref): the reference"
compile_and_run host "-l:libodla_ref.a"
/usr/bin/python3 - <<'PY'
import numpy as np
import onnx
from onnx import numpy_helper
w = {t.name: numpy_helper.to_array(t) for t in onnx.load("m/chain.onnx").graph.initializer}
x = np.load("m/x.npy")
y, h = np.load("run_host/y.npy"), np.load("run_host/h.npy")
want_h = np.maximum(x @ w["w1"], 0)
want_y = np.tanh(want_h @ w["w2"]) * w["s"] + x[:, :4]
assert np.allclose(h, want_h, atol=1e-5) and np.allclose(y, want_y, atol=1e-5), (y, want_y)
raw = np.fromfile("host.bin", dtype=np.float32)
assert np.array_equal(raw, np.concatenate([y.ravel(), h.ravel()])), "halo run != compiled"
PY

check() {  # check NAME PARTS: NAME's results equal the host's bit for bit, in PARTS parts
  local name="$1" parts="$2"
  for o in y h; do
    cmp -s "run_$name/$o.npy" "run_host/$o.npy" || fail "$name: halo run's $o differs from the host's"
  done
  cmp -s "$name.bin" host.bin || fail "$name: the compiled model's outputs differ from the host's"
  local n
  n=$(grep -c '^static int Build_' "out_$name/chain.cc")
  [ "$n" = "$parts" ] || fail "$name: $n parts in the code, expected $parts"
}

step "--device sim: everything on the simulated device"
compile_and_run sim "$HETERO_LIBS" --device sim
check sim 1
grep -q 'odla_host_[A-Za-z]*(' out_sim/chain.cc && fail "sim: a host part in an all-device model"

step "--device sim --place mm2_1=host: device, host, device"
compile_and_run placed "$HETERO_LIBS" --device sim --place mm2_1=host
check placed 3

step "--device sim --place slice=host --place add=host: host parts first and last"
compile_and_run ends "$HETERO_LIBS" --device sim --place slice=host --place add=host
check ends 3

step "a device table that lacks Mul: the model still compiles, links and runs"
printf 'device lacks_mul\nops Slice FusedMatMul Add\ngflops 100\ngbps 100\nhost_gflops 1\nhost_gbps 1\nlink_gbps 100\n' \
  > lacks_mul.txt
compile_and_run table "$HETERO_LIBS" --device-table lacks_mul.txt
check table 3
grep -q 'odla_host_Mul(' out_table/chain.cc || fail "table: Mul is not on the host"

step "the cost model: a slow device leaves everything on the host"
printf 'device slow\nops *\ngflops 0.001\ngbps 0.001\nhost_gflops 10\nhost_gbps 10\nlink_gbps 1\n' \
  > slow.txt
compile_and_run slow "$HETERO_LIBS" --device-table slow.txt
check slow 1
grep -q 'static odla_computation g_comp_0 = nullptr;  // part 0 (host)' out_slow/chain.cc ||
  fail "slow: the part is not on the host"

step "the MNIST CNN (examples/mnist) in 5 parts and in 4: the same logits"
mnist="$src/examples/mnist/mnist.onnx"
/usr/bin/python3 -c "
import numpy as np
x = np.random.default_rng(3).random((1, 1, 28, 28), dtype=np.float32)
np.save('mx.npy', x)
x.tofile('mx.bin')"
mkdir -p mnist_host mnist_a mnist_b out_mnist
"$halo" run "$mnist" --input input=mx.npy --output-dir mnist_host
"$halo" run "$mnist" --input input=mx.npy --output-dir mnist_a --device sim \
  --place /2/MaxPool=host --place /6/Flatten=host
"$halo" run "$mnist" --input input=mx.npy --output-dir mnist_b --device sim \
  --place /0/Conv_1=host --place /5/MaxPool=host --place /7/Gemm=host
cmp mnist_a/logits.npy mnist_host/logits.npy || fail "mnist: 5 parts differ from the host"
cmp mnist_b/logits.npy mnist_host/logits.npy || fail "mnist: 4 parts differ from the host"
cat > mnist_app.c <<'C'
#include <stdio.h>
#include "mnist.h"
int main(void) {
  float x[784], logits[10];
  FILE* f = fopen("mx.bin", "rb");
  if (!f || fread(x, sizeof(float), 784, f) != 784) return 2;
  fclose(f);
  if (mnist(x, logits) != 0) return 1;
  fwrite(logits, sizeof(float), 10, stdout);
  return 0;
}
C
build_aot "$mnist" out_mnist mnist_app.c --device sim --place /2/MaxPool=host \
  --place /6/Flatten=host
out_mnist/app > mnist_aot.bin || fail "mnist: the compiled model failed"
/usr/bin/python3 -c "
import numpy as np
want = np.load('mnist_host/logits.npy').ravel()
got = np.fromfile('mnist_aot.bin', dtype=np.float32)
assert np.array_equal(got, want), (got, want)" || fail "mnist: the compiled model differs"

step "--dynamic-batch --device sim --place mm2_1=host: per batch size 3 parts, host results"
cat > dyn_app.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "chain_n.h"
/* chain_n at batch 3 (x.bin), then at batch 2 (its first two rows) and 3 again: the outputs
   of each call in a row. */
int main(void) {
  float x[24], y[12], h[48];
  FILE* f = fopen("m/x.bin", "rb");
  if (!f || fread(x, sizeof(float), 24, f) != 24) return 2;
  fclose(f);
  const int batches[3] = {3, 2, 3};
  for (int i = 0; i < 3; ++i) {
    int b = batches[i];
    if (chain_n(b, x, y, h) != 0) return 1;
    fwrite(y, sizeof(float), 4 * b, stdout);
    fwrite(h, sizeof(float), 16 * b, stdout);
  }
  if (chain_n(0, x, y, h) == 0) return 3; /* batch 0 is refused */
  chain_n_fini();
  return 0;
}
C
mkdir -p dyn/run2
/usr/bin/python3 -c "
import numpy as np
np.save('dyn/x2.npy', np.load('m/x.npy')[:2])"
"$halo" run m/chain_n.onnx --dynamic-batch --input x=dyn/x2.npy --output-dir dyn/run2
build_aot m/chain_n.onnx dyn dyn_app.c --dynamic-batch --device sim --place mm2_1=host
[ "$(grep -c '^static int Build_[0-9](int64_t batch)' dyn/out/chain_n.cc)" = 3 ] ||
  fail "dynamic: not 3 parts built per batch size"
dyn/app > dyn/out.bin 2> dyn/err.txt || fail "dynamic: the compiled model failed: $(cat dyn/err.txt)"
grep -q "the batch size must be at least 1, got 0" dyn/err.txt || fail "dynamic: batch 0"
/usr/bin/python3 - <<'PY' || fail "dynamic: outputs differ from the all-host runs"
import numpy as np
got = np.fromfile("dyn/out.bin", dtype=np.float32)
b3 = np.fromfile("host.bin", dtype=np.float32)  # y then h at batch 3, all on the host
b2 = np.concatenate([np.load("dyn/run2/y.npy").ravel(), np.load("dyn/run2/h.npy").ravel()])
want = np.concatenate([b3, b2, b3])
assert got.shape == want.shape and np.array_equal(got, want), (got.shape, want.shape)
PY

step "outputs that are the input, a constant, and one output twice: copied, on both sides"
cat > copies_app.c <<'C'
#include <stdio.h>
#include "copies.h"
int main(void) {
  float x[24], y[24], x2[24], c[3], y2[24];
  FILE* f = fopen("m/x.bin", "rb");
  if (!f || fread(x, sizeof(float), 24, f) != 24) return 2;
  fclose(f);
  if (copies(x, y, x2, c, y2) != 0) return 1;
  fwrite(y, sizeof(float), 24, stdout);
  fwrite(x2, sizeof(float), 24, stdout);
  fwrite(c, sizeof(float), 3, stdout);
  fwrite(y2, sizeof(float), 24, stdout);
  return 0;
}
C
for side in device host; do
  d="copies_$side"
  mkdir -p "$d/run"
  "$halo" run m/copies.onnx --input x=m/x.npy --output-dir "$d/run" --device sim \
    --place "relu=$side"
  build_aot m/copies.onnx "$d" copies_app.c --device sim --place "relu=$side"
  "$d/app" > "$d/aot.bin" || fail "copies ($side): the compiled model failed"
  D="$d" /usr/bin/python3 - <<'PY' || fail "copies: wrong outputs"
import os
import numpy as np
d = os.environ["D"]
x = np.load("m/x.npy")
y = np.maximum(x, 0)
want = {"y": y, "x": x, "c": np.float32([1, 2, 3]), "y_1": y}
for name, w in want.items():
    got = np.load(f"{d}/run/{name}.npy")
    assert got.dtype == w.dtype and np.array_equal(got, w), (name, got)
aot = np.fromfile(f"{d}/aot.bin", dtype=np.float32)
assert np.array_equal(aot, np.concatenate([w.ravel() for w in want.values()])), aot
PY
done

step "an output with data-dependent dimensions (NonZero) from a host part and a device part"
cat > nonzero_app.c <<'C'
#include <stdio.h>
#include "nonzero.h"
/* The shape, the indices and the Relu of x.bin. */
int main(void) {
  float x[24], relu[24];
  int64_t nz[48], shape[2] = {-1, -1};
  FILE* f = fopen("m/x.bin", "rb");
  if (!f || fread(x, sizeof(float), 24, f) != 24) return 2;
  fclose(f);
  if (nonzero(x, nz, shape, relu) != 0) return 1;
  fwrite(shape, sizeof(int64_t), 2, stdout);
  fwrite(nz, sizeof(int64_t), (size_t)(shape[0] * shape[1]), stdout);
  fwrite(relu, sizeof(float), 24, stdout);
  return 0;
}
C
for side in host device; do
  d="nonzero_$side"
  build_aot m/nonzero.onnx "$d" nonzero_app.c --device sim --place "nonzero=$side"
  "$d/app" > "$d/aot.bin" || fail "nonzero ($side): the compiled model failed"
  D="$d" /usr/bin/python3 - <<'PY' || fail "nonzero ($side): wrong outputs"
import os
import numpy as np
raw = open(os.environ["D"] + "/aot.bin", "rb").read()
x = np.load("m/x.npy")
want = np.stack(np.nonzero(np.maximum(x, 0))).astype(np.int64)
shape = np.frombuffer(raw[:16], dtype=np.int64)
assert list(shape) == list(want.shape), shape
n = want.size * 8
assert np.array_equal(np.frombuffer(raw[16:16 + n], dtype=np.int64), want.ravel())
assert np.array_equal(np.frombuffer(raw[16 + n:], dtype=np.float32), np.maximum(x, 0).ravel())
PY
done

step "halo --report: the partition (golden)"
"$halo" m/chain.onnx --report --device sim --place mm2_1=host | sed -n '/^Partition for/,$p' \
  > report.txt
diff -u "$src/tests/golden/hetero_report.txt" report.txt || fail "the partition report differs"

step "errors"
expect_error() {  # expect_error TEXT HALO_ARGS...
  local text="$1"
  shift
  if "$halo" "$@" > err.txt 2>&1; then fail "halo $* succeeded"; fi
  grep -qF -- "$text" err.txt || fail "halo $*: no '$text' in: $(cat err.txt)"
}
expect_error "no operator node 'nope'" m/chain.onnx --report --device sim --place nope=host
expect_error "cannot run on device 'lacks_mul'" m/chain.onnx --report \
  --device-table lacks_mul.txt --place scale=device
expect_error "--place needs --device" m/chain.onnx --report --place scale=host
expect_error "unknown device 'tpu'" m/chain.onnx --report --device tpu

echo "hetero: all passed"
