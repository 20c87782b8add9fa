// Recurrent layer kernels (ONNX RNN, GRU, LSTM) for float and double: the input projections
// of all steps are one GEMM per direction, the recurrence one GEMM per step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace odla_rt {

enum class RnnActKind {
  kRelu,
  kTanh,
  kSigmoid,
  kAffine,
  kLeakyRelu,
  kThresholdedRelu,
  kScaledTanh,
  kHardSigmoid,
  kElu,
  kSoftsign,
  kSoftplus
};

struct RnnActivation {
  RnnActKind kind;
  float alpha, beta;
};

// Parses an activation name (as the ONNX recurrent ops spell them); throws if unknown.
RnnActKind ParseRnnActivation(const std::string& name);

enum class RnnCell { kRnn, kGru, kLstm };

struct RnnSpec {
  RnnCell cell;
  int64_t seq, batch, input, hidden;
  int64_t num_dir;                  // 1 or 2 (bidirectional: forward, then reverse)
  bool reverse;                     // num_dir == 1: run backwards
  bool batch_major;                 // layout 1: X [batch, seq, input], Y [batch, seq, dir, hidden]
  float clip;                       // > 0: clip gate pre-activations to [-clip, clip]
  bool input_forget;                // LSTM: f = 1 - i
  bool linear_before_reset;         // GRU
  std::vector<RnnActivation> acts;  // per direction: 1 (RNN), 2 (GRU) or 3 (LSTM)
  int64_t gates() const { return cell == RnnCell::kRnn ? 1 : cell == RnnCell::kGru ? 3 : 4; }
};

// Buffers in ONNX layouts; optional inputs and unwanted results are null.
template <typename T>
struct RnnBuffers {
  const T* x;
  const T* w;
  const T* r;
  const T* b;
  const int32_t* seq_lens;
  const T* h0;
  const T* c0;
  const T* p;
  T* y;
  T* y_h;
  T* y_c;
};

template <typename T>
void Rnn(const RnnSpec& s, const RnnBuffers<T>& io);

}  // namespace odla_rt
