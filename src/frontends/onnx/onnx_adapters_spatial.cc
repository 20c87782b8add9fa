// Spatial ops of opsets 18 and 20 written as the IR ops that compute them: CenterCropPad (a
// Pad that crops where negative), AffineGrid (the base grid times theta) and Col2Im (a
// grouped ConvTranspose with one-hot kernels, which sums the blocks into the image).
#include <vector>

#include "frontends/onnx/onnx_adapter_util.h"

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
  auto ints = [&](const char* name, size_t n, int64_t def) {
    std::vector<int64_t> v(n, def);
    if (const onnx::AttributeProto* a = p.take_attr(name))
      v.assign(a->ints().begin(), a->ints().end());
    if (v.size() != n) im.Fail(p, "'", name, "' has ", v.size(), " entries, not ", n);
    return v;
  };
  const std::vector<int64_t> dil = ints("dilations", dims, 1), strides = ints("strides", dims, 1),
                             pads = ints("pads", 2 * dims, 0);
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

}  // namespace halo::onnx_fe
