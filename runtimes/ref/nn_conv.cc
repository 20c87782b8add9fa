// ODLA builders of Conv, ConvTranspose and FusedConv (Conv, a residual sum, an activation).
#include "../common/file_pages.h"
#include "../kernels/conv.h"
#include "../kernels/dispatch.h"
#include "nn_window.h"

using namespace odla_rt;

namespace {

ConvShape MakeConvShape(odla_value X, odla_value W, odla_value B, const odla_value_type& result,
                        int64_t group, const odla_ints& strides, const odla_ints& dilations,
                        const odla_ints& pads, bool transposed) {
  CheckInput(X, "X");
  CheckInput(W, "W");
  CheckSameElementType(X, W);
  if (B) CheckSameElementType(X, B);
  if (result.element_type != X->type.element_type) Fail("result type differs from X");
  return ConvGeometry(X, W, B, result, group, strides, dilations, pads, transposed);
}

// W's packed copy when W is a float32 constant of a convolution on the GEMM (not depthwise),
// else null. The GEMM then reads the copy instead of packing W on every call, and W's own
// pages leave the resident set where they are a file's (ReleaseFilePages).
std::shared_ptr<const ConvPackedWeights> PackedWeights(odla_value W, const ConvShape& s) {
  if (W->type.element_type != ODLA_FLOAT32 || !W->const_data) return nullptr;
  auto packed = PackConvWeights(s, static_cast<const float*>(W->const_data));
  if (packed) ReleaseFilePages(W->const_data, ByteSize(W->type));
  return packed;
}

}  // namespace

extern "C" {

ODLA_WEAK odla_value odla_Conv(odla_value X, odla_value W, odla_value B, odla_ints dilations,
                               odla_int64 group, odla_ints pads, odla_ints strides,
                               odla_value_type result_type, odla_value_id id) {
  return Guard("odla_Conv", id, [&] {
    ConvShape s = MakeConvShape(X, W, B, result_type, group, strides, dilations, pads, false);
    auto packed = PackedWeights(W, s);
    return AddOp1("Conv", {X, W, B}, result_type, id,
                  DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      Conv<T>(s, k.In<T>(0), k.In<T>(1), k.In<T>(2), k.Out<T>(0), nullptr, {},
                              packed.get());
                    };
                  }));
  });
}

ODLA_WEAK odla_value odla_FusedConv(odla_value X, odla_value W, odla_value B, odla_value Sum,
                                    odla_ints dilations, odla_int64 group, odla_ints pads,
                                    odla_ints strides, const char* activation,
                                    odla_float32 activation_alpha, odla_float32 activation_beta,
                                    odla_value_type result_type, odla_value_id id) {
  return Guard("odla_FusedConv", id, [&] {
    ConvShape s = MakeConvShape(X, W, B, result_type, group, strides, dilations, pads, false);
    if (Sum && !SameType(Sum->type, result_type))
      Fail("Sum ", TypeToString(Sum->type), " must have the result's type ",
           TypeToString(result_type));
    Activation act =
        ParseActivation(activation ? activation : "", activation_alpha, activation_beta);
    bool has_sum = Sum != nullptr;
    auto packed = PackedWeights(W, s);
    return AddOp1("FusedConv", {X, W, B, Sum}, result_type, id,
                  DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      Conv<T>(s, k.In<T>(0), k.In<T>(1), k.In<T>(2), k.Out<T>(0),
                              has_sum ? k.In<T>(3) : nullptr, act, packed.get());
                    };
                  }));
  });
}

ODLA_WEAK odla_value odla_ConvTranspose(odla_value X, odla_value W, odla_value B,
                                        odla_ints dilations, odla_int64 group,
                                        odla_ints output_padding, odla_ints pads, odla_ints strides,
                                        odla_value_type result_type, odla_value_id id) {
  return Guard("odla_ConvTranspose", id, [&] {
    ConvShape s = MakeConvShape(X, W, B, result_type, group, strides, dilations, pads, true);
    auto op = FromInts(output_padding);
    for (int a = 3 - (X->type.shape.size - 2), i = 0; a < 3; ++a, ++i) {
      int64_t extra = op.empty() ? 0 : op[i];
      int64_t want = s.w.stride[a] * (s.w.in[a] - 1) + extra + (s.w.k[a] - 1) * s.w.dil[a] + 1 -
                     s.w.pad[a] - s.w.pad_end[a];
      if (s.w.out[a] != want)
        Fail("result spatial size ", s.w.out[a], " does not match the transposed window (", want,
             ")");
    }
    return AddOp1("ConvTranspose", {X, W, B}, result_type, id,
                  DispatchFloat(X->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      ConvTranspose<T>(s, k.In<T>(0), k.In<T>(1), k.In<T>(2), k.Out<T>(0));
                    };
                  }));
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(Conv)
ODLA_REF_ALIAS(FusedConv)
ODLA_REF_ALIAS(ConvTranspose)
