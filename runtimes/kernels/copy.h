// Data-movement kernels on raw bytes: every element type of a given size moves the same way,
// so these dispatch on the element size (1, 2, 4 or 8 bytes) only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace odla_rt {

using Extents = std::vector<int64_t>;

// Row-major strides (in elements) of a contiguous tensor.
Extents ContiguousStrides(const Extents& shape);

// For every index i over `shape`:
//   dst[dst_offset + sum_d i_d * dst_strides[d]] = src[src_offset + sum_d i_d * src_strides[d]]
// Offsets and strides count elements of `elem_size` bytes; strides may be 0 (broadcast) or
// negative. Contiguous runs become memcpy; large copies run on the thread pool. The source
// and destination elements must not overlap.
void CopyStrided(void* dst, const void* src, size_t elem_size, const Extents& shape,
                 const Extents& dst_strides, int64_t dst_offset, const Extents& src_strides,
                 int64_t src_offset);

// Copies n bytes (in parallel when large); nothing when dst == src.
void CopyBytes(void* dst, const void* src, size_t n);

// Fills n elements of `dst` with the element at `value`.
void FillElements(void* dst, int64_t n, const void* value, size_t elem_size);

// Transpose: result dimension d is input dimension perm[d].
void TransposeCopy(void* dst, const void* src, size_t elem_size, const Extents& in_shape,
                   const Extents& perm);

// Slice: result index i along dimension d reads input index starts[d] + i * steps[d].
void SliceCopy(void* dst, const void* src, size_t elem_size, const Extents& in_shape,
               const Extents& out_shape, const Extents& starts, const Extents& steps);

// Broadcasts `src` (shape right-aligned to out_shape, dimensions 1 or equal) to out_shape.
void ExpandCopy(void* dst, const void* src, size_t elem_size, const Extents& in_shape,
                const Extents& out_shape);

// Repeats `src` repeats[d] times along each dimension d.
void TileCopy(void* dst, const void* src, size_t elem_size, const Extents& in_shape,
              const Extents& repeats);

// Copies `src` into the window of `dst` (shape dst_shape) that starts at `axis_offset`
// along `axis` (Concat), or the reverse (Split).
void CopyToWindow(void* dst, const Extents& dst_shape, const void* src, const Extents& src_shape,
                  int axis, int64_t axis_offset, size_t elem_size);
void CopyFromWindow(void* dst, const Extents& dst_shape, const void* src, const Extents& src_shape,
                    int axis, int64_t axis_offset, size_t elem_size);

enum class PadMode { kConstant, kReflect, kEdge };
// Pads (pads: all begins, then all ends; negative values crop). `value` is one element, used
// by kConstant.
void PadCopy(void* dst, const void* src, size_t elem_size, const Extents& in_shape,
             const Extents& pads, PadMode mode, const void* value);

}  // namespace odla_rt
