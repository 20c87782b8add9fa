#include "copy.h"

#include <algorithm>
#include <cstring>

#include "../common/runtime.h"

namespace odla_rt {
namespace {

constexpr int64_t kGrain = 1 << 15;  // elements per parallel chunk, about
constexpr int64_t kTile = 32;        // the side of a transposing tile

struct Dim {
  int64_t n, ds, ss;  // extent, destination stride, source stride (elements)
};

// Copies n elements along one dimension; U is an unsigned type of the element size.
template <typename U>
void CopyRun(uint8_t* d, const uint8_t* s, int64_t n, int64_t ds, int64_t ss) {
  U* dp = reinterpret_cast<U*>(d);
  const U* sp = reinterpret_cast<const U*>(s);
  if (ss == 0) {
    U v = *sp;
    for (int64_t i = 0; i < n; ++i) dp[i * ds] = v;
  } else {
    for (int64_t i = 0; i < n; ++i) dp[i * ds] = sp[i * ss];
  }
}

void Run(uint8_t* d, const uint8_t* s, size_t es, int64_t n, int64_t ds, int64_t ss) {
  if (ds == 1 && ss == 1) {
    std::memcpy(d, s, static_cast<size_t>(n) * es);
    return;
  }
  switch (es) {
    case 1:
      return CopyRun<uint8_t>(d, s, n, ds, ss);
    case 2:
      return CopyRun<uint16_t>(d, s, n, ds, ss);
    case 4:
      return CopyRun<uint32_t>(d, s, n, ds, ss);
    case 8:
      return CopyRun<uint64_t>(d, s, n, ds, ss);
    default:
      for (int64_t i = 0; i < n; ++i) std::memcpy(d + i * ds * es, s + i * ss * es, es);
  }
}

// Copies an na x nb block, a read contiguously and b written contiguously, in square
// tiles so that both sides stay in cache.
template <typename U>
void Tiled(uint8_t* d, const uint8_t* s, int64_t a0, int64_t a1, int64_t nb, int64_t da,
           int64_t sb) {
  U* dp = reinterpret_cast<U*>(d);
  const U* sp = reinterpret_cast<const U*>(s);
  for (int64_t b0 = 0; b0 < nb; b0 += kTile) {
    int64_t b1 = std::min(nb, b0 + kTile);
    for (int64_t a = a0; a < a1; ++a)
      for (int64_t b = b0; b < b1; ++b) dp[a * da + b] = sp[a + b * sb];
  }
}

// Drops unit dimensions and merges dimensions that are contiguous in both source and
// destination. Returns false when the copy is empty.
bool Simplify(const Extents& shape, const Extents& dst_strides, const Extents& src_strides,
              std::vector<Dim>* dims) {
  std::vector<Dim> rev;  // innermost first
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    int64_t n = shape[d];
    if (n <= 0) return false;
    if (n == 1) continue;
    if (!rev.empty()) {
      Dim& in = rev.back();
      if (dst_strides[d] == in.ds * in.n && src_strides[d] == in.ss * in.n) {
        in.n *= n;
        continue;
      }
    }
    rev.push_back({n, dst_strides[d], src_strides[d]});
  }
  if (rev.empty()) rev.push_back({1, 1, 1});
  dims->assign(rev.rbegin(), rev.rend());
  return true;
}

}  // namespace

Extents ContiguousStrides(const Extents& shape) {
  Extents s(shape.size(), 1);
  for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

void CopyStrided(void* dst, const void* src, size_t es, const Extents& shape,
                 const Extents& dst_strides, int64_t dst_offset, const Extents& src_strides,
                 int64_t src_offset) {
  std::vector<Dim> dims;
  if (!Simplify(shape, dst_strides, src_strides, &dims)) return;
  uint8_t* d0 = static_cast<uint8_t*>(dst) + dst_offset * static_cast<int64_t>(es);
  const uint8_t* s0 = static_cast<const uint8_t*>(src) + src_offset * static_cast<int64_t>(es);
  const Dim inner = dims.back();
  dims.pop_back();
  int64_t rows = 1;
  for (const Dim& d : dims) rows *= d.n;
  int64_t bes = static_cast<int64_t>(es);
  if (rows == 1) {  // one long run: split it
    ParallelFor(inner.n, kGrain, [&](int64_t b, int64_t e) {
      Run(d0 + b * inner.ds * bes, s0 + b * inner.ss * bes, es, e - b, inner.ds, inner.ss);
    });
    return;
  }
  int rank = static_cast<int>(dims.size());
  auto contiguous_src =
      std::find_if(dims.begin(), dims.end(), [](const Dim& d) { return d.ss == 1; });
  if (inner.ds == 1 && inner.ss != 1 && inner.ss != 0 && contiguous_src != dims.end() &&
      (es == 1 || es == 2 || es == 4 || es == 8)) {
    // A transposition: the innermost dimension reads with a stride while dimension `a`
    // reads contiguously. Tile the (a, innermost) plane.
    const Dim a = *contiguous_src;
    dims.erase(contiguous_src);
    --rank;
    int64_t tiles = (a.n + kTile - 1) / kTile, outer = rows / a.n;
    ParallelFor(outer * tiles, std::max<int64_t>(1, kGrain / (kTile * inner.n)),
                [&](int64_t b, int64_t e) {
                  for (int64_t u = b; u < e; ++u) {
                    int64_t r = u / tiles, t = u % tiles, doff = 0, soff = 0;
                    for (int d = rank - 1; d >= 0; --d) {
                      int64_t k = r % dims[d].n;
                      r /= dims[d].n;
                      doff += k * dims[d].ds;
                      soff += k * dims[d].ss;
                    }
                    uint8_t* dp = d0 + doff * bes;
                    const uint8_t* sp = s0 + soff * bes;
                    int64_t a0 = t * kTile, a1 = std::min(a.n, a0 + kTile);
                    switch (es) {
                      case 1:
                        Tiled<uint8_t>(dp, sp, a0, a1, inner.n, a.ds, inner.ss);
                        break;
                      case 2:
                        Tiled<uint16_t>(dp, sp, a0, a1, inner.n, a.ds, inner.ss);
                        break;
                      case 4:
                        Tiled<uint32_t>(dp, sp, a0, a1, inner.n, a.ds, inner.ss);
                        break;
                      default:
                        Tiled<uint64_t>(dp, sp, a0, a1, inner.n, a.ds, inner.ss);
                    }
                  }
                });
    return;
  }
  ParallelFor(rows, std::max<int64_t>(1, kGrain / inner.n), [&](int64_t b, int64_t e) {
    std::vector<int64_t> idx(rank);
    int64_t doff = 0, soff = 0, r = b;
    for (int d = rank - 1; d >= 0; --d) {
      idx[d] = r % dims[d].n;
      r /= dims[d].n;
      doff += idx[d] * dims[d].ds;
      soff += idx[d] * dims[d].ss;
    }
    for (int64_t row = b; row < e; ++row) {
      Run(d0 + doff * bes, s0 + soff * bes, es, inner.n, inner.ds, inner.ss);
      for (int d = rank - 1; d >= 0; --d) {  // next row: odometer step
        doff += dims[d].ds, soff += dims[d].ss;
        if (++idx[d] < dims[d].n) break;
        doff -= dims[d].ds * dims[d].n, soff -= dims[d].ss * dims[d].n;
        idx[d] = 0;
      }
    }
  });
}

void CopyBytes(void* dst, const void* src, size_t n) {
  if (n == 0 || dst == src) return;  // a view that shares its input's memory
  CopyStrided(dst, src, 1, {static_cast<int64_t>(n)}, {1}, 0, {1}, 0);
}

void FillElements(void* dst, int64_t n, const void* value, size_t es) {
  if (n <= 0) return;
  const uint8_t* v = static_cast<const uint8_t*>(value);
  if (std::all_of(v, v + es, [&](uint8_t b) { return b == v[0]; })) {
    uint8_t* d = static_cast<uint8_t*>(dst);
    ParallelFor(n * es, kGrain * 4, [&](int64_t b, int64_t e) { std::memset(d + b, v[0], e - b); });
    return;
  }
  CopyStrided(dst, value, es, {n}, {1}, 0, {0}, 0);
}

void TransposeCopy(void* dst, const void* src, size_t es, const Extents& in_shape,
                   const Extents& perm) {
  Extents istr = ContiguousStrides(in_shape), shape(perm.size()), sstr(perm.size());
  for (size_t d = 0; d < perm.size(); ++d) {
    shape[d] = in_shape[perm[d]];
    sstr[d] = istr[perm[d]];
  }
  CopyStrided(dst, src, es, shape, ContiguousStrides(shape), 0, sstr, 0);
}

void SliceCopy(void* dst, const void* src, size_t es, const Extents& in_shape,
               const Extents& out_shape, const Extents& starts, const Extents& steps) {
  Extents istr = ContiguousStrides(in_shape), sstr(in_shape.size());
  int64_t off = 0;
  for (size_t d = 0; d < in_shape.size(); ++d) {
    off += starts[d] * istr[d];
    sstr[d] = steps[d] * istr[d];
  }
  CopyStrided(dst, src, es, out_shape, ContiguousStrides(out_shape), 0, sstr, off);
}

void ExpandCopy(void* dst, const void* src, size_t es, const Extents& in_shape,
                const Extents& out_shape) {
  Extents istr = ContiguousStrides(in_shape), sstr(out_shape.size(), 0);
  size_t lead = out_shape.size() - in_shape.size();
  for (size_t d = 0; d < in_shape.size(); ++d) sstr[lead + d] = in_shape[d] == 1 ? 0 : istr[d];
  CopyStrided(dst, src, es, out_shape, ContiguousStrides(out_shape), 0, sstr, 0);
}

void TileCopy(void* dst, const void* src, size_t es, const Extents& in_shape,
              const Extents& repeats) {
  Extents out(in_shape.size());
  for (size_t d = 0; d < in_shape.size(); ++d) out[d] = in_shape[d] * repeats[d];
  Extents istr = ContiguousStrides(in_shape), ostr = ContiguousStrides(out);
  Extents shape, dstr, sstr;  // each dimension as (repetition, position within the input)
  for (size_t d = 0; d < in_shape.size(); ++d) {
    shape.insert(shape.end(), {repeats[d], in_shape[d]});
    dstr.insert(dstr.end(), {in_shape[d] * ostr[d], ostr[d]});
    sstr.insert(sstr.end(), {0, istr[d]});
  }
  CopyStrided(dst, src, es, shape, dstr, 0, sstr, 0);
}

void CopyToWindow(void* dst, const Extents& dst_shape, const void* src, const Extents& src_shape,
                  int axis, int64_t axis_offset, size_t es) {
  Extents dstr = ContiguousStrides(dst_shape);
  CopyStrided(dst, src, es, src_shape, dstr, axis_offset * dstr[axis], ContiguousStrides(src_shape),
              0);
}

void CopyFromWindow(void* dst, const Extents& dst_shape, const void* src, const Extents& src_shape,
                    int axis, int64_t axis_offset, size_t es) {
  Extents sstr = ContiguousStrides(src_shape);
  CopyStrided(dst, src, es, dst_shape, ContiguousStrides(dst_shape), 0, sstr,
              axis_offset * sstr[axis]);
}

void PadCopy(void* dst, const void* src, size_t es, const Extents& in_shape, const Extents& pads,
             PadMode mode, const void* value) {
  int rank = static_cast<int>(in_shape.size());
  Extents out(rank), kept(rank), ob(rank);
  int64_t src_off = 0, dst_off = 0;
  bool grows = false;
  Extents istr = ContiguousStrides(in_shape);
  for (int d = 0; d < rank; ++d) {
    int64_t b = pads[d], e = pads[d + rank];
    out[d] = in_shape[d] + b + e;
    kept[d] = std::max<int64_t>(0, in_shape[d] + std::min<int64_t>(b, 0) + std::min<int64_t>(e, 0));
    ob[d] = std::max<int64_t>(b, 0);
    src_off += std::max<int64_t>(-b, 0) * istr[d];
    grows = grows || b > 0 || e > 0;
  }
  int64_t total = 1;
  for (int64_t n : out) total *= n;
  if (total == 0) return;
  Extents ostr = ContiguousStrides(out);
  for (int d = 0; d < rank; ++d) dst_off += ob[d] * ostr[d];
  if (mode == PadMode::kConstant && grows) FillElements(dst, total, value, es);
  CopyStrided(dst, src, es, kept, ostr, dst_off, istr, src_off);
  if (mode == PadMode::kConstant) return;
  // Fill the borders dimension by dimension from the innermost, reading the output itself:
  // dimensions before d span their kept part, dimensions after d their whole extent.
  for (int d = rank - 1; d >= 0; --d) {
    int64_t left = ob[d], right = out[d] - ob[d] - kept[d];
    if (left == 0 && right == 0) continue;
    Extents shape(rank), str = ostr, sstr = ostr;
    int64_t base = 0;
    for (int e = 0; e < rank; ++e) {
      shape[e] = e < d ? kept[e] : out[e];
      if (e < d) base += ob[e] * ostr[e];
    }
    bool edge = mode == PadMode::kEdge;
    sstr[d] = edge ? 0 : -ostr[d];
    shape[d] = left;
    int64_t from = edge ? ob[d] : 2 * ob[d];
    CopyStrided(dst, dst, es, shape, str, base, sstr, base + from * ostr[d]);
    shape[d] = right;
    from = edge ? ob[d] + kept[d] - 1 : ob[d] + kept[d] - 2;
    CopyStrided(dst, dst, es, shape, str, base + (ob[d] + kept[d]) * ostr[d], sstr,
                base + from * ostr[d]);
  }
}

}  // namespace odla_rt
