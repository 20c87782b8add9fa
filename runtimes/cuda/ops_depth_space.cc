// DepthToSpace (DCR, CRD) and SpaceToDepth as one strided copy each: the result [N, C', H',
// W'] walked as six dimensions that split H' and W' (or C') into their block parts, each with
// the input stride the ref's kernel (runtimes/kernels/depth_space.h) reads it with. Any
// element type. Rejected (run on the host by the shared builder, which also reports invalid
// arguments): empty results, arguments the shared builder would refuse.
#include <string>

#include "cuda_rt.h"
#include "kernels.h"

ODLA_CUDA_FILE(ops_depth_space)

using namespace odla_cuda;
using odla_rt::KernelArgs;
using Ints = std::vector<int64_t>;

ODLA_REF_DECL(DepthToSpace)
ODLA_REF_DECL(SpaceToDepth)

namespace odla_cuda {

StridedMap DepthToSpaceMap(const std::vector<int64_t>& x, int64_t b, bool crd) {
  int64_t n = x[0], c = x[1], h = x[2], w = x[3], oc = c / (b * b), hw = h * w;
  // The result walked as [n, oc, h, i, w, j]: input channel (i * b + j) * oc + ch (DCR) or
  // (ch * b + i) * b + j (CRD), row iy, column ix.
  Ints dims{n, oc, h, b, w, b};
  Ints strides = crd ? Ints{c * hw, b * b * hw, w, b * hw, 1, hw}
                     : Ints{c * hw, hw, w, b * oc * hw, 1, oc * hw};
  return MakeMap(dims, DenseStrides(dims), 0, strides, 0);
}

StridedMap SpaceToDepthMap(const std::vector<int64_t>& x, int64_t b) {
  int64_t n = x[0], c = x[1], h = x[2], w = x[3];
  // The result walked as [n, i, j, c, h / b, w / b]: input row yy * b + i, column xx * b + j.
  Ints dims{n, b, b, c, h / b, w / b};
  return MakeMap(dims, DenseStrides(dims), 0, {c * h * w, w, 1, h * w, b * w, b}, 0);
}

}  // namespace odla_cuda

namespace {

// [N, C, H, W] of x after the checks both ops share.
Ints Nchw(odla_value x, const odla_value_type& rt, int64_t b) {
  if (!x || x->type.element_type != rt.element_type) Reject("element types");
  Ints xs = ValueDims(x);
  if (xs.size() != 4 || rt.shape.size != 4 || b < 1) Reject("shapes");
  if (odla_rt::NumElements(rt.shape) == 0) Reject("empty result");
  return xs;
}

odla_value AddMapOp(const char* op, odla_value x, const odla_value_type& rt, odla_value_id id,
                    const StridedMap& m) {
  size_t es = odla_rt::ElementSize(rt.element_type);
  return AddCudaOp1(op, {x}, rt, 0, id, [m, es](const KernelArgs& k) {
    StridedCopy(CudaStream(k), k.out[0], k.in[0], es, m);
  });
}

odla_value BuildDepthToSpace(odla_value x, int64_t b, const char* mode, const odla_value_type& rt,
                             odla_value_id id) {
  Ints xs = Nchw(x, rt, b);
  std::string m = mode ? mode : "";
  if (m != "DCR" && m != "CRD") Reject("mode");
  int64_t n = xs[0], c = xs[1], h = xs[2], w = xs[3];
  if (c % (b * b) || TypeDims(rt) != Ints{n, c / (b * b), h * b, w * b}) Reject("shapes");
  return AddMapOp("DepthToSpace", x, rt, id, DepthToSpaceMap(xs, b, m == "CRD"));
}

odla_value BuildSpaceToDepth(odla_value x, int64_t b, const odla_value_type& rt, odla_value_id id) {
  Ints xs = Nchw(x, rt, b);
  int64_t n = xs[0], c = xs[1], h = xs[2], w = xs[3];
  if (h % b || w % b || TypeDims(rt) != Ints{n, c * b * b, h / b, w / b}) Reject("shapes");
  return AddMapOp("SpaceToDepth", x, rt, id, SpaceToDepthMap(xs, b));
}

}  // namespace

extern "C" {

odla_value odla_DepthToSpace(odla_value input, odla_int64 blocksize, const char* mode,
                             odla_value_type result_type, odla_value_id id) {
  return Try(
      "DepthToSpace", id,
      [&] { return BuildDepthToSpace(input, blocksize, mode, result_type, id); },
      [&] { return odla_ref_DepthToSpace(input, blocksize, mode, result_type, id); });
}

odla_value odla_SpaceToDepth(odla_value input, odla_int64 blocksize, odla_value_type result_type,
                             odla_value_id id) {
  return Try(
      "SpaceToDepth", id, [&] { return BuildSpaceToDepth(input, blocksize, result_type, id); },
      [&] { return odla_ref_SpaceToDepth(input, blocksize, result_type, id); });
}

}  // extern "C"
