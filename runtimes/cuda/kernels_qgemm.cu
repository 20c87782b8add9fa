// Integer matrix products and convolutions (MatMulInteger, QLinearMatMul, ConvInteger,
// QLinearConv): a problem (QMatMulProblem, QConvProblem) says where the rows of A, columns of
// B and results are; a 32x32-tiled kernel sums a tile of results per block, or, for fewer than
// kTiledRows rows (a depthwise convolution's one channel per group, a vector), a thread per
// result sums its row; then an output functor writes the int32 sums or requantizes them as
// the ref does (runtimes/kernels/quant.h, fixed_point.h). Integer sums are exact, so the
// order of the additions does not matter.
#include "../kernels/fixed_point.h"
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

using odla_rt::QMultiplier;

constexpr int kTile = 32;      // results per tile side, and depth per step
constexpr int kThreads = 256;  // 16 x 16 threads, 2 x 2 results each
constexpr int kTiledRows = 8;  // fewer rows: a thread per result
constexpr int64_t kMaxGrid = 65535;

template <typename T>
__device__ int32_t Shifted(const T* p, int64_t i, const T* zp, int64_t zp_n, int64_t zi) {
  return static_cast<int32_t>(p[i]) - (zp ? static_cast<int32_t>(zp[zp_n == 1 ? 0 : zi]) : 0);
}

// Batches of a [m, k] x b [k, n], the s-th at element offsets aoff[s], boff[s].
template <typename TA, typename TB>
struct QMatMulProblem {
  const TA *a, *azp;
  const TB *b, *bzp;
  int64_t azp_n, bzp_n;
  const int64_t *aoff, *boff;
  int64_t m, k, n;
  __device__ int32_t A(int64_t z, int64_t i, int64_t d) const {
    return Shifted(a, (aoff ? aoff[z] : 0) + i * k + d, azp, azp_n, i);
  }
  __device__ int32_t B(int64_t z, int64_t d, int64_t j) const {
    return Shifted(b, (boff ? boff[z] : 0) + d * n + j, bzp, bzp_n, j);
  }
  __device__ int64_t Channel(int64_t, int64_t i) const { return i; }
  __device__ int64_t Out(int64_t z, int64_t i, int64_t j) const { return (z * m + i) * n + j; }
};

// Batch z = image * group + g: A is group g's weights [mg, cg * kernel], B the image's
// patches [cg * kernel, out] (zeros outside the input).
template <typename TX, typename TW>
struct QConvProblem {
  const TX *x, *xzp;
  const TW *w, *wzp;
  int64_t wzp_n;
  int64_t c, m, group, cg, mg, ksize, in_size, out_size;
  odla_rt::Window3 win;
  __device__ int32_t A(int64_t z, int64_t i, int64_t d) const {
    const int64_t ch = z % group * mg + i;
    return Shifted(w, ch * cg * ksize + d, wzp, wzp_n, ch);
  }
  __device__ int32_t B(int64_t z, int64_t d, int64_t j) const {
    const int64_t ci = d / ksize, r = d % ksize;
    const int64_t k12 = win.k[1] * win.k[2], o12 = win.out[1] * win.out[2];
    const int64_t kk[3] = {r / k12, r / win.k[2] % win.k[1], r % win.k[2]};
    const int64_t oo[3] = {j / o12, j / win.out[2] % win.out[1], j % win.out[2]};
    int64_t at = 0;
    for (int a = 0; a < 3; ++a) {
      const int64_t p = oo[a] * win.stride[a] - win.pad[a] + kk[a] * win.dil[a];
      if (p < 0 || p >= win.in[a]) return 0;
      at = at * win.in[a] + p;
    }
    const int64_t img = z / group, g = z % group;
    const int64_t i = (img * c + g * cg + ci) * in_size + at;
    return static_cast<int32_t>(x[i]) - (xzp ? static_cast<int32_t>(*xzp) : 0);
  }
  __device__ int64_t Channel(int64_t z, int64_t i) const { return z % group * mg + i; }
  __device__ int64_t Out(int64_t z, int64_t i, int64_t j) const {
    return (z / group * m + Channel(z, i)) * out_size + j;
  }
};

struct Int32Out {
  int32_t* y;
  template <typename P>
  __device__ void operator()(const P& p, int64_t z, int64_t i, int64_t j, int32_t acc) const {
    y[p.Out(z, i, j)] = acc;
  }
};

template <typename Y>
struct OnnxOut {
  Y* y;
  const int32_t* bias;
  const float *row_scale, *col_scale, *y_scale;
  int64_t row_n, col_n;
  const Y* y_zp;
  template <typename P>
  __device__ void operator()(const P& p, int64_t z, int64_t i, int64_t j, int32_t acc) const {
    const int64_t r = p.Channel(z, i);
    if (bias) acc += bias[r];
    const float scale = row_scale[row_n == 1 ? 0 : r] * col_scale[col_n == 1 ? 0 : j] / *y_scale;
    y[p.Out(z, i, j)] = RoundToQ<Y>(static_cast<float>(acc) * scale, *y_zp);
  }
};

template <typename Acc, typename Y>
struct TfliteOut {
  Y* y;
  const Acc* bias;
  const QMultiplier* q;
  int64_t q_n;
  const Y* y_zp;
  template <typename P>
  __device__ void operator()(const P& p, int64_t z, int64_t i, int64_t j, Acc acc) const {
    const int64_t r = p.Channel(z, i);
    if (bias) acc += bias[r];
    const int64_t v = int64_t{odla_rt::MultiplyByQuantizedMultiplier(acc, q[q_n == 1 ? 0 : r])} +
                      (y_zp ? static_cast<int32_t>(*y_zp) : 0);
    y[p.Out(z, i, j)] = SaturateTo<Y>(v);
  }
};

// As TfliteConv's: one multiplier per weight scale, x_scale * w_scale / y_scale in double.
__global__ void MultipliersKernel(const float* x_scale, const float* w_scale, const float* y_scale,
                                  QMultiplier* q, int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    const double xs = *x_scale, ys = *y_scale;
    q[i] = odla_rt::QuantizeMultiplier(xs * static_cast<double>(w_scale[i]) / ys);
  }
}

// Tiles of 32 x 32 results of `batches` products [rows, depth] x [depth, cols].
template <typename Acc, typename P, typename E>
__global__ void TiledKernel(P p, E out, int64_t batches, int64_t rows, int64_t cols,
                            int64_t depth) {
  __shared__ int32_t at[kTile][kTile + 1];  // [row][d]
  __shared__ int32_t bt[kTile][kTile + 1];  // [d][col]
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const int64_t row_tiles = (rows + kTile - 1) / kTile, col_tiles = (cols + kTile - 1) / kTile;
  for (int64_t z = blockIdx.z; z < batches; z += gridDim.z)
    for (int64_t rt = blockIdx.y; rt < row_tiles; rt += gridDim.y)
      for (int64_t ct = blockIdx.x; ct < col_tiles; ct += gridDim.x) {
        Acc acc[2][2] = {{0, 0}, {0, 0}};
        for (int64_t d0 = 0; d0 < depth; d0 += kTile) {
          for (int t = threadIdx.x; t < kTile * kTile; t += kThreads) {
            const int u = t / kTile, v = t % kTile;  // consecutive threads: consecutive v
            const int64_t ai = rt * kTile + u, ad = d0 + v;
            at[u][v] = ai < rows && ad < depth ? p.A(z, ai, ad) : 0;
            const int64_t bd = d0 + u, bj = ct * kTile + v;
            bt[u][v] = bd < depth && bj < cols ? p.B(z, bd, bj) : 0;
          }
          __syncthreads();
          for (int d = 0; d < kTile; ++d) {
            const Acc a0 = at[ty][d], a1 = at[ty + 16][d];
            const int32_t b0 = bt[d][tx], b1 = bt[d][tx + 16];
            acc[0][0] += a0 * b0;
            acc[0][1] += a0 * b1;
            acc[1][0] += a1 * b0;
            acc[1][1] += a1 * b1;
          }
          __syncthreads();
        }
        for (int u = 0; u < 2; ++u)
          for (int v = 0; v < 2; ++v) {
            const int64_t i = rt * kTile + ty + 16 * u, j = ct * kTile + tx + 16 * v;
            if (i < rows && j < cols) out(p, z, i, j, acc[u][v]);
          }
      }
}

// A thread per result.
template <typename Acc, typename P, typename E>
__global__ void DirectKernel(P p, E out, int64_t batches, int64_t rows, int64_t cols,
                             int64_t depth) {
  ODLA_CUDA_LOOP(t, batches * rows * cols) {
    const int64_t j = t % cols, i = t / cols % rows, z = t / cols / rows;
    Acc acc = 0;
    for (int64_t d = 0; d < depth; ++d) acc += static_cast<Acc>(p.A(z, i, d)) * p.B(z, d, j);
    out(p, z, i, j, acc);
  }
}

template <typename Acc, typename P, typename E>
void Run(cudaStream_t s, const P& p, const E& out, int64_t batches, int64_t rows, int64_t cols,
         int64_t depth) {
  if (batches * rows * cols == 0) return;
  if (rows < kTiledRows) {
    DirectKernel<Acc>
        <<<GridFor(batches * rows * cols), kBlock, 0, s>>>(p, out, batches, rows, cols, depth);
    return;
  }
  auto blocks = [](int64_t n) { return static_cast<unsigned>(n < kMaxGrid ? n : kMaxGrid); };
  const dim3 grid(blocks((cols + kTile - 1) / kTile), blocks((rows + kTile - 1) / kTile),
                  blocks(batches));
  TiledKernel<Acc><<<grid, kThreads, 0, s>>>(p, out, batches, rows, cols, depth);
}

// TFLite's requantization of problem p's sums (Acc) into Y, with multipliers made at build time
// or by a kernel into scratch memory.
template <typename Acc, typename Y, typename P>
void RunTflite(cudaStream_t s, const P& p, const QOutput& y, int64_t batches, int64_t rows,
               int64_t cols, int64_t depth) {
  const QMultiplier* q = y.multipliers;
  if (!q) {
    auto* made = static_cast<QMultiplier*>(y.scratch);
    Launch("QLinearConv multipliers", s, y.row_scale_n, MultipliersKernel, y.col_scale, y.row_scale,
           y.y_scale, made, y.row_scale_n);
    q = made;
  }
  TfliteOut<Acc, Y> out{static_cast<Y*>(y.y), static_cast<const Acc*>(y.bias), q, y.row_scale_n,
                        static_cast<const Y*>(y.y_zp)};
  Run<Acc>(s, p, out, batches, rows, cols, depth);
}

// Runs problem p (8-bit operands) with y's output functor: int32 sums, ONNX's requantization
// into 8 bits, or TFLite's (convolutions only: kTflite).
template <bool kTflite, typename P>
void RunOutput(cudaStream_t s, const P& p, const QOutput& y, int64_t batches, int64_t rows,
               int64_t cols, int64_t depth) {
  if (y.kind == QOutput::kInt32)
    return Run<int32_t>(s, p, Int32Out{static_cast<int32_t*>(y.y)}, batches, rows, cols, depth);
  if (y.kind == QOutput::kOnnx)
    return ForQuantized<false, false>("QLinear product", y.type, [&](auto ytag) {
      using Y = decltype(ytag);
      OnnxOut<Y> out{};
      out.y = static_cast<Y*>(y.y);
      out.bias = static_cast<const int32_t*>(y.bias);
      out.row_scale = y.row_scale;
      out.col_scale = y.col_scale;
      out.y_scale = y.y_scale;
      out.row_n = y.row_scale_n;
      out.col_n = y.col_scale_n;
      out.y_zp = static_cast<const Y*>(y.y_zp);
      Run<int32_t>(s, p, out, batches, rows, cols, depth);
    });
  if constexpr (kTflite)
    return ForQuantized<false, false>("QLinearConv", y.type, [&](auto ytag) {
      RunTflite<int32_t, decltype(ytag)>(s, p, y, batches, rows, cols, depth);
    });
  throw odla_rt::RtError("libodla_cuda: TFLite's rounding of a matrix product");
}

template <typename TX, typename TW>
QConvProblem<TX, TW> ConvProblem(const odla_rt::ConvShape& shape, const QOperand& x,
                                 const QOperand& w) {
  QConvProblem<TX, TW> p{};
  p.x = static_cast<const TX*>(x.data);
  p.xzp = static_cast<const TX*>(x.zp);
  p.w = static_cast<const TW*>(w.data);
  p.wzp = static_cast<const TW*>(w.zp);
  p.wzp_n = w.zp_n;
  p.c = shape.c;
  p.m = shape.m;
  p.group = shape.group;
  p.cg = shape.c / shape.group;
  p.mg = shape.m / shape.group;
  p.ksize = shape.w.KSize();
  p.in_size = shape.w.InSize();
  p.out_size = shape.w.OutSize();
  p.win = shape.w;
  return p;
}

}  // namespace

void QMatMul(cudaStream_t s, const QOperand& a, const QOperand& b, const int64_t* aoff,
             const int64_t* boff, int64_t nb, int64_t m, int64_t k, int64_t n, const QOutput& y) {
  ForQuantized<false, false>("QMatMul", a.type, [&](auto atag) {
    using TA = decltype(atag);
    ForQuantized<false, false>("QMatMul", b.type, [&](auto btag) {
      using TB = decltype(btag);
      QMatMulProblem<TA, TB> p{};
      p.a = static_cast<const TA*>(a.data);
      p.azp = static_cast<const TA*>(a.zp);
      p.b = static_cast<const TB*>(b.data);
      p.bzp = static_cast<const TB*>(b.zp);
      p.azp_n = a.zp_n;
      p.bzp_n = b.zp_n;
      p.aoff = aoff;
      p.boff = boff;
      p.m = m;
      p.k = k;
      p.n = n;
      RunOutput<false>(s, p, y, nb, m, n, k);
    });
  });
  CheckLaunch("QMatMul");
}

void QConv(cudaStream_t s, const odla_rt::ConvShape& shape, const QOperand& x, const QOperand& w,
           const QOutput& y) {
  const int64_t batches = shape.n * shape.group, rows = shape.m / shape.group;
  const int64_t cols = shape.w.OutSize(), depth = shape.c / shape.group * shape.w.KSize();
  if (x.type == ODLA_INT16) {  // TFLite's 16x8 kernels: int8 w, int64 sums, int16 y
    if (w.type != ODLA_INT8 || y.kind != QOutput::kTflite || y.type != ODLA_INT16)
      throw odla_rt::RtError(
          "libodla_cuda: an int16 QLinearConv needs int8 w, TFLite's rounding "
          "and an int16 result");
    RunTflite<int64_t, int16_t>(s, ConvProblem<int16_t, int8_t>(shape, x, w), y, batches, rows,
                                cols, depth);
    return CheckLaunch("QConv");
  }
  ForQuantized<false, false>("QConv", x.type, [&](auto xtag) {
    ForQuantized<false, false>("QConv", w.type, [&](auto wtag) {
      RunOutput<true>(s, ConvProblem<decltype(xtag), decltype(wtag)>(shape, x, w), y, batches, rows,
                      cols, depth);
    });
  });
  CheckLaunch("QConv");
}

}  // namespace odla_cuda
