#!/usr/bin/env bash
# Runs a GPU-only test: COMMAND... when halo-cuda-probe finds a CUDA device, else prints
# "skipped: no CUDA device: ..." and exits 77 (ctest SKIP_RETURN_CODE 77 reports it skipped).
# Usage: gpu_test.sh BUILD_DIR COMMAND...
set -uo pipefail
build="$1"
shift
probe="$build/bin/halo-cuda-probe"
if [ ! -x "$probe" ]; then
  echo "gpu_test: $probe missing: build the target halo-cuda-probe" >&2
  exit 1
fi
device="$("$probe")"
rc=$?
if [ $rc = 77 ]; then
  echo "skipped: $device"
  exit 77
fi
[ $rc = 0 ] || { echo "gpu_test: $probe failed (exit $rc): $device" >&2; exit 1; }
echo "gpu_test: $device"
exec "$@"
