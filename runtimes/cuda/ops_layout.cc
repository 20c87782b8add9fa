// Data-movement builders on the project's CUDA kernels: Reshape, Flatten, Squeeze, Unsqueeze,
// Identity, Dropout (device copies), Transpose, Concat, Split, Slice, Expand, Tile (strided
// copies), Pad, Gather, GatherElements and Trilu. Any element type. Rejected (run on the host
// by the shared builder, which also reports invalid arguments): empty results, ranks above 8,
// arguments the shared builder would refuse.
#include <cstring>
#include <functional>
#include <string>

#include "../kernels/dispatch.h"
#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_layout)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

namespace odla_cuda {

StridedMap TransposeMap(const std::vector<int64_t>& in, const std::vector<int64_t>& perm) {
  Ints src = DenseStrides(in), out(in.size()), b(in.size());
  for (size_t d = 0; d < perm.size(); ++d) {
    out[d] = in[perm[d]];
    b[d] = src[perm[d]];
  }
  return MakeMap(out, DenseStrides(out), 0, b, 0);
}

StridedMap SliceMap(const std::vector<int64_t>& in, const std::vector<int64_t>& out,
                    const std::vector<int64_t>& starts, const std::vector<int64_t>& steps) {
  Ints src = DenseStrides(in), b(in.size());
  int64_t base = 0;
  for (size_t d = 0; d < in.size(); ++d) {
    b[d] = src[d] * steps[d];
    base += starts[d] * src[d];
  }
  return MakeMap(out, DenseStrides(out), 0, b, base);
}

// Each dimension d walked as (repeat, element): result strides (in[d] * out_stride[d],
// out_stride[d]), input strides (0, in_stride[d]).
StridedMap TileMap(const std::vector<int64_t>& in, const std::vector<int64_t>& repeats) {
  Ints out(in.size());
  for (size_t d = 0; d < in.size(); ++d) out[d] = in[d] * repeats[d];
  Ints os = DenseStrides(out), is = DenseStrides(in), dims, a, b;
  for (size_t d = 0; d < in.size(); ++d) {
    dims.insert(dims.end(), {repeats[d], in[d]});
    a.insert(a.end(), {in[d] * os[d], os[d]});
    b.insert(b.end(), {0, is[d]});
  }
  return MakeMap(dims, a, 0, b, 0);
}

// AddIndexingOp (cuda_rt.h): constant indices are checked now; the kernel flags others in the
// op's scratch memory, which the op reads back after it (so it waits for the device and is not
// capturable).
odla_value AddIndexingOp(const char* op, const std::vector<odla_value>& inputs,
                         const odla_value_type& rt, odla_value_id id,
                         const std::vector<int64_t>& bounds,
                         std::function<void(const KernelArgs&, int* bad)> launch, int indices_input,
                         bool negative, size_t extra_scratch) {
  const odla_value indices = inputs.at(indices_input);
  const bool is64 = indices->type.element_type == ODLA_INT64;
  const int64_t n = odla_rt::NumElements(indices->type.shape), nb = bounds.size();
  const bool checked = indices->const_data != nullptr;
  for (int64_t i = 0; checked && i < n; ++i) {
    int64_t x = is64 ? static_cast<const int64_t*>(indices->const_data)[i]
                     : static_cast<const int32_t*>(indices->const_data)[i];
    if (x < (negative ? -bounds[i % nb] : 0) || x >= bounds[i % nb]) Reject("index out of range");
  }
  std::string what = nb == 1 ? "an index is out of range [" +
                                   std::to_string(negative ? -bounds[0] : 0) + ", " +
                                   std::to_string(bounds[0]) + ")"
                             : "an index is out of range of its dimension";
  std::string name = op;
  const size_t scratch = extra_scratch ? kIndexingScratch + extra_scratch : sizeof(int);
  odla_value y = AddCudaOp1(op, inputs, rt, scratch, id, [=](const KernelArgs& k) {
    cudaStream_t s = CudaStream(k);
    int* bad = static_cast<int*>(k.scratch);
    if (!checked) ODLA_CUDA_CALL(cudaMemsetAsync, bad, 0, sizeof(int), s);
    launch(k, bad);
    if (checked) return;
    int flag = 0;
    ODLA_CUDA_CALL(cudaMemcpyAsync, &flag, bad, sizeof(int), cudaMemcpyDeviceToHost, s);
    ODLA_CUDA_CALL(cudaStreamSynchronize, s);
    if (flag) odla_rt::Fail(name, ": ", what);
  });
  if (!checked) odla_rt::SetNotCapturable(y);
  return y;
}

}  // namespace odla_cuda

ODLA_REF_DECL(Reshape)
ODLA_REF_DECL(Flatten)
ODLA_REF_DECL(Squeeze)
ODLA_REF_DECL(Unsqueeze)
ODLA_REF_DECL(Identity)
ODLA_REF_DECL(Dropout)
ODLA_REF_DECL(Transpose)
ODLA_REF_DECL(Concat)
ODLA_REF_DECL(Split)
ODLA_REF_DECL(Slice)
ODLA_REF_DECL(Expand)
ODLA_REF_DECL(Tile)
ODLA_REF_DECL(Pad)
ODLA_REF_DECL(Gather)
ODLA_REF_DECL(GatherElements)
ODLA_REF_DECL(Trilu)

namespace {

// Rejects a result that is empty, of rank above 8, or not of x's element type.
void CheckResult(odla_value x, const odla_value_type& rt) {
  if (!x) Reject("missing input");
  if (x->type.element_type != rt.element_type) Reject("element types differ");
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty result");
  if (rt.shape.size > kMaxDims || x->type.shape.size > kMaxDims) Reject("rank above 8");
}

// Reshape, Squeeze, Unsqueeze, Flatten: the elements unchanged.
odla_value BuildCopy(const char* op, odla_value x, const odla_value_type& rt, odla_value_id id) {
  CheckResult(x, rt);
  if (odla_rt::NumElements(x->type.shape) != odla_rt::NumElements(rt.shape)) Reject("sizes");
  size_t bytes = odla_rt::ByteSize(rt);
  return AddCudaOp1(op, {x}, rt, 0, id, [bytes](const KernelArgs& k) {
    DeviceCopy(CudaStream(k), k.out[0], k.in[0], bytes);
  });
}

// An op of one strided copy from input 0 into result 0.
odla_value AddCopyOp(const char* op, const std::vector<odla_value>& ins, const odla_value_type& rt,
                     odla_value_id id, const StridedMap& m) {
  size_t es = odla_rt::ElementSize(rt.element_type);
  return AddCudaOp1(op, ins, rt, 0, id, [m, es](const KernelArgs& k) {
    StridedCopy(CudaStream(k), k.out[0], k.in[0], es, m);
  });
}

odla_value BuildTile(odla_value x, const odla_ints& repeats, const odla_value_type& rt,
                     odla_value_id id) {
  CheckResult(x, rt);
  Ints in = ValueDims(x), out = TypeDims(rt), r = odla_rt::FromInts(repeats);
  if (r.size() != in.size() || out.size() != in.size()) Reject("repeats");
  int used = 0;
  for (size_t d = 0; d < in.size(); ++d) {
    if (r[d] < 0 || out[d] != in[d] * r[d]) Reject("repeats");
    used += (r[d] > 1) + (in[d] > 1);
  }
  if (used > kMaxDims) Reject("more than 8 dimensions to walk");
  return AddCopyOp("Tile", {x}, rt, id, TileMap(in, r));
}

odla_value BuildTranspose(odla_value x, const odla_ints& perm, const odla_value_type& rt,
                          odla_value_id id) {
  CheckResult(x, rt);
  Ints in = ValueDims(x), p = odla_rt::FromInts(perm), out = TypeDims(rt);
  if (p.size() != in.size() || out.size() != in.size()) Reject("perm");
  std::vector<bool> seen(in.size());
  for (size_t d = 0; d < p.size(); ++d) {
    if (p[d] < 0 || p[d] >= static_cast<int64_t>(in.size()) || seen[p[d]] || out[d] != in[p[d]])
      Reject("perm");
    seen[p[d]] = true;
  }
  return AddCopyOp("Transpose", {x}, rt, id, TransposeMap(in, p));
}

odla_value BuildSlice(odla_value x, const odla_ints& starts, const odla_ints& steps,
                      const odla_value_type& rt, odla_value_id id) {
  CheckResult(x, rt);
  Ints in = ValueDims(x), out = TypeDims(rt), s = odla_rt::FromInts(starts),
       st = odla_rt::FromInts(steps);
  if (s.size() != in.size() || st.size() != in.size() || out.size() != in.size()) Reject("rank");
  for (size_t d = 0; d < in.size(); ++d) {
    if (out[d] > in[d] || (out[d] > 1 && (st[d] > in[d] || st[d] < -in[d]))) Reject("bounds");
    int64_t last = s[d] + (out[d] - 1) * st[d];
    if (st[d] == 0 || s[d] < 0 || s[d] >= in[d] || last < 0 || last >= in[d]) Reject("bounds");
  }
  return AddCopyOp("Slice", {x}, rt, id, SliceMap(in, out, s, st));
}

odla_value BuildExpand(odla_value x, const odla_value_type& rt, odla_value_id id) {
  CheckResult(x, rt);
  Ints in = ValueDims(x), out = TypeDims(rt);
  bool ok = in.size() <= out.size();
  for (size_t d = 0; ok && d < in.size(); ++d)
    ok = in[d] == 1 || in[d] == out[out.size() - in.size() + d];
  if (!ok) Reject("shapes do not broadcast");
  return AddCopyOp("Expand", {x}, rt, id,
                   MakeMap(out, DenseStrides(out), 0, BroadcastStrides(in, out), 0));
}

// The windows of Concat's inputs in its result (or Split's results in its input): one map
// per part from the part's dense index space, `whole` on side a when into_whole.
std::vector<StridedMap> Windows(const std::vector<Ints>& parts, const Ints& whole, int64_t axis,
                                bool into_whole) {
  if (axis < 0 || axis >= static_cast<int64_t>(whole.size())) Reject("axis");
  Ints ws = DenseStrides(whole);
  std::vector<StridedMap> maps;
  int64_t at = 0;
  for (const Ints& s : parts) {
    bool fits = s.size() == whole.size();
    for (size_t d = 0; fits && d < s.size(); ++d)
      fits = static_cast<int64_t>(d) == axis || s[d] == whole[d];
    if (!fits) Reject("shapes");
    Ints ps = DenseStrides(s);
    int64_t base = at * ws[axis];
    maps.push_back(into_whole ? MakeMap(s, ws, base, ps, 0) : MakeMap(s, ps, 0, ws, base));
    at += s[axis];
  }
  if (at != whole[axis]) Reject("sizes along the axis");
  return maps;
}

odla_value BuildConcat(const odla_values& inputs, int64_t axis, const odla_value_type& rt,
                       odla_value_id id) {
  auto ins = odla_rt::FromValues(inputs);
  if (ins.empty()) Reject("no inputs");
  std::vector<Ints> shapes;
  for (odla_value v : ins) {
    CheckResult(v, rt);
    shapes.push_back(ValueDims(v));
  }
  auto maps = Windows(shapes, TypeDims(rt), axis, true);
  size_t es = odla_rt::ElementSize(rt.element_type);
  return AddCudaOp1("Concat", ins, rt, 0, id, [maps, es](const KernelArgs& k) {
    for (size_t i = 0; i < maps.size(); ++i)
      StridedCopy(CudaStream(k), k.out[0], k.in[i], es, maps[i]);
  });
}

odla_values BuildSplit(odla_value x, int64_t axis, const odla_value_types& result_types,
                       odla_value_id id) {
  auto types = odla_rt::FromTypes(result_types);
  if (types.empty()) Reject("no results");
  std::vector<Ints> shapes;
  for (const auto& t : types) {
    CheckResult(x, t);
    shapes.push_back(TypeDims(t));
  }
  auto maps = Windows(shapes, ValueDims(x), axis, false);
  size_t es = odla_rt::ElementSize(x->type.element_type);
  return odla_rt::ToValues(AddCudaOp("Split", {x}, types, 0, id, [maps, es](const KernelArgs& k) {
    for (size_t i = 0; i < maps.size(); ++i)
      StridedCopy(CudaStream(k), k.out[i], k.in[0], es, maps[i]);
  }));
}

odla_value BuildPad(odla_value x, odla_value cv, const char* mode, const odla_ints& pads,
                    float value, const odla_value_type& rt, odla_value_id id) {
  CheckResult(x, rt);
  Ints in = ValueDims(x), out = TypeDims(rt), p = odla_rt::FromInts(pads);
  size_t rank = in.size();
  if (p.size() != 2 * rank || out.size() != rank) Reject("pads");
  std::string m = mode ? mode : "";
  int pm = m == "constant" ? 0 : m == "reflect" ? 1 : m == "edge" ? 2 : -1;
  if (pm < 0) Reject("mode ", m);
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] != in[d] + p[d] + p[d + rank]) Reject("pads");
    int64_t kept = in[d] + std::min<int64_t>(p[d], 0) + std::min<int64_t>(p[d + rank], 0);
    if (pm != 0 && (p[d] > 0 || p[d + rank] > 0) &&
        (kept < 1 || (pm == 1 && (p[d] >= kept || p[d + rank] >= kept))))
      Reject("cannot pad that much");
  }
  if (cv &&
      (cv->type.element_type != x->type.element_type || odla_rt::NumElements(cv->type.shape) != 1))
    Reject("constant_value");
  size_t es = odla_rt::ElementSize(x->type.element_type);
  uint64_t bits = 0;
  odla_rt::Dispatch(x->type.element_type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T v = static_cast<T>(value);
    std::memcpy(&bits, &v, sizeof(T));
  });
  bool has_cv = cv != nullptr;
  std::vector<odla_value> ins{x};
  if (has_cv) ins.push_back(cv);
  return AddCudaOp1("Pad", ins, rt, 0, id, [=](const KernelArgs& k) {
    Pad(CudaStream(k), k.out[0], k.in[0], es, in, p, pm, has_cv ? k.in[1] : nullptr, bits);
  });
}

// The indices' element type: int32 or int64, else rejected.
bool Index64(odla_value indices) {
  if (!indices) Reject("missing indices");
  odla_element_type it = indices->type.element_type;
  if (it != ODLA_INT64 && it != ODLA_INT32) Reject("index type");
  return it == ODLA_INT64;
}

odla_value BuildGather(odla_value data, odla_value indices, int64_t axis, const odla_value_type& rt,
                       odla_value_id id) {
  CheckResult(data, rt);
  const bool is64 = Index64(indices);
  Ints ds = ValueDims(data);
  if (axis < 0 || axis >= static_cast<int64_t>(ds.size())) Reject("axis");
  int64_t outer = 1, inner = 1, n = odla_rt::NumElements(indices->type.shape), dim = ds[axis];
  for (int64_t d = 0; d < axis; ++d) outer *= ds[d];
  for (size_t d = axis + 1; d < ds.size(); ++d) inner *= ds[d];
  if (odla_rt::NumElements(rt.shape) != outer * n * inner) Reject("result shape");
  size_t es = odla_rt::ElementSize(rt.element_type);
  return AddIndexingOp(
      "Gather", {data, indices}, rt, id, {dim}, [=](const KernelArgs& k, int* bad) {
        Gather(CudaStream(k), k.out[0], k.in[0], es, outer, dim, inner, k.in[1], is64, n, bad);
      });
}

// GatherElements: indices of the data's rank, each dimension but the axis's at most the
// data's; the result has the indices' shape.
odla_value BuildGatherElements(odla_value data, odla_value indices, int64_t axis,
                               const odla_value_type& rt, odla_value_id id) {
  CheckResult(data, rt);
  const bool is64 = Index64(indices);
  Ints ds = ValueDims(data), is = ValueDims(indices);
  const int64_t rank = static_cast<int64_t>(ds.size());
  if (axis < 0 || axis >= rank || static_cast<int64_t>(is.size()) != rank || TypeDims(rt) != is)
    Reject("shapes");
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && is[d] > ds[d]) Reject("shapes");
  Ints strides = DenseStrides(ds), a = strides;
  a[axis] = 0;  // the index gives the axis's coordinate
  StridedMap m = MakeMap(is, a, 0, DenseStrides(is), 0);
  const int64_t dim = ds[axis], axis_stride = strides[axis];
  size_t es = odla_rt::ElementSize(rt.element_type);
  return AddIndexingOp("GatherElements", {data, indices}, rt, id, {dim},
                       [=](const KernelArgs& k, int* bad) {
                         GatherElements(CudaStream(k), k.out[0], k.in[0], es, m, axis_stride, dim,
                                        k.in[1], is64, bad);
                       });
}

odla_value BuildTrilu(odla_value x, int64_t upper, int64_t k, const odla_value_type& rt,
                      odla_value_id id) {
  CheckResult(x, rt);
  if (!odla_rt::SameType(x->type, rt)) Reject("result type");
  Ints d = ValueDims(x);
  if (d.size() < 2) Reject("rank below 2");
  const int64_t rows = d[d.size() - 2], cols = d.back();
  const int64_t matrices = odla_rt::NumElements(x->type.shape) / (rows * cols);
  const size_t es = odla_rt::ElementSize(rt.element_type);
  const bool up = upper != 0;
  return AddCudaOp1("Trilu", {x}, rt, 0, id, [=](const KernelArgs& a) {
    Trilu(CudaStream(a), a.out[0], a.in[0], es, matrices, rows, cols, k, up);
  });
}

}  // namespace

extern "C" {

odla_value odla_Trilu(odla_value input, odla_int64 upper, odla_int64 k, odla_value_type result_type,
                      odla_value_id id) {
  return Try(
      "Trilu", id, [&] { return BuildTrilu(input, upper, k, result_type, id); },
      [&] { return odla_ref_Trilu(input, upper, k, result_type, id); });
}

#define ODLA_CUDA_COPY_BUILDER(NAME)                                                    \
  odla_value odla_##NAME(odla_value x, odla_value_type result_type, odla_value_id id) { \
    return Try(                                                                         \
        #NAME, id, [&] { return BuildCopy(#NAME, x, result_type, id); },                \
        [&] { return odla_ref_##NAME(x, result_type, id); });                           \
  }
ODLA_CUDA_COPY_BUILDER(Reshape)
ODLA_CUDA_COPY_BUILDER(Squeeze)
ODLA_CUDA_COPY_BUILDER(Unsqueeze)
ODLA_CUDA_COPY_BUILDER(Identity)
#undef ODLA_CUDA_COPY_BUILDER

// Dropout in inference: the data, and a mask of trues.
odla_values odla_Dropout(odla_value data, odla_value_types result_types, odla_value_id id) {
  return TryN(
      "Dropout", id,
      [&] {
        std::vector<odla_value_type> types = odla_rt::FromTypes(result_types);
        if (!data || types.empty() || types.size() > 2) Reject("results");
        CheckResult(data, types[0]);
        if (!odla_rt::SameType(types[0], data->type) ||
            (types.size() == 2 &&
             (types[1].element_type != ODLA_BOOL || TypeDims(types[1]) != ValueDims(data))))
          Reject("result types");
        const size_t bytes = odla_rt::ByteSize(data->type);
        const size_t n = static_cast<size_t>(odla_rt::NumElements(data->type.shape));
        const bool mask = types.size() == 2;
        return odla_rt::ToValues(
            AddCudaOp("Dropout", {data}, types, 0, id, [=](const KernelArgs& k) {
              DeviceCopy(CudaStream(k), k.out[0], k.in[0], bytes);
              if (mask) ODLA_CUDA_CALL(cudaMemsetAsync, k.out[1], 1, n, CudaStream(k));
            }));
      },
      [&] { return odla_ref_Dropout(data, result_types, id); });
}

odla_value odla_Flatten(odla_value input, odla_int64 axis, odla_value_type result_type,
                        odla_value_id id) {
  return Try(
      "Flatten", id,
      [&] {
        if (!input) Reject("missing input");
        Ints xs = ValueDims(input);
        int64_t rank = static_cast<int64_t>(xs.size()), a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a > rank) Reject("axis");
        int64_t outer = 1;
        for (int64_t i = 0; i < a; ++i) outer *= xs[i];
        if (outer == 0) Reject("empty");
        if (TypeDims(result_type) != Ints{outer, odla_rt::NumElements(input->type.shape) / outer})
          Reject("result shape");
        return BuildCopy("Flatten", input, result_type, id);
      },
      [&] { return odla_ref_Flatten(input, axis, result_type, id); });
}

odla_value odla_Transpose(odla_value data, odla_ints perm, odla_value_type result_type,
                          odla_value_id id) {
  return Try(
      "Transpose", id, [&] { return BuildTranspose(data, perm, result_type, id); },
      [&] { return odla_ref_Transpose(data, perm, result_type, id); });
}

odla_value odla_Slice(odla_value data, odla_ints starts, odla_ints steps,
                      odla_value_type result_type, odla_value_id id) {
  return Try(
      "Slice", id, [&] { return BuildSlice(data, starts, steps, result_type, id); },
      [&] { return odla_ref_Slice(data, starts, steps, result_type, id); });
}

odla_value odla_Expand(odla_value input, odla_value_type result_type, odla_value_id id) {
  return Try(
      "Expand", id, [&] { return BuildExpand(input, result_type, id); },
      [&] { return odla_ref_Expand(input, result_type, id); });
}

odla_value odla_Tile(odla_value input, odla_ints repeats, odla_value_type result_type,
                     odla_value_id id) {
  return Try(
      "Tile", id, [&] { return BuildTile(input, repeats, result_type, id); },
      [&] { return odla_ref_Tile(input, repeats, result_type, id); });
}

odla_value odla_Concat(odla_values inputs, odla_int64 axis, odla_value_type result_type,
                       odla_value_id id) {
  return Try(
      "Concat", id, [&] { return BuildConcat(inputs, axis, result_type, id); },
      [&] { return odla_ref_Concat(inputs, axis, result_type, id); });
}

odla_values odla_Split(odla_value input, odla_int64 axis, odla_value_types result_types,
                       odla_value_id id) {
  return TryN(
      "Split", id, [&] { return BuildSplit(input, axis, result_types, id); },
      [&] { return odla_ref_Split(input, axis, result_types, id); });
}

odla_value odla_Pad(odla_value data, odla_value constant_value, const char* mode, odla_ints pads,
                    odla_float32 value, odla_value_type result_type, odla_value_id id) {
  return Try(
      "Pad", id, [&] { return BuildPad(data, constant_value, mode, pads, value, result_type, id); },
      [&] { return odla_ref_Pad(data, constant_value, mode, pads, value, result_type, id); });
}

odla_value odla_GatherElements(odla_value data, odla_value indices, odla_int64 axis,
                               odla_value_type result_type, odla_value_id id) {
  return Try(
      "GatherElements", id,
      [&] { return BuildGatherElements(data, indices, axis, result_type, id); },
      [&] { return odla_ref_GatherElements(data, indices, axis, result_type, id); });
}

odla_value odla_Gather(odla_value data, odla_value indices, odla_int64 axis,
                       odla_value_type result_type, odla_value_id id) {
  return Try(
      "Gather", id, [&] { return BuildGather(data, indices, axis, result_type, id); },
      [&] { return odla_ref_Gather(data, indices, axis, result_type, id); });
}

}  // extern "C"
