// ONNX MelWeightMatrix: triangular mel-scale filters over the bins of a one-sided spectrum.
#pragma once

#include <cstdint>
#include <vector>

#include "../common/runtime.h"

namespace odla_rt {

// The [dft_length / 2 + 1, num_mel_bins] matrix, row-major, computed as ONNX's reference
// does (filter edges in whole spectrum bins). Throws RtError when a filter edge falls
// outside the spectrum.
std::vector<double> MelWeights(int64_t num_mel_bins, int64_t dft_length, int64_t sample_rate,
                               double lower_edge_hertz, double upper_edge_hertz);

}  // namespace odla_rt
