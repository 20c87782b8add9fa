#include "fill.h"

#include <algorithm>
#include <cstring>

#include "../common/runtime.h"
#include "copy.h"

namespace odla_rt {

void TriluCopy(void* dst, const void* src, size_t es, int64_t matrices, int64_t rows, int64_t cols,
               int64_t k, bool upper) {
  size_t row_bytes = static_cast<size_t>(cols) * es;
  uint8_t* d = static_cast<uint8_t*>(dst);
  const uint8_t* s = static_cast<const uint8_t*>(src);
  ParallelFor(matrices * rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, cols)),
              [&](int64_t b, int64_t e) {
                for (int64_t r = b; r < e; ++r) {
                  int64_t i = r % rows;
                  // Columns [lo, hi) are kept.
                  int64_t lo = upper ? std::clamp<int64_t>(i + k, 0, cols) : 0;
                  int64_t hi = upper ? cols : std::clamp<int64_t>(i + k + 1, 0, cols);
                  uint8_t* o = d + r * row_bytes;
                  const uint8_t* x = s + r * row_bytes;
                  std::memset(o, 0, lo * es);
                  std::memcpy(o + lo * es, x + lo * es, std::max<int64_t>(0, hi - lo) * es);
                  std::memset(o + hi * es, 0, (cols - std::max(lo, hi)) * es);
                }
              });
}

void OneHotFill(void* dst, size_t es, const std::vector<int64_t>& idx, int64_t outer, int64_t depth,
                int64_t inner, const void* off, const void* on) {
  FillElements(dst, outer * depth * inner, off, es);
  uint8_t* d = static_cast<uint8_t*>(dst);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t x = idx[o * inner + i];
      if (x < 0) x += depth;
      if (x < 0 || x >= depth) continue;
      std::memcpy(d + ((o * depth + x) * inner + i) * es, on, es);
    }
}

}  // namespace odla_rt
