// Convolutions and pooling: Conv, ConvTranspose, MaxPool, AveragePool, LpPool and the
// global pools. Rules resolve auto_pad and output_shape into explicit pads and fill the
// default strides/dilations, so the runtime gets concrete geometry.
#include <algorithm>

#include "ir/ops/rules.h"

namespace halo {
namespace {

// Spatial geometry of a convolution or pooling node, canonicalised in place.
struct Window {
  int n = 0;  // spatial rank
  std::vector<int64_t> in, kernel, strides, dilations, pads, out;
};

std::vector<int64_t> IntsOr(const Node& node, const char* name, size_t n, int64_t fill) {
  std::vector<int64_t> v = node.GetInts(name);
  if (v.empty()) v.assign(n, fill);
  if (v.size() != n) throw Err("attribute '", name, "' has ", v.size(), " entries, expected ", n);
  return v;
}

void CheckFloatType(InferContext& c, const Type& t) {
  c.check(t.dtype == DataType::kFloat32 || t.dtype == DataType::kFloat64, "element type ",
          DataTypeName(t.dtype), " is not supported (float32 or float64)");
}

void CheckSpatialRank(InferContext& c, const Type& x) {
  c.check(x.Rank() >= 3 && x.Rank() <= 5, "input must be [N, C, D1..Dn] with 1 to 3 spatial ",
          "dimensions, got ", x.ToString());
}

// Reads kernel/strides/dilations/pads of a node whose input 0 is [N, C, spatial...] and
// resolves auto_pad. ceil_mode rounds the output size up (pooling only).
Window ResolveWindow(InferContext& c, const std::vector<int64_t>& kernel, bool has_dilations,
                     bool ceil_mode) {
  Node* node = c.node();
  const Type& x = c.in(0);
  CheckSpatialRank(c, x);
  Window w;
  w.n = x.Rank() - 2;
  size_t n = w.n;
  w.in.assign(x.shape.begin() + 2, x.shape.end());
  w.kernel = kernel;
  c.check(w.kernel.size() == n, "kernel_shape has ", w.kernel.size(), " entries, expected ", n);
  for (int64_t k : w.kernel) c.check(k >= 1, "kernel dimensions must be positive");
  w.strides = IntsOr(*node, "strides", n, 1);
  w.dilations = has_dilations ? IntsOr(*node, "dilations", n, 1) : std::vector<int64_t>(n, 1);
  for (size_t i = 0; i < n; ++i)
    c.check(w.strides[i] >= 1 && w.dilations[i] >= 1, "strides and dilations must be positive");
  const std::string& auto_pad = node->GetString("auto_pad");
  w.pads.assign(2 * n, 0);
  w.out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t span = (w.kernel[i] - 1) * w.dilations[i] + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      int64_t out = (w.in[i] + w.strides[i] - 1) / w.strides[i];
      int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + span - w.in[i]);
      int64_t small = total / 2, big = total - small;
      w.pads[i] = auto_pad == "SAME_UPPER" ? small : big;
      w.pads[i + n] = auto_pad == "SAME_UPPER" ? big : small;
    } else if (auto_pad == "NOTSET") {
      auto p = IntsOr(*node, "pads", 2 * n, 0);
      for (int64_t v : p) c.check(v >= 0, "pads must not be negative");
      w.pads = p;
    } else {
      c.check(auto_pad == "VALID", "auto_pad '", auto_pad, "' is not one of NOTSET, SAME_UPPER, ",
              "SAME_LOWER, VALID");
    }
    int64_t avail = w.in[i] + w.pads[i] + w.pads[i + n] - span;
    c.check(avail >= 0, "the window (", span, ") is larger than the padded input (",
            w.in[i] + w.pads[i] + w.pads[i + n], ") in spatial dimension ", i);
    w.out[i] = (ceil_mode ? (avail + w.strides[i] - 1) / w.strides[i] : avail / w.strides[i]) + 1;
  }
  node->set_attr("strides", w.strides);
  if (has_dilations) node->set_attr("dilations", w.dilations);
  node->set_attr("pads", w.pads);
  node->set_attr("kernel_shape", w.kernel);
  return w;
}

Shape OutShape(int64_t batch, int64_t channels, const std::vector<int64_t>& spatial) {
  Shape s{batch, channels};
  s.insert(s.end(), spatial.begin(), spatial.end());
  return s;
}

// Checks W and the optional bias of Conv/ConvTranspose; returns the kernel shape.
std::vector<int64_t> ConvKernel(InferContext& c, int64_t bias_len) {
  const Type& x = c.in(0);
  const Type& w = c.in(1);
  CheckFloatType(c, x);
  c.check(w.dtype == x.dtype, "W must have the element type of X (", DataTypeName(x.dtype), ")");
  c.check(w.Rank() == x.Rank(), "W must have the rank of X (", x.Rank(), "), got ", w.ToString());
  std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  const auto& given = c.node()->GetInts("kernel_shape");
  c.check(given.empty() || given == kernel, "kernel_shape ", ShapeToString(given),
          " does not match W ", w.ToString());
  c.check(c.node()->GetInt("group") >= 1, "group must be positive");
  if (c.has_input(2)) {
    const Type& b = c.in(2);
    c.check(b.dtype == x.dtype && b.shape == Shape{bias_len}, "B must be ", DataTypeName(x.dtype),
            "[", bias_len, "], got ", b.ToString());
  }
  return kernel;
}

void ConvTransposeRule(InferContext& c) {
  Node* node = c.node();
  const Type& x = c.in(0);
  CheckSpatialRank(c, x);
  const Type& w = c.in(1);
  int64_t group = node->GetInt("group");
  c.check(w.Rank() < 2 || x.shape[1] == w.shape[0], "X has ", x.shape[1],
          " channels but W [C, M/group, ...] has ", w.Rank() ? w.shape[0] : 0);
  int64_t m = w.Rank() >= 2 ? w.shape[1] * group : 0;
  c.check(group >= 1 && x.Rank() >= 2 && x.shape[1] % group == 0, "the ", x.shape[1],
          " input channels are not divisible by group ", group);
  auto kernel = ConvKernel(c, m);
  size_t n = x.Rank() - 2;
  auto strides = IntsOr(*node, "strides", n, 1);
  auto dilations = IntsOr(*node, "dilations", n, 1);
  auto out_pad = IntsOr(*node, "output_padding", n, 0);
  std::vector<int64_t> want = node->GetInts("output_shape");
  if (want.size() == n + 2) want.erase(want.begin(), want.begin() + 2);
  c.check(want.empty() || want.size() == n, "output_shape has ", want.size(), " entries, expected ",
          n);
  for (size_t i = 0; i < n; ++i) {
    c.check(strides[i] >= 1 && dilations[i] >= 1, "strides and dilations must be positive");
    c.check(out_pad[i] >= 0 && (!want.empty() || out_pad[i] < std::max(strides[i], dilations[i])),
            "output_padding must be smaller than the stride or the dilation");
  }
  const std::string& auto_pad = node->GetString("auto_pad");
  c.check(auto_pad == "NOTSET" || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER" ||
              auto_pad == "VALID",
          "auto_pad '", auto_pad, "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  std::vector<int64_t> pads(2 * n, 0), out(n);
  if (auto_pad == "NOTSET" && want.empty()) pads = IntsOr(*node, "pads", 2 * n, 0);
  for (size_t i = 0; i < n; ++i) {
    int64_t full =
        strides[i] * (x.shape[i + 2] - 1) + out_pad[i] + (kernel[i] - 1) * dilations[i] + 1;
    if (!want.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      int64_t target = want.empty() ? x.shape[i + 2] * strides[i] : want[i];
      int64_t total = full - target;
      if (total < 0) {  // a larger output_shape adds rows at the end, like output_padding
        out_pad[i] -= total;
        full -= total;
        total = 0;
      }
      int64_t small = total / 2, big = total - small;
      pads[i] = auto_pad == "SAME_UPPER" ? small : big;
      pads[i + n] = auto_pad == "SAME_UPPER" ? big : small;
    }
    c.check(pads[i] >= 0 && pads[i + n] >= 0, "pads must not be negative");
    out[i] = full - pads[i] - pads[i + n];
    c.check(out[i] >= 1, "the result would be empty in spatial dimension ", i);
  }
  node->set_attr("strides", strides);
  node->set_attr("dilations", dilations);
  node->set_attr("output_padding", out_pad);
  node->set_attr("pads", pads);
  node->set_attr("kernel_shape", kernel);
  c.set_out(Type(x.dtype, OutShape(x.shape[0], m, out)));
}

void PoolRule(InferContext& c, bool dilations, bool ceil) {
  const Type& x = c.in(0);
  Window w = ResolveWindow(c, c.node()->GetInts("kernel_shape"), dilations,
                           ceil && c.node()->GetInt("ceil_mode") != 0);
  c.set_out(0, Type(x.dtype, OutShape(x.shape[0], x.shape[1], w.out)));
}

void MaxPoolRule(InferContext& c) {
  const Type& x = c.in(0);
  c.check(x.dtype == DataType::kFloat32 || x.dtype == DataType::kFloat64 ||
              x.dtype == DataType::kInt8 || x.dtype == DataType::kUInt8,
          "element type ", DataTypeName(x.dtype), " is not supported (float32/64, int8, uint8)");
  int64_t order = c.node()->GetInt("storage_order");
  c.check(order == 0 || order == 1, "storage_order must be 0 or 1");
  c.check(c.node()->num_outputs() <= 2, "MaxPool has at most 2 results");
  PoolRule(c, true, true);
  if (c.node()->num_outputs() == 2) {
    Type idx = c.node()->output(0)->type();
    idx.dtype = DataType::kInt64;
    c.set_out(1, idx);
  }
}

void AveragePoolRule(InferContext& c) {
  CheckFloatType(c, c.in(0));
  PoolRule(c, false, true);
}

void LpPoolRule(InferContext& c) {
  CheckFloatType(c, c.in(0));
  c.check(c.node()->GetInt("p") >= 1, "p must be positive");
  PoolRule(c, false, false);
}

void GlobalPoolRule(InferContext& c) {
  const Type& x = c.in(0);
  CheckFloatType(c, x);
  c.check(x.Rank() >= 3, "input must be [N, C, D1..Dn], got ", x.ToString());
  Shape s = x.shape;
  std::fill(s.begin() + 2, s.end(), 1);
  c.set_out(Type(x.dtype, s));
}

const char* kAutoPadDoc =
    "NOTSET (use pads), SAME_UPPER, SAME_LOWER (output = ceil(input / stride), extra padding at "
    "the end / start) or VALID (no padding); resolved into pads";

}  // namespace

void ConvRule(InferContext& c) {
  const Type& x = c.in(0);
  CheckSpatialRank(c, x);
  const Type& w = c.in(1);
  int64_t group = c.node()->GetInt("group");
  if (w.Rank() >= 2) {
    c.check(group >= 1 && x.shape[1] == w.shape[1] * group, "X has ", x.shape[1],
            " channels but W [M, C/group, ...] expects ", w.shape[1], " x group ", group);
    c.check(w.shape[0] % group == 0, "the ", w.shape[0], " output channels of W are not ",
            "divisible by group ", group);
  }
  auto kernel = ConvKernel(c, w.Rank() ? w.shape[0] : 0);
  Window win = ResolveWindow(c, kernel, true, false);
  c.set_out(Type(x.dtype, OutShape(x.shape[0], w.shape[0], win.out)));
}

std::vector<int64_t> ResolveConvWindow(InferContext& c, const std::vector<int64_t>& kernel) {
  return ResolveWindow(c, kernel, true, false).out;
}

void RegisterNNConvOps(OpRegistry& r) {
  r.Add("Conv")
      .Doc(
          "N-d convolution (1 to 3 spatial dimensions) of X [N, C, D...] with W [M, C/group, "
          "k...] plus optional bias B [M].")
      .In("X")
      .In("W")
      .OptIn("B", "bias [M]")
      .Meta("auto_pad", AttrKind::kString, std::string("NOTSET"), kAutoPadDoc)
      .Ints("dilations", {}, "dilation per spatial axis")
      .Int("group", 1, "number of channel groups")
      .Meta("kernel_shape", AttrKind::kInts, std::vector<int64_t>{}, "the spatial dims of W")
      .Ints("pads", {}, "[begin..., end...] per spatial axis")
      .Ints("strides", {}, "stride per spatial axis")
      .Out("Y")
      .Rule(ConvRule);
  r.Add("ConvTranspose")
      .Doc(
          "N-d transposed convolution of X [N, C, D...] with W [C, M/group, k...] plus optional "
          "bias B [M]; the result keeps [pads_begin, full - pads_end) of the full result.")
      .In("X")
      .In("W")
      .OptIn("B", "bias [M]")
      .Meta("auto_pad", AttrKind::kString, std::string("NOTSET"), kAutoPadDoc)
      .Ints("dilations", {}, "dilation per spatial axis")
      .Int("group", 1, "number of channel groups")
      .Meta("kernel_shape", AttrKind::kInts, std::vector<int64_t>{}, "the spatial dims of W")
      .Ints("output_padding", {}, "extra size at the end of each spatial axis")
      .Meta("output_shape", AttrKind::kInts, std::vector<int64_t>{}, "resolved into pads")
      .Ints("pads", {}, "[begin..., end...] cropped from the full result")
      .Ints("strides", {}, "stride per spatial axis")
      .Out("Y")
      .Rule(ConvTransposeRule);
  r.Add("MaxPool")
      .Doc(
          "Max pooling over windows of X [N, C, D...]; optional Indices (int64) of the maxima, "
          "flattened over the whole input.")
      .In("X")
      .Meta("auto_pad", AttrKind::kString, std::string("NOTSET"), kAutoPadDoc)
      .Int("ceil_mode", 0, "1: output size rounds up")
      .Ints("dilations", {}, "dilation per spatial axis")
      .Ints("kernel_shape", {}, "window size per spatial axis")
      .Required()
      .Ints("pads", {}, "[begin..., end...] per spatial axis")
      .Int("storage_order", 0, "Indices order: 0 row major, 1 column major")
      .Ints("strides", {}, "stride per spatial axis")
      .Out("Y")
      .Out("Indices")
      .Rule(MaxPoolRule);
  r.Add("AveragePool")
      .Doc("Average pooling over windows of X [N, C, D...].")
      .In("X")
      .Meta("auto_pad", AttrKind::kString, std::string("NOTSET"), kAutoPadDoc)
      .Int("ceil_mode", 0, "1: output size rounds up")
      .Int("count_include_pad", 0, "1: padding counts in the divisor")
      .Ints("kernel_shape", {}, "window size per spatial axis")
      .Required()
      .Ints("pads", {}, "[begin..., end...] per spatial axis")
      .Ints("strides", {}, "stride per spatial axis")
      .Out("Y")
      .Rule(AveragePoolRule);
  r.Add("LpPool")
      .Doc("Lp-norm pooling: (sum |x|^p)^(1/p) over windows of X [N, C, D...].")
      .In("X")
      .Meta("auto_pad", AttrKind::kString, std::string("NOTSET"), kAutoPadDoc)
      .Ints("kernel_shape", {}, "window size per spatial axis")
      .Required()
      .Int("p", 2, "the norm's exponent")
      .Ints("pads", {}, "[begin..., end...] per spatial axis")
      .Ints("strides", {}, "stride per spatial axis")
      .Out("Y")
      .Rule(LpPoolRule);
  r.Add("GlobalAveragePool")
      .Doc("Mean over all spatial positions of X [N, C, D...]; result [N, C, 1...].")
      .In("X")
      .Out("Y")
      .Rule(GlobalPoolRule);
  r.Add("GlobalMaxPool")
      .Doc("Maximum over all spatial positions of X [N, C, D...]; result [N, C, 1...].")
      .In("X")
      .Out("Y")
      .Rule(GlobalPoolRule);
}

}  // namespace halo
