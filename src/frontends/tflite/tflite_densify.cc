// Sparse constants (DENSIFY's input): the TACO encoding of SparsityParameters, expanded.
// Dimensions are visited in traversal_order; a DENSE level has dense_size positions, a
// SPARSE_CSR level lists the coordinates array_indices[segments[p] .. segments[p + 1]) for
// the position p of the level above. Block dimensions (after the n tensor dimensions) split
// the tensor dimension block_map[b] into blocks of their dense_size.
#include <cstring>
#include <functional>

#include "frontends/tflite/tflite_model.h"
#include "ir/error.h"

namespace halo::tflite_fe {
namespace {

struct IndexVector {
  const tflite::DimensionMetadata* dm = nullptr;
  bool segments = false;
  size_t size() const;
  int64_t operator[](size_t i) const;
};

template <typename V>
const V* Vec(const tflite::DimensionMetadata& dm, bool segments) {
  return segments ? dm.array_segments_as<V>() : dm.array_indices_as<V>();
}

size_t IndexVector::size() const {
  if (auto* v = Vec<tflite::Int32Vector>(*dm, segments))
    return v->values() ? v->values()->size() : 0;
  if (auto* v = Vec<tflite::Uint16Vector>(*dm, segments))
    return v->values() ? v->values()->size() : 0;
  if (auto* v = Vec<tflite::Uint8Vector>(*dm, segments))
    return v->values() ? v->values()->size() : 0;
  return 0;
}

int64_t IndexVector::operator[](size_t i) const {
  if (auto* v = Vec<tflite::Int32Vector>(*dm, segments)) return v->values()->Get(i);
  if (auto* v = Vec<tflite::Uint16Vector>(*dm, segments)) return v->values()->Get(i);
  return Vec<tflite::Uint8Vector>(*dm, segments)->values()->Get(i);
}

}  // namespace

Tensor Densify(const tflite::SparsityParameters& sp, DataType dtype, const Shape& dense_shape,
               const uint8_t* values, size_t values_bytes) {
  const size_t n = dense_shape.size();
  const auto* order = sp.traversal_order();
  const auto* dims = sp.dim_metadata();
  const size_t k = sp.block_map() ? sp.block_map()->size() : 0;
  if (!order || !dims || order->size() != n + k || dims->size() != n + k)
    throw Err("sparse tensor: traversal_order and dim_metadata need ", n + k, " entries");
  std::vector<int64_t> block_size(k, 1);
  for (size_t l = 0; l < n + k; ++l) {
    int d = order->Get(l);
    if (d < 0 || static_cast<size_t>(d) >= n + k)
      throw Err("sparse tensor: traversal order entry ", d, " is out of range");
    if (static_cast<size_t>(d) >= n) block_size[d - n] = dims->Get(l)->dense_size();
  }
  for (size_t b = 0; b < k; ++b)
    if (sp.block_map()->Get(b) < 0 || static_cast<size_t>(sp.block_map()->Get(b)) >= n ||
        block_size[b] <= 0)
      throw Err("sparse tensor: bad block map");
  const size_t esize = DataTypeSize(dtype);
  const size_t num_values = values_bytes / esize;
  Tensor out(Type(dtype, dense_shape));
  uint8_t* dst = out.mutable_bytes();
  std::vector<int64_t> coords(n + k, 0);
  std::function<void(size_t, int64_t)> visit = [&](size_t level, int64_t pos) {
    if (level == n + k) {
      int64_t flat = 0;
      for (size_t d = 0; d < n; ++d) {
        int64_t c = coords[d];
        for (size_t b = 0; b < k; ++b)
          if (static_cast<size_t>(sp.block_map()->Get(b)) == d)
            c = c * block_size[b] + coords[n + b];
        if (c < 0 || c >= dense_shape[d]) throw Err("sparse tensor: coordinate out of range");
        flat = flat * dense_shape[d] + c;
      }
      if (pos < 0 || static_cast<size_t>(pos) >= num_values)
        throw Err("sparse tensor: value index ", pos, " beyond its ", num_values, " values");
      std::memcpy(dst + flat * esize, values + pos * esize, esize);
      return;
    }
    const tflite::DimensionMetadata* dm = dims->Get(level);
    size_t d = order->Get(level);
    if (dm->format() == tflite::DimensionType::DENSE) {
      for (int64_t i = 0; i < dm->dense_size(); ++i) {
        coords[d] = i;
        visit(level + 1, pos * dm->dense_size() + i);
      }
      return;
    }
    IndexVector seg{dm, true}, idx{dm, false};
    if (static_cast<size_t>(pos) + 1 >= seg.size())
      throw Err("sparse tensor: segment ", pos, " is out of range");
    int64_t lo = seg[pos], hi = seg[pos + 1];
    if (lo < 0 || hi < lo || static_cast<size_t>(hi) > idx.size())
      throw Err("sparse tensor: segments out of range");
    for (int64_t p = lo; p < hi; ++p) {
      coords[d] = idx[p];
      visit(level + 1, p);
    }
  };
  visit(0, 0);
  return out;
}

}  // namespace halo::tflite_fe
