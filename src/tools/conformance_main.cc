// halo-conformance: runs ONNX backend tests (the libonnx-testdata layout) through the whole
// AOT path (halo -> C++ -> c++ -> run) and compares every output with the reference.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "conformance/compile_model.h"
#include "conformance/files.h"
#include "conformance/runner.h"
#include "ir/error.h"

namespace fs = std::filesystem;
using namespace halo::conformance;

namespace {

const char* kUsage =
    "usage: halo-conformance [--runtime ref] [-j N] [--cache DIR] [--filter REGEX]\n"
    "                        [--expected FILE] [--write-expected FILE] [--tolerance T]\n"
    "                        [--no-specialise] [-v] DIR...\n"
    "Each DIR is one ONNX backend test (model.onnx + test_data_set_*/) or a directory of\n"
    "them, e.g. /usr/share/libonnx-testdata/data/node. Every test is compiled by halo to\n"
    "C++, built against libodla_RUNTIME, run, and its outputs compared with the reference.\n"
    "  --runtime NAME        the ODLA runtime to link (default ref)\n"
    "  -j N                  tests in parallel (default: the number of CPUs)\n"
    "  --cache DIR           built executables and work files (default BUILD/conformance-cache)\n"
    "  --filter REGEX        only tests whose name (suite/test) matches\n"
    "  --expected FILE       fail (exit 1) when a test listed in FILE does not pass\n"
    "  --write-expected FILE write the sorted names of the passing tests\n"
    "  --tolerance ABS,REL   float outputs match when every |got - expected| <= ABS +\n"
    "                        REL * |expected| (default 1e-5,1e-3)\n"
    "  --tolerance scale:REL ... when max |got - expected| <= REL * max |expected| over each\n"
    "                        output (whole models); passes print the measured ratio\n"
    "  --no-specialise       keep every input a runtime input (by default the inputs whose\n"
    "                        values halo needs at compile time, e.g. Reshape's shape, are\n"
    "                        frozen to the test data's values; PASS lines name them)\n"
    "  -v                    print commands and logs of tests that do not pass\n";

// The tests of `expected` that should have run: those whose suite was scanned and whose
// name passes the filter.
std::set<std::string> ReadExpected(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw halo::Err(path, ": cannot open the expected-pass list");
  std::set<std::string> names;
  for (std::string line; std::getline(f, line);) {
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty() && line[0] != '#') names.insert(line);
  }
  return names;
}

// " (specialised: a, b)" when the test ran with inputs frozen into the program.
std::string SpecialisedNote(const Outcome& o) {
  if (o.specialised.empty()) return "";
  std::string r;
  for (const auto& n : o.specialised) r += (r.empty() ? "" : ", ") + n;
  return " (specialised: " + r + ")";
}

// Removes the work directories of runs that are over (their process is gone) and the
// executables no run has used for a month.
void CleanCache(const std::string& cache) {
  std::error_code ec;
  if (!fs::is_directory(cache, ec)) return;
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(24 * 30);
  for (const auto& e : fs::directory_iterator(cache, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("run-", 0) == 0) {
      pid_t pid = static_cast<pid_t>(std::atoll(name.c_str() + 4));
      if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
    }
  }
  for (const auto& e : fs::directory_iterator(cache + "/exe", ec))
    if (e.last_write_time(ec) < old) fs::remove(e.path(), ec);
}

int Main(int argc, char** argv) {
  if ((argc == 5 || argc == 6) && std::string(argv[1]) == "--internal-compile") {
    try {
      bool specialise = argc == 5;
      if (!specialise && std::string(argv[5]) != "--no-specialise")
        throw halo::Err("unknown option ", argv[5]);
      CompileModel(argv[2], argv[3], argv[4], specialise);
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
  }

  std::string runtime = "ref", cache, filter, expected_file, write_expected;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool verbose = false, specialise = true;
  Tolerance tolerance;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw halo::Err(a, " needs a value");
      return argv[++i];
    };
    if (a == "--runtime")
      runtime = value();
    else if (a == "-j")
      jobs = std::max(1, std::atoi(value().c_str()));
    else if (a.rfind("-j", 0) == 0 && a.size() > 2)
      jobs = std::max(1, std::atoi(a.c_str() + 2));
    else if (a == "--cache")
      cache = value();
    else if (a == "--filter")
      filter = value();
    else if (a == "--expected")
      expected_file = value();
    else if (a == "--write-expected")
      write_expected = value();
    else if (a == "--no-specialise")
      specialise = false;
    else if (a == "--tolerance")
      tolerance = ParseTolerance(value());
    else if (a == "-v")
      verbose = true;
    else if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      throw halo::Err("unknown option ", a, "\n", kUsage);
    } else {
      dirs.push_back(a);
    }
  }
  if (dirs.empty()) throw halo::Err("no test directory given\n", kUsage);

  std::regex filter_re;
  try {
    filter_re = std::regex(filter.empty() ? ".*" : filter);
  } catch (const std::regex_error& e) {
    throw halo::Err("--filter ", filter, ": ", e.what());
  }
  std::vector<TestCase> all = DiscoverTests(dirs), tests;
  std::set<std::string> suites;
  for (const auto& t : all) {
    suites.insert(t.name.substr(0, t.name.find('/')));
    if (std::regex_search(t.name, filter_re)) tests.push_back(t);
  }
  std::set<std::string> expected;
  if (!expected_file.empty()) expected = ReadExpected(expected_file);

  RunnerConfig config;
  config.self_exe = fs::canonical("/proc/self/exe").string();
  config.include_dir = HALO_SOURCE_DIR "/include";
  config.runtime_lib = HALO_BINARY_DIR "/lib/libodla_" + runtime + ".so";
  if (!fs::exists(config.runtime_lib) &&
      fs::exists(HALO_BINARY_DIR "/lib/libodla_" + runtime + ".a"))
    config.runtime_lib = HALO_BINARY_DIR "/lib/libodla_" + runtime + ".a";
  config.cache_dir = fs::absolute(cache.empty() ? HALO_BINARY_DIR "/conformance-cache" : cache);
  config.work_dir = config.cache_dir + "/run-" + std::to_string(getpid());
  config.verbose = verbose;
  config.specialise = specialise;
  config.tolerance = tolerance;
  if (const char* cxx = std::getenv("CXX")) config.cxx = cxx;
  CleanCache(config.cache_dir);
  Runner runner(config);

  // Tests run side by side: give each runtime's thread pool its share of the CPUs.
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  std::string threads = std::to_string(std::max(1u, cpus / static_cast<unsigned>(jobs)));
  setenv("ODLA_NUM_THREADS", threads.c_str(), 0);

  auto t0 = std::chrono::steady_clock::now();
  std::vector<Outcome> outcomes(tests.size());
  std::atomic<size_t> next{0};
  std::mutex print;
  auto worker = [&] {
    for (size_t i; (i = next++) < tests.size();) {
      Outcome o = runner.Run(tests[i]);
      std::lock_guard<std::mutex> lock(print);
      if (o.kind == Outcome::kPass)
        std::cout << "PASS " << tests[i].name << SpecialisedNote(o)
                  << (o.message.empty() ? "" : " (" + o.message + ")") << "\n";
      else
        std::cout << (o.kind == Outcome::kFail ? "FAIL " : "ERROR ") << tests[i].name << ": "
                  << o.message << "\n";
      if (verbose && o.kind != Outcome::kPass && !o.detail.empty()) std::cout << o.detail;
      std::cout.flush();
      outcomes[i] = std::move(o);
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < std::min<int>(jobs, static_cast<int>(tests.size())); ++j)
    pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<std::string> passed;
  std::set<std::string> ran;
  size_t passed_specialised = 0;
  for (size_t i = 0; i < tests.size(); ++i) {
    ran.insert(tests[i].name);
    if (outcomes[i].kind != Outcome::kPass) continue;
    passed.push_back(tests[i].name);
    passed_specialised += !outcomes[i].specialised.empty();
  }
  std::sort(passed.begin(), passed.end());
  std::cout << passed.size() << " passed, " << tests.size() - passed.size() << " failed ("
            << passed_specialised << " passed with specialised inputs)\n";
  std::cerr << "halo-conformance: " << tests.size() << " tests in " << static_cast<int>(seconds)
            << " s with -j " << jobs << "\n";

  if (verbose)
    std::cerr << "halo-conformance: the generated files are kept in " << config.work_dir << "\n";
  else
    fs::remove_all(config.work_dir);

  if (!write_expected.empty()) {
    std::string text;
    for (const auto& n : passed) text += n + "\n";
    WriteFileBytes(write_expected, text);
  }
  if (expected_file.empty()) return 0;
  std::set<std::string> pass_set(passed.begin(), passed.end());
  std::vector<std::string> regressions, newly;
  for (const auto& n : expected) {
    std::string suite = n.substr(0, n.find('/'));
    if (!suites.count(suite) || !std::regex_search(n, filter_re)) continue;
    if (!ran.count(n))
      regressions.push_back(n + " (not found)");
    else if (!pass_set.count(n))
      regressions.push_back(n);
  }
  for (const auto& n : passed)
    if (!expected.count(n)) newly.push_back(n);
  if (!newly.empty())
    std::cout << newly.size() << " tests pass that " << expected_file
              << " does not list (update it with --write-expected)\n";
  if (regressions.empty()) return 0;
  std::cout << regressions.size() << " regressions (listed in " << expected_file
            << ", not passing):\n";
  for (const auto& n : regressions) std::cout << "  " << n << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "halo-conformance: " << e.what() << "\n";
    return 2;
  }
}
