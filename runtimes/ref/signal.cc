// ODLA builders of the signal ops: DFT, STFT, MelWeightMatrix.
#include <memory>

#include "../common/builder.h"
#include "../kernels/dispatch.h"
#include "../kernels/fft.h"
#include "../kernels/mel.h"

using namespace odla_rt;

extern "C" {

ODLA_WEAK odla_value odla_DFT(odla_value input, odla_int64 dft_length, odla_int64 axis,
                              odla_int64 inverse, odla_int64 onesided, odla_value_type result_type,
                              odla_value_id id) {
  return Guard("odla_DFT", id, [&] {
    CheckInput(input, "input");
    auto xs = Dims(input->type.shape);
    int64_t rank = static_cast<int64_t>(xs.size());
    if (rank < 2 || (xs.back() != 1 && xs.back() != 2))
      Fail("input must be [batch, signal dims..., 1 or 2]");
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank - 2) Fail("axis out of range");
    if (dft_length < 1) Fail("dft_length must be positive");
    int64_t c = xs.back();
    if (onesided && (c != 1 || inverse))
      Fail("onesided needs a real input and a forward transform");
    int64_t out_len = onesided ? dft_length / 2 + 1 : dft_length;
    auto ys = xs;
    ys[axis] = out_len;
    ys.back() = 2;
    if (result_type.element_type != input->type.element_type || Dims(result_type.shape) != ys)
      Fail("the result must be the input's element type with shape [..., ", out_len, ", ..., 2]");
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= xs[i];
    for (int64_t i = axis + 1; i < rank - 1; ++i) inner *= xs[i];
    int64_t len = xs[axis];
    double scale = inverse ? 1.0 / static_cast<double>(dft_length) : 1.0;
    auto plan = std::make_shared<const FftPlan>(dft_length, inverse != 0);
    return AddOp1("DFT", {input}, result_type, id,
                  DispatchFloat(input->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      Dft<T>(*plan, outer, len, inner, c, k.In<T>(0), out_len, scale, k.Out<T>(0));
                    };
                  }));
  });
}

ODLA_WEAK odla_value odla_STFT(odla_value signal, odla_value window, odla_int64 onesided,
                               odla_int64 frame_step, odla_int64 frame_length,
                               odla_value_type result_type, odla_value_id id) {
  return Guard("odla_STFT", id, [&] {
    CheckInput(signal, "signal");
    auto xs = Dims(signal->type.shape);
    if (xs.size() != 3 || (xs[2] != 1 && xs[2] != 2))
      Fail("signal must be [batch, length, 1 or 2]");
    if (frame_step < 1 || frame_length < 1 || frame_length > xs[1])
      Fail("need frame_step >= 1 and 1 <= frame_length <= the signal length ", xs[1]);
    if (window) {
      CheckSameElementType(signal, window);
      if (Dims(window->type.shape) != std::vector<int64_t>{frame_length})
        Fail("window must be [", frame_length, "]");
    }
    int64_t c = xs[2];
    if (onesided && c != 1) Fail("onesided needs a real signal");
    int64_t frames = (xs[1] - frame_length) / frame_step + 1;
    int64_t bins = onesided ? frame_length / 2 + 1 : frame_length;
    if (result_type.element_type != signal->type.element_type ||
        Dims(result_type.shape) != std::vector<int64_t>{xs[0], frames, bins, 2})
      Fail("the result must be [", xs[0], ", ", frames, ", ", bins, ", 2] of the signal's type");
    int64_t batch = xs[0], len = xs[1], step = frame_step;
    auto plan = std::make_shared<const FftPlan>(frame_length, false);
    return AddOp1("STFT", {signal, window}, result_type, id,
                  DispatchFloat(signal->type.element_type, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      Stft<T>(*plan, batch, len, c, k.In<T>(0), step, k.In<T>(1), frames, bins,
                              k.Out<T>(0));
                    };
                  }));
  });
}

ODLA_WEAK odla_value odla_MelWeightMatrix(odla_int64 num_mel_bins, odla_int64 dft_length,
                                          odla_int64 sample_rate, odla_float32 lower_edge_hertz,
                                          odla_float32 upper_edge_hertz,
                                          odla_element_type output_datatype,
                                          odla_value_type result_type, odla_value_id id) {
  return Guard("odla_MelWeightMatrix", id, [&] {
    auto w = std::make_shared<const std::vector<double>>(
        MelWeights(num_mel_bins, dft_length, sample_rate, lower_edge_hertz, upper_edge_hertz));
    if (result_type.element_type != output_datatype ||
        Dims(result_type.shape) != std::vector<int64_t>{dft_length / 2 + 1, num_mel_bins})
      Fail("the result must be [", dft_length / 2 + 1, ", ", num_mel_bins, "] of output_datatype");
    return AddOp1("MelWeightMatrix", {}, result_type, id,
                  DispatchNumeric(output_datatype, [&](auto tag) -> Kernel {
                    using T = typename decltype(tag)::type;
                    return [=](const KernelArgs& k) {
                      T* y = k.Out<T>(0);
                      for (size_t i = 0; i < w->size(); ++i) y[i] = static_cast<T>((*w)[i]);
                    };
                  }));
  });
}

}  // extern "C"

// Fallbacks of the runtimes that override these builders (see ODLA_REF_ALIAS).
ODLA_REF_ALIAS(DFT)
ODLA_REF_ALIAS(STFT)
ODLA_REF_ALIAS(MelWeightMatrix)
