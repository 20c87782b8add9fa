// libodla_cuda's own kernels for data movement, along an axis and reductions (ops_layout.cc,
// ops_norm.cc, ops_reduce.cc, ops_resize.cc ...): each test builds a small computation twice,
// with the CUDA builder (odla_OP) and the host one (odla_ref_OP), on the same arguments, runs
// both and compares (cuda_kernels_util.h). Without a GPU these tests skip.

#include "cuda_kernels_util.h"

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

TEST_F(CudaKernels, ReshapeLikes) {
  for (const Arg& x : {F32({2, 3, 4}, 1), I64Seq({2, 3, 4}, -7)}) {
    odla_element_type et = x.type.element_type;
    ExpectSame({x}, One([&](auto a, bool c) {
                 return OP(c, Reshape)(a[0], Type({6, 4}, et), "y");
               }));
    ExpectSame({x}, One([&](auto a, bool c) {
                 return OP(c, Flatten)(a[0], -1, Type({6, 4}, et), "y");
               }));
    ExpectSame({x}, One([&](auto a, bool c) {
                 return OP(c, Unsqueeze)(a[0], Type({2, 1, 3, 4}, et), "y");
               }));
    ExpectSame({x}, One([&](auto a, bool c) { return OP(c, Identity)(a[0], x.type, "y"); }));
  }
  ExpectSame({F32({1, 3, 1}, 2)},
             One([](auto a, bool c) { return OP(c, Squeeze)(a[0], Type({3}), "y"); }));
}

TEST_F(CudaKernels, Transpose) {
  ExpectSame({F32({2, 3, 4, 5}, 1)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({0, 2, 1, 3}), Type({2, 4, 3, 5}), "y");
             }));
  ExpectSame({I64Seq({3, 4, 5}, -30)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({2, 0, 1}), Type({5, 3, 4}, ODLA_INT64), "y");
             }));
  ExpectSame({F32({2, 1, 3, 2, 2, 3, 1, 2}, 3)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({7, 6, 5, 4, 3, 2, 1, 0}),
                                       Type({2, 1, 3, 2, 2, 3, 1, 2}), "y");
             }));
}

TEST_F(CudaKernels, ConcatAndSplit) {
  ExpectSame({F32({2, 1, 3}, 1), F32({2, 4, 3}, 2), F32({2, 2, 3}, 3)}, One([](auto a, bool c) {
               return OP(c, Concat)(Values(a), 1, Type({2, 7, 3}), "y");
             }));
  ExpectSame({I64Seq({1, 3}, 5), I64Seq({2, 3}, -9)}, One([](auto a, bool c) {
               return OP(c, Concat)(Values(a), 0, Type({3, 3}, ODLA_INT64), "y");
             }));
  ExpectSame({F32({2, 3, 5}, 4)}, [](auto a, bool c) {
    odla_value_types t{};
    t.size = 2;
    t.types[0] = Type({2, 3, 2});
    t.types[1] = Type({2, 3, 3});
    return odla_rt::FromValues(OP(c, Split)(a[0], 2, t, "y"));
  });
}

TEST_F(CudaKernels, SliceWithNegativeSteps) {
  ExpectSame({F32({4, 6, 5}, 1)}, One([](auto a, bool c) {
               return OP(c, Slice)(a[0], Ints({1, 5, 0}), Ints({2, -2, 1}), Type({2, 3, 5}), "y");
             }));
  ExpectSame({I64Seq({7}, -3)}, One([](auto a, bool c) {
               return OP(c, Slice)(a[0], Ints({6}), Ints({-3}), Type({3}, ODLA_INT64), "y");
             }));
}

// Copies in 16-, 8- and 4-byte units (WidenCopy): an attention head split keeping 64
// contiguous floats, and column slices from aligned, even and odd starts.
TEST_F(CudaKernels, WidenedCopies) {
  ExpectSame({F32({2, 16, 3, 64}, 1)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({0, 2, 1, 3}), Type({2, 3, 16, 64}), "y");
             }));
  for (int64_t start : {32, 34, 33})
    ExpectSame({F32({16, 96}, 2)}, One([start](auto a, bool c) {
                 return OP(c, Slice)(a[0], Ints({0, start}), Ints({1, 1}), Type({16, 30}), "y");
               }));
  ExpectSame({I64Seq({5, 6}, -9)}, One([](auto a, bool c) {
               return OP(c, Slice)(a[0], Ints({1, 2}), Ints({1, 1}), Type({4, 4}, ODLA_INT64), "y");
             }));
}

// Transposes that move the innermost axis go through shared-memory tiles (TilePlan), with
// partial tiles at the edges.
TEST_F(CudaKernels, TiledTransposes) {
  ExpectSame({F32({3, 40, 70}, 1)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({0, 2, 1}), Type({3, 70, 40}), "y");
             }));
  ExpectSame({I64Seq({33, 65}, -1000)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({1, 0}), Type({65, 33}, ODLA_INT64), "y");
             }));
  ExpectSame({F32({2, 5, 7, 40}, 2)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({0, 3, 1, 2}), Type({2, 40, 5, 7}), "y");
             }));
  ExpectSame({F32({2, 17, 3, 20}, 3)}, One([](auto a, bool c) {
               return OP(c, Transpose)(a[0], Ints({3, 2, 0, 1}), Type({20, 3, 2, 17}), "y");
             }));
}

TEST_F(CudaKernels, Expand) {
  ExpectSame({F32({3, 1}, 1)}, One([](auto a, bool c) {
               return OP(c, Expand)(a[0], Type({2, 3, 4}), "y");
             }));
}

TEST_F(CudaKernels, Tile) {
  ExpectSame({F32({2, 3, 2}, 1)}, One([](auto a, bool c) {
               return OP(c, Tile)(a[0], Ints({2, 1, 3}), Type({4, 3, 6}), "y");
             }));
  ExpectSame({I64Seq({1, 4}, -2)}, One([](auto a, bool c) {
               return OP(c, Tile)(a[0], Ints({3, 2}), Type({3, 8}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, DepthToSpaceAndSpaceToDepth) {
  for (const char* mode : {"DCR", "CRD"})
    ExpectSame({F32({2, 8, 3, 2}, 1)}, One([mode](auto a, bool c) {
                 return OP(c, DepthToSpace)(a[0], 2, mode, Type({2, 2, 6, 4}), "y");
               }));
  ExpectSame({I64Seq({1, 2, 6, 4}, -20)}, One([](auto a, bool c) {
               return OP(c, SpaceToDepth)(a[0], 2, Type({1, 8, 3, 2}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, Mod) {
  ExpectSame({F32({2, 3}, 1, 9), F32({3}, 2, 4)}, One([](auto a, bool c) {
               return OP(c, Mod)(a[0], a[1], 1, Type({2, 3}), "y");
             }));
  for (int64_t fmod : {0, 1})
    ExpectSame({I64Seq({2, 4}, -9, 3), I64({4}, {4, -3, 0, -1})}, One([fmod](auto a, bool c) {
                 return OP(c, Mod)(a[0], a[1], fmod, Type({2, 4}, ODLA_INT64), "y");
               }));
}

TEST_F(CudaKernels, PRelu) {
  ExpectSame({F32({2, 3, 4}, 1), F32({3, 1}, 2)}, One([](auto a, bool c) {
               return OP(c, PRelu)(a[0], a[1], Type({2, 3, 4}), "y");
             }));
  ExpectSame({I64Seq({2, 3}, -3), I64({3}, {2, -1, 5})}, One([](auto a, bool c) {
               return OP(c, PRelu)(a[0], a[1], Type({2, 3}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, Gather) {
  // Embedding lookup: indices from an argument, negative ones count from the end.
  ExpectSame({F32({10, 4}, 1), I64({2, 3}, {0, 9, -1, 3, -10, 5})}, One([](auto a, bool c) {
               return OP(c, Gather)(a[0], a[1], 0, Type({2, 3, 4}), "y");
             }));
  ExpectSame({I64Seq({2, 5, 3}, -4)}, One([](auto a, bool c) {
               static const int32_t idx[] = {4, -2, 0};
               odla_value i = odla_CreateConstant(Type({3}, ODLA_INT32), idx, "i");
               return OP(c, Gather)(a[0], i, 1, Type({2, 3, 3}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, GatherIndexOutOfRangeFailsTheRun) {
  odla_status s;
  RunArgs({F32({4, 2}, 1), I64({2}, {1, 4})}, One([](auto a, bool c) {
            return OP(c, Gather)(a[0], a[1], 0, Type({2, 2}), "y");
          }),
          true, true, &s);
  EXPECT_NE(s, ODLA_SUCCESS);
}

TEST_F(CudaKernels, GatherElements) {
  std::vector<int64_t> idx1(3 * 2 * 5), idx0(2 * 4 * 5);
  for (size_t i = 0; i < idx1.size(); ++i) idx1[i] = static_cast<int64_t>((i * 7) % 8) - 4;
  for (size_t i = 0; i < idx0.size(); ++i) idx0[i] = static_cast<int64_t>((i * 5) % 6) - 3;
  ExpectSame({F32({3, 4, 5}, 1), I64({3, 2, 5}, idx1)}, One([](auto a, bool c) {
               return OP(c, GatherElements)(a[0], a[1], 1, Type({3, 2, 5}), "y");
             }));
  ExpectSame({F32({3, 4, 5}, 2), I64({2, 4, 5}, idx0)}, One([](auto a, bool c) {
               return OP(c, GatherElements)(a[0], a[1], 0, Type({2, 4, 5}), "y");
             }));
  ExpectSame({I64Seq({3, 4, 5}, -30)}, One([](auto a, bool c) {  // constant int32 indices
               static const int32_t idx[3 * 4 * 2] = {0, 4,  -1, 2, 3, -5, 1,  1, 0, 0, 4, 3,
                                                      2, -2, 1,  0, 3, 3,  -4, 2, 0, 1, 2, 4};
               odla_value i = odla_CreateConstant(Type({3, 4, 2}, ODLA_INT32), idx, "i");
               return OP(c, GatherElements)(a[0], i, 2, Type({3, 4, 2}, ODLA_INT64), "y");
             }));
  odla_status s;
  RunArgs({F32({4, 2}, 1), I64({1, 2}, {1, 4})}, One([](auto a, bool c) {
            return OP(c, GatherElements)(a[0], a[1], 0, Type({1, 2}), "y");
          }),
          true, true, &s);
  EXPECT_NE(s, ODLA_SUCCESS) << "an index out of range fails the run";
}

TEST_F(CudaKernels, Trilu) {
  for (int64_t upper : {0, 1})
    for (int64_t k : {-2, 0, 1, 7})
      ExpectSame({F32({2, 4, 5}, 9)}, One([upper, k](auto a, bool c) {
                   return OP(c, Trilu)(a[0], upper, k, Type({2, 4, 5}), "y");
                 }));
  ExpectSame({I64Seq({3, 3}, 1)}, One([](auto a, bool c) {
               return OP(c, Trilu)(a[0], 1, 0, Type({3, 3}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, Lrn) {
  for (int64_t size : {1, 3, 4, 5})
    ExpectSame({F32({2, 7, 5, 5}, 3)}, One([size](auto a, bool c) {
                 return OP(c, LRN)(a[0], 1e-3f, 0.75f, 2.f, size, Type({2, 7, 5, 5}), "y");
               }));
  ExpectSame({F32({3, 6}, 4)}, One([](auto a, bool c) {
               return OP(c, LRN)(a[0], 0.5f, 0.5f, 1.f, 3, Type({3, 6}), "y");
             }));
}

TEST_F(CudaKernels, Pad) {
  for (const char* mode : {"constant", "reflect", "edge"})
    ExpectSame({F32({2, 3, 4}, 1)}, One([mode](auto a, bool c) {
                 return OP(c, Pad)(a[0], nullptr, mode, Ints({0, 1, 2, 1, 2, 3}), 1.5f,
                                   Type({3, 6, 9}), "y");
               }));
  // Negative pads crop; the fill value from an input.
  ExpectSame({I64Seq({3, 4}, -5), I64({}, {42})}, One([](auto a, bool c) {
               return OP(c, Pad)(a[0], a[1], "constant", Ints({-1, 2, 1, -2}), 0,
                                 Type({3, 4}, ODLA_INT64), "y");
             }));
}

TEST_F(CudaKernels, SoftmaxAnyAxis) {
  ExpectSame({F32({3, 4, 37}, 1)}, One([](auto a, bool c) {
               return OP(c, Softmax)(a[0], 2, 0, Type({3, 4, 37}), "y");
             }));
  ExpectSame({F32({3, 4, 5}, 2)}, One([](auto a, bool c) {
               return OP(c, Softmax)(a[0], 1, 0, Type({3, 4, 5}), "y");
             }));
  ExpectSame({F32({3, 4, 5}, 3)}, One([](auto a, bool c) {
               return OP(c, Softmax)(a[0], 1, 1, Type({3, 4, 5}), "y");
             }));
  ExpectSame({F32({2, 1000}, 4, 30)}, One([](auto a, bool c) {
               return OP(c, LogSoftmax)(a[0], 1, 0, Type({2, 1000}), "y");
             }));
  ExpectSame({F32({6, 3, 2}, 5)}, One([](auto a, bool c) {
               return OP(c, LogSoftmax)(a[0], 0, 0, Type({6, 3, 2}), "y");
             }));
  // Rows for each warp width (1, 4, 16 and 32 elements per lane, partly filled), attention's
  // [heads, 128, 128] scores, and 1025 elements (a block per row).
  for (int64_t n : {1, 7, 32, 33, 128, 300, 512, 1000, 1024, 1025})
    for (bool log : {false, true})
      ExpectSame({F32({5, n}, 6 + static_cast<unsigned>(n), 20)}, One([n, log](auto a, bool c) {
                   return log ? OP(c, LogSoftmax)(a[0], 1, 0, Type({5, n}), "y")
                              : OP(c, Softmax)(a[0], 1, 0, Type({5, n}), "y");
                 }));
  ExpectSame({F32({12, 128, 128}, 7)}, One([](auto a, bool c) {
               return OP(c, Softmax)(a[0], 2, 0, Type({12, 128, 128}), "y");
             }));
}

TEST_F(CudaKernels, HardmaxAndCumSum) {
  Arg x = Make({2, 4}, ODLA_FLOAT32, std::vector<float>{1, 3, 3, 2, NAN, 2, NAN, 5});
  ExpectSame({x}, One([](auto a, bool c) {
               return OP(c, Hardmax)(a[0], 1, 0, Type({2, 4}), "y");
             }));
  ExpectSame({x}, One([](auto a, bool c) {
               return OP(c, Hardmax)(a[0], 0, 0, Type({2, 4}), "y");
             }));
  ExpectSame({F32({3, 4, 5}, 1)}, One([](auto a, bool c) {
               return OP(c, Hardmax)(a[0], 1, 1, Type({3, 4, 5}), "y");
             }));
  for (int64_t exclusive : {0, 1})
    for (int64_t reverse : {0, 1}) {
      ExpectSame({F32({3, 4, 5}, 2)}, One([=](auto a, bool c) {
                   return OP(c, CumSum)(a[0], 1, exclusive, reverse, Type({3, 4, 5}), "y");
                 }));
      ExpectSame({I64Seq({2, 6}, -5, 3)}, One([=](auto a, bool c) {
                   return OP(c, CumSum)(a[0], 1, exclusive, reverse, Type({2, 6}, ODLA_INT64), "y");
                 }));
    }
}

TEST_F(CudaKernels, InstanceNormalization) {
  ExpectSame(
      {F32({2, 3, 7, 9}, 1), F32({3}, 2), F32({3}, 3)}, One([](auto a, bool c) {
        return OP(c, InstanceNormalization)(a[0], a[1], a[2], 1e-5f, Type({2, 3, 7, 9}), "y");
      }));
  ExpectSame({F32({1, 4, 300}, 4), F32({4}, 5), F32({4}, 6)}, One([](auto a, bool c) {
               return OP(c, InstanceNormalization)(a[0], a[1], a[2], 1e-3f, Type({1, 4, 300}), "y");
             }));
}

odla_floats Floats(std::vector<float> v) {
  odla_floats f{};
  f.size = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) f.data[i] = v[i];
  return f;
}

TEST_F(CudaKernels, ResizeAndUpsample) {
  struct Case {
    const char *coord, *mode, *nearest;
    Dims out;
    std::vector<float> roi;
    int64_t exclude;
  };
  const Case cases[] = {{"asymmetric", "nearest", "floor", {1, 2, 8, 10}, {}, 0},
                        {"half_pixel", "nearest", "round_prefer_ceil", {1, 2, 3, 7}, {}, 0},
                        {"half_pixel", "linear", "round_prefer_floor", {1, 2, 7, 3}, {}, 0},
                        {"align_corners", "linear", "round_prefer_floor", {1, 2, 9, 11}, {}, 0},
                        {"pytorch_half_pixel", "cubic", "round_prefer_floor", {1, 2, 6, 9}, {}, 1},
                        {"half_pixel", "cubic", "round_prefer_floor", {1, 2, 3, 4}, {}, 0},
                        {"tf_crop_and_resize",
                         "linear",
                         "round_prefer_floor",
                         {1, 2, 5, 6},
                         {0, 0, 0.2f, -0.3f, 1, 1, 1.1f, 0.8f},
                         0}};
  for (const Case& k : cases)
    ExpectSame({F32({1, 2, 4, 5}, 1)}, One([&](auto a, bool c) {
                 return OP(c, Resize)(a[0], k.coord, -0.75f, k.exclude, 9.5f, k.mode, k.nearest,
                                      Floats(k.roi), Floats({}), Type(k.out), "y");
               }));
  ExpectSame(
      {F32({1, 3, 2, 3}, 2)}, One([](auto a, bool c) {
        return OP(c, Upsample)(a[0], "nearest", Floats({1, 1, 2, 3}), Type({1, 3, 4, 9}), "y");
      }));
  ExpectSame(
      {F32({1, 3, 2, 3}, 3)}, One([](auto a, bool c) {
        return OP(c, Upsample)(a[0], "bilinear", Floats({1, 1, 2, 2}), Type({1, 3, 4, 6}), "y");
      }));
}

TEST_F(CudaKernels, LayerNormalization) {
  ExpectSame({F32({2, 5, 768}, 1), F32({768}, 2), F32({768}, 3)}, [](auto a, bool c) {
    odla_value_types t{};
    t.size = 3;
    t.types[0] = Type({2, 5, 768});
    t.types[1] = Type({2, 5, 1});
    t.types[2] = Type({2, 5, 1});
    return odla_rt::FromValues(OP(c, LayerNormalization)(a[0], a[1], a[2], -1, 1e-5f, t, "y"));
  });
  ExpectSame({F32({3, 4, 5}, 4), F32({4, 5}, 5)}, [](auto a, bool c) {
    odla_value_types t{};
    t.size = 1;
    t.types[0] = Type({3, 4, 5});
    return odla_rt::FromValues(OP(c, LayerNormalization)(a[0], a[1], nullptr, 1, 1e-3f, t, "y"));
  });
  // Rows for each warp width, partly filled, and 1025 elements (a block per row).
  for (int64_t n : {1, 100, 300, 1000, 1025})
    ExpectSame({F32({6, n}, 6), F32({n}, 7), F32({n}, 8)}, [n](auto a, bool c) {
      odla_value_types t{};
      t.size = 3;
      t.types[0] = Type({6, n});
      t.types[1] = t.types[2] = Type({6, 1});
      return odla_rt::FromValues(OP(c, LayerNormalization)(a[0], a[1], a[2], 1, 1e-5f, t, "y"));
    });
}

TEST_F(CudaKernels, Reductions) {
  using R = odla_value (*)(odla_value, odla_ints, odla_int64, odla_value_type, odla_value_id);
  struct Case {
    R cuda, ref;
  };
  const Case cases[] = {
      {odla_ReduceSum, odla_ref_ReduceSum},       {odla_ReduceMean, odla_ref_ReduceMean},
      {odla_ReduceMax, odla_ref_ReduceMax},       {odla_ReduceMin, odla_ref_ReduceMin},
      {odla_ReduceProd, odla_ref_ReduceProd},     {odla_ReduceL2, odla_ref_ReduceL2},
      {odla_ReduceL1, odla_ref_ReduceL1},         {odla_ReduceSumSquare, odla_ref_ReduceSumSquare},
      {odla_ReduceLogSum, odla_ref_ReduceLogSum}, {odla_ReduceLogSumExp, odla_ref_ReduceLogSumExp}};
  for (const Case& r : cases) {
    auto run = [&](const Arg& x, Dims axes, bool keep, Dims out) {
      odla_element_type et = x.type.element_type;
      ExpectSame({x}, One([&](auto a, bool c) {
                   return (c ? r.cuda : r.ref)(a[0], Ints(axes), keep, Type(out, et), "y");
                 }));
    };
    run(F32({3, 4, 5}, 1, 1), {1}, true, {3, 1, 5});
    run(F32({3, 4, 5}, 2, 1), {0, 2}, false, {4});
    run(F32({2, 300}, 3, 1), {1}, false, {2});  // one block per result
    run(F32({70, 3}, 4, 1), {0, 1}, true, {1, 1});
    run(F32({3, 4}, 5, 1), {}, true, {3, 4});
    if (r.cuda != odla_ReduceL2 && r.cuda != odla_ReduceLogSum && r.cuda != odla_ReduceLogSumExp)
      run(I64Seq({3, 4, 5}, -25, 3), {0, 2}, true, {1, 4, 1});
    // Few results of many elements: several blocks per result, folded after (a product of
    // so many factors would only compare underflows).
    if (r.cuda == odla_ReduceProd) continue;
    run(F32({3, 100000}, 6, 1), {1}, false, {3});
    run(F32({40, 2, 2000}, 7, 1), {0, 2}, true, {1, 2, 1});
    if (r.cuda != odla_ReduceL2 && r.cuda != odla_ReduceLogSum && r.cuda != odla_ReduceLogSumExp)
      run(I64Seq({100000}, -50000, 7), {0}, true, {1});
  }
}

TEST_F(CudaKernels, ArgMaxArgMin) {
  // Ties (the first or last) and a NaN that never wins unless first.
  Arg x = Make({2, 4}, ODLA_FLOAT32, std::vector<float>{1, 3, 3, NAN, NAN, 2, 5, 5});
  for (int64_t last : {0, 1}) {
    ExpectSame({x}, One([last](auto a, bool c) {
                 return OP(c, ArgMax)(a[0], 1, 1, last, Type({2, 1}, ODLA_INT64), "y");
               }));
    ExpectSame({x}, One([last](auto a, bool c) {
                 return OP(c, ArgMin)(a[0], 0, 0, last, Type({4}, ODLA_INT64), "y");
               }));
  }
  ExpectSame({F32({3, 50, 7}, 1)}, One([](auto a, bool c) {
               return OP(c, ArgMax)(a[0], 1, 0, 0, Type({3, 7}, ODLA_INT64), "y");
             }));
  ExpectSame({I64Seq({4, 3}, 5, -2)}, One([](auto a, bool c) {
               return OP(c, ArgMin)(a[0], 1, 1, 0, Type({4, 1}, ODLA_INT64), "y");
             }));
  // Few long columns (a block each): ties far apart, NaNs, a NaN first, and int32.
  std::vector<float> v(2 * 3000 * 2);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>((i * 7919) % 1000) / 100.f;
  v[2 * 2999] = v[2 * 5] = 20.f, v[2 * 17 + 1] = v[2 * 2500 + 1] = -5.f;  // ties
  v[2 * 40] = v[2 * 3000 + 2 * 9 + 1] = NAN;
  v[2 * 3000] = NAN;  // row 0 of column (1, 0)
  Arg cols = Make({2, 3000, 2}, ODLA_FLOAT32, v);
  for (int64_t last : {0, 1})
    for (bool max : {true, false})
      ExpectSame({cols}, One([last, max](auto a, bool c) {
                   return max ? OP(c, ArgMax)(a[0], 1, 0, last, Type({2, 2}, ODLA_INT64), "y")
                              : OP(c, ArgMin)(a[0], 1, 0, last, Type({2, 2}, ODLA_INT64), "y");
                 }));
  std::vector<int32_t> iv(1001);
  for (size_t i = 0; i < iv.size(); ++i) iv[i] = static_cast<int32_t>((i * 37) % 101);
  for (int64_t last : {0, 1})
    ExpectSame({I32({1, 1001}, iv)}, One([last](auto a, bool c) {
                 return OP(c, ArgMax)(a[0], 1, 1, last, Type({1, 1}, ODLA_INT64), "y");
               }));
}

}  // namespace
