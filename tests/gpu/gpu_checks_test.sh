#!/usr/bin/env bash
# scripts/gpu_checks.sh's own logic, on a machine without a GPU (the device tool's sessions
# rely on it and cannot afford to debug it there): steps that find no GPU say SKIP, steps that
# would pass GPU_CHECKS_BUDGET_S are skipped, an unknown step fails the run, and $OUT ends
# with summary.txt and logs.tgz alone. Usage: gpu_checks_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
if "$build/bin/halo-cuda-probe" > /dev/null 2>&1; then
  echo "skipped: this machine has a GPU (scripts/gpu_checks.sh runs there for real)"
  exit 77
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; sed 's/^/    /' "$out/summary.txt" 2> /dev/null; exit 1; }

OUT="$out" GPU_CHECKS_BUDGET_S=100 "$src/scripts/gpu_checks.sh" "$build" \
  probe unit measure bench conformance no_such_step > "$build/gpu_checks_test.log" 2>&1
rc=$?
[ "$rc" = 1 ] || fail "exit status $rc (want 1: the unknown step fails)"
summary="$out/summary.txt"
[ -f "$summary" ] || fail "no summary.txt"
for want in "SKIP probe: no CUDA device" "PASS unit (" "PASS unit_graphs (" \
  "PASS unit_variants (" "SKIP measure: " "SKIP bench: " "of GPU_CHECKS_BUDGET_S left" \
  "SKIP conformance: " "unknown step no_such_step"; do
  grep -qF -- "$want" "$summary" || fail "summary.txt lacks '$want'"
done
[ "$(ls "$out" | tr '\n' ' ')" = "logs.tgz summary.txt " ] ||
  fail "\$OUT holds $(ls "$out" | tr '\n' ' ') (want logs.tgz summary.txt)"
logs="$(tar -tzf "$out/logs.tgz" | tr '\n' ' ')"
for f in probe.log unit.log unit_graphs.log unit_variants.log measure.log summary.txt; do
  [[ " $logs " == *" ./$f "* ]] || fail "logs.tgz lacks $f (it holds $logs)"
done
echo "gpu_checks.sh: its steps, budget and \$OUT behave without a GPU"
