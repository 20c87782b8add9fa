// LpPool and MaxRoiPool kernels (ref: LpPool in runtimes/kernels/pool.h, MaxRoiPoolPoint in
// runtimes/kernels/detection.h), BitShift, the Bitwise ops and Det (runtimes/kernels/det.h):
// a thread per output; MaxUnpool (runtimes/kernels/sample.h): a thread per input.
#include "../kernels/det.h"
#include "../kernels/pool.h"
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

// The ref's own taps, sum and terms (pool.h), an output per thread.
__global__ void LpPoolKernel(odla_rt::Window3 g, int64_t planes, const float* x, float* y,
                             int64_t pw) {
  ODLA_CUDA_LOOP(t, planes * g.OutSize()) {
    const int64_t o = t % g.OutSize(), p = t / g.OutSize();
    const int64_t ow = o % g.out[2], oh = o / g.out[2] % g.out[1], od = o / (g.out[2] * g.out[1]);
    int64_t zl, zh, yl, yh, xl, xh;
    g.Taps(0, od, &zl, &zh);
    g.Taps(1, oh, &yl, &yh);
    g.Taps(2, ow, &xl, &xh);
    const double sum = odla_rt::pool_detail::SumTaps(
        g, x + p * g.InSize(), od, oh, ow, zl, zh, yl, yh, xl, xh,
        [pw](float v) { return odla_rt::LpTerm(static_cast<double>(v), pw); });
    y[t] = static_cast<float>(odla_rt::LpRoot(sum, pw));
  }
}

__global__ void MaxRoiPoolKernel(odla_rt::RoiPoolSpec s, const float* x, const float* rois,
                                 int64_t r, float* y) {
  const int64_t bins = s.ph * s.pw;
  ODLA_CUDA_LOOP(t, r * s.c * bins) {
    const int64_t k = t % bins, rc = t / bins;
    y[t] = odla_rt::MaxRoiPoolPoint(s, x, rois + 5 * (rc / s.c), rc % s.c, k / s.pw, k % s.pw);
  }
}

template <typename T>
__global__ void BitShiftKernel(const T* a, const T* b, T* out, StridedMap m, int64_t n, bool left) {
  ODLA_CUDA_LOOP(i, n) {
    int64_t oa, ob;
    MapOffsets(m, i, &oa, &ob);
    const T x = a[oa], k = b[ob];
    out[i] = k >= sizeof(T) * 8 ? T(0) : static_cast<T>(left ? x << k : x >> k);
  }
}

// Bitwise And, Or, Xor (op 0 to 2) of a and b, or Not (3) of a, on the bits of T.
template <typename T>
__global__ void BitwiseKernel(const T* a, const T* b, T* out, StridedMap m, int64_t n, int op) {
  ODLA_CUDA_LOOP(i, n) {
    int64_t oa, ob;
    MapOffsets(m, i, &oa, &ob);
    const T x = a[oa];
    out[i] = op == 0   ? static_cast<T>(x & b[ob])
             : op == 1 ? static_cast<T>(x | b[ob])
             : op == 2 ? static_cast<T>(x ^ b[ob])
                       : static_cast<T>(~x);
  }
}

__global__ void DetKernel(const float* x, float* y, int64_t batch, int64_t n, double* scratch) {
  ODLA_CUDA_LOOP(b, batch) {
    double* a = scratch + b * n * n;
    for (int64_t i = 0; i < n * n; ++i) a[i] = static_cast<double>(x[b * n * n + i]);
    y[b] = static_cast<float>(odla_rt::DetInPlace(a, n));
  }
}

__device__ int64_t UnpoolFlat(const UnpoolMap& m, int64_t idx) {
  int64_t flat = 0, stride = 1;
  for (int d = m.rank - 1; d >= 0; --d) {
    flat += idx % m.def[d] * stride;
    idx /= m.def[d];
    stride *= m.out[d];
  }
  return flat;
}

// The last input to reach each output (1 + its position; 0: none).
__global__ void UnpoolWinners(const int64_t* idx, int64_t n, UnpoolMap m,
                              unsigned long long* winners, int* bad) {
  ODLA_CUDA_LOOP(i, n) {
    const int64_t v = idx[i];
    if (v < 0 || v >= m.def_n) {
      *bad = 1;
      continue;
    }
    atomicMax(&winners[UnpoolFlat(m, v)], static_cast<unsigned long long>(i + 1));
  }
}

__global__ void UnpoolWrite(const float* x, const int64_t* idx, int64_t n, UnpoolMap m,
                            const unsigned long long* winners, float* y) {
  ODLA_CUDA_LOOP(i, n) {
    const int64_t v = idx[i];
    if (v < 0 || v >= m.def_n) continue;
    const int64_t f = UnpoolFlat(m, v);
    if (winners[f] == static_cast<unsigned long long>(i + 1)) y[f] = x[i];
  }
}

}  // namespace

void MaxUnpool(cudaStream_t s, const float* x, const int64_t* idx, int64_t n, const UnpoolMap& m,
               float* y, int64_t out_n, void* winners, int* bad) {
  auto* win = static_cast<unsigned long long*>(winners);
  ODLA_CUDA_CALL(cudaMemsetAsync, y, 0, sizeof(float) * out_n, s);
  ODLA_CUDA_CALL(cudaMemsetAsync, win, 0, sizeof(*win) * out_n, s);
  Launch("MaxUnpool", s, n, UnpoolWinners, idx, n, m, win, bad);
  Launch("MaxUnpool", s, n, UnpoolWrite, x, idx, n, m, static_cast<const unsigned long long*>(win),
         y);
}

void Det(cudaStream_t s, const float* x, float* y, int64_t batch, int64_t n, double* scratch) {
  Launch("Det", s, batch, DetKernel, x, y, batch, n, scratch);
}

void LpPool(cudaStream_t s, const odla_rt::Window3& w, int64_t planes, const float* x, float* y,
            int64_t p) {
  Launch("LpPool", s, planes * w.OutSize(), LpPoolKernel, w, planes, x, y, p);
}

void MaxRoiPool(cudaStream_t s, const odla_rt::RoiPoolSpec& spec, const float* x, const float* rois,
                int64_t r, float* y) {
  Launch("MaxRoiPool", s, r * spec.c * spec.ph * spec.pw, MaxRoiPoolKernel, spec, x, rois, r, y);
}

void BitShift(cudaStream_t s, odla_element_type t, bool left, const void* a, const void* b,
              void* out, const StridedMap& m) {
  const int64_t n = m.Count();
  auto run = [&](auto tag) {
    using T = decltype(tag);
    Launch("BitShift", s, n, BitShiftKernel<T>, static_cast<const T*>(a), static_cast<const T*>(b),
           static_cast<T*>(out), m, n, left);
  };
  switch (t) {
    case ODLA_UINT8:
      return run(uint8_t{});
    case ODLA_UINT16:
      return run(uint16_t{});
    case ODLA_UINT32:
      return run(uint32_t{});
    case ODLA_UINT64:
      return run(uint64_t{});
    default:
      throw odla_rt::RtError("libodla_cuda: BitShift of a signed or non-integer type");
  }
}

void Bitwise(cudaStream_t s, int op, size_t element_size, const void* a, const void* b, void* out,
             const StridedMap& m) {
  const int64_t n = m.Count();
  if (n == 0) return;
  BySize(element_size, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Launch("Bitwise", s, n, BitwiseKernel<T>, static_cast<const T*>(a), static_cast<const T*>(b),
           static_cast<T*>(out), m, n, op);
  });
}

}  // namespace odla_cuda
