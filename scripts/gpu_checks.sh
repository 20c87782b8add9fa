#!/usr/bin/env bash
# The GPU checks of libodla_cuda in one script, for a session lent a GPU machine (the device
# tool: 16 cores, no network, its own Python with CUDA PyTorch, and probably none of the
# Debian C++ libraries halo builds with).
#
#   scripts/gpu_checks.sh pack BUILD   (here, after building) writes gpu-pack/ at the
#       repository root (ignored by git): halo, halo-conformance, halo-cuda-probe,
#       halo-cuda-tests, halo-measure-cuda, libodla_cuda.{so,a}, libodla_ref_host.a, the
#       Debian libraries halo needs, the ONNX conformance data and the quantized TFLite cases,
#       compressed (28 MiB on 2026-11-27, stop 20): carry it with gpu-models/ (32 MiB); with
#       the tracked files (4 MiB) a call sends at most 64 MiB, and pack fails above 63. Make it
#       in the checkout the session started in (the device tool sends that one); the run warns
#       when the pack's commit is not the checkout's.
#   scripts/gpu_checks.sh BUILD [STEP...]   (there) runs the checks on BUILD, a build
#       directory, or gpu-pack: without BUILD/bin/halo it first tries to build one (cmake,
#       make -j16). STEPs, in the order given (default: probe unit measure e2e bench
#       conformance carried tflite, the order of one call below, most needed first):
#       probe: halo-cuda-probe names the GPU;
#       unit: halo-cuda-tests (every GPU kernel against the host's builders) op by op, then
#         with CUDA graphs (ODLA_GRAPHS=1), then with ODLA_CUDA_CONV_ALGO=find and
#         ODLA_CUDA_PINNED=1;
#       bench: `make bench-gpu` (ResNet-50 and the encoder at batch 1 and 32 against PyTorch),
#         with its second table timing the same programs under BENCH_HALO_VARIANTS (default:
#         graphs, find, and both with pinned staging): perf-gpu.md;
#       conformance: the ONNX suite on libodla_cuda against tests/conformance/expected_pass.txt;
#       carried: halo-conformance at fp32's 1e-4 on gpu-models/* (real models copied from
#         build/real-models/torch here and carried, with their PyTorch references);
#       tflite: halo-conformance on the quantized TFLite cases with exact outputs (packed from
#         BUILD/tflite: seanet's int16 single-op models, MUL, CONCATENATION, and whole int8
#         models with libodla_ref's outputs), every integer output bit-exact;
#       e2e: tests/e2e/cuda.sh --gpu (generated code, partitions, placement, TF32);
#       measure: halo-measure-cuda, the `cuda` device table's throughputs and link bandwidth;
#       models: the real-model exports made on the machine (slow: `carried` replaces it);
#       profile: per-op tables of the bench's configurations, halo's (ODLA_PROFILE) with CUDA
#         graphs off and on, and PyTorch's (torch.profiler), in profile/;
#       variants: per-op tables with ODLA_CUDA_CONV_ALGO=find and ODLA_CUDA_PINNED=1.
#       One line per step says PASS, FAIL or SKIP; the exit status is 1 if any step failed.
#       Logs go to BUILD/gpu-checks; with the device tool's $OUT, summary.txt, logs.tgz and
#       perf-gpu.md there are brought up to date after every step (a call stopped at its limit
#       still brings them back). GPU_CHECKS_BUDGET_S: skip the steps that would not end within
#       so many seconds of the start (each step's usual time is in `usual` below).
#
# With the device tool (15 minutes of device time per session, the machine's start, a minute
# or two, included; it goes back 30 s after a call). On 2026-11-26 (H100) the steps took:
# probe 1 s, unit 2 s, e2e 15 s, conformance 150 s, bench 74 s (now with 3 variants: about
# 140 s), measure 6 s. One call does the deliverables (the last steps are skipped if the
# budget runs out), and leaves time for a second:
#   here:  make -C build -j2 && scripts/gpu_checks.sh pack build
#          (it also copies three real models into gpu-models/ for the `carried` step)
#   run(command="GPU_CHECKS_BUDGET_S=420 scripts/gpu_checks.sh gpu-pack",
#       carry=["gpu-pack", "gpu-models"], timeout_s=450)
#   The kernels of stops 15 to 19 (tiled and widened copies, 32-bit index maps, warp softmax,
#   split reductions, block ArgMax; indexing, scatters, TopK, quantization, recurrent layers,
#   Einsum; DFT, STFT, SVDF, TFLite's integer LSTM, TfIdfVectorizer, Compress, the
#   generating ops, each checked byte for byte against the host) have run only on the CUDA
#   emulation (docs/cuda.md), CUDA graphs and the opt-in settings never on a GPU. A faulty op
#   can go to the host with ODLA_CUDA_HOST_OPS=Op. Read perf-gpu.md's second table: a setting
#   that helps every row can become the default (its row is then the default's measured
#   figure: say so in docs/perf-gpu.md). With the time left, a second call runs the skipped
#   steps, reruns a failed one, or profiles: run(command="GPU_CHECKS_BUDGET_S=200
#   scripts/gpu_checks.sh gpu-pack carried tflite profile", ...).
# Copy perf-gpu.md into docs/ here and commit it; put the `measure` step's numbers (in
# logs.tgz: measure.log) into src/passes/device_tables.cc (docs/heterogeneous.md, "Measuring
# a device").
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if [ "${1:-}" = pack ]; then
  set -e
  build="$(cd "${2:?usage: gpu_checks.sh pack BUILD}" && pwd)"
  pack="$root/gpu-pack"
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  rm -rf "$pack" && mkdir -p "$pack" "$stage/bin" "$stage/lib" "$stage/sys"
  for b in halo halo-conformance halo-cuda-probe halo-cuda-tests halo-measure-cuda; do
    [ -x "$build/bin/$b" ] || { echo "gpu_checks: $build/bin/$b missing: build it" >&2; exit 1; }
    strip -o "$stage/bin/$b" "$build/bin/$b"
  done
  for l in libodla_cuda.so libodla_cuda.a libodla_ref_host.a; do
    [ -f "$build/lib/$l" ] || { echo "gpu_checks: $build/lib/$l missing: build it" >&2; exit 1; }
    cp "$build/lib/$l" "$stage/lib/"
  done
  strip --strip-unneeded "$stage/lib/libodla_cuda.so"
  # The libraries of halo's Debian dependencies (not libc, libstdc++ and the like).
  ldd "$build/bin/halo" "$build/bin/halo-conformance" |
    awk '$3 ~ /^\// && $1 ~ /^lib(onnx|protobuf|flatbuffers|z\.)/ {print $3}' | sort -u |
    while read -r l; do cp -L "$l" "$stage/sys/"; done
  tar -C "$stage" -cf - bin lib sys | xz -T0 -6 > "$pack/tools.tar.xz"
  tar -C /usr/share/libonnx-testdata/data -cJf "$pack/onnx-testdata.tar.xz" \
    node pytorch-converted pytorch-operator simple
  # The quantized TFLite cases with exact outputs for the `tflite` step (tests
  # tflite_quant_golden and tflite_quant_models_cuda_emu write them).
  tdirs=()
  for t in quant_golden/seanet quant_golden/tflite_quant_ops quant_models; do
    if [ -d "$build/tflite/$t" ]; then tdirs+=("$t"); else
      echo "gpu_checks: $build/tflite/$t missing (ctest -R tflite_quant makes it)" >&2
    fi
  done
  [ ${#tdirs[@]} = 0 ] || tar -C "$build/tflite" -cJf "$pack/tflite.tar.xz" "${tdirs[@]}"
  # halo-conformance finds the source and build directories by their absolute paths here.
  printf 'src=%s\nbuild=%s\ncommit=%s\n' "$root" "$build" \
    "$(git -C "$root" describe --always --dirty 2> /dev/null || echo unknown)" > "$pack/paths"
  du -sh "$pack"
  if [ "$(du -sm "$pack" | cut -f1)" -gt 60 ]; then
    echo "gpu_checks: the pack is over 60 MiB" >&2
    exit 1
  fi
  # Real models with their PyTorch references for the `carried` step (GPU_MODELS, default
  # the three below: 32 MiB; ResNet-50, at 99 MiB, would not fit beside the pack: the bench
  # checks it against PyTorch instead).
  rm -rf "$root/gpu-models" && mkdir -p "$root/gpu-models"
  for m in ${GPU_MODELS:-transformer_encoder_opset13 mobilenet_v2_opset13 squeezenet1_1_opset13}; do
    if [ -d "$build/real-models/torch/$m" ]; then
      cp -r "$build/real-models/torch/$m" "$root/gpu-models/"
    else
      echo "gpu_checks: $build/real-models/torch/$m missing (ctest -R real_models makes it)" >&2
    fi
  done
  du -sh "$root/gpu-models"
  # The device tool sends the tracked files too: all of it within 64 MiB.
  tree=$(cd "$root" && git ls-files -z | xargs -0 du -cb 2> /dev/null | tail -n 1 | cut -f1)
  total=$(( $(du -scb "$pack" "$root/gpu-models" | tail -n 1 | cut -f1) + ${tree:-0} ))
  echo "gpu_checks: the call sends $((total / 1048576)) MiB (tracked files, gpu-pack, gpu-models)"
  if [ "$total" -gt $((63 * 1048576)) ]; then
    echo "gpu_checks: over 63 MiB: the device tool carries 64 MiB at most; choose fewer" \
      "GPU_MODELS" >&2
    exit 1
  fi
  echo "gpu_checks: wrote $pack and gpu-models; carry both and run scripts/gpu_checks.sh gpu-pack"
  exit 0
fi

build="${1:?usage: gpu_checks.sh BUILD [STEP...] | gpu_checks.sh pack BUILD}"
shift
steps="${*:-probe unit measure e2e bench conformance carried tflite}"
mkdir -p "$build"
build="$(cd "$build" && pwd)"
# Logs are written under BUILD/gpu-checks; with the device tool's $OUT, summary.txt, logs.tgz
# and perf-gpu.md there are brought up to date after every step, so that a run stopped at its
# limit still brings back what it has done.
logs="$build/gpu-checks"
rm -rf "$logs" && mkdir -p "$logs"
summary="$logs/summary.txt"
: > "$summary"
status=0
python="$(command -v python3)"
export HALO_PYTHON="$python"
jobs="$(nproc)"
# GPU_CHECKS_BUDGET_S (seconds, default none): a step that would not end in what is left of it
# (by its usual time below, from the H100 of 2026-11-26) is skipped, and a step's time limit
# is cut to what is left.
budget="${GPU_CHECKS_BUDGET_S:-0}"
declare -A usual=([probe]=5 [measure]=15 [unit]=10 [e2e]=25 [conformance]=170 [models]=600
  [carried]=40 [tflite]=40 [bench]=160 [profile]=240 [variants]=120)

note() { echo "gpu_checks: $*" | tee -a "$summary"; }
save() {
  [ -n "${OUT:-}" ] || return 0
  cp "$summary" "$OUT/summary.txt"
  [ -f "$logs/perf-gpu.md" ] && cp "$logs/perf-gpu.md" "$OUT/"
  tar -C "$logs" -czf "$OUT/logs.tgz.part" . && mv "$OUT/logs.tgz.part" "$OUT/logs.tgz"
}
# fits STEP: whether STEP's usual time fits in what is left of the budget (else a SKIP line).
fits() {
  [ "$budget" -gt 0 ] || return 0
  local left=$((budget - SECONDS))
  [ "$left" -ge "${usual[$1]:-30}" ] && return 0
  note "SKIP $1: $left s of GPU_CHECKS_BUDGET_S left, it usually takes ${usual[$1]:-30} s"
  save
  return 1
}
# step NAME TIMEOUT_S COMMAND...: runs it with its log in $logs/NAME.log.
step() {
  local name="$1" limit="$2"
  shift 2
  if [ "$budget" -gt 0 ] && [ $((budget - SECONDS)) -lt "$limit" ]; then
    limit=$((budget - SECONDS))
    [ "$limit" -gt 0 ] || limit=1
  fi
  local start=$SECONDS rc
  echo "== $name: $*"
  timeout --kill-after=10 "$limit" "$@" > "$logs/$name.log" 2>&1
  rc=$?
  tail -n 15 "$logs/$name.log"
  case $rc in
    0) note "PASS $name ($((SECONDS - start)) s)" ;;
    77) note "SKIP $name: $(head -n 1 "$logs/$name.log")" ;;
    124) note "FAIL $name: timed out after $limit s"; status=1 ;;
    *) note "FAIL $name: exit $rc (log: $name.log)"; status=1 ;;
  esac
  save
  return $rc
}
# gtest_alone NAME COMMAND...: after a failed gtest step NAME, runs each test that did not
# pass there in a process of its own (a sticky CUDA error or a crash fails all the tests
# after it), and names those that fail alone.
gtest_alone() {
  local name="$1" t failed=()
  shift
  for t in $("$@" --gtest_list_tests | awk '/^[^ ]/ {s=$1} /^  / {print s $1}'); do
    grep -q "^\[       OK \] $t " "$logs/$name.log" && continue
    [ "$budget" -gt 0 ] && [ $((budget - SECONDS)) -lt 30 ] && break
    timeout 30 "$@" --gtest_filter="$t" >> "$logs/${name}_alone.log" 2>&1 || failed+=("$t")
  done
  note "${name}: ${#failed[@]} tests fail alone: ${failed[*]:-none} (log: ${name}_alone.log)"
  save
}

# CUDA libraries: the toolkit's, else those of the Python wheels (nvidia-cudnn-cu13, ...).
libdirs="/usr/local/cuda/lib64"
for d in $("$python" -c 'import glob, os, nvidia
print(" ".join(sorted({os.path.dirname(p) for b in nvidia.__path__
                        for p in glob.glob(b + "/*/lib/lib*.so*")})))' 2> /dev/null); do
  libdirs="$libdirs:$d"
done
export CUDA_LIB_DIRS="$libdirs"

if [ -f "$build/paths" ]; then  # a pack: its tools, libraries and paths
  # halo-conformance finds the sources and its runtime at the paths it was built with: make
  # them lead here (the checkout) and to the pack.
  src_dir="$(sed -n 's/^src=//p' "$build/paths")"
  build_dir="$(sed -n 's/^build=//p' "$build/paths")"
  export LD_LIBRARY_PATH="$build/sys:$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  if [ ! -e "$src_dir" ]; then mkdir -p "$(dirname "$src_dir")" && ln -s "$root" "$src_dir"; fi
  if [ ! -e "$build_dir" ]; then
    mkdir -p "$(dirname "$build_dir")" && ln -s "$build" "$build_dir"
  fi
  [ "$(readlink -f "$build_dir")" = "$build" ] && [ "$(readlink -f "$src_dir")" = "$root" ] ||
    note "WARN $src_dir or $build_dir exist already: halo-conformance may use other files"
  packed="$(sed -n 's/^commit=//p' "$build/paths")"
  here="$(git -C "$root" describe --always --dirty 2> /dev/null || echo unknown)"
  [ "$packed" = "$here" ] ||
    note "WARN the pack was made at ${packed:-an unknown commit}, the checkout is at $here"
  [ -x "$build/bin/halo" ] || tar -C "$build" -xJf "$build/tools.tar.xz"
  data="$build/onnx-testdata"
  [ -d "$data" ] || { mkdir -p "$data" && tar -C "$data" -xJf "$build/onnx-testdata.tar.xz"; }
  if [ ! -d "$build/tflite" ] && [ -f "$build/tflite.tar.xz" ]; then
    mkdir -p "$build/tflite" && tar -C "$build/tflite" -xJf "$build/tflite.tar.xz"
  fi
else
  export LD_LIBRARY_PATH="$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  data="${ONNX_TESTDATA:-/usr/share/libonnx-testdata/data}"
  if [ ! -x "$build/bin/halo" ]; then
    step build 480 bash -c "cmake -S '$root' -B '$build' -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CUDA_ARCHITECTURES=native && make -C '$build' -j$jobs halo halo-conformance \
      odla_cuda halo-cuda-tests halo-cuda-probe halo-measure-cuda odla_hetero"
    [ $status = 0 ] || { note "the build failed: use a pack (see the top of this script)"; exit 1; }
  fi
fi

nvidia-smi -L > "$logs/nvidia-smi.txt" 2>&1 || true
bench=("$python" "$root/bench/gpu.py" "$build")
# The settings the bench times beside the default (bench/gpu.py's BENCH_HALO_VARIANTS): CUDA
# graphs, cuDNN's timed algorithm choice, and both with page-locked staging.
variants="${BENCH_HALO_VARIANTS-ODLA_GRAPHS=1;ODLA_CUDA_CONV_ALGO=find;\
ODLA_GRAPHS=1 ODLA_CUDA_CONV_ALGO=find ODLA_CUDA_PINNED=1}"
# The bench with per-op profiles (bench/gpu.py's BENCH_PROFILE), for the steps that take
# more settings before the bench.
profiled=(env BENCH_PROFILE="$logs/profile" BENCH_RUNS=10 BENCH_WARMUP=3 BENCH_HALO_VARIANTS=)
for s in $steps; do
  fits "$s" || continue
  case $s in
    probe) step probe 30 "$build/bin/halo-cuda-probe" ;;
    measure) step measure 120 "$build/bin/halo-measure-cuda" ;;
    unit)
      # The GPU tests op by op, then with CUDA graphs, then with the other opt-in settings.
      # After a failure, the tests that did not pass run again one per process.
      step unit 100 "$build/bin/halo-cuda-tests" ||
        gtest_alone unit "$build/bin/halo-cuda-tests"
      step unit_graphs 100 env ODLA_GRAPHS=1 "$build/bin/halo-cuda-tests" ||
        gtest_alone unit_graphs env ODLA_GRAPHS=1 "$build/bin/halo-cuda-tests"
      step unit_variants 100 env ODLA_CUDA_CONV_ALGO=find ODLA_CUDA_PINNED=1 \
        "$build/bin/halo-cuda-tests" || gtest_alone unit_variants env \
        ODLA_CUDA_CONV_ALGO=find ODLA_CUDA_PINNED=1 "$build/bin/halo-cuda-tests" ;;
    e2e) step e2e 150 "$root/tests/e2e/cuda.sh" "$root" "$build" --gpu ;;
    conformance)
      step conformance 310 "$build/bin/halo-conformance" -j "$jobs" --runtime cuda \
        --expected "$root/tests/conformance/expected_pass.txt" \
        "$data/node" "$data/pytorch-converted" "$data/pytorch-operator" "$data/simple" ;;
    models)
      # The real-model tests' PyTorch exports (with the TorchScript exporter on PyTorch >= 2.9)
      # against PyTorch's outputs at fp32's tolerance (OpenCV's tests need ../shared, which
      # the device tool does not send).
      step models_export 270 "$python" "$root/tests/gpu/torchscript_export.py" \
        "$root/tests/models/export_models.py" "$build/real-models/torch"
      step models 320 "$build/bin/halo-conformance" -j "$jobs" --runtime cuda \
        --expected "$root/tests/models/expected_pass.txt" --tolerance scale:1e-4 \
        "$build/real-models/torch" ;;
    carried)
      # Real models exported here with their PyTorch references (build/real-models/torch),
      # copied to gpu-models/ at the repository root and carried: no export on the device.
      (cd "$root" && ls -d gpu-models/*) > "$logs/carried_expected.txt"
      step carried 200 "$build/bin/halo-conformance" -j "$jobs" --runtime cuda \
        --tolerance scale:1e-4 --expected "$logs/carried_expected.txt" "$root"/gpu-models/* ;;
    tflite)
      # Quantized TFLite models and single-op models (seanet's int16 ops, MUL, CONCATENATION;
      # mobilenet_v2, person_detect, micro_speech, hello_world) against exact outputs: TFLite's
      # goldens, or libodla_ref's; integers compared exactly.
      tcases=$(cd "$build/tflite" 2> /dev/null && ls -d quant_golden/seanet/* \
        quant_golden/tflite_quant_ops/* quant_models/* 2> /dev/null)
      if [ -z "$tcases" ]; then note "SKIP tflite: no cases under $build/tflite"; else
        printf '%s\n' $tcases | sed 's|^quant_golden/||' > "$logs/tflite_expected.txt"
        step tflite 200 "$build/bin/halo-conformance" -j "$jobs" --runtime cuda \
          --expected "$logs/tflite_expected.txt" "$build/tflite/quant_golden/seanet" \
          "$build/tflite/quant_golden/tflite_quant_ops" "$build/tflite/quant_models"
      fi ;;
    bench)
      # The default settings' table, then each of $variants on the same programs.
      touch "$logs/bench.start"
      step bench 580 env BENCH_HALO_VARIANTS="$variants" "${bench[@]}"
      if [ "$root/docs/perf-gpu.md" -nt "$logs/bench.start" ]; then
        cp "$root/docs/perf-gpu.md" "$logs/" && save
      fi ;;
    profile)
      # Where the time goes: the bench's configurations (10 runs each) with ODLA_PROFILE
      # (per op: host time, GPU time between CUDA events) and torch.profiler, CUDA graphs
      # off then on; the tables are appended to profile/halo.txt and profile/torch.txt.
      rm -rf "$logs/profile"
      step profile 400 "${profiled[@]}" "${bench[@]}"
      step profile_graphs 300 "${profiled[@]}" ODLA_GRAPHS=1 BENCH_PROFILE_TORCH=0 "${bench[@]}" ;;
    variants)
      # Per-op profiles with the convolution algorithms chosen by timing
      # (ODLA_CUDA_CONV_ALGO=find) and page-locked staging (ODLA_CUDA_PINNED=1), CUDA graphs
      # off, so that each op's time shows beside the default run's (`profile`).
      step variants 300 "${profiled[@]}" ODLA_CUDA_CONV_ALGO=find ODLA_CUDA_PINNED=1 \
        BENCH_PROFILE_TORCH=0 "${bench[@]}" ;;
    *)
      note "unknown step $s (known: probe unit measure e2e bench conformance carried tflite" \
        "models profile variants)"
      status=1 ;;
  esac
done
cat "$summary"
save
exit $status
