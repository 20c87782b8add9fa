// Builders of GatherND, ScatterElements, Scatter, ScatterND, ReverseSequence, OneHot and TopK
// on the project's CUDA kernels (kernels_index.cu), Compress with a constant condition (a
// Gather of the kept slices, their list uploaded at build time), and NonZero (kernels_nonzero.cu:
// its count read back at each run, for the result's shape).
// Rejected (run on the host by the shared builder, which also reports invalid arguments):
// empty results, ranks above 8, element types the kernels lack, a condition that is not a
// constant, arguments the shared builder would refuse.
#include <string>

#include "../kernels/dispatch.h"
#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_index)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

ODLA_REF_DECL(GatherND)
ODLA_REF_DECL(ScatterElements)
ODLA_REF_DECL(Scatter)
ODLA_REF_DECL(ScatterND)
ODLA_REF_DECL(ReverseSequence)
ODLA_REF_DECL(OneHot)
ODLA_REF_DECL(TopK)
ODLA_REF_DECL(Compress)
ODLA_REF_DECL(NonZero)

namespace {

void CheckRank(const Ints& d) {
  if (d.size() > kMaxDims) Reject("rank above 8");
}

// The tuples' view of `bounds` (the data's dimensions they index), each index selecting a
// slice of `block` elements.
NdIndex TupleIndex(const Ints& bounds, int64_t block) {
  NdIndex nd;
  nd.k = static_cast<int>(bounds.size());
  int64_t stride = block;
  for (int c = nd.k - 1; c >= 0; --c) {
    nd.dims[c] = bounds[c];
    nd.strides[c] = stride;
    stride *= bounds[c];
  }
  return nd;
}

odla_value BuildGatherND(odla_value data, odla_value indices, int64_t b, const odla_value_type& rt,
                         odla_value_id id) {
  if (!data || !indices) Reject("missing input");
  if (indices->type.element_type != ODLA_INT64) Reject("index type");
  if (rt.element_type != data->type.element_type || odla_rt::NumElements(rt.shape) == 0)
    Reject("result type");
  Ints ds = ValueDims(data), is = ValueDims(indices);
  CheckRank(ds);
  const int64_t r = static_cast<int64_t>(ds.size());
  if (is.empty() || b < 0 || b >= std::min<int64_t>(r, is.size())) Reject("batch_dims");
  const int64_t k = is.back();
  if (k < 1 || k > r - b) Reject("index tuple length");
  int64_t batches = 1, batch_elems = 1, block = 1;
  for (int64_t d = 0; d < b; ++d) {
    if (ds[d] != is[d]) Reject("batch dimensions");
    batches *= ds[d];
  }
  for (int64_t d = b; d < r; ++d) batch_elems *= ds[d];
  for (int64_t d = b + k; d < r; ++d) block *= ds[d];
  Ints bounds(ds.begin() + b, ds.begin() + b + k);
  const NdIndex nd = TupleIndex(bounds, block);
  const int64_t tuples = odla_rt::NumElements(indices->type.shape) / k;
  if (odla_rt::NumElements(rt.shape) != tuples * block) Reject("result shape");
  const int64_t per_batch = tuples / std::max<int64_t>(1, batches);
  size_t es = odla_rt::ElementSize(rt.element_type);
  return AddIndexingOp("GatherND", {data, indices}, rt, id, bounds,
                       [=](const KernelArgs& a, int* bad) {
                         GatherND(CudaStream(a), a.out[0], a.in[0], es, a.In<int64_t>(1), nd,
                                  tuples, per_batch, batch_elems, block, bad);
                       });
}

// The kernels' reduction code (odla_rt::Reduction's order).
int ReductionCode(const char* reduction) {
  static const char* const names[] = {"none", "add", "mul", "max", "min"};
  for (int r = 0; r < 5; ++r)
    if (reduction && std::string(reduction) == names[r]) return r;
  Reject("reduction");
}

// The checks both scatters share: data, updates and result types; the reduction's types.
void CheckScatter(odla_value data, odla_value indices, odla_value updates,
                  const odla_value_type& rt, int reduction) {
  if (!data || !indices || !updates) Reject("missing input");
  const odla_element_type t = data->type.element_type;
  if (!odla_rt::SameType(data->type, rt) || updates->type.element_type != t ||
      odla_rt::NumElements(rt.shape) == 0)
    Reject("types");
  if (reduction != 0 && t != ODLA_FLOAT32 && t != ODLA_INT32 && t != ODLA_INT64)
    Reject("reduction element type");
  CheckRank(ValueDims(data));
}

odla_value BuildScatterElements(const char* op, odla_value data, odla_value indices,
                                odla_value updates, int64_t axis, int reduction,
                                const odla_value_type& rt, odla_value_id id) {
  CheckScatter(data, indices, updates, rt, reduction);
  const odla_element_type it = indices->type.element_type;
  if (it != ODLA_INT64 && it != ODLA_INT32) Reject("index type");
  Ints ds = ValueDims(data), is = ValueDims(indices);
  const int rank = static_cast<int>(ds.size());
  if (axis < 0 || axis >= rank || is != ValueDims(updates) || static_cast<int>(is.size()) != rank)
    Reject("shapes");
  for (int d = 0; d < rank; ++d)
    if (d != axis && is[d] > ds[d]) Reject("shapes");
  ScatterGeom g;
  g.rank = rank;
  g.axis = static_cast<int>(axis);
  g.bound = ds[axis];
  Ints dstr = DenseStrides(ds), istr = DenseStrides(is);
  for (int d = 0; d < rank; ++d) {
    g.idx_dims[d] = is[d];
    g.idx_strides[d] = istr[d];
    g.data_strides[d] = dstr[d];
  }
  const odla_element_type t = rt.element_type;
  const int64_t total = odla_rt::NumElements(rt.shape);
  const bool is64 = it == ODLA_INT64;
  return AddIndexingOp(op, {data, indices, updates}, rt, id, {g.bound},
                       [=](const KernelArgs& a, int* bad) {
                         ScatterElements(CudaStream(a), t, a.out[0], a.in[0], total, a.in[2],
                                         a.in[1], is64, g, reduction, bad);
                       });
}

odla_value BuildScatterND(odla_value data, odla_value indices, odla_value updates, int reduction,
                          const odla_value_type& rt, odla_value_id id) {
  CheckScatter(data, indices, updates, rt, reduction);
  if (indices->type.element_type != ODLA_INT64) Reject("index type");
  Ints ds = ValueDims(data), is = ValueDims(indices);
  const int64_t k = is.empty() ? 0 : is.back();
  if (k < 1 || k > static_cast<int64_t>(ds.size())) Reject("index tuple length");
  Ints want(is.begin(), is.end() - 1);
  want.insert(want.end(), ds.begin() + k, ds.end());
  if (ValueDims(updates) != want) Reject("updates shape");
  int64_t block = 1;
  for (size_t d = k; d < ds.size(); ++d) block *= ds[d];
  const Ints bounds(ds.begin(), ds.begin() + k);
  const NdIndex nd = TupleIndex(bounds, block);
  const int64_t tuples = odla_rt::NumElements(indices->type.shape) / k;
  const odla_element_type t = rt.element_type;
  const int64_t total = odla_rt::NumElements(rt.shape);
  return AddIndexingOp("ScatterND", {data, indices, updates}, rt, id, bounds,
                       [=](const KernelArgs& a, int* bad) {
                         ScatterND(CudaStream(a), t, a.out[0], a.in[0], total, a.in[2],
                                   a.In<int64_t>(1), nd, tuples, block, reduction, bad);
                       });
}

odla_value BuildReverseSequence(odla_value x, odla_value lens, int64_t batch_axis,
                                int64_t time_axis, const odla_value_type& rt, odla_value_id id) {
  if (!x || !lens || !odla_rt::SameType(x->type, rt) || odla_rt::NumElements(rt.shape) == 0)
    Reject("types");
  Ints in = ValueDims(x);
  if (in.size() < 2 ||
      !((batch_axis == 0 && time_axis == 1) || (batch_axis == 1 && time_axis == 0)))
    Reject("axes");
  if (lens->type.element_type != ODLA_INT64 ||
      odla_rt::NumElements(lens->type.shape) != in[batch_axis])
    Reject("sequence_lens");
  Ints str = DenseStrides(in);
  const int64_t n = odla_rt::NumElements(rt.shape), batch = in[batch_axis],
                stride_b = str[batch_axis], time = in[time_axis], stride_t = str[time_axis];
  const size_t es = odla_rt::ElementSize(rt.element_type);
  return AddIndexingOp(
      "ReverseSequence", {x, lens}, rt, id, {time + 1},
      [=](const KernelArgs& a, int* bad) {
        ReverseSequence(CudaStream(a), a.out[0], a.in[0], es, n, batch, stride_b, time, stride_t,
                        a.In<int64_t>(1), bad);
      },
      1, false);
}

odla_value BuildOneHot(odla_value indices, odla_value values, int64_t axis,
                       const odla_value_type& rt, odla_value_id id) {
  if (!indices || !values) Reject("missing input");
  const odla_element_type it = indices->type.element_type;
  if (it != ODLA_INT64 && it != ODLA_INT32 && it != ODLA_FLOAT32) Reject("index type");
  if (odla_rt::NumElements(values->type.shape) != 2 ||
      rt.element_type != values->type.element_type || odla_rt::NumElements(rt.shape) == 0)
    Reject("values or result type");
  Ints is = ValueDims(indices), out = TypeDims(rt);
  CheckRank(out);
  if (out.size() != is.size() + 1 || axis < 0 || axis > static_cast<int64_t>(is.size()))
    Reject("axis or result shape");
  int64_t outer = 1, inner = 1, depth = out[axis];
  for (int64_t d = 0; d < axis; ++d) outer *= is[d];
  for (size_t d = axis; d < is.size(); ++d) inner *= is[d];
  if (odla_rt::NumElements(rt.shape) != outer * depth * inner) Reject("result shape");
  size_t es = odla_rt::ElementSize(rt.element_type);
  return AddCudaOp1("OneHot", {indices, values}, rt, 0, id, [=](const KernelArgs& a) {
    OneHot(CudaStream(a), a.out[0], es, a.in[0], it, a.in[1], outer, depth, inner);
  });
}

odla_values BuildTopK(odla_value x, int64_t k, int64_t axis, bool largest,
                      const odla_value_types& result_types, odla_value_id id) {
  if (!x) Reject("missing input");
  const odla_element_type t = x->type.element_type;
  if (t != ODLA_FLOAT32 && t != ODLA_INT32 && t != ODLA_INT64) Reject("element type");
  std::vector<odla_value_type> types = odla_rt::FromTypes(result_types);
  Ints xs = ValueDims(x);
  CheckRank(xs);
  const int64_t rank = static_cast<int64_t>(xs.size());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank || k < 1 || k > xs[axis]) Reject("axis or k");
  Ints ys = xs;
  ys[axis] = k;
  if (types.size() != 2 || TypeDims(types[0]) != ys || TypeDims(types[1]) != ys ||
      types[0].element_type != t || types[1].element_type != ODLA_INT64)
    Reject("result types");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= xs[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= xs[d];
  const int64_t len = xs[axis];
  return odla_rt::ToValues(AddCudaOp("TopK", {x}, types, 0, id, [=](const KernelArgs& a) {
    TopK(CudaStream(a), t, a.in[0], a.out[0], a.Out<int64_t>(1), outer, len, inner, k, largest);
  }));
}

// Compress: the slices whose condition entry is true, as a Gather of their indices (known at
// build time: the condition is a constant, as the compiler requires).
odla_value BuildCompress(odla_value input, odla_value condition, int64_t axis,
                         const odla_value_type& rt, odla_value_id id) {
  if (!input || !condition || !condition->const_data) Reject("condition that is not a constant");
  if (condition->type.element_type != ODLA_BOOL || condition->type.shape.size != 1 ||
      rt.element_type != input->type.element_type)
    Reject("types");
  const Ints in = ValueDims(input), out = TypeDims(rt);
  const bool flat = axis == -2147483648LL;
  if (!flat && (axis < 0 || axis >= static_cast<int64_t>(in.size()))) Reject("axis");
  int64_t outer = 1, inner = 1, dim = odla_rt::NumElements(input->type.shape);
  if (!flat) {
    dim = in[axis];
    for (int64_t d = 0; d < axis; ++d) outer *= in[d];
    for (size_t d = axis + 1; d < in.size(); ++d) inner *= in[d];
  }
  const int64_t len = condition->type.shape.dims[0];
  if (len > dim) Reject("condition longer than the axis");
  const uint8_t* c = static_cast<const uint8_t*>(condition->const_data);
  Ints kept;
  for (int64_t i = 0; i < len; ++i)
    if (c[i]) kept.push_back(i);
  const int64_t n = static_cast<int64_t>(kept.size());
  if ((flat ? out != Ints{n} : out.size() != in.size() || out[axis] != n) ||
      odla_rt::NumElements(rt.shape) != outer * n * inner)
    Reject("result type");
  if (outer * n * inner == 0) Reject("empty result");
  RequireDevice();
  std::shared_ptr<void> idx = UploadTable(kept.data(), kept.size() * sizeof(int64_t));
  const size_t es = odla_rt::ElementSize(rt.element_type);
  // The indices are valid: the kernel's out-of-range flag, in scratch, is never set.
  return AddCudaOp1("Compress", {input}, rt, ScratchAligned(sizeof(int)), id,
                    [=](const KernelArgs& k) {
                      Gather(CudaStream(k), k.out[0], k.in[0], es, outer, dim, inner, idx.get(),
                             true, n, static_cast<int*>(k.scratch));
                    });
}

// NonZero: the result's second dimension is the count, which the kernel leaves in scratch
// memory; the run waits for it.
odla_value BuildNonZero(odla_value x, const odla_value_type& rt, odla_value_id id) {
  if (!x) Reject("no input");
  Ints dims = ValueDims(x);
  if (dims.empty()) dims = {1};
  CheckRank(dims);
  const int64_t rank = static_cast<int64_t>(dims.size()), n = odla_rt::NumElements(x->type.shape);
  if (n == 0) Reject("empty input");
  if (rt.element_type != ODLA_INT64 || TypeDims(rt) != Ints{rank, n}) Reject("result type");
  const odla_element_type t = x->type.element_type;
  const size_t es = odla_rt::ElementSize(t);
  if (es != 1 && es != 2 && es != 4 && es != 8) Reject("element type");
  return AddCudaOp("NonZero", {x}, {rt}, ScratchAligned((1 + kNonZeroParts) * sizeof(int64_t)), id,
                   [t, dims, rank](const KernelArgs& a) {
                     cudaStream_t st = CudaStream(a);
                     int64_t* count = static_cast<int64_t*>(a.scratch);  // then the parts
                     NonZero(st, t, a.in[0], dims, a.Out<int64_t>(0), count);
                     int64_t n = 0;
                     ODLA_CUDA_CALL(cudaMemcpyAsync, &n, count, sizeof n, cudaMemcpyDeviceToHost,
                                    st);
                     ODLA_CUDA_CALL(cudaStreamSynchronize, st);
                     a.SetOutShape(0, {rank, n});
                   },
                   {true})[0];
}

}  // namespace

extern "C" {

odla_value odla_GatherND(odla_value data, odla_value indices, odla_int64 batch_dims,
                         odla_value_type result_type, odla_value_id id) {
  return Try(
      "GatherND", id, [&] { return BuildGatherND(data, indices, batch_dims, result_type, id); },
      [&] { return odla_ref_GatherND(data, indices, batch_dims, result_type, id); });
}

odla_value odla_ScatterElements(odla_value data, odla_value indices, odla_value updates,
                                odla_int64 axis, const char* reduction, odla_value_type result_type,
                                odla_value_id id) {
  return Try(
      "ScatterElements", id,
      [&] {
        return BuildScatterElements("ScatterElements", data, indices, updates, axis,
                                    ReductionCode(reduction), result_type, id);
      },
      [&] {
        return odla_ref_ScatterElements(data, indices, updates, axis, reduction, result_type, id);
      });
}

odla_value odla_Scatter(odla_value data, odla_value indices, odla_value updates, odla_int64 axis,
                        odla_value_type result_type, odla_value_id id) {
  return Try(
      "Scatter", id,
      [&] {
        return BuildScatterElements("Scatter", data, indices, updates, axis, 0, result_type, id);
      },
      [&] { return odla_ref_Scatter(data, indices, updates, axis, result_type, id); });
}

odla_value odla_ScatterND(odla_value data, odla_value indices, odla_value updates,
                          const char* reduction, odla_value_type result_type, odla_value_id id) {
  return Try(
      "ScatterND", id,
      [&] {
        return BuildScatterND(data, indices, updates, ReductionCode(reduction), result_type, id);
      },
      [&] { return odla_ref_ScatterND(data, indices, updates, reduction, result_type, id); });
}

odla_value odla_ReverseSequence(odla_value input, odla_value sequence_lens, odla_int64 batch_axis,
                                odla_int64 time_axis, odla_value_type result_type,
                                odla_value_id id) {
  return Try(
      "ReverseSequence", id,
      [&] {
        return BuildReverseSequence(input, sequence_lens, batch_axis, time_axis, result_type, id);
      },
      [&] {
        return odla_ref_ReverseSequence(input, sequence_lens, batch_axis, time_axis, result_type,
                                        id);
      });
}

odla_value odla_OneHot(odla_value indices, odla_value values, odla_int64 axis,
                       odla_value_type result_type, odla_value_id id) {
  return Try(
      "OneHot", id, [&] { return BuildOneHot(indices, values, axis, result_type, id); },
      [&] { return odla_ref_OneHot(indices, values, axis, result_type, id); });
}

// Results are always sorted, which "unsorted" permits (as the ref's).
odla_values odla_TopK(odla_value X, odla_int64 k, odla_int64 axis, odla_int64 largest,
                      odla_int64 sorted, odla_value_types result_types, odla_value_id id) {
  return TryN(
      "TopK", id, [&] { return BuildTopK(X, k, axis, largest != 0, result_types, id); },
      [&] { return odla_ref_TopK(X, k, axis, largest, sorted, result_types, id); });
}

odla_value odla_Compress(odla_value input, odla_value condition, odla_int64 axis,
                         odla_value_type result_type, odla_value_id id) {
  return Try(
      "Compress", id, [&] { return BuildCompress(input, condition, axis, result_type, id); },
      [&] { return odla_ref_Compress(input, condition, axis, result_type, id); });
}

odla_value odla_NonZero(odla_value X, odla_value_type result_type, odla_value_id id) {
  return Try(
      "NonZero", id, [&] { return BuildNonZero(X, result_type, id); },
      [&] { return odla_ref_NonZero(X, result_type, id); });
}

}  // extern "C"
