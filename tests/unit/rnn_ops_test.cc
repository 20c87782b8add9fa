// Recurrent ops RNN, GRU, LSTM: rules, and numbers through the executor against a naive
// per-element reference of the ONNX equations written here.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "op_test_util.h"

namespace halo {
namespace {

using test::Arg;
using test::OpGraph;

std::vector<double> RandomValues(int64_t n, int seed, double lo = -1, double hi = 1) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = d(gen);
  return v;
}

double Act(const std::string& f, double x, double a, double b) {
  if (f == "Sigmoid") return 1 / (1 + std::exp(-x));
  if (f == "Tanh") return std::tanh(x);
  if (f == "Relu") return std::max(0.0, x);
  if (f == "LeakyRelu") return x >= 0 ? x : a * x;
  if (f == "HardSigmoid") return std::max(0.0, std::min(1.0, a * x + b));
  if (f == "ScaledTanh") return a * std::tanh(b * x);
  if (f == "Affine") return a * x + b;
  if (f == "Elu") return x >= 0 ? x : a * (std::exp(x) - 1);
  if (f == "Softsign") return x / (1 + std::fabs(x));
  if (f == "Softplus") return std::log(1 + std::exp(x));
  ADD_FAILURE() << "unknown activation " << f;
  return 0;
}

// The configuration of one reference run; tensors in sequence-major (layout 0) order.
struct Ref {
  std::string cell;  // RNN, GRU, LSTM
  int64_t S, N, I, H, D;
  bool bidirectional = false, reverse = false;
  double clip = 0;
  bool input_forget = false, lbr = false;
  std::vector<std::string> acts;  // per direction
  std::vector<double> alpha, beta;
  std::vector<double> x, w, r, b, h0, c0, p;
  std::vector<int> lens;
  std::vector<double> y, yh, yc;

  int64_t G() const { return cell == "RNN" ? 1 : cell == "GRU" ? 3 : 4; }
  double Clip(double v) const { return clip > 0 ? std::max(-clip, std::min(clip, v)) : v; }
  double F(int64_t d, int k, double v) const {
    size_t i = d * acts.size() / D + k;
    return Act(acts[i], v, alpha[i], beta[i]);
  }
  // x_t . W[d, row] + h . R[d, row] (+ biases when asked).
  double Dot(int64_t d, int64_t row, const double* xt, const std::vector<double>& h) const {
    double s = 0;
    for (int64_t i = 0; i < I; ++i) s += xt[i] * w[(d * G() * H + row) * I + i];
    for (int64_t j = 0; j < H; ++j) s += h[j] * r[(d * G() * H + row) * H + j];
    return s;
  }
  double Wb(int64_t d, int64_t row) const { return b.empty() ? 0 : b[d * 2 * G() * H + row]; }
  double Rb(int64_t d, int64_t row) const {
    return b.empty() ? 0 : b[d * 2 * G() * H + G() * H + row];
  }

  void Run() {
    y.assign(S * D * N * H, 0);
    yh.assign(D * N * H, 0);
    yc.assign(D * N * H, 0);
    for (int64_t d = 0; d < D; ++d)
      for (int64_t n = 0; n < N; ++n) {
        std::vector<double> h(H, 0), c(H, 0);
        if (!h0.empty()) h.assign(h0.begin() + (d * N + n) * H, h0.begin() + (d * N + n + 1) * H);
        if (!c0.empty()) c.assign(c0.begin() + (d * N + n) * H, c0.begin() + (d * N + n + 1) * H);
        int64_t len = lens.empty() ? S : lens[n];
        bool back = bidirectional ? d == 1 : reverse;
        for (int64_t step = 0; step < len; ++step) {
          int64_t t = back ? len - 1 - step : step;
          const double* xt = &x[(t * N + n) * I];
          std::vector<double> nh(H), nc(H);
          for (int64_t j = 0; j < H; ++j) {
            if (cell == "RNN") {
              nh[j] = F(d, 0, Clip(Dot(d, j, xt, h) + Wb(d, j) + Rb(d, j)));
            } else if (cell == "GRU") {
              double z = F(d, 0, Clip(Dot(d, j, xt, h) + Wb(d, j) + Rb(d, j)));
              double hx = 0, hh = 0;
              for (int64_t i = 0; i < I; ++i) hx += xt[i] * w[(d * 3 * H + 2 * H + j) * I + i];
              if (lbr) {
                for (int64_t k = 0; k < H; ++k) hh += h[k] * r[(d * 3 * H + 2 * H + j) * H + k];
                double rg = 0;
                // r gate of unit j scales the whole recurrence of unit j
                rg = F(d, 0, Clip(Dot(d, H + j, xt, h) + Wb(d, H + j) + Rb(d, H + j)));
                hh = rg * (hh + Rb(d, 2 * H + j));
              } else {
                for (int64_t k = 0; k < H; ++k) {
                  double rk = F(d, 0, Clip(Dot(d, H + k, xt, h) + Wb(d, H + k) + Rb(d, H + k)));
                  hh += rk * h[k] * r[(d * 3 * H + 2 * H + j) * H + k];
                }
                hh += Rb(d, 2 * H + j);
              }
              double cand = F(d, 1, Clip(hx + hh + Wb(d, 2 * H + j)));
              nh[j] = (1 - z) * cand + z * h[j];
            } else {
              auto gate = [&](int k) {
                return Dot(d, k * H + j, xt, h) + Wb(d, k * H + j) + Rb(d, k * H + j);
              };
              double pi = p.empty() ? 0 : p[d * 3 * H + j],
                     po = p.empty() ? 0 : p[d * 3 * H + H + j],
                     pf = p.empty() ? 0 : p[d * 3 * H + 2 * H + j];
              double ig = F(d, 0, Clip(gate(0) + pi * c[j]));
              double fg = input_forget ? 1 - ig : F(d, 0, Clip(gate(2) + pf * c[j]));
              double cg = F(d, 1, Clip(gate(3)));
              nc[j] = fg * c[j] + ig * cg;
              double og = F(d, 0, Clip(gate(1) + po * nc[j]));
              nh[j] = og * F(d, 2, nc[j]);
            }
          }
          h = nh;
          if (cell == "LSTM") c = nc;
          for (int64_t j = 0; j < H; ++j) y[((t * D + d) * N + n) * H + j] = h[j];
        }
        for (int64_t j = 0; j < H; ++j) {
          yh[(d * N + n) * H + j] = h[j];
          yc[(d * N + n) * H + j] = c[j];
        }
      }
  }
};

// Swaps the first two axes of a rank-3 [A, B, C] array.
std::vector<double> Swap01(const std::vector<double>& v, int64_t a, int64_t b, int64_t c) {
  std::vector<double> o(v.size());
  for (int64_t i = 0; i < a; ++i)
    for (int64_t j = 0; j < b; ++j)
      for (int64_t k = 0; k < c; ++k) o[(j * a + i) * c + k] = v[(i * b + j) * c + k];
  return o;
}

void ExpectNear(const Tensor& got, const std::vector<double>& want, double tol) {
  auto g = got.ToDoubles();
  ASSERT_EQ(g.size(), want.size());
  for (size_t i = 0; i < g.size(); ++i) ASSERT_NEAR(g[i], want[i], tol) << "at " << i;
}

struct Case {
  explicit Case(std::string c, std::string dir = "forward", int lay = 0)
      : cell(std::move(c)), direction(std::move(dir)), layout(lay) {}
  std::string cell;
  std::string direction;
  int layout;
  bool bias = true, lens = false, h0 = true, c0 = true, peep = false;
  double clip = 0;
  bool input_forget = false, lbr = false;
  std::vector<std::string> acts;
  std::vector<double> alpha, beta;  // ONNX form (consumed by the activations taking them)
  DataType dt = DataType::kFloat32;
};

// Runs the op on random data and compares every result with the reference.
void Check(const Case& k, Ref ref) {
  SCOPED_TRACE(k.cell + " " + k.direction + " layout " + std::to_string(k.layout));
  ref.cell = k.cell;
  ref.D = k.direction == "bidirectional" ? 2 : 1;
  ref.bidirectional = ref.D == 2;
  ref.reverse = k.direction == "reverse";
  ref.clip = k.clip;
  ref.input_forget = k.input_forget;
  ref.lbr = k.lbr;
  const int64_t S = ref.S, N = ref.N, I = ref.I, H = ref.H, D = ref.D, G = ref.G();
  ref.x = RandomValues(S * N * I, 1);
  ref.w = RandomValues(D * G * H * I, 2, -0.7, 0.7);
  ref.r = RandomValues(D * G * H * H, 3, -0.7, 0.7);
  if (k.bias) ref.b = RandomValues(D * 2 * G * H, 4, -0.5, 0.5);
  if (k.h0) ref.h0 = RandomValues(D * N * H, 5);
  if (k.c0 && k.cell == "LSTM") ref.c0 = RandomValues(D * N * H, 6);
  if (k.peep) ref.p = RandomValues(D * 3 * H, 7);
  if (k.lens)
    for (int64_t n = 0; n < N; ++n) ref.lens.push_back(static_cast<int>((n * 2 + 1) % (S + 1)));
  ref.Run();

  auto tensor = [&](const Shape& s, const std::vector<double>& v) {
    return test::Make(k.dt, s, v);
  };
  bool bm = k.layout == 1;
  std::vector<Arg> args = {
      tensor(bm ? Shape{N, S, I} : Shape{S, N, I}, bm ? Swap01(ref.x, S, N, I) : ref.x),
      tensor({D, G * H, I}, ref.w), tensor({D, G * H, H}, ref.r)};
  args.push_back(k.bias ? Arg(tensor({D, 2 * G * H}, ref.b)) : Arg::Absent());
  std::vector<int32_t> lens(ref.lens.begin(), ref.lens.end());
  args.push_back(k.lens ? Arg(test::Make(DataType::kInt32, {N}, lens)) : Arg::Absent());
  Shape state = bm ? Shape{N, D, H} : Shape{D, N, H};
  auto st = [&](const std::vector<double>& v) { return bm ? Swap01(v, D, N, H) : v; };
  args.push_back(k.h0 ? Arg(tensor(state, st(ref.h0))) : Arg::Absent());
  if (k.cell == "LSTM") {
    args.push_back(!ref.c0.empty() ? Arg(tensor(state, st(ref.c0))) : Arg::Absent());
    args.push_back(k.peep ? Arg(tensor({D, 3 * H}, ref.p)) : Arg::Absent());
  }
  std::map<std::string, AttrValue> attrs = {
      {"direction", k.direction}, {"layout", int64_t{k.layout}}, {"hidden_size", H}};
  if (k.clip > 0) attrs["clip"] = k.clip;
  if (!k.acts.empty()) attrs["activations"] = k.acts;
  if (!k.alpha.empty()) attrs["activation_alpha"] = k.alpha;
  if (!k.beta.empty()) attrs["activation_beta"] = k.beta;
  if (k.input_forget) attrs["input_forget"] = int64_t{1};
  if (k.lbr) attrs["linear_before_reset"] = int64_t{1};
  int outs = k.cell == "LSTM" ? 3 : 2;
  OpGraph og(k.cell, args, attrs, outs);
  auto res = og.Run();
  ASSERT_EQ(static_cast<int>(res.size()), outs);
  double tol = k.dt == DataType::kFloat32 ? 2e-5 : 1e-12;
  // Y [S, D, N, H] -> [N, S, D, H] for layout 1.
  std::vector<double> y = ref.y;
  if (bm)
    for (int64_t t = 0; t < S; ++t)
      for (int64_t d = 0; d < D; ++d)
        for (int64_t n = 0; n < N; ++n)
          for (int64_t j = 0; j < H; ++j)
            y[((n * S + t) * D + d) * H + j] = ref.y[((t * D + d) * N + n) * H + j];
  ExpectNear(res[0], y, tol);
  ExpectNear(res[1], st(ref.yh), tol);
  if (outs == 3) ExpectNear(res[2], st(ref.yc), tol);
}

Ref Dims(int64_t S, int64_t N, int64_t I, int64_t H, std::vector<std::string> acts) {
  Ref r;
  r.S = S, r.N = N, r.I = I, r.H = H;
  r.acts = std::move(acts);
  return r;
}

// Canonical (per-activation) alpha/beta for the reference.
Ref WithParams(Ref r, std::vector<double> alpha, std::vector<double> beta) {
  r.alpha = std::move(alpha);
  r.beta = std::move(beta);
  return r;
}

Ref Defaults(Ref r) {
  r.alpha.assign(r.acts.size(), 0);
  r.beta.assign(r.acts.size(), 0);
  return r;
}

TEST(RnnNumeric, RnnDirectionsAndLayouts) {
  for (const char* dir : {"forward", "reverse", "bidirectional"})
    for (int layout : {0, 1}) {
      Case k("RNN", dir, layout);
      std::vector<std::string> acts(std::string(dir) == "bidirectional" ? 2 : 1, "Tanh");
      Check(k, Defaults(Dims(4, 3, 5, 6, acts)));
    }
  Case lens("RNN", "bidirectional");
  lens.lens = true;
  lens.h0 = false;
  Check(lens, Defaults(Dims(4, 3, 2, 3, {"Tanh", "Tanh"})));
}

TEST(RnnNumeric, GruVariants) {
  for (const char* dir : {"forward", "reverse", "bidirectional"})
    for (bool lbr : {false, true}) {
      Case k("GRU", dir, lbr ? 1 : 0);
      k.lbr = lbr;
      k.lens = true;
      std::vector<std::string> acts = {"Sigmoid", "Tanh"};
      if (std::string(dir) == "bidirectional") acts = {"Sigmoid", "Tanh", "Sigmoid", "Tanh"};
      Check(k, Defaults(Dims(5, 3, 4, 3, acts)));
    }
  Case dbl("GRU");
  dbl.bias = dbl.h0 = false;
  dbl.dt = DataType::kFloat64;
  Check(dbl, Defaults(Dims(3, 2, 3, 4, {"Sigmoid", "Tanh"})));
}

TEST(RnnNumeric, LstmVariants) {
  for (const char* dir : {"forward", "reverse", "bidirectional"})
    for (int layout : {0, 1}) {
      Case k("LSTM", dir, layout);
      k.peep = true;
      k.lens = layout == 1;
      std::vector<std::string> acts = {"Sigmoid", "Tanh", "Tanh"};
      if (std::string(dir) == "bidirectional")
        acts = {"Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"};
      Check(k, Defaults(Dims(4, 3, 3, 5, acts)));
    }
  Case nostate("LSTM");
  nostate.bias = nostate.h0 = nostate.c0 = false;
  nostate.input_forget = true;
  nostate.clip = 0.3;
  Check(nostate, Defaults(Dims(3, 2, 4, 3, {"Sigmoid", "Tanh", "Tanh"})));
}

TEST(RnnNumeric, ActivationsAndParameters) {
  // alpha/beta are consumed by the activations that take them: LeakyRelu takes 0.2,
  // HardSigmoid 0.3 and beta 0.4, ScaledTanh 0.9 and beta 1.5.
  Case k("LSTM", "bidirectional");
  k.acts = {"HardSigmoid", "LeakyRelu", "Tanh", "Sigmoid", "ScaledTanh", "Softsign"};
  k.alpha = {0.3, 0.2, 0.9};
  k.beta = {0.4, 1.5};
  Check(k, WithParams(Dims(3, 2, 3, 4, k.acts), {0.3, 0.2, 0, 0, 0.9, 0}, {0.4, 0, 0, 0, 1.5, 0}));
  Case g("GRU");
  g.acts = {"hardsigmoid", "elu"};  // names are case-insensitive; defaults 0.2/0.5 and 1.0
  g.clip = 0.5;
  Ref ref = WithParams(Dims(4, 2, 3, 3, {"HardSigmoid", "Elu"}), {0.2, 1.0}, {0.5, 0});
  Check(g, ref);
  Case rn("RNN");
  rn.acts = {"Affine"};
  rn.alpha = {0.5};
  rn.beta = {0.25};
  Check(rn, WithParams(Dims(3, 2, 3, 3, {"Affine"}), {0.5}, {0.25}));
}

TEST(RnnRules, ShapesAndCanonicalAttributes) {
  auto f = [](const Shape& s) { return Tensor(Type(DataType::kFloat32, s)); };
  OpGraph og("LSTM", {f({7, 2, 5}), f({2, 12, 5}), f({2, 12, 3})},
             {{"direction", std::string("bidirectional")}, {"layout", int64_t{0}}}, 3);
  EXPECT_EQ(og.Infer(), Type(DataType::kFloat32, {7, 2, 2, 3}));
  EXPECT_EQ(og.node->output(1)->type(), Type(DataType::kFloat32, {2, 2, 3}));
  EXPECT_EQ(og.node->GetInt("hidden_size"), 3);
  EXPECT_EQ(og.node->GetString("activation_list"), "Sigmoid,Tanh,Tanh,Sigmoid,Tanh,Tanh");
  EXPECT_EQ(og.node->GetFloats("activation_alpha").size(), 6u);
  // Running the rule again keeps the canonical form.
  VerifyAndInfer(og.node);
  EXPECT_EQ(og.node->GetString("activation_list"), "Sigmoid,Tanh,Tanh,Sigmoid,Tanh,Tanh");

  OpGraph one("GRU", {f({2, 4, 5}), f({1, 9, 5}), f({1, 9, 3})}, {{"layout", int64_t{1}}}, 1);
  EXPECT_EQ(one.Infer(), Type(DataType::kFloat32, {2, 4, 1, 3}));

  using test::InferError;
  EXPECT_NE(
      InferError("RNN", {f({2, 4, 5}), f({1, 3, 5}), f({1, 3, 3})}, {{"hidden_size", int64_t{4}}})
          .find("hidden_size 4"),
      std::string::npos);
  EXPECT_NE(InferError("RNN", {f({2, 4, 5}), f({1, 3, 4}), f({1, 3, 3})}).find("W must be"),
            std::string::npos);
  EXPECT_NE(InferError("RNN", {f({2, 4, 5}), f({1, 3, 5}), f({1, 3, 3})},
                       {{"activations", std::vector<std::string>{"Gelu"}}})
                .find("unsupported activation"),
            std::string::npos);
  EXPECT_NE(InferError("GRU", {f({2, 4, 5}), f({1, 9, 5}), f({1, 9, 3})},
                       {{"direction", std::string("sideways")}})
                .find("direction"),
            std::string::npos);
}

}  // namespace
}  // namespace halo
