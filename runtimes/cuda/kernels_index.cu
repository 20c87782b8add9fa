// GatherND, ScatterElements, ScatterND, Einsum's gathers, ReverseSequence, OneHot and TopK
// kernels (ref: TupleOffsets, GatherNDCopy, ScatterElements and ScatterND in
// runtimes/kernels/gather.{h,cc}, Gather in runtimes/kernels/einsum.cc, odla_ReverseSequence
// in runtimes/ref/tensor_layout.cc, OneHotFill in runtimes/kernels/fill.cc, TopK in
// runtimes/kernels/topk.h).
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

// The tuple's offset in the data (components below nd.dims), or -1 for an index out of range.
__device__ int64_t TupleOffset(const int64_t* tuple, const NdIndex& nd) {
  int64_t off = 0;
  for (int c = 0; c < nd.k; ++c) {
    const int64_t x = tuple[c], bound = nd.dims[c];
    if (x < -bound || x >= bound) return -1;
    off += (x < 0 ? x + bound : x) * nd.strides[c];
  }
  return off;
}

template <typename E>
__global__ void GatherNDKernel(E* dst, const E* data, const int64_t* idx, NdIndex nd,
                               int64_t per_batch, int64_t batch_elems, int64_t block, int* bad,
                               int64_t n) {
  ODLA_CUDA_LOOP(e, n) {
    const int64_t t = e / block, j = e - t * block;
    const int64_t off = TupleOffset(idx + t * nd.k, nd);
    if (off < 0) {
      *bad = 1;
      dst[e] = E(0);
      continue;
    }
    dst[e] = data[t / per_batch * batch_elems + off + j];
  }
}

// ReduceInto of the ref (runtimes/kernels/gather.h), with std::max and std::min's choices.
template <typename T>
__device__ void ReduceInto(int r, T* a, T b) {
  if constexpr (std::is_arithmetic_v<T>) {
    if (r == 1) return void(*a = WAdd(*a, b));  // integers wrap
    if (r == 2) return void(*a = WMul(*a, b));
    if (r == 3) return void(*a = *a < b ? b : *a);
    if (r == 4) return void(*a = b < *a ? b : *a);
  }
  *a = b;
}

// One thread per index position off the axis: its updates along the axis, in order.
template <typename T, typename I>
__global__ void ScatterElementsKernel(T* out, const T* upd, const I* idx, ScatterGeom g,
                                      int reduction, int* bad, int64_t columns) {
  ODLA_CUDA_LOOP(c, columns) {
    int64_t rem = c, base_data = 0, base_idx = 0;
    for (int d = g.rank - 1; d >= 0; --d) {
      if (d == g.axis) continue;
      const int64_t coord = rem % g.idx_dims[d];
      rem /= g.idx_dims[d];
      base_data += coord * g.data_strides[d];
      base_idx += coord * g.idx_strides[d];
    }
    for (int64_t a = 0; a < g.idx_dims[g.axis]; ++a) {
      const int64_t p = base_idx + a * g.idx_strides[g.axis];
      int64_t x = static_cast<int64_t>(idx[p]);
      if (x < -g.bound || x >= g.bound) {
        *bad = 1;
        continue;
      }
      if (x < 0) x += g.bound;
      ReduceInto(reduction, out + base_data + x * g.data_strides[g.axis], upd[p]);
    }
  }
}

// One thread per element of a slice: that element of every tuple's slice, in tuple order.
template <typename T>
__global__ void ScatterNDKernel(T* out, const T* upd, const int64_t* idx, NdIndex nd,
                                int64_t tuples, int64_t block, int reduction, int* bad) {
  ODLA_CUDA_LOOP(j, block) {
    for (int64_t t = 0; t < tuples; ++t) {
      const int64_t off = TupleOffset(idx + t * nd.k, nd);
      if (off < 0) {
        *bad = 1;
        continue;
      }
      ReduceInto(reduction, out + off + j, upd[t * block + j]);
    }
  }
}

// Number types for reductions, element sizes for plain stores.
template <typename F>
void ByScatterType(odla_element_type t, int reduction, F&& f) {
  if (reduction != 0) {
    ByNumber(t, f);
    return;
  }
  BySize(odla_rt::ElementSize(t), [&](auto bits) { f(typename decltype(bits)::type{}); });
}

__global__ void EinsumGatherKernel(const float* src, float* out, StridedMap kept, StridedMap summed,
                                   int64_t inner, int64_t n) {
  ODLA_CUDA_LOOP(o, n) {
    int64_t base, unused, off;
    MapOffsets(kept, o, &base, &unused);
    float acc = 0.f;
    for (int64_t q = 0; q < inner; ++q) {
      MapOffsets(summed, q, &off, &unused);
      acc = acc + src[base + off];
    }
    out[o] = acc;
  }
}

template <typename E>
__global__ void ReverseSequenceKernel(E* dst, const E* src, int64_t batch, int64_t stride_b,
                                      int64_t time, int64_t stride_t, const int64_t* lens, int* bad,
                                      int64_t n) {
  ODLA_CUDA_LOOP(e, n) {
    const int64_t b = e / stride_b % batch, t = e / stride_t % time, len = lens[b];
    int64_t from = e;
    if (len < 0 || len > time)
      *bad = 1;
    else if (t < len)
      from = e + (len - 1 - 2 * t) * stride_t;
    dst[e] = src[from];
  }
}

template <typename E, typename I>
__global__ void OneHotKernel(E* dst, const I* idx, const E* values, int64_t depth, int64_t inner,
                             int64_t n) {
  ODLA_CUDA_LOOP(e, n) {
    const int64_t i = e % inner, d = e / inner % depth, o = e / inner / depth;
    int64_t x = static_cast<int64_t>(idx[o * inner + i]);
    if (x < 0) x += depth;
    dst[e] = values[x == d ? 1 : 0];
  }
}

// Whether (av, ai) comes before (bv, bi) in TopK's order.
template <typename T>
__device__ bool Before(bool largest, T av, int64_t ai, T bv, int64_t bi) {
  if constexpr (std::is_floating_point_v<T>) {
    const bool na = isnan(av), nb = isnan(bv);
    if (na || nb) return na != nb ? (largest ? na : nb) : ai < bi;
  }
  if (av != bv) return largest ? av > bv : av < bv;
  return ai < bi;
}

// One block (kBlock threads, a power of 2) per row: pick j is the first element in TopK's
// order of those after pick j - 1 (the order is total), found by a block reduction.
template <typename T>
__global__ void TopKRows(const T* x, T* values, int64_t* indices, int64_t rows, int64_t len,
                         int64_t inner, int64_t k, bool largest) {
  __shared__ T sv[kBlock];
  __shared__ int64_t si[kBlock];
  const int tid = threadIdx.x;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const int64_t o = r / inner, in = r % inner;
    const T* xr = x + o * len * inner + in;
    T pv{};
    int64_t pi = -1;
    for (int64_t j = 0; j < k; ++j) {
      T bv{};
      int64_t bi = -1;
      for (int64_t t = tid; t < len; t += blockDim.x) {
        const T v = xr[t * inner];
        if (pi >= 0 && !Before(largest, pv, pi, v, t)) continue;
        if (bi < 0 || Before(largest, v, t, bv, bi)) bv = v, bi = t;
      }
      sv[tid] = bv;
      si[tid] = bi;
      __syncthreads();
      for (int w = blockDim.x / 2; w > 0; w /= 2) {
        if (tid < w) {
          const int64_t oi = si[tid + w];
          if (oi >= 0 && (si[tid] < 0 || Before(largest, sv[tid + w], oi, sv[tid], si[tid]))) {
            sv[tid] = sv[tid + w];
            si[tid] = oi;
          }
        }
        __syncthreads();
      }
      pv = sv[0];
      pi = si[0];
      __syncthreads();  // sv and si are written again in the next round
      if (tid == 0) {
        values[(o * k + j) * inner + in] = pv;
        indices[(o * k + j) * inner + in] = pi;
      }
    }
  }
}

}  // namespace

void GatherND(cudaStream_t s, void* dst, const void* data, size_t es, const int64_t* idx,
              const NdIndex& nd, int64_t tuples, int64_t per_batch, int64_t batch_elems,
              int64_t block, int* bad) {
  const int64_t n = tuples * block;
  if (n == 0) return;
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    GatherNDKernel<E><<<GridFor(n), kBlock, 0, s>>>(static_cast<E*>(dst),
                                                    static_cast<const E*>(data), idx, nd, per_batch,
                                                    batch_elems, block, bad, n);
  });
  CheckLaunch("GatherND");
}

void ScatterElements(cudaStream_t s, odla_element_type t, void* dst, const void* data,
                     int64_t total, const void* updates, const void* idx, bool idx64,
                     const ScatterGeom& g, int reduction, int* bad) {
  DeviceCopy(s, dst, data, total * odla_rt::ElementSize(t));
  int64_t columns = 1;
  for (int d = 0; d < g.rank; ++d)
    if (d != g.axis) columns *= g.idx_dims[d];
  if (columns == 0 || g.idx_dims[g.axis] == 0) return;
  ByScatterType(t, reduction, [&](auto tag) {
    using T = decltype(tag);
    auto out = static_cast<T*>(dst);
    auto upd = static_cast<const T*>(updates);
    if (idx64)
      ScatterElementsKernel<T, int64_t><<<GridFor(columns), kBlock, 0, s>>>(
          out, upd, static_cast<const int64_t*>(idx), g, reduction, bad, columns);
    else
      ScatterElementsKernel<T, int32_t><<<GridFor(columns), kBlock, 0, s>>>(
          out, upd, static_cast<const int32_t*>(idx), g, reduction, bad, columns);
  });
  CheckLaunch("ScatterElements");
}

void ScatterND(cudaStream_t s, odla_element_type t, void* dst, const void* data, int64_t total,
               const void* updates, const int64_t* idx, const NdIndex& nd, int64_t tuples,
               int64_t block, int reduction, int* bad) {
  DeviceCopy(s, dst, data, total * odla_rt::ElementSize(t));
  if (tuples == 0 || block == 0) return;
  ByScatterType(t, reduction, [&](auto tag) {
    using T = decltype(tag);
    ScatterNDKernel<T><<<GridFor(block), kBlock, 0, s>>>(static_cast<T*>(dst),
                                                         static_cast<const T*>(updates), idx, nd,
                                                         tuples, block, reduction, bad);
  });
  CheckLaunch("ScatterND");
}

void EinsumGather(cudaStream_t s, const float* src, float* out, const StridedMap& kept,
                  const StridedMap& summed) {
  const int64_t n = kept.Count();
  Launch("EinsumGather", s, n, EinsumGatherKernel, src, out, kept, summed, summed.Count(), n);
}

void ReverseSequence(cudaStream_t s, void* dst, const void* src, size_t es, int64_t n,
                     int64_t batch, int64_t stride_b, int64_t time, int64_t stride_t,
                     const int64_t* lens, int* bad) {
  if (n == 0) return;
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    ReverseSequenceKernel<E><<<GridFor(n), kBlock, 0, s>>>(static_cast<E*>(dst),
                                                           static_cast<const E*>(src), batch,
                                                           stride_b, time, stride_t, lens, bad, n);
  });
  CheckLaunch("ReverseSequence");
}

void OneHot(cudaStream_t s, void* dst, size_t es, const void* idx, odla_element_type it,
            const void* values, int64_t outer, int64_t depth, int64_t inner) {
  const int64_t n = outer * depth * inner;
  if (n == 0) return;
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    ByNumber(it, [&](auto tag) {
      using I = decltype(tag);
      OneHotKernel<E, I>
          <<<GridFor(n), kBlock, 0, s>>>(static_cast<E*>(dst), static_cast<const I*>(idx),
                                         static_cast<const E*>(values), depth, inner, n);
    });
  });
  CheckLaunch("OneHot");
}

void TopK(cudaStream_t s, odla_element_type t, const void* x, void* values, int64_t* indices,
          int64_t outer, int64_t len, int64_t inner, int64_t k, bool largest) {
  const int64_t rows = outer * inner;
  if (rows == 0 || k == 0) return;
  const unsigned blocks = static_cast<unsigned>(rows < 65535 ? rows : 65535);
  ByNumber(t, [&](auto tag) {
    using T = decltype(tag);
    TopKRows<T><<<blocks, kBlock, 0, s>>>(static_cast<const T*>(x), static_cast<T*>(values),
                                          indices, rows, len, inner, k, largest);
  });
  CheckLaunch("TopK");
}

}  // namespace odla_cuda
