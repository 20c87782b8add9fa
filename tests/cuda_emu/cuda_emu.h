// A CPU emulation of the CUDA features libodla_cuda uses, so that its kernels and its
// CUDA, cuBLAS and cuDNN calls run (slowly) on machines without a GPU: the build compiles
// runtimes/cuda as host C++ with this header first (tests/cuda_emu/translate.cc rewrites
// `k<<<grid, block, shared, stream>>>(args)` into `Config(...) << [=] { k(args); }`).
//
// A launch runs every block of the grid, one after the other; a block's threads are fibers
// that switch at __syncthreads and at warp shuffles, which check what CUDA leaves undefined
// (a barrier some threads of the block never reach, lanes that disagree at a shuffle, a
// source lane outside the mask) and fail the launch naming the kernel. Streams run their
// work at once, or record it while a graph is captured; cuBLAS and cuDNN are naive kernels
// of the few calls libodla_cuda makes (emu_cublas.cc, emu_cudnn.cc).
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

// Host and device code are the same code here.
#undef __global__
#undef __device__
#undef __host__
#undef __shared__
#undef __forceinline__
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
// Shared memory: one object per OS thread, which runs one block at a time.
#define __shared__ static thread_local

// translate.cc rewrites __CUDACC__ and __CUDA_ARCH__ to this.
#define ODLA_CUDA_EMU 1

namespace cuda_emu {

// The built-in variables of the running emulated thread.
struct ThreadCtx {
  uint3 thread_idx, block_idx;
  dim3 block_dim, grid_dim;
};
const ThreadCtx& Ctx();

void SyncThreads();

enum class ShflKind { kXor, kDown, kUp, kIdx };
// The warp exchange behind the __shfl_*_sync functions: `bytes` (at most 16) of `in` from
// each lane of `mask`, the chosen lane's into `out`.
void Shuffle(unsigned mask, ShflKind kind, int arg, int width, const void* in, void* out,
             size_t bytes);

// Runs `work` on stream s: at once, or recorded into the graph while s is being captured.
// Computations (kernels, cuBLAS, cuDNN; not copies) are skipped with CUDA_EMU_NO_WORK=1, so
// that a run times libodla_cuda's host path alone (its results are then garbage).
void Enqueue(cudaStream_t s, std::function<void()> work, bool computation = true);
// Whether s is a stream of cudaStreamCreate* (not the legacy or per-thread default stream).
bool IsOwnStream(cudaStream_t s);
// Sets the thread's last CUDA error (cudaGetLastError returns and clears it).
void SetLastError(cudaError_t e);
// x rounded to TF32 (10 mantissa bits, to nearest even), as tensor cores read operands when
// TF32 is allowed: products then differ from fp32's by about 1e-3, as on a GPU.
inline float Tf32(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0xfffu + ((u >> 13) & 1)) & ~0x1fffu;
  std::memcpy(&x, &u, sizeof u);
  return x;
}
// Reports an emulator failure (a kernel's undefined behaviour): stderr, then abort().
[[noreturn]] void Die(const std::string& what);

struct Config {
  Config(dim3 g, dim3 b, size_t shared = 0, cudaStream_t s = nullptr)
      : grid(g), block(b), shared_bytes(shared), stream(s) {}
  dim3 grid, block;
  size_t shared_bytes;
  cudaStream_t stream;
};

// Checks the launch configuration (else the last error is cudaErrorInvalidConfiguration and
// nothing runs) and enqueues `body` over the grid.
void LaunchGrid(const Config& c, std::function<void()> body);

// The translated launch `Config(...) << [=] { kernel(args); }`.
template <typename F>
void operator<<(const Config& c, F body) {
  LaunchGrid(c, std::function<void()>(std::move(body)));
}

}  // namespace cuda_emu

#define threadIdx (::cuda_emu::Ctx().thread_idx)
#define blockIdx (::cuda_emu::Ctx().block_idx)
#define blockDim (::cuda_emu::Ctx().block_dim)
#define gridDim (::cuda_emu::Ctx().grid_dim)

inline void __syncthreads() { ::cuda_emu::SyncThreads(); }

template <typename T>
T EmuShfl(unsigned mask, ::cuda_emu::ShflKind kind, T v, int arg, int width) {
  static_assert(sizeof(T) <= 16 && std::is_trivially_copyable_v<T>, "shuffled type");
  T r;
  ::cuda_emu::Shuffle(mask, kind, arg, width, &v, &r, sizeof(T));
  return r;
}
template <typename T>
T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32) {
  return EmuShfl(mask, ::cuda_emu::ShflKind::kXor, v, lane_mask, width);
}
template <typename T>
T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  return EmuShfl(mask, ::cuda_emu::ShflKind::kDown, v, static_cast<int>(delta), width);
}
template <typename T>
T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  return EmuShfl(mask, ::cuda_emu::ShflKind::kUp, v, static_cast<int>(delta), width);
}
template <typename T>
T __shfl_sync(unsigned mask, T v, int lane, int width = 32) {
  return EmuShfl(mask, ::cuda_emu::ShflKind::kIdx, v, lane, width);
}

// Atomics: a block's threads are fibers of one OS thread and blocks run one after the other,
// so a plain read-modify-write is atomic here.
inline unsigned long long atomicMax(unsigned long long* p, unsigned long long v) {
  unsigned long long old = *p;
  if (old < v) *p = v;
  return old;
}
inline int atomicAdd(int* p, int v) {
  int old = *p;
  *p = old + v;
  return old;
}

inline unsigned __umulhi(unsigned a, unsigned b) {
  return static_cast<unsigned>((static_cast<uint64_t>(a) * b) >> 32);
}
// Round-to-nearest products and sums (not contracted into FMAs): what host code does.
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline float __uint_as_float(unsigned u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
inline unsigned __float_as_uint(float f) {
  unsigned u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
inline float rsqrtf(float x) { return 1.f / std::sqrt(x); }
using std::isinf;
using std::isnan;
