// Recurrent layers: RNN, GRU, LSTM (ONNX opset 14 forms, with the layout attribute).
#include <algorithm>
#include <cctype>

#include "ir/ops/rules.h"

namespace halo {
namespace {

// An activation the recurrent ops accept: its canonical name and the defaults of the alpha
// and beta it consumes (num_params of them, in the order alpha, beta).
struct ActivationInfo {
  const char* name;
  int num_params;
  double alpha, beta;
};

const ActivationInfo kActivations[] = {
    {"Relu", 0, 0, 0},           {"Tanh", 0, 0, 0},
    {"Sigmoid", 0, 0, 0},        {"Affine", 2, 1.0, 0.0},
    {"LeakyRelu", 1, 0.01, 0},   {"ThresholdedRelu", 1, 1.0, 0},
    {"ScaledTanh", 2, 1.0, 1.0}, {"HardSigmoid", 2, 0.2, 0.5},
    {"Elu", 1, 1.0, 0},          {"Softsign", 0, 0, 0},
    {"Softplus", 0, 0, 0},
};

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

struct RnnKind {
  const char* op;
  int64_t gates;                  // gate blocks in W and R
  std::vector<std::string> acts;  // default activations of one direction
};

// Checks and canonicalises the attributes and inputs common to RNN, GRU and LSTM, then sets
// the result types. Inputs: X, W, R, B, sequence_lens, initial_h, [initial_c, P].
void RecurrentRule(InferContext& c, const RnnKind& k) {
  Node* node = c.node();
  const Type& x = c.in(0);
  const Type& w = c.in(1);
  const Type& r = c.in(2);
  c.check(x.dtype == DataType::kFloat32 || x.dtype == DataType::kFloat64,
          "X must be float32 or float64, got ", x.ToString());
  c.check(x.Rank() == 3, "X must have rank 3, got ", x.ToString());
  c.check(w.dtype == x.dtype && r.dtype == x.dtype, "W and R must have the element type of X");
  int64_t layout = node->GetInt("layout");
  c.check(layout == 0 || layout == 1, "layout must be 0 or 1, got ", layout);
  const std::string& dir = node->GetString("direction");
  c.check(dir == "forward" || dir == "reverse" || dir == "bidirectional",
          "direction must be forward, reverse or bidirectional, got '", dir, "'");
  int64_t nd = dir == "bidirectional" ? 2 : 1;
  int64_t seq = x.shape[layout ? 1 : 0], batch = x.shape[layout ? 0 : 1], input = x.shape[2];
  c.check(r.Rank() == 3 && r.shape[0] == nd && r.shape[1] == k.gates * r.shape[2], "R must be [",
          nd, ", ", k.gates, " * hidden_size, hidden_size], got ", r.ToString());
  int64_t hidden = r.shape[2];
  int64_t attr_hidden = node->GetInt("hidden_size");
  c.check(attr_hidden == 0 || attr_hidden == hidden, "hidden_size ", attr_hidden,
          " disagrees with R ", r.ToString());
  node->set_attr("hidden_size", hidden);
  c.check(w.Rank() == 3 && w.shape == Shape({nd, k.gates * hidden, input}), "W must be [", nd, ", ",
          k.gates * hidden, ", ", input, "], got ", w.ToString());
  auto check_opt = [&](size_t i, const char* what, const Shape& want, DataType dt) {
    if (!c.has_input(i)) return;
    const Type& t = c.in(i);
    c.check(t.dtype == dt && t.shape == want, what, " must be ", Type(dt, want).ToString(),
            ", got ", t.ToString());
  };
  Shape state = layout ? Shape{batch, nd, hidden} : Shape{nd, batch, hidden};
  check_opt(3, "B", {nd, 2 * k.gates * hidden}, x.dtype);
  check_opt(4, "sequence_lens", {batch}, DataType::kInt32);
  check_opt(5, "initial_h", state, x.dtype);
  if (k.gates == 4) {
    check_opt(6, "initial_c", state, x.dtype);
    check_opt(7, "P", {nd, 3 * hidden}, x.dtype);
  }
  double clip = node->GetFloat("clip");
  c.check(clip >= 0, "clip must not be negative, got ", clip);

  // Activations: one list per direction, and one alpha and beta per activation. A set
  // activation_list is the canonical form already (the rule may run again).
  std::vector<std::string> acts = node->GetStrings("activations");
  size_t per_dir = k.acts.size();
  const std::string& canonical = node->GetString("activation_list");
  if (!canonical.empty()) {
    acts.clear();
    for (size_t s = 0, e; s <= canonical.size(); s = e + 1) {
      e = std::min(canonical.find(',', s), canonical.size());
      acts.push_back(canonical.substr(s, e - s));
    }
    c.check(node->GetFloats("activation_alpha").size() == acts.size() &&
                node->GetFloats("activation_beta").size() == acts.size(),
            "with activation_list set, activation_alpha and activation_beta need one entry per "
            "activation");
  }
  if (acts.empty())
    for (int64_t d = 0; d < nd; ++d) acts.insert(acts.end(), k.acts.begin(), k.acts.end());
  if (acts.size() == per_dir && nd == 2) {
    std::vector<std::string> one = acts;
    acts.insert(acts.end(), one.begin(), one.end());
  }
  c.check(acts.size() == per_dir * nd, k.op, " takes ", per_dir * nd, " activations here, got ",
          acts.size());
  const auto& alphas = node->GetFloats("activation_alpha");
  const auto& betas = node->GetFloats("activation_beta");
  size_t ai = 0, bi = 0;
  std::vector<double> alpha, beta;
  std::string list;
  for (const std::string& a : acts) {
    const ActivationInfo* info = nullptr;
    for (const ActivationInfo& e : kActivations)
      if (Lower(a) == Lower(e.name)) info = &e;
    c.check(info != nullptr, "unsupported activation '", a, "'");
    double al = info->alpha, be = info->beta;
    if (!canonical.empty()) {
      al = alphas[ai++];
      be = betas[bi++];
    } else {  // alphas and betas are consumed in order by the activations that take them
      if (info->num_params >= 1 && ai < alphas.size()) al = alphas[ai++];
      if (info->num_params >= 2 && bi < betas.size()) be = betas[bi++];
    }
    alpha.push_back(al);
    beta.push_back(be);
    list += (list.empty() ? "" : ",") + std::string(info->name);
  }
  node->set_attr("activation_list", list);
  node->set_attr("activation_alpha", alpha);
  node->set_attr("activation_beta", beta);

  size_t outs = node->num_outputs();
  c.check(outs >= 1 && outs <= (k.gates == 4 ? 3u : 2u), k.op, " has at most ",
          k.gates == 4 ? 3 : 2, " results, got ", outs);
  Shape y = layout ? Shape{batch, seq, nd, hidden} : Shape{seq, nd, batch, hidden};
  c.set_out(0, Type(x.dtype, y));
  for (size_t i = 1; i < outs; ++i) c.set_out(i, Type(x.dtype, state));
}

const RnnKind kRnn{"RNN", 1, {"Tanh"}};
const RnnKind kGru{"GRU", 3, {"Sigmoid", "Tanh"}};
const RnnKind kLstm{"LSTM", 4, {"Sigmoid", "Tanh", "Tanh"}};

// The inputs and attributes all three share, in ONNX order.
OpDef& CommonHead(OpDef& d, const char* gates) {
  return d.In("X", "[seq_length, batch_size, input_size] ([batch, seq, input] when layout = 1)")
      .In("W", std::string("[num_directions, ") + gates + " * hidden_size, input_size]")
      .In("R", std::string("[num_directions, ") + gates + " * hidden_size, hidden_size]")
      .OptIn("B", std::string("[num_directions, 2 * ") + gates +
                      " * hidden_size]: input biases then recurrence biases (default 0)")
      .OptIn("sequence_lens", "int32 [batch_size]: valid steps per batch entry (default all)")
      .OptIn("initial_h",
             "[num_directions, batch_size, hidden_size] ([batch, num_directions, hidden] when "
             "layout = 1; default 0)");
}

OpDef& CommonAttrs(OpDef& d) {
  return d
      .Floats("activation_alpha", {},
              "alpha of each activation (canonicalised: one per entry of activation_list)")
      .Floats("activation_beta", {},
              "beta of each activation (canonicalised: one per entry of activation_list)")
      .Meta("activations", AttrKind::kStrings, std::vector<std::string>{},
            "activation names, per direction (moved into activation_list)")
      .Str("activation_list", "",
           "the activations, canonicalised: comma-separated names, those of the forward "
           "direction first")
      .Float("clip", 0.0, "cell clip threshold on gate pre-activations (0: none)")
      .Str("direction", "forward", "forward, reverse or bidirectional")
      .Int("hidden_size", 0, "hidden size (taken from R once lowered)")
      .Int("layout", 0, "0: sequence-major X and Y; 1: batch-major");
}

}  // namespace

void RegisterNNRnnOps(OpRegistry& r) {
  OpDef& rnn = r.Add("RNN").Doc(
      "Elman recurrent layer: H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb). Results Y (every "
      "hidden state; zero past a sequence's length) and Y_h (the last hidden state).");
  CommonHead(rnn, "1");
  CommonAttrs(rnn).Out("Y").Out("Y_h").Rule([](InferContext& c) { RecurrentRule(c, kRnn); });

  OpDef& gru = r.Add("GRU").Doc(
      "Gated recurrent unit layer with gates z, r, h (in that order in W, R and B); f and g "
      "default to Sigmoid and Tanh. Results Y and Y_h as for RNN.");
  CommonHead(gru, "3");
  CommonAttrs(gru)
      .Int("linear_before_reset", 0, "1: apply the h-gate recurrence before the reset gate")
      .Out("Y")
      .Out("Y_h")
      .Rule([](InferContext& c) { RecurrentRule(c, kGru); });

  OpDef& lstm = r.Add("LSTM").Doc(
      "Long short-term memory layer with gates i, o, f, c (in that order in W, R and B) and "
      "optional peepholes P (i, o, f); f, g and h default to Sigmoid, Tanh, Tanh. Results Y, "
      "Y_h as for RNN and Y_c (the last cell state).");
  CommonHead(lstm, "4")
      .OptIn("initial_c", "initial cell state, shaped as initial_h (default 0)")
      .OptIn("P", "[num_directions, 3 * hidden_size] peephole weights (default 0)");
  CommonAttrs(lstm)
      .Int("input_forget", 0, "1: couple the input and forget gates (f = 1 - i)")
      .Out("Y")
      .Out("Y_h")
      .Out("Y_c")
      .Rule([](InferContext& c) { RecurrentRule(c, kLstm); });
}

}  // namespace halo
