// The integer UNIDIRECTIONAL_SEQUENCE_LSTM (int8 input, weights and output state, int16 cell
// state, five intermediate tensors: TFLite's "8x8_16" LSTM) as one TfliteQuantizedLSTM, with
// the quantization parameters TFLite's Prepare reads (PopulateQuantizedLstmParams8x8_16).
#include "frontends/tflite/tflite_importer.h"

namespace halo::tflite_fe {
namespace {

float Scale(OpContext& c, const QuantParams& q, const char* what) {
  if (!q.present()) c.Fail(what, " has no quantization parameters");
  if (q.per_axis()) c.Fail(what, " must be quantized per tensor, got ", q.scale.size(), " scales");
  return q.scale[0];
}

int64_t Zp(const QuantParams& q) { return q.zero_point.empty() ? 0 : q.zero_point[0]; }

}  // namespace

bool QIntegerLstm(OpContext& c) {
  const auto* inter = c.op().intermediates();
  if (c.num_inputs() < 20 || !c.has_input(0) || c.InType(0) != DataType::kInt8 ||
      !c.has_input(19) || c.InType(19) != DataType::kInt16 || !inter || inter->size() != 5)
    return false;
  const auto& o = c.Options<tflite::UnidirectionalSequenceLSTMOptions>();
  for (int i = 20; i < c.num_inputs(); ++i)
    if (c.has_input(i)) c.Fail("layer normalisation is not supported in the integer LSTM");
  if (o.fused_activation_function() != tflite::ActivationFunctionType::TANH)
    c.Fail("activation ", tflite::EnumNameActivationFunctionType(o.fused_activation_function()),
           " is not supported (TANH is)");
  if (o.diagonal_recurrent_tensors()) c.Fail("diagonal recurrent weights are not supported");
  if (c.OutType(0) != DataType::kInt8) c.Fail("the output must be int8");
  std::vector<double> w_scales(8, 1.0), p_scales(3, 1.0);
  for (int k = 0; k < 8; ++k)
    if (c.has_input(1 + k)) w_scales[k] = Scale(c, c.InQuant(1 + k), "a weight tensor");
  for (int k = 0; k < 3; ++k)
    if (c.has_input(9 + k)) p_scales[k] = Scale(c, c.InQuant(9 + k), "a peephole tensor");
  QuantParams xq = c.InQuant(0), hq = c.InQuant(18), cq = c.InQuant(19);
  QuantParams hidden = c.tensors().Quant((*inter)[4]);
  std::vector<Value*> ins;
  for (int i = 0; i < 18; ++i) ins.push_back(c.OptIn(i));
  // Variable states are states of the model: the output state starts at its zero point
  // (TFLite's ResetVariableTensor), the cell state at zero.
  Tensor h0(Type(DataType::kInt8, c.InShape(18)));
  int8_t* p = h0.mutable_data<int8_t>();
  for (int64_t i = 0; i < NumElements(c.InShape(18)); ++i) p[i] = static_cast<int8_t>(Zp(hq));
  ins.push_back(c.StateIn(18, std::move(h0)));
  ins.push_back(c.StateIn(19, Tensor(Type(DataType::kInt16, c.InShape(19)))));
  // Results: Y and the output and cell states after the sequence.
  Node* n = c.Add("TfliteQuantizedLSTM", ins, 3);
  n->set_attr("x_scale", static_cast<double>(Scale(c, xq, "the input")));
  n->set_attr("x_zero_point", Zp(xq));
  n->set_attr("w_scales", w_scales);
  n->set_attr("p_scales", p_scales);
  if (c.has_input(16))
    n->set_attr("projection_scale", static_cast<double>(Scale(c, c.InQuant(16), "projection")));
  n->set_attr("h_scale", static_cast<double>(Scale(c, hq, "the output state")));
  n->set_attr("h_zero_point", Zp(hq));
  n->set_attr("c_scale", static_cast<double>(Scale(c, cq, "the cell state")));
  n->set_attr("hidden_scale", static_cast<double>(Scale(c, hidden, "intermediate 4 (hidden)")));
  n->set_attr("hidden_zero_point", Zp(hidden));
  n->set_attr("cell_clip", static_cast<double>(o.cell_clip()));
  n->set_attr("proj_clip", static_cast<double>(o.proj_clip()));
  n->set_attr("time_major", int64_t{o.time_major()});
  c.SetState(18, n->output(1));
  c.SetState(19, n->output(2));
  c.SetOut(0, n->output(0));
  return true;
}

}  // namespace halo::tflite_fe
