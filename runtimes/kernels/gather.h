// Indexing kernels: gathers move bytes (any element type of a given size), scatters with a
// reduction compute on the element type.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "copy.h"

namespace odla_rt {

// Reads n int32 (is64 false) or int64 indices, checks each against [-bound, bound) and
// makes negative ones count from the end. Throws RtError naming `what` on a bad index.
std::vector<int64_t> LoadIndices(const void* p, bool is64, int64_t n, int64_t bound,
                                 const char* what);

// Gather: out[o][j][i] = data[o][idx[j]][i] for o < outer, j < nidx, i < inner.
void GatherCopy(void* dst, const void* data, size_t es, int64_t outer, int64_t axis_dim,
                int64_t inner, const std::vector<int64_t>& idx);

// GatherElements: out[p] = data[p with its `axis` coordinate replaced by idx[p]], p over
// idx_shape (idx already normalised).
void GatherElementsCopy(void* dst, const void* data, size_t es, const Extents& data_shape,
                        const Extents& idx_shape, int axis, const std::vector<int64_t>& idx);

// The element offsets, within one batch of `data`, of the slices that GatherND/ScatterND
// index tuples address: one per tuple of `idx` (shape idx_shape, tuples in its last
// dimension, batch_dims leading dimensions shared with data). Checks every coordinate.
std::vector<int64_t> TupleOffsets(const Extents& data_shape, const int64_t* idx,
                                  const Extents& idx_shape, int batch_dims, const char* what);

// GatherND: copies the slice (of `block` elements) at each tuple offset, batch by batch.
void GatherNDCopy(void* dst, const void* data, size_t es, int64_t batches, int64_t batch_elems,
                  const std::vector<int64_t>& offsets, int64_t block);

// Compress: along a dimension of `dim` slices between `outer` and `inner` elements, keeps the
// slices whose cond (of `len` <= dim entries) is non-zero.
void CompressCopy(void* dst, const void* src, size_t es, int64_t outer, int64_t dim, int64_t inner,
                  const uint8_t* cond, int64_t len);

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };
Reduction ParseReduction(const std::string& s);

template <typename T>
inline void ReduceInto(Reduction r, T* a, T b) {
  switch (r) {
    case Reduction::kNone:
      *a = b;
      break;
    case Reduction::kAdd:
      *a = static_cast<T>(*a + b);
      break;
    case Reduction::kMul:
      *a = static_cast<T>(*a * b);
      break;
    case Reduction::kMax:
      *a = std::max(*a, b);
      break;
    case Reduction::kMin:
      *a = std::min(*a, b);
      break;
  }
}

// ScatterElements: out = data, then out[p with axis coordinate idx[p]] (op)= updates[p] for
// p over idx_shape in row-major order.
template <typename T>
void ScatterElements(T* out, const T* data, const Extents& data_shape, const T* updates,
                     const Extents& idx_shape, int axis, const std::vector<int64_t>& idx,
                     Reduction r) {
  int64_t total = 1, n = 1;
  for (int64_t d : data_shape) total *= d;
  for (int64_t d : idx_shape) n *= d;
  if (out != data) std::memcpy(out, data, sizeof(T) * total);
  Extents dstr = ContiguousStrides(data_shape);
  int rank = static_cast<int>(idx_shape.size());
  std::vector<int64_t> pos(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (int d = 0; d < rank; ++d) off += (d == axis ? idx[i] : pos[d]) * dstr[d];
    ReduceInto(r, out + off, updates[i]);
    for (int d = rank - 1; d >= 0; --d) {
      if (++pos[d] < idx_shape[d]) break;
      pos[d] = 0;
    }
  }
}

// ScatterND: out = data, then the slice of `block` elements at each tuple offset (op)= the
// matching block of updates, in tuple order.
template <typename T>
void ScatterND(T* out, const T* data, int64_t total, const T* updates,
               const std::vector<int64_t>& offsets, int64_t block, Reduction r) {
  if (out != data) std::memcpy(out, data, sizeof(T) * total);
  for (size_t t = 0; t < offsets.size(); ++t) {
    T* o = out + offsets[t];
    const T* u = updates + static_cast<int64_t>(t) * block;
    if (r == Reduction::kNone) {
      std::memcpy(o, u, sizeof(T) * block);
    } else {
      for (int64_t i = 0; i < block; ++i) ReduceInto(r, o + i, u[i]);
    }
  }
}

}  // namespace odla_rt
