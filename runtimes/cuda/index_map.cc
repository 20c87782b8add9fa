// Index maps (index_map.h): StridedMap's count, FastDiv's magic numbers, the 32-bit form of a
// map and the widening of copies.
#include "index_map.h"

#include <cstdlib>
#include <stdexcept>

namespace odla_cuda {

int64_t StridedMap::Count() const {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) n *= dims[d];
  return n;
}

// shift: the least s with 2^s >= d; magic: floor(2^32 * (2^s - d) / d) + 1, below 2^32 for
// d <= 2^31. Then n / d = (umulhi(n, magic) + n) >> s for every n < 2^31, where the sum
// cannot overflow.
FastDiv::FastDiv(uint32_t divisor) : d(divisor) {
  if (divisor == 0 || divisor > (1u << 31)) throw std::invalid_argument("FastDiv: divisor");
  while ((uint64_t(1) << shift) < divisor) ++shift;
  uint64_t m = ((uint64_t(1) << 32) * ((uint64_t(1) << shift) - divisor)) / divisor + 1;
  magic = static_cast<uint32_t>(m);
}

bool MakeSmallMap(const StridedMap& m, SmallMap* out) {
  constexpr int64_t kLimit = (int64_t(1) << 31) - 1;
  if (m.rank < 0 || m.rank > kMaxDims || m.Count() > kLimit) return false;
  // Every partial sum of an offset (in MapOffsets32's order) lies between the base plus all
  // negative terms and the base plus all positive ones.
  auto fits = [&](int64_t base, const int64_t* strides) {
    int64_t lo = base, hi = base;
    if (std::llabs(base) > kLimit) return false;
    for (int d = 0; d < m.rank; ++d) {
      if (std::llabs(strides[d]) > kLimit) return false;
      int64_t span = (m.dims[d] - 1) * strides[d];  // |span| < 2^62: no overflow
      if (std::llabs(span) > kLimit) return false;  // each term fits, as the sums do
      (span < 0 ? lo : hi) += span;
      if (lo < -kLimit || hi > kLimit) return false;
    }
    return true;
  };
  if (!fits(m.a_base, m.a_strides) || !fits(m.b_base, m.b_strides)) return false;
  SmallMap s;
  s.rank = m.rank;
  for (int d = 0; d < m.rank; ++d) {
    if (m.dims[d] < 1) return false;  // no elements: nothing to map
    s.dims[d] = FastDiv(static_cast<uint32_t>(m.dims[d]));
    s.a_strides[d] = static_cast<int32_t>(m.a_strides[d]);
    s.b_strides[d] = static_cast<int32_t>(m.b_strides[d]);
  }
  s.a_base = static_cast<int32_t>(m.a_base);
  s.b_base = static_cast<int32_t>(m.b_base);
  *out = s;
  return true;
}

size_t WidenCopy(StridedMap* m, size_t es, const void* dst, const void* src) {
  const int last = m->rank - 1;
  if (last < 0 || es == 0 || m->a_strides[last] != 1 || m->b_strides[last] != 1) return es;
  for (size_t width = 16; width > es; width /= 2) {
    if (width % es) continue;
    const int64_t k = static_cast<int64_t>(width / es);
    bool ok = m->dims[last] % k == 0 && m->a_base % k == 0 && m->b_base % k == 0 &&
              reinterpret_cast<uintptr_t>(dst) % width == 0 &&
              reinterpret_cast<uintptr_t>(src) % width == 0;
    for (int d = 0; d < last && ok; ++d) ok = m->a_strides[d] % k == 0 && m->b_strides[d] % k == 0;
    if (!ok) continue;
    m->dims[last] /= k;
    for (int d = 0; d < last; ++d) {
      m->a_strides[d] /= k;
      m->b_strides[d] /= k;
    }
    m->a_base /= k;
    m->b_base /= k;
    return width;
  }
  return es;
}

bool MakeTilePlan(const StridedMap& m, TilePlan* plan) {
  const int last = m.rank - 1;
  if (last < 1 || m.a_strides[last] != 1 || m.b_strides[last] == 1) return false;
  int row = -1;
  for (int d = 0; d < last; ++d)
    if (m.b_strides[d] == 1) row = d;
  if (row < 0 || m.dims[row] < kTile / 2 || m.dims[last] < kTile / 2) return false;
  if ((m.dims[row] + kTile - 1) / kTile > 65535 || (m.dims[last] + kTile - 1) / kTile > 65535)
    return false;
  TilePlan p;
  p.rows = m.dims[row];
  p.cols = m.dims[last];
  p.a_row = m.a_strides[row];
  p.b_col = m.b_strides[last];
  p.batch.a_base = m.a_base;
  p.batch.b_base = m.b_base;
  for (int d = 0; d < last; ++d) {
    if (d == row) continue;
    int r = p.batch.rank++;
    p.batch.dims[r] = m.dims[d];
    p.batch.a_strides[r] = m.a_strides[d];
    p.batch.b_strides[r] = m.b_strides[d];
  }
  p.count = p.batch.Count();
  *plan = p;
  return true;
}

}  // namespace odla_cuda
