// Caffe layers that map onto one IR op or a short composition: convolutions, inner
// product, pooling, activations, normalisations and element-wise arithmetic.
#include <cmath>

#include "frontends/caffe/caffe_importer.h"

namespace halo::caffe_fe {
namespace {

using Ints = std::vector<int64_t>;

// A 2-D window parameter given as repeated `all`, or as `h`/`w`; `def` when absent.
template <typename R>
Ints Pair(const Importer& im, const R& all, bool has_h, int64_t h, bool has_w, int64_t w,
          int64_t def, const char* what) {
  if (has_h || has_w) {
    im.Check(all.size() == 0, what, " and ", what, "_h/", what, "_w are both given");
    im.Check(has_h && has_w, what, "_h and ", what, "_w must both be given");
    return {h, w};
  }
  if (all.size() == 0) return {def, def};
  if (all.size() == 1) return {all.Get(0), all.Get(0)};
  im.Check(all.size() == 2, what, " has ", all.size(), " values for 2 spatial axes");
  return {all.Get(0), all.Get(1)};
}

void Convolution(Importer& im, bool transposed) {
  const auto& p = im.layer().convolution_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  im.Check(xs.size() == 4, "supports 4-D blobs [N, C, H, W], got ", ShapeToString(xs));
  im.Check(p.axis() == 1, "axis must be 1, got ", p.axis());
  Ints kernel = Pair(im, p.kernel_size(), p.has_kernel_h(), p.kernel_h(), p.has_kernel_w(),
                     p.kernel_w(), 0, "kernel");
  im.Check(kernel[0] > 0 && kernel[1] > 0, "kernel size missing");
  Ints pad = Pair(im, p.pad(), p.has_pad_h(), p.pad_h(), p.has_pad_w(), p.pad_w(), 0, "pad");
  Ints stride = Pair(im, p.stride(), p.has_stride_h(), p.stride_h(), p.has_stride_w(), p.stride_w(),
                     1, "stride");
  Ints dilation = Pair(im, p.dilation(), false, 0, false, 0, 1, "dilation");
  int64_t group = p.group(), out = p.num_output(), in = xs[1];
  im.Check(group > 0 && in % group == 0 && out % group == 0, "group ", group,
           " must divide the input channels ", in, " and num_output ", out);
  Shape wshape = transposed ? Shape{in, out / group, kernel[0], kernel[1]}
                            : Shape{out, in / group, kernel[0], kernel[1]};
  std::vector<Value*> ins = {x, im.BlobConst(0, wshape, "weight")};
  if (p.bias_term()) ins.push_back(im.BlobConst(1, {out}, "bias"));
  im.SetTop(0, im.Op1(transposed ? "ConvTranspose" : "Conv", ins,
                      {{"kernel_shape", kernel},
                       {"pads", Ints{pad[0], pad[1], pad[0], pad[1]}},
                       {"strides", stride},
                       {"dilations", dilation},
                       {"group", group}}));
}

void InnerProduct(Importer& im) {
  const auto& p = im.layer().inner_product_param();
  Value* x = im.Bottom(0);
  Shape xs = im.ShapeOf(x);
  int64_t axis = CaffeAxis(im, p.axis(), static_cast<int64_t>(xs.size()));
  int64_t k = 1, out = p.num_output();
  for (size_t i = axis; i < xs.size(); ++i) k *= xs[i];
  Shape lead(xs.begin(), xs.begin() + axis);
  Value* flat = im.Op1("Flatten", {x}, {{"axis", axis}});
  Shape wshape = p.transpose() ? Shape{k, out} : Shape{out, k};
  std::vector<Value*> ins = {flat, im.BlobConst(0, wshape, "weight")};
  if (p.bias_term()) ins.push_back(im.BlobConst(1, {out}, "bias"));
  Value* y = im.Op1("Gemm", ins, {{"transB", int64_t{p.transpose() ? 0 : 1}}});
  lead.push_back(out);
  im.SetTop(0, im.Reshape(y, lead));
}

// Caffe's pooled extent: ceil rounding, less a window that would start in the padding.
int64_t PooledSize(int64_t in, int64_t k, int64_t pad, int64_t stride, bool ceil_mode) {
  int64_t span = in + 2 * pad - k;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (pad > 0 && (out - 1) * stride >= in + pad) --out;
  return out;
}

void Pooling(Importer& im) {
  const auto& p = im.layer().pooling_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  im.Check(xs.size() == 4, "supports 4-D blobs [N, C, H, W], got ", ShapeToString(xs));
  im.Check(p.pool() != halo_caffe::PoolingParameter::STOCHASTIC,
           "STOCHASTIC pooling is a training method");
  bool max = p.pool() == halo_caffe::PoolingParameter::MAX;
  if (p.global_pooling()) {
    im.SetTop(0, im.Op1(max ? "GlobalMaxPool" : "GlobalAveragePool", {x}));
    return;
  }
  Ints kernel = {p.has_kernel_h() ? p.kernel_h() : p.kernel_size(),
                 p.has_kernel_w() ? p.kernel_w() : p.kernel_size()};
  Ints pad = {p.has_pad_h() ? p.pad_h() : p.pad(), p.has_pad_w() ? p.pad_w() : p.pad()};
  Ints stride = {p.has_stride_h() ? p.stride_h() : p.stride(),
                 p.has_stride_w() ? p.stride_w() : p.stride()};
  im.Check(kernel[0] > 0 && kernel[1] > 0, "kernel size missing");
  im.Check(stride[0] > 0 && stride[1] > 0, "stride must be positive");
  bool ceil_mode = p.round_mode() == halo_caffe::PoolingParameter::CEIL;
  // The end pads that make the IR's floor rounding give Caffe's extent. The IR's average
  // then divides by the whole window (padding included); Caffe divides by the part of it
  // inside the padded input: a constant factor per output position makes up the difference.
  Ints pads = {pad[0], pad[1], pad[0], pad[1]};
  std::vector<std::vector<float>> factor(2);
  bool exact = true;
  for (int a = 0; a < 2; ++a) {
    int64_t in = xs[2 + a], k = kernel[a], s = stride[a];
    int64_t out = PooledSize(in, k, pad[a], s, ceil_mode);
    pads[2 + a] = std::max<int64_t>((out - 1) * s + k - in - pad[a], 0);
    im.Check((in + pad[a] + pads[2 + a] - k) / s + 1 == out, "cannot express the pooled size");
    for (int64_t o = 0; o < out; ++o) {
      int64_t start = o * s - pad[a];
      int64_t size = std::min(start + k, in + pad[a]) - start;
      factor[a].push_back(static_cast<float>(k) / static_cast<float>(size));
      exact = exact && size == k;
    }
  }
  std::map<std::string, AttrValue> attrs = {
      {"kernel_shape", kernel}, {"pads", pads}, {"strides", stride}};
  if (!max) attrs["count_include_pad"] = int64_t{1};
  Value* y = im.Op1(max ? "MaxPool" : "AveragePool", {x}, attrs);
  if (!max && !exact) {
    int64_t oh = static_cast<int64_t>(factor[0].size()),
            ow = static_cast<int64_t>(factor[1].size());
    Tensor f(Type(DataType::kFloat32, {1, 1, oh, ow}));
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        f.mutable_data<float>()[i * ow + j] = factor[0][i] * factor[1][j];
    y = im.Op1("Mul", {y, im.Const(std::move(f))});
  }
  im.SetTop(0, y);
}

void Unary(std::map<std::string, LayerFn>& t, const char* type, const char* op) {
  std::string o = op;
  t[type] = [o](Importer& im) { im.SetTop(0, im.Op1(o, {im.Bottom(0)})); };
}

// y = x * scale + shift, skipping the identity parts.
Value* Affine(Importer& im, Value* x, float scale, float shift) {
  if (scale != 1) x = im.Op1("Mul", {x, im.Scalar(scale)});
  if (shift != 0) x = im.Op1("Add", {x, im.Scalar(shift)});
  return x;
}

// Scale and Bias: a per-axis parameter (second bottom or learned blob) broadcast from axis.
Value* PerAxis(Importer& im, Value* x, int64_t axis_param, int64_t num_axes, size_t blob,
               const char* what, bool from_bottom) {
  const Shape& xs = im.ShapeOf(x);
  int64_t rank = static_cast<int64_t>(xs.size());
  Value* p;
  int64_t axis;
  if (from_bottom) {
    p = im.Bottom(1);
    const Shape& ps = im.ShapeOf(p);
    axis = ps.empty() ? rank : CaffeAxis(im, axis_param, rank);
  } else {
    axis = CaffeAxis(im, axis_param, rank);
    int64_t end = num_axes < 0 ? rank : axis + num_axes;
    im.Check(end <= rank, "num_axes ", num_axes, " runs past the blob's rank ", rank);
    p = im.BlobConst(blob, Shape(xs.begin() + axis, xs.begin() + end), what);
  }
  return im.Align(p, axis, rank);
}

void ScaleLayer(Importer& im) {
  const auto& p = im.layer().scale_param();
  Value* x = im.Bottom(0);
  bool two = im.NumBottoms() > 1;
  Value* y = im.Op1("Mul", {x, PerAxis(im, x, p.axis(), p.num_axes(), 0, "scale", two)});
  if (p.bias_term())
    y = im.Op1("Add", {y, PerAxis(im, x, p.axis(), p.num_axes(), two ? 0 : 1, "bias", false)});
  im.SetTop(0, y);
}

void BiasLayer(Importer& im) {
  const auto& p = im.layer().bias_param();
  Value* x = im.Bottom(0);
  im.SetTop(0, im.Op1("Add",
                      {x, PerAxis(im, x, p.axis(), p.num_axes(), 0, "bias", im.NumBottoms() > 1)}));
}

void BatchNorm(Importer& im) {
  const auto& p = im.layer().batch_norm_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  im.Check(xs.size() >= 2, "needs a blob [N, C, ...], got ", ShapeToString(xs));
  int64_t c = xs[1];
  if (p.has_use_global_stats() && !p.use_global_stats()) {
    // The batch's own statistics per channel: (x - mean) / sqrt(variance + eps).
    Ints axes = {0};
    for (size_t a = 2; a < xs.size(); ++a) axes.push_back(static_cast<int64_t>(a));
    Value* y = im.Op1("Sub", {x, im.Op1("ReduceMean", {x, im.Ints(axes)})});
    Value* var = im.Op1("ReduceMean", {im.Op1("Mul", {y, y}), im.Ints(axes)});
    Value* sd = im.Op1("Sqrt", {im.Op1("Add", {var, im.Scalar(p.eps())})});
    im.SetTop(0, im.Op1("Div", {y, sd}));
    return;
  }
  Tensor mean = im.BlobTensor(0, {c}, "mean");
  Tensor var = im.BlobTensor(1, {c}, "variance");
  Tensor factor = im.BlobTensor(2, {1}, "moving average factor");
  // Caffe stores sums: the statistics are the blobs divided by the factor (0 stays 0).
  float f = factor.data<float>()[0];
  float inv = f == 0 ? 0 : 1 / f;
  for (int64_t i = 0; i < c; ++i) {
    mean.mutable_data<float>()[i] *= inv;
    var.mutable_data<float>()[i] *= inv;
  }
  Tensor ones(Type(DataType::kFloat32, {c})), zeros(Type(DataType::kFloat32, {c}));
  for (int64_t i = 0; i < c; ++i) ones.mutable_data<float>()[i] = 1;
  im.SetTop(0, im.Op1("BatchNormalization",
                      {x, im.Const(ones), im.Const(zeros), im.Const(mean), im.Const(var)},
                      {{"epsilon", double{p.eps()}}}));
}

void Eltwise(Importer& im) {
  const auto& p = im.layer().eltwise_param();
  int n = im.NumBottoms();
  im.Check(n >= 2, "needs at least 2 bottoms, got ", n);
  using E = halo_caffe::EltwiseParameter;
  im.Check(p.coeff_size() == 0 || (p.operation() == E::SUM && p.coeff_size() == n),
           "coeff needs one value per bottom, and SUM");
  Value* y = nullptr;
  for (int i = 0; i < n; ++i) {
    Value* x = im.Bottom(i);
    if (p.coeff_size() && p.coeff(i) != 1) x = im.Op1("Mul", {x, im.Scalar(p.coeff(i))});
    if (!y) {
      y = x;
      continue;
    }
    const char* op = p.operation() == E::SUM ? "Add" : p.operation() == E::PROD ? "Mul" : "Max";
    y = im.Op1(op, {y, x});
  }
  im.SetTop(0, y);
}

void Lrn(Importer& im) {
  const auto& p = im.layer().lrn_param();
  Value* x = im.Bottom(0);
  int64_t size = p.local_size();
  im.Check(size % 2 == 1, "local_size must be odd, got ", size);
  if (p.norm_region() == halo_caffe::LRNParameter::ACROSS_CHANNELS) {
    im.SetTop(0, im.Op1("LRN", {x},
                        {{"size", size},
                         {"alpha", double{p.alpha()}},
                         {"beta", double{p.beta()}},
                         {"bias", double{p.k()}}}));
    return;
  }
  // Within a channel: x / (1 + alpha * mean of x^2 over the size x size window)^beta.
  int64_t pad = (size - 1) / 2;
  Value* sq = im.Op1("Mul", {x, x});
  Value* avg = im.Op1("AveragePool", {sq},
                      {{"kernel_shape", Ints{size, size}},
                       {"pads", Ints{pad, pad, pad, pad}},
                       {"count_include_pad", int64_t{1}}});
  Value* den = im.Op1("Pow", {Affine(im, avg, p.alpha(), 1), im.Scalar(p.beta())});
  im.SetTop(0, im.Op1("Div", {x, den}));
}

void Mvn(Importer& im) {
  const auto& p = im.layer().mvn_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  Ints axes;
  for (size_t a = p.across_channels() ? 1 : 2; a < xs.size(); ++a) axes.push_back(a);
  im.Check(!axes.empty(), "needs a blob of rank 3 or more, got ", ShapeToString(xs));
  Value* mean = im.Op1("ReduceMean", {x, im.Ints(axes)});
  Value* y = im.Op1("Sub", {x, mean});
  if (p.normalize_variance()) {
    Value* var = im.Op1("ReduceMean", {im.Op1("Mul", {y, y}), im.Ints(axes)});
    Value* sd = im.Op1("Add", {im.Op1("Sqrt", {var}), im.Scalar(p.eps())});
    y = im.Op1("Div", {y, sd});
  }
  im.SetTop(0, y);
}

void PRelu(Importer& im) {
  const auto& p = im.layer().prelu_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  int64_t rank = static_cast<int64_t>(xs.size());
  im.Check(rank >= 2, "needs a blob [N, C, ...], got ", ShapeToString(xs));
  Value* slope = p.channel_shared() ? im.BlobConst(0, {1}, "slope")
                                    : im.Align(im.BlobConst(0, {xs[1]}, "slope"), 1, rank);
  im.SetTop(0, im.Op1("PRelu", {x, slope}));
}

void Power(Importer& im) {
  const auto& p = im.layer().power_param();
  Value* y = Affine(im, im.Bottom(0), p.scale(), p.shift());
  if (p.power() != 1) y = im.Op1("Pow", {y, im.Scalar(p.power())});
  im.SetTop(0, y);
}

void ExpLayer(Importer& im) {
  const auto& p = im.layer().exp_param();
  float ln_base = p.base() == -1 ? 1.0f : std::log(p.base());
  im.Check(p.base() == -1 || p.base() > 0, "base must be positive or -1, got ", p.base());
  im.SetTop(0, im.Op1("Exp", {Affine(im, im.Bottom(0), p.scale() * ln_base, p.shift() * ln_base)}));
}

void LogLayer(Importer& im) {
  const auto& p = im.layer().log_param();
  im.Check(p.base() == -1 || p.base() > 0, "base must be positive or -1, got ", p.base());
  Value* y = im.Op1("Log", {Affine(im, im.Bottom(0), p.scale(), p.shift())});
  if (p.base() != -1) y = im.Op1("Mul", {y, im.Scalar(1 / std::log(p.base()))});
  im.SetTop(0, y);
}

void Clip(Importer& im, float lo, float hi) {
  im.SetTop(0, im.Op1("Clip", {im.Bottom(0), im.Scalar(lo), im.Scalar(hi)}));
}

}  // namespace

void AddBasicLayers(std::map<std::string, LayerFn>& t) {
  t["Convolution"] = [](Importer& im) { Convolution(im, false); };
  t["Deconvolution"] = [](Importer& im) { Convolution(im, true); };
  t["InnerProduct"] = InnerProduct;
  t["Pooling"] = Pooling;
  t["ReLU"] = [](Importer& im) {
    float slope = im.layer().relu_param().negative_slope();
    im.SetTop(0, slope == 0 ? im.Op1("Relu", {im.Bottom(0)})
                            : im.Op1("LeakyRelu", {im.Bottom(0)}, {{"alpha", double{slope}}}));
  };
  t["ReLU6"] = [](Importer& im) { Clip(im, 0, im.layer().relu6_param().n()); };
  t["Clip"] = [](Importer& im) {
    Clip(im, im.layer().clip_param().min(), im.layer().clip_param().max());
  };
  t["PReLU"] = PRelu;
  t["ELU"] = [](Importer& im) {
    im.SetTop(0,
              im.Op1("Elu", {im.Bottom(0)}, {{"alpha", double{im.layer().elu_param().alpha()}}}));
  };
  Unary(t, "Sigmoid", "Sigmoid");
  Unary(t, "TanH", "Tanh");
  Unary(t, "AbsVal", "Abs");
  Unary(t, "BNLL", "Softplus");
  t["Power"] = Power;
  t["Exp"] = ExpLayer;
  t["Log"] = LogLayer;
  t["BatchNorm"] = BatchNorm;
  t["Scale"] = ScaleLayer;
  t["Bias"] = BiasLayer;
  t["Eltwise"] = Eltwise;
  t["LRN"] = Lrn;
  t["MVN"] = Mvn;
  t["Dropout"] = [](Importer& im) { im.SetTop(0, im.Bottom(0)); };
  t["Softmax"] = [](Importer& im) {
    Value* x = im.Bottom(0);
    int64_t rank = static_cast<int64_t>(im.ShapeOf(x).size());
    im.SetTop(0, im.Op1("Softmax", {x},
                        {{"axis", CaffeAxis(im, im.layer().softmax_param().axis(), rank)}}));
  };
}

}  // namespace halo::caffe_fe
