// Builders of LpPool, MaxRoiPool, MaxUnpool and Det on the project's CUDA kernels
// (kernels_window.cu), with the shared builders' checks. Rejected (run on the host by the shared
// builder, which also reports invalid arguments): other element types, empty results.
#include "../kernels/detection.h"
#include "../ref/nn_window.h"
#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_window)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

ODLA_REF_DECL(LpPool)
ODLA_REF_DECL(MaxRoiPool)
ODLA_REF_DECL(Det)
ODLA_REF_DECL(MaxUnpool)

namespace {

odla_value BuildLpPool(odla_value x, const odla_ints& kernel, int64_t p, const odla_ints& pads,
                       const odla_ints& strides, const odla_value_type& rt, odla_value_id id) {
  if (!x) Reject("missing input");
  RequireF32({x});
  RequireF32(rt);
  const Ints xs = ValueDims(x), ys = TypeDims(rt);
  if (xs.size() < 3 || ys.size() != xs.size() || ys[0] != xs[0] || ys[1] != xs[1] || p < 1)
    Reject("shapes or p");
  const odla_rt::Window3 w = RejectFailures([&] {
    return odla_rt::MakeWindow(xs, ys, odla_rt::FromInts(kernel), odla_rt::FromInts(strides), {},
                               odla_rt::FromInts(pads), false, false);
  });
  const int64_t planes = xs[0] * xs[1];
  return AddCudaOp1("LpPool", {x}, rt, 0, id, [=](const KernelArgs& k) {
    LpPool(CudaStream(k), w, planes, k.In<float>(0), k.Out<float>(0), p);
  });
}

odla_value BuildMaxRoiPool(odla_value x, odla_value rois, const odla_ints& pooled,
                           float spatial_scale, const odla_value_type& rt, odla_value_id id) {
  if (!x || !rois) Reject("missing input");
  RequireF32({x, rois});
  RequireF32(rt);
  const Ints xs = ValueDims(x), rs = ValueDims(rois), ps = odla_rt::FromInts(pooled);
  if (xs.size() != 4 || rs.size() != 2 || rs[1] != 5 || ps.size() != 2 || ps[0] < 1 || ps[1] < 1 ||
      TypeDims(rt) != Ints{rs[0], xs[1], ps[0], ps[1]})
    Reject("shapes");
  const odla_rt::RoiPoolSpec s{xs[0], xs[1], xs[2], xs[3], ps[0], ps[1], spatial_scale};
  const int64_t r = rs[0];
  return AddCudaOp1("MaxRoiPool", {x, rois}, rt, 0, id, [=](const KernelArgs& k) {
    MaxRoiPool(CudaStream(k), s, k.In<float>(0), k.In<float>(1), r, k.Out<float>(0));
  });
}

odla_value BuildDet(odla_value x, const odla_value_type& rt, odla_value_id id) {
  if (!x) Reject("missing input");
  RequireF32({x});
  RequireF32(rt);
  const Ints xs = ValueDims(x);
  const size_t r = xs.size();
  if (r < 2 || xs[r - 1] != xs[r - 2] || TypeDims(rt) != Ints(xs.begin(), xs.end() - 2))
    Reject("shapes");
  const int64_t n = xs[r - 1], batch = odla_rt::NumElements(rt.shape);
  const size_t scratch = sizeof(double) * batch * n * n;
  return AddCudaOp1("Det", {x}, rt, scratch, id, [=](const KernelArgs& k) {
    Det(CudaStream(k), k.In<float>(0), k.Out<float>(0), batch, n, static_cast<double*>(k.scratch));
  });
}

odla_value BuildMaxUnpool(odla_value x, odla_value idx, const odla_ints& kernel,
                          const odla_ints& pads, const odla_ints& strides,
                          const odla_value_type& rt, odla_value_id id) {
  if (!x || !idx) Reject("missing input");
  RequireF32({x});
  RequireF32(rt);
  const Ints xs = ValueDims(x), ys = TypeDims(rt);
  if (idx->type.element_type != ODLA_INT64 || ValueDims(idx) != xs || ys.size() != xs.size() ||
      xs.size() < 3 || xs.size() > static_cast<size_t>(kMaxDims) || ys[0] != xs[0] ||
      ys[1] != xs[1])
    Reject("shapes");
  const Ints k = odla_rt::FromInts(kernel), p = odla_rt::FromInts(pads),
             st = odla_rt::FromInts(strides);
  const size_t n = xs.size() - 2;
  if (k.size() != n || (!p.empty() && p.size() != 2 * n) || (!st.empty() && st.size() != n))
    Reject("window");
  UnpoolMap m;
  m.rank = static_cast<int>(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    m.out[i] = ys[i];
    m.def[i] = i < 2 ? xs[i]
                     : (xs[i] - 1) * (st.empty() ? 1 : st[i - 2]) + k[i - 2] -
                           (p.empty() ? 0 : p[i - 2] + p[i - 2 + n]);
    if (m.def[i] < 1 || ys[i] < m.def[i]) Reject("result size");
    m.def_n *= m.def[i];
  }
  const int64_t in_n = odla_rt::NumElements(x->type.shape), out_n = odla_rt::NumElements(rt.shape);
  return AddIndexingOp(
      "MaxUnpool", {x, idx}, rt, id, {m.def_n},
      [=](const KernelArgs& a, int* bad) {
        MaxUnpool(CudaStream(a), a.In<float>(0), a.In<int64_t>(1), in_n, m, a.Out<float>(0), out_n,
                  static_cast<char*>(a.scratch) + kIndexingScratch, bad);
      },
      1, false, sizeof(unsigned long long) * out_n);
}

}  // namespace

extern "C" {

odla_value odla_LpPool(odla_value X, odla_ints kernel_shape, odla_int64 p, odla_ints pads,
                       odla_ints strides, odla_value_type result_type, odla_value_id id) {
  return Try(
      "LpPool", id, [&] { return BuildLpPool(X, kernel_shape, p, pads, strides, result_type, id); },
      [&] { return odla_ref_LpPool(X, kernel_shape, p, pads, strides, result_type, id); });
}

odla_value odla_MaxRoiPool(odla_value X, odla_value rois, odla_ints pooled_shape,
                           odla_float32 spatial_scale, odla_value_type result_type,
                           odla_value_id id) {
  return Try(
      "MaxRoiPool", id,
      [&] { return BuildMaxRoiPool(X, rois, pooled_shape, spatial_scale, result_type, id); },
      [&] { return odla_ref_MaxRoiPool(X, rois, pooled_shape, spatial_scale, result_type, id); });
}

odla_value odla_Det(odla_value X, odla_value_type result_type, odla_value_id id) {
  return Try(
      "Det", id, [&] { return BuildDet(X, result_type, id); },
      [&] { return odla_ref_Det(X, result_type, id); });
}

odla_value odla_MaxUnpool(odla_value X, odla_value I, odla_ints kernel_shape, odla_ints pads,
                          odla_ints strides, odla_value_type result_type, odla_value_id id) {
  return Try(
      "MaxUnpool", id,
      [&] { return BuildMaxUnpool(X, I, kernel_shape, pads, strides, result_type, id); },
      [&] { return odla_ref_MaxUnpool(X, I, kernel_shape, pads, strides, result_type, id); });
}

}  // extern "C"
