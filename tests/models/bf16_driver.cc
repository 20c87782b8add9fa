// Runs a halo-compiled model (entry function `model`: one float input, one float output)
// on N inputs: reads N * IN floats from IN_FILE, writes N * OUT floats to OUT_FILE and
// prints the median time of one run in milliseconds. For bf16_accuracy.py.
// Usage: bf16_driver IN_FILE OUT_FILE N IN OUT
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "model.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s IN_FILE OUT_FILE N IN OUT\n", argv[0]);
    return 2;
  }
  size_t n = std::strtoul(argv[3], nullptr, 10), in = std::strtoul(argv[4], nullptr, 10),
         out = std::strtoul(argv[5], nullptr, 10);
  std::vector<float> x(n * in), y(n * out);
  FILE* f = std::fopen(argv[1], "rb");
  if (!f || std::fread(x.data(), sizeof(float), x.size(), f) != x.size()) {
    std::fprintf(stderr, "%s: cannot read %zu floats\n", argv[1], x.size());
    return 1;
  }
  std::fclose(f);
  if (model_init() != 0) return 1;
  std::vector<double> ms;
  for (size_t i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    if (model(x.data() + i * in, y.data() + i * out) != 0) return 1;
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  model_fini();
  f = std::fopen(argv[2], "wb");
  if (!f || std::fwrite(y.data(), sizeof(float), y.size(), f) != y.size()) {
    std::fprintf(stderr, "%s: cannot write\n", argv[2]);
    return 1;
  }
  std::fclose(f);
  std::sort(ms.begin(), ms.end());
  std::printf("%.3f\n", ms.empty() ? 0.0 : ms[ms.size() / 2]);
  return 0;
}
