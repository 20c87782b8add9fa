// Recurrent cells: BlockLSTM (TensorFlow's fused LSTM over a sequence), unrolled into IR
// ops over the static sequence length. Its cell clip bounds the cell state, which ONNX's
// LSTM (whose clip bounds the gate inputs) cannot express.
#include "frontends/tensorflow/tf_importer.h"

namespace halo::tf_fe {
namespace {

using Results = std::vector<Value*>;

// BlockLSTM(seq_len_max, x [T, B, I], cs_prev [B, H], h_prev [B, H], w [I + H, 4H], wci,
// wcf, wco [H], b [4H]) -> i, cs, f, o, ci, co, h, each [T, B, H]. Gates in w and b are
// ordered i, ci, f, o. Per step (TensorFlow's LSTMBlockCellFprop):
//   i = sigmoid(xh w_i + b_i + cs_prev wci), f = sigmoid(xh w_f + b_f + forget_bias +
//   cs_prev wcf), ci = tanh(xh w_c + b_c), cs = clip(ci i + cs_prev f), o = sigmoid(xh w_o +
//   b_o + cs wco), co = tanh(cs), h = co o (peepholes only with use_peephole).
Results BlockLSTM(Importer& im, TfNode& n) {
  if (n.in.size() != 9) im.Fail(n, "expected 9 inputs, got ", n.in.size());
  Shape xs = im.TypeOf(n, n.in[1], "x").shape;
  Shape hs = im.TypeOf(n, n.in[3], "h_prev").shape;
  if (xs.size() != 3 || hs.size() != 2) im.Fail(n, "expected x [T, B, I] and h_prev [B, H]");
  int64_t steps = xs[0], hidden = hs[1];
  int64_t len = im.IntsOf(n, n.in[0], "seq_len_max").at(0);
  if (len < steps) im.Fail(n, "seq_len_max ", len, " shorter than the sequence is not supported");
  DataType t = im.TypeOf(n, n.in[1], "x").dtype;
  bool peephole = n.Bool("use_peephole");
  float clip = n.Float("cell_clip", 3.0f), forget_bias = n.Float("forget_bias", 1.0f);
  auto add = [&](Value* a, Value* b) { return im.Add(n, "Add", {a, b}); };
  auto mul = [&](Value* a, Value* b) { return im.Add(n, "Mul", {a, b}); };
  auto act = [&](const char* op, Value* a) { return im.Add(n, op, {a}); };

  Node* xsplit = im.AddNode(n, "Split", {n.in[1], im.Ints(n, std::vector<int64_t>(steps, 1))},
                            {{"axis", int64_t{0}}}, static_cast<int>(steps));
  Value* cs = n.in[2];
  Value* h = n.in[3];
  Value* fb = im.Scalar(n, t, forget_bias);
  std::vector<std::vector<Value*>> seq(7);  // i, cs, f, o, ci, co, h per step
  for (int64_t s = 0; s < steps; ++s) {
    Value* x = im.Add(n, "Squeeze", {xsplit->output(s), im.Ints(n, {0})});
    Value* xh = im.Add(n, "Concat", {x, h}, {{"axis", int64_t{1}}});
    Value* gates = add(im.Add(n, "MatMul", {xh, n.in[4]}), n.in[8]);
    Node* g = im.AddNode(n, "Split", {gates, im.Ints(n, {hidden, hidden, hidden, hidden})},
                         {{"axis", int64_t{1}}}, 4);
    Value* gi = g->output(0);
    Value* gf = add(g->output(2), fb);
    if (peephole) {
      gi = add(gi, mul(cs, n.in[5]));
      gf = add(gf, mul(cs, n.in[6]));
    }
    Value* i = act("Sigmoid", gi);
    Value* f = act("Sigmoid", gf);
    Value* ci = act("Tanh", g->output(1));
    cs = add(mul(ci, i), mul(cs, f));
    if (clip > 0) cs = im.Add(n, "Clip", {cs, im.Scalar(n, t, -clip), im.Scalar(n, t, clip)});
    Value* go = g->output(3);
    if (peephole) go = add(go, mul(cs, n.in[7]));
    Value* o = act("Sigmoid", go);
    Value* co = act("Tanh", cs);
    h = mul(co, o);
    Value* step[7] = {i, cs, f, o, ci, co, h};
    for (int k = 0; k < 7; ++k)
      seq[k].push_back(im.Add(n, "Unsqueeze", {step[k], im.Ints(n, {0})}));
  }
  Results r;
  for (auto& parts : seq)
    r.push_back(parts.size() == 1 ? parts[0] : im.Add(n, "Concat", parts, {{"axis", int64_t{0}}}));
  return r;
}

}  // namespace

void AddRnnTranslators(TranslatorMap& m) { m["BlockLSTM"] = BlockLSTM; }

}  // namespace halo::tf_fe
