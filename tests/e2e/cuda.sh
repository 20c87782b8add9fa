#!/usr/bin/env bash
# --device cuda end to end (docs/heterogeneous.md): the MNIST CNN (examples/mnist) and a small
# encoder (make_encoder.py) compiled by halo for libodla_cuda, whole and partitioned (the cost
# model's split, a --place split; --precision tf32 whole and split); `halo run --device cuda`
# (in process, on libodla_ref) equals the all-host run bit for bit; --report shows the
# partition; the generated code compiles and links with libodla_cuda.a (+ libodla_ref_host.a)
# and the CUDA libraries; the MNIST CNN with --dynamic-batch in a device and a host part at
# batch sizes 1, 3 and 8 (3 parts).
# With a CUDA device (halo-cuda-probe) the programs also run and must equal the all-host
# results within fp32's tolerance (max |a - b| <= 1e-4 x max |host|; tf32: 1e-2); without one
# that part prints "skipped: no CUDA device: ..." and the rest still has to pass.
# With --emu they run on libodla_cuda_emu instead (tests/cuda_emu: CUDA emulated on the CPU).
# Usage: cuda.sh SOURCE_DIR BUILD_DIR [--gpu|--emu]  (--gpu: exit 77 at once without a device)
# Environment: HALO_PYTHON (default /usr/bin/python3: numpy and onnx).
set -euo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
need_gpu="${3:-}"
halo="$build/bin/halo"
lib="$build/lib"
python="${HALO_PYTHON:-/usr/bin/python3}"
work="$build/test_tmp/cuda${need_gpu:+_${need_gpu#--}}"
cuda_lib=libodla_cuda.a
[ "$need_gpu" = --emu ] && cuda_lib=libodla_cuda_emu.a

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

set +e
if [ "$need_gpu" = --emu ]; then
  device="the CPU (libodla_cuda_emu)" probe=0
else
  device="$("$build/bin/halo-cuda-probe")"
  probe=$?
fi
set -e
case $probe in
  0) echo "cuda: device $device" ;;
  77) [ "$need_gpu" = --gpu ] && { echo "skipped: $device"; exit 77; } ;;
  *) fail "halo-cuda-probe failed (exit $probe): $device" ;;
esac
for f in $cuda_lib libodla_ref_host.a; do
  [ -f "$lib/$f" ] || fail "$lib/$f missing: build the targets odla_cuda(_emu) and odla_hetero"
done
# The CUDA libraries: the directories libodla_cuda was configured with (CMakeCache.txt), else
# /usr/local/cuda/lib64, or CUDA_LIB_DIRS (colon-separated); by soname, so that a directory
# without the development links (a pip wheel's) does too.
cache() { sed -n "s|^$1:[A-Z]*=||p" "$build/CMakeCache.txt" 2> /dev/null || true; }
dirs="${CUDA_LIB_DIRS:-$(cache CUDAToolkit_LIBRARY_DIR):$(dirname "$(cache CUDNN_LIBRARY)")}"
CUDA_LIBS=""
for d in ${dirs//:/ } /usr/local/cuda/lib64; do
  if [ -d "$d" ]; then CUDA_LIBS="$CUDA_LIBS -L$d -Wl,-rpath,$d"; fi
done
CUDA_LIBS="$CUDA_LIBS -l:libcudnn.so.9 -l:libcublas.so.13 -l:libcudart.so.13 -lpthread -ldl -lrt"
[ "$need_gpu" = --emu ] && CUDA_LIBS="-lpthread"

rm -rf "$work" && mkdir -p "$work" && cd "$work"
# The built-in cuda table's throughputs with a fast link: with the measured one (pageable
# copies, 2.9 GB/s) the cost model keeps models this small on the host, and the partitions
# below are to put them on the device.
cat > fast_link.table <<'T'
device cuda
ops *
gflops 51434
gbps 1718
host_gflops 1100
host_gbps 228
link_gbps 1000
T
fast=(--device-table "$work/fast_link.table")
"$python" "$src/tests/gpu/make_encoder.py" enc
"$python" -c "
import numpy as np
x = np.random.default_rng(5).random((1, 1, 28, 28), dtype=np.float32)
np.save('mx.npy', x)
x.tofile('mx.bin')"

cat > app.c <<'C'
/* Runs the compiled model (entry `model`) on IN.bin, twice (the second run reuses the
 * context), writes OUT.bin. Usage: app IN.bin IN_ELEMS OUT.bin OUT_ELEMS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
int main(int argc, char** argv) {
  if (argc != 5) return 2;
  size_t n_in = strtoul(argv[2], NULL, 10), n_out = strtoul(argv[4], NULL, 10);
  float* x = malloc(n_in * sizeof(float));
  float* y = malloc(n_out * sizeof(float));
  float* y2 = malloc(n_out * sizeof(float));
  FILE* f = fopen(argv[1], "rb");
  if (!x || !y || !y2 || !f || fread(x, sizeof(float), n_in, f) != n_in) return 2;
  fclose(f);
  if (model(x, y) != 0 || model(x, y2) != 0) return 1;
  if (memcmp(y, y2, n_out * sizeof(float)) != 0) return 3;
  f = fopen(argv[3], "wb");
  if (!f || fwrite(y, sizeof(float), n_out, f) != n_out) return 2;
  fclose(f);
  model_fini();
  return 0;
}
C

# build NAME MODEL LIBS HALO_OPTIONS...: the generated code in out_NAME/, linked into out_NAME/app.
build_app() {
  local name="$1" model="$2" libs="$3"
  shift 3
  mkdir -p "out_$name"
  "$halo" "$model" -o "out_$name/model.cc" --entry-func-name model "$@"
  c++ -std=c++17 -O1 -Wall -Wextra -Werror -I "$src/include" -c "out_$name/model.cc" \
    -o "out_$name/model.o"
  cc -std=c99 -Wall -Wextra -Werror -I "out_$name" -c app.c -o "out_$name/app.o"
  # shellcheck disable=SC2086
  c++ "out_$name/app.o" "out_$name/model.o" "out_$name/model.bin" -L "$lib" $libs $CUDA_LIBS \
    -o "out_$name/app"
}

# compare NAME WANT.npy TOLERANCE: out_NAME's result (NAME.bin) against the host's.
compare() {
  "$python" - "$1" "$2" "$3" <<'PY' || fail "$1: differs from the all-host run"
import sys
import numpy as np
name, want, tol = sys.argv[1], np.load(sys.argv[2]).ravel(), float(sys.argv[3])
got = np.fromfile(f"{name}.bin", dtype=np.float32)
assert got.size == want.size, (got.size, want.size)
err = float(np.abs(got - want).max()) / max(float(np.abs(want).max()), 1e-30)
print(f"cuda: {name}: max |cuda - host| / max |host| = {err:.2e} (tolerance {tol:g})")
sys.exit(0 if err <= tol else 1)
PY
}

ran=0
# model KEY MODEL INPUT OUTPUT_NAME IN_ELEMS OUT_ELEMS DEVICE_OP PLACE_NODE
model() {
  local key="$1" onnx="$2" input="$3" out="$4" n_in="$5" n_out="$6" dev_op="$7" place="$8"
  local in_name="${input%%=*}" in_bin="${input#*=}"
  in_bin="${in_bin%.npy}.bin"
  step "$key: halo run, all host and --device cuda (in process): the same results"
  mkdir -p "run_${key}_host" "run_${key}_cuda"
  "$halo" run "$onnx" --input "$input" --output-dir "run_${key}_host"
  "$halo" run "$onnx" --input "$input" --output-dir "run_${key}_cuda" "${fast[@]}"
  cmp "run_${key}_cuda/$out.npy" "run_${key}_host/$out.npy" ||
    fail "$key: halo run --device cuda differs from the all-host run"

  step "$key: --report shows the partition (the built-in table, then the fast link)"
  "$halo" "$onnx" --report --device cuda > "report_${key}_builtin.txt"
  grep -q "^Partition for device 'cuda'" "report_${key}_builtin.txt" ||
    fail "$key: no partition report with --device cuda"
  "$halo" "$onnx" --report "${fast[@]}" > "report_$key.txt"
  sed -n '/^Partition for/,$p' "report_$key.txt"
  grep -q "^Partition for device 'cuda'" "report_$key.txt" || fail "$key: no partition report"
  grep "(device):" "report_$key.txt" | grep -q "$dev_op)" ||
    fail "$key: no $dev_op in a device part"

  step "$key: compiled and linked: whole model on libodla_cuda, --device cuda, --place, tf32"
  echo "(and --device cuda --place --precision tf32)"
  build_app "${key}_whole" "$onnx" "-l:$cuda_lib"
  build_app "${key}_dev" "$onnx" "-l:$cuda_lib -l:libodla_ref_host.a" "${fast[@]}"
  build_app "${key}_placed" "$onnx" "-l:$cuda_lib -l:libodla_ref_host.a" "${fast[@]}" \
    --place "$place=host"
  build_app "${key}_tf32" "$onnx" "-l:$cuda_lib" --precision tf32
  build_app "${key}_dev_tf32" "$onnx" "-l:$cuda_lib -l:libodla_ref_host.a" "${fast[@]}" \
    --place "$place=host" --precision tf32
  "$halo" "$onnx" --report "${fast[@]}" --place "$place=host" > "report_${key}_placed.txt"
  grep "(host):" "report_${key}_placed.txt" | grep -qF " $place (" ||
    fail "$key: --place $place=host: the node is not in a host part"
  cmp -s "out_${key}_dev/model.cc" "out_${key}_placed/model.cc" &&
    fail "$key: --place $place=host changed nothing"
  grep -q 'ODLA_PRECISION_TF32' "out_${key}_tf32/model.cc" || fail "$key: no tf32 request"
  grep -q 'odla_SetComputationPrecision(g_comp_0, ODLA_PRECISION_TF32)' \
    "out_${key}_dev_tf32/model.cc" || fail "$key: no tf32 request in the device part"

  if [ $probe = 0 ]; then
    step "$key: run on $device"
    for v in whole dev placed tf32 dev_tf32; do
      local rc=0
      "out_${key}_$v/app" "$in_bin" "$n_in" "${key}_$v.bin" "$n_out" || rc=$?
      [ $rc != 3 ] || fail "${key}_$v: a second run gave other results than the first"
      [ $rc = 0 ] || fail "${key}_$v: the compiled model failed (exit $rc)"
      local tol=1e-4
      case $v in *tf32) tol=1e-2 ;; esac
      compare "${key}_$v" "run_${key}_host/$out.npy" $tol
    done
    ran=1
  fi
}

model mnist "$src/examples/mnist/mnist.onnx" input=mx.npy logits 784 10 Conv /2/MaxPool
model encoder enc/encoder.onnx x=enc/x.npy y 2048 2048 MatMul scores

step "mnist --dynamic-batch --device cuda, Flatten on the host: batch sizes 1, 3, 8"
"$python" "$src/tests/e2e/make_batch_models.py" "$src/examples/mnist/mnist.onnx" dyn
cat > dyn_app.c <<'C'
/* mnist_dyn at batch sizes 1, 3, 8 (DIR/mnist_dyn_xB.f32), its logits in a row to OUT.bin.
 * Usage: dyn_app DIR OUT.bin */
#include <stdio.h>
#include "mnist_dyn.h"
int main(int argc, char** argv) {
  static float x[8 * 784], y[8 * 10];
  const int batches[3] = {1, 3, 8};
  FILE* out = argc == 3 ? fopen(argv[2], "wb") : NULL;
  if (!out) return 2;
  for (int i = 0; i < 3; ++i) {
    char path[512];
    snprintf(path, sizeof path, "%s/mnist_dyn_x%d.f32", argv[1], batches[i]);
    FILE* f = fopen(path, "rb");
    size_t n = 784 * (size_t)batches[i];
    if (!f || fread(x, sizeof(float), n, f) != n) return 2;
    fclose(f);
    if (mnist_dyn(batches[i], x, y) != 0) return 1;
    fwrite(y, sizeof(float), 10 * (size_t)batches[i], out);
  }
  fclose(out);
  mnist_dyn_fini();
  return 0;
}
C
mkdir -p out_dyn
"$halo" dyn/mnist_dyn.onnx -o out_dyn/mnist_dyn.cc --dynamic-batch "${fast[@]}" \
  --place /6/Flatten=host
[ "$(grep -c '^static int Build_[0-9](int64_t batch)' out_dyn/mnist_dyn.cc)" = 3 ] ||
  fail "dynamic: not 3 parts (device, host, device) per batch size"
c++ -std=c++17 -O1 -Wall -Wextra -Werror -I "$src/include" -c out_dyn/mnist_dyn.cc \
  -o out_dyn/model.o
cc -std=c99 -Wall -Wextra -Werror -I out_dyn -c dyn_app.c -o out_dyn/app.o
# shellcheck disable=SC2086
c++ out_dyn/app.o out_dyn/model.o out_dyn/mnist_dyn.bin -L "$lib" -l:$cuda_lib \
  -l:libodla_ref_host.a $CUDA_LIBS -o out_dyn/app
if [ $probe = 0 ]; then
  out_dyn/app dyn dyn.bin || fail "dynamic: the compiled model failed"
  for b in 1 3 8; do
    mkdir -p "run_dyn_$b"
    "$halo" run dyn/mnist_dyn.onnx --dynamic-batch --input "input=dyn/mnist_dyn_x$b.npy" \
      --output-dir "run_dyn_$b"
  done
  "$python" -c "
import numpy as np
want = np.concatenate([np.load(f'run_dyn_{b}/logits.npy').ravel() for b in (1, 3, 8)])
np.save('dyn_want.npy', want)"
  compare dyn dyn_want.npy 1e-4
fi

if [ $ran = 0 ]; then
  echo "cuda: compiled and linked; running skipped: $device"
else
  echo "cuda: all passed on $device"
fi
