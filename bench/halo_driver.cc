// Times a HALO-compiled model with one float input and one float output. Built by run.py
// against the generated model.h (entry function `model`) and linked with one ODLA runtime.
// Usage: halo_bench INPUT.bin OUTPUT.bin OUTPUT_ELEMS WARMUP RUNS
// Writes the output of the last run to OUTPUT.bin (raw float32) and prints one JSON line,
// {"times_ms": [...], "peak_rss_kb": N}: the wall time of each timed run (model_init() is
// not timed) and the process's peak resident memory (VmHWM).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "model.h"

// The process's peak resident set size in KiB (VmHWM of /proc/self/status), -1 if unknown.
// Unlike getrusage's ru_maxrss it does not include the parent's memory inherited across exec.
static long PeakRssKb() {
  long kb = -1;
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof(line), f))
      if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
    std::fclose(f);
  }
  return kb;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s INPUT.bin OUTPUT.bin OUTPUT_ELEMS WARMUP RUNS\n", argv[0]);
    return 2;
  }
  std::vector<float> input;
  if (FILE* f = std::fopen(argv[1], "rb")) {
    float buf[4096];
    for (size_t n; (n = std::fread(buf, sizeof(float), 4096, f)) > 0;)
      input.insert(input.end(), buf, buf + n);
    std::fclose(f);
  }
  if (input.empty()) {
    std::fprintf(stderr, "%s: cannot read a float32 tensor\n", argv[1]);
    return 1;
  }
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
  std::printf("], \"peak_rss_kb\": %ld}\n", PeakRssKb());
  return 0;
}
