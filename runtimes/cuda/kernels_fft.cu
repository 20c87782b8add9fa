// DFT and STFT (ref: FftPlan, Dft and Stft in runtimes/kernels/fft.{h,cc}): one block per
// line, in device scratch memory, with the host plan's tables and the host's double
// arithmetic step for step. Compiled with --fmad=false, so that no product is contracted
// into an FMA with a sum: the results are the host's to the bit.
#include <algorithm>
#include <vector>

#include "../kernels/fft.h"
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

using Method = odla_rt::FftPlan::Method;

// A complex double as std::complex<double> lays it out.
struct Cx {
  double re, im;
};

__device__ Cx Mul(Cx a, Cx b) {  // fft.cc's Mul
  return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}

struct DeviceTables {
  const Cx *roots, *half, *chirp, *kernel;
};

// fft.cc's FftPlan::Radix2 of a[0, m), its loops spread over the block's threads: the swaps
// of the bit-reversal permutation (each pair by its lower index), then each stage's
// butterflies, a barrier after each.
__device__ void Radix2(Cx* a, int64_t m, const Cx* half, bool conj) {
  int bits = 0;
  while ((int64_t{1} << bits) < m) ++bits;
  for (int64_t i = threadIdx.x; i < m; i += blockDim.x) {
    int64_t j = 0;
    for (int b = 0; b < bits; ++b) j |= ((i >> b) & 1) << (bits - 1 - b);
    if (i < j) {
      const Cx t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
  __syncthreads();
  for (int64_t len = 2; len <= m; len <<= 1) {
    const int64_t h = len / 2, stride = m / len;
    for (int64_t b = threadIdx.x; b < m / 2; b += blockDim.x) {
      const int64_t k = b % h, i = b / h * len + k;
      Cx w = half[k * stride];
      if (conj) w.im = -w.im;
      const Cx u = a[i], v = Mul(a[i + h], w);
      a[i] = {u.re + v.re, u.im + v.im};
      a[i + h] = {u.re - v.re, u.im - v.im};
    }
    __syncthreads();
  }
}

template <typename T>
__global__ void FftKernel(Method method, bool inverse, int64_t n, int64_t m, int64_t per_block,
                          DeviceTables tab, FftLines g, const T* x, const T* window, T* y,
                          Cx* scratch) {
  Cx* a = scratch + blockIdx.x * per_block;
  for (int64_t p = blockIdx.x; p < g.lines; p += gridDim.x) {
    const int64_t o = p / g.inner, i = p - o * g.inner;
    const T* xp = x + o * g.in_outer + i * g.in_inner;
    T* yp = y + o * g.out_outer + i * g.out_inner;
    auto store = [&](int64_t k, Cx v) {  // bin k of the line, scaled (Dft, Stft)
      yp[k * g.out_step] = static_cast<T>(v.re * g.scale);
      yp[k * g.out_step + 1] = static_cast<T>(v.im * g.scale);
    };
    // The line (Dft, Stft), times the chirp for Bluestein, zero-padded to the buffer.
    const int64_t len = method == Method::kBluestein ? m : n;
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x) {
      Cx v{0.0, 0.0};
      if (j < g.take) {
        const T* e = xp + j * g.in_step;
        const double w = window ? static_cast<double>(window[j]) : 1.0;
        v = {e[0] * w, g.c == 2 ? e[1] * w : 0.0};
      }
      if (method == Method::kBluestein && j < n) v = Mul(v, tab.chirp[j]);
      a[j] = v;
    }
    __syncthreads();
    if (method == Method::kDirect) {
      for (int64_t k = threadIdx.x; k < g.keep; k += blockDim.x) {
        Cx sum{0.0, 0.0};
        for (int64_t j = 0, r = 0; j < n; ++j, r = (r + k) % n) {
          const Cx t = Mul(a[j], tab.roots[r]);
          sum = {sum.re + t.re, sum.im + t.im};
        }
        store(k, sum);
      }
    } else if (method == Method::kRadix2) {
      Radix2(a, n, tab.half, inverse);
      for (int64_t k = threadIdx.x; k < g.keep; k += blockDim.x) store(k, a[k]);
    } else {
      Radix2(a, m, tab.half, false);
      for (int64_t k = threadIdx.x; k < m; k += blockDim.x) a[k] = Mul(a[k], tab.kernel[k]);
      __syncthreads();
      Radix2(a, m, tab.half, true);
      const double inv_m = 1.0 / static_cast<double>(m);
      for (int64_t k = threadIdx.x; k < g.keep; k += blockDim.x) {
        const Cx v = Mul(a[k], tab.chirp[k]);
        store(k, {v.re * inv_m, v.im * inv_m});
      }
    }
    __syncthreads();  // the buffer is read to the end before the next line fills it
  }
}

// At most this much scratch memory for the blocks' buffers (fewer blocks for long lines).
constexpr size_t kMaxScratch = size_t(16) << 20;

}  // namespace

FftDevicePlan::FftDevicePlan(const odla_rt::FftPlan& plan)
    : method_(static_cast<int>(plan.method())),
      inverse_(plan.inverse()),
      n_(plan.size()),
      m_(plan.method() == Method::kBluestein ? static_cast<int64_t>(plan.kernel().size())
                                             : plan.size()),
      per_block_(m_) {
  std::vector<odla_rt::Complex> all;
  auto put = [&](const std::vector<odla_rt::Complex>& v) {
    const size_t at = all.size() * sizeof(Cx);
    all.insert(all.end(), v.begin(), v.end());
    return at;
  };
  roots_at_ = put(plan.roots());
  half_at_ = put(plan.half());
  chirp_at_ = put(plan.chirp());
  kernel_at_ = put(plan.kernel());
  if (!all.empty()) tables_ = UploadTable(all.data(), all.size() * sizeof(Cx));
}

unsigned FftDevicePlan::Blocks(int64_t lines) const {
  const int64_t fit = std::max<int64_t>(1, kMaxScratch / (per_block_ * sizeof(Cx)));
  return static_cast<unsigned>(std::min<int64_t>({lines, fit, 1024}));
}

size_t FftDevicePlan::ScratchBytes(int64_t lines) const {
  return lines < 1 ? 0 : Blocks(lines) * per_block_ * sizeof(Cx);
}

void FftDevicePlan::Run(cudaStream_t s, odla_element_type t, const FftLines& g, const void* x,
                        const void* window, void* y, void* scratch) const {
  if (g.lines < 1) return;
  const char* base = static_cast<const char*>(tables_.get());
  auto at = [&](size_t off) { return reinterpret_cast<const Cx*>(base + off); };
  const DeviceTables tab{at(roots_at_), at(half_at_), at(chirp_at_), at(kernel_at_)};
  auto run = [&](auto tag) {
    using T = decltype(tag);
    FftKernel<T><<<Blocks(g.lines), kBlock, 0, s>>>(static_cast<Method>(method_), inverse_, n_, m_,
                                                    per_block_, tab, g, static_cast<const T*>(x),
                                                    static_cast<const T*>(window),
                                                    static_cast<T*>(y), static_cast<Cx*>(scratch));
  };
  if (t == ODLA_FLOAT32)
    run(float{});
  else if (t == ODLA_FLOAT64)
    run(double{});
  else
    throw odla_rt::RtError("libodla_cuda: DFT of an unsupported type");
  CheckLaunch("DFT");
}

}  // namespace odla_cuda
