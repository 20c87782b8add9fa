// Times a HALO-compiled model with one float input and one float output. Built by run.py
// against the generated model.h (entry function `model`) and linked with one ODLA runtime.
// Usage: halo_bench INPUT.bin OUTPUT.bin OUTPUT_ELEMS WARMUP RUNS
// Writes the output of the last run to OUTPUT.bin (raw float32) and prints one JSON line,
// {"times_ms": [...]}, the wall time of each timed run (model_init() is not timed).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include "model.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s INPUT.bin OUTPUT.bin OUTPUT_ELEMS WARMUP RUNS\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.eof() || bytes.empty() || bytes.size() % sizeof(float) != 0) {
    std::fprintf(stderr, "%s: cannot read a float32 tensor\n", argv[1]);
    return 1;
  }
  std::vector<float> input(bytes.size() / sizeof(float));
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(input.data()));
  std::vector<float> output(std::strtoull(argv[3], nullptr, 10));
  const int warmup = std::atoi(argv[4]), runs = std::atoi(argv[5]);
  if (output.empty() || warmup < 0 || runs < 1) {
    std::fprintf(stderr, "bad OUTPUT_ELEMS, WARMUP or RUNS\n");
    return 2;
  }
  if (model_init() != 0) return 1;
  std::vector<double> times;
  for (int i = 0; i < warmup + runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (model(input.data(), output.data()) != 0) return 1;
    std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - start;
    if (i >= warmup) times.push_back(ms.count());
  }
  model_fini();
  std::ofstream out(argv[2], std::ios::binary);
  out.write(reinterpret_cast<const char*>(output.data()),
            static_cast<std::streamsize>(output.size() * sizeof(float)));
  if (!out) {
    std::fprintf(stderr, "%s: write failed\n", argv[2]);
    return 1;
  }
  std::printf("{\"times_ms\": [");
  for (size_t i = 0; i < times.size(); ++i) std::printf("%s%.4f", i ? ", " : "", times[i]);
  std::printf("]}\n");
  return 0;
}
