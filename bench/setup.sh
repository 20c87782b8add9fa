#!/usr/bin/env bash
# Installs what `make bench` runs besides Debian's packages, into DIR (build/bench):
#  - onnxruntime-node, pinned by bench/package-lock.json, into DIR/node_modules, without its
#    install script (it only downloads optional CUDA binaries; the CPU binding for linux x64
#    is in the package); checks that the binding loads;
#  - OpenBLAS (Debian's libopenblas0-openmp, unpacked into DIR/openblas, not installed) for
#    PyTorch: Debian's libtorch recommends an optimised BLAS, and installing one would switch
#    the system's libblas.so.3 (numpy's too) under everybody else's feet.
# Usage: setup.sh DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$1"
mkdir -p "$dir"

if ! cmp -s "$here/package-lock.json" "$dir/package-lock.json" ||
   [ ! -d "$dir/node_modules/onnxruntime-node" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund)
fi
binding="$dir/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node"
[ -f "$binding" ] || { echo "setup: $binding missing" >&2; exit 1; }
(cd "$dir" && node -e "const ort = require('onnxruntime-node');
  if (!ort.listSupportedBackends().some((b) => b.name === 'cpu')) process.exit(1);") ||
  { echo "setup: onnxruntime-node does not load" >&2; exit 1; }

if [ ! -f "$dir/openblas/libblas.so.3" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && apt-get download libopenblas0-openmp)
  dpkg-deb -x "$tmp"/libopenblas0-openmp_*.deb "$tmp/x"
  rm -rf "$dir/openblas"
  cp -a "$tmp/x/usr/lib/x86_64-linux-gnu/openblas-openmp" "$dir/openblas"
  dpkg-deb -f "$tmp"/libopenblas0-openmp_*.deb Version > "$dir/openblas/VERSION"
  rm -rf "$tmp"
fi
