// MNIST demo: classifies the held-aside test digits with the HALO-compiled
// model (mnist.h) and reports the accuracy.
//
// Usage: mnist_demo DATA_DIR
// DATA_DIR holds test_images.u8 (N x 28 x 28 uint8 pixels, 0 = background)
// and test_labels.u8 (N uint8 labels), as written by fetch_digits.sh.
// Exits with 0 if at least MIN_ACCURACY percent (97 unless defined when compiling) of the
// digits are classified correctly. examples/mnist_tf builds it with its TensorFlow model.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mnist.h"

#define PIXELS (28 * 28)
#define CLASSES 10
#ifndef MIN_ACCURACY
#define MIN_ACCURACY 97  // percent
#endif

// Reads DIR/NAME into a malloc'ed buffer; returns NULL on error.
static unsigned char* read_file(const char* dir, const char* name, size_t* size) {
  char path[4096];
  if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
    fprintf(stderr, "path too long: %s/%s\n", dir, name);
    return NULL;
  }
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return NULL;
  }
  unsigned char* data = NULL;
  long len = -1;
  if (fseek(f, 0, SEEK_END) == 0) len = ftell(f);
  if (len >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    data = malloc(len > 0 ? (size_t)len : 1);
    if (data != NULL && fread(data, 1, (size_t)len, f) != (size_t)len) {
      free(data);
      data = NULL;
    }
  }
  if (data == NULL) fprintf(stderr, "%s: read failed\n", path);
  fclose(f);
  *size = (size_t)len;
  return data;
}

// Draws one 28x28 digit with characters of increasing ink.
static void draw_digit(const unsigned char* pixels) {
  static const char shades[] = " .:-=+*#%@";
  for (int y = 0; y < 28; ++y) {
    for (int x = 0; x < 28; ++x) {
      char c = shades[pixels[y * 28 + x] * (sizeof(shades) - 2) / 255];
      putchar(c);
      putchar(c);  // Two columns per pixel keep the aspect ratio.
    }
    putchar('\n');
  }
}

static int argmax(const float* v, int n) {
  int best = 0;
  for (int i = 1; i < n; ++i) {
    if (v[i] > v[best]) best = i;
  }
  return best;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 1;
  }
  size_t n = 0;
  size_t images_size = 0;
  unsigned char* labels = read_file(argv[1], "test_labels.u8", &n);
  unsigned char* images = read_file(argv[1], "test_images.u8", &images_size);
  if (labels == NULL || images == NULL || n == 0 || images_size != n * PIXELS) {
    if (labels != NULL && images != NULL) {
      fprintf(stderr, "bad data: %zu labels, %zu image bytes\n", n, images_size);
    }
    free(labels);
    free(images);
    return 1;
  }
  if (mnist_init() != 0) {
    fprintf(stderr, "mnist_init failed\n");
    free(labels);
    free(images);
    return 1;
  }

  printf("first test digit (label %d):\n", labels[0]);
  draw_digit(images);
  printf("\n  #  label  prediction\n");

  size_t correct = 0;
  int status = 0;
  for (size_t i = 0; i < n; ++i) {
    float input[PIXELS];
    float logits[CLASSES];
    for (size_t p = 0; p < PIXELS; ++p) input[p] = images[i * PIXELS + p] / 255.0f;
    if (mnist(input, logits) != 0) {
      fprintf(stderr, "mnist() failed on digit %zu\n", i);
      status = 1;
      break;
    }
    int pred = argmax(logits, CLASSES);
    correct += pred == labels[i];
    if (i < 10) {
      printf("%3zu  %5d  %10d%s\n", i, labels[i], pred, pred == labels[i] ? "" : "  <- wrong");
    }
  }
  mnist_fini();
  free(labels);
  free(images);
  if (status != 0) return status;

  printf("\naccuracy: %.2f%% (%zu/%zu)\n", 100.0 * (double)correct / (double)n, correct, n);
  return correct * 100 >= n * MIN_ACCURACY ? 0 : 1;
}
