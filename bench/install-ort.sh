#!/usr/bin/env bash
# Installs onnxruntime-node (pinned by bench/package-lock.json) into DIR/node_modules, without
# its install script: the script only downloads optional CUDA binaries, while the CPU binding
# for linux x64 is in the package. Checks that the binding loads. Usage: install-ort.sh DIR
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
[ -f "$binding" ] || { echo "install-ort: $binding missing" >&2; exit 1; }
(cd "$dir" && node -e "const ort = require('onnxruntime-node');
  if (!ort.listSupportedBackends().some((b) => b.name === 'cpu')) process.exit(1);") ||
  { echo "install-ort: onnxruntime-node does not load" >&2; exit 1; }
