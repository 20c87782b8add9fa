// NonZero (ref: NonZero in runtimes/kernels/nonzero.h): up to kNonZeroParts blocks each count the
// non-zero elements of their part of the input, one block turns the counts into each part's
// first position, then each block walks its part in tiles of its threads, numbering a tile's
// non-zero elements with a block-wide prefix sum, and writes their coordinates in row-major
// order.
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

struct NonZeroDims {
  int rank;
  int64_t dims[kMaxDims];
};

// The inclusive prefix sum of v over the block's threads (blockDim.x a power of 2 up to
// kBlock), in `s`; the block's total is s[blockDim.x - 1] after it.
__device__ int64_t BlockPrefix(int64_t v, int64_t* s) {
  s[threadIdx.x] = v;
  __syncthreads();
  for (unsigned off = 1; off < blockDim.x; off *= 2) {
    const int64_t add = threadIdx.x >= off ? s[threadIdx.x - off] : 0;
    __syncthreads();
    s[threadIdx.x] += add;
    __syncthreads();
  }
  return s[threadIdx.x];
}

// Block b's part of the n elements: [b * chunk, min(n, (b + 1) * chunk)).
__device__ int64_t PartEnd(int64_t lo, int64_t chunk, int64_t n) {
  return lo + chunk < n ? lo + chunk : n;
}

// The elements of E whose bits under `mask` are not all 0 (mask: the sign bit cleared for
// floats, so that -0 is zero) in each block's part, into parts[b].
template <typename E>
__global__ void CountParts(const E* x, E mask, int64_t n, int64_t chunk, int64_t* parts) {
  __shared__ int64_t s[kBlock];
  const int64_t lo = blockIdx.x * chunk, hi = PartEnd(lo, chunk, n);
  int64_t mine = 0;
  for (int64_t i = lo + threadIdx.x; i < hi; i += blockDim.x) mine += (x[i] & mask) != 0;
  BlockPrefix(mine, s);
  if (threadIdx.x == 0) parts[blockIdx.x] = s[blockDim.x - 1];
}

// One block: each of the `blocks` parts becomes the number of non-zero elements before it,
// and the total goes to *count.
__global__ void ScanParts(int64_t* parts, int64_t blocks, int64_t* count) {
  __shared__ int64_t s[kBlock];
  int64_t base = 0;
  for (int64_t tile = 0; tile < blocks; tile += blockDim.x) {
    const int64_t i = tile + threadIdx.x;
    const int64_t v = i < blocks ? parts[i] : 0;
    const int64_t inclusive = BlockPrefix(v, s);
    if (i < blocks) parts[i] = base + inclusive - v;
    base += s[blockDim.x - 1];
    __syncthreads();  // s is read before the next tile's sum
  }
  if (threadIdx.x == 0) *count = base;
}

// Each block walks its part in tiles of its threads, numbering the tile's non-zero elements
// with a prefix sum from the part's start, and writes their coordinates.
template <typename E>
__global__ void WriteParts(const E* x, E mask, int64_t n, int64_t chunk, NonZeroDims g,
                           const int64_t* parts, const int64_t* count, int64_t* y) {
  __shared__ int64_t s[kBlock];
  const int64_t total = *count, lo = blockIdx.x * chunk, hi = PartEnd(lo, chunk, n);
  int64_t base = parts[blockIdx.x];
  for (int64_t tile = lo; tile < hi; tile += blockDim.x) {
    const int64_t i = tile + threadIdx.x;
    const bool hit = i < hi && (x[i] & mask) != 0;
    const int64_t at = base + BlockPrefix(hit ? 1 : 0, s) - (hit ? 1 : 0);
    if (hit) {
      int64_t rest = i;
      for (int d = g.rank - 1; d >= 0; --d) {
        y[d * total + at] = rest % g.dims[d];
        rest /= g.dims[d];
      }
    }
    base += s[blockDim.x - 1];
    __syncthreads();  // s is read before the next tile's sum
  }
}

}  // namespace

void NonZero(cudaStream_t st, odla_element_type t, const void* x, const std::vector<int64_t>& dims,
             int64_t* y, int64_t* scratch) {
  NonZeroDims g{};
  g.rank = static_cast<int>(dims.size());
  int64_t n = 1;
  for (size_t d = 0; d < dims.size(); ++d) g.dims[d] = dims[d], n *= dims[d];
  // Parts of whole tiles, at most kNonZeroParts of them.
  const int64_t tiles = (n + kBlock - 1) / kBlock;
  const int64_t blocks = tiles < kNonZeroParts ? (tiles > 0 ? tiles : 1) : kNonZeroParts;
  const int64_t chunk = (tiles + blocks - 1) / blocks * kBlock;
  int64_t *count = scratch, *parts = scratch + 1;
  auto run = [&](auto bits, uint64_t mask) {
    using E = typename decltype(bits)::type;
    const E* xe = static_cast<const E*>(x);
    const auto m = static_cast<E>(mask);
    const auto grid = static_cast<unsigned>(blocks);
    CountParts<E><<<grid, kBlock, 0, st>>>(xe, m, n, chunk, parts);
    ScanParts<<<1, kBlock, 0, st>>>(parts, blocks, count);
    WriteParts<E><<<grid, kBlock, 0, st>>>(xe, m, n, chunk, g, parts, count, y);
  };
  switch (t) {
    case ODLA_FLOAT32:
      run(Bits<4>{}, 0x7fffffffu);
      break;
    case ODLA_FLOAT64:
      run(Bits<8>{}, 0x7fffffffffffffffull);
      break;
    case ODLA_FLOAT16:
    case ODLA_BFLOAT16:
      run(Bits<2>{}, 0x7fffu);
      break;
    default:
      BySize(odla_rt::ElementSize(t), [&](auto bits) { run(bits, ~uint64_t{0}); });
  }
  CheckLaunch("NonZero");
}

}  // namespace odla_cuda
