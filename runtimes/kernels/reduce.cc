#include "reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "../common/runtime.h"
#include "arith.h"

namespace odla_rt {
namespace {

// Each reduction: an accumulator type, its identity, how an element and another
// accumulator fold in, and the final value from the accumulator and the element count.
template <typename T>
using Wide = std::conditional_t<std::is_floating_point_v<T>, T, double>;

template <typename T>
bool IsNan(T x) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(x);
  else
    return false;
}

template <typename T>
T Lowest() {
  return std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity()
                                     : std::numeric_limits<T>::lowest();
}
template <typename T>
T Highest() {
  return std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity()
                                     : std::numeric_limits<T>::max();
}

template <typename T>
T AbsOf(T x) {
  if constexpr (std::is_unsigned_v<T>)
    return x;
  else
    return x < T(0) ? WrapSub(T(0), x) : x;
}

template <typename T>
struct SumOp {
  using Acc = T;
  static Acc Init() { return T(0); }
  static Acc Step(Acc a, T x) { return WrapAdd(a, x); }
  static Acc Merge(Acc a, Acc b) { return WrapAdd(a, b); }
  static T Final(Acc a, int64_t) { return a; }
};

template <typename T>
struct MeanOp : SumOp<T> {
  static T Final(T a, int64_t n) {
    if constexpr (std::is_floating_point_v<T>)
      return a / static_cast<T>(n);
    else
      return n ? static_cast<T>(a / static_cast<T>(n)) : T(0);
  }
};

template <typename T>
struct SumSquareOp : SumOp<T> {
  static T Step(T a, T x) { return WrapAdd(a, WrapMul(x, x)); }
};

template <typename T>
struct L1Op : SumOp<T> {
  static T Step(T a, T x) { return WrapAdd(a, AbsOf(x)); }
};

template <typename T>
struct L2Op : SumSquareOp<T> {
  static T Final(T a, int64_t) { return static_cast<T>(std::sqrt(static_cast<Wide<T>>(a))); }
};

template <typename T>
struct LogSumOp : SumOp<T> {
  static T Final(T a, int64_t) { return static_cast<T>(std::log(static_cast<Wide<T>>(a))); }
};

template <typename T>
struct ProdOp {
  using Acc = T;
  static Acc Init() { return T(1); }
  static Acc Step(Acc a, T x) { return WrapMul(a, x); }
  static Acc Merge(Acc a, Acc b) { return WrapMul(a, b); }
  static T Final(Acc a, int64_t) { return a; }
};

// Max/Min propagate NaN like numpy.
template <typename T>
struct MaxOp {
  using Acc = T;
  static Acc Init() { return Lowest<T>(); }
  static Acc Step(Acc a, T x) { return (x > a) | IsNan(x) ? x : a; }
  static Acc Merge(Acc a, Acc b) { return Step(a, b); }
  static T Final(Acc a, int64_t) { return a; }
};

template <typename T>
struct MinOp {
  using Acc = T;
  static Acc Init() { return Highest<T>(); }
  static Acc Step(Acc a, T x) { return (x < a) | IsNan(x) ? x : a; }
  static Acc Merge(Acc a, Acc b) { return Step(a, b); }
  static T Final(Acc a, int64_t) { return a; }
};

// Running log-sum-exp: max m and sum s of exp(x - m).
template <typename T>
struct LogSumExpOp {
  using W = Wide<T>;
  struct Acc {
    W m, s;
  };
  static Acc Init() { return {-std::numeric_limits<W>::infinity(), W(0)}; }
  static Acc Step(Acc a, T xt) {
    W x = static_cast<W>(xt);
    if (x > a.m) {
      a.s = a.s * std::exp(a.m - x) + W(1);
      a.m = x;
    } else if (x != -std::numeric_limits<W>::infinity()) {
      a.s += std::exp(x - a.m);
    }
    return a;
  }
  static Acc Merge(Acc a, Acc b) {
    if (b.m > a.m) std::swap(a, b);
    if (b.s != W(0)) a.s += b.s * std::exp(b.m - a.m);
    return a;
  }
  static T Final(Acc a, int64_t) { return static_cast<T>(a.m + std::log(a.s)); }
};

// Folds n contiguous elements with several independent accumulators (vectorisable).
template <typename Op, typename T>
typename Op::Acc ReduceContiguous(const T* x, int64_t n) {
  constexpr int kLanes = 8;
  typename Op::Acc a[kLanes];
  for (auto& v : a) v = Op::Init();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) a[k] = Op::Step(a[k], x[i + k]);
  for (; i < n; ++i) a[0] = Op::Step(a[0], x[i]);
  for (int k = 1; k < kLanes; ++k) a[0] = Op::Merge(a[0], a[k]);
  return a[0];
}

// Dimensions of size 1 dropped and neighbours of the same kind merged: what remains
// alternates between kept and reduced groups.
struct Groups {
  std::vector<int64_t> size;
  std::vector<bool> reduced;
};

Groups Collapse(const std::vector<int64_t>& dims, const std::vector<int64_t>& axes) {
  Groups g;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 1) continue;
    bool r = std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(i));
    if (!g.size.empty() && g.reduced.back() == r) {
      g.size.back() *= dims[i];
    } else {
      g.size.push_back(dims[i]);
      g.reduced.push_back(r);
    }
  }
  if (g.size.empty()) {
    g.size.push_back(1);
    g.reduced.push_back(false);
  }
  return g;
}

template <typename Op, typename T>
void ReduceImpl(const T* x, const std::vector<int64_t>& dims, const std::vector<int64_t>& axes,
                T* out) {
  using Acc = typename Op::Acc;
  Groups g = Collapse(dims, axes);
  const int m = static_cast<int>(g.size.size());
  int64_t kept = 1, count = 1;
  for (int i = 0; i < m; ++i) (g.reduced[i] ? count : kept) *= g.size[i];
  if (kept == 0) return;
  std::vector<Acc> acc(static_cast<size_t>(kept), Op::Init());
  if (count > 0) {
    if (m == 1 && g.reduced[0]) {  // everything into one value: partial sums per chunk
      constexpr int64_t kChunk = 1 << 15;
      int64_t chunks = (count + kChunk - 1) / kChunk;
      std::vector<Acc> part(static_cast<size_t>(chunks));
      ParallelFor(chunks, 1, [&](int64_t s, int64_t e) {
        for (int64_t c = s; c < e; ++c)
          part[c] = ReduceContiguous<Op>(x + c * kChunk, std::min(kChunk, count - c * kChunk));
      });
      for (const Acc& p : part) acc[0] = Op::Merge(acc[0], p);
    } else {
      // Input and output strides per group (output: 0 for reduced groups).
      std::vector<int64_t> is(m), os(m);
      int64_t ist = 1, ost = 1;
      for (int i = m - 1; i >= 0; --i) {
        is[i] = ist;
        os[i] = g.reduced[i] ? 0 : ost;
        ist *= g.size[i];
        if (!g.reduced[i]) ost *= g.size[i];
      }
      // Threads split the first kept group: each output belongs to one of its indices.
      int p = g.reduced[0] ? 1 : 0;
      const int outer = m - 1;
      const int64_t last = g.size[m - 1];
      const bool last_reduced = g.reduced[m - 1];
      int64_t per_index = kept * count / g.size[p];
      int64_t grain = std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(per_index, 1));
      // Splitting the contiguous last group: one wide slice per thread keeps rows long.
      if (p == outer) grain = std::max(grain, (g.size[p] + NumThreads() - 1) / NumThreads());
      ParallelFor(g.size[p], grain, [&](int64_t s, int64_t e) {
        std::vector<int64_t> lo(outer, 0), hi(g.size.begin(), g.size.begin() + outer);
        int64_t jlo = 0, jhi = last;
        if (p < outer)
          lo[p] = s, hi[p] = e;
        else
          jlo = s, jhi = e;
        std::vector<int64_t> idx = lo;
        int64_t xo = 0, oo = 0;
        for (int d = 0; d < outer; ++d) xo += lo[d] * is[d], oo += lo[d] * os[d];
        while (true) {
          if (last_reduced) {
            acc[oo] = Op::Merge(acc[oo], ReduceContiguous<Op>(x + xo, last));
          } else {
            Acc* a = acc.data() + oo;
            const T* xr = x + xo;
            for (int64_t j = jlo; j < jhi; ++j) a[j] = Op::Step(a[j], xr[j]);
          }
          int d = outer - 1;
          for (; d >= 0; --d) {
            xo += is[d], oo += os[d];
            if (++idx[d] < hi[d]) break;
            xo -= (idx[d] - lo[d]) * is[d], oo -= (idx[d] - lo[d]) * os[d];
            idx[d] = lo[d];
          }
          if (d < 0) break;
        }
      });
    }
  }
  ParallelFor(kept, 1 << 14, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) out[i] = Op::Final(acc[i], count);
  });
}

}  // namespace

template <typename T>
void Reduce(ReduceKind kind, const T* x, const std::vector<int64_t>& dims,
            const std::vector<int64_t>& axes, T* out) {
  switch (kind) {
    case ReduceKind::kSum:
      return ReduceImpl<SumOp<T>>(x, dims, axes, out);
    case ReduceKind::kMean:
      return ReduceImpl<MeanOp<T>>(x, dims, axes, out);
    case ReduceKind::kMax:
      return ReduceImpl<MaxOp<T>>(x, dims, axes, out);
    case ReduceKind::kMin:
      return ReduceImpl<MinOp<T>>(x, dims, axes, out);
    case ReduceKind::kProd:
      return ReduceImpl<ProdOp<T>>(x, dims, axes, out);
    case ReduceKind::kL1:
      return ReduceImpl<L1Op<T>>(x, dims, axes, out);
    case ReduceKind::kL2:
      return ReduceImpl<L2Op<T>>(x, dims, axes, out);
    case ReduceKind::kLogSum:
      return ReduceImpl<LogSumOp<T>>(x, dims, axes, out);
    case ReduceKind::kLogSumExp:
      return ReduceImpl<LogSumExpOp<T>>(x, dims, axes, out);
    case ReduceKind::kSumSquare:
      return ReduceImpl<SumSquareOp<T>>(x, dims, axes, out);
  }
}

#define ODLA_REDUCE_TYPE(T)                                                  \
  template void Reduce<T>(ReduceKind, const T*, const std::vector<int64_t>&, \
                          const std::vector<int64_t>&, T*);
ODLA_REDUCE_TYPE(float)
ODLA_REDUCE_TYPE(double)
ODLA_REDUCE_TYPE(int8_t)
ODLA_REDUCE_TYPE(uint8_t)
ODLA_REDUCE_TYPE(int16_t)
ODLA_REDUCE_TYPE(uint16_t)
ODLA_REDUCE_TYPE(int32_t)
ODLA_REDUCE_TYPE(uint32_t)
ODLA_REDUCE_TYPE(int64_t)
ODLA_REDUCE_TYPE(uint64_t)
#undef ODLA_REDUCE_TYPE

}  // namespace odla_rt
