// A small shared thread pool for kernels: ParallelFor splits a range into chunks that the
// pool's threads and the caller take in turn (or a runtime's own threads, SetParallelRunner).
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>

#include "runtime.h"

namespace odla_rt {
namespace {

thread_local bool tls_in_pool = false;
std::atomic<ParallelRunner> runner{nullptr};

class Pool {
 public:
  Pool() {
    int n = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* e = std::getenv("ODLA_NUM_THREADS")) n = std::atoi(e);
    threads_ = std::max(1, n);
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { Loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int threads() const { return threads_; }

  // Runs fn(0..chunks-1) on the pool; inline when another thread holds the pool.
  void Run(int64_t chunks, const std::function<void(int64_t)>& fn) {
    std::unique_lock<std::mutex> run_lock(run_mu_, std::try_to_lock);
    if (!run_lock.owns_lock()) {
      for (int64_t i = 0; i < chunks; ++i) fn(i);
      return;
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      job_ = &fn;
      total_ = chunks;
      next_ = 0;
      done_ = 0;
      ++generation_;
    }
    cv_.notify_all();
    tls_in_pool = true;
    Work();
    tls_in_pool = false;
    std::unique_lock<std::mutex> l(mu_);
    done_cv_.wait(l, [&] { return done_ == total_; });
    job_ = nullptr;
  }

 private:
  void Work() {
    for (;;) {
      int64_t i = next_.fetch_add(1);
      if (i >= total_) return;
      (*job_)(i);
      std::lock_guard<std::mutex> l(mu_);
      if (++done_ == total_) done_cv_.notify_all();
    }
  }
  void Loop() {
    tls_in_pool = true;
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return stop_ || (generation_ != seen && job_); });
        if (stop_) return;
        seen = generation_;
      }
      Work();
    }
  }

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_, run_mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t)>* job_ = nullptr;
  int64_t total_ = 0;
  std::atomic<int64_t> next_{0};
  int64_t done_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

Pool& GetPool() {
  static Pool pool;
  return pool;
}

}  // namespace

int NumThreads() { return GetPool().threads(); }

void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  int64_t max_chunks = (n + grain - 1) / grain;
  int64_t chunks = std::min<int64_t>(max_chunks, NumThreads() * 4);
  if (chunks <= 1 || tls_in_pool || NumThreads() == 1) {
    fn(0, n);
    return;
  }
  int64_t step = (n + chunks - 1) / chunks;
  auto chunk = [&](int64_t c) {
    int64_t b = c * step, e = std::min(n, b + step);
    if (b < e) fn(b, e);
  };
  if (ParallelRunner run = runner.load()) {
    // The first exception a chunk throws is rethrown here, after all chunks: none crosses the
    // runner's threads.
    std::exception_ptr error;
    std::mutex mu;
    run(chunks, [&](int64_t c) {  // nested calls run inline, as on the pool
      struct InPool {
        bool outer = tls_in_pool;
        InPool() { tls_in_pool = true; }
        ~InPool() { tls_in_pool = outer; }  // also when the chunk throws
      } in_pool;
      try {
        chunk(c);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
      }
    });
    if (error) std::rethrow_exception(error);
    return;
  }
  GetPool().Run(chunks, chunk);
}

void SetParallelRunner(ParallelRunner run) { runner.store(run); }

}  // namespace odla_rt
