// The float32 GEMM: C is cut into tiles (mc rows x nc columns), one task each, run on the
// thread pool. A task walks K in blocks of kKC: it packs its A block into MR-row panels and
// its B block into NR-column panels, then a register-blocked MR x NR micro-kernel (GCC vector
// extensions, so the compiler emits SIMD code) multiplies each panel pair. The task function
// is compiled once per instruction set and picked at run time from the CPU's features
// (ODLA_GEMM_ISA=generic|avx2|avx512 forces one).
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#define GEMM_INLINE inline __attribute__((always_inline))

namespace odla_rt {

void GemmBMatrix::Pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr, float* dst) const {
  for (int64_t jp = 0; jp < nc; jp += nr) {
    int64_t cols = std::min<int64_t>(nr, nc - jp);
    float* d = dst + jp * kc;
    if (!trans_) {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = b_ + (k0 + p) * ldb_ + j0 + jp;
        float* dp = d + p * nr;
        for (int64_t q = 0; q < cols; ++q) dp[q] = src[q];
        for (int64_t q = cols; q < nr; ++q) dp[q] = 0;
      }
    } else {
      for (int64_t q = 0; q < cols; ++q) {
        const float* src = b_ + (j0 + jp + q) * ldb_ + k0;
        for (int64_t p = 0; p < kc; ++p) d[p * nr + q] = src[p];
      }
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t q = cols; q < nr; ++q) d[p * nr + q] = 0;
    }
  }
}

namespace {

constexpr int64_t kKC = 256;
constexpr int64_t kWholeMax = int64_t{1} << 22;  // 16 MiB of floats

typedef float V4 __attribute__((vector_size(16)));
typedef float V8 __attribute__((vector_size(32)));
typedef float V16 __attribute__((vector_size(64)));

struct Job {
  bool trans_a;
  int64_t m, n, k;
  float alpha, beta;
  const float* a;
  int64_t lda;
  const GemmB* b;
  float* c;
  int64_t ldc;
  int64_t mc, nc, ntiles;
  const Epilogue<float>* ep;  // null: none
  // A or B packed whole, in panels as long as K (GemmPacked's layout: at build time, or once
  // per call when several tasks would each pack it), or null: each task packs its blocks.
  const float* pa;
  const float* pb;
  bool direct;  // full tiles go straight to C (MicroC)
};

// What MicroC does to a full tile of C besides storing the product: add C's contents, a
// bias (row or column), a sum, and Relu or Clip, the same operations in the same order as
// Update and the epilogue's AddBias and Post.
struct Direct {
  bool accumulate = false;
  const float* row_bias = nullptr;  // at the tile's first row
  const float* col_bias = nullptr;  // at the tile's first column
  const float* sum = nullptr;       // at the tile's first element
  int64_t ld_sum = 0;
  bool relu = false;
  bool clip = false;  // to [lo, hi], as Activate's Clip
  float lo = 0, hi = 0;
};

// A 64-byte aligned per-thread buffer of at least n floats (slots 0 and 1: a task's blocks of
// A and B; 2 and 3: A or B packed whole by the caller).
float* Scratch(int slot, size_t n) {
  thread_local std::vector<float> bufs[4];
  std::vector<float>& v = bufs[slot];
  if (v.size() < n + 16) v.resize(n + 16);
  auto p = reinterpret_cast<uintptr_t>(v.data());
  return reinterpret_cast<float*>((p + 63) & ~uintptr_t{63});
}

// Packs op(A) rows [i0, i0 + mc), columns [p0, p0 + kc) into MR-row panels.
template <int MR>
GEMM_INLINE void PackA(const Job& j, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* dst) {
  for (int64_t ip = 0; ip < mc; ip += MR) {
    int64_t rows = std::min<int64_t>(MR, mc - ip);
    float* d = dst + ip * kc;
    if (!j.trans_a) {
      for (int64_t r = 0; r < rows; ++r) {
        const float* src = j.a + (i0 + ip + r) * j.lda + p0;
        for (int64_t p = 0; p < kc; ++p) d[p * MR + r] = src[p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = j.a + (p0 + p) * j.lda + i0 + ip;
        for (int64_t r = 0; r < rows; ++r) d[p * MR + r] = src[r];
      }
    }
    for (int64_t r = rows; r < MR; ++r)
      for (int64_t p = 0; p < kc; ++p) d[p * MR + r] = 0;
  }
}

// c0, c1 (MR rows of 2W columns, W = lanes of V) = A panel (kc x MR) times B panel (kc x 2W).
template <typename V, int MR>
GEMM_INLINE void Accumulate(int64_t kc, const float* __restrict ap, const float* __restrict bp,
                            V (&c0)[MR], V (&c1)[MR]) {
  constexpr int W = sizeof(V) / sizeof(float);
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = V{};
  for (int64_t p = 0; p < kc; ++p) {
    V b0 = *reinterpret_cast<const V*>(bp);
    V b1 = *reinterpret_cast<const V*>(bp + W);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      float av = ap[i];
      c0[i] += av * b0;
      c1[i] += av * b1;
    }
    ap += MR;
    bp += 2 * W;
  }
}

// out[MR x 2W] = A panel (kc x MR) times B panel (kc x 2W).
template <typename V, int MR>
GEMM_INLINE void Micro(int64_t kc, const float* __restrict ap, const float* __restrict bp,
                       float* __restrict out) {
  constexpr int W = sizeof(V) / sizeof(float);
  V c0[MR], c1[MR];
  Accumulate<V, MR>(kc, ap, bp, c0, c1);
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    *reinterpret_cast<V*>(out + i * 2 * W) = c0[i];
    *reinterpret_cast<V*>(out + i * 2 * W + W) = c1[i];
  }
}

// v0 += p[0, W), v1 += p[W, 2W) (unaligned; by reference: vectors passed by value would
// depend on the instruction set in the ABI).
template <typename V>
GEMM_INLINE void AddU(V& v0, V& v1, const float* p) {
  V t0, t1;
  __builtin_memcpy(&t0, p, sizeof(V));
  __builtin_memcpy(&t1, p + sizeof(V) / sizeof(float), sizeof(V));
  v0 += t0;
  v1 += t1;
}

// A full MR x 2W tile of C (row stride ldc) = A panel times B panel, then `d` (alpha 1).
template <typename V, int MR>
GEMM_INLINE void MicroC(int64_t kc, const float* __restrict ap, const float* __restrict bp,
                        float* __restrict c, int64_t ldc, const Direct& d) {
  constexpr int W = sizeof(V) / sizeof(float);
  V c0[MR], c1[MR];
  Accumulate<V, MR>(kc, ap, bp, c0, c1);
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    float* cr = c + i * ldc;
    V v0 = c0[i], v1 = c1[i];
    if (d.accumulate) AddU(v0, v1, cr);  // C + product: the same sum as product + C
    if (d.row_bias) {
      v0 += d.row_bias[i];
      v1 += d.row_bias[i];
    } else if (d.col_bias) {
      AddU(v0, v1, d.col_bias);
    }
    if (d.sum) AddU(v0, v1, d.sum + i * d.ld_sum);
    if (d.relu) {
      v0 = v0 > 0 ? v0 : V{};
      v1 = v1 > 0 ? v1 : V{};
    } else if (d.clip) {
      v0 = v0 < d.lo ? d.lo : v0;
      v1 = v1 < d.lo ? d.lo : v1;
      v0 = v0 > d.hi ? d.hi : v0;
      v1 = v1 > d.hi ? d.hi : v1;
    }
    __builtin_memcpy(cr, &v0, sizeof(V));
    __builtin_memcpy(cr + W, &v1, sizeof(V));
  }
}

// C tile (rows x cols) = alpha * tile (+ beta * C and the epilogue's bias on the first K
// block, + C afterwards); the epilogue's sum and activation follow the last K block.
template <int NR>
GEMM_INLINE void Update(const Job& j, const float* tile, int64_t i, int64_t jj, int64_t rows,
                        int64_t cols, bool first, bool last) {
  float alpha = j.alpha, beta = j.beta;
  for (int64_t r = 0; r < rows; ++r) {
    float* c = j.c + (i + r) * j.ldc + jj;
    const float* t = tile + r * NR;
    if (!first || beta == 1.0f) {
      for (int64_t q = 0; q < cols; ++q) c[q] += alpha * t[q];
    } else if (beta == 0.0f) {
      for (int64_t q = 0; q < cols; ++q) c[q] = alpha * t[q];
    } else {
      for (int64_t q = 0; q < cols; ++q) c[q] = alpha * t[q] + beta * c[q];
    }
  }
  if (!j.ep) return;
  float* c = j.c + i * j.ldc + jj;
  if (first && j.ep->HasBias()) j.ep->AddBias(c, j.ldc, i, jj, rows, cols);
  if (last && j.ep->HasPost()) j.ep->Post(c, j.ldc, i, jj, rows, cols);
}

template <typename V, int MR>
GEMM_INLINE void RunTask(const Job& j, int64_t task) {
  constexpr int NR = 2 * sizeof(V) / sizeof(float);
  int64_t i0 = task / j.ntiles * j.mc, j0 = task % j.ntiles * j.nc;
  int64_t mlen = std::min(j.mc, j.m - i0), nlen = std::min(j.nc, j.n - j0);
  int64_t kmax = std::min(kKC, j.k);
  float* ap = j.pa ? nullptr : Scratch(0, static_cast<size_t>((mlen + MR - 1) / MR * MR * kmax));
  float* bp = j.pb ? nullptr : Scratch(1, static_cast<size_t>((nlen + NR - 1) / NR * NR * kmax));
  alignas(64) float tile[MR * NR];
  for (int64_t p0 = 0; p0 < j.k; p0 += kKC) {
    int64_t kc = std::min(kKC, j.k - p0);
    if (!j.pa) PackA<MR>(j, i0, mlen, p0, kc, ap);
    if (!j.pb) j.b->Pack(p0, kc, j0, nlen, NR, bp);
    for (int64_t jr = 0; jr < nlen; jr += NR) {
      const float* bpanel = j.pb ? j.pb + (j0 + jr) * j.k + p0 * NR : bp + jr * kc;
      int64_t cols = std::min<int64_t>(NR, nlen - jr);
      for (int64_t ir = 0; ir < mlen; ir += MR) {
        const float* apanel = j.pa ? j.pa + (i0 + ir) * j.k + p0 * MR : ap + ir * kc;
        const int64_t rows = std::min<int64_t>(MR, mlen - ir), gi = i0 + ir, gj = j0 + jr;
        const bool first = p0 == 0, last = p0 + kc >= j.k;
        if (j.direct && rows == MR && cols == NR) {
          Direct d;
          d.accumulate = !first || j.beta == 1.0f;
          if (j.ep && first) {
            if (j.ep->row_bias) d.row_bias = j.ep->row_bias + gi;
            if (j.ep->col_bias) d.col_bias = j.ep->col_bias + gj;
          }
          if (j.ep && last) {
            if (j.ep->sum) d.sum = j.ep->sum + gi * j.ep->ld_sum + gj;
            d.ld_sum = j.ep->ld_sum;
            d.relu = j.ep->act.kind == ActKind::kRelu;
            d.clip = j.ep->act.kind == ActKind::kClip;
            d.lo = j.ep->act.alpha;
            d.hi = j.ep->act.beta;
          }
          MicroC<V, MR>(kc, apanel, bpanel, j.c + gi * j.ldc + gj, j.ldc, d);
          continue;
        }
        Micro<V, MR>(kc, apanel, bpanel, tile);
        Update<NR>(j, tile, gi, gj, rows, cols, first, last);
      }
    }
  }
}

using TaskFn = void (*)(const Job&, int64_t);

void TaskGeneric(const Job& j, int64_t t) { RunTask<V4, 6>(j, t); }

struct Isa {
  TaskFn fn;
  int mr, nr;
};

#ifdef ODLA_KERNEL_ISAS
__attribute__((target("avx2,fma"))) void TaskAvx2(const Job& j, int64_t t) { RunTask<V8, 6>(j, t); }
__attribute__((target("avx512f"))) void TaskAvx512(const Job& j, int64_t t) {
  RunTask<V16, 8>(j, t);
}
#endif

const Isa& GetIsa() {
  static const Isa isa =
      ODLA_BY_ISA((Isa{TaskGeneric, 6, 8}), (Isa{TaskAvx2, 6, 16}), (Isa{TaskAvx512, 8, 32}));
  return isa;
}

// Rows of C when m is tiny: plain dot products / row updates, parallel over columns.
void SmallM(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
            const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
            int64_t ldc, const Epilogue<float>* ep) {
  ParallelFor(n, std::max<int64_t>(64, 32768 / std::max<int64_t>(1, k)), [&](int64_t s, int64_t e) {
    std::vector<float> acc(e - s), row(trans_b ? k : 0);
    for (int64_t i = 0; i < m; ++i) {
      std::fill(acc.begin(), acc.end(), 0.0f);
      if (!trans_b) {
        for (int64_t p = 0; p < k; ++p) {
          float av = trans_a ? a[p * lda + i] : a[i * lda + p];
          const float* bp = b + p * ldb + s;
          for (int64_t q = 0; q < e - s; ++q) acc[q] += av * bp[q];
        }
      } else {
        for (int64_t p = 0; p < k; ++p) row[p] = trans_a ? a[p * lda + i] : a[i * lda + p];
        for (int64_t q = 0; q < e - s; ++q) acc[q] = Dot(row.data(), b + (s + q) * ldb, k);
      }
      float* ci = c + i * ldc + s;
      for (int64_t q = 0; q < e - s; ++q)
        ci[q] = alpha * acc[q] + (beta == 0.0f ? 0.0f : beta * ci[q]);
      if (ep) {
        ep->AddBias(c + i * ldc + s, ldc, i, s, 1, e - s);
        ep->Post(c + i * ldc + s, ldc, i, s, 1, e - s);
      }
    }
  });
}

}  // namespace

KernelIsa KernelIsaOfCpu() {
  static const KernelIsa isa = [] {
    const std::string force = Env("ODLA_GEMM_ISA");
    if (force == "generic") return KernelIsa::kGeneric;
#ifdef ODLA_KERNEL_ISAS
    __builtin_cpu_init();
    const bool avx512 = __builtin_cpu_supports("avx512f");
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (avx512 && (force.empty() || force == "avx512")) return KernelIsa::kAvx512;
    if (avx2 && (force.empty() || force == "avx2" || force == "avx512")) return KernelIsa::kAvx2;
#endif
    return KernelIsa::kGeneric;
  }();
  return isa;
}

// x . y over k elements in 16 partial sums (lanes the compiler keeps in vector registers),
// then added in a fixed order: the result does not depend on how columns are split.
float Dot(const float* x, const float* y, int64_t k) {
  constexpr int kLanes = 16;
  float part[kLanes] = {};
  int64_t p = 0;
  for (; p + kLanes <= k; p += kLanes)
    for (int l = 0; l < kLanes; ++l) part[l] += x[p + l] * y[p + l];
  float sum = 0;
  for (float v : part) sum += v;
  for (; p < k; ++p) sum += x[p] * y[p];
  return sum;
}

namespace {

// op(A) of job j packed whole into dst (mr-row panels as long as K), in parallel.
void PackWholeA(const Job& j, int mr, float* dst) {
  ParallelFor((j.m + mr - 1) / mr, 16, [&](int64_t s, int64_t e) {
    int64_t i0 = s * mr, rows = std::min(e * mr, j.m) - i0;
    if (mr == 8)
      PackA<8>(j, i0, rows, 0, j.k, dst + i0 * j.k);
    else
      PackA<6>(j, i0, rows, 0, j.k, dst + i0 * j.k);
  });
}

// B (k x n) packed whole into dst (nr-column panels as long as K), in parallel.
void PackWholeB(const GemmB& b, int64_t k, int64_t n, int nr, float* dst) {
  ParallelFor((n + nr - 1) / nr, 16, [&](int64_t s, int64_t e) {
    int64_t j0 = s * nr;
    b.Pack(0, k, j0, std::min(e * nr, n) - j0, nr, dst + j0 * k);
  });
}

// Runs job j (its operands, alpha, beta, C and epilogue set): tiles, then tasks on the pool.
void Run(Job j) {
  const int64_t m = j.m, n = j.n, k = j.k, ldc = j.ldc;
  float* c = j.c;
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t q = 0; q < n; ++q)
        c[i * ldc + q] = j.beta == 0.0f ? 0.0f : j.beta * c[i * ldc + q];
    if (j.ep) j.ep->Apply(c, ldc, m, n);
    return;
  }
  const Isa& isa = GetIsa();
  j.direct = j.alpha == 1.0f && (j.beta == 0.0f || j.beta == 1.0f) &&
             (!j.ep || j.ep->act.kind == ActKind::kNone || j.ep->act.kind == ActKind::kRelu ||
              j.ep->act.kind == ActKind::kClip);
  j.mc = std::min<int64_t>((m + isa.mr - 1) / isa.mr * isa.mr, isa.mr * 16);
  int64_t mtiles = (m + j.mc - 1) / j.mc;
  int64_t nfull = (n + isa.nr - 1) / isa.nr * isa.nr;
  j.nc = std::min<int64_t>(nfull, 512);
  int64_t want = 4 * NumThreads();
  while (j.nc > 4 * isa.nr && mtiles * ((n + j.nc - 1) / j.nc) < want)
    j.nc = (j.nc / 2 + isa.nr - 1) / isa.nr * isa.nr;
  j.ntiles = (n + j.nc - 1) / j.nc;
  // An operand that several tasks would each pack is packed once, whole, first, up to
  // kWholeMax floats (the buffer stays with the calling thread).
  const int64_t a_whole = (m + isa.mr - 1) / isa.mr * isa.mr * k,
                b_whole = (n + isa.nr - 1) / isa.nr * isa.nr * k;
  if (!j.pa && j.ntiles > 1 && a_whole <= kWholeMax) {
    float* dst = Scratch(2, static_cast<size_t>(a_whole));
    PackWholeA(j, isa.mr, dst);
    j.pa = dst;
  }
  if (!j.pb && mtiles > 1 && b_whole <= kWholeMax) {
    float* dst = Scratch(3, static_cast<size_t>(b_whole));
    PackWholeB(*j.b, k, n, isa.nr, dst);
    j.pb = dst;
  }
  ParallelFor(mtiles * j.ntiles, 1, [&](int64_t s, int64_t e) {
    for (int64_t t = s; t < e; ++t) isa.fn(j, t);
  });
}

}  // namespace

void SgemmWith(bool trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
               int64_t lda, const GemmB& b, float beta, float* c, int64_t ldc,
               const Epilogue<float>* ep) {
  Run({trans_a, m, n, k, alpha, beta, a, lda, &b, c, ldc, 0, 0, 0, ep, nullptr, nullptr, false});
}

void SgemmPackedA(const GemmPacked& a, int64_t n, float alpha, const GemmB& b, float beta, float* c,
                  int64_t ldc, const Epilogue<float>* ep) {
  Run({false, a.rows(), n, a.k(), alpha, beta, nullptr, 0, &b, c, ldc, 0, 0, 0, ep, a.At(0, 0),
       nullptr, false});
}

void SgemmPackedB(bool trans_a, int64_t m, float alpha, const float* a, int64_t lda,
                  const GemmPacked& b, float beta, float* c, int64_t ldc,
                  const Epilogue<float>* ep) {
  Run({trans_a, m, b.rows(), b.k(), alpha, beta, a, lda, nullptr, c, ldc, 0, 0, 0, ep, nullptr,
       b.At(0, 0), false});
}

GemmPacked::GemmPacked(int64_t rows, int64_t k, int width) : rows_(rows), k_(k), width_(width) {
  buf_.resize(static_cast<size_t>((rows + width - 1) / width * width * k + 16));
  auto p = reinterpret_cast<uintptr_t>(buf_.data());
  data_ = reinterpret_cast<float*>((p + 63) & ~uintptr_t{63});
}

namespace {

// The packed copies alive, by what they copy: a matrix packed again while its copy is alive
// (the computations of a model for several batch sizes) gets that copy. A live copy's source
// is the constant of a live computation, so no other matrix can have its address meanwhile.
using PackKey = std::tuple<bool, bool, int64_t, int64_t, int64_t, const float*>;

template <typename Make>
std::shared_ptr<const GemmPacked> Shared(const PackKey& key, Make make) {
  static std::mutex mu;
  static std::map<PackKey, std::weak_ptr<const GemmPacked>> alive;
  std::lock_guard<std::mutex> lock(mu);
  auto it = alive.find(key);
  if (it != alive.end())
    if (auto p = it->second.lock()) return p;
  for (auto i = alive.begin(); i != alive.end();) i = i->second.expired() ? alive.erase(i) : ++i;
  std::shared_ptr<const GemmPacked> p = make();
  alive[key] = p;
  return p;
}

}  // namespace

std::shared_ptr<const GemmPacked> GemmPacked::A(bool trans, int64_t m, int64_t k, const float* a,
                                                int64_t ld) {
  return Shared({true, trans, m, k, ld, a}, [&] {
    const int mr = GetIsa().mr;
    std::shared_ptr<GemmPacked> p(new GemmPacked(m, k, mr));
    Job j{};
    j.trans_a = trans;
    j.m = m;
    j.k = k;
    j.a = a;
    j.lda = ld;
    PackWholeA(j, mr, p->data_);
    return p;
  });
}

std::shared_ptr<const GemmPacked> GemmPacked::B(bool trans, int64_t k, int64_t n, const float* b,
                                                int64_t ld) {
  return Shared({false, trans, n, k, ld, b}, [&] {
    const int nr = GetIsa().nr;
    std::shared_ptr<GemmPacked> p(new GemmPacked(n, k, nr));
    PackWholeB(GemmBMatrix(b, ld, trans), k, n, nr, p->data_);
    return p;
  });
}

void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
           const Epilogue<float>* ep) {
  if (m > 0 && m < kGemmSmallM && n > 0 && k > 0) {
    SmallM(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep);
    return;
  }
  SgemmWith(trans_a, m, n, k, alpha, a, lda, GemmBMatrix(b, ldb, trans_b), beta, c, ldc, ep);
}

MatMulBatches PlanMatMul(std::vector<int64_t> as, std::vector<int64_t> bs) {
  if (as.empty() || bs.empty()) Fail("operands must have rank 1 or more");
  bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  MatMulBatches p;
  p.m = as[as.size() - 2];
  p.k = as.back();
  p.n = bs.back();
  if (bs[bs.size() - 2] != p.k) Fail("inner dimensions differ: ", p.k, " and ", bs[bs.size() - 2]);
  size_t rank = std::max(as.size(), bs.size());
  std::vector<int64_t> ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  ab.insert(ab.begin(), rank - as.size(), 1);
  bb.insert(bb.begin(), rank - bs.size(), 1);
  std::vector<int64_t> batch(rank - 2);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (ab[i] != bb[i] && ab[i] != 1 && bb[i] != 1) Fail("batch dimensions do not broadcast");
    batch[i] = std::max(ab[i], bb[i]);
  }
  p.nb = 1;
  for (int64_t d : batch) p.nb *= d;
  for (int64_t i = 0; i < p.nb; ++i) {
    int64_t r = i, oa = 0, ob = 0, sa = 1, sb = 1;
    for (size_t d = batch.size(); d-- > 0;) {
      int64_t idx = r % batch[d];
      r /= batch[d];
      oa += (ab[d] == 1 ? 0 : idx) * sa;
      ob += (bb[d] == 1 ? 0 : idx) * sb;
      sa *= ab[d];
      sb *= bb[d];
    }
    p.aoff.push_back(oa * p.m * p.k);
    p.boff.push_back(ob * p.k * p.n);
  }
  p.out_shape = batch;
  if (!a_vec) p.out_shape.push_back(p.m);
  if (!b_vec) p.out_shape.push_back(p.n);
  return p;
}

}  // namespace odla_rt
