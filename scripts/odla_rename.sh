#!/usr/bin/env bash
# Turns a static ODLA runtime into one relocatable object in an archive, so that two runtimes
# link into one program (docs/heterogeneous.md). Usage:
#   odla_rename.sh OUT.a PREFIX EXTRA_OBJS... -- IN.a...
# Every global odla_NAME the inputs define becomes PREFIX_NAME ("odla_host" gives
# odla_host_Add; with ODLA_RENAME_ONLY="odla_A odla_B" only those). Then EXTRA_OBJS (which
# may call the renamed functions and define plain odla_ ones) join, and every defined symbol
# but the odla API ones is made local: the runtime's C++ internals cannot clash with another
# runtime's.
set -euo pipefail
out="$1" prefix="$2"
shift 2
extra=()
while [ "$1" != "--" ]; do extra+=("$1"); shift; done
shift
tmp="$out.tmp"
rm -rf "$tmp" && mkdir -p "$tmp"
ld -r --whole-archive "$@" -o "$tmp/all.o"
if [ -n "${ODLA_RENAME_ONLY:-}" ]; then
  printf '%s\n' $ODLA_RENAME_ONLY > "$tmp/syms"
else
  nm -g --defined-only "$tmp/all.o" | awk '$3 ~ /^odla_/ {print $3}' | sort -u > "$tmp/syms"
fi
sed "s/^odla_\(.*\)$/odla_\1 ${prefix}_\1/" "$tmp/syms" > "$tmp/map"
objcopy --redefine-syms="$tmp/map" "$tmp/all.o" "$tmp/renamed.o"
ld -r "$tmp/renamed.o" ${extra[@]+"${extra[@]}"} -o "$tmp/joined.o"
nm -g --defined-only "$tmp/joined.o" | awk '$3 ~ /^odla_/ {print $3}' | sort -u > "$tmp/keep"
# Section groups (COMDAT) would let the linker drop this copy of an inline function for
# another runtime's and leave references to symbols now local: make them plain sections.
# Unique globals (static variables of inline functions) stay global whatever the keep list:
# they get names of their own.
nm --defined-only "$tmp/joined.o" | awk -v p="halo_${prefix}_" '$2 == "u" {print $3, p $3}' \
  > "$tmp/unique"
objcopy --remove-section=.group --redefine-syms="$tmp/unique" \
  --keep-global-symbols="$tmp/keep" "$tmp/joined.o" "$tmp/runtime.o"
rm -f "$out" && ar rcs "$out" "$tmp/runtime.o"
rm -rf "$tmp"
