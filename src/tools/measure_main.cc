// halo-measure: measures what the ODLA runtime it is linked with delivers, through the ODLA API
// only (the builders the generated code calls), and prints a device table for
// `halo --device-table FILE` (docs/heterogeneous.md, "Measuring a device"). One binary per
// runtime: halo-measure-ref, halo-measure-dnnl, halo-measure-cuda.
//
// Every number is a difference of two timed computations, so that what both pay (binding and
// copying the arguments, copying the result out, starting the execution) cancels:
//   gflops: a chain of fp32 Gemms X <- X * B (N x N x N, B a constant); the time per Gemm is
//           (T(1 + k Gemms) - T(1 Gemm)) / k, GFLOP/s = 2 N^3 / that.
//   gbps:   a chain of element-wise Adds X <- X + Y (arrays of M MiB, Y an argument): per Add
//           3 M MiB move (two reads, one write) in (T(1 + k) - T(1)) / k.
//   link_gbps (runtimes with memory of their own, libodla_cuda): an M MiB argument of which
//           one float is sliced out (copy in) and one float expanded to an M MiB result (copy
//           out, less the expansion's M MiB written at gbps): 2 M MiB over both times.
//   host_gflops, host_gbps: the same chains with the shared host builders (odla_ref_Gemm,
//           odla_ref_Add: the kernels of libodla_ref_host) for libodla_cuda; for a CPU runtime
//           its own numbers (it is the host).
// Each time is the median of R executions after two warm-ups, on one context.
#include <odla/odla.h>
#include <odla/odla_ops.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "passes/device_tables.h"

#ifdef HALO_MEASURE_CUDA
#include <cuda_runtime_api.h>
// The shared host builders inside libodla_cuda (runtimes/common/builder.h, ODLA_REF_ALIAS).
extern "C" decltype(odla_Gemm) odla_ref_Gemm;
extern "C" decltype(odla_Add) odla_ref_Add;
#endif

namespace {

struct Options {
  std::string device;  // the table's device name (default: the runtime's name)
  int64_t gemm = 1024, mib = 64;
  int runs = 7, chain = 2;
};

struct Builders {
  decltype(&odla_Gemm) gemm;
  decltype(&odla_Add) add;
};

void Check(odla_status s, const char* what) {
  if (s != ODLA_SUCCESS)
    throw std::runtime_error(std::string(what) + ": " + odla_GetLastErrorText());
}

odla_value Checked(odla_value v, const char* what) {
  if (!v) throw std::runtime_error(std::string(what) + ": " + odla_GetLastErrorText());
  return v;
}

odla_value_type F32(std::vector<int64_t> dims) {
  odla_value_type t{};
  t.element_type = ODLA_FLOAT32;
  t.shape.size = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) t.shape.dims[i] = dims[i];
  return t;
}

// Builds a computation with `build` (one argument, one output), binds `in` and `out`, and
// returns the median time of opts.runs executions after two warm-ups, in seconds.
double TimeComputation(const Options& opts, const std::function<void()>& build,
                       const std::vector<float>& in, std::vector<float>& out) {
  odla_computation comp = nullptr;
  odla_context ctx = nullptr;
  Check(odla_CreateComputation(&comp), "odla_CreateComputation");
  std::vector<double> times;
  try {
    build();
    Check(odla_CreateContext(&ctx), "odla_CreateContext");
    Check(odla_BindToArgument(ctx, 0, in.data()), "odla_BindToArgument");
    Check(odla_BindToOutput(ctx, 0, out.data()), "odla_BindToOutput");
    for (int r = 0; r < opts.runs + 2; ++r) {
      auto start = std::chrono::steady_clock::now();
      Check(odla_ExecuteComputation(comp, ctx), "odla_ExecuteComputation");
      std::chrono::duration<double> t = std::chrono::steady_clock::now() - start;
      if (r >= 2) times.push_back(t.count());
    }
  } catch (...) {
    if (ctx) odla_DestroyContext(ctx);
    odla_DestroyComputation(comp);
    throw;
  }
  odla_DestroyContext(ctx);
  odla_DestroyComputation(comp);
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// The time of one more link of a chain: (T(1 + k links) - T(1 link)) / k.
double PerLink(const Options& opts, const std::function<double(int)>& time_chain,
               const char* what) {
  double t1 = time_chain(1), tk = time_chain(1 + opts.chain);
  if (tk <= t1)
    throw std::runtime_error(std::string(what) + ": " + std::to_string(1 + opts.chain) +
                             " ops took no longer than 1 (too noisy; try more --runs)");
  return (tk - t1) / opts.chain;
}

double GemmGflops(const Options& opts, const Builders& b) {
  const int64_t n = opts.gemm;
  std::vector<float> a(n * n), out(n * n), w(n * n, 1.0f / static_cast<float>(n));
  for (int64_t i = 0; i < n * n; ++i) a[i] = static_cast<float>(i % 97) / 97.0f;
  auto chain = [&](int links) {
    return TimeComputation(
        opts,
        [&] {
          odla_value x = Checked(odla_CreateArgument(F32({n, n}), "a"), "odla_CreateArgument");
          odla_value bw = Checked(odla_CreateConstant(F32({n, n}), w.data(), "b"), "constant");
          for (int i = 0; i < links; ++i) {
            std::string id = "g" + std::to_string(i);
            x = Checked(b.gemm(x, bw, nullptr, 1.0f, 1.0f, 0, 0, F32({n, n}), id.c_str()),
                        "odla_Gemm");
          }
          Check(odla_SetValueAsOutput(x), "odla_SetValueAsOutput");
        },
        a, out);
  };
  return 2.0 * n * n * n / PerLink(opts, chain, "Gemm") / 1e9;
}

double AddGbps(const Options& opts, const Builders& b) {
  const int64_t n = opts.mib << 18;  // floats
  std::vector<float> y(n, 1.0f), out(n);
  auto chain = [&](int links) {
    return TimeComputation(
        opts,
        [&] {
          odla_value arg = Checked(odla_CreateArgument(F32({n}), "y"), "odla_CreateArgument");
          odla_value x = arg;
          for (int i = 0; i < links; ++i) {
            std::string id = "add" + std::to_string(i);
            x = Checked(b.add(x, arg, F32({n}), id.c_str()), "odla_Add");
          }
          Check(odla_SetValueAsOutput(x), "odla_SetValueAsOutput");
        },
        y, out);
  };
  return 3.0 * n * sizeof(float) / PerLink(opts, chain, "Add") / 1e9;
}

#ifdef HALO_MEASURE_CUDA
// Copies between host and device memory: an argument of which one float is sliced out, one
// float expanded to a result, less the expansion's time in the device (its bytes at `gbps`).
// (A reduction of the argument would time the reduction too: one result folds all of it.)
double LinkGbps(const Options& opts, double gbps, std::string* how) {
  const int64_t n = opts.mib << 18;
  const double bytes = static_cast<double>(n) * sizeof(float);
  std::vector<float> big(n, 1.0f), one(1, 1.0f);
  double up = TimeComputation(
      opts,
      [&] {
        odla_value x = Checked(odla_CreateArgument(F32({n}), "x"), "odla_CreateArgument");
        odla_ints starts{}, steps{};
        starts.size = steps.size = 1;
        steps.data[0] = 1;
        x = Checked(odla_Slice(x, starts, steps, F32({1}), "first"), "odla_Slice");
        Check(odla_SetValueAsOutput(x), "odla_SetValueAsOutput");
      },
      big, one);
  double down = TimeComputation(
      opts,
      [&] {
        odla_value x = Checked(odla_CreateArgument(F32({1}), "x"), "odla_CreateArgument");
        x = Checked(odla_Expand(x, F32({n}), "expand"), "odla_Expand");
        Check(odla_SetValueAsOutput(x), "odla_SetValueAsOutput");
      },
      one, big);
  double copies = up + down - bytes / (gbps * 1e9);
  if (copies <= 0) throw std::runtime_error("link: the copies took no time (too noisy)");
  char text[160];
  std::snprintf(text, sizeof text,
                "pageable host memory <-> device: %lld MiB in %.2f ms, out %.2f ms (with the"
                " device ops)",
                static_cast<long long>(opts.mib), up * 1e3, down * 1e3);
  *how = text;
  return 2 * bytes / copies / 1e9;
}
#endif

// The `ops` lines of the built-in table of `device`, or "ops *" where there is none.
std::string OpsLines(const std::string& device) {
  const char* text = halo::BuiltinDeviceTableText(device);
  if (!text) return "ops *\n";
  std::istringstream lines(text);
  std::string line, ops;
  while (std::getline(lines, line))
    if (line.rfind("ops ", 0) == 0) ops += line + "\n";
  return ops;
}

int Usage(const char* why) {
  std::fprintf(
      stderr,
      "halo-measure: %s\nusage: halo-measure [--device NAME] [--gemm N] [--mib M] "
      "[--runs R] [--chain K] [--quick]\n"
      "  --device NAME  the table's device name and ops (default: the runtime's name)\n"
      "  --gemm N       the Gemm's size, N x N x N (default 1024; 4096 on a GPU)\n"
      "  --mib M        the arrays of the bandwidth ops, MiB (default 64; 256 on a GPU)\n"
      "  --runs R       executions per timing, the median is taken (default 7)\n"
      "  --chain K      ops added to the one-op computation (default 2; 32 on a GPU)\n"
      "  --quick        small sizes (Gemm 256, 4 MiB, 5 runs, chain 8): tests the tool only\n",
      why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  opts.device = odla_GetRuntimeName();
#ifdef HALO_MEASURE_CUDA
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    std::printf("halo-measure: no CUDA device: cudaGetDeviceCount: %s\n",
                e != cudaSuccess ? cudaGetErrorString(e) : "found none");
    return 77;
  }
  // An op of the device measurements that libodla_cuda rejected would run on the host: have
  // it say so (on stderr, read once at its first builder).
  setenv("ODLA_CUDA_VERBOSE", "1", 0);
  opts.gemm = 4096;
  opts.mib = 256;
  // 32 more ops (2.1 GiB of Gemm results, 8.3 GiB of Add results): their time must stand
  // out from the jitter of the argument and result copies that both chains pay.
  opts.chain = 32;
#endif
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      Usage("measures the linked ODLA runtime, prints a device table (halo --device-table)");
      return 0;
    }
    if (a == "--quick") {
      opts.gemm = 256;
      opts.mib = 4;
      opts.runs = 5;
      opts.chain = 8;
      continue;
    }
    if (i + 1 >= argc) return Usage(("unknown option or missing value: " + a).c_str());
    std::string v = argv[++i];
    char* end = nullptr;
    long long num = std::strtoll(v.c_str(), &end, 10);
    bool positive = end && *end == '\0' && num > 0;
    if (a == "--device")
      opts.device = v;
    else if (!positive)
      return Usage((a + " needs a positive integer, got '" + v + "'").c_str());
    else if (a == "--gemm")
      opts.gemm = num;
    else if (a == "--mib")
      opts.mib = num;
    else if (a == "--runs")
      opts.runs = static_cast<int>(num);
    else if (a == "--chain")
      opts.chain = static_cast<int>(num);
    else
      return Usage(("unknown option " + a).c_str());
  }
  try {
    Builders own{odla_Gemm, odla_Add};
    double gflops = GemmGflops(opts, own), gbps = AddGbps(opts, own);
    double host_gflops = gflops, host_gbps = gbps, link = gbps;
    std::string link_how = "no link: the runtime computes in host memory";
#ifdef HALO_MEASURE_CUDA
    Builders host{odla_ref_Gemm, odla_ref_Add};
    Options host_opts = opts;
    host_opts.gemm = std::min<int64_t>(opts.gemm, 1024);
    host_opts.mib = std::min<int64_t>(opts.mib, 64);
    host_opts.chain = 2;
    host_gflops = GemmGflops(host_opts, host);
    host_gbps = AddGbps(host_opts, host);
    link = LinkGbps(opts, gbps, &link_how);
#endif
    std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    std::printf(
        "# halo-measure: runtime '%s', %s; Gemm %lld^3, arrays of %lld MiB, median of %d"
        " runs, chains of 1 and %d ops\n",
        odla_GetRuntimeName(), date, static_cast<long long>(opts.gemm),
        static_cast<long long>(opts.mib), opts.runs, 1 + opts.chain);
    std::printf("device %s\n%s", opts.device.c_str(), OpsLines(opts.device).c_str());
    std::printf("gflops %.1f  # fp32 Gemm\n", gflops);
    std::printf("gbps %.1f  # element-wise Add: 2 reads + 1 write\n", gbps);
    std::printf("host_gflops %.1f\nhost_gbps %.1f\n", host_gflops, host_gbps);
    std::printf("link_gbps %.1f  # %s\n", link, link_how.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "halo-measure: %s\n", e.what());
    return 1;
  }
  return 0;
}
