// Index maps of the copy and elementwise kernels: a dense iteration space mapped to two
// element offsets (StridedMap), its 32-bit form (SmallMap: divisions by the dimensions as
// multiply-highs, FastDiv) and the widening of copies to 16-byte elements. Host code builds
// them; MapOffsets32 runs on both sides (the host tests check it against 64-bit division).
#pragma once

#include <cstddef>
#include <cstdint>

#ifdef __CUDACC__
#define ODLA_CUDA_HD __host__ __device__
#else
#define ODLA_CUDA_HD
#endif

namespace odla_cuda {

constexpr int kMaxDims = 8;

// Two element offsets per index of a dense iteration space of `dims`: offset = base +
// sum(coord[d] * stride[d]). Strides may be 0 (broadcast) or negative (reversed).
struct StridedMap {
  int rank = 0;
  int64_t dims[kMaxDims] = {};
  int64_t a_strides[kMaxDims] = {}, b_strides[kMaxDims] = {};
  int64_t a_base = 0, b_base = 0;
  int64_t Count() const;
};

// The offsets of index i on both sides of a map.
ODLA_CUDA_HD inline void MapOffsets(const StridedMap& m, int64_t i, int64_t* a, int64_t* b) {
  int64_t oa = m.a_base, ob = m.b_base;
  for (int d = m.rank - 1; d >= 0; --d) {
    int64_t q = i / m.dims[d], c = i - q * m.dims[d];
    oa += c * m.a_strides[d];
    ob += c * m.b_strides[d];
    i = q;
  }
  *a = oa;
  *b = ob;
}

// Division of numerators below 2^31 by a divisor d in [1, 2^31) fixed in advance: the high
// word of a product with a magic number, an add and a shift (Granlund and Montgomery, 1994),
// in place of a 64-bit division, which GPUs run as a long subroutine.
struct FastDiv {
  uint32_t d = 1, magic = 1, shift = 0;
  FastDiv() = default;
  explicit FastDiv(uint32_t divisor);
  ODLA_CUDA_HD uint32_t Div(uint32_t n) const {
#ifdef __CUDA_ARCH__
    uint32_t t = __umulhi(n, magic);
#else
    uint32_t t = static_cast<uint32_t>((static_cast<uint64_t>(n) * magic) >> 32);
#endif
    return (t + n) >> shift;
  }
};

// A StridedMap whose index count and every offset on the way fit in 31 bits.
struct SmallMap {
  int rank = 0;
  FastDiv dims[kMaxDims];
  int32_t a_strides[kMaxDims] = {}, b_strides[kMaxDims] = {};
  int32_t a_base = 0, b_base = 0;
};

// The 32-bit form of `m` in *out; false (and *out unchanged) when it does not fit.
bool MakeSmallMap(const StridedMap& m, SmallMap* out);

// The offsets of index i (< the map's count) on both sides.
ODLA_CUDA_HD inline void MapOffsets32(const SmallMap& m, uint32_t i, int32_t* a, int32_t* b) {
  int32_t oa = m.a_base, ob = m.b_base;
  for (int d = m.rank - 1; d >= 0; --d) {
    uint32_t q = m.dims[d].Div(i);
    int32_t c = static_cast<int32_t>(i - q * m.dims[d].d);
    oa += c * m.a_strides[d];
    ob += c * m.b_strides[d];
    i = q;
  }
  *a = oa;
  *b = ob;
}

// A copy dst[a(i)] = src[b(i)] of `es`-byte elements as the same copy of wider elements, up
// to 16 bytes, where the innermost dimension is contiguous on both sides and its length,
// the other strides, the bases and both pointers are multiples of the width: fewer indices
// to map and wider loads and stores. Rewrites *m in units of the width and returns it (`es`
// when nothing widens).
size_t WidenCopy(StridedMap* m, size_t es, const void* dst, const void* src);

// A copy that moves the innermost axis (a transpose of the last two dimensions, NHWC to
// NCHW...) in tiles of kTile x kTile elements through shared memory, so that a warp's loads
// and its stores are both contiguous: `cols` is the result's innermost dimension (result
// stride 1, source stride b_col), `rows` the source's (source stride 1, result stride a_row),
// and `batch` maps the other dimensions (index z: the offsets of the tile's origin).
constexpr int kTile = 32;
struct TilePlan {
  int64_t rows = 0, cols = 0, a_row = 0, b_col = 0;
  StridedMap batch;
  int64_t count = 1;  // batch's index count
};

// The tiled form of copy `m` (a: the dense result) in *plan; false when the innermost
// dimensions are already the same, or either is shorter than a tile's half, or the grid
// would be too large.
bool MakeTilePlan(const StridedMap& m, TilePlan* plan);

// The offsets of element (r, c) of tile-space batch z.
ODLA_CUDA_HD inline void TileOffsets(const TilePlan& p, int64_t z, int64_t r, int64_t c, int64_t* a,
                                     int64_t* b) {
  int64_t a0, b0;
  MapOffsets(p.batch, z, &a0, &b0);
  *a = a0 + r * p.a_row + c;
  *b = b0 + r + c * p.b_col;
}

}  // namespace odla_cuda
