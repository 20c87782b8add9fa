// GridSample and RoiAlign kernels: one thread per output value, computed by the ref's own
// point functions (runtimes/kernels/sample_point.h).
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

using odla_rt::GridSampleSpec;
using odla_rt::RoiAlignSpec;

__global__ void GridSampleKernel(GridSampleSpec s, const float* x, const float* grid, float* y,
                                 int64_t n) {
  ODLA_CUDA_LOOP(e, n) {
    const int64_t p = e % (s.oh * s.ow), nc = e / (s.oh * s.ow);
    const float* g = grid + (nc / s.c * s.oh * s.ow + p) * 2;
    y[e] = static_cast<float>(odla_rt::GridPoint(s, x + nc * s.h * s.w, static_cast<double>(g[0]),
                                                 static_cast<double>(g[1])));
  }
}

__global__ void RoiAlignKernel(RoiAlignSpec s, int64_t batches, const float* x, const float* rois,
                               const int64_t* batch, float* y, int* bad, int64_t n) {
  ODLA_CUDA_LOOP(e, n) {
    const int64_t pw = e % s.ow, ph = e / s.ow % s.oh, rc = e / (s.oh * s.ow);
    const int64_t r = rc / s.c, ch = rc % s.c, b = batch[r];
    if (b < 0 || b >= batches) {
      *bad = 1;
      y[e] = 0.f;
      continue;
    }
    y[e] = static_cast<float>(
        odla_rt::RoiAlignPoint(s, x + (b * s.c + ch) * s.h * s.w, rois + r * 4, ph, pw));
  }
}

}  // namespace

void GridSample(cudaStream_t s, const GridSampleSpec& spec, const float* x, const float* grid,
                float* y) {
  const int64_t n = spec.n * spec.c * spec.oh * spec.ow;
  Launch("GridSample", s, n, GridSampleKernel, spec, x, grid, y, n);
}

void RoiAlign(cudaStream_t s, const RoiAlignSpec& spec, int64_t n, const float* x,
              const float* rois, const int64_t* batch, float* y, int* bad) {
  const int64_t total = spec.num_rois * spec.c * spec.oh * spec.ow;
  Launch("RoiAlign", s, total, RoiAlignKernel, spec, n, x, rois, batch, y, bad, total);
}

}  // namespace odla_cuda
