#!/usr/bin/env bash
# The MNIST demo: compile mnist.onnx with halo, build a C application against libodla_ref,
# classify the held-aside digits. Usage: run_demo.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
cache="$build/cache/mnist"
out="$build/demo"
mkdir -p "$out"

"$root/examples/mnist/fetch_digits.sh" "$cache"

echo "== halo examples/mnist/mnist.onnx -o $out/mnist.cc"
"$build/bin/halo" "$root/examples/mnist/mnist.onnx" -o "$out/mnist.cc"
ls -l "$out/mnist.h" "$out/mnist.cc" "$out/mnist.bin"

echo "== building the application"
c++ -O2 -Wall -Wextra -Werror -I "$root/include" -c "$out/mnist.cc" -o "$out/mnist.o"
cc -std=c99 -O2 -Wall -Wextra -Werror -I "$out" -c "$root/examples/mnist/main.c" -o "$out/main.o"
c++ "$out/main.o" "$out/mnist.o" "$out/mnist.bin" -L "$build/lib" -l:libodla_ref.a -lpthread \
  -o "$out/mnist_demo"

echo "== running on the held-aside digits"
"$out/mnist_demo" "$cache"
