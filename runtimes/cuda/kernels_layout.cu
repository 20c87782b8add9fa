// Data-movement kernels: strided copies (Transpose, Slice, Concat, Split, Expand), Pad and
// Gather. They move elements as unsigned integers of the element size.
#include "kernels_util.cuh"

namespace odla_cuda {

std::vector<int64_t> DenseStrides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size());
  int64_t st = 1;
  for (size_t d = dims.size(); d-- > 0;) {
    s[d] = st;
    st *= dims[d];
  }
  return s;
}

std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& in,
                                      const std::vector<int64_t>& out) {
  std::vector<int64_t> s(out.size(), 0), dense = DenseStrides(in);
  size_t lead = out.size() - in.size();
  for (size_t d = 0; d < in.size(); ++d) s[lead + d] = in[d] == 1 ? 0 : dense[d];
  return s;
}

StridedMap MakeMap(const std::vector<int64_t>& dims, const std::vector<int64_t>& a_strides,
                   int64_t a_base, const std::vector<int64_t>& b_strides, int64_t b_base) {
  StridedMap m;
  m.a_base = a_base;
  m.b_base = b_base;
  bool empty = false;
  for (size_t d = 0; d < dims.size(); ++d) {
    empty = empty || dims[d] == 0;
    if (dims[d] == 1) continue;
    int r = m.rank;
    // Merge with the previous kept dimension when both sides walk on contiguously.
    if (r > 0 && m.a_strides[r - 1] == a_strides[d] * dims[d] &&
        m.b_strides[r - 1] == b_strides[d] * dims[d]) {
      m.dims[r - 1] *= dims[d];
      m.a_strides[r - 1] = a_strides[d];
      m.b_strides[r - 1] = b_strides[d];
      continue;
    }
    if (r == kMaxDims) throw odla_rt::RtError("libodla_cuda: more than 8 dimensions");
    m.dims[r] = dims[d];
    m.a_strides[r] = a_strides[d];
    m.b_strides[r] = b_strides[d];
    ++m.rank;
  }
  if (empty) {  // no elements: one dimension of 0
    m.rank = 1;
    m.dims[0] = 0;
  }
  return m;
}

namespace {

template <typename E>
__global__ void StridedCopyKernel(E* dst, const E* src, StridedMap m, int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    int64_t a, b;
    MapOffsets(m, i, &a, &b);
    dst[a] = src[b];
  }
}

// One tile of TilePlan p per block (kTile x 8 threads) and batch index.
template <typename E>
__global__ void TiledCopyKernel(E* dst, const E* src, TilePlan p) {
  __shared__ E tile[kTile][kTile + 1];  // [col][row]; the pad keeps columns in other banks
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * kTile;
  const int64_t c0 = static_cast<int64_t>(blockIdx.x) * kTile;
  for (int64_t z = blockIdx.z; z < p.count; z += gridDim.z) {
    int64_t a, b;
    TileOffsets(p, z, r0, c0, &a, &b);
    for (int j = threadIdx.y; j < kTile; j += blockDim.y) {  // loads along rows
      int64_t r = r0 + threadIdx.x, c = c0 + j;
      if (r < p.rows && c < p.cols) tile[j][threadIdx.x] = src[b + threadIdx.x + j * p.b_col];
    }
    __syncthreads();
    for (int j = threadIdx.y; j < kTile; j += blockDim.y) {  // stores along columns
      int64_t r = r0 + j, c = c0 + threadIdx.x;
      if (r < p.rows && c < p.cols) dst[a + j * p.a_row + threadIdx.x] = tile[threadIdx.x][j];
    }
    __syncthreads();
  }
}

template <typename E>
__global__ void SmallCopyKernel(E* dst, const E* src, SmallMap m, uint32_t n) {
  ODLA_CUDA_LOOP32(i, n) {
    int32_t a, b;
    MapOffsets32(m, i, &a, &b);
    dst[a] = src[b];
  }
}

struct PadDims {
  int rank;
  int64_t out[kMaxDims], in_strides[kMaxDims];
  int64_t ob[kMaxDims], kept[kMaxDims], klo[kMaxDims];
};

// The input offset result element i reads, or -1 for the fill value; mode: 0 constant,
// 1 reflect, 2 edge (see Pad in kernels.h).
__host__ __device__ int64_t PadSource(const PadDims& p, int mode, int64_t i) {
  int64_t off = 0;
  for (int d = p.rank - 1; d >= 0; --d) {
    int64_t q = i / p.out[d], k = i - q * p.out[d] - p.ob[d];
    i = q;
    if (k < 0 || k >= p.kept[d]) {
      if (mode == 0) return -1;
      if (mode == 2)
        k = k < 0 ? 0 : p.kept[d] - 1;
      else
        k = k < 0 ? -k : 2 * (p.kept[d] - 1) - k;
    }
    off += (p.klo[d] + k) * p.in_strides[d];
  }
  return off;
}

template <typename E>
__global__ void PadKernel(E* dst, const E* src, PadDims p, int mode, const E* fill, E fill_bits,
                          int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    int64_t off = PadSource(p, mode, i);
    dst[i] = off >= 0 ? src[off] : fill ? *fill : fill_bits;
  }
}

// The geometry of Pad (returns the result's element count).
int64_t MakePad(const std::vector<int64_t>& in, const std::vector<int64_t>& pads, PadDims* p) {
  *p = PadDims{};
  p->rank = static_cast<int>(in.size());
  if (p->rank > kMaxDims) throw odla_rt::RtError("libodla_cuda: Pad of more than 8 dimensions");
  auto st = DenseStrides(in);
  int64_t n = 1;
  for (int d = 0; d < p->rank; ++d) {
    int64_t b = pads[d], e = pads[d + p->rank];
    p->out[d] = in[d] + b + e;
    p->kept[d] = std::max<int64_t>(0, in[d] + std::min<int64_t>(b, 0) + std::min<int64_t>(e, 0));
    p->ob[d] = std::max<int64_t>(b, 0);
    p->klo[d] = std::max<int64_t>(-b, 0);
    p->in_strides[d] = st[d];
    n *= p->out[d];
  }
  return n;
}

template <typename E, typename I>
__global__ void GatherKernel(E* dst, const E* data, int64_t dim, int64_t inner, const I* idx,
                             int64_t nidx, int* bad, int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    int64_t in = i % inner, rest = i / inner, j = rest % nidx, o = rest / nidx;
    int64_t x = static_cast<int64_t>(idx[j]);
    if (x < -dim || x >= dim) {
      *bad = 1;
      dst[i] = E(0);
      continue;
    }
    if (x < 0) x += dim;
    dst[i] = data[(o * dim + x) * inner + in];
  }
}

template <typename E, typename I>
__global__ void GatherElementsKernel(E* dst, const E* data, StridedMap m, int64_t axis_stride,
                                     int64_t dim, const I* idx, int* bad, int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    int64_t a, b;
    MapOffsets(m, i, &a, &b);
    int64_t x = static_cast<int64_t>(idx[b]);
    if (x < -dim || x >= dim) {
      *bad = 1;
      dst[i] = E(0);
      continue;
    }
    if (x < 0) x += dim;
    dst[i] = data[a + x * axis_stride];
  }
}

template <typename E>
__global__ void TriluKernel(E* dst, const E* src, int64_t rows, int64_t cols, int64_t k, bool upper,
                            int64_t n) {
  ODLA_CUDA_LOOP(e, n) {
    const int64_t j = e % cols, i = (e / cols) % rows;
    const bool keep = upper ? j - i >= k : j - i <= k;
    dst[e] = keep ? src[e] : E(0);
  }
}

}  // namespace

// In tiles where the innermost axis moves (TilePlan); else in wider elements where it can
// (WidenCopy), with 32-bit index maps where they fit.
void StridedCopy(cudaStream_t s, void* dst, const void* src, size_t es, const StridedMap& map) {
  if (map.Count() == 0) return;
  TilePlan tiles;
  if (MakeTilePlan(map, &tiles)) {
    dim3 grid(static_cast<unsigned>((tiles.cols + kTile - 1) / kTile),
              static_cast<unsigned>((tiles.rows + kTile - 1) / kTile),
              static_cast<unsigned>(std::min<int64_t>(tiles.count, 65535)));
    BySize(es, [&](auto bits) {
      using E = typename decltype(bits)::type;
      TiledCopyKernel<E>
          <<<grid, dim3(kTile, 8), 0, s>>>(static_cast<E*>(dst), static_cast<const E*>(src), tiles);
    });
    return CheckLaunch("StridedCopy");
  }
  StridedMap m = map;
  es = WidenCopy(&m, es, dst, src);
  int64_t n = m.Count();
  SmallMap small;
  const bool is_small = MakeSmallMap(m, &small);
  auto launch = [&](auto bits) {
    using E = typename decltype(bits)::type;
    auto d = static_cast<E*>(dst);
    auto x = static_cast<const E*>(src);
    if (is_small)
      SmallCopyKernel<E><<<GridFor(n), kBlock, 0, s>>>(d, x, small, static_cast<uint32_t>(n));
    else
      StridedCopyKernel<E><<<GridFor(n), kBlock, 0, s>>>(d, x, m, n);
  };
  if (es == 16)
    launch(Bits<16>{});
  else
    BySize(es, launch);
  CheckLaunch("StridedCopy");
}

void DeviceCopy(cudaStream_t s, void* dst, const void* src, size_t bytes) {
  if (bytes == 0 || dst == src) return;
  ODLA_CUDA_CALL(cudaMemcpyAsync, dst, src, bytes, cudaMemcpyDeviceToDevice, s);
}

void Pad(cudaStream_t s, void* dst, const void* src, size_t es, const std::vector<int64_t>& in,
         const std::vector<int64_t>& pads, int mode, const void* fill, uint64_t fill_bits) {
  PadDims p;
  int64_t n = MakePad(in, pads, &p);
  if (n == 0) return;
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    PadKernel<E><<<GridFor(n), kBlock, 0, s>>>(static_cast<E*>(dst), static_cast<const E*>(src), p,
                                               mode, static_cast<const E*>(fill),
                                               static_cast<E>(fill_bits), n);
  });
  CheckLaunch("Pad");
}

std::vector<int64_t> PadSources(const std::vector<int64_t>& in, const std::vector<int64_t>& pads,
                                int mode) {
  PadDims p;
  std::vector<int64_t> v(MakePad(in, pads, &p));
  for (size_t i = 0; i < v.size(); ++i) v[i] = PadSource(p, mode, static_cast<int64_t>(i));
  return v;
}

void Gather(cudaStream_t s, void* dst, const void* data, size_t es, int64_t outer, int64_t dim,
            int64_t inner, const void* idx, bool idx64, int64_t nidx, int* bad) {
  int64_t n = outer * nidx * inner;
  if (n == 0) return;
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    if (idx64)
      GatherKernel<E, int64_t>
          <<<GridFor(n), kBlock, 0, s>>>(static_cast<E*>(dst), static_cast<const E*>(data), dim,
                                         inner, static_cast<const int64_t*>(idx), nidx, bad, n);
    else
      GatherKernel<E, int32_t>
          <<<GridFor(n), kBlock, 0, s>>>(static_cast<E*>(dst), static_cast<const E*>(data), dim,
                                         inner, static_cast<const int32_t*>(idx), nidx, bad, n);
  });
  CheckLaunch("Gather");
}

void GatherElements(cudaStream_t s, void* dst, const void* data, size_t es, const StridedMap& m,
                    int64_t axis_stride, int64_t dim, const void* idx, bool idx64, int* bad) {
  int64_t n = m.Count();
  if (n == 0) return;
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    auto d = static_cast<E*>(dst);
    auto x = static_cast<const E*>(data);
    if (idx64)
      GatherElementsKernel<E, int64_t><<<GridFor(n), kBlock, 0, s>>>(
          d, x, m, axis_stride, dim, static_cast<const int64_t*>(idx), bad, n);
    else
      GatherElementsKernel<E, int32_t><<<GridFor(n), kBlock, 0, s>>>(
          d, x, m, axis_stride, dim, static_cast<const int32_t*>(idx), bad, n);
  });
  CheckLaunch("GatherElements");
}

void Trilu(cudaStream_t s, void* dst, const void* src, size_t es, int64_t matrices, int64_t rows,
           int64_t cols, int64_t k, bool upper) {
  const int64_t n = matrices * rows * cols;
  if (n == 0) return;
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    TriluKernel<E><<<GridFor(n), kBlock, 0, s>>>(static_cast<E*>(dst), static_cast<const E*>(src),
                                                 rows, cols, k, upper, n);
  });
  CheckLaunch("Trilu");
}

}  // namespace odla_cuda
