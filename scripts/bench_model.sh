#!/usr/bin/env bash
# Times a model with one float32 input and one float32 output through the AOT path: halo
# (with any extra halo options), c++ -O2, libodla_ref (or the runtime RUNTIME names:
# build/lib/libodla_RUNTIME.so). Prints the median and the fastest of RUNS inferences (after
# two warm-up runs), in milliseconds.
# Usage: [RUNTIME=dnnl] bench_model.sh BUILD MODEL.onnx RUNS [HALO_OPTION...]
# E.g. the effect of fusion: bench_model.sh build m.onnx 20 --disable-pass fuse-conv
set -euo pipefail
build="$(cd "$1" && pwd)"
model="$2"
runs="$3"
shift 3
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$build/bin/halo" "$model" -o "$tmp/m.cc" --entry-func-name model "$@"
# The element counts of the input and the output, from the header's comments.
sizes=($(grep -o "f32\[[0-9x]*\]" "$tmp/m.h" | sed 's/^f32\[//; s/\]$//; s/x/*/g; s/^$/1/' |
  while read -r e; do echo $((e)); done))
[ ${#sizes[@]} -eq 2 ] || { echo "bench_model: expected one f32 input and output" >&2; exit 1; }
cat > "$tmp/app.c" <<'APP'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "m.h"
static int Cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}
int main(int argc, char** argv) {
  long runs = atol(argv[1]);
  float* in = malloc(sizeof(float) * IN_SIZE);
  float* out = malloc(sizeof(float) * OUT_SIZE);
  double* ms = malloc(sizeof(double) * runs);
  unsigned s = 1;
  for (long i = 0; i < IN_SIZE; ++i) in[i] = ((s = s * 1664525u + 1013904223u) >> 8) / 16777216.0f;
  for (int i = 0; i < 2; ++i)
    if (model(in, out) != 0) return 1;
  for (long r = 0; r < runs; ++r) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (model(in, out) != 0) return 1;
    clock_gettime(CLOCK_MONOTONIC, &b);
    ms[r] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
  }
  qsort(ms, runs, sizeof(double), Cmp);
  printf("median %.2f ms, fastest %.2f ms (%ld runs)\n", ms[runs / 2], ms[0], runs);
  model_fini();
  return 0;
}
APP
c++ -O2 -I "$root/include" -c "$tmp/m.cc" -o "$tmp/m.o"
cc -std=c99 -O2 -D_POSIX_C_SOURCE=199309L -DIN_SIZE="${sizes[0]}" -DOUT_SIZE="${sizes[1]}" \
  -I "$tmp" -c "$tmp/app.c" -o "$tmp/app.o"
runtime="${RUNTIME:-ref}"
if [ "$runtime" = ref ]; then lib=(-l:libodla_ref.a); else
  lib=(-l:"libodla_$runtime.so" -Wl,-rpath,"$build/lib"); fi
c++ "$tmp/app.o" "$tmp/m.o" "$tmp/m.bin" -L "$build/lib" "${lib[@]}" -lpthread -o "$tmp/app"
"$tmp/app" "$runs"
