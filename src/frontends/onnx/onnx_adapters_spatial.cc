// Spatial ops of opsets 18 to 20 written as the IR ops that compute them: CenterCropPad (a
// Pad that crops where negative), AffineGrid (the base grid times theta), Col2Im (a grouped
// ConvTranspose with one-hot kernels, which sums the blocks into the image) and DeformConv
// (GridSample at the moved taps, then a grouped product).
#include <vector>

#include "frontends/onnx/onnx_adapter_util.h"
#include "frontends/onnx/onnx_subgraph.h"

namespace halo::onnx_fe {

// CenterCropPad-18: each listed axis (all by default) cropped or zero-padded to the size
// `shape` gives, centred (the odd element at the end).
void CenterCropPad(Importer& im, PendingNode& p) {
  const Type xt = im.KnownType(p, p.inputs.at(0), "the input");
  const int64_t r = xt.Rank();
  std::vector<int64_t> sizes = IntsInput(im, p, 1, "'shape'");
  std::vector<int64_t> axes;
  if (const onnx::AttributeProto* a = p.take_attr("axes"))
    axes = Axes(im, p, std::vector<int64_t>(a->ints().begin(), a->ints().end()), r);
  else
    for (int64_t i = 0; i < r; ++i) axes.push_back(i);
  if (sizes.size() != axes.size())
    im.Fail(p, "'shape' has ", sizes.size(), " entries for ", axes.size(), " axes");
  std::vector<int64_t> pads(static_cast<size_t>(2 * r), 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    if (sizes[i] < 0) im.Fail(p, "'shape' has a negative size ", sizes[i]);
    const int64_t diff = sizes[i] - xt.shape[axes[i]];
    const int64_t begin = diff >= 0 ? diff / 2 : -(-diff / 2);
    pads[axes[i]] = begin;
    pads[axes[i] + r] = diff - begin;
  }
  Finish(im, p, "Pad", {p.inputs[0], IntsConst(im, p, pads)});
}

// AffineGrid-20: theta [N, 2, 3] (or [N, 3, 4]) maps the normalised coordinates (x, y[, z],
// 1) of each position of an [H, W] (or [D, H, W]) image, x along W, to grid [N, H, W, 2]
// (or [N, D, H, W, 3]).
void AffineGrid(Importer& im, PendingNode& p) {
  const bool align = TakeInt(p, "align_corners", 0) != 0;
  Value* theta = p.inputs.at(0);
  const Type tt = im.KnownType(p, theta, "'theta'");
  std::vector<int64_t> size = IntsInput(im, p, 1, "'size'");
  const int64_t dims = static_cast<int64_t>(size.size()) - 2;
  if ((dims != 2 && dims != 3) || !IsFloat(tt.dtype) || tt.Rank() != 3 || tt.shape[1] != dims ||
      tt.shape[2] != dims + 1 || tt.shape[0] != size[0])
    im.Fail(p, "'theta' must be float[N, 2, 3] with a 'size' of 4, or float[N, 3, 4] with one ",
            "of 5, N the size's first; got ", tt.ToString(), " and ", size.size(), " sizes");
  const std::vector<int64_t> spatial(size.begin() + 2, size.end());
  int64_t positions = 1;
  for (int64_t s : spatial) {
    if (s <= 0) im.Fail(p, "'size' has a spatial size ", s);
    positions *= s;
  }
  // The base grid [positions, dims + 1]: x (the last spatial axis) first, then y, z, 1.
  Tensor base(Type(DataType::kFloat32, {positions, dims + 1}));
  float* g = base.mutable_data<float>();
  for (int64_t at = 0; at < positions; ++at) {
    int64_t rest = at;
    for (int64_t a = dims - 1; a >= 0; --a) {  // a: spatial axis, fastest last
      const int64_t n = spatial[a], i = rest % n;
      rest /= n;
      const double c =
          align ? (n == 1 ? -1.0 : -1.0 + 2.0 * i / (n - 1)) : -1.0 + (2.0 * i + 1) / n;
      g[at * (dims + 1) + (dims - 1 - a)] = static_cast<float>(c);
    }
    g[at * (dims + 1) + dims] = 1.0f;
  }
  Value* grid = Step(im, p, "MatMul",
                     {CastTo(im, p, TensorConst(im, p, std::move(base)), tt.dtype),
                      Transposed(im, p, theta, {0, 2, 1})});  // [N, positions, dims]
  std::vector<int64_t> shape = {size[0]};
  shape.insert(shape.end(), spatial.begin(), spatial.end());
  shape.push_back(dims);
  Finish(im, p, "Reshape", {grid, IntsConst(im, p, shape)});
}

// Col2Im-18: input [N, C * prod(block_shape), L], the L blocks of each channel summed into
// an image of image_shape. As ConvTranspose of the input viewed as [N, C * K, blocks...]
// with C groups and one-hot kernels: kernel k of a group puts block element k in place.
void Col2Im(Importer& im, PendingNode& p) {
  const Type xt = im.KnownType(p, p.inputs.at(0), "the input");
  const std::vector<int64_t> image = IntsInput(im, p, 1, "'image_shape'");
  const std::vector<int64_t> block = IntsInput(im, p, 2, "'block_shape'");
  const size_t dims = image.size();
  const std::vector<int64_t> dil = IntsAttr(im, p, "dilations", dims, 1),
                             strides = IntsAttr(im, p, "strides", dims, 1),
                             pads = IntsAttr(im, p, "pads", 2 * dims, 0);
  if (!IsFloat(xt.dtype) || xt.Rank() != 3 || block.size() != dims || dims == 0)
    im.Fail(p, "needs a float input [N, C * K, L] and image and block shapes of one length");
  int64_t k = 1, blocks = 1;
  std::vector<int64_t> grid, out_pad;
  for (size_t i = 0; i < dims; ++i) {
    if (block[i] <= 0 || dil[i] <= 0 || strides[i] <= 0 || image[i] <= 0)
      im.Fail(p, "sizes, dilations and strides must be positive");
    k *= block[i];
    const int64_t span = image[i] + pads[i] + pads[i + dims] - dil[i] * (block[i] - 1) - 1;
    if (span < 0) im.Fail(p, "the block does not fit the padded image along axis ", i);
    grid.push_back(span / strides[i] + 1);
    out_pad.push_back(span % strides[i]);
    blocks *= grid.back();
  }
  if (xt.shape[1] % k != 0 || xt.shape[2] != blocks)
    im.Fail(p, "the input ", xt.ToString(), " does not hold C * ", k, " values for ", blocks,
            " blocks");
  const int64_t c = xt.shape[1] / k;
  Shape wshape = {c * k, 1};
  wshape.insert(wshape.end(), block.begin(), block.end());
  Tensor w(Type(DataType::kFloat32, wshape));
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t ki = 0; ki < k; ++ki) w.mutable_data<float>()[(ci * k + ki) * k + ki] = 1.0f;
  std::vector<int64_t> in_shape = {xt.shape[0], c * k};
  in_shape.insert(in_shape.end(), grid.begin(), grid.end());
  Finish(im, p, "ConvTranspose",
         {Reshaped(im, p, p.inputs[0], in_shape),
          CastTo(im, p, TensorConst(im, p, std::move(w)), xt.dtype)},
         {{"group", c},
          {"strides", strides},
          {"dilations", dil},
          {"pads", pads},
          {"output_padding", out_pad}});
}

// DeformConv-19 (2-D): a convolution whose kernel taps sample X at positions moved by
// `offset` [N, offset_group * kH * kW * 2 (y then x), oH, oW], bilinearly with zeros outside,
// each scaled by `mask` [N, offset_group * kH * kW, oH, oW] (1 without). As ONNX's reference
// computes it: GridSample (align_corners) of each offset group's channels at every tap, then
// the grouped product with W [oC, C / group, kH, kW], + B.
void DeformConv(Importer& im, PendingNode& p) {
  const Type xt = im.KnownType(p, p.inputs.at(0), "'X'");
  const Type wt = im.KnownType(p, p.inputs.at(1), "'W'");
  const Type ot = im.KnownType(p, p.inputs.at(2), "'offset'");
  if (xt.Rank() != 4 || wt.Rank() != 4 || ot.Rank() != 4 || !IsFloat(xt.dtype))
    im.Fail(p, "only 2-D float convolutions are supported (X [N, C, H, W])");
  const int64_t n = xt.shape[0], c = xt.shape[1], h = xt.shape[2], w = xt.shape[3];
  const int64_t oc = wt.shape[0], kh = wt.shape[2], kw = wt.shape[3], k = kh * kw;
  const int64_t oh = ot.shape[2], ow = ot.shape[3];
  const std::vector<int64_t> dil = IntsAttr(im, p, "dilations", 2, 1),
                             pads = IntsAttr(im, p, "pads", 4, 0),
                             strides = IntsAttr(im, p, "strides", 2, 1);
  if (const onnx::AttributeProto* a = p.take_attr("kernel_shape"))
    if (Shape(a->ints().begin(), a->ints().end()) != Shape{kh, kw})
      im.Fail(p, "kernel_shape must be W's [", kh, ", ", kw, "]");
  const int64_t group = TakeInt(p, "group", 1), og = TakeInt(p, "offset_group", 1);
  if (group <= 0 || og <= 0 || c % group || oc % group || c % og || wt.shape[1] != c / group)
    im.Fail(p, "the channels do not divide into ", group, " groups and ", og, " offset groups");
  if (ot.shape[0] != n || ot.shape[1] != og * k * 2 ||
      oh != (h + pads[0] + pads[2] - (kh - 1) * dil[0] - 1) / strides[0] + 1 ||
      ow != (w + pads[1] + pads[3] - (kw - 1) * dil[1] - 1) / strides[1] + 1)
    im.Fail(p, "'offset' ", ot.ToString(), " does not fit the input, kernel and attributes");
  if (h < 2 || w < 2) im.Fail(p, "an input of height or width 1 is not supported");
  // Each tap's sampling position as GridSample's normalised coordinate, offset 0.
  const double sy = 2.0 / static_cast<double>(h - 1), sx = 2.0 / static_cast<double>(w - 1);
  Tensor base_y(Type(DataType::kFloat32, {1, k, oh, ow})), base_x(base_y.type());
  for (int64_t t = 0; t < k; ++t)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        const int64_t at = (t * oh + i) * ow + j;
        base_y.mutable_data<float>()[at] = static_cast<float>(
            static_cast<double>(i * strides[0] - pads[0] + t / kw * dil[0]) * sy - 1);
        base_x.mutable_data<float>()[at] = static_cast<float>(
            static_cast<double>(j * strides[1] - pads[1] + t % kw * dil[1]) * sx - 1);
      }
  Value* by = CastTo(im, p, TensorConst(im, p, std::move(base_y)), xt.dtype);
  Value* bx = CastTo(im, p, TensorConst(im, p, std::move(base_x)), xt.dtype);
  Value* offsets = Reshaped(im, p, p.inputs[2], {n, og, k, 2, oh, ow});
  Value* mask = OptInput(p, 4) ? Reshaped(im, p, p.inputs[4], {n, og, k, oh, ow}) : nullptr;
  std::vector<Value*> parts;
  for (int64_t g = 0; g < og; ++g) {
    Value* off = SliceAxis(im, p, offsets, 1, g, g + 1);
    auto coord = [&](int64_t axis, Value* base, double scale) {
      Value* o = Reshaped(im, p, SliceAxis(im, p, off, 3, axis, axis + 1), {n, k, oh, ow});
      return Step(im, p, "Add", {Step(im, p, "Mul", {o, Scalar(im, p, o, scale)}), base});
    };
    Value* grid =
        Reshaped(im, p, Stack(im, p, {coord(1, bx, sx), coord(0, by, sy)}, 4, p.name + "/grid"),
                 {n, k * oh, ow, 2});
    Value* sampled = Step(im, p, "GridSample",
                          {SliceAxis(im, p, p.inputs[0], 1, g * c / og, (g + 1) * c / og), grid},
                          {{"align_corners", int64_t{1}},
                           {"mode", std::string("bilinear")},
                           {"padding_mode", std::string("zeros")}});
    sampled = Reshaped(im, p, sampled, {n, c / og, k, oh, ow});
    if (mask) sampled = Step(im, p, "Mul", {sampled, SliceAxis(im, p, mask, 1, g, g + 1)});
    parts.push_back(sampled);
  }
  Value* cols = parts.size() == 1 ? parts[0] : Step(im, p, "Concat", parts, {{"axis", int64_t{1}}});
  const int64_t per = c / group * k;
  Value* y = Step(im, p, "MatMul",
                  {Reshaped(im, p, p.inputs[1], {group, oc / group, per}),
                   Reshaped(im, p, cols, {n, group, per, oh * ow})});
  y = Reshaped(im, p, y, {n, oc, oh, ow});
  if (Value* bias = OptInput(p, 3))
    return Finish(im, p, "Add", {y, Reshaped(im, p, bias, {1, oc, 1, 1})});
  Finish(im, p, "Identity", {y});
}

}  // namespace halo::onnx_fe
