// Cast and Where kernels.
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

template <typename F>
bool CastType(odla_element_type t, F&& f) {
  switch (t) {
    case ODLA_FLOAT32:
      return f(float{}), true;
    case ODLA_FLOAT64:
      return f(double{}), true;
    case ODLA_INT8:
      return f(int8_t{}), true;
    case ODLA_UINT8:
      return f(uint8_t{}), true;
    case ODLA_INT32:
      return f(int32_t{}), true;
    case ODLA_INT64:
      return f(int64_t{}), true;
    case ODLA_BOOL:
      return f(bool{}), true;
    default:
      return false;
  }
}

template <typename To, typename From>
__global__ void CastKernel(const From* x, To* y, int64_t n) {
  ODLA_CUDA_LOOP(i, n) { y[i] = CastValue<To>(x[i]); }
}

struct WhereMap {
  int rank;
  int64_t dims[kMaxDims], c[kMaxDims], x[kMaxDims], y[kMaxDims];
};

template <typename E>
__global__ void WhereKernel(const uint8_t* cond, const E* x, const E* y, E* out, WhereMap m,
                            int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    int64_t r = i, oc = 0, ox = 0, oy = 0;
    for (int d = m.rank - 1; d >= 0; --d) {
      int64_t q = r / m.dims[d], k = r - q * m.dims[d];
      oc += k * m.c[d];
      ox += k * m.x[d];
      oy += k * m.y[d];
      r = q;
    }
    out[i] = cond[oc] ? x[ox] : y[oy];
  }
}

}  // namespace

bool CastSupports(odla_element_type t) {
  return CastType(t, [](auto) {});
}

void Cast(cudaStream_t s, odla_element_type from, odla_element_type to, const void* x, void* y,
          int64_t n) {
  if (n == 0) return;
  bool ok = CastType(from, [&](auto ftag) {
    using F = decltype(ftag);
    CastType(to, [&](auto ttag) {
      using T = decltype(ttag);
      CastKernel<T, F>
          <<<GridFor(n), kBlock, 0, s>>>(static_cast<const F*>(x), static_cast<T*>(y), n);
    });
  });
  if (!ok || !CastSupports(to)) throw odla_rt::RtError("libodla_cuda: Cast of unsupported types");
  CheckLaunch("Cast");
}

void Where(cudaStream_t s, size_t es, const uint8_t* cond, const void* x, const void* y, void* out,
           const std::vector<int64_t>& dims, const std::vector<int64_t>& cs,
           const std::vector<int64_t>& xs, const std::vector<int64_t>& ys) {
  WhereMap m{};
  int64_t n = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    n *= dims[d];
    if (dims[d] == 1) continue;
    if (m.rank == kMaxDims) throw odla_rt::RtError("libodla_cuda: Where of more than 8 dims");
    m.dims[m.rank] = dims[d];
    m.c[m.rank] = cs[d];
    m.x[m.rank] = xs[d];
    m.y[m.rank] = ys[d];
    ++m.rank;
  }
  if (n == 0) return;
  BySize(es, [&](auto bits) {
    using E = typename decltype(bits)::type;
    WhereKernel<E><<<GridFor(n), kBlock, 0, s>>>(
        cond, static_cast<const E*>(x), static_cast<const E*>(y), static_cast<E*>(out), m, n);
  });
  CheckLaunch("Where");
}

}  // namespace odla_cuda
