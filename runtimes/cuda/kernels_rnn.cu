// The element-wise kernels of the recurrent layers RNN, GRU and LSTM (ref: Activate, Clip and
// Direction's cells in runtimes/kernels/rnn.cc): one thread per batch row and hidden unit.
#include "../kernels/rnn.h"
#include "kernels_util.cuh"

namespace odla_cuda {
namespace {

using odla_rt::RnnActKind;

// Activate of the ref, on one float.
__device__ float Act(const RnnActs& a, int i, float x) {
  const float al = a.alpha[i], be = a.beta[i];
  switch (static_cast<RnnActKind>(a.kind[i])) {
    case RnnActKind::kRelu:
      return x > 0.f ? x : 0.f;
    case RnnActKind::kTanh:
      return tanhf(x);
    case RnnActKind::kSigmoid:
      return 1.f / (1.f + expf(-x));
    case RnnActKind::kAffine:
      return al * x + be;
    case RnnActKind::kLeakyRelu:
      return x >= 0.f ? x : al * x;
    case RnnActKind::kThresholdedRelu:
      return x > al ? x : 0.f;
    case RnnActKind::kScaledTanh:
      return al * tanhf(be * x);
    case RnnActKind::kHardSigmoid: {
      const float v = al * x + be, m = v < 1.f ? v : 1.f;  // std::min(1, v)
      return 0.f < m ? m : 0.f;                            // std::max(0, m)
    }
    case RnnActKind::kElu:
      return x >= 0.f ? x : al * (expf(x) - 1.f);
    case RnnActKind::kSoftsign:
      return x / (1.f + fabsf(x));
    case RnnActKind::kSoftplus:
      return log1pf(expf(x));
  }
  return x;
}

// Clip of the ref: std::max(-c, std::min(c, x)) when c > 0.
__device__ float ClipTo(float c, float x) {
  if (c <= 0.f) return x;
  const float m = x < c ? x : c;
  return -c < m ? m : -c;
}

__device__ int64_t Len(const RnnStep& st, int64_t b) {
  if (!st.lens) return st.g.seq;
  const int64_t v = st.lens[b];
  return v < 0 ? 0 : v > st.g.seq ? st.g.seq : v;
}

__device__ int64_t XRow(const RnnGeom& g, int64_t t, int64_t b) {
  return g.batch_major ? b * g.seq + t : t * g.batch + b;
}

__device__ int64_t YOffset(const RnnGeom& g, int64_t t, int64_t b) {
  return g.batch_major ? ((b * g.seq + t) * g.num_dir + g.dir) * g.hidden
                       : ((t * g.num_dir + g.dir) * g.batch + b) * g.hidden;
}

__device__ int64_t StateOffset(const RnnGeom& g, int64_t b) {
  return (g.batch_major ? b * g.num_dir + g.dir : g.dir * g.batch + b) * g.hidden;
}

__global__ void StepKernel(RnnStage stage, RnnStep st, int64_t width, int64_t n) {
  const RnnGeom& g = st.g;
  const int64_t H = g.hidden, GH = g.gates * H;
  ODLA_CUDA_LOOP(e, n) {
    const int64_t b = e / width, j = e % width, len = Len(st, b);
    if (st.step >= len) continue;
    const int64_t t = g.reverse ? len - 1 - st.step : st.step;
    const float* x = st.xw + XRow(g, t, b) * GH;
    const float* hr = st.hr + b * GH;
    float* h = st.h + b * H;
    switch (stage) {
      case RnnStage::kRnn:
        h[j] = Act(st.acts, 0, ClipTo(st.clip, x[j] + hr[j]));
        break;
      case RnnStage::kGruGates:  // z and r: j < 2H
        st.zr[b * 2 * H + j] = Act(st.acts, 0, ClipTo(st.clip, x[j] + hr[j]));
        break;
      case RnnStage::kGruReset:
        st.rh[b * H + j] = st.zr[b * 2 * H + H + j] * h[j];
        break;
      case RnnStage::kGruOut: {
        const float z = st.zr[b * 2 * H + j], r = st.zr[b * 2 * H + H + j];
        const float xh = x[2 * H + j], hh = hr[2 * H + j];
        const float cand =
            Act(st.acts, 1, ClipTo(st.clip, st.late ? xh + hh : xh + r * (hh + st.rb_h[j])));
        h[j] = (1.f - z) * cand + z * h[j];
        break;
      }
      case RnnStage::kLstm: {  // gates i, o, f, c
        float* c = st.c + b * H;
        float gi = x[j] + hr[j], go = x[H + j] + hr[H + j];
        float gf = x[2 * H + j] + hr[2 * H + j], gc = x[3 * H + j] + hr[3 * H + j];
        const float* p = st.p;
        if (p) {
          gi += p[j] * c[j];
          gf += p[2 * H + j] * c[j];
        }
        gi = Act(st.acts, 0, ClipTo(st.clip, gi));
        gf = st.input_forget ? 1.f - gi : Act(st.acts, 0, ClipTo(st.clip, gf));
        gc = Act(st.acts, 1, ClipTo(st.clip, gc));
        c[j] = gf * c[j] + gi * gc;
        if (p) go += p[H + j] * c[j];
        go = Act(st.acts, 0, ClipTo(st.clip, go));
        h[j] = go * Act(st.acts, 2, c[j]);
        break;
      }
    }
    const bool emits =
        stage == RnnStage::kRnn || stage == RnnStage::kGruOut || stage == RnnStage::kLstm;
    if (emits && st.y) st.y[YOffset(g, t, b) + j] = h[j];
  }
}

__global__ void CheckLensKernel(const int32_t* lens, int64_t seq, int* bad, int64_t n) {
  ODLA_CUDA_LOOP(b, n) {
    if (lens[b] < 0 || lens[b] > seq) *bad = 1;
  }
}

__global__ void BiasKernel(float* xw, int64_t gh, const float* wb, const float* rb,
                           int64_t rb_until, int64_t n) {
  ODLA_CUDA_LOOP(i, n) {
    const int64_t j = i % gh;
    xw[i] += j < rb_until ? wb[j] + rb[j] : wb[j];
  }
}

__global__ void StateKernel(float* state, const float* init, float* result, RnnGeom g,
                            bool to_layer, int64_t n) {
  ODLA_CUDA_LOOP(e, n) {
    const int64_t b = e / g.hidden, j = e % g.hidden, off = StateOffset(g, b) + j;
    if (to_layer)
      result[off] = state[e];
    else
      state[e] = init ? init[off] : 0.f;
  }
}

}  // namespace

void RnnCheckLens(cudaStream_t s, const int32_t* lens, int64_t batch, int64_t seq, int* bad) {
  Launch("RnnCheckLens", s, batch, CheckLensKernel, lens, seq, bad, batch);
}

void RnnAddBias(cudaStream_t s, float* xw, int64_t rows, int64_t gh, const float* wb,
                const float* rb, int64_t rb_until) {
  Launch("RnnAddBias", s, rows * gh, BiasKernel, xw, gh, wb, rb, rb_until, rows * gh);
}

void RnnState(cudaStream_t s, float* state, const float* init, float* result, const RnnGeom& g,
              bool to_layer) {
  const int64_t n = g.batch * g.hidden;
  Launch("RnnState", s, n, StateKernel, state, init, result, g, to_layer, n);
}

void RnnStepKernel(cudaStream_t s, RnnStage stage, const RnnStep& st) {
  const int64_t width = stage == RnnStage::kGruGates ? 2 * st.g.hidden : st.g.hidden;
  const int64_t n = st.g.batch * width;
  Launch("RnnStep", s, n, StepKernel, stage, st, width, n);
}

}  // namespace odla_cuda
