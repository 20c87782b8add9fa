// libodla_cuda's RNN, GRU and LSTM (ops_rnn.cc) against the host builders, as the other
// CudaKernels tests (cuda_kernels_util.h). Without a GPU they skip.

#include <string>

#include "cuda_kernels_util.h"

ODLA_REF_DECL(RNN)
ODLA_REF_DECL(GRU)
ODLA_REF_DECL(LSTM)
ODLA_REF_DECL(SVDF)
ODLA_REF_DECL(QLinearSVDF)
ODLA_REF_DECL(TfliteQuantizedLSTM)

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

// A layer's shapes and attributes.
struct Layer {
  int64_t seq = 5, batch = 3, input = 4, hidden = 6, dirs = 1, layout = 0;
  std::string direction = "forward", acts;
  std::vector<float> alpha, beta;
  float clip = 0;
  bool bias = true, lens = false, lens_const = false, h0 = false, c0 = false, peep = false;
  int64_t flag = 0;  // GRU: linear_before_reset; LSTM: input_forget
  int results = 2;
};

odla_floats Floats(const std::vector<float>& v) {
  odla_floats f{};
  f.size = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) f.data[i] = v[i];
  return f;
}

// Runs the layer of cell 0 RNN, 1 GRU, 2 LSTM on both sides.
void Check(int cell, const Layer& l) {
  const int64_t gates = cell == 0 ? 1 : cell == 1 ? 3 : 4, D = l.dirs, H = l.hidden;
  const Dims x = l.layout ? Dims{l.batch, l.seq, l.input} : Dims{l.seq, l.batch, l.input};
  const Dims state = l.layout ? Dims{l.batch, D, H} : Dims{D, l.batch, H};
  const Dims y = l.layout ? Dims{l.batch, l.seq, D, H} : Dims{l.seq, D, l.batch, H};
  std::vector<Arg> args = {F32(x, 1), F32({D, gates * H, l.input}, 2, 0.5f),
                           F32({D, gates * H, H}, 3, 0.5f)};
  std::vector<int32_t> lens(l.batch);
  for (int64_t b = 0; b < l.batch; ++b) lens[b] = static_cast<int32_t>((b * 2 + 1) % (l.seq + 1));
  auto slot = [&](bool on, Arg a) {
    if (!on) return -1;
    args.push_back(a);
    return static_cast<int>(args.size()) - 1;
  };
  const int ib = slot(l.bias, F32({D, 2 * gates * H}, 4, 0.5f));
  const int il = slot(l.lens && !l.lens_const, I32({l.batch}, lens));
  const int ih = slot(l.h0, F32(state, 5));
  const int ic = slot(l.c0, F32(state, 6));
  const int ip = slot(l.peep, F32({D, 3 * H}, 7, 0.5f));
  ExpectSame(args, [=](auto a, bool c) {
    auto in = [&](int i) { return i < 0 ? nullptr : a[i]; };
    odla_value len = in(il);
    if (l.lens && l.lens_const)
      len = odla_CreateConstant(Type({l.batch}, ODLA_INT32), lens.data(), "lens");
    odla_value_types t{};
    t.size = l.results;
    t.types[0] = Type(y);
    for (int i = 1; i < l.results; ++i) t.types[i] = Type(state);
    const char* acts = l.acts.c_str();
    const odla_floats al = Floats(l.alpha), be = Floats(l.beta);
    const char* dir = l.direction.c_str();
    odla_values r;
    if (cell == 0)
      r = OP(c, RNN)(a[0], a[1], a[2], in(ib), len, in(ih), al, be, acts, l.clip, dir, H, l.layout,
                     t, "y");
    else if (cell == 1)
      r = OP(c, GRU)(a[0], a[1], a[2], in(ib), len, in(ih), al, be, acts, l.clip, dir, H, l.layout,
                     l.flag, t, "y");
    else
      r = OP(c, LSTM)(a[0], a[1], a[2], in(ib), len, in(ih), in(ic), in(ip), al, be, acts, l.clip,
                      dir, H, l.layout, l.flag, t, "y");
    return odla_rt::FromValues(r);
  });
}

// The default activations of a cell, per direction, with zero alphas and betas.
Layer Defaults(int cell, int64_t dirs) {
  Layer l;
  l.dirs = dirs;
  const char* one = cell == 0 ? "tanh" : cell == 1 ? "sigmoid,tanh" : "sigmoid,tanh,tanh";
  const size_t per = cell == 0 ? 1 : cell == 1 ? 2 : 3;
  l.acts = dirs == 2 ? std::string(one) + "," + one : one;
  l.alpha.assign(per * dirs, 0.f);
  l.beta.assign(per * dirs, 0.f);
  return l;
}

TEST_F(CudaKernels, RecurrentLayers) {
  for (int cell : {0, 1, 2}) {
    SCOPED_TRACE("cell " + std::to_string(cell));
    Check(cell, Defaults(cell, 1));
    Layer rev = Defaults(cell, 1);
    rev.direction = "reverse";
    rev.h0 = rev.c0 = cell == 2;
    Check(cell, rev);
    // Bidirectional, batch-major, sequence lengths (an argument, then a constant), every
    // result, initial states, clip.
    Layer bi = Defaults(cell, 2);
    bi.direction = "bidirectional";
    bi.layout = 1;
    bi.lens = bi.h0 = true;
    bi.c0 = bi.peep = cell == 2;
    bi.results = cell == 2 ? 3 : 2;
    bi.clip = 0.7f;
    Check(cell, bi);
    bi.lens_const = true;
    bi.layout = 0;
    Check(cell, bi);
  }
  // GRU: linear_before_reset with and without B; LSTM: input_forget; other activations.
  Layer gru = Defaults(1, 1);
  gru.flag = 1;
  Check(1, gru);
  gru.bias = false;
  Check(1, gru);
  Layer lstm = Defaults(2, 1);
  lstm.flag = 1;
  lstm.acts = "hardsigmoid,scaledtanh,softsign";
  lstm.alpha = {0.3f, 0.9f, 0.f};
  lstm.beta = {0.4f, 1.1f, 0.f};
  Check(2, lstm);
  Layer rnn = Defaults(0, 1);
  rnn.acts = "leakyrelu";
  rnn.alpha = {0.2f};
  rnn.results = 1;
  Check(0, rnn);
}

TEST_F(CudaKernels, RecurrentSequenceLengthOutOfRangeFailsTheRun) {
  odla_status s;
  RunArgs(
      {F32({3, 2, 4}, 1), F32({1, 6, 4}, 2), F32({1, 6, 6}, 3), I32({2}, {1, 4})},
      [](auto a, bool c) {
        odla_value_types t{};
        t.size = 1;
        t.types[0] = Type({3, 1, 2, 6});
        return odla_rt::FromValues(OP(c, RNN)(a[0], a[1], a[2], nullptr, a[3], nullptr,
                                              Floats({0.f}), Floats({0.f}), "tanh", 0.f, "forward",
                                              6, 0, t, "y"));
      },
      true, true, &s);
  EXPECT_NE(s, ODLA_SUCCESS);
}

}  // namespace

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

odla_value_types Two(const odla_value_type& a, const odla_value_type& b) {
  odla_value_types t{};
  t.types[t.size++] = a;
  t.types[t.size++] = b;
  return t;
}

template <typename T>
odla_value Scalar(odla_element_type et, T v, const char* id) {
  static std::vector<std::vector<uint8_t>> keep;  // constants outlive the computation
  keep.emplace_back(sizeof(T));
  std::memcpy(keep.back().data(), &v, sizeof(T));
  return odla_CreateConstant(Type({}, et), keep.back().data(), id);
}

// SVDF: batch 3, input 5, 8 filters of rank 2 (4 units), memory 6; with and without bias.
TEST_F(CudaKernels, Svdf) {
  for (bool bias : {true, false})
    ExpectIdentical(
        {F32({3, 5}, 1), F32({8, 5}, 2, 0.5f), F32({8, 6}, 3, 0.5f), F32({4}, 4), F32({3, 48}, 5)},
        [bias](auto a, bool c) {
          return odla_rt::FromValues(OP(c, SVDF)(a[0], a[1], a[2], bias ? a[3] : nullptr, a[4], 2,
                                                 Two(Type({3, 4}), Type({3, 48})), "y"));
        });
}

// QLinearSVDF with an int16 state (TFLite's int8x16 SVDF) and an int8 one, constant scales and
// zero points: the fixed-point multipliers as the host makes them.
TEST_F(CudaKernels, QLinearSvdf) {
  for (odla_element_type st : {ODLA_INT16, ODLA_INT8}) {
    auto ints = [](const Dims& dims, odla_element_type t, unsigned seed) {
      auto f = odla_test::Random(odla_rt::NumElements(Type(dims).shape), seed);
      std::vector<int16_t> v;
      const int range = t == ODLA_INT16 ? 20000 : 120;
      for (float x : f) v.push_back(static_cast<int16_t>(x * range));
      if (t == ODLA_INT16) return Make(dims, t, v);
      return Make(dims, t, std::vector<int8_t>(v.begin(), v.end()));
    };
    std::vector<int32_t> b = {-300, 0, 1200, 45};
    ExpectIdentical(
        {ints({2, 7}, ODLA_INT8, 1), ints({6, 7}, ODLA_INT8, 2), ints({6, 5}, st, 3),
         I32({3}, {b[0], b[2], b[3]}), ints({2, 30}, st, 4)},
        [st](auto a, bool c) {
          const bool s16 = st == ODLA_INT16;
          return odla_rt::FromValues(OP(c, QLinearSVDF)(
              a[0], Scalar(ODLA_FLOAT32, 0.02f, "xs"), Scalar<int8_t>(ODLA_INT8, 3, "xz"), a[1],
              Scalar(ODLA_FLOAT32, 0.004f, "wfs"), a[2],
              Scalar(ODLA_FLOAT32, s16 ? 1e-4f : 0.01f, "wts"), a[3], a[4],
              Scalar(ODLA_FLOAT32, s16 ? 2e-4f : 0.03f, "ss"),
              s16 ? Scalar<int16_t>(st, 0, "sz") : Scalar<int8_t>(st, -2, "sz"),
              Scalar(ODLA_FLOAT32, 0.05f, "ys"), Scalar<int8_t>(ODLA_INT8, -5, "yz"), 2,
              Two(Type({2, 3}, ODLA_INT8), Type({2, 30}, st)), "y"));
        });
  }
}

}  // namespace

namespace {

using namespace cuda_kernels_test;  // NOLINT: the helpers of these tests

// A constant of random values in [-range, range] of type T (kept alive for the computation).
template <typename T>
odla_value RandomConst(const Dims& dims, odla_element_type et, int range, unsigned seed) {
  static std::vector<std::vector<T>> keep;
  auto f = odla_test::Random(odla_rt::NumElements(Type(dims).shape), seed);
  keep.emplace_back();
  for (float x : f) keep.back().push_back(static_cast<T>(std::lround(x * range)));
  const std::string id = "c" + std::to_string(seed);
  return odla_CreateConstant(Type(dims, et), keep.back().data(), id.c_str());
}

odla_floats Scales(std::initializer_list<float> v) {
  odla_floats f{};
  for (float x : v) f.data[f.size++] = x;
  return f;
}

// Random int8 or int16 arguments.
template <typename T>
Arg RandomInts(const Dims& dims, odla_element_type et, int range, unsigned seed) {
  auto f = odla_test::Random(odla_rt::NumElements(Type(dims).shape), seed);
  std::vector<T> v;
  for (float x : f) v.push_back(static_cast<T>(std::lround(x * range)));
  return Make(dims, et, v);
}

// TFLite's integer LSTM of X [N, S, I] (time major: [S, N, I]), H0 and C0 as arguments, the
// weights as constants: with all gates, peepholes, a projection with bias and clips, three
// results; or CIFG without peepholes or projection (O == C), Y only.
void CheckQLstm(int64_t N, int64_t S, int64_t I, int64_t C, int64_t O, bool full, bool time_major) {
  const Dims x = time_major ? Dims{S, N, I} : Dims{N, S, I};
  ExpectIdentical(
      {RandomInts<int8_t>(x, ODLA_INT8, 120, 1), RandomInts<int8_t>({N, O}, ODLA_INT8, 120, 2),
       RandomInts<int16_t>({N, C}, ODLA_INT16, 9000, 3)},
      [=](auto a, bool c) {
        unsigned seed = 10;
        auto w = [&](bool present, int64_t cols) {
          return present ? RandomConst<int8_t>({C, cols}, ODLA_INT8, 100, seed++) : nullptr;
        };
        auto p = [&](bool present) {
          return present ? RandomConst<int16_t>({C}, ODLA_INT16, 3000, seed++) : nullptr;
        };
        auto b = [&](bool present, int64_t n) {
          return present ? RandomConst<int32_t>({n}, ODLA_INT32, 20000, seed++) : nullptr;
        };
        odla_value_types t{};
        t.types[t.size++] = Type(time_major ? Dims{S, N, O} : Dims{N, S, O}, ODLA_INT8);
        if (full) {
          t.types[t.size++] = Type({N, O}, ODLA_INT8);
          t.types[t.size++] = Type({N, C}, ODLA_INT16);
        }
        odla_value wi = w(full, I), wf = w(true, I), wc = w(true, I), wo = w(true, I);
        odla_value ri = w(full, O), rf = w(true, O), rc = w(true, O), ro = w(true, O);
        odla_value pi = p(full), pf = p(full), po = p(full);
        odla_value bi = b(full, C), bf = b(false, C), bc = b(true, C), bo = b(true, C);
        odla_value proj = full ? RandomConst<int8_t>({O, C}, ODLA_INT8, 100, seed++) : nullptr;
        odla_value proj_b = b(full, O);
        return odla_rt::FromValues(OP(c, TfliteQuantizedLSTM)(
            a[0], wi, wf, wc, wo, ri, rf, rc, ro, pi, pf, po, bi, bf, bc, bo, proj, proj_b, a[1],
            a[2], 0.02f, 3,
            Scales({0.004f, 0.005f, 0.003f, 0.004f, 0.006f, 0.004f, 0.005f, 0.003f}),
            Scales({1e-4f, 2e-4f, 1.5e-4f}), 0.004f, 0.015f, -2, 1.0f / 2048, 0.007f, 4,
            full ? 3.5f : 0.f, full ? 1.2f : 0.f, time_major ? 1 : 0, t, "y"));
      });
}

TEST_F(CudaKernels, TfliteQuantizedLstm) {
  CheckQLstm(3, 5, 6, 8, 4, true, false);
  CheckQLstm(2, 4, 5, 6, 6, false, true);
  // More cells than a block's threads: each thread takes several.
  CheckQLstm(1, 3, 7, 300, 20, true, false);
}

}  // namespace
