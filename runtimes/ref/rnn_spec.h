// The arguments of an ONNX recurrent layer (RNN, GRU, LSTM) checked and read into an RnnSpec:
// shared by the ref builders (nn_rnn.cc) and libodla_cuda's.
#pragma once

#include <odla/odla.h>

#include <vector>

#include "../kernels/rnn.h"

namespace odla_rt {

// The layer's inputs (optional ones NULL).
struct RnnInputs {
  odla_value x, w, r, b, seq_lens, h0, c0, p;
};

// The spec of a layer, its result types in *types; Fail()s (RtError) naming what is wrong.
RnnSpec MakeRnnSpec(const char* op, RnnCell cell, const RnnInputs& in, const odla_floats& alpha,
                    const odla_floats& beta, const char* acts, float clip, const char* direction,
                    int64_t hidden, int64_t layout, bool input_forget, bool linear_before_reset,
                    const odla_value_types& result_types, std::vector<odla_value_type>* types);

}  // namespace odla_rt
