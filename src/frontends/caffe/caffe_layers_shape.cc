// Caffe layers that move data: inputs, Concat, Slice, Split, Flatten, Reshape, Permute,
// Crop, Tile, ShuffleChannel, resizing (Interp, Upsample) and ArgMax.
#include "frontends/caffe/caffe_importer.h"

namespace halo::caffe_fe {
namespace {

using Ints = std::vector<int64_t>;

int64_t Rank(Importer& im, Value* v) { return static_cast<int64_t>(im.ShapeOf(v).size()); }

void InputLayer(Importer& im) {
  const auto& p = im.layer().input_param();
  int tops = im.layer().top_size();
  im.Check(p.shape_size() == 1 || p.shape_size() == tops, "needs 1 or ", tops, " shapes, got ",
           p.shape_size());
  for (int i = 0; i < tops; ++i) {
    const auto& s = p.shape(p.shape_size() == 1 ? 0 : i);
    Shape shape(s.dim().begin(), s.dim().end());
    const std::string& name = im.layer().top(i);
    for (int64_t d : shape) im.Check(d > 0, "input '", name, "' has shape ", ShapeToString(shape));
    im.Check(!im.blobs().count(name), "input '", name, "' is defined twice");
    im.graph().UniqueName(name);  // reserved: no node takes it
    im.SetTop(i, im.graph().AddInput(name, Type(DataType::kFloat32, shape)));
  }
}

void Concat(Importer& im) {
  const auto& p = im.layer().concat_param();
  std::vector<Value*> ins;
  for (int i = 0; i < im.NumBottoms(); ++i) ins.push_back(im.Bottom(i));
  if (ins.size() == 1) {
    im.SetTop(0, ins[0]);
    return;
  }
  int64_t axis = p.has_axis() || !p.has_concat_dim() ? p.axis() : p.concat_dim();
  im.SetTop(0, im.Op1("Concat", ins, {{"axis", CaffeAxis(im, axis, Rank(im, ins[0]))}}));
}

void Slice(Importer& im) {
  const auto& p = im.layer().slice_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  int64_t axis =
      CaffeAxis(im, p.has_axis() || !p.has_slice_dim() ? p.axis() : p.slice_dim(), Rank(im, x));
  int tops = im.layer().top_size();
  Ints sizes;
  if (p.slice_point_size()) {
    im.Check(p.slice_point_size() == tops - 1, tops, " tops need ", tops - 1, " slice points, got ",
             p.slice_point_size());
    int64_t prev = 0;
    for (int64_t sp : p.slice_point()) {
      im.Check(sp > prev && sp < xs[axis], "slice points must increase within (0, ", xs[axis], ")");
      sizes.push_back(sp - prev);
      prev = sp;
    }
    sizes.push_back(xs[axis] - prev);
  } else {
    im.Check(xs[axis] % tops == 0, "axis of size ", xs[axis], " does not split into ", tops);
    sizes.assign(tops, xs[axis] / tops);
  }
  Node* n = im.Op("Split", {x, im.Ints(sizes)}, tops);
  n->set_attr("axis", axis);
  im.Infer(n);
  std::vector<Value*> outs;
  for (int i = 0; i < tops; ++i) outs.push_back(n->output(i));
  im.SetTops(outs);
}

void SplitLayer(Importer& im) {
  Value* x = im.Bottom(0);
  for (int i = 0; i < im.layer().top_size(); ++i) im.SetTop(i, x);
}

void Flatten(Importer& im) {
  const auto& p = im.layer().flatten_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  int64_t rank = Rank(im, x);
  int64_t a = CaffeAxis(im, p.axis(), rank), e = CaffeAxis(im, p.end_axis(), rank);
  im.Check(a <= e, "end_axis ", p.end_axis(), " comes before axis ", p.axis());
  Shape out(xs.begin(), xs.begin() + a);
  int64_t n = 1;
  for (int64_t i = a; i <= e; ++i) n *= xs[i];
  out.push_back(n);
  out.insert(out.end(), xs.begin() + e + 1, xs.end());
  im.SetTop(0, im.Reshape(x, out));
}

void ReshapeLayer(Importer& im) {
  const auto& p = im.layer().reshape_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  int64_t rank = Rank(im, x);
  int64_t start = p.axis() < 0 ? p.axis() + rank + 1 : p.axis();
  im.Check(start >= 0 && start <= rank, "axis ", p.axis(), " is out of range");
  int64_t end = p.num_axes() == -1 ? rank : start + p.num_axes();
  im.Check(p.num_axes() >= -1 && end <= rank, "num_axes ", p.num_axes(), " is out of range");
  Shape out(xs.begin(), xs.begin() + start);
  int64_t infer = -1;
  for (int i = 0; i < p.shape().dim_size(); ++i) {
    int64_t d = p.shape().dim(i);
    if (d == 0) {
      im.Check(start + i < rank, "dim ", i, " copies an axis the input lacks");
      d = xs[start + i];
    } else if (d == -1) {
      im.Check(infer < 0, "more than one dim is -1");
      infer = static_cast<int64_t>(out.size());
    } else {
      im.Check(d > 0, "dim ", i, " is ", d);
    }
    out.push_back(d);
  }
  out.insert(out.end(), xs.begin() + end, xs.end());
  if (infer >= 0) {
    int64_t known = 1;
    for (size_t i = 0; i < out.size(); ++i)
      if (static_cast<int64_t>(i) != infer) known *= out[i];
    im.Check(known > 0 && NumElements(xs) % known == 0, "cannot reshape ", ShapeToString(xs),
             " to ", ShapeToString(out));
    out[infer] = NumElements(xs) / known;
  }
  im.Check(NumElements(out) == NumElements(xs), "cannot reshape ", ShapeToString(xs), " to ",
           ShapeToString(out));
  im.SetTop(0, im.Reshape(x, out));
}

void Permute(Importer& im) {
  const auto& p = im.layer().permute_param();
  Value* x = im.Bottom(0);
  int64_t rank = Rank(im, x);
  Ints perm;
  std::vector<bool> used(rank, false);
  for (int64_t o : p.order()) {
    im.Check(o < rank && !used[o], "order is not a permutation of the ", rank, " axes");
    used[o] = true;
    perm.push_back(o);
  }
  for (int64_t a = 0; a < rank; ++a)
    if (!used[a]) perm.push_back(a);
  bool identity = true;
  for (int64_t a = 0; a < rank; ++a) identity = identity && perm[a] == a;
  im.SetTop(0, identity ? x : im.Op1("Transpose", {x}, {{"perm", perm}}));
}

void Crop(Importer& im) {
  const auto& p = im.layer().crop_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  const Shape& ref = im.ShapeOf(im.Bottom(1));
  int64_t rank = Rank(im, x);
  im.Check(static_cast<int64_t>(ref.size()) == rank, "the reference blob has another rank");
  int64_t axis = CaffeAxis(im, p.axis(), rank);
  int64_t n = rank - axis;
  im.Check(p.offset_size() <= 1 || p.offset_size() == n, "needs 0, 1 or ", n, " offsets, got ",
           p.offset_size());
  Ints starts, ends, axes;
  for (int64_t a = axis; a < rank; ++a) {
    int64_t off = p.offset_size() == 0 ? 0 : p.offset(p.offset_size() == 1 ? 0 : a - axis);
    im.Check(off + ref[a] <= xs[a], "crop of ", ref[a], " at offset ", off, " exceeds axis ", a,
             " of size ", xs[a]);
    starts.push_back(off);
    ends.push_back(off + ref[a]);
    axes.push_back(a);
  }
  im.SetTop(0, im.Op1("Slice", {x, im.Ints(starts), im.Ints(ends), im.Ints(axes)}));
}

void Tile(Importer& im) {
  const auto& p = im.layer().tile_param();
  Value* x = im.Bottom(0);
  int64_t rank = Rank(im, x);
  Ints reps(rank, 1);
  im.Check(p.tiles() > 0, "tiles must be positive, got ", p.tiles());
  reps[CaffeAxis(im, p.axis(), rank)] = p.tiles();
  im.SetTop(0, im.Op1("Tile", {x, im.Ints(reps)}));
}

void ShuffleChannel(Importer& im) {
  Value* x = im.Bottom(0);
  Shape xs = im.ShapeOf(x);
  int64_t g = im.layer().shuffle_channel_param().group();
  im.Check(xs.size() == 4 && g > 0 && xs[1] % g == 0, "group ", g,
           " must divide the channels of a [N, C, H, W] blob, got ", ShapeToString(xs));
  Value* y = im.Reshape(x, {xs[0], g, xs[1] / g, xs[2], xs[3]});
  y = im.Op1("Transpose", {y}, {{"perm", Ints{0, 2, 1, 3, 4}}});
  im.SetTop(0, im.Reshape(y, xs));
}

Value* Resize(Importer& im, Value* x, int64_t h, int64_t w, const char* mode, const char* ctm) {
  const Shape& xs = im.ShapeOf(x);
  im.Check(h > 0 && w > 0, "output size ", h, "x", w, " is not positive");
  Node* n = im.Op("Resize", {x, nullptr, nullptr, im.Ints({xs[0], xs[1], h, w})});
  n->set_attr("mode", std::string(mode));
  n->set_attr("coordinate_transformation_mode", std::string(ctm));
  if (std::string(mode) == "nearest") n->set_attr("nearest_mode", std::string("floor"));
  im.Infer(n);
  return n->output();
}

// Interp (PSPNet): bilinear, corners aligned, to a size from height/width, zoom or shrink.
void Interp(Importer& im) {
  const auto& p = im.layer().interp_param();
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  im.Check(xs.size() == 4, "supports 4-D blobs, got ", ShapeToString(xs));
  im.Check(p.pad_beg() == 0 && p.pad_end() == 0, "pad_beg and pad_end are not supported");
  int64_t h = xs[2], w = xs[3];
  if (im.NumBottoms() > 1) {
    const Shape& r = im.ShapeOf(im.Bottom(1));
    h = r.at(2);
    w = r.at(3);
  } else if (p.has_height() || p.has_width()) {
    h = p.height();
    w = p.width();
  } else {
    if (p.shrink_factor() != 1) {
      h = (h - 1) / p.shrink_factor() + 1;
      w = (w - 1) / p.shrink_factor() + 1;
    }
    if (p.zoom_factor() != 1) {
      h = h + (h - 1) * (p.zoom_factor() - 1);
      w = w + (w - 1) * (p.zoom_factor() - 1);
    }
  }
  im.SetTop(0, Resize(im, x, h, w, "linear", "align_corners"));
}

void Upsample(Importer& im) {
  Value* x = im.Bottom(0);
  const Shape& xs = im.ShapeOf(x);
  im.Check(xs.size() == 4, "supports 4-D blobs, got ", ShapeToString(xs));
  int64_t s = im.layer().upsample_param().scale();
  im.SetTop(0, Resize(im, x, xs[2] * s, xs[3] * s, "nearest", "asymmetric"));
}

// ArgMax: indices (as floats) of the top_k largest, along axis or over each item; with
// out_max_val the values too (over each item: [indices, values] along axis 1).
void ArgMax(Importer& im) {
  const auto& p = im.layer().argmax_param();
  Value* x = im.Bottom(0);
  Shape xs = im.ShapeOf(x);
  int64_t rank = Rank(im, x);
  int64_t k = p.top_k();
  bool has_axis = p.has_axis();
  int64_t axis = has_axis ? CaffeAxis(im, p.axis(), rank) : 1;
  Value* in = has_axis ? x : im.Reshape(x, {xs[0], NumElements(xs) / xs[0]});
  int64_t len = im.ShapeOf(in)[axis];
  im.Check(k >= 1 && k <= len, "top_k ", k, " must be in [1, ", len, "]");
  Node* n = im.Op("TopK", {in, im.Ints({k})}, 2);
  n->set_attr("axis", axis);
  im.Infer(n);
  Value* idx = im.Op1("Cast", {n->output(1)}, {{"to", int64_t(DataType::kFloat32)}});
  if (has_axis) {
    im.SetTop(0, p.out_max_val() ? n->output(0) : idx);
    return;
  }
  Value* y = idx;
  if (p.out_max_val()) y = im.Op1("Concat", {idx, n->output(0)}, {{"axis", int64_t{1}}});
  im.SetTop(0, im.Reshape(y, {xs[0], p.out_max_val() ? 2 : 1, k}));
}

}  // namespace

void AddShapeLayers(std::map<std::string, LayerFn>& t) {
  t["Input"] = InputLayer;
  t["Concat"] = Concat;
  t["Slice"] = Slice;
  t["Split"] = SplitLayer;
  t["Flatten"] = Flatten;
  t["Reshape"] = ReshapeLayer;
  t["Permute"] = Permute;
  t["Crop"] = Crop;
  t["Tile"] = Tile;
  t["ShuffleChannel"] = ShuffleChannel;
  t["Interp"] = Interp;
  t["Upsample"] = Upsample;
  t["ArgMax"] = ArgMax;
  t["Silence"] = [](Importer&) {};
}

}  // namespace halo::caffe_fe
