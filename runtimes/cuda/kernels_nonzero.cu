// NonZero (ref: NonZero in runtimes/kernels/nonzero.h): one block counts the non-zero elements,
// then walks the input in tiles of its threads, numbering each tile's non-zero elements with a
// block-wide prefix sum, and writes their coordinates in row-major order.
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

// Elements of E whose bits under `mask` are not all 0 (mask: the sign bit cleared for floats,
// so that -0 is zero).
template <typename E>
__global__ void NonZeroKernel(const E* x, E mask, int64_t n, NonZeroDims g, int64_t* y,
                              int64_t* count) {
  __shared__ int64_t s[kBlock];
  int64_t mine = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) mine += (x[i] & mask) != 0;
  BlockPrefix(mine, s);
  const int64_t total = s[blockDim.x - 1];
  __syncthreads();  // every thread has read the total before s is reused
  int64_t base = 0;
  for (int64_t tile = 0; tile < n; tile += blockDim.x) {
    const int64_t i = tile + threadIdx.x;
    const bool hit = i < n && (x[i] & mask) != 0;
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
  if (threadIdx.x == 0) *count = total;
}

}  // namespace

void NonZero(cudaStream_t st, odla_element_type t, const void* x, const std::vector<int64_t>& dims,
             int64_t* y, int64_t* count) {
  NonZeroDims g{};
  g.rank = static_cast<int>(dims.size());
  int64_t n = 1;
  for (size_t d = 0; d < dims.size(); ++d) g.dims[d] = dims[d], n *= dims[d];
  auto run = [&](auto bits, uint64_t mask) {
    using E = typename decltype(bits)::type;
    NonZeroKernel<E>
        <<<1, kBlock, 0, st>>>(static_cast<const E*>(x), static_cast<E>(mask), n, g, y, count);
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
