// Shapes and data movement: reshapes, concatenation and splitting, slicing (StridedSlice
// with all its masks), padding, transposes, gathers and tensors made from shapes.
#include <algorithm>
#include <climits>

#include "frontends/tensorflow/tf_importer.h"

namespace halo::tf_fe {
namespace {

using Results = std::vector<Value*>;

void Arity(Importer& im, const TfNode& n, size_t k) {
  if (n.in.size() != k) im.Fail(n, "expected ", k, " inputs, got ", n.in.size());
}

int64_t Axis(Importer& im, TfNode& n, Value* v, int64_t rank) {
  std::vector<int64_t> a = im.IntsOf(n, v, "the axis");
  if (a.size() != 1) im.Fail(n, "the axis must be one value");
  int64_t x = a[0] < 0 ? a[0] + rank : a[0];
  if (x < 0 || x >= rank) im.Fail(n, "axis ", a[0], " is out of range for rank ", rank);
  return x;
}

Results Reshape(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  return {im.Reshape(n, n.in[0], im.IntsOf(n, n.in[1], "the shape"))};
}

Results Squeeze(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  Shape s = im.TypeOf(n, n.in[0], "the input").shape;
  std::vector<int64_t> axes = n.Ints("squeeze_dims", std::vector<int64_t>{});
  if (axes.empty()) axes = n.Ints("axis", std::vector<int64_t>{});
  if (axes.empty())
    for (size_t i = 0; i < s.size(); ++i)
      if (s[i] == 1) axes.push_back(static_cast<int64_t>(i));
  if (axes.empty()) return {n.in[0]};
  return {im.Add(n, "Squeeze", {n.in[0], im.Ints(n, axes)})};
}

Results ExpandDims(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  return {im.Add(n, "Unsqueeze", {n.in[0], im.Ints(n, im.IntsOf(n, n.in[1], "the axis"))})};
}

Value* Concat(Importer& im, TfNode& n, std::vector<Value*> parts, int64_t axis) {
  if (parts.size() == 1) return parts[0];
  DataType t = im.TypeOf(n, parts[0], "input 0").dtype;
  for (Value*& p : parts)  // fp16 constants beside float32 values
    if (IsFloat(t) && im.TypeOf(n, p, "an input").dtype == DataType::kFloat16)
      p = im.CastTo(n, p, t);
  return im.Add(n, "Concat", parts, {{"axis", axis}});
}

Results ConcatV2(Importer& im, TfNode& n) {
  if (n.in.size() < 2) im.Fail(n, "expected values and an axis");
  bool v1 = n.op() == "Concat";
  Value* axis = v1 ? n.in.front() : n.in.back();
  std::vector<Value*> parts(n.in.begin() + (v1 ? 1 : 0), n.in.end() - (v1 ? 0 : 1));
  int rank = im.TypeOf(n, parts[0], "input 0").Rank();
  return {Concat(im, n, parts, Axis(im, n, axis, rank))};
}

Results Pack(Importer& im, TfNode& n) {
  if (n.in.empty()) im.Fail(n, "expected inputs");
  int64_t axis = n.Int("axis", 0);
  std::vector<Value*> parts;
  for (Value* v : n.in) parts.push_back(im.Add(n, "Unsqueeze", {v, im.Ints(n, {axis})}));
  int rank = im.TypeOf(n, n.in[0], "input 0").Rank() + 1;
  return {Concat(im, n, parts, axis < 0 ? axis + rank : axis)};
}

// Split into parts of the given sizes along axis.
Results SplitSizes(Importer& im, TfNode& n, Value* x, int64_t axis, std::vector<int64_t> sizes) {
  Shape s = im.TypeOf(n, x, "the value").shape;
  int64_t known = 0, unknown = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] < 0)
      unknown = static_cast<int64_t>(i);
    else
      known += sizes[i];
  }
  if (unknown >= 0) sizes[unknown] = s[axis] - known;
  Node* node = im.AddNode(n, "Split", {x, im.Ints(n, sizes)}, {{"axis", axis}},
                          static_cast<int>(sizes.size()));
  Results r;
  for (size_t i = 0; i < node->num_outputs(); ++i) r.push_back(node->output(i));
  return r;
}

Results Split(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  Shape s = im.TypeOf(n, n.in[1], "the value").shape;
  int64_t axis = Axis(im, n, n.in[0], static_cast<int64_t>(s.size()));
  int64_t k = n.Int("num_split");
  if (k <= 0 || s[axis] % k) im.Fail(n, "dimension ", s[axis], " does not split in ", k);
  return SplitSizes(im, n, n.in[1], axis, std::vector<int64_t>(k, s[axis] / k));
}

Results SplitV(Importer& im, TfNode& n) {
  Arity(im, n, 3);
  int64_t rank = im.TypeOf(n, n.in[0], "the value").Rank();
  return SplitSizes(im, n, n.in[0], Axis(im, n, n.in[2], rank),
                    im.IntsOf(n, n.in[1], "size_splits"));
}

Results Unpack(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  Shape s = im.TypeOf(n, n.in[0], "the value").shape;
  int64_t axis = n.Int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(s.size());
  Results parts = SplitSizes(im, n, n.in[0], axis, std::vector<int64_t>(s.at(axis), 1));
  for (Value*& p : parts) p = im.Add(n, "Squeeze", {p, im.Ints(n, {axis})});
  return parts;
}

Results Slice(Importer& im, TfNode& n) {
  Arity(im, n, 3);
  std::vector<int64_t> begin = im.IntsOf(n, n.in[1], "begin");
  std::vector<int64_t> size = im.IntsOf(n, n.in[2], "size");
  if (begin.size() != size.size()) im.Fail(n, "begin and size differ in length");
  std::vector<int64_t> end(begin.size()), axes(begin.size());
  for (size_t i = 0; i < begin.size(); ++i) {
    end[i] = size[i] < 0 ? INT64_MAX : begin[i] + size[i];
    axes[i] = static_cast<int64_t>(i);
  }
  return {im.Add(n, "Slice", {n.in[0], im.Ints(n, begin), im.Ints(n, end), im.Ints(n, axes)})};
}

// StridedSlice: a Slice of the dimensions the spec names, then a Reshape that drops the
// shrunk ones and inserts the new axes.
Results StridedSlice(Importer& im, TfNode& n) {
  Arity(im, n, 4);
  Shape s = im.TypeOf(n, n.in[0], "the input").shape;
  std::vector<int64_t> b = im.IntsOf(n, n.in[1], "begin");
  std::vector<int64_t> e = im.IntsOf(n, n.in[2], "end");
  std::vector<int64_t> st = im.IntsOf(n, n.in[3], "strides");
  size_t k = b.size();
  if (e.size() != k || st.size() != k) im.Fail(n, "begin, end and strides differ in length");
  int64_t bm = n.Int("begin_mask", 0), em = n.Int("end_mask", 0), el = n.Int("ellipsis_mask", 0),
          na = n.Int("new_axis_mask", 0), sh = n.Int("shrink_axis_mask", 0);
  auto bit = [](int64_t m, size_t i) { return ((m >> i) & 1) != 0; };
  int64_t consuming = 0;
  for (size_t i = 0; i < k; ++i) consuming += !bit(el, i) && !bit(na, i);
  std::vector<int64_t> starts, ends, axes, steps;
  std::vector<std::pair<int64_t, bool>> out;  // (input dim or -1 for a new axis, sliced)
  int64_t d = 0, rank = static_cast<int64_t>(s.size());
  bool had_ellipsis = false;
  for (size_t i = 0; i < k; ++i) {
    if (bit(el, i) && !had_ellipsis) {
      had_ellipsis = true;
      for (int64_t j = 0; j < rank - consuming; ++j) out.push_back({d++, false});
      continue;
    }
    if (bit(na, i)) {
      out.push_back({-1, false});
      continue;
    }
    if (d >= rank) im.Fail(n, "the slice names more dimensions than the input's ", rank);
    if (st[i] == 0) im.Fail(n, "a stride is 0");
    int64_t lo = b[i], hi = e[i];
    if (bit(sh, i)) {
      hi = lo == -1 ? INT64_MAX : lo + 1;
      if (lo < -s[d] || lo >= s[d]) im.Fail(n, "index ", lo, " is out of range");
    } else {
      out.push_back({d, true});
      if (bit(bm, i)) lo = st[i] > 0 ? 0 : INT64_MAX;
      if (bit(em, i)) hi = st[i] > 0 ? INT64_MAX : INT64_MIN;
    }
    starts.push_back(lo);
    ends.push_back(hi);
    axes.push_back(d++);
    steps.push_back(bit(sh, i) ? 1 : st[i]);
  }
  for (; d < rank; ++d) out.push_back({d, false});
  Value* x = n.in[0];
  if (!axes.empty())
    x = im.Add(n, "Slice",
               {x, im.Ints(n, starts), im.Ints(n, ends), im.Ints(n, axes), im.Ints(n, steps)});
  Shape sliced = im.TypeOf(n, x, "the slice").shape, shape;
  for (const auto& [dim, cut] : out) shape.push_back(dim < 0 ? 1 : sliced[dim]);
  return {shape == sliced ? x : im.Reshape(n, x, shape)};
}

Results Pad(Importer& im, TfNode& n) {
  if (n.in.size() < 2) im.Fail(n, "expected an input and paddings");
  std::vector<int64_t> p = im.IntsOf(n, n.in[1], "the paddings");
  size_t r = p.size() / 2;
  std::vector<int64_t> pads(2 * r);
  for (size_t i = 0; i < r; ++i) pads[i] = p[2 * i], pads[r + i] = p[2 * i + 1];
  std::map<std::string, AttrValue> attrs;
  std::vector<Value*> in = {n.in[0], im.Ints(n, pads)};
  if (n.op() == "MirrorPad") {
    std::string mode = n.Str("mode");
    if (mode != "REFLECT") im.Fail(n, "mode ", mode, " is not supported (only REFLECT)");
    attrs["mode"] = std::string("reflect");
  } else if (n.op() == "PadV2") {
    Arity(im, n, 3);
    in.push_back(n.in[2]);
  }
  return {im.Add(n, "Pad", in, attrs)};
}

Results Transpose(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  return {im.Transpose(n, n.in[0], im.IntsOf(n, n.in[1], "the permutation"))};
}

DataType OutType(const TfNode& n) {
  return n.Find("out_type") ? n.Type("out_type") : DataType::kInt32;
}

Results ShapeOp(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  const char* op = n.op() == "Size" ? "Size" : "Shape";
  Value* s = im.Add(n, op, {n.in[0]});
  return {im.Add(n, "Cast", {s}, {{"to", static_cast<int64_t>(OutType(n))}})};
}

Results Rank(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  return {im.Scalar(n, DataType::kInt32, im.TypeOf(n, n.in[0], "the input").Rank())};
}

Results Fill(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  return {im.Add(n, "Expand", {n.in[1], im.Ints(n, im.IntsOf(n, n.in[0], "the dims"))})};
}

Results ZerosOnesLike(Importer& im, TfNode& n) {
  Arity(im, n, 1);
  const Type& t = im.TypeOf(n, n.in[0], "the input");
  Value* one = im.Scalar(n, t.dtype, n.op() == "OnesLike" ? 1 : 0);
  return {im.Add(n, "Expand", {one, im.Ints(n, t.shape)})};
}

Results Range(Importer& im, TfNode& n) {
  Arity(im, n, 3);
  return {im.Add(n, "Range", {n.in[0], n.in[1], n.in[2]})};
}

Results Gather(Importer& im, TfNode& n) {
  if (n.in.size() != 2 && n.in.size() != 3) im.Fail(n, "expected 2 or 3 inputs");
  if (n.Int("batch_dims", 0) != 0) im.Fail(n, "batch_dims other than 0 is not supported");
  int64_t rank = im.TypeOf(n, n.in[0], "the params").Rank();
  int64_t axis = n.in.size() == 3 ? Axis(im, n, n.in[2], rank) : 0;
  return {im.Add(n, "Gather", {n.in[0], n.in[1]}, {{"axis", axis}})};
}

Results Tile(Importer& im, TfNode& n) {
  Arity(im, n, 2);
  return {im.Add(n, "Tile", {n.in[0], im.Ints(n, im.IntsOf(n, n.in[1], "the multiples"))})};
}

}  // namespace

void AddArrayTranslators(TranslatorMap& m) {
  m["Reshape"] = Reshape;
  m["Squeeze"] = Squeeze;
  m["ExpandDims"] = ExpandDims;
  m["ConcatV2"] = m["Concat"] = ConcatV2;
  m["Pack"] = Pack;
  m["Unpack"] = Unpack;
  m["Split"] = Split;
  m["SplitV"] = SplitV;
  m["Slice"] = Slice;
  m["StridedSlice"] = StridedSlice;
  m["Pad"] = m["PadV2"] = m["MirrorPad"] = Pad;
  m["Transpose"] = Transpose;
  m["Shape"] = m["Size"] = ShapeOp;
  m["Rank"] = Rank;
  m["Fill"] = Fill;
  m["ZerosLike"] = m["OnesLike"] = ZerosOnesLike;
  m["Range"] = Range;
  m["Gather"] = m["GatherV2"] = Gather;
  m["Tile"] = Tile;
}

}  // namespace halo::tf_fe
