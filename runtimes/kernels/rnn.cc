#include "rnn.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "../common/runtime.h"
#include "gemm.h"

namespace odla_rt {

RnnActKind ParseRnnActivation(const std::string& name) {
  static const struct {
    const char* name;
    RnnActKind kind;
  } kNames[] = {{"relu", RnnActKind::kRelu},
                {"tanh", RnnActKind::kTanh},
                {"sigmoid", RnnActKind::kSigmoid},
                {"affine", RnnActKind::kAffine},
                {"leakyrelu", RnnActKind::kLeakyRelu},
                {"thresholdedrelu", RnnActKind::kThresholdedRelu},
                {"scaledtanh", RnnActKind::kScaledTanh},
                {"hardsigmoid", RnnActKind::kHardSigmoid},
                {"elu", RnnActKind::kElu},
                {"softsign", RnnActKind::kSoftsign},
                {"softplus", RnnActKind::kSoftplus}};
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& e : kNames)
    if (lower == e.name) return e.kind;
  Fail("unsupported activation '", name, "'");
}

namespace {

template <typename T>
void Activate(const RnnActivation& a, T* x, int64_t n) {
  const T al = static_cast<T>(a.alpha), be = static_cast<T>(a.beta);
  switch (a.kind) {
    case RnnActKind::kRelu:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] > T(0) ? x[i] : T(0);
      break;
    case RnnActKind::kTanh:
      for (int64_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
      break;
    case RnnActKind::kSigmoid:
      for (int64_t i = 0; i < n; ++i) x[i] = T(1) / (T(1) + std::exp(-x[i]));
      break;
    case RnnActKind::kAffine:
      for (int64_t i = 0; i < n; ++i) x[i] = al * x[i] + be;
      break;
    case RnnActKind::kLeakyRelu:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] >= T(0) ? x[i] : al * x[i];
      break;
    case RnnActKind::kThresholdedRelu:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] > al ? x[i] : T(0);
      break;
    case RnnActKind::kScaledTanh:
      for (int64_t i = 0; i < n; ++i) x[i] = al * std::tanh(be * x[i]);
      break;
    case RnnActKind::kHardSigmoid:
      for (int64_t i = 0; i < n; ++i) x[i] = std::max(T(0), std::min(T(1), al * x[i] + be));
      break;
    case RnnActKind::kElu:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] >= T(0) ? x[i] : al * (std::exp(x[i]) - T(1));
      break;
    case RnnActKind::kSoftsign:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] / (T(1) + std::fabs(x[i]));
      break;
    case RnnActKind::kSoftplus:
      for (int64_t i = 0; i < n; ++i) x[i] = std::log1p(std::exp(x[i]));
      break;
  }
}

template <typename T>
void Clip(float clip, T* x, int64_t n) {
  if (clip <= 0) return;
  const T c = static_cast<T>(clip);
  for (int64_t i = 0; i < n; ++i) x[i] = std::max(-c, std::min(c, x[i]));
}

// One direction of a layer. Row (t, b) of X, Y and the input projections is t * batch + b
// (sequence-major) or b * seq + t (batch-major).
template <typename T>
class Direction {
 public:
  Direction(const RnnSpec& s, const RnnBuffers<T>& io, int64_t d, const std::vector<int64_t>& len)
      : s_(s), io_(io), d_(d), len_(len), H_(s.hidden), G_(s.gates()) {
    acts_ = &s.acts[d * (s.cell == RnnCell::kRnn ? 1 : s.cell == RnnCell::kGru ? 2 : 3)];
    reverse_ = s.num_dir == 2 ? d == 1 : s.reverse;
  }

  void Run() {
    const int64_t S = s_.seq, N = s_.batch, I = s_.input, GH = G_ * H_;
    const T* w = io_.w + d_ * GH * I;
    r_ = io_.r + d_ * GH * H_;
    // Input projections of every step with the biases folded in; the GRU h-gate
    // recurrence bias stays apart when linear_before_reset (it is scaled by r).
    xw_.assign(S * N * GH, T(0));
    Gemm<T>(false, true, S * N, GH, I, T(1), io_.x, I, w, I, T(0), xw_.data(), GH);
    rb_h_.assign(H_, T(0));
    if (io_.b) {
      const T* wb = io_.b + d_ * 2 * GH;
      const T* rb = wb + GH;
      std::vector<T> bias(wb, wb + GH);
      bool apart = s_.cell == RnnCell::kGru && s_.linear_before_reset;
      for (int64_t j = 0; j < GH; ++j)
        if (!(apart && j >= 2 * H_)) bias[j] += rb[j];
      if (apart) std::copy(rb + 2 * H_, rb + 3 * H_, rb_h_.begin());
      for (int64_t row = 0; row < S * N; ++row) {
        T* x = xw_.data() + row * GH;
        for (int64_t j = 0; j < GH; ++j) x[j] += bias[j];
      }
    }
    h_.assign(N * H_, T(0));
    c_.assign(N * H_, T(0));
    for (int64_t b = 0; b < N; ++b) {
      if (io_.h0) std::copy_n(io_.h0 + StateOffset(b), H_, h_.data() + b * H_);
      if (io_.c0) std::copy_n(io_.c0 + StateOffset(b), H_, c_.data() + b * H_);
    }
    hr_.assign(N * GH, T(0));
    tmp_.assign(4 * H_, T(0));
    if (s_.cell == RnnCell::kGru) zr_.assign(N * 2 * H_, T(0));
    for (int64_t step = 0; step < S; ++step) Step(step);
    for (int64_t b = 0; b < N; ++b) {
      if (io_.y_h) std::copy_n(h_.data() + b * H_, H_, io_.y_h + StateOffset(b));
      if (io_.y_c) std::copy_n(c_.data() + b * H_, H_, io_.y_c + StateOffset(b));
    }
  }

 private:
  int64_t Row(int64_t t, int64_t b) const {
    return s_.batch_major ? b * s_.seq + t : t * s_.batch + b;
  }
  int64_t StateOffset(int64_t b) const {
    return (s_.batch_major ? b * s_.num_dir + d_ : d_ * s_.batch + b) * H_;
  }
  int64_t YOffset(int64_t t, int64_t b) const {
    return s_.batch_major ? ((b * s_.seq + t) * s_.num_dir + d_) * H_
                          : ((t * s_.num_dir + d_) * s_.batch + b) * H_;
  }
  bool Valid(int64_t step, int64_t b) const { return step < len_[b]; }
  int64_t Time(int64_t step, int64_t b) const { return reverse_ ? len_[b] - 1 - step : step; }

  void Step(int64_t step) {
    const int64_t N = s_.batch, GH = G_ * H_;
    // Recurrent projections H_{t-1} R^T (for the GRU without linear_before_reset only z
    // and r: its h gate needs r first).
    bool gru_late = s_.cell == RnnCell::kGru && !s_.linear_before_reset;
    Gemm<T>(false, true, N, gru_late ? 2 * H_ : GH, H_, T(1), h_.data(), H_, r_, H_, T(0),
            hr_.data(), GH);
    switch (s_.cell) {
      case RnnCell::kRnn:
        for (int64_t b = 0; b < N; ++b) {
          if (!Valid(step, b)) continue;
          int64_t t = Time(step, b);
          const T* x = xw_.data() + Row(t, b) * GH;
          T* h = h_.data() + b * H_;
          const T* hr = hr_.data() + b * GH;
          for (int64_t j = 0; j < H_; ++j) h[j] = x[j] + hr[j];
          Clip(s_.clip, h, H_);
          Activate(acts_[0], h, H_);
          Emit(t, b);
        }
        break;
      case RnnCell::kGru:
        GruStep(step, gru_late);
        break;
      case RnnCell::kLstm:
        for (int64_t b = 0; b < N; ++b)
          if (Valid(step, b)) LstmCell(step, b);
        break;
    }
  }

  void GruStep(int64_t step, bool late) {
    const int64_t N = s_.batch, GH = G_ * H_;
    for (int64_t b = 0; b < N; ++b) {
      if (!Valid(step, b)) continue;
      const T* x = xw_.data() + Row(Time(step, b), b) * GH;
      const T* hr = hr_.data() + b * GH;
      T* zr = zr_.data() + b * 2 * H_;
      for (int64_t j = 0; j < 2 * H_; ++j) zr[j] = x[j] + hr[j];
      Clip(s_.clip, zr, 2 * H_);
      Activate(acts_[0], zr, 2 * H_);
    }
    if (late) {  // hr's h block = (r . H_{t-1}) Rh^T
      std::vector<T> rh(N * H_, T(0));
      for (int64_t b = 0; b < N; ++b) {
        if (!Valid(step, b)) continue;
        const T* r = zr_.data() + b * 2 * H_ + H_;
        for (int64_t j = 0; j < H_; ++j) rh[b * H_ + j] = r[j] * h_[b * H_ + j];
      }
      Gemm<T>(false, true, N, H_, H_, T(1), rh.data(), H_, r_ + 2 * H_ * H_, H_, T(0),
              hr_.data() + 2 * H_, GH);
    }
    for (int64_t b = 0; b < N; ++b) {
      if (!Valid(step, b)) continue;
      int64_t t = Time(step, b);
      const T* x = xw_.data() + Row(t, b) * GH + 2 * H_;
      const T* hh = hr_.data() + b * GH + 2 * H_;
      const T* z = zr_.data() + b * 2 * H_;
      const T* r = z + H_;
      T* cand = tmp_.data();
      for (int64_t j = 0; j < H_; ++j)
        cand[j] = late ? x[j] + hh[j] : x[j] + r[j] * (hh[j] + rb_h_[j]);
      Clip(s_.clip, cand, H_);
      Activate(acts_[1], cand, H_);
      T* h = h_.data() + b * H_;
      for (int64_t j = 0; j < H_; ++j) h[j] = (T(1) - z[j]) * cand[j] + z[j] * h[j];
      Emit(t, b);
    }
  }

  // Gates i, o, f, c in tmp_ blocks 0..3.
  void LstmCell(int64_t step, int64_t b) {
    const int64_t GH = G_ * H_;
    int64_t t = Time(step, b);
    const T* x = xw_.data() + Row(t, b) * GH;
    const T* hr = hr_.data() + b * GH;
    T* g = tmp_.data();
    for (int64_t j = 0; j < GH; ++j) g[j] = x[j] + hr[j];
    T *gi = g, *go = g + H_, *gf = g + 2 * H_, *gc = g + 3 * H_;
    T* c = c_.data() + b * H_;
    T* h = h_.data() + b * H_;
    const T* p = io_.p ? io_.p + d_ * 3 * H_ : nullptr;
    if (p)
      for (int64_t j = 0; j < H_; ++j) {
        gi[j] += p[j] * c[j];
        gf[j] += p[2 * H_ + j] * c[j];
      }
    Clip(s_.clip, gi, H_);
    Clip(s_.clip, gf, H_);
    Clip(s_.clip, gc, H_);
    Activate(acts_[0], gi, H_);
    if (s_.input_forget)
      for (int64_t j = 0; j < H_; ++j) gf[j] = T(1) - gi[j];
    else
      Activate(acts_[0], gf, H_);
    Activate(acts_[1], gc, H_);
    for (int64_t j = 0; j < H_; ++j) c[j] = gf[j] * c[j] + gi[j] * gc[j];
    if (p)
      for (int64_t j = 0; j < H_; ++j) go[j] += p[H_ + j] * c[j];
    Clip(s_.clip, go, H_);
    Activate(acts_[0], go, H_);
    std::copy_n(c, H_, gc);  // gc is free again: h(C)
    Activate(acts_[2], gc, H_);
    for (int64_t j = 0; j < H_; ++j) h[j] = go[j] * gc[j];
    Emit(t, b);
  }

  void Emit(int64_t t, int64_t b) {
    if (io_.y) std::copy_n(h_.data() + b * H_, H_, io_.y + YOffset(t, b));
  }

  const RnnSpec& s_;
  const RnnBuffers<T>& io_;
  int64_t d_;
  const std::vector<int64_t>& len_;
  int64_t H_, G_;
  const RnnActivation* acts_;
  bool reverse_;
  const T* r_ = nullptr;
  std::vector<T> xw_, hr_, h_, c_, tmp_, zr_, rb_h_;
};

}  // namespace

template <typename T>
void Rnn(const RnnSpec& s, const RnnBuffers<T>& io) {
  if (io.y) std::fill_n(io.y, s.seq * s.num_dir * s.batch * s.hidden, T(0));
  std::vector<int64_t> len(s.batch, s.seq);
  if (io.seq_lens)
    for (int64_t b = 0; b < s.batch; ++b) {
      int32_t v = io.seq_lens[b];
      if (v < 0 || v > s.seq)
        Fail("sequence_lens[", b, "] = ", v, " is out of range [0, ", s.seq, "]");
      len[b] = v;
    }
  for (int64_t d = 0; d < s.num_dir; ++d) Direction<T>(s, io, d, len).Run();
}

template void Rnn<float>(const RnnSpec&, const RnnBuffers<float>&);
template void Rnn<double>(const RnnSpec&, const RnnBuffers<double>&);

}  // namespace odla_rt
