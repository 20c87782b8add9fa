// Softmax, LogSoftmax, Hardmax, CumSum, InstanceNormalization, LayerNormalization,
// MeanVarianceNormalization and LpNormalization kernels (ref: Softmax and CumSum in
// runtimes/kernels/axis.cc, InstanceNorm, LayerNorm and MeanVarianceNorm in
// runtimes/kernels/norm.h, LpNormalize in runtimes/kernels/sample.h). Rows along the
// innermost axis get one warp each (Softmax, LogSoftmax, LayerNormalization of up to 1024
// elements) or one block.
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

// The larger, NaN winning (as the ref's max scan).
__device__ inline float MaxNan(float a, float b) { return (b > a || isnan(b)) ? b : a; }

struct MaxOp {
  __device__ float operator()(float a, float b) const { return MaxNan(a, b); }
};
struct SumOp {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    return a + b;
  }
};

// kind 0 Softmax, 1 LogSoftmax; one block per row of n contiguous elements.
__global__ void SoftmaxRows(int kind, const float* x, float* y, int64_t rows, int64_t n) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    float m = xr[0];
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) m = MaxNan(m, xr[i]);
    m = BlockReduce(m, MaxOp{}, -INFINITY);
    float sum = 0.f;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) sum += expf(xr[i] - m);
    sum = BlockReduce(sum, SumOp{}, 0.f);
    if (kind == 0) {
      float scale = 1.f / sum;
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) yr[i] = expf(xr[i] - m) * scale;
    } else {
      float log_sum = logf(sum);
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) yr[i] = (xr[i] - m) - log_sum;
    }
  }
}

// The same for rows of n <= 32 * kPerLane elements, one warp per row: each lane keeps its
// elements (lane, lane + 32, ...) in registers, and the warp reduces with shuffles, no
// block barriers (short rows, like attention's scores, are then bandwidth-bound).
template <int kPerLane>
__global__ void SoftmaxWarpRows(int kind, const float* x, float* y, int64_t rows, int n) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = blockDim.x / 32;
  for (int64_t r = blockIdx.x * warps + threadIdx.x / 32; r < rows; r += gridDim.x * warps) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    float v[kPerLane];
    float m = xr[0];
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      const int i = lane + 32 * j;
      v[j] = i < n ? xr[i] : xr[0];
      m = MaxNan(m, v[j]);
    }
    for (int o = 16; o > 0; o /= 2) m = MaxNan(m, __shfl_xor_sync(0xffffffffu, m, o));
    float sum = 0.f;
#pragma unroll
    for (int j = 0; j < kPerLane; ++j)
      if (lane + 32 * j < n) sum += expf(v[j] - m);
    for (int o = 16; o > 0; o /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, o);
    const float scale = 1.f / sum, log_sum = logf(sum);
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      const int i = lane + 32 * j;
      if (i < n) yr[i] = kind == 0 ? expf(v[j] - m) * scale : (v[j] - m) - log_sum;
    }
  }
}

// One thread per column (o, j) of [outer, n, inner]; neighbours read neighbouring columns.
// Hardmax (kind 2) scans as the ref: the first maximum, a NaN replacing any value.
__global__ void SoftmaxColumns(int kind, const float* x, float* y, int64_t outer, int64_t n,
                               int64_t inner) {
  ODLA_CUDA_LOOP(c, outer * inner) {
    int64_t o = c / inner, j = c - o * inner;
    const float* xc = x + o * n * inner + j;
    float* yc = y + o * n * inner + j;
    float m = xc[0];
    int64_t arg = 0;
    for (int64_t r = 1; r < n; ++r) {
      float v = xc[r * inner];
      if (v > m || isnan(v)) m = v, arg = r;
    }
    if (kind == 2) {
      for (int64_t r = 0; r < n; ++r) yc[r * inner] = r == arg ? 1.f : 0.f;
      continue;
    }
    float sum = 0.f;
    for (int64_t r = 0; r < n; ++r) sum += expf(xc[r * inner] - m);
    if (kind == 0) {
      float scale = 1.f / sum;
      for (int64_t r = 0; r < n; ++r) yc[r * inner] = expf(xc[r * inner] - m) * scale;
    } else {
      float log_sum = logf(sum);
      for (int64_t r = 0; r < n; ++r) yc[r * inner] = (xc[r * inner] - m) - log_sum;
    }
  }
}

// CumSum of one column per thread, in the ref's order (integers wrap).
template <typename T>
__global__ void CumSumColumns(const T* x, T* y, int64_t n, int64_t inner, bool exclusive,
                              bool reverse, int64_t columns) {
  ODLA_CUDA_LOOP(c, columns) {
    int64_t o = c / inner, j = c - o * inner;
    int64_t base = o * n * inner + j;
    T acc = T(0);
    for (int64_t k = 0; k < n; ++k) {
      int64_t off = base + (reverse ? n - 1 - k : k) * inner;
      T v = x[off];
      T next = static_cast<T>(static_cast<Wrap<T>>(acc) + static_cast<Wrap<T>>(v));
      y[off] = exclusive ? acc : next;
      acc = next;
    }
  }
}

// The mean of row xr[0, n) and 1 / sqrt(its variance + eps), in double as the ref's
// MeanInvStd, for every thread of the block (which reduces the row together).
__device__ void RowMeanInvStd(const float* xr, int64_t n, double eps, double* mean,
                              double* inv_std) {
  double s = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += xr[i];
  s = BlockReduce(s, SumOp{}, 0.0);
  double m = n ? s / static_cast<double>(n) : 0.0;
  double v = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) v += (xr[i] - m) * (xr[i] - m);
  v = BlockReduce(v, SumOp{}, 0.0);
  *mean = m;
  *inv_std = 1.0 / sqrt((n ? v / static_cast<double>(n) : 0.0) + eps);
}

// One block per row.
__global__ void LayerNormRows(const float* x, const float* scale, const float* bias, double eps,
                              float* y, float* mean_out, float* inv_out, int64_t rows,
                              int64_t cols) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    double m, inv;
    RowMeanInvStd(xr, cols, eps, &m, &inv);
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x) {
      double t = (xr[i] - m) * inv * scale[i];
      yr[i] = static_cast<float>(bias ? t + bias[i] : t);
    }
    if (threadIdx.x == 0) {
      if (mean_out) mean_out[r] = static_cast<float>(m);
      if (inv_out) inv_out[r] = static_cast<float>(inv);
    }
  }
}

// The same for rows of cols <= 32 * kPerLane elements, one warp per row, each lane keeping
// its elements (lane, lane + 32, ...) in registers; sums in double reduced with shuffles.
template <int kPerLane>
__global__ void LayerNormWarpRows(const float* x, const float* scale, const float* bias, double eps,
                                  float* y, float* mean_out, float* inv_out, int64_t rows,
                                  int cols) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = blockDim.x / 32;
  for (int64_t r = blockIdx.x * warps + threadIdx.x / 32; r < rows; r += gridDim.x * warps) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float v[kPerLane];
    double s = 0;
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      const int i = lane + 32 * j;
      v[j] = i < cols ? xr[i] : 0.f;
      s += v[j];
    }
    for (int o = 16; o > 0; o /= 2) s += __shfl_xor_sync(0xffffffffu, s, o);
    const double m = s / static_cast<double>(cols);
    double var = 0;
#pragma unroll
    for (int j = 0; j < kPerLane; ++j)
      if (lane + 32 * j < cols) var += (v[j] - m) * (v[j] - m);
    for (int o = 16; o > 0; o /= 2) var += __shfl_xor_sync(0xffffffffu, var, o);
    const double inv = 1.0 / sqrt(var / static_cast<double>(cols) + eps);
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      const int i = lane + 32 * j;
      if (i >= cols) continue;
      double t = (v[j] - m) * inv * scale[i];
      yr[i] = static_cast<float>(bias ? t + bias[i] : t);
    }
    if (lane == 0) {
      if (mean_out) mean_out[r] = static_cast<float>(m);
      if (inv_out) inv_out[r] = static_cast<float>(inv);
    }
  }
}

// One block per (n, c) row of `inner` elements, as the ref's InstanceNorm: y = x * mul + add with
// mul = inv_std * scale[c], add = b[c] - mean * mul.
__global__ void InstanceNormRows(const float* x, const float* scale, const float* bias, double eps,
                                 float* y, int64_t rows, int64_t c, int64_t inner) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* xr = x + r * inner;
    float* yr = y + r * inner;
    double m, inv;
    RowMeanInvStd(xr, inner, eps, &m, &inv);
    double mul = inv * scale[r % c], add = bias[r % c] - m * mul;
    for (int64_t i = threadIdx.x; i < inner; i += blockDim.x)
      yr[i] = static_cast<float>(xr[i] * mul + add);
  }
}

// One block per channel of x [n, c, inner], as the ref's BatchNormTraining: the batch's mean
// and biased variance in double, y = x * mul + add, and the running statistics.
__global__ void BatchNormTrainingChannels(const float* x, const float* scale, const float* bias,
                                          const float* mean, const float* var, double eps,
                                          double momentum, float* y, float* running_mean,
                                          float* running_var, int64_t n, int64_t c, int64_t inner) {
  const int64_t count = n * inner;
  for (int64_t ch = blockIdx.x; ch < c; ch += gridDim.x) {
    auto at = [&](int64_t t) { return (t / inner * c + ch) * inner + t % inner; };
    double s = 0;
    for (int64_t t = threadIdx.x; t < count; t += blockDim.x) s += x[at(t)];
    s = BlockReduce(s, SumOp{}, 0.0);
    const double m = count ? s / static_cast<double>(count) : 0.0;
    double q = 0;
    for (int64_t t = threadIdx.x; t < count; t += blockDim.x) q += (x[at(t)] - m) * (x[at(t)] - m);
    q = BlockReduce(q, SumOp{}, 0.0);
    const double v = count ? q / static_cast<double>(count) : 0.0;
    const double mul = scale[ch] / sqrt(v + eps), add = bias[ch] - m * mul;
    for (int64_t t = threadIdx.x; t < count; t += blockDim.x)
      y[at(t)] = static_cast<float>(x[at(t)] * mul + add);
    if (threadIdx.x == 0) {
      if (running_mean)
        running_mean[ch] = static_cast<float>(mean[ch] * momentum + m * (1 - momentum));
      if (running_var)
        running_var[ch] = static_cast<float>(var[ch] * momentum + v * (1 - momentum));
    }
  }
}

// One thread per element; the window of channels as the ref's: (size - 1) / 2 before.
__global__ void LrnKernel(const float* x, float* y, int64_t n, int64_t c, int64_t inner,
                          double alpha, double beta, double bias, int64_t size) {
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  ODLA_CUDA_LOOP(e, n * c * inner) {
    const int64_t i = e % inner, p = e / inner, ch = p % c, b = p / c;
    const int64_t lo = ch - before < 0 ? 0 : ch - before;
    const int64_t hi = ch + after > c - 1 ? c - 1 : ch + after;
    double sq = 0;
    for (int64_t k = lo; k <= hi; ++k) {
      double v = x[(b * c + k) * inner + i];
      sq += v * v;
    }
    double d = pow(bias + alpha / static_cast<double>(size) * sq, beta);
    y[e] = static_cast<float>(x[e] / d);
  }
}

// One block per group.
__global__ void MeanVarianceGroups(const float* x, float* y, StridedMap groups, StridedMap members,
                                   int64_t ngroups, int64_t nmembers) {
  for (int64_t g = blockIdx.x; g < ngroups; g += gridDim.x) {
    int64_t base, unused, off;
    MapOffsets(groups, g, &base, &unused);
    double sum = 0, sq = 0;
    for (int64_t r = threadIdx.x; r < nmembers; r += blockDim.x) {
      MapOffsets(members, r, &off, &unused);
      const double v = x[base + off];
      sum += v;
      sq += MulRounded(v, v);  // as the ref: no FMA
    }
    sum = BlockReduce(sum, SumOp{}, 0.0);
    sq = BlockReduce(sq, SumOp{}, 0.0);
    const double m = sum / nmembers, var = sq / nmembers - MulRounded(m, m);
    const double sd = sqrt(0.0 < var ? var : 0.0) + 1e-9;
    for (int64_t r = threadIdx.x; r < nmembers; r += blockDim.x) {
      MapOffsets(members, r, &off, &unused);
      y[base + off] = static_cast<float>((x[base + off] - m) / sd);
    }
  }
}

// One thread per column along len.
__global__ void LpColumns(const float* x, float* y, int64_t len, int64_t inner, int p,
                          int64_t columns) {
  ODLA_CUDA_LOOP(q, columns) {
    const int64_t o = q / inner, i = q % inner;
    const float* xp = x + o * len * inner + i;
    float* yp = y + o * len * inner + i;
    double norm = 0;
    for (int64_t k = 0; k < len; ++k) {
      const double v = xp[k * inner];
      norm += p == 1 ? fabs(v) : v * v;
    }
    if (p == 2) norm = sqrt(norm);
    for (int64_t k = 0; k < len; ++k)
      yp[k * inner] = norm == 0 ? 0.f : static_cast<float>(xp[k * inner] / norm);
  }
}

unsigned RowGrid(int64_t rows) { return static_cast<unsigned>(std::min<int64_t>(rows, 65535)); }

// Rows of 1 to 1024 elements take a warp each, kWarpsPerBlock to a block:
// launch(lanes, blocks) launches the kernel for `rows` such rows of n elements, `lanes` (a
// std::integral_constant) the fewest elements per lane of 1, 4, 16 or 32 that hold one.
// False (nothing launched) for other lengths.
constexpr int kWarpsPerBlock = 4;
template <typename F>
bool WarpRows(int64_t rows, int64_t n, F&& launch) {
  if (n < 1 || n > 1024) return false;
  const auto blocks =
      static_cast<unsigned>(std::min<int64_t>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock, 65535));
  if (n <= 32)
    launch(std::integral_constant<int, 1>{}, blocks);
  else if (n <= 128)
    launch(std::integral_constant<int, 4>{}, blocks);
  else if (n <= 512)
    launch(std::integral_constant<int, 16>{}, blocks);
  else
    launch(std::integral_constant<int, 32>{}, blocks);
  return true;
}

}  // namespace

void Softmax(cudaStream_t s, int kind, const float* x, float* y, int64_t outer, int64_t n,
             int64_t inner) {
  if (n == 0 || outer == 0 || inner == 0) return;
  // Rows along the innermost axis: a warp each up to 1024 elements, else a block each.
  const bool rows = inner == 1 && kind != 2;
  auto warp = [&](auto lanes, unsigned blocks) {
    SoftmaxWarpRows<decltype(lanes)::value>
        <<<blocks, 32 * kWarpsPerBlock, 0, s>>>(kind, x, y, outer, static_cast<int>(n));
  };
  if (!rows)
    SoftmaxColumns<<<GridFor(outer * inner), kBlock, 0, s>>>(kind, x, y, outer, n, inner);
  else if (!WarpRows(outer, n, warp))
    SoftmaxRows<<<RowGrid(outer), kBlock, 0, s>>>(kind, x, y, outer, n);
  CheckLaunch("Softmax");
}

void CumSum(cudaStream_t s, odla_element_type t, const void* x, void* y, int64_t outer, int64_t n,
            int64_t inner, bool exclusive, bool reverse) {
  int64_t columns = outer * inner;
  if (n == 0 || columns == 0) return;
  auto run = [&](auto tag) {
    using T = decltype(tag);
    CumSumColumns<T><<<GridFor(columns), kBlock, 0, s>>>(
        static_cast<const T*>(x), static_cast<T*>(y), n, inner, exclusive, reverse, columns);
  };
  if (!ByNumber(t, run)) throw odla_rt::RtError("libodla_cuda: CumSum of an unsupported type");
  CheckLaunch("CumSum");
}

void BatchNormTraining(cudaStream_t s, const float* x, const float* scale, const float* bias,
                       const float* mean, const float* var, double eps, double momentum, float* y,
                       float* running_mean, float* running_var, int64_t n, int64_t c,
                       int64_t inner) {
  if (c == 0) return;
  BatchNormTrainingChannels<<<RowGrid(c), kBlock, 0, s>>>(
      x, scale, bias, mean, var, eps, momentum, y, running_mean, running_var, n, c, inner);
  CheckLaunch("BatchNormalizationTraining");
}

void InstanceNorm(cudaStream_t s, const float* x, const float* scale, const float* bias, double eps,
                  float* y, int64_t n, int64_t c, int64_t inner) {
  if (n * c == 0) return;
  InstanceNormRows<<<RowGrid(n * c), kBlock, 0, s>>>(x, scale, bias, eps, y, n * c, c, inner);
  CheckLaunch("InstanceNorm");
}

void LayerNorm(cudaStream_t s, const float* x, const float* scale, const float* bias, double eps,
               float* y, float* mean, float* inv_std, int64_t rows, int64_t cols) {
  if (rows == 0) return;
  // A warp a row up to 1024 elements, else a block a row.
  auto warp = [&](auto lanes, unsigned blocks) {
    LayerNormWarpRows<decltype(lanes)::value><<<blocks, 32 * kWarpsPerBlock, 0, s>>>(
        x, scale, bias, eps, y, mean, inv_std, rows, static_cast<int>(cols));
  };
  if (!WarpRows(rows, cols, warp))
    LayerNormRows<<<RowGrid(rows), kBlock, 0, s>>>(x, scale, bias, eps, y, mean, inv_std, rows,
                                                   cols);
  CheckLaunch("LayerNorm");
}

void Lrn(cudaStream_t s, const float* x, float* y, int64_t n, int64_t c, int64_t inner,
         double alpha, double beta, double bias, int64_t size) {
  Launch("LRN", s, n * c * inner, LrnKernel, x, y, n, c, inner, alpha, beta, bias, size);
}

void MeanVarianceNorm(cudaStream_t s, const float* x, float* y, const StridedMap& groups,
                      const StridedMap& members) {
  const int64_t ngroups = groups.Count(), nmembers = members.Count();
  if (ngroups == 0 || nmembers == 0) return;
  MeanVarianceGroups<<<RowGrid(ngroups), kBlock, 0, s>>>(x, y, groups, members, ngroups, nmembers);
  CheckLaunch("MeanVarianceNormalization");
}

void LpNormalize(cudaStream_t s, const float* x, float* y, int64_t outer, int64_t len,
                 int64_t inner, int p) {
  Launch("LpNormalization", s, outer * inner, LpColumns, x, y, len, inner, p, outer * inner);
}

}  // namespace odla_cuda
