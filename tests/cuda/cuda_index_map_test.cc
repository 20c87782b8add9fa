// libodla_cuda's index maps (runtimes/cuda/index_map.h) on the host, where they run without a
// GPU: FastDiv against division, MapOffsets32 against the 64-bit MapOffsets, and widened and
// tiled copies against the copy they replace.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "../../runtimes/cuda/kernels.h"

namespace {

using odla_cuda::FastDiv;
using odla_cuda::SmallMap;
using odla_cuda::StridedMap;

TEST(CudaFastDiv, EqualsDivision) {
  std::mt19937 rng(5);
  std::vector<uint32_t> divisors;
  for (uint32_t d = 1; d <= 3000; ++d) divisors.push_back(d);
  for (int s = 12; s <= 31; ++s)
    for (int64_t off : {-1, 0, 1})
      divisors.push_back(static_cast<uint32_t>((int64_t(1) << s) + off));
  for (int i = 0; i < 2000; ++i) divisors.push_back(1 + rng() % 0x7fffffffu);
  const uint32_t top = 0x7fffffffu;  // the largest numerator
  for (uint32_t d : divisors) {
    if (d > (1u << 31)) continue;
    FastDiv f(d);
    std::vector<uint32_t> ns = {0, 1, d - 1, d, top, top - 1, top / d * d, top / d * d - 1};
    for (int i = 0; i < 64; ++i) ns.push_back(rng() & top);
    for (int i = 0; i < 16; ++i) ns.push_back(rng() % (3 * d) & top);
    for (uint32_t n : ns) {
      if (n > top) continue;
      ASSERT_EQ(f.Div(n), n / d) << n << " / " << d;
    }
  }
  EXPECT_THROW(FastDiv(0), std::invalid_argument);
}

void ExpectSameOffsets(const StridedMap& m) {
  SmallMap s;
  ASSERT_TRUE(MakeSmallMap(m, &s));
  for (int64_t i = 0; i < m.Count(); ++i) {
    int64_t a, b;
    int32_t a32, b32;
    odla_cuda::MapOffsets(m, i, &a, &b);
    MapOffsets32(s, static_cast<uint32_t>(i), &a32, &b32);
    ASSERT_EQ(a32, a) << "index " << i;
    ASSERT_EQ(b32, b) << "index " << i;
  }
}

TEST(CudaIndexMap, SmallMapsGiveTheOffsetsOfTheMap) {
  using odla_cuda::SliceMap;
  using odla_cuda::TransposeMap;
  ExpectSameOffsets(TransposeMap({2, 3, 4, 5}, {0, 2, 1, 3}));
  ExpectSameOffsets(TransposeMap({3, 4, 5, 7}, {3, 1, 0, 2}));
  ExpectSameOffsets(TransposeMap({2, 1, 3, 2, 2, 3, 1, 2}, {7, 6, 5, 4, 3, 2, 1, 0}));
  ExpectSameOffsets(SliceMap({4, 6, 5}, {2, 3, 5}, {3, 5, 0}, {-1, -2, 1}));  // reversed
  ExpectSameOffsets(SliceMap({8, 12}, {8, 5}, {0, 3}, {1, 2}));
  // A broadcast (stride 0) over an encoder-sized [4096, 768].
  StridedMap bias = odla_cuda::MakeMap({4096, 768}, {768, 1}, 0, {0, 1}, 0);
  ExpectSameOffsets(bias);
}

TEST(CudaIndexMap, MapsBeyond31BitsStayWide) {
  SmallMap s;
  // 2^31 indices.
  EXPECT_FALSE(MakeSmallMap(odla_cuda::MakeMap({2, int64_t(1) << 30}, {1, 2}, 0, {1, 2}, 0), &s));
  // Few indices, far offsets: a stride of 2^30 over 3 steps, and a base past 2^31.
  EXPECT_FALSE(MakeSmallMap(odla_cuda::MakeMap({3, 2}, {int64_t(1) << 30, 1}, 0, {2, 1}, 0), &s));
  EXPECT_FALSE(MakeSmallMap(odla_cuda::MakeMap({4}, {1}, int64_t(1) << 31, {1}, 0), &s));
  // A reversed walk that ends below -2^31.
  EXPECT_FALSE(
      MakeSmallMap(odla_cuda::MakeMap({3, 2}, {-(int64_t(1) << 30), 1}, 0, {2, 1}, 0), &s));
  // Just inside.
  EXPECT_TRUE(
      MakeSmallMap(odla_cuda::MakeMap({2, 2}, {(int64_t(1) << 30) - 1, 1}, 0, {2, 1}, 0), &s));
}

// dst[a(i)] = src[b(i)] on the host in elements of `es` bytes.
void HostCopy(uint8_t* dst, const uint8_t* src, size_t es, const StridedMap& m) {
  for (int64_t i = 0; i < m.Count(); ++i) {
    int64_t a, b;
    odla_cuda::MapOffsets(m, i, &a, &b);
    std::memcpy(dst + a * es, src + b * es, es);
  }
}

// Copies `src_elems` elements of 4 bytes, starting `src_shift` and `dst_shift` bytes into
// 16-byte aligned buffers, once as mapped and once widened; expects the same bytes and
// returns the width WidenCopy chose.
size_t WidenedCopy(const StridedMap& m, size_t src_elems, size_t dst_elems, size_t src_shift = 0,
                   size_t dst_shift = 0) {
  constexpr size_t es = 4;
  alignas(16) static uint8_t src[1 << 16], want[1 << 16], got[1 << 16];
  EXPECT_LE(src_elems * es + src_shift, sizeof(src));
  EXPECT_LE(dst_elems * es + dst_shift, sizeof(want));
  for (size_t i = 0; i < sizeof(src); ++i) src[i] = static_cast<uint8_t>(i * 7 + 3);
  std::memset(want, 0xee, sizeof(want));
  std::memset(got, 0xee, sizeof(got));
  HostCopy(want + dst_shift, src + src_shift, es, m);
  StridedMap w = m;
  size_t width = WidenCopy(&w, es, got + dst_shift, src + src_shift);
  HostCopy(got + dst_shift, src + src_shift, width, w);
  EXPECT_EQ(w.Count() * width, m.Count() * es);
  EXPECT_EQ(std::memcmp(want, got, sizeof(want)), 0) << "width " << width;
  return width;
}

TEST(CudaIndexMap, CopiesWidenWhereTheInnermostRunAllows) {
  using odla_cuda::SliceMap;
  using odla_cuda::TransposeMap;
  // Attention's head split: [2, 16, 3, 64] -> [2, 3, 16, 64], 64 contiguous floats.
  EXPECT_EQ(WidenedCopy(TransposeMap({2, 16, 3, 64}, {0, 2, 1, 3}), 6144, 6144), 16u);
  // A third of the columns of [32, 96] (a fused QKV projection's Q, K or V).
  EXPECT_EQ(WidenedCopy(SliceMap({32, 96}, {32, 32}, {0, 32}, {1, 1}), 3072, 1024), 16u);
  // Columns from an odd start: 4-byte elements only.
  EXPECT_EQ(WidenedCopy(SliceMap({32, 96}, {32, 30}, {0, 33}, {1, 1}), 3072, 960), 4u);
  // Source rows of 98 and 97 floats: 32 aligned columns at a time on the result side only.
  EXPECT_EQ(WidenedCopy(SliceMap({32, 98}, {32, 32}, {0, 32}, {1, 1}), 3136, 1024), 8u);
  EXPECT_EQ(WidenedCopy(SliceMap({32, 97}, {32, 32}, {0, 32}, {1, 1}), 3104, 1024), 4u);
  // From 2 (mod 4): two floats at a time.
  EXPECT_EQ(WidenedCopy(SliceMap({32, 96}, {32, 30}, {0, 34}, {1, 1}), 3072, 960), 8u);
  // The same, with a source pointer 8 bytes past 16-byte alignment.
  EXPECT_EQ(WidenedCopy(SliceMap({32, 96}, {32, 32}, {0, 32}, {1, 1}), 3072, 1024, 8, 0), 8u);
  // A destination 4 bytes past it.
  EXPECT_EQ(WidenedCopy(SliceMap({32, 96}, {32, 32}, {0, 32}, {1, 1}), 3072, 1024, 0, 4), 4u);
  // The innermost axis moved, reversed or broadcast: nothing widens.
  EXPECT_EQ(WidenedCopy(TransposeMap({8, 12}, {1, 0}), 96, 96), 4u);
  EXPECT_EQ(WidenedCopy(SliceMap({8, 12}, {8, 12}, {0, 11}, {1, -1}), 96, 96), 4u);
  EXPECT_EQ(WidenedCopy(odla_cuda::MakeMap({6, 8}, {8, 1}, 0, {1, 0}, 0), 6, 48), 4u);
  // A dense copy of 10 floats: 8-byte elements (10 is not a multiple of 4).
  EXPECT_EQ(WidenedCopy(odla_cuda::MakeMap({10}, {1}, 0, {1}, 0), 10, 10), 8u);
  // A single element: rank 0.
  EXPECT_EQ(WidenedCopy(odla_cuda::MakeMap({1, 1}, {1, 1}, 2, {1, 1}, 5), 8, 8), 4u);
}

// The copy as TiledCopyKernel makes it: every element of every tile of every batch index.
std::vector<int64_t> TiledOnHost(const odla_cuda::TilePlan& p, const std::vector<int64_t>& src,
                                 size_t dst_elems) {
  std::vector<int64_t> dst(dst_elems, -1);
  for (int64_t z = 0; z < p.count; ++z)
    for (int64_t r0 = 0; r0 < p.rows; r0 += odla_cuda::kTile)
      for (int64_t c0 = 0; c0 < p.cols; c0 += odla_cuda::kTile) {
        int64_t a0, b0;
        TileOffsets(p, z, r0, c0, &a0, &b0);
        for (int64_t r = r0; r < std::min(r0 + odla_cuda::kTile, p.rows); ++r)
          for (int64_t c = c0; c < std::min(c0 + odla_cuda::kTile, p.cols); ++c) {
            int64_t a, b;
            TileOffsets(p, z, r, c, &a, &b);
            EXPECT_EQ(a, a0 + (r - r0) * p.a_row + (c - c0));  // the kernel's arithmetic
            EXPECT_EQ(b, b0 + (r - r0) + (c - c0) * p.b_col);
            EXPECT_EQ(dst.at(a), -1) << "written twice";
            dst.at(a) = src.at(b);
          }
      }
  return dst;
}

// Whether `in` transposed by `perm` is tiled; if so, expects the tiled copy to equal it.
bool TiledTransposeIsRight(const std::vector<int64_t>& in, const std::vector<int64_t>& perm) {
  StridedMap m = odla_cuda::TransposeMap(in, perm);
  odla_cuda::TilePlan p;
  if (!MakeTilePlan(m, &p)) return false;
  std::vector<int64_t> src(m.Count());
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<int64_t>(i) * 3 + 1;
  std::vector<int64_t> want(src.size(), -1);
  for (int64_t i = 0; i < m.Count(); ++i) {
    int64_t a, b;
    odla_cuda::MapOffsets(m, i, &a, &b);
    want.at(a) = src.at(b);
  }
  EXPECT_EQ(TiledOnHost(p, src, src.size()), want);
  return true;
}

TEST(CudaIndexMap, TransposesOfTheInnermostAxisGoInTiles) {
  // Attention's K transpose, [32, 128, 768] -> [32, 768, 128], here [3, 40, 70].
  EXPECT_TRUE(TiledTransposeIsRight({3, 40, 70}, {0, 2, 1}));
  EXPECT_TRUE(TiledTransposeIsRight({33, 65}, {1, 0}));
  EXPECT_TRUE(TiledTransposeIsRight({2, 5, 7, 40}, {0, 3, 1, 2}));   // NHWC -> NCHW
  EXPECT_TRUE(TiledTransposeIsRight({2, 17, 3, 20}, {3, 2, 0, 1}));  // batch dims on both sides
  // The innermost axis stays (those widen instead), or a side is shorter than half a tile.
  EXPECT_FALSE(TiledTransposeIsRight({2, 16, 3, 64}, {0, 2, 1, 3}));
  EXPECT_FALSE(TiledTransposeIsRight({100, 2}, {1, 0}));
  EXPECT_FALSE(TiledTransposeIsRight({2, 1, 3, 2, 2, 3, 1, 2}, {7, 6, 5, 4, 3, 2, 1, 0}));
}

}  // namespace
