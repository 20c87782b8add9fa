#include "gather.h"

#include "../common/runtime.h"

namespace odla_rt {
namespace {

constexpr int64_t kGrainBytes = 1 << 17;

}  // namespace

std::vector<int64_t> LoadIndices(const void* p, bool is64, int64_t n, int64_t bound,
                                 const char* what) {
  std::vector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t x = is64 ? static_cast<const int64_t*>(p)[i] : static_cast<const int32_t*>(p)[i];
    if (x < -bound || x >= bound)
      Fail(what, ": index ", x, " is out of range [", -bound, ", ", bound, ")");
    v[i] = x < 0 ? x + bound : x;
  }
  return v;
}

void GatherCopy(void* dst, const void* data, size_t es, int64_t outer, int64_t axis_dim,
                int64_t inner, const std::vector<int64_t>& idx) {
  int64_t nidx = static_cast<int64_t>(idx.size());
  size_t block = static_cast<size_t>(inner) * es;
  uint8_t* d = static_cast<uint8_t*>(dst);
  const uint8_t* s = static_cast<const uint8_t*>(data);
  int64_t rows = outer * nidx;
  ParallelFor(rows, std::max<int64_t>(1, kGrainBytes / std::max<int64_t>(1, block)),
              [&](int64_t b, int64_t e) {
                for (int64_t r = b; r < e; ++r) {
                  int64_t o = r / nidx, j = r % nidx;
                  std::memcpy(d + r * block, s + (o * axis_dim + idx[j]) * block, block);
                }
              });
}

void GatherElementsCopy(void* dst, const void* data, size_t es, const Extents& data_shape,
                        const Extents& idx_shape, int axis, const std::vector<int64_t>& idx) {
  Extents dstr = ContiguousStrides(data_shape);
  int rank = static_cast<int>(idx_shape.size());
  int64_t inner = rank ? idx_shape[rank - 1] : 1;
  int64_t rows = static_cast<int64_t>(idx.size()) / std::max<int64_t>(1, inner);
  if (idx.empty()) return;
  uint8_t* d = static_cast<uint8_t*>(dst);
  const uint8_t* s = static_cast<const uint8_t*>(data);
  ParallelFor(rows, std::max<int64_t>(1, 8192 / inner), [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      int64_t r = row, base = 0;
      for (int dim = rank - 2; dim >= 0; --dim) {
        int64_t k = r % idx_shape[dim];
        r /= idx_shape[dim];
        if (dim != axis) base += k * dstr[dim];
      }
      for (int64_t j = 0; j < inner; ++j) {
        int64_t i = row * inner + j;
        int64_t off = base + (rank - 1 == axis ? idx[i] * dstr[axis] : j + idx[i] * dstr[axis]);
        std::memcpy(d + i * es, s + off * es, es);
      }
    }
  });
}

std::vector<int64_t> TupleOffsets(const Extents& data_shape, const int64_t* idx,
                                  const Extents& idx_shape, int batch_dims, const char* what) {
  int64_t k = idx_shape.back();
  int64_t tuples = 1;
  for (size_t d = 0; d + 1 < idx_shape.size(); ++d) tuples *= idx_shape[d];
  Extents slice(data_shape.begin() + batch_dims, data_shape.end());
  Extents str = ContiguousStrides(slice);
  std::vector<int64_t> offs(tuples);
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = 0;
    for (int64_t c = 0; c < k; ++c) {
      int64_t x = idx[t * k + c], bound = slice[c];
      if (x < -bound || x >= bound)
        Fail(what, ": index ", x, " is out of range [", -bound, ", ", bound, ")");
      off += (x < 0 ? x + bound : x) * str[c];
    }
    offs[t] = off;
  }
  return offs;
}

void GatherNDCopy(void* dst, const void* data, size_t es, int64_t batches, int64_t batch_elems,
                  const std::vector<int64_t>& offsets, int64_t block) {
  int64_t per_batch = static_cast<int64_t>(offsets.size()) / std::max<int64_t>(1, batches);
  size_t bytes = static_cast<size_t>(block) * es;
  uint8_t* d = static_cast<uint8_t*>(dst);
  const uint8_t* s = static_cast<const uint8_t*>(data);
  ParallelFor(static_cast<int64_t>(offsets.size()),
              std::max<int64_t>(1, kGrainBytes / std::max<int64_t>(1, bytes)),
              [&](int64_t b, int64_t e) {
                for (int64_t t = b; t < e; ++t) {
                  int64_t batch = t / per_batch;
                  std::memcpy(d + t * bytes, s + (batch * batch_elems + offsets[t]) * es, bytes);
                }
              });
}

void CompressCopy(void* dst, const void* src, size_t es, int64_t outer, int64_t dim, int64_t inner,
                  const uint8_t* cond, int64_t len) {
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < len; ++i)
    if (cond[i]) keep.push_back(i);
  size_t bytes = static_cast<size_t>(inner) * es;
  uint8_t* d = static_cast<uint8_t*>(dst);
  const uint8_t* s = static_cast<const uint8_t*>(src);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k : keep) {
      std::memcpy(d, s + (o * dim + k) * bytes, bytes);
      d += bytes;
    }
}

Reduction ParseReduction(const std::string& s) {
  if (s == "none") return Reduction::kNone;
  if (s == "add") return Reduction::kAdd;
  if (s == "mul") return Reduction::kMul;
  if (s == "max") return Reduction::kMax;
  if (s == "min") return Reduction::kMin;
  Fail("unsupported reduction '", s, "'");
}

}  // namespace odla_rt
