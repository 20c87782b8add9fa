#!/usr/bin/env bash
# Installs the Debian packages HALO needs to build and test, when any is missing.
# --bench: also those only `make bench` needs.
set -euo pipefail
PKGS=(cmake make g++ pkg-config libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
      libgtest-dev libdnnl-dev libxnnpack-dev libpthreadpool-dev python3 python3-numpy
      python3-onnx python3-torch python3-torchvision)
# The TensorFlow and Caffe tests write models with the project's .proto files; the Caffe
# tests compare with OpenCV's Caffe importer.
PKGS+=(python3-opencv python3-protobuf)
# The TFLite frontend (flatbuffers) and its tests' reference runner (ArmNN).
PKGS+=(libflatbuffers-dev flatbuffers-compiler libarmnn-dev libarmnntfliteparser-dev
       libarmnn-cpuref-backend22)
if [ "${1:-}" = --bench ]; then PKGS+=(python3-matplotlib); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q || true
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
