// libodla_cuda's generating ops (ConstantOfShape, EyeLike, Range, Shape, Size,
// MelWeightMatrix: ops_generate.cc) and transforms (DFT, STFT: ops_signal.cc) against the host
// builders, as the other CudaKernels tests (cuda_kernels_util.h), every result byte for byte:
// the GPU runs the host's arithmetic. Without a GPU these tests skip.
#include "cuda_kernels_util.h"

ODLA_REF_DECL(ConstantOfShape)
ODLA_REF_DECL(EyeLike)
ODLA_REF_DECL(Range)
ODLA_REF_DECL(Shape)
ODLA_REF_DECL(Size)
ODLA_REF_DECL(MelWeightMatrix)
ODLA_REF_DECL(DFT)
ODLA_REF_DECL(STFT)

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

Arg F64(const Dims& dims, unsigned seed) {
  auto f = odla_test::Random(odla_rt::NumElements(Type(dims).shape), seed);
  return Make(dims, ODLA_FLOAT64, std::vector<double>(f.begin(), f.end()));
}

TEST_F(CudaKernels, ConstantOfShapeAndEyeLike) {
  ExpectIdentical({}, One([](auto, bool c) {
                    return OP(c, ConstantOfShape)(2.5f, 0, Type({3, 5}), "y");
                  }));
  ExpectIdentical({}, One([](auto, bool c) {
                    return OP(c, ConstantOfShape)(0.f, -3, Type({7}, ODLA_INT64), "y");
                  }));
  ExpectIdentical({}, One([](auto, bool c) {
                    return OP(c, ConstantOfShape)(0.f, 1, Type({4, 2}, ODLA_BOOL), "y");
                  }));
  ExpectIdentical({}, One([](auto, bool c) {
                    return OP(c, ConstantOfShape)(0.f, 300, Type({1000}, ODLA_INT8), "y");
                  }));
  // Diagonals on, above and below the main one, and one outside the matrix.
  for (int64_t k : {0, 2, -1, 7})
    for (odla_element_type t : {ODLA_FLOAT32, ODLA_INT32, ODLA_FLOAT64, ODLA_UINT8})
      ExpectIdentical({F32({4, 6}, 1)}, One([k, t](auto a, bool c) {
                        return OP(c, EyeLike)(a[0], t, k, Type({4, 6}, t), "y");
                      }));
}

TEST_F(CudaKernels, Range) {
  // start and delta are computation arguments (device values); limit only set the length.
  auto range = [](odla_element_type t, int64_t n) {
    return One(
        [t, n](auto a, bool c) { return OP(c, Range)(a[0], a[1], a[2], Type({n}, t), "y"); });
  };
  ExpectIdentical({I64({}, {-5}), I64({}, {25}), I64({}, {3})}, range(ODLA_INT64, 10));
  // float32: start + i * delta rounded twice, as the host rounds it (an FMA would differ).
  ExpectIdentical({Make<float>({}, ODLA_FLOAT32, {0.1f}), Make<float>({}, ODLA_FLOAT32, {30.f}),
                   Make<float>({}, ODLA_FLOAT32, {0.3f})},
                  range(ODLA_FLOAT32, 100));
  ExpectIdentical({Make<double>({}, ODLA_FLOAT64, {-1.0 / 3}), Make<double>({}, ODLA_FLOAT64, {9}),
                   Make<double>({}, ODLA_FLOAT64, {0.1})},
                  range(ODLA_FLOAT64, 100));
  // int8 wraps past 127.
  ExpectIdentical({Make<int8_t>({}, ODLA_INT8, {100}), Make<int8_t>({}, ODLA_INT8, {127}),
                   Make<int8_t>({}, ODLA_INT8, {7})},
                  range(ODLA_INT8, 40));
}

TEST_F(CudaKernels, ShapeSizeAndMelWeightMatrix) {
  ExpectIdentical({F32({2, 3, 4, 5}, 1)}, One([](auto a, bool c) {
                    return OP(c, Shape)(a[0], 1, 4, Type({3}, ODLA_INT64), "y");
                  }));
  ExpectIdentical({F32({2, 3, 4, 5}, 1)},
                  One([](auto a, bool c) { return OP(c, Size)(a[0], Type({}, ODLA_INT64), "y"); }));
  for (odla_element_type t : {ODLA_FLOAT32, ODLA_FLOAT64})
    ExpectIdentical(
        {}, One([t](auto, bool c) {
          return OP(c, MelWeightMatrix)(8, 64, 8000, 100.f, 3800.f, t, Type({33, 8}, t), "y");
        }));
}

// DFT of x along `axis` into the result type's shape.
BuildFn Dft(Dims out, int64_t n, int64_t axis, int64_t inverse, int64_t onesided,
            odla_element_type t = ODLA_FLOAT32) {
  return One([=](auto a, bool c) {
    return OP(c, DFT)(a[0], n, axis, inverse, onesided, Type(out, t), "y");
  });
}

TEST_F(CudaKernels, Dft) {
  // Radix 2: real and complex lines, forward, inverse (scaled) and one-sided.
  ExpectIdentical({F32({2, 16, 1}, 1)}, Dft({2, 16, 2}, 16, 1, 0, 0));
  ExpectIdentical({F32({2, 16, 2}, 2)}, Dft({2, 16, 2}, 16, 1, 1, 0));
  ExpectIdentical({F32({3, 32, 1}, 3)}, Dft({3, 17, 2}, 32, 1, 0, 1));
  // The direct sum (lengths below 32 that are not powers of 2): lines cut and zero-padded.
  ExpectIdentical({F32({2, 15, 2}, 4)}, Dft({2, 12, 2}, 12, 1, 0, 0));
  ExpectIdentical({F32({2, 10, 2}, 5)}, Dft({2, 12, 2}, 12, 1, 1, 0));
  // Bluestein (longer lengths that are not powers of 2), forward and inverse.
  ExpectIdentical({F32({3, 100, 2}, 6)}, Dft({3, 100, 2}, 100, 1, 0, 0));
  ExpectIdentical({F32({2, 90, 1}, 7)}, Dft({2, 51, 2}, 100, 1, 0, 1));
  ExpectIdentical({F32({1, 37, 2}, 8)}, Dft({1, 37, 2}, 37, 1, 1, 0));
  // An axis with lines on both sides of it (inner > 1), and float64.
  ExpectIdentical({F32({2, 8, 3, 4, 2}, 9)}, Dft({2, 8, 6, 4, 2}, 6, 2, 0, 0));
  ExpectIdentical({F64({2, 24, 3, 1}, 10)}, Dft({2, 64, 3, 2}, 64, 1, 0, 0, ODLA_FLOAT64));
  ExpectIdentical({F64({2, 40, 2}, 11)}, Dft({2, 40, 2}, 40, 1, 1, 0, ODLA_FLOAT64));
  // More lines than blocks: each block takes several in turn.
  ExpectIdentical({F32({1500, 8, 1}, 12)}, Dft({1500, 8, 2}, 8, 1, 0, 0));
}

BuildFn Stft(Dims out, int64_t step, int64_t n, int64_t onesided, bool window) {
  return One([=](auto a, bool c) {
    return OP(c, STFT)(a[0], window ? a[1] : nullptr, onesided, step, n, Type(out), "y");
  });
}

TEST_F(CudaKernels, Stft) {
  // 2 signals of 100 samples in frames of 16 every 6: 15 frames.
  ExpectIdentical({F32({2, 100, 1}, 1), F32({16}, 2, 1)}, Stft({2, 15, 9, 2}, 6, 16, 1, true));
  ExpectIdentical({F32({2, 100, 1}, 3)}, Stft({2, 15, 16, 2}, 6, 16, 0, false));
  // Complex signals, frame lengths for the direct sum and for Bluestein.
  ExpectIdentical({F32({1, 60, 2}, 4), F32({12}, 5, 1)}, Stft({1, 7, 12, 2}, 8, 12, 0, true));
  ExpectIdentical({F32({2, 200, 1}, 6), F32({50}, 7, 1)}, Stft({2, 7, 26, 2}, 25, 50, 1, true));
}

}  // namespace
