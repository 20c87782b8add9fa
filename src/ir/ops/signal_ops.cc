// Signal processing: DFT, STFT and MelWeightMatrix (opset 17). Complex tensors carry a last
// dimension of 2 (real, imaginary); real ones a last dimension of 1.
#include "ir/ops/rules.h"

namespace halo {
namespace {

void CheckFloat(InferContext& c, const Type& t, const char* what) {
  c.check(t.dtype == DataType::kFloat32 || t.dtype == DataType::kFloat64, what,
          " must be float32 or float64, got ", DataTypeName(t.dtype));
}

// The one integer of constant input i.
int64_t ConstInt(InferContext& c, size_t i, const char* what) {
  const Tensor& t = c.require_const(i);
  c.check(t.type().NumElements() == 1 && IsInteger(t.type().dtype), what,
          " must hold one integer, got ", t.type().ToString());
  return t.GetInt(0);
}

double ConstFloat(InferContext& c, size_t i, const char* what) {
  const Tensor& t = c.require_const(i);
  c.check(t.type().NumElements() == 1 && IsFloat(t.type().dtype), what,
          " must hold one float, got ", t.type().ToString());
  return t.GetDouble(0);
}

void DftRule(InferContext& c) {
  Node* node = c.node();
  const Type& x = c.in(0);
  CheckFloat(c, x, "input");
  int64_t rank = x.Rank();
  c.check(rank >= 2 && (x.shape.back() == 1 || x.shape.back() == 2),
          "input must be [batch, signal dims..., 1 or 2], got ", x.ToString());
  int64_t axis = node->GetInt("axis");
  c.check(axis >= -rank && axis <= rank - 2 && axis != -1, "axis ", axis,
          " must not be the last (real/imaginary) dimension of rank ", rank);
  if (axis < 0) axis += rank;
  node->set_attr("axis", axis);
  int64_t n = x.shape[axis];
  if (c.has_input(1))
    n = ConstInt(c, 1, "dft_length");
  else if (node->GetInt("dft_length") > 0)
    n = node->GetInt("dft_length");
  c.check(n >= 1, "dft_length must be positive, got ", n);
  node->set_attr("dft_length", n);
  bool onesided = node->GetInt("onesided") != 0, inverse = node->GetInt("inverse") != 0;
  c.check(!onesided || x.shape.back() == 1, "onesided needs a real input (last dimension 1)");
  c.check(!(onesided && inverse), "onesided inverse transforms are not supported");
  Shape s = x.shape;
  s[axis] = onesided ? n / 2 + 1 : n;
  s.back() = 2;
  c.set_out(Type(x.dtype, s));
}

void StftRule(InferContext& c) {
  Node* node = c.node();
  const Type& x = c.in(0);
  CheckFloat(c, x, "signal");
  c.check(x.Rank() == 3 && (x.shape[2] == 1 || x.shape[2] == 2),
          "signal must be [batch, length, 1 or 2], got ", x.ToString());
  c.check(c.has_input(1), "frame_step is required");
  int64_t step = ConstInt(c, 1, "frame_step");
  c.check(step >= 1, "frame_step must be positive, got ", step);
  node->set_attr("frame_step", step);
  int64_t len = -1;
  if (c.has_input(2)) {
    const Type& w = c.in(2);
    c.check(w.dtype == x.dtype && w.Rank() == 1, "window must be a 1-D ", DataTypeName(x.dtype),
            " tensor, got ", w.ToString());
    len = w.shape[0];
  }
  if (c.has_input(3)) {
    int64_t fl = ConstInt(c, 3, "frame_length");
    c.check(len < 0 || fl == len, "frame_length ", fl, " differs from the window's length ", len);
    len = fl;
  }
  c.check(len >= 1, "frame_length must be positive (input frame_length or the window's length)");
  c.check(len <= x.shape[1], "frame_length ", len, " exceeds the signal length ", x.shape[1]);
  node->set_attr("frame_length", len);
  bool onesided = node->GetInt("onesided") != 0;
  c.check(!onesided || x.shape[2] == 1, "onesided needs a real signal (last dimension 1)");
  int64_t frames = (x.shape[1] - len) / step + 1;
  c.set_out(Type(x.dtype, {x.shape[0], frames, onesided ? len / 2 + 1 : len, 2}));
}

void MelWeightMatrixRule(InferContext& c) {
  Node* node = c.node();
  for (size_t i = 0; i < 5; ++i) c.check(c.has_input(i), "MelWeightMatrix takes 5 inputs");
  int64_t mel = ConstInt(c, 0, "num_mel_bins"), dft = ConstInt(c, 1, "dft_length");
  int64_t rate = ConstInt(c, 2, "sample_rate");
  double lower = ConstFloat(c, 3, "lower_edge_hertz"), upper = ConstFloat(c, 4, "upper_edge_hertz");
  c.check(mel >= 1 && dft >= 1 && rate >= 1,
          "num_mel_bins, dft_length and sample_rate must be positive");
  c.check(lower >= 0 && lower <= upper, "the edges must satisfy 0 <= lower_edge_hertz (", lower,
          ") <= upper_edge_hertz (", upper, ")");
  node->set_attr("num_mel_bins", mel);
  node->set_attr("dft_length", dft);
  node->set_attr("sample_rate", rate);
  node->set_attr("lower_edge_hertz", lower);
  node->set_attr("upper_edge_hertz", upper);
  DataType dt = node->GetDType("output_datatype");
  c.check(dt != DataType::kBool && dt != DataType::kFloat16 && dt != DataType::kBFloat16,
          "output_datatype ", DataTypeName(dt), " is not supported");
  c.set_out(Type(dt, {dft / 2 + 1, mel}));
}

}  // namespace

void RegisterSignalOps(OpRegistry& r) {
  r.Add("DFT")
      .Doc(
          "Discrete Fourier transform along `axis` of input [batch, signal dims..., 1 (real) or "
          "2 (complex)]: each signal is cut or zero-padded to dft_length; the result is "
          "complex, with dft_length bins (onesided: dft_length / 2 + 1). inverse: the inverse "
          "transform, scaled by 1 / dft_length.")
      .In("input")
      .ConstIn("dft_length", "scalar integer, moved into dft_length")
      .Int("dft_length", 0, "transform length (the axis length when absent; set once lowered)")
      .Int("axis", 1, "the signal dimension (non-negative once lowered)")
      .Int("inverse", 0, "1: inverse transform")
      .Int("onesided", 0, "1: keep bins [0, dft_length / 2] (real input only)")
      .Out("output")
      .Rule(DftRule);
  r.Add("STFT")
      .Doc(
          "Short-time Fourier transform of signal [batch, length, 1 or 2]: frames of "
          "frame_length samples every frame_step, multiplied by the window, each transformed: "
          "[batch, frames, bins, 2] with frames = (length - frame_length) / frame_step + 1 and "
          "bins = frame_length (onesided: frame_length / 2 + 1).")
      .In("signal")
      .ConstIn("frame_step", "scalar integer, moved into frame_step")
      .OptIn("window", "[frame_length] weights of the frame's samples")
      .ConstIn("frame_length", "scalar integer, moved into frame_length")
      .Int("onesided", 1, "1: keep bins [0, frame_length / 2] (real signal only)")
      .Int("frame_step", 0, "samples between frame starts (set once lowered)")
      .Int("frame_length", 0, "samples per frame (set once lowered)")
      .Out("output")
      .Rule(StftRule);
  r.Add("MelWeightMatrix")
      .Doc(
          "The [dft_length / 2 + 1, num_mel_bins] matrix of triangular mel-scale filters that "
          "maps a one-sided spectrum to mel bins, as ONNX's reference computes it.")
      .ConstIn("num_mel_bins", "scalar integer")
      .ConstIn("dft_length", "scalar integer")
      .ConstIn("sample_rate", "scalar integer")
      .ConstIn("lower_edge_hertz", "scalar float")
      .ConstIn("upper_edge_hertz", "scalar float")
      .Int("num_mel_bins", 0, "number of filters (set once lowered)")
      .Int("dft_length", 0, "the spectrum's DFT length (set once lowered)")
      .Int("sample_rate", 0, "samples per second (set once lowered)")
      .Float("lower_edge_hertz", 0, "lowest frequency of the filters (set once lowered)")
      .Float("upper_edge_hertz", 0, "highest frequency of the filters (set once lowered)")
      .DType("output_datatype", DataType::kFloat32, "the result's element type")
      .Out("output")
      .Rule(MelWeightMatrixRule);
}

}  // namespace halo
