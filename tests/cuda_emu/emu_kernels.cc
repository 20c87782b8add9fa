// Kernel launches of the CUDA emulation: each block's threads run as fibers (ucontext) on
// the launching OS thread; a fiber runs until it returns, reaches __syncthreads or a warp
// shuffle. A barrier opens when every thread of the block is at it; a shuffle completes when
// every lane of its mask has reached it. What cannot complete is a kernel's undefined
// behaviour on a GPU, and stops the process with a description. CUDA_EMU_REVERSE=1 runs the
// blocks of a grid and the threads of a block in the reverse order: a result that changes
// with it depends on an order CUDA does not promise (a missing barrier, blocks that race).
#include <sys/mman.h>
#include <ucontext.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cuda_emu.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define EMU_ASAN 1
#endif

namespace cuda_emu {
namespace {

constexpr size_t kStackBytes = size_t(256) << 10;
constexpr int kMaxThreads = 1024;

enum class State { kReady, kBarrier, kShuffle, kDone };

struct Fiber {
  ucontext_t ctx;
  ThreadCtx tc;
  State state = State::kReady;
  int tid = 0;
};

struct Warp {
  unsigned arrived = 0, mask = 0;
  ShflKind kind = ShflKind::kXor;
  int width = 32;
  int args[32];
  size_t bytes = 0;
  alignas(16) unsigned char in[32][16], out[32][16];
};

struct Block {
  std::vector<Fiber> fibers;
  std::vector<Warp> warps;
  ucontext_t scheduler;
  const std::function<void()>* body = nullptr;
  int threads = 0;
};

thread_local Block* current_block = nullptr;
thread_local Fiber* current_fiber = nullptr;
thread_local std::vector<char*> stacks;  // reused by every launch of this OS thread

bool Reverse() {
  static const bool reverse = [] {
    const char* e = std::getenv("CUDA_EMU_REVERSE");
    return e && std::string(e) == "1";
  }();
  return reverse;
}

char* Stack(int i) {
  while (static_cast<int>(stacks.size()) <= i) {
    void* p = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) Die("cannot map a fiber stack");
    stacks.push_back(static_cast<char*>(p));
  }
  return stacks[i];
}

std::string Where(const Fiber& f) {
  const ThreadCtx& t = f.tc;
  return "block (" + std::to_string(t.block_idx.x) + "," + std::to_string(t.block_idx.y) + "," +
         std::to_string(t.block_idx.z) + ") thread (" + std::to_string(t.thread_idx.x) + "," +
         std::to_string(t.thread_idx.y) + "," + std::to_string(t.thread_idx.z) + ")";
}

// AddressSanitizer follows the switches between the scheduler's stack and the fibers'
// (its checks of kernels' device memory accesses are the point of the ASan build).
#ifdef EMU_ASAN
thread_local const void* scheduler_stack = nullptr;
thread_local size_t scheduler_stack_bytes = 0;
#endif

// From the fiber `f` (nullptr: one that has returned) to the scheduler.
void ToScheduler(Fiber* f) {
#ifdef EMU_ASAN
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(f ? &fake : nullptr, scheduler_stack, scheduler_stack_bytes);
  swapcontext(&current_fiber->ctx, &current_block->scheduler);
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#else
  (void)f;
  swapcontext(&current_fiber->ctx, &current_block->scheduler);
#endif
}

// From the scheduler to fiber f.
void ToFiber(Block& b, Fiber& f) {
  current_fiber = &f;
#ifdef EMU_ASAN
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, f.ctx.uc_stack.ss_sp, f.ctx.uc_stack.ss_size);
  swapcontext(&b.scheduler, &f.ctx);
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#else
  swapcontext(&b.scheduler, &f.ctx);
#endif
}

void Entry() {
#ifdef EMU_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &scheduler_stack, &scheduler_stack_bytes);
#endif
  (*current_block->body)();
  current_fiber->state = State::kDone;
  ToScheduler(nullptr);
}

// Back to the scheduler until this fiber is ready again.
void Yield() {
  Fiber* f = current_fiber;
  ToScheduler(f);
  current_fiber = f;
}

void RunBlock(Block& b, uint3 block_idx, dim3 grid, dim3 dim) {
  for (int t = 0; t < b.threads; ++t) {
    Fiber& f = b.fibers[t];
    f.tid = t;
    f.state = State::kReady;
    f.tc.block_idx = block_idx;
    f.tc.grid_dim = grid;
    f.tc.block_dim = dim;
    f.tc.thread_idx = uint3{t % dim.x, t / dim.x % dim.y, t / (dim.x * dim.y)};
    getcontext(&f.ctx);
#ifdef EMU_ASAN
    // The frames a previous fiber left on this stack (it never returned) are gone.
    ASAN_UNPOISON_MEMORY_REGION(Stack(t), kStackBytes);
#endif
    f.ctx.uc_stack.ss_sp = Stack(t);
    f.ctx.uc_stack.ss_size = kStackBytes;
    f.ctx.uc_link = nullptr;
    makecontext(&f.ctx, Entry, 0);
  }
  for (Warp& w : b.warps) w.arrived = 0;
  for (;;) {
    bool ran = false;
    for (int i = 0; i < b.threads; ++i) {
      Fiber& f = b.fibers[Reverse() ? b.threads - 1 - i : i];
      if (f.state != State::kReady) continue;
      ran = true;
      ToFiber(b, f);
    }
    if (ran) continue;
    int done = 0, barrier = 0;
    const Fiber* shuffling = nullptr;
    for (const Fiber& f : b.fibers) {
      if (f.state == State::kDone) ++done;
      if (f.state == State::kBarrier) ++barrier;
      if (f.state == State::kShuffle && !shuffling) shuffling = &f;
    }
    if (done == b.threads) return;
    if (shuffling) {
      const Warp& w = b.warps[shuffling->tid / 32];
      Die("a warp shuffle with mask " + std::to_string(w.mask) + " never completes (" +
          Where(*shuffling) + " waits; lanes arrived " + std::to_string(w.arrived) +
          "): a lane of the mask returned or waits at __syncthreads");
    }
    if (done > 0) {
      for (const Fiber& f : b.fibers)
        if (f.state == State::kBarrier)
          Die("__syncthreads reached by " + Where(f) + " after " + std::to_string(done) +
              " threads of its block returned without reaching it");
    }
    for (Fiber& f : b.fibers)
      if (f.state == State::kBarrier) f.state = State::kReady;
  }
}

Fiber& Current(const char* what) {
  if (!current_fiber) Die(std::string(what) + " outside a kernel");
  return *current_fiber;
}

}  // namespace

const ThreadCtx& Ctx() { return Current("a built-in variable").tc; }

void SyncThreads() {
  Current("__syncthreads").state = State::kBarrier;
  Yield();
}

void Shuffle(unsigned mask, ShflKind kind, int arg, int width, const void* in, void* out,
             size_t bytes) {
  Fiber& f = Current("a warp shuffle");
  Block& b = *current_block;
  const int lane = f.tid % 32, first = f.tid - lane;
  const unsigned bit = 1u << lane;
  if (!(mask & bit)) Die("a warp shuffle by " + Where(f) + ", whose lane is not in its mask");
  if (width < 1 || width > 32 || (width & (width - 1)))
    Die("a warp shuffle of width " + std::to_string(width));
  for (int l = 0; l < 32; ++l)
    if ((mask >> l & 1) && first + l >= b.threads)
      Die("a warp shuffle whose mask names lanes beyond the block, by " + Where(f));
  Warp& w = b.warps[f.tid / 32];
  if (w.arrived == 0) {
    w.mask = mask;
    w.kind = kind;
    w.width = width;
    w.bytes = bytes;
  } else if (w.mask != mask || w.kind != kind || w.width != width || w.bytes != bytes) {
    Die("the lanes of a warp reach different shuffles (" + Where(f) + ")");
  }
  std::memcpy(w.in[lane], in, bytes);
  w.args[lane] = arg;
  w.arrived |= bit;
  if (w.arrived != mask) {
    f.state = State::kShuffle;
    Yield();
  } else {
    for (int l = 0; l < 32; ++l) {
      if (!(mask >> l & 1)) continue;
      const int base = l - l % width, pos = l % width, a = w.args[l];
      int src = l;
      switch (kind) {
        case ShflKind::kXor:
          src = base + ((pos ^ a) % width);
          break;
        case ShflKind::kDown:
          src = pos + a < width ? l + a : l;
          break;
        case ShflKind::kUp:
          src = pos - a >= 0 ? l - a : l;
          break;
        case ShflKind::kIdx:
          src = base + ((a % width) + width) % width;
          break;
      }
      if (!(mask >> src & 1))
        Die("a warp shuffle reads lane " + std::to_string(src) + ", which is not in its mask (" +
            Where(f) + ")");
      std::memcpy(w.out[l], w.in[src], bytes);
      Fiber& other = b.fibers[first + l];
      if (other.state == State::kShuffle) other.state = State::kReady;
    }
    w.arrived = 0;
  }
  std::memcpy(out, w.out[lane], bytes);
}

void LaunchGrid(const Config& c, std::function<void()> body) {
  const dim3 g = c.grid, d = c.block;
  const uint64_t threads = uint64_t(d.x) * d.y * d.z;
  if (g.x == 0 || g.y == 0 || g.z == 0 || threads == 0 || threads > kMaxThreads || d.x > 1024 ||
      d.y > 1024 || d.z > 64 || g.x > 0x7fffffffu || g.y > 65535 || g.z > 65535 ||
      c.shared_bytes > 48 * 1024) {
    SetLastError(cudaErrorInvalidConfiguration);
    return;
  }
  // libodla_cuda's work goes on its contexts' streams; the default stream would race them.
  if (!IsOwnStream(c.stream)) Die("a kernel launched on the default stream");
  Enqueue(c.stream, [g, d, threads, body = std::move(body)] {
    if (current_block) Die("a kernel launched from a kernel");
    Block b;
    b.threads = static_cast<int>(threads);
    b.fibers.resize(threads);
    b.warps.resize((threads + 31) / 32);
    b.body = &body;
    current_block = &b;
    const uint64_t blocks = uint64_t(g.x) * g.y * g.z;
    for (uint64_t i = 0; i < blocks; ++i) {
      const uint64_t k = Reverse() ? blocks - 1 - i : i;
      RunBlock(b, uint3{unsigned(k % g.x), unsigned(k / g.x % g.y), unsigned(k / g.x / g.y)}, g, d);
    }
    current_block = nullptr;
    current_fiber = nullptr;
  });
}

void Die(const std::string& what) {
  std::fprintf(stderr, "cuda_emu: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace cuda_emu
