// Reduce* kernels (ref: Reduce in runtimes/kernels/reduce.cc): each result element folds the
// elements of the reduced axes; one thread per result when few elements fold into each, else
// one block per result, or several (parts folded by a second kernel) when the results are
// too few to fill the GPU. Float sums accumulate in double. ArgMax and ArgMin (ref:
// ArgExtreme) scan each column in one thread, or few long columns in a block each.
#include <algorithm>

#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

template <typename T>
using SumAcc = std::conditional_t<std::is_floating_point_v<T>, double, T>;

template <typename T>
struct SumR {
  using Acc = SumAcc<T>;
  __device__ static Acc Init() { return Acc(0); }
  __device__ static Acc Step(Acc a, T x) { return Merge(a, static_cast<Acc>(x)); }
  __device__ static Acc Merge(Acc a, Acc b) {
    return static_cast<Acc>(static_cast<Wrap<Acc>>(a) + static_cast<Wrap<Acc>>(b));
  }
  __device__ static T Final(Acc a, int64_t) { return static_cast<T>(a); }
};

template <typename T>
struct MeanR : SumR<T> {
  using Acc = SumAcc<T>;
  __device__ static T Final(Acc a, int64_t n) {
    if constexpr (std::is_floating_point_v<T>)
      return static_cast<T>(a / static_cast<double>(n));
    else
      return n ? static_cast<T>(a / static_cast<T>(n)) : T(0);
  }
};

template <typename T>
struct L2R : SumR<T> {
  using Acc = SumAcc<T>;
  __device__ static Acc Step(Acc a, T x) { return a + static_cast<Acc>(x) * x; }
  __device__ static T Final(Acc a, int64_t) { return static_cast<T>(sqrt(a)); }
};

template <typename T>
struct L1R : SumR<T> {
  using Acc = SumAcc<T>;
  __device__ static Acc Step(Acc a, T x) {
    return SumR<T>::Merge(a, static_cast<Acc>(x < T(0) ? static_cast<T>(Wrap<T>(0) - x) : x));
  }
};

template <typename T>
struct SumSquareR : SumR<T> {
  using Acc = SumAcc<T>;
  __device__ static Acc Step(Acc a, T x) {
    return SumR<T>::Merge(a, static_cast<Acc>(static_cast<Wrap<T>>(x) * static_cast<Wrap<T>>(x)));
  }
};

template <typename T>
struct LogSumR : SumR<T> {
  using Acc = SumAcc<T>;
  __device__ static T Final(Acc a, int64_t) { return static_cast<T>(log(a)); }
};

// The ref's running log-sum-exp: the largest element m and the sum s of exp(x - m), in
// double.
template <typename T>
struct LogSumExpR {
  struct Acc {
    double m, s;
  };
  __device__ static Acc Init() { return {-INFINITY, 0.0}; }
  __device__ static Acc Step(Acc a, T xt) {
    const double x = static_cast<double>(xt);
    if (x > a.m) {
      a.s = a.s * exp(a.m - x) + 1.0;
      a.m = x;
    } else if (x != -INFINITY) {
      a.s += exp(x - a.m);
    }
    return a;
  }
  __device__ static Acc Merge(Acc a, Acc b) {
    if (b.m > a.m) {
      Acc t = a;
      a = b;
      b = t;
    }
    if (b.s != 0.0) a.s += b.s * exp(b.m - a.m);
    return a;
  }
  __device__ static T Final(Acc a, int64_t) { return static_cast<T>(a.m + log(a.s)); }
};

template <typename T>
struct ProdR {
  using Acc = T;
  __device__ static Acc Init() { return T(1); }
  __device__ static Acc Step(Acc a, T x) { return Merge(a, x); }
  __device__ static Acc Merge(Acc a, Acc b) {
    return static_cast<T>(static_cast<Wrap<T>>(a) * static_cast<Wrap<T>>(b));
  }
  __device__ static T Final(Acc a, int64_t) { return a; }
};

// Max/Min propagate NaN like numpy (x != x is NaN; never for integers).
template <typename T>
struct MaxR {
  using Acc = T;
  __device__ static Acc Init() {
    return std::is_floating_point_v<T> ? -cuda::std::numeric_limits<T>::infinity()
                                       : cuda::std::numeric_limits<T>::lowest();
  }
  __device__ static Acc Step(Acc a, T x) { return (x > a) | (x != x) ? x : a; }
  __device__ static Acc Merge(Acc a, Acc b) { return Step(a, b); }
  __device__ static T Final(Acc a, int64_t) { return a; }
};
template <typename T>
struct MinR {
  using Acc = T;
  __device__ static Acc Init() {
    return std::is_floating_point_v<T> ? cuda::std::numeric_limits<T>::infinity()
                                       : cuda::std::numeric_limits<T>::max();
  }
  __device__ static Acc Step(Acc a, T x) { return (x < a) | (x != x) ? x : a; }
  __device__ static Acc Merge(Acc a, Acc b) { return Step(a, b); }
  __device__ static T Final(Acc a, int64_t) { return a; }
};

// The input offset of index j of a map's a side: no division for one dimension (a reduction
// over the innermost axes, merged into one).
__device__ inline int64_t OffsetA(const StridedMap& m, int64_t j) {
  if (m.rank == 1) return m.a_base + j * m.a_strides[0];
  int64_t o, unused;
  MapOffsets(m, j, &o, &unused);
  return o;
}

// kept.a_strides: input strides of the kept index space; red.a_strides: of the reduced one.
template <typename T, typename Op>
__global__ void ReduceThreads(const T* x, T* out, StridedMap kept, StridedMap red, int64_t nk,
                              int64_t nr) {
  ODLA_CUDA_LOOP(k, nk) {
    const int64_t base = OffsetA(kept, k);
    typename Op::Acc a = Op::Init();
    for (int64_t j = 0; j < nr; ++j) a = Op::Step(a, x[base + OffsetA(red, j)]);
    out[k] = Op::Final(a, nr);
  }
}

// Folds the block's accumulators; thread 0 gets the result.
template <typename Op>
__device__ typename Op::Acc BlockFold(typename Op::Acc a) {
  __shared__ typename Op::Acc part[kBlock];
  part[threadIdx.x] = a;
  __syncthreads();
  for (int w = kBlock / 2; w > 0; w /= 2) {
    if (threadIdx.x < w) part[threadIdx.x] = Op::Merge(part[threadIdx.x], part[threadIdx.x + w]);
    __syncthreads();
  }
  a = part[0];
  __syncthreads();  // part may be reused by the next call
  return a;
}

// Block b folds part b % parts of result b / parts: reduced indices [p * chunk, (p + 1) *
// chunk). With parts == 1, each block folds whole results and writes them; else it writes
// its accumulator to acc[b], which FinishParts folds.
template <typename T, typename Op>
__global__ void ReduceBlocks(const T* x, T* out, typename Op::Acc* acc, StridedMap kept,
                             StridedMap red, int64_t nk, int64_t nr, int64_t parts) {
  const int64_t chunk = (nr + parts - 1) / parts;
  for (int64_t b = blockIdx.x; b < nk * parts; b += gridDim.x) {
    const int64_t k = b / parts, begin = (b % parts) * chunk;
    const int64_t end = begin + chunk < nr ? begin + chunk : nr;
    const int64_t base = OffsetA(kept, k);
    typename Op::Acc a = Op::Init();
    for (int64_t j = begin + threadIdx.x; j < end; j += blockDim.x)
      a = Op::Step(a, x[base + OffsetA(red, j)]);
    a = BlockFold<Op>(a);
    if (threadIdx.x == 0) {
      if (parts == 1)
        out[k] = Op::Final(a, nr);
      else
        acc[b] = a;
    }
  }
}

template <typename T, typename Op>
__global__ void FinishParts(const typename Op::Acc* acc, T* out, int64_t nk, int64_t nr,
                            int64_t parts) {
  ODLA_CUDA_LOOP(k, nk) {
    typename Op::Acc a = acc[k * parts];
    for (int64_t p = 1; p < parts; ++p) a = Op::Merge(a, acc[k * parts + p]);
    out[k] = Op::Final(a, nr);
  }
}

// Blocks enough to fill the GPU, and the fewest reduced elements one part of a result gets.
constexpr int64_t kReduceBlocks = 1024, kMinPart = 16384;

template <typename T, template <typename> class Op>
void LaunchReduce(cudaStream_t s, const T* x, T* out, void* scratch, const StridedMap& kept,
                  const StridedMap& red) {
  using Acc = typename Op<T>::Acc;
  static_assert(sizeof(Acc) * kReduceBlocks <= kReduceScratch, "scratch");
  int64_t nk = kept.Count(), nr = red.Count();
  if (nr <= 64)
    return ReduceThreads<T, Op<T>><<<GridFor(nk), kBlock, 0, s>>>(x, out, kept, red, nk, nr);
  // Few results of many elements each are split into parts (one block each), folded after.
  const int64_t parts =
      std::max<int64_t>(1, std::min((nr + kMinPart - 1) / kMinPart, kReduceBlocks / nk));
  const auto blocks = static_cast<unsigned>(std::min<int64_t>(nk * parts, 65535));
  auto acc = static_cast<Acc*>(scratch);
  ReduceBlocks<T, Op<T>><<<blocks, kBlock, 0, s>>>(x, out, acc, kept, red, nk, nr, parts);
  if (parts > 1) FinishParts<T, Op<T>><<<GridFor(nk), kBlock, 0, s>>>(acc, out, nk, nr, parts);
}

// One thread per column (o, j), scanning the n rows in order as the ref does.
template <typename T>
__global__ void ArgExtremeKernel(bool is_max, bool last, const T* x, int64_t* y, int64_t n,
                                 int64_t inner, int64_t columns) {
  ODLA_CUDA_LOOP(c, columns) {
    int64_t o = c / inner, j = c - o * inner;
    const T* xc = x + o * n * inner + j;
    T best = xc[0];
    int64_t arg = 0;
    for (int64_t r = 1; r < n; ++r) {
      T v = xc[r * inner];
      if (is_max ? (last ? v >= best : v > best) : (last ? v <= best : v < best)) best = v, arg = r;
    }
    y[c] = arg;
  }
}

// The extreme one thread of ArgBlocks has found among its elements (valid: it has seen a
// value that is not NaN), and the merge of two: the better value, on a tie the lower index
// (or, with `last`, the higher).
template <typename T>
struct Extreme {
  T value;
  int64_t index;
  bool valid;
};

template <typename T>
__device__ Extreme<T> Better(bool is_max, bool last, Extreme<T> a, Extreme<T> b) {
  if (!b.valid) return a;
  if (!a.valid) return b;
  if (a.value == b.value) return (last ? b.index > a.index : b.index < a.index) ? b : a;
  return (is_max ? b.value > a.value : b.value < a.value) ? b : a;
}

// ArgExtremeKernel for few long columns: one block per column. Each thread scans rows
// threadIdx.x, + blockDim.x, ... with the sequential rule, the block merges, and a NaN in
// row 0 (which the sequential scan never replaces) gives 0.
template <typename T>
__global__ void ArgBlocks(bool is_max, bool last, const T* x, int64_t* y, int64_t n, int64_t inner,
                          int64_t columns) {
  __shared__ Extreme<T> part[kBlock];
  for (int64_t c = blockIdx.x; c < columns; c += gridDim.x) {
    const int64_t o = c / inner, j = c - o * inner;
    const T* xc = x + o * n * inner + j;
    Extreme<T> e{T(0), 0, false};
    for (int64_t r = threadIdx.x; r < n; r += blockDim.x) {
      T v = xc[r * inner];
      if (v != v) continue;  // NaN
      if (!e.valid ||
          (is_max ? (last ? v >= e.value : v > e.value) : (last ? v <= e.value : v < e.value)))
        e = {v, r, true};
    }
    part[threadIdx.x] = e;
    __syncthreads();
    for (int w = kBlock / 2; w > 0; w /= 2) {
      if (threadIdx.x < w)
        part[threadIdx.x] = Better(is_max, last, part[threadIdx.x], part[threadIdx.x + w]);
      __syncthreads();
    }
    if (threadIdx.x == 0) y[c] = (xc[0] != xc[0] || !part[0].valid) ? 0 : part[0].index;
    __syncthreads();
  }
}

}  // namespace

void ArgExtreme(cudaStream_t s, bool is_max, bool last, odla_element_type t, const void* x,
                int64_t* y, int64_t outer, int64_t n, int64_t inner) {
  int64_t columns = outer * inner;
  if (n == 0 || columns == 0) return;
  auto run = [&](auto tag) {
    using T = decltype(tag);
    auto px = static_cast<const T*>(x);
    // Few columns of many rows (a classifier's ArgMax at batch 1): a block per column.
    if (columns <= 256 && n >= 512)
      ArgBlocks<T><<<static_cast<unsigned>(columns), kBlock, 0, s>>>(is_max, last, px, y, n, inner,
                                                                     columns);
    else
      ArgExtremeKernel<T>
          <<<GridFor(columns), kBlock, 0, s>>>(is_max, last, px, y, n, inner, columns);
  };
  if (!ByNumber(t, run))
    throw odla_rt::RtError("libodla_cuda: ArgMax/ArgMin of an unsupported type");
  CheckLaunch("ArgExtreme");
}

bool ReduceSupports(Reduce kind, odla_element_type t) {
  return t == ODLA_FLOAT32 || ((t == ODLA_INT32 || t == ODLA_INT64) && kind != Reduce::kL2 &&
                               kind != Reduce::kLogSum && kind != Reduce::kLogSumExp);
}

void ReduceOp(cudaStream_t s, Reduce kind, odla_element_type t, const void* x,
              const std::vector<int64_t>& dims, const std::vector<int64_t>& axes, void* out,
              void* scratch) {
  if (!ReduceSupports(kind, t)) throw odla_rt::RtError("libodla_cuda: Reduce of unsupported type");
  auto st = DenseStrides(dims);
  std::vector<int64_t> kd, ks, rd, rs;
  for (size_t d = 0; d < dims.size(); ++d) {
    bool r = std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(d));
    (r ? rd : kd).push_back(dims[d]);
    (r ? rs : ks).push_back(st[d]);
  }
  StridedMap kept = MakeMap(kd, ks, 0, ks, 0), red = MakeMap(rd, rs, 0, rs, 0);
  if (kept.Count() == 0) return;
  auto run = [&](auto tag) {
    using T = decltype(tag);
    auto px = static_cast<const T*>(x);
    auto po = static_cast<T*>(out);
    switch (kind) {
      case Reduce::kSum:
        return LaunchReduce<T, SumR>(s, px, po, scratch, kept, red);
      case Reduce::kMean:
        return LaunchReduce<T, MeanR>(s, px, po, scratch, kept, red);
      case Reduce::kMax:
        return LaunchReduce<T, MaxR>(s, px, po, scratch, kept, red);
      case Reduce::kMin:
        return LaunchReduce<T, MinR>(s, px, po, scratch, kept, red);
      case Reduce::kProd:
        return LaunchReduce<T, ProdR>(s, px, po, scratch, kept, red);
      case Reduce::kL1:
        return LaunchReduce<T, L1R>(s, px, po, scratch, kept, red);
      case Reduce::kSumSquare:
        return LaunchReduce<T, SumSquareR>(s, px, po, scratch, kept, red);
      case Reduce::kLogSumExp:
        if constexpr (std::is_floating_point_v<T>)
          return LaunchReduce<T, LogSumExpR>(s, px, po, scratch, kept, red);
        break;
      case Reduce::kLogSum:
        if constexpr (std::is_floating_point_v<T>)
          return LaunchReduce<T, LogSumR>(s, px, po, scratch, kept, red);
        break;
      case Reduce::kL2:
        if constexpr (std::is_floating_point_v<T>)
          return LaunchReduce<T, L2R>(s, px, po, scratch, kept, red);
        break;
    }
  };
  ByNumber(t, run);  // ReduceSupports checked the type
  CheckLaunch("Reduce");
}

}  // namespace odla_cuda
