// Normalisations: BatchNormalization (inference), BatchNormalizationTraining,
// InstanceNormalization, LayerNormalization, LRN and MeanVarianceNormalization.
#include <set>

#include "ir/ops/rules.h"

namespace halo {
namespace {

void CheckFloat(InferContext& c, const Type& t) {
  c.check(t.dtype == DataType::kFloat32 || t.dtype == DataType::kFloat64, "element type ",
          DataTypeName(t.dtype), " is not supported (float32 or float64)");
}

// Checks that input i is a [C] vector of the element type of X.
void CheckChannelVector(InferContext& c, size_t i, const char* name, int64_t channels) {
  const Type& t = c.in(i);
  c.check(t.dtype == c.in(0).dtype && t.shape == Shape{channels}, name, " must be ",
          DataTypeName(c.in(0).dtype), "[", channels, "], got ", t.ToString());
}

// BatchNormalization (inference) and BatchNormalizationTraining share the input checks.
void CheckBatchNormInputs(InferContext& c) {
  const Type& x = c.in(0);
  CheckFloat(c, x);
  c.check(x.Rank() >= 2, "X must be [N, C, ...], got ", x.ToString());
  const char* names[] = {"scale", "B", "input_mean", "input_var"};
  for (size_t i = 1; i <= 4; ++i) CheckChannelVector(c, i, names[i - 1], x.shape[1]);
}

void BatchNormRule(InferContext& c) {
  CheckBatchNormInputs(c);
  c.check(c.node()->GetInt("training_mode") == 0 && c.node()->num_outputs() == 1,
          "training mode is BatchNormalizationTraining; this op is inference only");
  c.check(c.node()->GetInt("spatial") == 1, "spatial=0 is not supported");
  c.set_out(c.in(0));
}

void BatchNormTrainingRule(InferContext& c) {
  CheckBatchNormInputs(c);
  const Type& x = c.in(0);
  c.set_out(0, x);
  for (size_t i = 1; i < c.node()->num_outputs(); ++i) c.set_out(i, Type(x.dtype, {x.shape[1]}));
}

void InstanceNormRule(InferContext& c) {
  const Type& x = c.in(0);
  CheckFloat(c, x);
  c.check(x.Rank() >= 3, "input must be [N, C, D1...], got ", x.ToString());
  CheckChannelVector(c, 1, "scale", x.shape[1]);
  CheckChannelVector(c, 2, "B", x.shape[1]);
  c.set_out(x);
}

void LayerNormRule(InferContext& c) {
  Node* node = c.node();
  const Type& x = c.in(0);
  CheckFloat(c, x);
  c.check(x.Rank() >= 1, "X must have rank 1 or more");
  int64_t axis = NormalizeAxis(node->GetInt("axis"), x.Rank());
  node->set_attr("axis", axis);
  Shape norm(x.shape.begin() + axis, x.shape.end());
  for (size_t i = 1; i <= 2; ++i) {
    if (!c.has_input(i)) continue;
    const Type& t = c.in(i);
    c.check(t.dtype == x.dtype, "Scale and B must have the element type of X");
    c.check(t.Rank() <= static_cast<int>(norm.size()) && BroadcastShapes(t.shape, norm) == norm,
            i == 1 ? "Scale " : "B ", t.ToString(), " does not broadcast to the normalised shape ",
            ShapeToString(norm));
  }
  int64_t stash = node->GetInt("stash_type");
  c.check(stash == 1 || stash == 11, "stash_type must be 1 (float) or 11 (double)");
  c.check(node->num_outputs() <= 3, "LayerNormalization has at most 3 results");
  c.set_out(0, x);
  Shape stat(x.shape.begin(), x.shape.begin() + axis);
  stat.resize(x.shape.size(), 1);
  for (size_t i = 1; i < node->num_outputs(); ++i)
    c.set_out(i, Type(stash == 1 ? DataType::kFloat32 : DataType::kFloat64, stat));
}

void LRNRule(InferContext& c) {
  const Type& x = c.in(0);
  CheckFloat(c, x);
  c.check(x.Rank() >= 3, "X must be [N, C, D1...], got ", x.ToString());
  c.check(c.node()->GetInt("size") >= 1, "size must be positive");
  c.set_out(x);
}

void MVNRule(InferContext& c) {
  const Type& x = c.in(0);
  CheckFloat(c, x);
  std::vector<int64_t> axes;
  std::set<int64_t> seen;
  for (int64_t a : c.node()->GetInts("axes")) {
    a = NormalizeAxis(a, x.Rank());
    c.check(seen.insert(a).second, "axis ", a, " appears twice in axes");
    axes.push_back(a);
  }
  c.node()->set_attr("axes", std::vector<int64_t>(seen.begin(), seen.end()));
  c.set_out(x);
}

}  // namespace

void RegisterNNNormOps(OpRegistry& r) {
  r.Add("BatchNormalization")
      .Doc(
          "Inference-mode batch normalisation: Y = scale * (X - mean) / sqrt(var + epsilon) + B "
          "per channel of X [N, C, ...].")
      .In("X")
      .In("scale")
      .In("B")
      .In("input_mean")
      .In("input_var")
      .Float("epsilon", 1e-5, "added to the variance")
      .Meta("momentum", AttrKind::kFloat, 0.9, "training only")
      .Meta("training_mode", AttrKind::kInt, int64_t{0},
            "must be 0 (the ONNX frontend makes BatchNormalizationTraining of 1)")
      .Meta("spatial", AttrKind::kInt, int64_t{1}, "opset 7-8: must be 1")
      .Meta("is_test", AttrKind::kInt, int64_t{0}, "opset 6 and older: ignored")
      .Meta("consumed_inputs", AttrKind::kInts, std::vector<int64_t>{}, "opset 5: ignored")
      .Out("Y")
      .Rule(BatchNormRule);
  r.Add("BatchNormalizationTraining")
      .Doc(
          "ONNX BatchNormalization with training_mode=1: Y = scale * (X - mean) / sqrt(var + "
          "epsilon) + B with the batch's mean and biased variance per channel of X [N, C, ...]; "
          "running_mean = input_mean * momentum + mean * (1 - momentum), running_var likewise. "
          "The running results are optional.")
      .In("X")
      .In("scale")
      .In("B")
      .In("input_mean")
      .In("input_var")
      .Float("epsilon", 1e-5, "added to the variance")
      .Float("momentum", 0.9, "weight of the input statistics in the running ones")
      .Out("Y")
      .Out("running_mean")
      .Out("running_var")
      .Rule(BatchNormTrainingRule);
  r.Add("InstanceNormalization")
      .Doc(
          "Y = scale * (x - mean) / sqrt(var + epsilon) + B with mean and variance over the "
          "spatial positions of each (n, c) of input [N, C, D...].")
      .In("input")
      .In("scale")
      .In("B")
      .Float("epsilon", 1e-5, "added to the variance")
      .Out("output")
      .Rule(InstanceNormRule);
  r.Add("LayerNormalization")
      .Doc(
          "Normalises X over the dimensions from axis on: Y = (X - mean) * InvStdDev * Scale + B, "
          "InvStdDev = 1 / sqrt(var + epsilon). Optional results Mean and InvStdDev have shape "
          "X.shape[:axis] + [1...].")
      .In("X")
      .In("Scale")
      .OptIn("B", "bias")
      .Int("axis", -1, "first normalised dimension (non-negative once lowered)")
      .Float("epsilon", 1e-5, "added to the variance")
      .Meta("stash_type", AttrKind::kInt, int64_t{1},
            "ONNX type of Mean/InvStdDev: 1 float, 11 double")
      .Out("Y")
      .Out("Mean")
      .Out("InvStdDev")
      .Rule(LayerNormRule);
  r.Add("LRN")
      .Doc(
          "Local response normalisation across channels: Y = X / (bias + alpha / size * "
          "sum(X^2 over size neighbouring channels))^beta.")
      .In("X")
      .Float("alpha", 1e-4, "scale")
      .Float("beta", 0.75, "exponent")
      .Float("bias", 1.0, "offset")
      .Int("size", 0, "number of channels summed")
      .Required()
      .Out("Y")
      .Rule(LRNRule);
  r.Add("MeanVarianceNormalization")
      .Doc("Y = (X - mean) / (sqrt(var) + 1e-9) with mean and variance over `axes`.")
      .In("X")
      .Ints("axes", {0, 2, 3}, "the reduced axes (sorted, non-negative once lowered)")
      .Out("Y")
      .Rule(MVNRule);
}

}  // namespace halo
