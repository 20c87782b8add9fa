#!/usr/bin/env bash
# The MNIST TensorFlow demo: train TensorFlow's tutorial softmax regression on the digits,
# write it as a frozen GraphDef (make_graph.py), compile it with halo, build a C application
# against libodla_ref, classify the held-aside digits. Usage: run_demo.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
cache="$build/cache/mnist"
out="$build/demo_tf"
mkdir -p "$out"

"$root/examples/mnist/fetch_digits.sh" "$cache"

echo "== make_graph.py: train and freeze $build/cache/mnist_tf/mnist_tf.pb"
/usr/bin/python3 "$root/examples/mnist_tf/make_graph.py" "$cache" "$build/cache/mnist_tf/mnist_tf.pb"

# The model is compiled as `mnist`, so the ONNX demo's application (examples/mnist/main.c)
# runs it unchanged; the softmax regression needs only 90%.
echo "== halo mnist_tf.pb --input-shape x:1x784 --entry-func-name mnist -o $out/mnist.cc"
"$build/bin/halo" "$build/cache/mnist_tf/mnist_tf.pb" --input-shape x:1x784 --entry-func-name mnist \
  -o "$out/mnist.cc"
ls -l "$out/mnist.h" "$out/mnist.cc" "$out/mnist.bin"

echo "== building the application"
c++ -O2 -Wall -Wextra -Werror -I "$root/include" -c "$out/mnist.cc" -o "$out/mnist.o"
cc -std=c99 -O2 -Wall -Wextra -Werror -DMIN_ACCURACY=90 -I "$out" \
  -c "$root/examples/mnist/main.c" -o "$out/main.o"
c++ "$out/main.o" "$out/mnist.o" "$out/mnist.bin" -L "$build/lib" -l:libodla_ref.a -lpthread \
  -o "$out/mnist_tf_demo"

echo "== running on the held-aside digits"
"$out/mnist_tf_demo" "$cache"
