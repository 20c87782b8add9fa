// LpPool and MaxRoiPool kernels (ref: LpPool in runtimes/kernels/pool.h, MaxRoiPoolPoint in
// runtimes/kernels/detection.h), BitShift and Det (runtimes/kernels/det.h): a thread per
// output.
#include "../kernels/det.h"
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

// The ref's taps in its order (depth, rows, columns; undilated windows), its sum in double
// without FMA contraction.
__global__ void LpPoolKernel(odla_rt::Window3 g, int64_t planes, const float* x, float* y,
                             int64_t pw) {
  ODLA_CUDA_LOOP(t, planes * g.OutSize()) {
    const int64_t o = t % g.OutSize(), p = t / g.OutSize();
    const int64_t ow = o % g.out[2], oh = o / g.out[2] % g.out[1], od = o / (g.out[2] * g.out[1]);
    int64_t zl, zh, yl, yh, xl, xh;
    g.Taps(0, od, &zl, &zh);
    g.Taps(1, oh, &yl, &yh);
    g.Taps(2, ow, &xl, &xh);
    const float* xp = x + p * g.InSize();
    double sum = 0;
    for (int64_t kz = zl; kz < zh; ++kz) {
      const int64_t iz = od * g.stride[0] - g.pad[0] + kz;
      for (int64_t ky = yl; ky < yh; ++ky) {
        const int64_t iy = oh * g.stride[1] - g.pad[1] + ky;
        const float* row = xp + (iz * g.in[1] + iy) * g.in[2] + ow * g.stride[2] - g.pad[2];
        for (int64_t kx = xl; kx < xh; ++kx) {
          const double a = fabs(static_cast<double>(row[kx]));
          sum = __dadd_rn(sum, pw == 1 ? a : pw == 2 ? __dmul_rn(a, a) : pow(a, double(pw)));
        }
      }
    }
    y[t] = static_cast<float>(pw == 1 ? sum : pw == 2 ? sqrt(sum) : pow(sum, 1.0 / pw));
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

__global__ void DetKernel(const float* x, float* y, int64_t batch, int64_t n, double* scratch) {
  ODLA_CUDA_LOOP(b, batch) {
    double* a = scratch + b * n * n;
    for (int64_t i = 0; i < n * n; ++i) a[i] = static_cast<double>(x[b * n * n + i]);
    y[b] = static_cast<float>(odla_rt::DetInPlace(a, n));
  }
}

}  // namespace

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

}  // namespace odla_cuda
